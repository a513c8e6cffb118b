//! Enterprises: the companies behind projects, found by name, pinyin initials or credit code.
pub mod api;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

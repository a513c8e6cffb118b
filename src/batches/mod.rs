//! Batch events: 集中开工 and 集中签约, with the summary a press release needs.
pub mod api;
pub mod export;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

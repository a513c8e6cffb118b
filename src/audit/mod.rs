//! The audit log: every change, append-only and hash-chained.
pub mod api;
pub mod export;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

pub use export::Export;
pub use model::Actor;
pub use store::{Change, record, record_many};

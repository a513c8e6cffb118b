//! Regions (reference data): the division tree and parks.
pub mod api;
pub mod load;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

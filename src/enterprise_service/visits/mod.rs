//! Visits (走访): who visited which enterprise when, with participants and photos; the cadence by
//! enterprise tier says who is due a visit; a visit by another unit within the window asks for a
//! confirmation first. The phone-friendly form is `form.rs`.

pub mod api;
pub mod form;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

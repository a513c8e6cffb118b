//! The project library: projects through their lifecycle, with investors, milestones, health,
//! a stage log and evidence.
pub mod api;
pub mod evidence;
pub mod export;
pub mod health;
pub mod keyset;
pub mod list;
pub mod model;
// Until every caller names crate::domain::money.
pub use crate::domain::money;
pub mod pages;
pub mod pages_form;
pub mod pages_speed;
pub mod pages_stage;
pub mod plan;
pub mod service;
pub mod speed;
pub mod stage;
pub mod store;
pub mod store_bulk;

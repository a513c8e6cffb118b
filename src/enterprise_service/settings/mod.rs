//! Province-wide service settings: the deadline tiers, the appeal category code list, the visiting
//! cadence and the "visited by another unit within N days" window; and the working-day calendar.
//! They apply to everyone, so changing them needs the settings permission on a province-level grant.

pub mod model;
pub mod pages;
pub mod service;
pub mod store;

//! In-app notifications: assignment, due soon, overdue, escalation… Each carries a dedupe key unique
//! per user, so the periodic sweep may run on every instance, as often as it likes, and still tell
//! each person once. The pages: one's notifications, the daily digest, the department's inbox.

pub mod inbox;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

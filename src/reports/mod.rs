//! Monthly investment reports (月报): filing, the 未填报 list, roll-ups by region.
pub mod api;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

//! Evaluation: the indicators leaders judge the work by, for every region and park; rankings with
//! configurable weights, frozen when published; the quarterly 十大红旗 / 十大蜗牛项目; breakdowns;
//! and the cockpit that shows it all with charts and a map.
pub mod breakdown;
pub mod cockpit;
pub mod facts;
pub mod flags;
mod flags_facts;
pub mod flags_service;
pub mod indicators;
pub mod kept;
pub mod pages;
pub mod pages_breakdowns;
pub mod pages_cockpit;
pub mod pages_flags;
pub mod period;
pub mod score;
pub mod service;
pub mod settings;
mod signed;
pub mod store;
pub mod view;

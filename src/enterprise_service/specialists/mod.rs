//! One-to-one service specialists (企业服务专员 / 项目服务专员): one current specialist per
//! enterprise or project, many records per specialist, and the history of handovers.

pub mod model;
pub mod pages;
pub mod service;
pub mod store;

//! Enterprise service (企业服务): one-to-one specialists for enterprises and projects, visits (走访),
//! appeals (诉求) with deadlines on a working-day calendar, escalation and 督办, notifications, and
//! the figures (响应率、解决率、满意率) per department, region and period.
pub mod appeals_act;
pub mod appeals_model;
pub mod appeals_service;
pub mod appeals_store;
pub mod calendar;
pub mod departments;
pub mod figures;
pub mod notify;
pub mod query;
pub mod settings;
pub mod specialists;
pub mod sweep;
pub mod visits_model;
pub mod visits_service;
pub mod visits_store;

//! Enterprise service (企业服务): one-to-one specialists for enterprises and projects, visits (走访),
//! appeals (诉求) with deadlines on a working-day calendar, escalation and 督办, notifications, and
//! the figures (响应率、解决率、满意率) per department, region and period.
pub mod appeals_act;
pub mod appeals_api;
pub mod appeals_list;
pub mod appeals_model;
pub mod appeals_pages;
pub mod appeals_service;
pub mod appeals_store;
pub mod calendar;
pub mod departments;
pub mod digest_pages;
pub mod figures;
pub mod figures_pages;
pub mod inbox_pages;
pub mod notify;
pub mod pages;
pub mod query;
pub mod settings;
pub mod settings_pages;
pub mod specialists;
pub mod specialists_pages;
pub mod sweep;
pub mod visits_api;
pub mod visits_form;
pub mod visits_model;
pub mod visits_pages;
pub mod visits_service;
pub mod visits_store;

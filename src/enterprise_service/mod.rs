//! Enterprise service (企业服务): one-to-one specialists for enterprises and projects, visits (走访),
//! appeals (诉求) with deadlines on a working-day calendar, escalation and 督办, notifications, and
//! the figures (响应率、解决率、满意率) per department, region and period.
//!
//! One folder per aggregate, each with the layers of every context: `model.rs` (domain types and
//! rules, no SQL, no HTTP), `store.rs` (queries taking an executor), `service.rs` (use cases: one
//! transaction and its audit record), `pages.rs` and `api.rs` (thin handlers calling the use cases).
//! What the aggregates share sits here: the working-day calendar, the overdue sweep, the filters
//! pages and API check alike, and the hub page.

pub mod appeals;
pub mod calendar;
pub mod departments;
pub mod figures;
pub mod filters;
pub mod notifications;
pub mod pages;
pub mod settings;
pub mod specialists;
pub mod sweep;
pub mod visits;

use crate::accounts::model::Permission;
use crate::web::routes::{Routes, Rule};
use axum::http::Method;

/// Every route of the context: pages under `/service`, the API under `/api/v1/{visits,appeals}`.
pub fn routes(r: Routes) -> Routes {
    let r = r.page(Method::GET, "/service", Rule::Perm(Permission::ViewBusiness), "企业服务", pages::hub);
    let r = specialists::pages::routes(r);
    let r = visits::pages::routes(r);
    let r = visits::api::routes(r);
    let r = appeals::pages::routes(r);
    let r = appeals::api::routes(r);
    let r = figures::pages::routes(r);
    let r = figures::api::routes(r);
    let r = notifications::pages::routes(r);
    let r = settings::pages::routes(r);
    departments::pages::routes(r)
}

//! The auditor's pages: filter and read the log. Nothing here changes it.

use super::model::AuditRecord;
use super::store::{self, Filter, PAGE_SIZE};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::error::AppResult;
use crate::web::AppState;
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::Html;

pub fn routes(r: Routes) -> Routes {
    r.page(Method::GET, "/audit", Rule::Perm(Permission::ReadAudit), "审计日志", list).page(
        Method::GET,
        "/audit/{seq}",
        Rule::Perm(Permission::ReadAudit),
        "审计记录详情",
        show,
    )
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    l: Layout,
    f: Filter,
    rows: Vec<AuditRecord>,
    total: i64,
    page: i64,
    pages: i64,
    query_base: String,
}

fn query_string(f: &Filter) -> String {
    let pairs: Vec<(&str, &str)> = [
        ("actor", &f.actor),
        ("action", &f.action),
        ("entity", &f.entity),
        ("entity_id", &f.entity_id),
        ("from", &f.from),
        ("to", &f.to),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (*k, v)))
    .collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

async fn list(State(st): State<AppState>, user: CurrentUser, Query(f): Query<Filter>) -> AppResult<Html<String>> {
    let mut conn = st.db.conn().await?;
    let (rows, total) = store::list(&mut conn.ex(), &user.scopes(Permission::ReadAudit), &f).await?;
    let page = f.page.unwrap_or(1).max(1);
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    html(&ListPage {
        l: Layout::new("审计日志", Some(&user), "audit"),
        query_base: query_string(&f),
        f,
        rows,
        total,
        page,
        pages,
    })
}

#[derive(Template)]
#[template(path = "audit/show.html")]
struct ShowPage {
    l: Layout,
    r: AuditRecord,
    before: String,
    after: String,
}

fn pretty(j: &Option<String>) -> String {
    j.as_deref()
        .map(|s| {
            serde_json::from_str::<serde_json::Value>(s)
                .and_then(|v| serde_json::to_string_pretty(&v))
                .unwrap_or_else(|_| s.to_string())
        })
        .unwrap_or_default()
}

async fn show(State(st): State<AppState>, user: CurrentUser, Path(seq): Path<String>) -> AppResult<Html<String>> {
    let r = super::service::visible(&st.db, &user, &seq).await?;
    html(&ShowPage {
        l: Layout::new(&format!("审计记录 #{}", r.seq), Some(&user), "audit"),
        before: pretty(&r.before_json),
        after: pretty(&r.after_json),
        r,
    })
}

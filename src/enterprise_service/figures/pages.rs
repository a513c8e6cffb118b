//! The figures page: a region's appeals for a period, by the units below it and by department,
//! with the definitions printed; the same as a workbook (the API is `api.rs`).

use super::model::Figures;
use super::service::{FiguresQuery, Report, report};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::Actor;
use crate::error::{AppError, AppResult};
use crate::imports::{Cell, workbook};
use crate::web::AppState;
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use askama::Template;
use axum::extract::{Query, RawQuery, State};
use axum::http::Method;
use axum::response::{Html, Response};

pub fn routes(r: Routes) -> Routes {
    let p = Rule::Perm(Permission::ViewBusiness);
    r.page(Method::GET, "/service/figures", p, "诉求办理统计", page).page(
        Method::GET,
        "/service/figures/export",
        p,
        "诉求办理统计（Excel）",
        export,
    )
}

#[derive(Template)]
#[template(path = "enterprise_service/figures.html")]
struct FiguresPage {
    l: Layout,
    q: FiguresQuery,
    r: Report,
    query: String,
}

async fn page(State(st): State<AppState>, user: CurrentUser, Query(q): Query<FiguresQuery>) -> AppResult<Html<String>> {
    let r = report(&st.db, &user, &q).await?;
    let shown =
        FiguresQuery { region: Some(r.base_code.clone()), from: Some(r.from.to_string()), to: Some(r.to.to_string()) };
    html(&FiguresPage {
        l: Layout::new("诉求办理统计", Some(&user), "service"),
        query: serde_urlencoded::to_string(&shown).unwrap_or_default(),
        q,
        r,
    })
}

pub const HEADERS: &[&str] = &[
    "单位",
    "收集",
    "已响应",
    "已解决",
    "按期办结",
    "逾期未办结",
    "提级",
    "响应率",
    "解决率",
    "按期率",
    "满意率",
    "平均办结天数",
    "主要分类",
];

fn cells(name: &str, f: &Figures) -> Vec<Cell> {
    vec![
        Cell::Text(name.into()),
        Cell::Int(f.collected),
        Cell::Int(f.responded),
        Cell::Int(f.resolved),
        Cell::Int(f.on_time),
        Cell::Int(f.overdue),
        Cell::Int(f.escalated),
        Cell::Text(f.response_text()),
        Cell::Text(f.resolve_text()),
        Cell::Text(f.on_time_text()),
        Cell::Text(f.satisfaction_text()),
        Cell::Text(f.average_days_text()),
        Cell::Text(f.top_text()),
    ]
}

async fn export(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Query(q): Query<FiguresQuery>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let r = report(&st.db, &user, &q).await?;
    crate::audit::Export::of(&user, Permission::ViewBusiness, "appeal_figures", "appeal")
        .region(Some(&r.base_code))
        .query(raw.as_deref())
        .rows(r.regions.len() + 1 + r.departments.len())
        .record(&st.db, &actor)
        .await?;
    let total = format!("{}合计", r.base_name);
    let region_rows: Vec<Vec<Cell>> =
        r.regions.iter().map(|l| cells(&l.name, &l.f)).chain([cells(&total, &r.total)]).collect();
    let dept_rows: Vec<Vec<Cell>> = r.departments.iter().map(|l| cells(&l.name, &l.f)).collect();
    let bytes = workbook(vec![("按地区", HEADERS, region_rows), ("按承办部门", HEADERS, dept_rows)])
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    Ok(crate::web::download(&format!("诉求办理统计_{}_{}至{}.xlsx", r.base_name, r.from, r.to), bytes))
}

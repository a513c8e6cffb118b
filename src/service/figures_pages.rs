//! The figures page: a region's appeals for a period, by the units below it and by department,
//! with the definitions printed; the same as a workbook and in the API.

use super::appeals_store::{self as store, FactRow};
use super::figures::{Fact, Figures, compute};
use super::pages::{date_opt, region_path};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::accounts::pages::actor;
use crate::error::{AppError, AppResult};
use crate::imports::{Cell, workbook};
use crate::web::AppState;
use crate::web::auth::ClientIp;
use crate::web::layout::{Layout, html};
use crate::web::routes::{ApiDoc, Routes, Rule};
use askama::Template;
use axum::Json;
use axum::extract::{Query, RawQuery, State};
use axum::http::Method;
use axum::response::{Html, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use time::Date;
use uuid::Uuid;

pub const QUERY: &[(&str, &str)] = &[
    ("region", "区划或园区代码（含下级）"),
    ("from", "受理日期起（默认今年 1 月 1 日）"),
    ("to", "受理日期止（默认今天）"),
];

pub fn routes(r: Routes) -> Routes {
    let p = Rule::Perm(Permission::ViewBusiness);
    r.page(Method::GET, "/service/figures", p, "诉求办理统计", page)
        .page(Method::GET, "/service/figures/export", p, "诉求办理统计（Excel）", export)
        .api(
            Method::GET,
            "/api/v1/appeals/figures",
            p,
            "诉求办理统计：收集、响应、解决、按期、逾期、提级，响应率、解决率、满意率、平均办结天数、主要分类（按下级地区和承办部门）",
            ApiDoc { response: Some("AppealFigures"), query: QUERY, ..Default::default() },
            api,
        )
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FiguresQuery {
    pub region: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

pub struct Line {
    /// Region code or department id (for links); empty for totals.
    pub key: String,
    pub name: String,
    pub f: Figures,
}

pub struct Report {
    pub base_name: String,
    pub base_code: String,
    pub from: Date,
    pub to: Date,
    pub total: Figures,
    pub regions: Vec<Line>,
    pub departments: Vec<Line>,
}

fn facts_of<'a>(rows: impl Iterator<Item = &'a FactRow>) -> Vec<Fact> {
    rows.map(|r| r.fact()).collect()
}

pub async fn report(st: &AppState, user: &CurrentUser, q: &FiguresQuery) -> AppResult<Report> {
    let today = crate::projects::service::today();
    let from = date_opt("from", "受理日期起", &q.from)?
        .unwrap_or_else(|| Date::from_calendar_date(today.year(), time::Month::January, 1).expect("valid"));
    let to = date_opt("to", "受理日期止", &q.to)?.unwrap_or(today);
    if to < from {
        return Err(AppError::field("to", format!("受理日期止 {to} 早于起 {from}")));
    }
    let scopes = crate::accounts::service::scope_paths(user, Permission::ViewBusiness);
    let rp = region_path(st, user, Permission::ViewBusiness, &q.region).await?;
    let paths = match &rp {
        Some(p) => vec![p.clone()],
        None => scopes.clone(),
    };
    let base = paths.first().cloned().unwrap_or_else(|| "/".into());
    let mut conn = st.db.conn().await?;
    let rows = store::facts(&mut conn.ex(), &paths, None, from, to).await?;
    let base_code = base.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
    let base_region = crate::regions::store::get(&mut conn.ex(), &base_code).await?;
    let base_name = base_region.as_ref().map(|r| r.name.clone()).unwrap_or_default();
    let total = compute(&facts_of(rows.iter()), today);

    // By the unit one level below the base (appeals owned by the base itself: "本级").
    let depth = base.split('/').filter(|s| !s.is_empty()).count();
    let mut by_unit: BTreeMap<String, Vec<&FactRow>> = BTreeMap::new();
    for r in &rows {
        by_unit.entry(super::figures::child_code(&r.region_path, depth)).or_default().push(r);
    }
    let mut regions = Vec::new();
    for (code, group) in &by_unit {
        let name = if code.is_empty() {
            format!("{base_name}本级")
        } else {
            crate::regions::store::get(&mut conn.ex(), code)
                .await?
                .map(|r| r.display_name().to_string())
                .unwrap_or(code.clone())
        };
        regions.push(Line { key: code.clone(), name, f: compute(&facts_of(group.iter().copied()), today) });
    }

    let mut by_dept: BTreeMap<Option<Uuid>, Vec<&FactRow>> = BTreeMap::new();
    for r in &rows {
        by_dept.entry(r.department_id).or_default().push(r);
    }
    let mut departments = Vec::new();
    for (id, group) in &by_dept {
        let name = match id {
            Some(id) => super::departments::get(&mut conn.ex(), *id).await?.map(|d| d.label()).unwrap_or_default(),
            None => "未交办（待受理或当场答复）".into(),
        };
        departments.push(Line {
            key: id.map(|i| i.to_string()).unwrap_or_default(),
            name,
            f: compute(&facts_of(group.iter().copied()), today),
        });
    }
    departments.sort_by(|a, b| b.f.collected.cmp(&a.f.collected).then_with(|| a.name.cmp(&b.name)));
    Ok(Report { base_name, base_code, from, to, total, regions, departments })
}

#[derive(Template)]
#[template(path = "service/figures.html")]
struct FiguresPage {
    l: Layout,
    q: FiguresQuery,
    r: Report,
    query: String,
}

async fn page(State(st): State<AppState>, user: CurrentUser, Query(q): Query<FiguresQuery>) -> AppResult<Html<String>> {
    let r = report(&st, &user, &q).await?;
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
    ip: ClientIp,
    Query(q): Query<FiguresQuery>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let r = report(&st, &user, &q).await?;
    crate::audit::Export::of(&user, Permission::ViewBusiness, "appeal_figures", "appeal")
        .region(Some(&r.base_code))
        .query(raw.as_deref())
        .rows(r.regions.len() + 1 + r.departments.len())
        .record(&st.db, &actor(&user, &ip))
        .await?;
    let total = format!("{}合计", r.base_name);
    let region_rows: Vec<Vec<Cell>> =
        r.regions.iter().map(|l| cells(&l.name, &l.f)).chain([cells(&total, &r.total)]).collect();
    let dept_rows: Vec<Vec<Cell>> = r.departments.iter().map(|l| cells(&l.name, &l.f)).collect();
    let bytes = workbook(vec![("按地区", HEADERS, region_rows), ("按承办部门", HEADERS, dept_rows)])
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    Ok(crate::web::download(&format!("诉求办理统计_{}_{}至{}.xlsx", r.base_name, r.from, r.to), bytes))
}

pub fn figures_json(f: &Figures) -> Value {
    json!({
        "collected": f.collected, "responded": f.responded, "resolved": f.resolved, "on_time": f.on_time,
        "overdue": f.overdue, "escalated": f.escalated, "evaluated": f.evaluated, "satisfied": f.satisfied,
        "response_rate": f.response_rate(), "resolve_rate": f.resolve_rate(), "on_time_rate": f.on_time_rate(),
        "satisfaction_rate": f.satisfaction_rate(), "average_days": f.average_days(),
        "top_categories": f.top_categories.iter().map(|(c, n)| json!({"category": c, "appeals": n})).collect::<Vec<_>>(),
    })
}

async fn api(State(st): State<AppState>, user: CurrentUser, Query(q): Query<FiguresQuery>) -> AppResult<Json<Value>> {
    let r = report(&st, &user, &q).await?;
    let line = |l: &Line, key: &str| {
        let mut v = figures_json(&l.f);
        v[key] = json!(l.key);
        v["name"] = json!(l.name);
        v
    };
    Ok(Json(json!({
        "region": r.base_code, "name": r.base_name, "from": r.from.to_string(), "to": r.to.to_string(),
        "total": figures_json(&r.total),
        "regions": r.regions.iter().map(|l| line(l, "region")).collect::<Vec<_>>(),
        "departments": r.departments.iter().map(|l| line(l, "department")).collect::<Vec<_>>(),
    })))
}

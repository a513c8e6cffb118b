//! Speed pages: median days between milestones per unit for the list's filter, with drill-down,
//! an Excel copy of the table and the same figures in the API.

use super::list::{self, Filter};
use super::pages::query_without_page;
use super::speed::{SpeedRow, by_unit};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::error::AppResult;
use crate::imports::{Cell, table};
use crate::web::AppState;
use crate::web::layout::{Layout, html};
use crate::web::routes::{ApiDoc, Routes, Rule};
use askama::Template;
use axum::Json;
use axum::extract::{Query, RawQuery, State};
use axum::http::Method;
use axum::response::{Html, Response};
use serde_json::{Value, json};

pub fn routes(r: Routes) -> Routes {
    let p = Rule::Perm(Permission::ViewBusiness);
    r.page(Method::GET, "/projects/speed", p, "项目推进速度", page)
        .page(Method::GET, "/projects/speed/export", p, "项目推进速度（Excel）", export)
        .api(
            Method::GET,
            "/api/v1/projects/speed",
            p,
            "项目推进速度：各单位签约→开工、开工→投产、签约→投产天数中位数（筛选条件同项目列表）",
            ApiDoc { response: Some("Speed"), query: super::api::FILTERS, ..Default::default() },
            api,
        )
}

/// A unit's row with its name and code, for links.
pub struct Named {
    pub code: String,
    pub name: String,
    pub s: SpeedRow,
}

pub struct Speed {
    pub rows: Vec<Named>,
    pub total: SpeedRow,
}

pub async fn compute(st: &AppState, user: &CurrentUser, f: &Filter) -> AppResult<Speed> {
    let rp = super::service::region_path(&st.db, user, f).await?;
    let scopes = crate::accounts::service::scope_paths(user, Permission::ViewBusiness);
    // Units are one level below the chosen region, or below the user's (first) scope.
    let base = rp.clone().or_else(|| scopes.first().cloned()).unwrap_or_else(|| "/".into());
    let depth = base.split('/').filter(|s| !s.is_empty()).count() + 1;
    let mut conn = st.db.conn().await?;
    let dates = list::speed_dates(&mut conn.ex(), &scopes, rp.as_deref(), f).await?;
    let (units, total) = by_unit(&dates, depth);
    let mut rows = Vec::new();
    for s in units {
        let code = s.path.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
        let name = match crate::regions::store::get(&mut conn.ex(), &code).await? {
            Some(r) => r.display_name().to_string(),
            None => code.clone(),
        };
        rows.push(Named { code, name, s });
    }
    Ok(Speed { rows, total })
}

#[derive(Template)]
#[template(path = "projects/speed.html")]
struct SpeedPage {
    l: Layout,
    f: Filter,
    c: super::pages::Choices,
    sp: Speed,
    query: String,
}

impl SpeedPage {
    /// The same filter with another region.
    fn with_region(&self, code: &str, to: &str) -> String {
        let mut f = self.f.clone();
        f.region = Some(code.to_string());
        f.page = None;
        format!("{to}?{}", serde_urlencoded::to_string(&f).unwrap_or_default())
    }
}

async fn page(State(st): State<AppState>, user: CurrentUser, Query(f): Query<Filter>) -> AppResult<Html<String>> {
    let sp = compute(&st, &user, &f).await?;
    html(&SpeedPage {
        l: Layout::new("项目推进速度", Some(&user), "projects"),
        c: super::pages::choices(&st, &user, Permission::ViewBusiness).await?,
        query: query_without_page(&f),
        f,
        sp,
    })
}

const HEADERS: &[&str] = &[
    "地区代码",
    "地区",
    "项目数",
    "签约→开工 项目数",
    "签约→开工 中位天数",
    "开工→投产 项目数",
    "开工→投产 中位天数",
    "签约→投产 项目数",
    "签约→投产 中位天数",
];

fn cells(code: &str, name: &str, s: &SpeedRow) -> Vec<Cell> {
    let mut v = vec![Cell::Text(code.into()), Cell::Text(name.into()), Cell::Int(s.projects as i64)];
    for m in [&s.sign_to_start, &s.start_to_produce, &s.sign_to_produce] {
        v.push(Cell::Int(m.n as i64));
        v.push(Cell::Text(m.shown()));
    }
    v
}

async fn export(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Query(f): Query<Filter>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let sp = compute(&st, &user, &f).await?;
    crate::audit::Export::of(&user, Permission::ViewBusiness, "project_speed", "project")
        .region(f.region.as_deref())
        .query(raw.as_deref())
        .rows(sp.rows.len())
        .record(&st.db, &actor)
        .await?;
    let rows = sp.rows.iter().map(|r| cells(&r.code, &r.name, &r.s)).chain([cells("", "合计", &sp.total)]);
    let bytes =
        table("项目推进速度", HEADERS, rows).map_err(|e| crate::error::AppError::Internal(anyhow::anyhow!(e)))?;
    Ok(crate::web::download(&format!("项目推进速度_{}.xlsx", super::service::today()), bytes))
}

fn row_json(code: &str, name: &str, s: &SpeedRow) -> Value {
    json!({"region": code, "name": name, "projects": s.projects, "sign_to_start": s.sign_to_start,
        "start_to_produce": s.start_to_produce, "sign_to_produce": s.sign_to_produce})
}

async fn api(State(st): State<AppState>, user: CurrentUser, Query(f): Query<Filter>) -> AppResult<Json<Value>> {
    let sp = compute(&st, &user, &f).await?;
    let rows: Vec<Value> = sp.rows.iter().map(|r| row_json(&r.code, &r.name, &r.s)).collect();
    Ok(Json(json!({"rows": rows, "total": row_json("", "合计", &sp.total)})))
}

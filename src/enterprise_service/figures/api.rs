//! The figures in the API: the same report as the page, as JSON.

use super::model::Figures;
use super::service::{FiguresQuery, Line, report};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::error::AppResult;
use crate::web::AppState;
use crate::web::routes::{ApiDoc, Routes, Rule};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::Method;
use serde_json::{Value, json};

pub const QUERY: &[(&str, &str)] = &[
    ("region", "区划或园区代码（含下级）"),
    ("from", "受理日期起（默认今年 1 月 1 日）"),
    ("to", "受理日期止（默认今天）"),
];

pub fn routes(r: Routes) -> Routes {
    r.api(
        Method::GET,
        "/api/v1/appeals/figures",
        Rule::Perm(Permission::ViewBusiness),
        "诉求办理统计：收集、响应、解决、按期、逾期、提级，响应率、解决率、满意率、平均办结天数、主要分类（按下级地区和承办部门）",
        ApiDoc { response: Some("AppealFigures"), query: QUERY, ..Default::default() },
        api,
    )
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
    let r = report(&st.db, &user, &q).await?;
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

//! JSON API for visits: the list with the page's filters, logging one, reading one.

use super::model::Input;
use super::service;
use super::store::{Filter, Row};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::Actor;
use crate::error::AppResult;
use crate::web::AppState;
use crate::web::extract::ApiJson;
use crate::web::routes::{ApiDoc, Routes, Rule};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

pub const FILTERS: &[(&str, &str)] = &[
    ("q", "企业名称、走访主题或走访单位"),
    ("region", "区划或园区代码（含下级）"),
    ("from", "走访日期起"),
    ("to", "走访日期止"),
    ("risk", "外迁或减产风险：无/低/中/高"),
    ("enterprise", "企业编号"),
    ("page", "页码（每页 50 条）"),
];

pub fn routes(r: Routes) -> Routes {
    use Permission::*;
    r.api(
        Method::GET,
        "/api/v1/visits",
        Rule::Perm(ViewBusiness),
        "走访记录列表",
        ApiDoc { response: Some("VisitPage"), query: FILTERS, ..Default::default() },
        list,
    )
    .api(
        Method::POST,
        "/api/v1/visits",
        Rule::Perm(ServeEnterprises),
        "登记走访（近期已有其他单位走访时须带 confirm_overlap: true）",
        ApiDoc { request: Some("VisitInput"), response: Some("Visit"), ..Default::default() },
        create,
    )
    .api(
        Method::GET,
        "/api/v1/visits/{visit_id}",
        Rule::Perm(ViewBusiness),
        "走访详情（含参加人员、照片、提出的诉求）",
        ApiDoc { response: Some("Visit"), ..Default::default() },
        get,
    )
}

pub fn visit_json(r: &Row) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    v["unit"] = json!(r.unit_label());
    v
}

async fn list(State(st): State<AppState>, user: CurrentUser, Query(f): Query<Filter>) -> AppResult<Json<Value>> {
    let (rows, total, page) = service::list(&st.db, &user, &f).await?;
    Ok(Json(json!({"total": total, "page": page, "items": rows.iter().map(visit_json).collect::<Vec<_>>()})))
}

/// Participants as a list of {name, unit} or as text ("张三（市工信局）、李四").
#[derive(Deserialize)]
#[serde(untagged)]
enum Participants {
    Text(String),
    List(Vec<Person>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Person {
    name: String,
    #[serde(default)]
    unit: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    enterprise: String,
    #[serde(default)]
    project: String,
    visited_on: String,
    #[serde(default)]
    mode: String,
    participants: Participants,
    topics: String,
    #[serde(default)]
    expansion: String,
    #[serde(default)]
    exit_risk: String,
    #[serde(default)]
    exit_risk_note: String,
    #[serde(default)]
    problems: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    confirm_overlap: bool,
}

async fn detail(st: &AppState, r: Row) -> AppResult<Value> {
    let (participants, photos) = service::parts(&st.db, &r).await?;
    let mut v = visit_json(&r);
    v["participants"] = json!(participants);
    v["photos"] = json!(photos);
    v["appeals"] = json!(service::appeal_ids(&st.db, &r).await?);
    Ok(v)
}

async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    ApiJson(b): ApiJson<Body>,
) -> AppResult<Response> {
    let participants = match b.participants {
        Participants::Text(t) => t,
        Participants::List(v) => v
            .iter()
            .map(|p| if p.unit.trim().is_empty() { p.name.clone() } else { format!("{}（{}）", p.name, p.unit) })
            .collect::<Vec<_>>()
            .join("、"),
    };
    let i = Input {
        enterprise: b.enterprise,
        project: b.project,
        visited_on: b.visited_on,
        mode: b.mode,
        participants,
        topics: b.topics,
        expansion: b.expansion,
        exit_risk: b.exit_risk,
        exit_risk_note: b.exit_risk_note,
        problems: b.problems,
        notes: b.notes,
        confirm_overlap: if b.confirm_overlap { "是".into() } else { String::new() },
    };
    let v = service::create(&st.db, &user, &actor, &i).await?;
    let r = service::visible(&st.db, &user, Permission::ViewBusiness, &v.id.to_string()).await?;
    let body = detail(&st, r).await?;
    Ok((StatusCode::CREATED, [(header::LOCATION, format!("/api/v1/visits/{}", v.id))], Json(body)).into_response())
}

async fn get(State(st): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> AppResult<Json<Value>> {
    let r = service::visible(&st.db, &user, Permission::ViewBusiness, &id).await?;
    Ok(Json(detail(&st, r).await?))
}

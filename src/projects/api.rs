//! JSON API for projects: the list with the page's filters, create, read (ETag = version),
//! update with If-Match (412 when stale), stage transitions.

use super::list::Filter;
use super::model::Input;
use super::service;
use super::stage::TransitionInput;
use super::store::{self, Row};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::api::{self, if_match, required_if_match, stale_is_412};
use crate::web::extract::{ApiJson, LazyJson};
use crate::web::routes::{ApiDoc, Routes, Rule};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

pub const FILTERS: &[(&str, &str)] = &[
    ("q", "名称或项目代码"),
    ("region", "区划或园区代码（含下级）"),
    ("stage", "阶段，可多个以逗号分隔：线索/洽谈/签约/注册/供地/开工/投产/达产"),
    ("health", "正常/滞后/停滞/退出"),
    ("industry", "行业代码前缀"),
    ("tag", "省十大产业项目/重点项目/百亿项目"),
    ("min_total", "总投资下限（万元，可写“5亿”）"),
    ("max_total", "总投资上限"),
    ("sector", "一产/二产/三产"),
    ("capital", "国资/民资/外资"),
    ("source", "省外/境外/粤港澳大湾区/长三角/京津冀/一带一路"),
    ("channel", "产业链招商/平台招商/基金招商/以商招商/其他"),
    ("industrial", "是否产业项目：是/否"),
    ("signed_from", "签约日期起"),
    ("signed_to", "签约日期止"),
    ("started_from", "开工日期起"),
    ("started_to", "开工日期止"),
    ("due_by", "计划（或实际）开工日期不晚于该日"),
    ("sort", "name,total,stage,region,signed,started,updated；前加 - 为倒序"),
    ("page", "页码（每页 50 条）"),
    ("after", "上一页最后一个项目的 id（响应的 next_after）：从它之后接着取，翻到多深都和第一页一样快"),
];

pub fn routes(r: Routes) -> Routes {
    use Permission::*;
    r.api(
        Method::GET,
        "/api/v1/projects",
        Rule::Perm(ViewBusiness),
        "项目列表",
        ApiDoc { response: Some("ProjectPage"), query: FILTERS, ..Default::default() },
        list,
    )
    .api(
        Method::POST,
        "/api/v1/projects",
        Rule::Perm(EditProjects),
        "录入项目",
        ApiDoc { request: Some("ProjectInput"), response: Some("Project"), ..Default::default() },
        create,
    )
    .api(
        Method::GET,
        "/api/v1/projects/{project_id}",
        Rule::Perm(ViewBusiness),
        "项目详情（ETag 为版本号）",
        ApiDoc { response: Some("Project"), ..Default::default() },
        get,
    )
    .api(
        Method::PUT,
        "/api/v1/projects/{project_id}",
        super::EDIT,
        "修改项目（须带 If-Match）",
        ApiDoc { request: Some("ProjectInput"), response: Some("Project"), ..Default::default() },
        put,
    )
    .api(
        Method::POST,
        "/api/v1/projects/{project_id}/transitions",
        super::EDIT,
        "推进或回退项目阶段",
        ApiDoc { request: Some("Transition"), response: Some("Project"), ..Default::default() },
        transition,
    )
}

/// A project as the API shows it: its row and the labels of its stage and health. Serialised
/// straight, not through a `Value` (a list page of them was most of a cached list request's cost).
#[derive(Serialize)]
pub struct ProjectJson<'a> {
    #[serde(flatten)]
    row: &'a Row,
    stage_label: &'static str,
    health_label: &'static str,
}

pub fn project_json(r: &Row) -> ProjectJson<'_> {
    ProjectJson { row: r, stage_label: r.p.stage.label(), health_label: r.p.health.label() }
}

fn with_etag(status: StatusCode, r: &Row) -> Response {
    api::with_etag(status, project_json(r), r.p.version)
}

async fn reload(st: &AppState, id: uuid::Uuid) -> AppResult<Row> {
    let mut conn = st.db.conn().await?;
    store::get(&mut conn.ex(), id).await?.ok_or(AppError::NotFound)
}

async fn list(State(st): State<AppState>, user: CurrentUser, Query(f): Query<Filter>) -> AppResult<Response> {
    let (rows, total) = service::search(&st.db, &user, &f).await?;
    #[derive(Serialize)]
    struct Page<'a> {
        total: i64,
        page: i64,
        /// The next page is `after=` this (with `page=` one more), while rows remain.
        next_after: Option<String>,
        items: Vec<ProjectJson<'a>>,
    }
    let page = f.page.unwrap_or(1).max(1);
    let next_after = super::list::next_after(&rows, page, total);
    Ok(Json(Page { total, page, next_after, items: rows.iter().map(project_json).collect() }).into_response())
}

async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    ApiJson(i): ApiJson<Input>,
) -> AppResult<Response> {
    let p = service::create(&st.db, &user, &actor, &i).await?;
    Ok(with_etag(StatusCode::CREATED, &reload(&st, p.id).await?))
}

async fn get(State(st): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> AppResult<Response> {
    let r = service::visible(&st.db, &user, Permission::ViewBusiness, &id).await?;
    Ok(with_etag(StatusCode::OK, &r))
}

async fn put(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: LazyJson<Input>,
) -> AppResult<Response> {
    service::visible(&st.db, &user, Permission::EditProjects, &id).await?;
    let version = required_if_match(&headers)?;
    let input = body.parse()?;
    let p = service::update(&st.db, &user, &actor, &id, version, &input).await.map_err(stale_is_412)?;
    Ok(with_etag(StatusCode::OK, &reload(&st, p.id).await?))
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct TransitionBody {
    to: String,
    date: String,
    amount: String,
    credit_code: String,
    parcel: String,
    area_mu: String,
    permit: String,
    override_reason: String,
    note: String,
}

async fn transition(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: LazyJson<TransitionBody>,
) -> AppResult<Response> {
    service::visible(&st.db, &user, Permission::EditProjects, &id).await?;
    let b = body.parse()?;
    let input = TransitionInput {
        date: b.date,
        amount: b.amount,
        credit_code: b.credit_code,
        parcel: b.parcel,
        area_mu: b.area_mu,
        permit: b.permit,
        override_reason: b.override_reason,
        note: b.note,
    };
    let p = service::transition(&st.db, &user, &actor, &id, if_match(&headers), &b.to, &input)
        .await
        .map_err(stale_is_412)?;
    Ok(with_etag(StatusCode::OK, &reload(&st, p.id).await?))
}

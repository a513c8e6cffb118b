//! JSON API for enterprises: list with the page's filters, create, read with its version as ETag,
//! update with `If-Match` (412 when stale).

use super::service::{self, Input};
use super::store::{Filter, Row};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::error::AppResult;
use crate::web::AppState;
use crate::web::api::{required_if_match, stale_is_412, with_etag};
use crate::web::extract::{ApiJson, LazyJson};
use crate::web::routes::{ApiDoc, Routes, Rule};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

const FILTERS: &[(&str, &str)] = &[
    ("q", "名称、拼音首字母或统一社会信用代码"),
    ("region", "区划或园区代码（含下级）"),
    ("size", "大型/中型/小型/微型"),
    ("ownership", "国有/民营/外资/港澳台"),
    ("tag", "企业标签，如 专精特新"),
    ("industry", "行业代码前缀"),
    ("sort", "name, -name, region, credit_code, updated, -updated"),
    ("page", "页码（每页 50 条）"),
];

pub fn routes(r: Routes) -> Routes {
    use Permission::*;
    r.api(
        Method::GET,
        "/api/v1/enterprises",
        Rule::Perm(ViewBusiness),
        "企业列表",
        ApiDoc { response: Some("EnterprisePage"), query: FILTERS, ..Default::default() },
        list,
    )
    .api(
        Method::POST,
        "/api/v1/enterprises",
        Rule::Perm(EditEnterprises),
        "登记企业",
        ApiDoc { request: Some("EnterpriseInput"), response: Some("Enterprise"), ..Default::default() },
        create,
    )
    .api(
        Method::GET,
        "/api/v1/enterprises/{enterprise_id}",
        Rule::Perm(ViewBusiness),
        "企业详情（ETag 为版本号）",
        ApiDoc { response: Some("Enterprise"), ..Default::default() },
        get,
    )
    .api(
        Method::PUT,
        "/api/v1/enterprises/{enterprise_id}",
        super::EDIT,
        "修改企业（须带 If-Match）",
        ApiDoc { request: Some("EnterpriseInput"), response: Some("Enterprise"), ..Default::default() },
        put,
    )
}

fn row_json(r: &Row) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    v["tags"] = json!(super::model::Tags(r.e.tags).list().iter().map(|t| t.label()).collect::<Vec<_>>());
    v
}

async fn list(State(st): State<AppState>, user: CurrentUser, Query(f): Query<Filter>) -> AppResult<Json<Value>> {
    let (rows, total) = service::search(&st.db, &user, &f).await?;
    Ok(Json(json!({"total": total, "page": f.page.unwrap_or(1).max(1),
        "items": rows.iter().map(row_json).collect::<Vec<_>>()})))
}

async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    ApiJson(i): ApiJson<Input>,
) -> AppResult<Response> {
    let e = service::create(&st.db, &user, &actor, &i, false).await?;
    let row = service::visible(&st.db, &user, Permission::ViewBusiness, &e.id.to_string()).await?;
    Ok(with_etag(StatusCode::CREATED, row_json(&row), e.version))
}

async fn get(State(st): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> AppResult<Response> {
    let row = service::visible(&st.db, &user, Permission::ViewBusiness, &id).await?;
    Ok(with_etag(StatusCode::OK, row_json(&row), row.e.version))
}

async fn put(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: LazyJson<Input>,
) -> AppResult<Response> {
    service::visible(&st.db, &user, Permission::EditEnterprises, &id).await?;
    let version = required_if_match(&headers)?;
    let input = body.parse()?;
    let e = service::update(&st.db, &user, &actor, &id, version, &input).await.map_err(stale_is_412)?;
    let row = service::visible(&st.db, &user, Permission::ViewBusiness, &e.id.to_string()).await?;
    Ok(with_etag(StatusCode::OK, row_json(&row), e.version))
}

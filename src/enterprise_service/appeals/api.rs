//! JSON API for appeals: the list with the page's filters, raising one, reading one (ETag = version),
//! moves (If-Match → 412 when stale) and the enterprise's evaluation.

use super::act;
use super::model::ActInput;
use super::service::{self as service, NewInput, reach};
use super::store::{self as store, Filter, PAGE_SIZE, Row};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::Actor;
use crate::enterprise_service::calendar::Urgency;
use crate::error::AppResult;
use crate::web::AppState;
use crate::web::api::{if_match, stale_is_412};
use crate::web::extract::{ApiJson, LazyJson};
use crate::web::routes::{ApiDoc, Routes, Rule};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

pub const FILTERS: &[(&str, &str)] = &[
    ("q", "标题、编号、企业或项目名称"),
    (
        "state",
        "状态，可多个以逗号分隔：pending/dispatched/handling/extension_requested/returned/resolved/evaluated（或中文）",
    ),
    ("category", "分类代码或名称"),
    ("region", "区划或园区代码（含下级）"),
    ("department", "承办部门编号"),
    ("level", "协调层级：county/city/province"),
    ("flag", "overdue（逾期未办结）、due_soon（即将到期）、open（在办）、escalated（已提级）、supervised（督办）"),
    ("from", "受理日期起"),
    ("to", "受理日期止"),
    ("enterprise", "企业编号"),
    ("mine", "任意值：只看我受理的"),
    ("page", "页码（每页 50 条）"),
];

const SEE: Rule = Rule::AnyOf(&[Permission::ViewBusiness, Permission::HandleAppeals]);
const MOVE: Rule = Rule::AnyOf(&[Permission::ServeEnterprises, Permission::HandleAppeals]);

pub fn routes(r: Routes) -> Routes {
    r.api(
        Method::GET,
        "/api/v1/appeals",
        SEE,
        "诉求列表（部门办理人只见交办给本部门的）",
        ApiDoc { response: Some("AppealPage"), query: FILTERS, ..Default::default() },
        list,
    )
    .api(
        Method::POST,
        "/api/v1/appeals",
        Rule::Perm(Permission::ServeEnterprises),
        "提出诉求（可同时交办）",
        ApiDoc { request: Some("AppealInput"), response: Some("Appeal"), ..Default::default() },
        create,
    )
    .api(
        Method::GET,
        "/api/v1/appeals/{appeal_id}",
        SEE,
        "诉求详情与办理记录（ETag 为版本号）",
        ApiDoc { response: Some("Appeal"), ..Default::default() },
        get,
    )
    .api(
        Method::POST,
        "/api/v1/appeals/{appeal_id}/transitions",
        MOVE,
        "办理诉求：交办、签收、退回、申请/批准/不批准延期、办结、评价、提级、督办（可带 If-Match）",
        ApiDoc { request: Some("AppealTransition"), response: Some("Appeal"), ..Default::default() },
        transition,
    )
    .api(
        Method::POST,
        "/api/v1/appeals/{appeal_id}/evaluation",
        Rule::Perm(Permission::ServeEnterprises),
        "录入企业评价（满意/基本满意/不满意；不满意时重新办理）",
        ApiDoc { request: Some("AppealEvaluation"), response: Some("Appeal"), ..Default::default() },
        evaluation,
    )
}

pub fn appeal_json(r: &Row, u: Option<Urgency>) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    v["state_label"] = json!(r.state().label());
    v["level_label"] = json!(act::level_label(&r.a.level));
    v["department"] = json!(r.department_label());
    v["urgency"] = json!(u.map(|u| u.label()));
    v["overdue"] = json!(matches!(u, Some(Urgency::Overdue(_))));
    v
}

async fn with_urgency(st: &AppState, rows: &[Row]) -> AppResult<Vec<Value>> {
    let mut conn = st.db.conn().await?;
    let cal = crate::enterprise_service::settings::store::calendar(&mut conn.ex()).await?;
    let today = crate::projects::service::today();
    Ok(rows.iter().map(|r| appeal_json(r, super::service::urgency(r, today, &cal))).collect())
}

async fn one(st: &AppState, user: &CurrentUser, id: &str, status: StatusCode) -> AppResult<Response> {
    let (r, _) = service::visible(&st.db, user, id).await?;
    let mut v = with_urgency(st, std::slice::from_ref(&r)).await?.remove(0);
    let mut conn = st.db.conn().await?;
    v["events"] = json!(store::events(&mut conn.ex(), r.a.id).await?);
    let mut resp = (status, Json(v)).into_response();
    if let Ok(h) = HeaderValue::from_str(&format!("\"{}\"", r.a.version)) {
        resp.headers_mut().insert(header::ETAG, h);
    }
    if status == StatusCode::CREATED {
        if let Ok(h) = HeaderValue::from_str(&format!("/api/v1/appeals/{}", r.a.id)) {
            resp.headers_mut().insert(header::LOCATION, h);
        }
    }
    Ok(resp)
}

async fn list(State(st): State<AppState>, user: CurrentUser, Query(f): Query<Filter>) -> AppResult<Json<Value>> {
    let checked = super::service::check_filter(&st.db, &user, &f).await?;
    let mut conn = st.db.conn().await?;
    let (r, _) = reach(&mut conn.ex(), &user).await?;
    let (rows, total) = store::page(&mut conn.ex(), &r, &f, &checked, PAGE_SIZE).await?;
    drop(conn);
    Ok(Json(json!({"total": total, "page": f.page.unwrap_or(1).max(1), "items": with_urgency(&st, &rows).await?})))
}

async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    ApiJson(i): ApiJson<NewInput>,
) -> AppResult<Response> {
    let a = service::create(&st.db, &user, &actor, &i).await?;
    one(&st, &user, &a.id.to_string(), StatusCode::CREATED).await
}

async fn get(State(st): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> AppResult<Response> {
    one(&st, &user, &id, StatusCode::OK).await
}

async fn transition(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: LazyJson<ActInput>,
) -> AppResult<Response> {
    service::visible(&st.db, &user, &id).await?;
    let i = body.parse()?;
    let a = act::act(&st.db, &user, &actor, &id, if_match(&headers), &i).await.map_err(stale_is_412)?;
    one(&st, &user, &a.id.to_string(), StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct EvaluationBody {
    satisfaction: String,
    note: String,
}

async fn evaluation(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: LazyJson<EvaluationBody>,
) -> AppResult<Response> {
    service::visible(&st.db, &user, &id).await?;
    let b = body.parse()?;
    let i = ActInput { action: "evaluate".into(), satisfaction: b.satisfaction, note: b.note, ..Default::default() };
    let a = act::act(&st.db, &user, &actor, &id, if_match(&headers), &i).await.map_err(stale_is_412)?;
    one(&st, &user, &a.id.to_string(), StatusCode::OK).await
}

//! JSON API for batch events.

use super::service::{self, NewBatch};
use super::store;
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::error::AppResult;
use crate::web::AppState;
use crate::web::extract::ApiJson;
use crate::web::routes::{ApiDoc, Routes, Rule};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

pub fn routes(r: Routes) -> Routes {
    use Permission::*;
    r.api(
        Method::GET,
        "/api/v1/batches",
        Rule::Perm(ViewBusiness),
        "集中开工/签约活动列表",
        ApiDoc { response: Some("Batch[]"), ..Default::default() },
        list,
    )
    .api(
        Method::POST,
        "/api/v1/batches",
        Rule::Perm(EditProjects),
        "新建活动",
        ApiDoc { request: Some("BatchInput"), response: Some("Batch"), ..Default::default() },
        create,
    )
    .api(
        Method::GET,
        "/api/v1/batches/{batch_id}/summary",
        Rule::Perm(ViewBusiness),
        "活动统计（新闻通稿口径）",
        ApiDoc { response: Some("BatchSummary"), ..Default::default() },
        summary,
    )
}

async fn list(State(st): State<AppState>, user: CurrentUser) -> AppResult<Json<Vec<store::BatchRow>>> {
    let mut conn = st.db.conn().await?;
    let mut rows = Vec::new();
    for (path, _) in user.scopes(Permission::ViewBusiness) {
        rows.extend(store::list(&mut conn.ex(), &path).await?);
    }
    Ok(Json(rows))
}

async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    ApiJson(n): ApiJson<NewBatch>,
) -> AppResult<(StatusCode, Json<store::Batch>)> {
    Ok((StatusCode::CREATED, Json(service::create(&st.db, &user, &actor, &n, false).await?)))
}

async fn summary(State(st): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> AppResult<Json<Value>> {
    let b = service::visible(&st.db, &user, Permission::ViewBusiness, &id).await?;
    let (s, members) = service::summary(&st.db, &b).await?;
    Ok(Json(json!({"batch": b, "summary": s, "projects": members})))
}

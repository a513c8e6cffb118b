//! JSON API for monthly reports.

use super::model::Input;
use super::service;
use super::store::{self, Report};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::error::AppResult;
use crate::projects::service::visible;
use crate::web::AppState;
use crate::web::api::if_match;
use crate::web::extract::LazyJson;
use crate::web::routes::{ApiDoc, Routes, Rule};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};

pub fn routes(r: Routes) -> Routes {
    use Permission::*;
    r.api(
        Method::GET,
        "/api/v1/projects/{project_id}/reports",
        Rule::Perm(ViewBusiness),
        "项目的月报（新到旧）",
        ApiDoc { response: Some("Report[]"), ..Default::default() },
        list,
    )
    .api(
        Method::POST,
        "/api/v1/projects/{project_id}/reports",
        Rule::Perm(FileReports),
        "填报或更正月报（更正须带 If-Match）",
        ApiDoc { request: Some("ReportInput"), response: Some("Report"), ..Default::default() },
        file,
    )
}

async fn list(State(st): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> AppResult<Json<Vec<Report>>> {
    let r = visible(&st.db, &user, Permission::ViewBusiness, &id).await?;
    let mut conn = st.db.conn().await?;
    Ok(Json(store::of_project(&mut conn.ex(), r.p.id).await?))
}

async fn file(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: LazyJson<Input>,
) -> AppResult<(StatusCode, Json<Report>)> {
    visible(&st.db, &user, Permission::FileReports, &id).await?;
    let input = body.parse()?;
    let version = if_match(&headers);
    let r = service::file(&st.db, &user, &actor, &id, version, &input).await.map_err(|e| match e {
        crate::error::AppError::Conflict(m) if version.is_some() => crate::error::AppError::PreconditionFailed(m),
        other => other,
    })?;
    Ok((if r.version == 1 { StatusCode::CREATED } else { StatusCode::OK }, Json(r)))
}

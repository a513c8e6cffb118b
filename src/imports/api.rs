//! JSON API for imports: upload a file (the request body) for a preview, read it, commit it.

use super::jobs::{self, Job};
use super::kinds::Kind;
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::accounts::pages::actor;
use crate::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::auth::ClientIp;
use crate::web::routes::{ApiDoc, Routes, Rule};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes(r: Routes) -> Routes {
    let p = Rule::Perm(Permission::Import);
    r.api_upload(
        "/api/v1/imports",
        p,
        "上传文件并检查（请求体为文件本身）",
        ApiDoc {
            response: Some("ImportJob"),
            query: &[("kind", "enterprises / projects / reports"), ("filename", "文件名（据此识别 xlsx/xls/ods/csv）")],
            ..Default::default()
        },
        upload,
    )
    .api(
        Method::GET,
        "/api/v1/imports/{import_id}",
        p,
        "导入预览结果",
        ApiDoc { response: Some("ImportJob"), ..Default::default() },
        get,
    )
    .api(
        Method::POST,
        "/api/v1/imports/{import_id}/commit",
        p,
        "确认导入（全部成功或全部不写入）",
        ApiDoc { response: Some("ImportJob"), ..Default::default() },
        commit,
    )
}

pub fn job_json(j: &Job) -> Value {
    json!({"id": j.id, "kind": j.kind, "filename": j.filename, "sha256": j.sha256, "status": j.status, "rows": j.row_count,
        "creates": j.creates, "updates": j.updates, "unchanged": j.unchanged, "error_count": j.error_count,
        "errors": j.errors(), "ignored_columns": j.ignored, "created_at": j.created_at.to_string()})
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UploadQuery {
    kind: String,
    filename: String,
}

async fn upload(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Value>)> {
    let kind =
        Kind::parse(&q.kind).ok_or_else(|| AppError::field("kind", "kind 须为 enterprises、projects 或 reports"))?;
    if q.filename.trim().is_empty() {
        return Err(AppError::field("filename", "须给出文件名（如 projects.xlsx），据此识别格式"));
    }
    let job = jobs::preview(&st.db, &user, kind, &q.filename, &body).await?;
    Ok((StatusCode::CREATED, Json(job_json(&job))))
}

async fn get(State(st): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> AppResult<Json<Value>> {
    Ok(Json(job_json(&jobs::get(&st.db, &user, &id).await?)))
}

async fn commit(
    State(st): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    Ok(Json(job_json(&jobs::commit(&st.db, &user, &actor(&user, &ip), &id).await?)))
}

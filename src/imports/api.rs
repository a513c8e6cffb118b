//! JSON API for imports: upload a file (the request body) for a preview, read it, commit it.

use super::jobs::{self, Job};
use super::kinds::Kind;
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::error::{AppError, AppResult};
use crate::web::AppState;
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
        "上传文件并检查（请求体为文件本身）；20 秒内检查完返回 201，否则返回 202，请轮询任务",
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
        "导入任务：检查中（status=checking，done 为已检查行数）、预览结果、导入结果",
        ApiDoc { response: Some("ImportJob"), ..Default::default() },
        get,
    )
    .api(
        Method::POST,
        "/api/v1/imports/{import_id}/commit",
        p,
        "确认导入（全部成功或全部不写入）；20 秒内未完成返回 202，请轮询任务",
        ApiDoc { response: Some("ImportJob"), ..Default::default() },
        commit,
    )
}

pub fn job_json(j: &Job) -> Value {
    json!({"id": j.id, "kind": j.kind, "filename": j.filename, "sha256": j.sha256, "status": j.status, "rows": j.row_count,
        "done": j.done(), "creates": j.creates, "updates": j.updates, "unchanged": j.unchanged,
        "error_count": j.error_count, "errors": j.errors(), "ignored_columns": j.ignored, "message": j.message,
        "created_at": j.created_at.to_string()})
}

/// How long a request waits for its job before answering 202 and leaving the client to poll.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(20);

fn answer(j: &Job, done: StatusCode) -> (StatusCode, Json<Value>) {
    (if j.running() { StatusCode::ACCEPTED } else { done }, Json(job_json(j)))
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
    actor: Actor,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> AppResult<(StatusCode, Json<Value>)> {
    let kind =
        Kind::parse(&q.kind).ok_or_else(|| AppError::field("kind", "kind 须为 enterprises、projects 或 reports"))?;
    if q.filename.trim().is_empty() {
        return Err(AppError::field("filename", "须给出文件名（如 projects.xlsx），据此识别格式"));
    }
    let job = jobs::start(&st.db, &user, kind, &q.filename, &body).await?;
    jobs::spawn(st.db.clone(), user.clone(), actor, job.clone());
    let job = jobs::wait(&st.db, &user, &job.id.to_string(), PATIENCE).await?;
    Ok(answer(&job, StatusCode::CREATED))
}

async fn get(State(st): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> AppResult<Json<Value>> {
    Ok(Json(job_json(&jobs::get(&st.db, &user, &id).await?)))
}

async fn commit(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let job = jobs::begin_commit(&st.db, &user, &id).await?;
    jobs::spawn(st.db.clone(), user.clone(), actor, job);
    let job = jobs::wait(&st.db, &user, &id, PATIENCE).await?;
    if job.status == "previewed" {
        // Stopped by errors found on the second check, or by a failure: nothing was written.
        return Err(AppError::invalid(job.message.unwrap_or_else(|| "导入未完成，未写入任何数据".into())));
    }
    Ok(answer(&job, StatusCode::OK))
}

//! Moving a project along: stage transitions, health, evidence files.

use super::evidence;
use super::pages::{TransitionDraft, show_page};
use super::service;
use super::stage::TransitionInput;
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::AppState;
use crate::web::auth::urlencode;
use crate::web::layout::html;
use crate::web::routes::{Routes, Rule};
use crate::web::upload::Upload;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    use super::EDIT;
    use Permission::*;
    r.page(Method::POST, "/projects/{project_id}/transition", EDIT, "推进项目阶段", transition)
        .page(Method::POST, "/projects/{project_id}/health", EDIT, "标记项目状态", health)
        .upload("/projects/{project_id}/evidence", EDIT, "上传佐证材料", upload)
        .page(
            Method::GET,
            "/projects/{project_id}/evidence/{evidence_id}",
            Rule::Perm(ViewBusiness),
            "下载佐证材料",
            download,
        )
}

/// Re-shows the project with the errors of a refused action (422, or 409 for a stale version),
/// and the transition form as it was typed.
async fn refused(
    st: &AppState,
    user: &CurrentUser,
    id: &str,
    e: AppError,
    draft: TransitionDraft,
) -> AppResult<Response> {
    let (status, errors) = match e {
        AppError::Invalid { fields, message } if fields.is_empty() => {
            (StatusCode::UNPROCESSABLE_ENTITY, vec![FieldError { field: String::new(), message }])
        }
        AppError::Invalid { fields, .. } => (StatusCode::UNPROCESSABLE_ENTITY, fields),
        AppError::Conflict(message) => (StatusCode::CONFLICT, vec![FieldError { field: String::new(), message }]),
        other => return Err(other),
    };
    let r = service::visible(&st.db, user, Permission::ViewBusiness, id).await?;
    let mut page = show_page(st, user, r, None, errors).await?;
    page.draft = draft;
    Ok((status, html(&page)?).into_response())
}

/// The transition form: the target stage, the version on screen, and the step's fields.
#[derive(Deserialize, Default)]
#[serde(default)]
struct TransitionForm {
    to: String,
    version: String,
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
    Form(f): Form<TransitionForm>,
) -> AppResult<Response> {
    let input = TransitionInput {
        date: f.date,
        amount: f.amount,
        credit_code: f.credit_code,
        parcel: f.parcel,
        area_mu: f.area_mu,
        permit: f.permit,
        override_reason: f.override_reason,
        note: f.note,
    };
    let version = f.version.trim().parse().ok();
    match service::transition(&st.db, &user, &actor, &id, version, &f.to, &input).await {
        Ok(p) => {
            let done = format!("已推进到“{}”", p.stage.label());
            Ok(Redirect::to(&format!("/projects/{}?notice={}", p.id, urlencode(&done))).into_response())
        }
        Err(e) => refused(&st, &user, &id, e, TransitionDraft { to: f.to, input, health: None }).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HealthForm {
    health: String,
    reason: String,
    version: String,
}

async fn health(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<HealthForm>,
) -> AppResult<Response> {
    match service::set_health(&st.db, &user, &actor, &id, f.version.trim().parse().ok(), &f.health, &f.reason).await {
        Ok(p) => Ok(Redirect::to(&format!("/projects/{}?notice={}", p.id, urlencode("状态已更新"))).into_response()),
        Err(e) => {
            let draft = TransitionDraft { health: Some((f.health, f.reason)), ..Default::default() };
            refused(&st, &user, &id, e, draft).await
        }
    }
}

async fn upload(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    mut form: Upload,
) -> AppResult<Response> {
    service::visible(&st.db, &user, Permission::EditProjects, &id).await?;
    let stage = form.text("stage").to_string();
    let file = form.take_file("file").map(|f| (f.name, f.data));
    let Some((name, data)) = file else {
        return refused(&st, &user, &id, AppError::field("file", "请选择要上传的文件"), TransitionDraft::default())
            .await;
    };
    match evidence::add(&st.db, &user, &actor, &id, &stage, &name, &data).await {
        Ok(m) => Ok(Redirect::to(&format!("/projects/{id}?notice={}", urlencode(&format!("已上传“{}”", m.filename))))
            .into_response()),
        Err(e) => refused(&st, &user, &id, e, TransitionDraft::default()).await,
    }
}

async fn download(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, eid)): Path<(String, String)>,
) -> AppResult<Response> {
    let (meta, data) = evidence::get(&st.db, &user, &id, &eid).await?;
    let disposition = format!("attachment; filename*=UTF-8''{}", urlencode(&meta.filename));
    Ok(([(header::CONTENT_TYPE, meta.content_type), (header::CONTENT_DISPOSITION, disposition)], data).into_response())
}

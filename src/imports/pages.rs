//! Import pages: choose a kind, download its template, upload, read every error, commit.

use super::jobs::{self, Job, permission};
use super::kinds::Kind;
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::auth::urlencode;
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use crate::web::upload::Upload;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

pub fn routes(r: Routes) -> Routes {
    let p = Rule::Perm(Permission::Import);
    r.page(Method::GET, "/imports", p, "数据导入", index)
        .page(Method::GET, "/imports/templates/{kind}", p, "下载导入模板", template)
        .upload("/imports", p, "上传并检查", upload)
        .page(Method::GET, "/imports/{import_id}", p, "导入预览", show)
        .page(Method::POST, "/imports/{import_id}/commit", p, "确认导入", commit)
}

#[derive(Template)]
#[template(path = "imports/index.html")]
struct IndexPage {
    l: Layout,
    kinds: Vec<(&'static str, &'static str)>,
    jobs: Vec<Job>,
    error: Option<String>,
}

fn kinds_for(user: &CurrentUser) -> Vec<(&'static str, &'static str)> {
    [Kind::Enterprises, Kind::Projects, Kind::Reports]
        .into_iter()
        .filter(|k| user.can(permission(*k)))
        .map(|k| (k.code(), k.label()))
        .collect()
}

async fn index(State(st): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let jobs = jobs::recent(&st.db, &user).await?;
    html(&IndexPage {
        l: Layout::new("数据导入", Some(&user), "imports"), kinds: kinds_for(&user), jobs, error: None
    })
}

async fn template(user: CurrentUser, Path(kind): Path<String>) -> AppResult<Response> {
    let kind = Kind::parse(&kind).ok_or(AppError::NotFound)?;
    authz::check(&user, permission(kind), None)?;
    let bytes = super::template(kind.label(), kind.columns(), &[kind.example()])
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    Ok(crate::web::download(&format!("{}导入模板.xlsx", kind.label()), bytes))
}

/// How long a page waits for a running job before showing its progress: short files answer at once.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(2);

async fn upload(State(st): State<AppState>, user: CurrentUser, actor: Actor, mut form: Upload) -> AppResult<Response> {
    let kind = form.text("kind").to_string();
    let file = form.take_file("file").map(|f| (f.name, f.data));
    let Some(kind) = Kind::parse(&kind) else {
        return refused(&st, &user, "请选择导入的数据类型".into()).await;
    };
    let Some((name, data)) = file else { return refused(&st, &user, "请选择要上传的文件".into()).await };
    match jobs::start(&st.db, &user, kind, &name, &data).await {
        Ok(job) => {
            jobs::spawn(st.db.clone(), user.clone(), actor, job.clone());
            jobs::wait(&st.db, &user, &job.id.to_string(), PATIENCE).await?;
            Ok(Redirect::to(&format!("/imports/{}", job.id)).into_response())
        }
        Err(AppError::Invalid { message, .. }) => refused(&st, &user, message).await,
        Err(e) => Err(e),
    }
}

/// The upload page again, saying why the file was not accepted.
async fn refused(st: &AppState, user: &CurrentUser, error: String) -> AppResult<Response> {
    let jobs = jobs::recent(&st.db, user).await?;
    let page = IndexPage {
        l: Layout::new("数据导入", Some(user), "imports"),
        kinds: kinds_for(user),
        jobs,
        error: Some(error),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "imports/show.html")]
struct ShowPage {
    l: Layout,
    j: Job,
    errors: Vec<jobs::RowError>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn show(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let j = jobs::wait(&st.db, &user, &id, PATIENCE / 2).await?;
    let errors = j.errors();
    html(&ShowPage { l: Layout::new("导入预览", Some(&user), "imports").with_notice(q.notice), j, errors })
}

async fn commit(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    match jobs::begin_commit(&st.db, &user, &id).await {
        Ok(j) => {
            jobs::spawn(st.db.clone(), user.clone(), actor, j);
            let j = jobs::wait(&st.db, &user, &id, PATIENCE).await?;
            let to = if j.status == "committed" {
                format!(
                    "/imports/{id}?notice={}",
                    urlencode(&format!("已导入：新增 {}，更新 {}", j.creates, j.updates))
                )
            } else {
                format!("/imports/{id}")
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let status = e.status();
            let j = jobs::get(&st.db, &user, &id).await?;
            let errors = j.errors();
            let page = ShowPage {
                l: Layout::new("导入预览", Some(&user), "imports").with_notice(Some(e.to_string())),
                j,
                errors,
            };
            Ok((status, html(&page)?).into_response())
        }
        Err(e) => Err(e),
    }
}

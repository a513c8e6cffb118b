//! Batch event pages: the list, a new event, the event with its summary and members, and a
//! printable page for the press release.

use super::model::{KINDS, Summary};
use super::service::{self, NewBatch};
use super::store::{self, BatchRow, MemberRow};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::domain::filters;
use crate::error::{AppError, AppResult, FieldError};
use crate::regions::model::Region;
use crate::web::AppState;
use crate::web::auth::urlencode;
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    use Permission::*;
    r.page(Method::GET, "/batches", Rule::Perm(ViewBusiness), "集中开工/签约活动", list)
        .page(Method::GET, "/batches/new", Rule::Perm(EditProjects), "新建活动页", new_page)
        .page(Method::POST, "/batches", Rule::Perm(EditProjects), "新建活动", create)
        .page(Method::GET, "/batches/{batch_id}", Rule::Perm(ViewBusiness), "活动详情与统计", show)
        .page(Method::GET, "/batches/{batch_id}/print", Rule::Perm(ViewBusiness), "活动统计（打印）", print)
        .page(Method::GET, "/batches/{batch_id}/export", Rule::Perm(ViewBusiness), "活动统计（Excel）", export)
        .page(Method::POST, "/batches/{batch_id}/members", Rule::Perm(EditProjects), "加入项目", add_member)
        .page(Method::POST, "/batches/{batch_id}/members/remove", Rule::Perm(EditProjects), "移出项目", remove_member)
}

#[derive(Template)]
#[template(path = "batches/list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<BatchRow>,
    can_edit: bool,
}

async fn list(State(st): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let mut conn = st.db.conn().await?;
    let mut rows = Vec::new();
    for (path, _) in user.scopes(Permission::ViewBusiness) {
        rows.extend(store::list(&mut conn.ex(), &path).await?);
    }
    html(&ListPage {
        l: Layout::new("集中开工/签约", Some(&user), "batches"),
        rows,
        can_edit: user.can(Permission::EditProjects),
    })
}

#[derive(Template)]
#[template(path = "batches/new.html")]
struct NewPage {
    l: Layout,
    n: NewBatch,
    kinds: [&'static str; 2],
    regions: Vec<Region>,
    errors: Vec<FieldError>,
}

async fn regions(st: &AppState, user: &CurrentUser) -> AppResult<Vec<Region>> {
    let mut v = Vec::new();
    for (path, _) in user.scopes(Permission::EditProjects) {
        v.extend(crate::regions::service::picker(&st.db, &path).await?.iter().cloned());
    }
    Ok(v)
}

async fn new_page(State(st): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let n = NewBatch {
        kind: KINDS[0].into(),
        region: user.grants.first().map(|g| g.scope.clone()).unwrap_or_default(),
        ..Default::default()
    };
    html(&NewPage {
        l: Layout::new("新建活动", Some(&user), "batches"),
        n,
        kinds: KINDS,
        regions: regions(&st, &user).await?,
        errors: vec![],
    })
}

async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Form(n): Form<NewBatch>,
) -> AppResult<Response> {
    match service::create(&st.db, &user, &actor, &n, false).await {
        Ok(b) => {
            Ok(Redirect::to(&format!("/batches/{}?notice={}", b.id, urlencode("活动已创建，请加入项目")))
                .into_response())
        }
        Err(AppError::Invalid { fields, .. }) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            html(&NewPage {
                l: Layout::new("新建活动", Some(&user), "batches"),
                n,
                kinds: KINDS,
                regions: regions(&st, &user).await?,
                errors: fields,
            })?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "batches/show.html")]
struct ShowPage {
    l: Layout,
    b: BatchRow,
    s: Summary,
    members: Vec<MemberRow>,
    can_edit: bool,
    errors: Vec<FieldError>,
    print: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn render(
    st: &AppState,
    user: &CurrentUser,
    b: BatchRow,
    notice: Option<String>,
    errors: Vec<FieldError>,
    print: bool,
) -> AppResult<Html<String>> {
    let (s, members) = service::summary(&st.db, &b).await?;
    let can_edit = authz::check(user, Permission::EditProjects, Some(&b.region_path)).is_ok();
    html(&ShowPage {
        l: Layout::new(&b.b.name, Some(user), "batches").with_notice(notice),
        b,
        s,
        members,
        can_edit,
        errors,
        print,
    })
}

async fn show(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let b = service::visible(&st.db, &user, Permission::ViewBusiness, &id).await?;
    render(&st, &user, b, q.notice, vec![], false).await
}

/// A batch printed or downloaded is audited as an export: which batch, by whom, how many projects.
async fn audit_export(
    st: &AppState,
    user: &CurrentUser,
    actor: &Actor,
    b: &BatchRow,
    format: &'static str,
) -> AppResult<()> {
    crate::audit::Export::of(user, Permission::ViewBusiness, "batch", "batch")
        .region(Some(&b.b.region))
        .record_id(b.b.id)
        .format(format)
        .rows(b.members.max(0) as usize)
        .record(&st.db, actor)
        .await
}

async fn print(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let b = service::visible(&st.db, &user, Permission::ViewBusiness, &id).await?;
    audit_export(&st, &user, &actor, &b, "print").await?;
    render(&st, &user, b, None, vec![], true).await
}

async fn export(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let b = service::visible(&st.db, &user, Permission::ViewBusiness, &id).await?;
    let (s, members) = service::summary(&st.db, &b).await?;
    audit_export(&st, &user, &actor, &b, "xlsx").await?;
    let bytes = super::export::render(&b, &s, &members).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    Ok(crate::web::download(&format!("{}_{}.xlsx", b.b.name, b.b.held_on), bytes))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MemberForm {
    project: String,
    annual_plan: String,
}

async fn add_member(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<MemberForm>,
) -> AppResult<Response> {
    match service::add_member(&st.db, &user, &actor, &id, &f.project, &f.annual_plan).await {
        Ok(_) => Ok(Redirect::to(&format!("/batches/{id}?notice={}", urlencode("已加入"))).into_response()),
        Err(AppError::Invalid { fields, .. }) => {
            let b = service::visible(&st.db, &user, Permission::ViewBusiness, &id).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&st, &user, b, None, fields, false).await?).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn remove_member(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<MemberForm>,
) -> AppResult<Response> {
    service::remove_member(&st.db, &user, &actor, &id, &f.project).await?;
    Ok(Redirect::to(&format!("/batches/{id}?notice={}", urlencode("已移出"))).into_response())
}

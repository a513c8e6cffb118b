//! The departments page: the departments in the administrator's scope, adding and renaming them.

use super::service;
use super::store::{self, Department};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::Actor;
use crate::enterprise_service::pages::refusal;
use crate::error::{AppResult, FieldError};
use crate::web::AppState;
use crate::web::auth::urlencode;
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    let p = Rule::Perm(Permission::ConfigureService);
    r.page(Method::GET, "/service/departments", p, "承办部门", departments_page)
        .page(Method::POST, "/service/departments", p, "新增承办部门", create_department)
        .page(Method::POST, "/service/departments/{department_id}", p, "修改承办部门", update_department)
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "enterprise_service/departments.html")]
struct DepartmentsPage {
    l: Layout,
    rows: Vec<Department>,
    regions: Vec<crate::regions::model::Region>,
    errors: Vec<FieldError>,
    draft_region: String,
    draft_name: String,
}

async fn departments_view(
    st: &AppState,
    user: &CurrentUser,
    notice: Option<String>,
    errors: Vec<FieldError>,
    draft: (String, String),
) -> AppResult<DepartmentsPage> {
    let mut conn = st.db.conn().await?;
    let mut rows = Vec::new();
    let mut regions = Vec::new();
    for p in crate::accounts::service::scope_paths(user, Permission::ConfigureService) {
        rows.extend(store::in_scope(&mut conn.ex(), &p).await?);
        regions.extend(
            crate::regions::service::picker(&st.db, &p)
                .await?
                .iter()
                .cloned()
                .filter(|r| r.level != "park" || r.path.matches('/').count() <= 5),
        );
    }
    Ok(DepartmentsPage {
        l: Layout::new("承办部门", Some(user), "service-settings").with_notice(notice),
        rows,
        regions,
        errors,
        draft_region: draft.0,
        draft_name: draft.1,
    })
}

async fn departments_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    html(&departments_view(&st, &user, q.notice, vec![], (user.region.clone(), String::new())).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DepartmentForm {
    region: String,
    name: String,
    version: String,
    active: String,
}

async fn create_department(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Form(f): Form<DepartmentForm>,
) -> AppResult<Response> {
    match service::create(&st.db, &user, &actor, &f.region, &f.name).await {
        Ok(d) => {
            Ok(Redirect::to(&format!("/service/departments?notice={}", urlencode(&format!("已新增{}", d.label()))))
                .into_response())
        }
        Err(e) => {
            let (status, errors) = refusal(e)?;
            Ok((status, html(&departments_view(&st, &user, None, errors, (f.region, f.name)).await?)?).into_response())
        }
    }
}

async fn update_department(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<DepartmentForm>,
) -> AppResult<Response> {
    service::editable(&st.db, &user, &id).await?;
    let version = f.version.trim().parse().unwrap_or(0);
    let active = crate::projects::model::parse_bool(&f.active).unwrap_or(false);
    match service::update(&st.db, &user, &actor, &id, version, &f.name, active).await {
        Ok(d) => {
            Ok(Redirect::to(&format!("/service/departments?notice={}", urlencode(&format!("已保存{}", d.label()))))
                .into_response())
        }
        Err(e) => {
            let (status, errors) = refusal(e)?;
            Ok((
                status,
                html(&departments_view(&st, &user, None, errors, (user.region.clone(), String::new())).await?)?,
            )
                .into_response())
        }
    }
}

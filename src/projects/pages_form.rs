//! The project form: new and edit pages, and the create and save they post to.

use super::model::{Input, ProjectTag, SourceTag, labels_of};
use super::service;
use super::store::{self, Investor, Row};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::domain::money::{Money, format_mu};
use crate::error::{AppError, AppResult, FieldError};
use crate::web::AppState;
use crate::web::auth::urlencode;
use crate::web::layout::{Layout, html};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::pages::{Choices, choices};

#[derive(Template)]
#[template(path = "projects/form.html")]
struct FormPage {
    l: Layout,
    i: Input,
    c: Choices,
    errors: Vec<FieldError>,
    editing: Option<(String, i64)>,
}

impl FormPage {
    fn has(&self, list: &str, item: &str) -> bool {
        list.split(['、', ',', '，', ' ']).any(|t| t.trim() == item)
    }
}

pub(super) async fn new_page(State(st): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let i = Input { region: user.grants.first().map(|g| g.scope.clone()).unwrap_or_default(), ..Default::default() };
    html(&FormPage {
        l: Layout::new("新增项目", Some(&user), "projects"),
        c: choices(&st, &user, Permission::EditProjects).await?,
        i,
        errors: vec![],
        editing: None,
    })
}

/// The form's fields; checkbox groups (`sources`, `tags`) arrive repeated and are joined.
fn form_input(body: &[u8]) -> AppResult<(Input, Option<i64>)> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| AppError::invalid("表单无法解析"))?;
    let mut map = serde_json::Map::new();
    for (k, v) in &pairs {
        match map.get_mut(k) {
            Some(serde_json::Value::String(s)) if k == "sources" || k == "tags" => {
                s.push('、');
                s.push_str(v);
            }
            _ => {
                map.insert(k.clone(), serde_json::Value::String(v.clone()));
            }
        }
    }
    let version = map.get("version").and_then(|v| v.as_str()).and_then(|v| v.parse().ok());
    map.retain(|k, _| k != "_csrf" && k != "version");
    let input: Input = serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| AppError::invalid(format!("表单无法解析：{e}")))?;
    Ok((input, version))
}

async fn form_error(
    st: &AppState,
    user: &CurrentUser,
    i: Input,
    editing: Option<(String, i64)>,
    e: AppError,
) -> AppResult<Response> {
    let (status, errors) = match e {
        AppError::Invalid { fields, message } if fields.is_empty() => {
            (StatusCode::UNPROCESSABLE_ENTITY, vec![FieldError { field: String::new(), message }])
        }
        AppError::Invalid { fields, .. } => (StatusCode::UNPROCESSABLE_ENTITY, fields),
        AppError::Conflict(message) => (StatusCode::CONFLICT, vec![FieldError { field: String::new(), message }]),
        other => return Err(other),
    };
    let title = if editing.is_some() { "编辑项目" } else { "新增项目" };
    let mut c = choices(st, user, Permission::EditProjects).await?;
    c.regions =
        crate::regions::service::with_own(&st.db, c.regions, editing.as_ref().map(|_| i.region.as_str())).await?;
    let page = FormPage { l: Layout::new(title, Some(user), "projects"), c, i, errors, editing };
    Ok((status, html(&page)?).into_response())
}

pub(super) async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let (input, _) = form_input(&body)?;
    match service::create(&st.db, &user, &actor, &input).await {
        Ok(p) => Ok(Redirect::to(&format!("/projects/{}?notice={}", p.id, urlencode("项目已录入"))).into_response()),
        Err(e) => form_error(&st, &user, input, None, e).await,
    }
}

pub fn input_of(r: &Row, investors: &[Investor]) -> Input {
    let p = &r.p;
    let d = |x: Option<time::Date>| x.map(|d| d.to_string()).unwrap_or_default();
    let m = |x: Option<Money>| x.map(Money::wan).unwrap_or_default();
    Input {
        code: p.code.clone().unwrap_or_default(),
        name: p.name.clone(),
        region: p.region.clone(),
        industry: p.industry.clone().unwrap_or_default(),
        sector: p.sector.clone().unwrap_or_default(),
        industrial: if p.industrial { "是".into() } else { "否".into() },
        nature: p.nature.clone().unwrap_or_default(),
        capital: p.capital.clone().unwrap_or_default(),
        sources: labels_of(SourceTag::ALL, p.sources, SourceTag::label).join("、"),
        channel: p.channel.clone().unwrap_or_default(),
        total_investment: p.total_investment.wan(),
        fixed_investment: m(p.fixed_investment),
        foreign_usd: m(p.foreign_usd.map(Money)),
        expected_output: m(p.expected_output),
        expected_tax: m(p.expected_tax),
        expected_jobs: p.expected_jobs.map(|j| j.to_string()).unwrap_or_default(),
        land_mu: p.land_mu.map(format_mu).unwrap_or_default(),
        tags: labels_of(ProjectTag::ALL, p.tags, ProjectTag::label).join("、"),
        investors: investors.iter().map(|i| i.credit_code.clone()).collect::<Vec<_>>().join("、"),
        planned_sign: d(p.planned_sign),
        planned_register: d(p.planned_register),
        planned_land: d(p.planned_land),
        planned_start: d(p.planned_start),
        planned_produce: d(p.planned_produce),
        planned_full_produce: d(p.planned_full_produce),
    }
}

pub(super) async fn edit_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let r = service::visible(&st.db, &user, Permission::EditProjects, &id).await?;
    let mut conn = st.db.conn().await?;
    let investors = store::investors(&mut conn.ex(), r.p.id).await?;
    drop(conn);
    let mut c = choices(&st, &user, Permission::EditProjects).await?;
    c.regions = crate::regions::service::with_own(&st.db, c.regions, Some(&r.p.region)).await?;
    html(&FormPage {
        l: Layout::new("编辑项目", Some(&user), "projects"),
        c,
        i: input_of(&r, &investors),
        errors: vec![],
        editing: Some((r.p.id.to_string(), r.p.version)),
    })
}

pub(super) async fn update(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    service::visible(&st.db, &user, Permission::EditProjects, &id).await?;
    let (input, version) = form_input(&body)?;
    let version = version.ok_or_else(|| AppError::invalid("表单缺少版本号，请刷新后重试"))?;
    match service::update(&st.db, &user, &actor, &id, version, &input).await {
        Ok(p) => Ok(Redirect::to(&format!("/projects/{}?notice={}", p.id, urlencode("已保存"))).into_response()),
        Err(e) => form_error(&st, &user, input, Some((id, version)), e).await,
    }
}

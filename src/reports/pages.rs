//! Report pages: a project's reports with the filing form; the month's roll-up by region and
//! its 未填报 list.

use super::model::{DUE_DAY, Input, YearMonth};
use super::service;
use super::store::{self, Missing, Report, Rollup};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::domain::filters;
use crate::domain::money::Money;
use crate::error::{AppError, AppResult, FieldError};
use crate::projects::service::{today, visible};
use crate::projects::store::Row;
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
    r.page(Method::GET, "/projects/{project_id}/reports", Rule::Perm(ViewBusiness), "项目月报", project_reports)
        .page(Method::POST, "/projects/{project_id}/reports", Rule::Perm(FileReports), "填报月报", file)
        .page(Method::GET, "/reports", Rule::Perm(ViewBusiness), "月报汇总", overview)
        .page(Method::GET, "/reports/missing", Rule::Perm(ViewBusiness), "未填报项目", missing)
}

#[derive(Template)]
#[template(path = "reports/project.html")]
struct ProjectReports {
    l: Layout,
    r: Row,
    reports: Vec<Report>,
    can_file: bool,
    i: Input,
    version: Option<i64>,
    errors: Vec<FieldError>,
    due_day: u8,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MonthQuery {
    month: Option<String>,
    region: Option<String>,
    notice: Option<String>,
}

/// Last month: the one usually being reported.
fn default_month() -> YearMonth {
    YearMonth::of(today()).prev()
}

async fn render(
    st: &AppState,
    user: &CurrentUser,
    r: Row,
    i: Input,
    version: Option<i64>,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> AppResult<Html<String>> {
    let mut conn = st.db.conn().await?;
    let reports = store::of_project(&mut conn.ex(), r.p.id).await?;
    let can_file = authz::check(user, Permission::FileReports, Some(&r.region_path)).is_ok();
    html(&ProjectReports {
        l: Layout::new(&format!("{} · 月报", r.p.name), Some(user), "projects").with_notice(notice),
        r,
        reports,
        can_file,
        i,
        version,
        errors,
        due_day: DUE_DAY,
    })
}

async fn project_reports(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<MonthQuery>,
) -> AppResult<Html<String>> {
    let r = visible(&st.db, &user, Permission::ViewBusiness, &id).await?;
    let month = q.month.as_deref().and_then(|m| YearMonth::parse(m).ok()).unwrap_or_else(default_month);
    // Correcting a month starts from what was filed.
    let mut conn = st.db.conn().await?;
    let existing = store::get(&mut conn.ex(), r.p.id, &month.label()).await?;
    drop(conn);
    let (i, version) = match existing {
        Some(e) => (
            Input {
                month: e.month.clone(),
                invest_month: Money(e.invest_month).wan(),
                invest_cumulative: Money(e.invest_cumulative).wan(),
                funds_domestic: Money(e.funds_domestic).wan(),
                funds_foreign_usd: Money(e.funds_foreign_usd).wan(),
                tax: Money(e.tax).wan(),
                jobs: e.jobs.to_string(),
                output: Money(e.output).wan(),
                progress: e.progress.clone(),
                problems: e.problems.clone(),
                in_stats: if e.in_stats { "是".into() } else { "否".into() },
            },
            Some(e.version),
        ),
        None => (Input { month: month.label(), ..Default::default() }, None),
    };
    render(&st, &user, r, i, version, vec![], q.notice).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FileForm {
    version: String,
    month: String,
    invest_month: String,
    invest_cumulative: String,
    funds_domestic: String,
    funds_foreign_usd: String,
    tax: String,
    jobs: String,
    output: String,
    progress: String,
    problems: String,
    in_stats: String,
}

async fn file(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<FileForm>,
) -> AppResult<Response> {
    let r = visible(&st.db, &user, Permission::FileReports, &id).await?;
    let version = f.version.trim().parse().ok();
    let i = Input {
        month: f.month,
        invest_month: f.invest_month,
        invest_cumulative: f.invest_cumulative,
        funds_domestic: f.funds_domestic,
        funds_foreign_usd: f.funds_foreign_usd,
        tax: f.tax,
        jobs: f.jobs,
        output: f.output,
        progress: f.progress,
        problems: f.problems,
        in_stats: f.in_stats,
    };
    match service::file(&st.db, &user, &actor, &id, version, &i).await {
        Ok(rep) => {
            let note = if rep.late {
                format!("{} 月报已填报（逾期）", rep.month)
            } else {
                format!("{} 月报已填报", rep.month)
            };
            Ok(Redirect::to(&format!("/projects/{id}/reports?month={}&notice={}", rep.month, urlencode(&note)))
                .into_response())
        }
        Err(AppError::Invalid { fields, message }) => {
            let errors = if fields.is_empty() { vec![FieldError { field: String::new(), message }] } else { fields };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&st, &user, r, i, version, errors, None).await?)
                .into_response())
        }
        Err(AppError::Conflict(message)) => {
            let errors = vec![FieldError { field: String::new(), message }];
            Ok((StatusCode::CONFLICT, render(&st, &user, r, i, version, errors, None).await?).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The region asked for (or the user's first scope), checked against the scope.
async fn scope_region(st: &AppState, user: &CurrentUser, code: Option<&str>) -> AppResult<Region> {
    let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => c.to_string(),
        None => user
            .grants
            .iter()
            .find(|g| g.role.has(Permission::ViewBusiness))
            .map(|g| g.scope.clone())
            .ok_or(AppError::Forbidden)?,
    };
    let mut conn = st.db.conn().await?;
    let region = crate::regions::store::get(&mut conn.ex(), &code).await?.ok_or(AppError::NotFound)?;
    authz::check(user, Permission::ViewBusiness, Some(&region.path))?;
    Ok(region)
}

#[derive(Template)]
#[template(path = "reports/overview.html")]
struct Overview {
    l: Layout,
    region: Region,
    month: String,
    rows: Vec<Rollup>,
    total: Rollup,
}

async fn overview(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<MonthQuery>,
) -> AppResult<Html<String>> {
    let region = scope_region(&st, &user, q.region.as_deref()).await?;
    let month = match q.month.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => YearMonth::parse(m).map_err(|e| AppError::field("month", e))?,
        None => default_month(),
    };
    let mut conn = st.db.conn().await?;
    let rows = store::rollup(&mut conn.ex(), &region.code, &month.label()).await?;
    let mut total = Rollup {
        code: region.code.clone(),
        name: "合计".into(),
        projects: 0,
        reported: 0,
        late: 0,
        invest_month: 0,
        invest_cumulative: 0,
        funds_domestic: 0,
        funds_foreign_usd: 0,
        tax: 0,
        jobs: 0,
    };
    for r in &rows {
        total.projects += r.projects;
        total.reported += r.reported;
        total.late += r.late;
        total.invest_month += r.invest_month;
        total.invest_cumulative += r.invest_cumulative;
        total.funds_domestic += r.funds_domestic;
        total.funds_foreign_usd += r.funds_foreign_usd;
        total.tax += r.tax;
        total.jobs += r.jobs;
    }
    html(&Overview {
        l: Layout::new("月报汇总", Some(&user), "reports"), region, month: month.label(), rows, total
    })
}

#[derive(Template)]
#[template(path = "reports/missing.html")]
struct MissingPage {
    l: Layout,
    region: Region,
    month: String,
    rows: Vec<Missing>,
}

async fn missing(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<MonthQuery>,
) -> AppResult<Html<String>> {
    let region = scope_region(&st, &user, q.region.as_deref()).await?;
    let month = match q.month.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => YearMonth::parse(m).map_err(|e| AppError::field("month", e))?,
        None => default_month(),
    };
    let mut conn = st.db.conn().await?;
    let rows = store::missing(&mut conn.ex(), &region.path, &month.label()).await?;
    html(&MissingPage { l: Layout::new("未填报项目", Some(&user), "reports"), region, month: month.label(), rows })
}

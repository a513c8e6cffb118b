//! Settings pages: deadline tiers, visiting cadence and overlap window, the category code list, and
//! each year's working-day calendar.

use super::model::{Rules, fingerprint};
use super::service::{self as settings, check_province_wide};
use super::store::{self, Category, TierRow};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::Actor;
use crate::enterprise_service::pages::refusal;
use crate::error::{AppError, AppResult, FieldError};
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
use std::collections::HashMap;

pub fn routes(r: Routes) -> Routes {
    let p = Rule::Perm(Permission::ConfigureService);
    r.page(Method::GET, "/service/settings", p, "服务设置：期限、分类、走访周期", settings_page)
        .page(Method::POST, "/service/settings/rules", p, "保存期限档次与走访周期", save_rules)
        .page(Method::POST, "/service/settings/categories", p, "新增或修改诉求分类", save_category)
        .page(Method::GET, "/service/calendar/{year}", p, "工作日历", calendar_page)
        .page(Method::POST, "/service/calendar/{year}", p, "保存工作日历", save_calendar)
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "enterprise_service/settings.html")]
struct SettingsPage {
    l: Layout,
    tiers: Vec<TierRow>,
    rules: Rules,
    fingerprint: String,
    categories: Vec<Category>,
    years: Vec<(i64, i64)>,
    this_year: i32,
    province_wide: bool,
    errors: Vec<FieldError>,
}

async fn settings_view(
    st: &AppState,
    user: &CurrentUser,
    notice: Option<String>,
    errors: Vec<FieldError>,
) -> AppResult<SettingsPage> {
    let mut conn = st.db.conn().await?;
    let tiers = store::tiers(&mut conn.ex()).await?;
    let rules = store::rules(&mut conn.ex()).await?;
    Ok(SettingsPage {
        l: Layout::new("服务设置", Some(user), "service-settings").with_notice(notice),
        fingerprint: fingerprint(&tiers, &rules),
        tiers,
        rules,
        categories: store::categories(&mut conn.ex()).await?,
        years: store::calendar_years(&mut conn.ex()).await?,
        this_year: crate::projects::service::today().year(),
        province_wide: check_province_wide(user).is_ok(),
        errors,
    })
}

async fn settings_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    html(&settings_view(&st, &user, q.notice, vec![]).await?)
}

async fn refused_settings(st: &AppState, user: &CurrentUser, e: AppError) -> AppResult<Response> {
    let (status, errors) = refusal(e)?;
    Ok((status, html(&settings_view(st, user, None, errors).await?)?).into_response())
}

async fn save_rules(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let seen = f.get("fingerprint").cloned().unwrap_or_default();
    match settings::save_rules(&st.db, &user, &actor, &seen, &f).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/service/settings?notice={}", urlencode("期限与走访设置已保存"))).into_response())
        }
        Err(e) => refused_settings(&st, &user, e).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CategoryForm {
    code: String,
    name: String,
    tier: String,
    sort: String,
    active: String,
}

async fn save_category(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Form(f): Form<CategoryForm>,
) -> AppResult<Response> {
    let active = crate::projects::model::parse_bool(&f.active).unwrap_or(false);
    match settings::save_category(&st.db, &user, &actor, &f.code, &f.name, &f.tier, &f.sort, active).await {
        Ok(c) => {
            Ok(Redirect::to(&format!("/service/settings?notice={}", urlencode(&format!("诉求分类“{}”已保存", c.name))))
                .into_response())
        }
        Err(e) => refused_settings(&st, &user, e).await,
    }
}

#[derive(Template)]
#[template(path = "enterprise_service/calendar.html")]
struct CalendarPage {
    l: Layout,
    year: i32,
    text: String,
    fingerprint: String,
    years: Vec<(i64, i64)>,
    province_wide: bool,
    errors: Vec<FieldError>,
}

fn year_of(s: &str) -> AppResult<i32> {
    s.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).ok_or(AppError::NotFound)
}

async fn calendar_view(
    st: &AppState,
    user: &CurrentUser,
    year: i32,
    notice: Option<String>,
    errors: Vec<FieldError>,
    typed: Option<String>,
) -> AppResult<CalendarPage> {
    let mut conn = st.db.conn().await?;
    let (text, fingerprint) = store::calendar_year(&mut conn.ex(), year).await?;
    Ok(CalendarPage {
        l: Layout::new(&format!("{year} 年工作日历"), Some(user), "service-settings").with_notice(notice),
        year,
        text: typed.unwrap_or(text),
        fingerprint,
        years: store::calendar_years(&mut conn.ex()).await?,
        province_wide: check_province_wide(user).is_ok(),
        errors,
    })
}

async fn calendar_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    html(&calendar_view(&st, &user, year_of(&year)?, q.notice, vec![], None).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CalendarForm {
    days: String,
    fingerprint: String,
}

async fn save_calendar(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(year): Path<String>,
    Form(f): Form<CalendarForm>,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    match settings::save_calendar_year(&st.db, &user, &actor, year, &f.fingerprint, &f.days).await {
        Ok(n) => Ok(Redirect::to(&format!(
            "/service/calendar/{year}?notice={}",
            urlencode(&format!("{year} 年工作日历已保存，共 {n} 天"))
        ))
        .into_response()),
        Err(AppError::Forbidden) => Err(AppError::Forbidden),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let status = if status == StatusCode::CONFLICT { status } else { StatusCode::UNPROCESSABLE_ENTITY };
            Ok((status, html(&calendar_view(&st, &user, year, None, errors, Some(f.days)).await?)?).into_response())
        }
    }
}

//! The service hub page and what the service pages share: refused forms, filters' regions and dates.

use super::appeals_service::reach;
use super::appeals_store::{self as astore, Checked, Filter};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::AppState;
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use askama::Template;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::Html;
use time::Date;

pub fn routes(r: Routes) -> Routes {
    let r = r.page(Method::GET, "/service", Rule::Perm(Permission::ViewBusiness), "企业服务", hub);
    let r = super::specialists_pages::routes(r);
    let r = super::visits_pages::routes(r);
    let r = super::visits_api::routes(r);
    let r = super::appeals_pages::routes(r);
    let r = super::appeals_api::routes(r);
    let r = super::figures_pages::routes(r);
    let r = super::digest_pages::routes(r);
    super::settings_pages::routes(r)
}

/// A refused action's errors for the page that shows them again: 422 (or 409 for a stale version).
pub fn refusal(e: AppError) -> AppResult<(StatusCode, Vec<FieldError>)> {
    match e {
        AppError::Invalid { fields, message } if fields.is_empty() => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, vec![FieldError { field: String::new(), message }]))
        }
        AppError::Invalid { fields, .. } => Ok((StatusCode::UNPROCESSABLE_ENTITY, fields)),
        AppError::Conflict(message) => Ok((StatusCode::CONFLICT, vec![FieldError { field: String::new(), message }])),
        other => Err(other),
    }
}

/// The region filter's path, checked against the scope for `perm` (outside it: 404).
pub async fn region_path(
    st: &AppState,
    user: &CurrentUser,
    perm: Permission,
    code: &Option<String>,
) -> AppResult<Option<String>> {
    let Some(code) = astore::some(code) else { return Ok(None) };
    let mut conn = st.db.conn().await?;
    let r = crate::regions::store::get(&mut conn.ex(), code).await?.ok_or(AppError::NotFound)?;
    authz::check(user, perm, Some(&r.path))?;
    Ok(Some(r.path))
}

/// An optional date filter; a bad one names the field.
pub fn date_opt(field: &str, label: &str, s: &Option<String>) -> AppResult<Option<Date>> {
    match astore::some(s) {
        None => Ok(None),
        Some(v) => crate::projects::stage::parse_date(label, v).map(Some).map_err(|e| AppError::field(field, e)),
    }
}

pub fn date_text(d: &Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

/// The Beijing date and time of an instant, "2026-11-20 14:05".
pub fn local(t: &time::OffsetDateTime) -> String {
    let t = t.to_offset(super::calendar::beijing());
    format!("{} {:02}:{:02}", t.date(), t.hour(), t.minute())
}

pub fn local_opt(t: &Option<time::OffsetDateTime>) -> String {
    t.as_ref().map(local).unwrap_or_else(|| "—".into())
}

/// A list filter checked for the appeals list (pages, API): region in scope, dates, ids.
pub async fn check_filter(st: &AppState, user: &CurrentUser, f: &Filter) -> AppResult<Checked> {
    let perm = if user.can(Permission::ViewBusiness) { Permission::ViewBusiness } else { Permission::HandleAppeals };
    let region_path = region_path(st, user, perm, &f.region).await?;
    let from = date_opt("from", "受理日期起", &f.from)?;
    let to = date_opt("to", "受理日期止", &f.to)?;
    let uuid = |field: &str, s: &Option<String>| -> AppResult<Option<uuid::Uuid>> {
        match astore::some(s) {
            None => Ok(None),
            Some(v) => {
                uuid::Uuid::parse_str(v).map(Some).map_err(|_| AppError::field(field, format!("“{v}”不是有效的编号")))
            }
        }
    };
    let mut states = Vec::new();
    if let Some(s) = astore::some(&f.state) {
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            states.push(super::appeals_model::State::parse(part).map_err(|e| AppError::field("state", e))?);
        }
    }
    let level = match astore::some(&f.level) {
        None => None,
        Some(l) => Some(super::appeals_model::Level::parse(l).map_err(|e| AppError::field("level", e))?),
    };
    if let Some(flag) = astore::some(&f.flag) {
        if !["overdue", "due_soon", "open", "escalated", "supervised"].contains(&flag) {
            return Err(AppError::field(
                "flag",
                format!("筛选“{flag}”无效，可选：overdue、due_soon、open、escalated、supervised"),
            ));
        }
    }
    let mut conn = st.db.conn().await?;
    let cal = super::settings::calendar(&mut conn.ex()).await?;
    let today = crate::projects::service::today();
    let bj = super::calendar::beijing();
    Ok(Checked {
        region_path,
        department: uuid("department", &f.department)?,
        enterprise: uuid("enterprise", &f.enterprise)?,
        states,
        level,
        from: from.map(|d| d.midnight().assume_offset(bj).to_offset(time::UtcOffset::UTC)),
        to: to.and_then(|d| d.next_day()).map(|d| d.midnight().assume_offset(bj).to_offset(time::UtcOffset::UTC)),
        created_by: astore::some(&f.mine).map(|_| user.id),
        today: Some(today),
        soon: Some(cal.add_working_days(today, 1)),
        newest_first: false,
    })
}

/// Counts for the hub: the user's open appeals by urgency.
pub struct Counts {
    pub open: i64,
    pub overdue: i64,
    pub due_soon: i64,
    pub visits_due: i64,
    pub unread: i64,
    pub my_enterprises: i64,
    pub my_projects: i64,
}

#[derive(Template)]
#[template(path = "service/hub.html")]
struct HubPage {
    l: Layout,
    c: Counts,
    can_serve: bool,
}

async fn count(st: &AppState, user: &CurrentUser, flag: &str) -> AppResult<i64> {
    let f = Filter { flag: Some(flag.into()), ..Default::default() };
    let c = check_filter(st, user, &f).await?;
    let mut conn = st.db.conn().await?;
    let (r, _) = reach(&mut conn.ex(), user).await?;
    Ok(astore::page(&mut conn.ex(), &r, &f, &c, 1).await?.1)
}

async fn hub(State(st): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let (open, overdue, due_soon) =
        (count(&st, &user, "open").await?, count(&st, &user, "overdue").await?, count(&st, &user, "due_soon").await?);
    let mut conn = st.db.conn().await?;
    let rules = super::settings::rules(&mut conn.ex()).await?;
    let paths = crate::accounts::service::scope_paths(&user, Permission::ViewBusiness);
    let today = crate::projects::service::today();
    let (_, visits_due) =
        super::visits_store::due(&mut conn.ex(), &paths, None, &rules.cadence, today, None, 1).await?;
    let mine = |kind: &'static str| {
        format!(
            "SELECT count(*) FROM specialist_assignments WHERE specialist_id = $1 AND ended_at IS NULL AND target_kind = '{kind}'"
        )
    };
    let my_enterprises =
        crate::q_scalar!(&mut conn.ex(), fetch_one, i64, sqlx::AssertSqlSafe(mine("enterprise").as_str()), user.id)?;
    let my_projects =
        crate::q_scalar!(&mut conn.ex(), fetch_one, i64, sqlx::AssertSqlSafe(mine("project").as_str()), user.id)?;
    let unread = super::notify::unread(&mut conn.ex(), user.id).await?;
    html(&HubPage {
        l: Layout::new("企业服务", Some(&user), "service"),
        c: Counts { open, overdue, due_soon, visits_due, unread, my_enterprises, my_projects },
        can_serve: user.can(Permission::ServeEnterprises),
    })
}

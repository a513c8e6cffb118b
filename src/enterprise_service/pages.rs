//! The service hub page, and what the service pages share: refused forms shown again, dates and
//! instants as the pages print them.

use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::AppState;
use crate::web::layout::{Layout, html};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Html;
use time::Date;

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
#[template(path = "enterprise_service/hub.html")]
struct HubPage {
    l: Layout,
    c: Counts,
    can_serve: bool,
}

pub async fn hub(State(st): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let count = super::appeals::service::count_flagged;
    let (open, overdue, due_soon) = (
        count(&st.db, &user, "open").await?,
        count(&st.db, &user, "overdue").await?,
        count(&st.db, &user, "due_soon").await?,
    );
    let visits_due = super::visits::service::due_count(&st.db, &user).await?;
    let (my_enterprises, my_projects) = super::specialists::service::serving(&st.db, &user).await?;
    let unread = super::notifications::service::unread(&st.db, &user).await?;
    html(&HubPage {
        l: Layout::new("企业服务", Some(&user), "service"),
        c: Counts { open, overdue, due_soon, visits_due, unread, my_enterprises, my_projects },
        can_serve: user.can(Permission::ServeEnterprises),
    })
}

//! Notifications (assignment, due soon, overdue, escalation…) and the daily digest.

use super::appeals_pages::{Line, lines};
use super::appeals_service::reach;
use super::appeals_store::{self as store, Checked, Filter};
use super::notify::{self, Notification};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::error::AppResult;
use crate::web::AppState;
use crate::web::auth::urlencode;
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use askama::Template;
use axum::extract::State;
use axum::http::Method;
use axum::response::{Html, IntoResponse, Redirect, Response};

const SEE: Rule = Rule::AnyOf(&[Permission::ViewBusiness, Permission::HandleAppeals]);

pub fn routes(r: Routes) -> Routes {
    r.page(Method::GET, "/service/notifications", SEE, "我的通知", list)
        .page(Method::POST, "/service/notifications/read", SEE, "通知全部标为已读", read_all)
        .page(Method::GET, "/service/digest", SEE, "每日摘要", digest)
}

#[derive(Template)]
#[template(path = "service/notifications.html")]
struct ListPage {
    l: Layout,
    items: Vec<Notification>,
    unread: i64,
}

fn active(user: &CurrentUser) -> &'static str {
    if user.can(Permission::ViewBusiness) { "service" } else { "inbox" }
}

async fn list(State(st): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let mut conn = st.db.conn().await?;
    let items = notify::of_user(&mut conn.ex(), user.id, 200).await?;
    let unread = notify::unread(&mut conn.ex(), user.id).await?;
    html(&ListPage { l: Layout::new("我的通知", Some(&user), active(&user)), items, unread })
}

async fn read_all(State(st): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let n = notify::mark_read(&mut tx.ex(), user.id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/service/notifications?notice={}", urlencode(&format!("{n} 条通知已标为已读"))))
        .into_response())
}

#[derive(Template)]
#[template(path = "service/digest.html")]
struct DigestPage {
    l: Layout,
    today: time::Date,
    news: Vec<Notification>,
    overdue: Vec<Line>,
    due_soon: Vec<Line>,
    received: Vec<Line>,
    to_evaluate: Vec<Line>,
    overdue_total: i64,
}

/// Today's digest: what arrived in the last day, what is overdue or due by the next working day,
/// what came in, and what waits for the enterprise's evaluation.
async fn digest(State(st): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let today = crate::projects::service::today();
    let mut conn = st.db.conn().await?;
    let cal = super::settings::calendar(&mut conn.ex()).await?;
    let (r, _) = reach(&mut conn.ex(), &user).await?;
    let base = Checked { today: Some(today), soon: Some(cal.add_working_days(today, 1)), ..Default::default() };
    let flag = |f: &str| Filter { flag: Some(f.into()), ..Default::default() };
    let (overdue, overdue_total) = store::page(&mut conn.ex(), &r, &flag("overdue"), &base, 20).await?;
    let (due_soon, _) = store::page(&mut conn.ex(), &r, &flag("due_soon"), &base, 20).await?;
    let since = (today - time::Duration::days(1)).midnight().assume_offset(super::calendar::beijing());
    let recent = Checked { from: Some(since.to_offset(time::UtcOffset::UTC)), ..base.clone() };
    let (received, _) = store::page(&mut conn.ex(), &r, &Filter::default(), &recent, 20).await?;
    let resolved = Checked { states: vec![super::appeals_model::State::Resolved], ..base.clone() };
    let (to_evaluate, _) = if user.can(Permission::ServeEnterprises) {
        store::page(&mut conn.ex(), &r, &Filter::default(), &resolved, 20).await?
    } else {
        (vec![], 0)
    };
    let news = notify::since(&mut conn.ex(), user.id, since).await?;
    drop(conn);
    html(&DigestPage {
        l: Layout::new(&format!("每日摘要 {today}"), Some(&user), active(&user)),
        today,
        news,
        overdue: lines(&st, overdue).await?,
        due_soon: lines(&st, due_soon).await?,
        received: lines(&st, received).await?,
        to_evaluate: lines(&st, to_evaluate).await?,
        overdue_total,
    })
}

//! Notification pages: one's notifications and the daily digest (the department's inbox is `inbox.rs`).

use super::store::{self as notify, Notification};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::enterprise_service::appeals::service::{Line, lines, reach};
use crate::enterprise_service::appeals::store::{self as store, Checked, Filter};
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
        .page(Method::GET, "/service/inbox", Rule::Perm(Permission::HandleAppeals), "部门待办诉求", super::inbox::inbox)
}

#[derive(Template)]
#[template(path = "enterprise_service/notifications.html")]
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
    let n = super::service::mark_all_read(&st.db, &user).await?;
    Ok(Redirect::to(&format!("/service/notifications?notice={}", urlencode(&format!("{n} 条通知已标为已读"))))
        .into_response())
}

#[derive(Template)]
#[template(path = "enterprise_service/digest.html")]
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
    let cal = crate::enterprise_service::settings::store::calendar(&mut conn.ex()).await?;
    let (r, _) = reach(&mut conn.ex(), &user).await?;
    let base = Checked { today: Some(today), soon: Some(cal.add_working_days(today, 1)), ..Default::default() };
    let flag = |f: &str| Filter { flag: Some(f.into()), ..Default::default() };
    let (overdue, overdue_total) = store::page(&mut conn.ex(), &r, &flag("overdue"), &base, 20).await?;
    let (due_soon, _) = store::page(&mut conn.ex(), &r, &flag("due_soon"), &base, 20).await?;
    let since =
        (today - time::Duration::days(1)).midnight().assume_offset(crate::enterprise_service::calendar::beijing());
    let recent = Checked { from: Some(since.to_offset(time::UtcOffset::UTC)), ..base.clone() };
    let (received, _) = store::page(&mut conn.ex(), &r, &Filter::default(), &recent, 20).await?;
    let resolved = Checked { states: vec![crate::enterprise_service::appeals::model::State::Resolved], ..base.clone() };
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
        overdue: lines(&st.db, overdue).await?,
        due_soon: lines(&st.db, due_soon).await?,
        received: lines(&st.db, received).await?,
        to_evaluate: lines(&st.db, to_evaluate).await?,
        overdue_total,
    })
}

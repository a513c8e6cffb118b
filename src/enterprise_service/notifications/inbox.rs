//! The department handler's inbox page: their department's appeals, overdue first, then due soon, then by
//! due date; returned ones; recently resolved; and the department's figures for the year.

use crate::accounts::authz::CurrentUser;
use crate::enterprise_service::appeals::model::State;
use crate::enterprise_service::appeals::service::{Line, lines};
use crate::enterprise_service::appeals::store::{self as store, Filter};
use crate::enterprise_service::departments::{self, store::Department};
use crate::error::AppResult;
use crate::web::AppState;
use crate::web::layout::{Layout, html};
use askama::Template;
use axum::extract::State as AxState;
use axum::response::Html;

#[derive(Template)]
#[template(path = "enterprise_service/inbox.html")]
struct InboxPage {
    l: Layout,
    department: Option<Department>,
    todo: Vec<Line>,
    returned: Vec<Line>,
    done: Vec<Line>,
    figures: crate::enterprise_service::figures::model::Figures,
}

/// The department's appeals: to do (overdue first, then due soon, then by due date), returned, and
/// recently resolved; with the department's figures for this year.
pub async fn inbox(AxState(st): AxState<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let mut conn = st.db.conn().await?;
    let dept = departments::service::handled_by(&mut conn.ex(), &user).await?;
    let Some(d) = dept.clone() else {
        drop(conn);
        return html(&InboxPage {
            l: Layout::new("部门待办诉求", Some(&user), "inbox"),
            department: None,
            todo: vec![],
            returned: vec![],
            done: vec![],
            figures: Default::default(),
        });
    };
    let reach = store::Reach { paths: vec![], department: Some(d.id) };
    let today = crate::projects::service::today();
    let all = Filter::default();
    let of = |states: Vec<State>, newest_first: bool| store::Checked {
        today: Some(today),
        states,
        newest_first,
        ..Default::default()
    };
    let open = vec![State::Dispatched, State::Handling, State::ExtensionRequested];
    let (todo, _) = store::page(&mut conn.ex(), &reach, &all, &of(open, false), 1000).await?;
    let (returned, _) = store::page(&mut conn.ex(), &reach, &all, &of(vec![State::Returned], true), 100).await?;
    let (done, _) =
        store::page(&mut conn.ex(), &reach, &all, &of(vec![State::Resolved, State::Evaluated], true), 20).await?;
    let year_start = time::Date::from_calendar_date(today.year(), time::Month::January, 1).expect("valid");
    let facts = store::facts(&mut conn.ex(), &[], Some(d.id), year_start, today).await?;
    drop(conn);
    let figures =
        crate::enterprise_service::figures::model::compute(&facts.iter().map(|f| f.fact()).collect::<Vec<_>>(), today);
    let mut todo = lines(&st.db, todo).await?;
    let returned = lines(&st.db, returned).await?;
    let done = lines(&st.db, done).await?;
    todo.sort_by_key(|l| (l.u.map(|u| u.rank()).unwrap_or(9), l.r.a.due_on));
    html(&InboxPage {
        l: Layout::new("部门待办诉求", Some(&user), "inbox"),
        department: Some(d),
        todo,
        returned,
        done,
        figures,
    })
}

//! Appeal pages: the list, raising one, and the appeal with the moves the user may make (the
//! department handler's inbox is `notifications::inbox`).

use super::act;
use super::model::{ActInput, Action, Side, State, Supervision, available};
use super::service::{self as service, Access, Line, NewInput, check_filter, lines, reach, urgency};
use super::store::{self as store, Event, Filter, PAGE_SIZE, Row};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::Actor;
use crate::enterprise_service::calendar::Urgency;
use crate::enterprise_service::departments::{self, store::Department};
use crate::enterprise_service::pages::refusal;
use crate::enterprise_service::settings::{self, store::Category, store::TierRow};
use crate::error::{AppResult, FieldError};
use crate::web::AppState;
use crate::web::auth::urlencode;
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State as AxState};
use axum::http::Method;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

const SEE: Rule = Rule::AnyOf(&[Permission::ViewBusiness, Permission::HandleAppeals]);
const MOVE: Rule = Rule::AnyOf(&[Permission::ServeEnterprises, Permission::HandleAppeals]);

pub fn routes(r: Routes) -> Routes {
    let serve = Rule::Perm(Permission::ServeEnterprises);
    r.page(Method::GET, "/service/appeals", SEE, "诉求列表", list)
        .page(Method::GET, "/service/appeals/new", serve, "提出诉求页", new_page)
        .page(Method::POST, "/service/appeals", serve, "提出诉求", create)
        .page(Method::GET, "/service/appeals/{appeal_id}", SEE, "诉求详情", show)
        .page(
            Method::POST,
            "/service/appeals/{appeal_id}/act",
            MOVE,
            "办理诉求（交办、签收、退回、延期、办结、评价、提级、督办）",
            act,
        )
}

pub fn action_label(code: &str) -> &'static str {
    match code {
        "create" => "受理",
        c => Action::parse(c).map(|a| a.label()).unwrap_or(""),
    }
}

pub fn state_label(code: &str) -> &'static str {
    State::parse(code).map(|s| s.label()).unwrap_or("")
}

pub struct Choices {
    pub categories: Vec<Category>,
    pub tiers: Vec<TierRow>,
    pub states: Vec<(&'static str, &'static str)>,
    pub departments: Vec<Department>,
}

async fn choices(st: &AppState, user: &CurrentUser) -> AppResult<Choices> {
    let mut conn = st.db.conn().await?;
    let mut depts = Vec::new();
    for p in crate::accounts::service::scope_paths(user, Permission::ViewBusiness) {
        depts.extend(departments::store::in_scope(&mut conn.ex(), &p).await?);
    }
    Ok(Choices {
        categories: settings::store::categories(&mut conn.ex()).await?,
        tiers: settings::store::tiers(&mut conn.ex()).await?,
        states: State::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        departments: depts,
    })
}

#[derive(Template)]
#[template(path = "enterprise_service/appeals.html")]
struct ListPage {
    l: Layout,
    f: Filter,
    c: Choices,
    lines: Vec<Line>,
    total: i64,
    page: i64,
    pages: i64,
    query: String,
    can_serve: bool,
}

impl ListPage {
    fn is_department(&self, id: &Uuid) -> bool {
        self.f.department.as_deref() == Some(id.to_string().as_str())
    }
}

async fn list(AxState(st): AxState<AppState>, user: CurrentUser, Query(f): Query<Filter>) -> AppResult<Html<String>> {
    let checked = check_filter(&st.db, &user, &f).await?;
    let mut conn = st.db.conn().await?;
    let (r, _) = reach(&mut conn.ex(), &user).await?;
    let (rows, total) = store::page(&mut conn.ex(), &r, &f, &checked, PAGE_SIZE).await?;
    drop(conn);
    let mut q = f.clone();
    q.page = None;
    html(&ListPage {
        l: Layout::new("诉求", Some(&user), "service"),
        c: choices(&st, &user).await?,
        query: serde_urlencoded::to_string(&q).unwrap_or_default(),
        page: f.page.unwrap_or(1).max(1),
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        can_serve: user.can(Permission::ServeEnterprises),
        lines: lines(&st.db, rows).await?,
        f,
        total,
    })
}

#[derive(Template)]
#[template(path = "enterprise_service/appeal_new.html")]
struct NewPage {
    l: Layout,
    i: NewInput,
    c: Choices,
    errors: Vec<FieldError>,
    /// What the appeal is about, as the page names it.
    subject: String,
}

impl NewPage {
    fn is_department(&self, id: &Uuid) -> bool {
        self.i.department == id.to_string()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    enterprise: String,
    project: String,
    visit: String,
}

/// What the form names as the appeal's subject. Only a record the user could raise an appeal about is
/// named: any other id reads like an unknown one (an empty subject), never the name of a record
/// outside the user's scope.
async fn subject_of(st: &AppState, user: &CurrentUser, i: &NewInput) -> AppResult<String> {
    let mut conn = st.db.conn().await?;
    let serves = |path: &str| authz::check(user, Permission::ServeEnterprises, Some(path)).is_ok();
    if let Ok(id) = Uuid::parse_str(i.visit.trim())
        && let Some(v) = crate::enterprise_service::visits::store::get(&mut conn.ex(), id).await?
        && authz::check(user, Permission::ViewBusiness, Some(&v.region_path)).is_ok()
    {
        return Ok(format!("{} 的走访（{}）", v.enterprise_name, v.v.visited_on));
    }
    if let Ok(id) = Uuid::parse_str(i.enterprise.trim())
        && let Some(e) = crate::enterprises::store::get(&mut conn.ex(), id).await?
        && serves(&e.region_path)
    {
        return Ok(e.e.name);
    }
    if let Ok(id) = Uuid::parse_str(i.project.trim())
        && let Some(p) = crate::projects::store::get(&mut conn.ex(), id).await?
        && serves(&p.region_path)
    {
        return Ok(p.p.name);
    }
    Ok(String::new())
}

async fn new_page(
    AxState(st): AxState<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> AppResult<Html<String>> {
    let i = NewInput { enterprise: q.enterprise, project: q.project, visit: q.visit, ..Default::default() };
    html(&NewPage {
        l: Layout::new("提出诉求", Some(&user), "service"),
        subject: subject_of(&st, &user, &i).await?,
        c: choices(&st, &user).await?,
        i,
        errors: vec![],
    })
}

async fn create(
    AxState(st): AxState<AppState>,
    user: CurrentUser,
    actor: Actor,
    Form(i): Form<NewFormInput>,
) -> AppResult<Response> {
    let back = i.back.clone();
    let i = i.into_input();
    match service::create(&st.db, &user, &actor, &i).await {
        Ok(a) => {
            let done = format!("诉求 {} 已登记，{} 前办结", a.number, a.due_on);
            let to = match back.as_str() {
                "visit" if a.visit_id.is_some() => format!("/service/visits/{}", a.visit_id.unwrap_or_default()),
                _ => format!("/service/appeals/{}", a.id),
            };
            Ok(Redirect::to(&format!("{to}?notice={}", urlencode(&done))).into_response())
        }
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let page = NewPage {
                l: Layout::new("提出诉求", Some(&user), "service"),
                subject: subject_of(&st, &user, &i).await?,
                c: choices(&st, &user).await?,
                i,
                errors,
            };
            Ok((status, html(&page)?).into_response())
        }
    }
}

/// The new-appeal form's fields, plus where to go afterwards.
#[derive(Deserialize, Default)]
#[serde(default)]
struct NewFormInput {
    title: String,
    detail: String,
    category: String,
    tier: String,
    enterprise: String,
    project: String,
    visit: String,
    contact: String,
    department: String,
    back: String,
}

impl NewFormInput {
    fn into_input(self) -> NewInput {
        NewInput {
            title: self.title,
            detail: self.detail,
            category: self.category,
            tier: self.tier,
            enterprise: self.enterprise,
            project: self.project,
            visit: self.visit,
            contact: self.contact,
            department: self.department,
        }
    }
}

#[derive(Template)]
#[template(path = "enterprise_service/appeal_show.html")]
pub struct ShowPage {
    pub l: Layout,
    pub r: Row,
    pub u: Option<Urgency>,
    pub events: Vec<Event>,
    pub moves: Vec<Action>,
    pub departments: Vec<Department>,
    pub leaders: Vec<(Uuid, String, String)>,
    pub supervisions: Vec<&'static str>,
    pub errors: Vec<FieldError>,
    pub draft: ActInput,
    pub access: Access,
}

impl ShowPage {
    fn can(&self, action: &str) -> bool {
        self.moves.iter().any(|a| a.code() == action)
    }
    fn on_the_spot(&self) -> bool {
        self.access.service && self.r.state() == State::Pending
    }
    fn is_draft_department(&self, id: &Uuid) -> bool {
        self.draft.department == id.to_string()
    }
    fn is_draft_supervisor(&self, id: &Uuid, username: &str) -> bool {
        self.draft.supervisor == username || self.draft.supervisor == id.to_string()
    }
}

pub async fn show_page(
    st: &AppState,
    user: &CurrentUser,
    r: Row,
    access: Access,
    notice: Option<String>,
    errors: Vec<FieldError>,
    draft: ActInput,
) -> AppResult<ShowPage> {
    let mut conn = st.db.conn().await?;
    let cal = settings::store::calendar(&mut conn.ex()).await?;
    let state = r.state();
    let mut moves = Vec::new();
    if access.service {
        moves.extend(available(state, Side::Service));
    }
    if access.department {
        let theirs: Vec<Action> =
            available(state, Side::Department).into_iter().filter(|a| !moves.contains(a)).collect();
        moves.extend(theirs);
    }
    let departments = if access.service && moves.contains(&Action::Dispatch) {
        departments::store::for_region_chain(&mut conn.ex(), &r.region_path).await?
    } else {
        vec![]
    };
    let leaders =
        if moves.contains(&Action::Supervise) { store::leaders(&mut conn.ex(), &r.region_path).await? } else { vec![] };
    let events = store::events(&mut conn.ex(), r.a.id).await?;
    Ok(ShowPage {
        l: Layout::new(&format!("诉求 {}", r.a.number), Some(user), if access.view { "service" } else { "inbox" })
            .with_notice(notice),
        u: urgency(&r, crate::projects::service::today(), &cal),
        r,
        events,
        moves,
        departments,
        leaders,
        supervisions: Supervision::ALL.iter().map(|s| s.label()).collect(),
        errors,
        draft,
        access,
    })
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn show(
    AxState(st): AxState<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let (r, access) = service::visible(&st.db, &user, &id).await?;
    html(&show_page(&st, &user, r, access, q.notice, vec![], ActInput::default()).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActForm {
    action: String,
    version: String,
    department: String,
    reason: String,
    days: String,
    answer: String,
    satisfaction: String,
    note: String,
    supervision: String,
    supervisor: String,
}

async fn act(
    AxState(st): AxState<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<ActForm>,
) -> AppResult<Response> {
    let i = ActInput {
        action: f.action,
        department: f.department,
        reason: f.reason,
        days: f.days,
        answer: f.answer,
        satisfaction: f.satisfaction,
        note: f.note,
        supervision: f.supervision,
        supervisor: f.supervisor,
    };
    let version = f.version.trim().parse().ok();
    match act::act(&st.db, &user, &actor, &id, version, &i).await {
        Ok(a) => {
            let label = Action::parse(&i.action).map(|a| a.label()).unwrap_or("操作");
            let done = format!("已{label}，诉求现为“{}”", state_label(&a.state));
            Ok(Redirect::to(&format!("/service/appeals/{}?notice={}", a.id, urlencode(&done))).into_response())
        }
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let (r, access) = service::visible(&st.db, &user, &id).await?;
            let page = show_page(&st, &user, r, access, None, errors, i).await?;
            Ok((status, html(&page)?).into_response())
        }
    }
}

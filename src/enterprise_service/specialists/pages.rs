//! Service pages of one enterprise or project (specialist and handovers, visits, appeals), the
//! coverage list (key records without a specialist) and the specialists' workloads.

use super::model::Kind;
use super::service;
use super::store::{self, Assignment, Candidate, Covered, Workload};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::Actor;
use crate::enterprise_service::appeals::store::Of;
use crate::enterprise_service::pages::refusal;
use crate::enterprise_service::visits::model::{Tier, VisitDue, visit_due};
use crate::error::{AppError, AppResult, FieldError};
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
use uuid::Uuid;

pub fn routes(r: Routes) -> Routes {
    use Permission::*;
    r.page(Method::GET, "/service/enterprises/{enterprise_id}", Rule::Perm(ViewBusiness), "企业服务档案", enterprise)
        .page(
            Method::POST,
            "/service/enterprises/{enterprise_id}/specialist",
            Rule::Perm(AssignSpecialists),
            "指定或更换企业服务专员",
            assign_enterprise,
        )
        .page(Method::GET, "/service/projects/{project_id}", Rule::Perm(ViewBusiness), "项目服务档案", project)
        .page(
            Method::POST,
            "/service/projects/{project_id}/specialist",
            Rule::Perm(AssignSpecialists),
            "指定或更换项目服务专员",
            assign_project,
        )
        .page(
            Method::GET,
            "/service/coverage",
            Rule::Perm(ViewBusiness),
            "服务专员覆盖（未配专员的重点企业和项目）",
            coverage,
        )
        .page(Method::GET, "/service/specialists", Rule::Perm(ViewBusiness), "服务专员工作量", workloads)
}

#[derive(Template)]
#[template(path = "enterprise_service/record.html")]
struct RecordPage {
    l: Layout,
    kind: Kind,
    id: Uuid,
    name: String,
    region_name: String,
    /// Enterprise: tier and cadence status; project: stage.
    facts: Vec<(&'static str, String)>,
    current: Option<Assignment>,
    history: Vec<Assignment>,
    candidates: Vec<Candidate>,
    visits: Vec<crate::enterprise_service::visits::store::Row>,
    appeals: Vec<crate::enterprise_service::appeals::service::Line>,
    can_serve: bool,
    can_assign: bool,
    errors: Vec<FieldError>,
    back: String,
}

async fn record_page(
    st: &AppState,
    user: &CurrentUser,
    kind: Kind,
    id: &str,
    notice: Option<String>,
    errors: Vec<FieldError>,
) -> AppResult<RecordPage> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let mut conn = st.db.conn().await?;
    let (_, path, name) = store::target(&mut conn.ex(), kind, id).await?.ok_or(AppError::NotFound)?;
    authz::check(user, Permission::ViewBusiness, Some(&path))?;
    let region_name =
        crate::regions::store::get(&mut conn.ex(), path.trim_end_matches('/').rsplit('/').next().unwrap_or(""))
            .await?
            .map(|r| r.name)
            .unwrap_or_default();
    let history = store::history(&mut conn.ex(), kind, id).await?;
    let current = history.iter().find(|a| a.ended_at.is_none()).cloned();
    let can_serve = authz::check(user, Permission::ServeEnterprises, Some(&path)).is_ok();
    let can_assign = authz::check(user, Permission::AssignSpecialists, Some(&path)).is_ok();
    // Nobody is offered to themselves: the assignment would give them edit rights.
    let candidates = if can_assign {
        store::candidates(&mut conn.ex(), &path).await?.into_iter().filter(|c| c.id != user.id).collect()
    } else {
        vec![]
    };
    let today = crate::projects::service::today();
    let mut facts = Vec::new();
    let mut visits = Vec::new();
    let of = match kind {
        Kind::Enterprise => {
            let e = crate::enterprises::store::get(&mut conn.ex(), id).await?.ok_or(AppError::NotFound)?;
            let tier = Tier::of(e.e.tags, e.e.size.as_deref());
            let rules = crate::enterprise_service::settings::store::rules(&mut conn.ex()).await?;
            let (rows, _) = crate::enterprise_service::visits::store::page(
                &mut conn.ex(),
                &[path.clone()],
                None,
                None,
                None,
                None,
                None,
                Some(id),
                1,
            )
            .await?;
            let due: VisitDue = visit_due(rows.first().map(|r| r.v.visited_on), rules.cadence.days(tier), today);
            facts.push(("企业分级", format!("{}（每 {} 天走访一次）", tier.label(), rules.cadence.days(tier))));
            facts.push(("走访状态", due.label()));
            facts.push(("标签", if e.e.tags == 0 { "—".into() } else { e.tag_labels() }));
            visits = rows.into_iter().take(20).collect();
            Of::Enterprise(id)
        }
        Kind::Project => {
            let p = crate::projects::store::get(&mut conn.ex(), id).await?.ok_or(AppError::NotFound)?;
            facts.push(("阶段", p.p.stage.label().to_string()));
            facts.push(("总投资", p.p.total_investment.human()));
            Of::Project(id)
        }
    };
    drop(conn);
    let appeals = crate::enterprise_service::appeals::service::lines_of(&st.db, of).await?;
    let back = match kind {
        Kind::Enterprise => format!("/enterprises/{id}"),
        Kind::Project => format!("/projects/{id}"),
    };
    Ok(RecordPage {
        l: Layout::new(&format!("{name} · 服务档案"), Some(user), "service").with_notice(notice),
        kind,
        id,
        name,
        region_name,
        facts,
        current,
        history,
        candidates,
        visits,
        appeals,
        can_serve,
        can_assign,
        errors,
        back,
    })
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn enterprise(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    html(&record_page(&st, &user, Kind::Enterprise, &id, q.notice, vec![]).await?)
}

async fn project(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    html(&record_page(&st, &user, Kind::Project, &id, q.notice, vec![]).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AssignForm {
    specialist: String,
    current: String,
    note: String,
}

async fn assign(
    st: AppState,
    user: CurrentUser,
    actor: Actor,
    kind: Kind,
    id: String,
    f: AssignForm,
) -> AppResult<Response> {
    let seen = Uuid::parse_str(f.current.trim()).ok();
    let path = match kind {
        Kind::Enterprise => "enterprises",
        Kind::Project => "projects",
    };
    match service::assign(&st.db, &user, &actor, kind, &id, &f.specialist, seen, &f.note).await {
        Ok(a) => {
            let done = format!("服务专员已指定为{}", a.specialist_name);
            Ok(Redirect::to(&format!("/service/{path}/{id}?notice={}", urlencode(&done))).into_response())
        }
        Err(e) => {
            let (status, errors) = refusal(e)?;
            Ok((status, html(&record_page(&st, &user, kind, &id, None, errors).await?)?).into_response())
        }
    }
}

async fn assign_enterprise(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<AssignForm>,
) -> AppResult<Response> {
    assign(st, user, actor, Kind::Enterprise, id, f).await
}

async fn assign_project(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<AssignForm>,
) -> AppResult<Response> {
    assign(st, user, actor, Kind::Project, id, f).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CoverageQuery {
    mine: Option<String>,
    region: Option<String>,
}

#[derive(Template)]
#[template(path = "enterprise_service/coverage.html")]
struct CoveragePage {
    l: Layout,
    mine: bool,
    enterprises: Vec<Covered>,
    projects: Vec<Covered>,
    limit: i64,
}

async fn coverage(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<CoverageQuery>,
) -> AppResult<Html<String>> {
    let rp =
        crate::enterprise_service::filters::region_path(&st.db, &user, Permission::ViewBusiness, &q.region).await?;
    let paths = match rp {
        Some(p) => vec![p],
        None => crate::accounts::service::scope_paths(&user, Permission::ViewBusiness),
    };
    let mine = crate::enterprise_service::appeals::store::some(&q.mine).is_some();
    let me = mine.then_some(user.id);
    let limit = 500;
    let mut conn = st.db.conn().await?;
    let enterprises = store::enterprises(&mut conn.ex(), &paths, me, limit).await?;
    let projects = store::projects(&mut conn.ex(), &paths, me, limit).await?;
    html(&CoveragePage {
        l: Layout::new(if mine { "我服务的企业与项目" } else { "服务专员覆盖" }, Some(&user), "service"),
        mine,
        enterprises,
        projects,
        limit,
    })
}

#[derive(Template)]
#[template(path = "enterprise_service/specialists.html")]
struct WorkloadPage {
    l: Layout,
    rows: Vec<Workload>,
}

async fn workloads(State(st): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let since = crate::projects::service::today() - time::Duration::days(90);
    let mut conn = st.db.conn().await?;
    let mut rows: Vec<Workload> = Vec::new();
    for p in crate::accounts::service::scope_paths(&user, Permission::ViewBusiness) {
        for w in store::workloads(&mut conn.ex(), &p, since).await? {
            if !rows.iter().any(|x| x.id == w.id) {
                rows.push(w);
            }
        }
    }
    html(&WorkloadPage { l: Layout::new("服务专员工作量", Some(&user), "service"), rows })
}

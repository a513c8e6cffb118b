//! Project pages: the list (filters in the URL), detail, create and edit.

use super::EDIT;
use super::list::{self, Filter, PAGE_SIZE};
use super::model::{Capital, Channel, Nature, ProjectTag, Sector, SourceTag, days_between, labels_of};
use super::service;
use super::stage::{Health, Milestone, Stage, TransitionInput, days_late};
use super::store::{self, EvidenceMeta, Investor, Row, StageLog};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::domain::filters;
use crate::domain::money::format_mu;
use crate::error::{AppError, AppResult, FieldError};
use crate::regions::model::Region;
use crate::web::AppState;
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::Method;
use axum::response::{Html, Response};

pub fn routes(r: Routes) -> Routes {
    use Permission::*;
    let r = r
        .page(Method::GET, "/projects", Rule::Perm(ViewBusiness), "项目库", list_page)
        .page(Method::GET, "/projects/export/{format}", Rule::Perm(ViewBusiness), "导出当前筛选结果", export)
        .page(Method::GET, "/projects/new", Rule::Perm(EditProjects), "新增项目页", super::pages_form::new_page)
        .page(Method::POST, "/projects", Rule::Perm(EditProjects), "新增项目", super::pages_form::create)
        .page(Method::GET, "/projects/{project_id}", Rule::Perm(ViewBusiness), "项目详情", show)
        .page(Method::GET, "/projects/{project_id}/edit", EDIT, "编辑项目页", super::pages_form::edit_page)
        .page(Method::POST, "/projects/{project_id}", EDIT, "保存项目", super::pages_form::update);
    super::pages_speed::routes(super::pages_stage::routes(r))
}

/// Filter and form choices.
pub struct Choices {
    pub regions: Vec<Region>,
    pub stages: Vec<(&'static str, &'static str)>,
    pub healths: Vec<(&'static str, &'static str)>,
    pub sectors: Vec<&'static str>,
    pub natures: Vec<&'static str>,
    pub capitals: Vec<&'static str>,
    pub channels: Vec<&'static str>,
    pub sources: Vec<&'static str>,
    pub tags: Vec<&'static str>,
}

pub async fn choices(st: &AppState, user: &CurrentUser, perm: Permission) -> AppResult<Choices> {
    Ok(Choices {
        regions: crate::regions::service::pickable(&st.db, user, perm).await?,
        stages: Stage::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        healths: Health::ALL.iter().map(|h| (h.code(), h.label())).collect(),
        sectors: Sector::labels(),
        natures: Nature::labels(),
        capitals: Capital::labels(),
        channels: Channel::labels(),
        sources: SourceTag::labels(),
        tags: ProjectTag::labels(),
    })
}

/// A file's size for the evidence list: a small scan or a one-page PDF is not "0 KB".
pub fn file_size(bytes: &i64) -> String {
    const KB: i64 = 1024;
    match *bytes {
        b if b < KB => format!("{b} B"),
        b if b < KB * KB => format!("{} KB", (b + KB - 1) / KB),
        b => format!("{:.1} MB", b as f64 / (KB * KB) as f64),
    }
}

#[derive(Template)]
#[template(path = "projects/list.html")]
struct ListPage {
    l: Layout,
    f: Filter,
    c: Choices,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    query: String,
    next_after: Option<String>,
    can_edit: bool,
}

impl ListPage {
    /// Filters the form has no control for (they arrive from drill-down links): kept and shown.
    fn hidden(&self) -> Vec<(&'static str, &'static str, String)> {
        let f = &self.f;
        [
            ("started_from", "开工日期起", &f.started_from),
            ("started_to", "开工日期止", &f.started_to),
            ("due_by", "计划开工不晚于", &f.due_by),
            ("industrial", "产业项目", &f.industrial),
            ("max_total", "总投资不超过（万元）", &f.max_total),
        ]
        .into_iter()
        .filter_map(|(k, label, v)| v.as_deref().filter(|v| !v.trim().is_empty()).map(|v| (k, label, v.to_string())))
        .collect()
    }

    /// The link that sorts by `key`, toggling direction when it is already the sort.
    fn sort_link(&self, key: &str) -> String {
        let mut f = self.f.clone();
        f.page = None;
        f.after = None;
        f.sort = Some(if self.f.sort.as_deref() == Some(key) { format!("-{key}") } else { key.to_string() });
        format!("/projects?{}", serde_urlencoded::to_string(&f).unwrap_or_default())
    }
}

pub fn query_without_page(f: &Filter) -> String {
    let mut f = f.clone();
    f.page = None;
    f.after = None;
    serde_urlencoded::to_string(&f).unwrap_or_default()
}

/// The region filter's subtree path, checked against the scope (outside it: 404).
async fn list_page(State(st): State<AppState>, user: CurrentUser, Query(f): Query<Filter>) -> AppResult<Html<String>> {
    let (rows, total) = service::search(&st.db, &user, &f).await?;
    let page = f.page.unwrap_or(1).max(1);
    html(&ListPage {
        l: Layout::new("项目库", Some(&user), "projects"),
        c: choices(&st, &user, Permission::ViewBusiness).await?,
        query: query_without_page(&f),
        can_edit: user.can(Permission::EditProjects),
        next_after: list::next_after(&rows, page, total),
        page,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        f,
        rows,
        total,
    })
}

/// The list's current view (same filters, same order) as a file.
async fn export(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(format): Path<String>,
    Query(f): Query<Filter>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let format = super::export::Format::parse(&format).map_err(|_| AppError::NotFound)?;
    let rp = service::region_path(&st.db, &user, &f).await?;
    let scopes = crate::accounts::service::scope_paths(&user, Permission::ViewBusiness);
    let mut conn = st.db.conn().await?;
    let rows = list::all(&mut conn.ex(), &scopes, rp.as_deref(), &f, super::export::LIMIT).await?;
    drop(conn);
    let bytes = super::export::render(&rows, format).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    crate::audit::Export::of(&user, Permission::ViewBusiness, "projects", "project")
        .region(f.region.as_deref())
        .format(format.ext())
        .query(raw.as_deref())
        .rows(rows.len())
        .record(&st.db, &actor)
        .await?;
    Ok(crate::web::download(&super::export::filename(&f, format), bytes))
}

pub struct MilestoneRow {
    pub label: &'static str,
    pub planned: Option<time::Date>,
    pub actual: Option<time::Date>,
    pub late: Option<i64>,
}

pub fn milestones(r: &Row) -> Vec<MilestoneRow> {
    let p = &r.p;
    let today = service::today();
    let pairs = [
        (p.planned_sign, p.actual_sign),
        (p.planned_register, p.actual_register),
        (p.planned_land, p.actual_land),
        (p.planned_start, p.actual_start),
        (p.planned_produce, p.actual_produce),
        (p.planned_full_produce, p.actual_full_produce),
    ];
    Milestone::ALL
        .iter()
        .zip(pairs)
        .map(|(m, (planned, actual))| MilestoneRow {
            label: m.label(),
            planned,
            actual,
            late: days_late(planned, actual, today),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "projects/show.html")]
pub struct ShowPage {
    pub l: Layout,
    pub r: Row,
    pub investors: Vec<(Investor, bool)>,
    pub milestones: Vec<MilestoneRow>,
    pub speed: Vec<(&'static str, Option<i64>)>,
    pub log: Vec<StageLog>,
    pub evidence: Vec<EvidenceMeta>,
    pub can_edit: bool,
    pub next_stage: Option<(&'static str, &'static str)>,
    pub stages: Vec<(&'static str, &'static str)>,
    pub healths: Vec<(&'static str, &'static str)>,
    pub errors: Vec<FieldError>,
    pub sources: String,
    pub tags: String,
    pub land: String,
    pub supplied: String,
    pub draft: TransitionDraft,
    /// The local company (项目公司) by its credit code: (id, name) when registered and visible.
    pub local_company: Option<(String, String)>,
}

impl ShowPage {
    /// The status the status form shows: what was just typed if refused, else the project's.
    fn health_chosen(&self) -> &str {
        self.draft.health.as_ref().map(|(h, _)| h.as_str()).unwrap_or(self.r.p.health.code())
    }
    fn health_reason_typed(&self) -> &str {
        match &self.draft.health {
            Some((_, reason)) => reason,
            None => self.r.p.health_reason.as_deref().unwrap_or(""),
        }
    }
}

/// What was typed into the transition form, filled in again when the move is refused, so that a
/// mistake in one field does not cost the officer the others.
#[derive(Default)]
pub struct TransitionDraft {
    pub to: String,
    pub input: TransitionInput,
    /// The status and reason typed into the status form, when that was refused.
    pub health: Option<(String, String)>,
}

pub async fn show_page(
    st: &AppState,
    user: &CurrentUser,
    r: Row,
    notice: Option<String>,
    errors: Vec<FieldError>,
) -> AppResult<ShowPage> {
    let mut conn = st.db.conn().await?;
    let investors = store::investors(&mut conn.ex(), r.p.id)
        .await?
        .into_iter()
        .map(|i| {
            let visible = authz::check(user, Permission::ViewBusiness, Some(&i.region_path)).is_ok();
            (i, visible)
        })
        .collect();
    let log = store::stage_log(&mut conn.ex(), r.p.id).await?;
    let local_company = match &r.p.local_credit_code {
        Some(code) => crate::enterprises::store::by_credit_code(&mut conn.ex(), code)
            .await?
            .filter(|e| authz::check(user, Permission::ViewBusiness, Some(&e.region_path)).is_ok())
            .map(|e| (e.e.id.to_string(), e.e.name)),
        None => None,
    };
    let evidence = store::evidence_list(&mut conn.ex(), r.p.id).await?;
    let p = &r.p;
    let speed = vec![
        ("签约→开工", days_between(p.actual_sign, p.actual_start)),
        ("开工→投产", days_between(p.actual_start, p.actual_produce)),
        ("签约→投产", days_between(p.actual_sign, p.actual_produce)),
    ];
    let stage = p.stage;
    Ok(ShowPage {
        l: Layout::new(&p.name, Some(user), "projects").with_notice(notice),
        can_edit: authz::check(user, Permission::EditProjects, Some(&r.region_path)).is_ok()
            || crate::enterprise_service::specialists::service::edits_as_specialist(
                &mut conn.ex(),
                user,
                crate::enterprise_service::specialists::model::Kind::Project,
                r.p.id,
                &r.region_path,
            )
            .await?,
        next_stage: stage.next().map(|s| (s.code(), s.label())),
        stages: Stage::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        healths: Health::ALL.iter().map(|h| (h.code(), h.label())).collect(),
        sources: labels_of(SourceTag::ALL, p.sources, SourceTag::label).join("、"),
        tags: labels_of(ProjectTag::ALL, p.tags, ProjectTag::label).join("、"),
        land: p.land_mu.map(format_mu).unwrap_or_else(|| "—".into()),
        supplied: p.supplied_mu.map(format_mu).unwrap_or_else(|| "—".into()),
        milestones: milestones(&r),
        investors,
        speed,
        log,
        evidence,
        errors,
        r,
        draft: TransitionDraft::default(),
        local_company,
    })
}

#[derive(serde::Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn show(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let r = service::visible(&st.db, &user, Permission::ViewBusiness, &id).await?;
    html(&show_page(&st, &user, r, q.notice, vec![]).await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_sizes_read_naturally() {
        assert_eq!(super::file_size(&40), "40 B");
        assert_eq!(super::file_size(&1025), "2 KB");
        assert_eq!(super::file_size(&(20 * 1024 * 1024)), "20.0 MB");
    }
}

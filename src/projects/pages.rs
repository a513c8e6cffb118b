//! Project pages: the list (filters in the URL), detail, create and edit.

use super::list::{self, Filter, PAGE_SIZE};
use super::model::{Capital, Channel, Input, Nature, ProjectTag, Sector, SourceTag, days_between, labels_of};
use super::service;
use super::stage::{Health, Milestone, Stage, TransitionInput, days_late};
use super::store::{self, EvidenceMeta, Investor, Row, StageLog};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::domain::filters;
use crate::domain::money::{Money, format_mu};
use crate::error::{AppError, AppResult, FieldError};
use crate::regions::model::Region;
use crate::web::AppState;
use crate::web::auth::urlencode;
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

/// Editing an existing project: the editors in scope, and the record's own 服务专员 (the service
/// checks which; DESIGN §4). Creating stays with the editors.
pub const EDIT: Rule = Rule::AnyOf(&[Permission::EditProjects, Permission::ServeEnterprises]);

pub fn routes(r: Routes) -> Routes {
    use Permission::*;
    let r = r
        .page(Method::GET, "/projects", Rule::Perm(ViewBusiness), "项目库", list_page)
        .page(Method::GET, "/projects/export/{format}", Rule::Perm(ViewBusiness), "导出当前筛选结果", export)
        .page(Method::GET, "/projects/new", Rule::Perm(EditProjects), "新增项目页", new_page)
        .page(Method::POST, "/projects", Rule::Perm(EditProjects), "新增项目", create)
        .page(Method::GET, "/projects/{project_id}", Rule::Perm(ViewBusiness), "项目详情", show)
        .page(Method::GET, "/projects/{project_id}/edit", EDIT, "编辑项目页", edit_page)
        .page(Method::POST, "/projects/{project_id}", EDIT, "保存项目", update);
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

/// A stage's name from a code read as text by the enterprise-service context's own queries.
pub fn stage_label(code: &str) -> &'static str {
    Stage::parse(code).map(|s| s.label()).unwrap_or("")
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

#[derive(Template)]
#[template(path = "projects/form.html")]
struct FormPage {
    l: Layout,
    i: Input,
    c: Choices,
    errors: Vec<FieldError>,
    editing: Option<(String, i64)>,
}

impl FormPage {
    fn has(&self, list: &str, item: &str) -> bool {
        list.split(['、', ',', '，', ' ']).any(|t| t.trim() == item)
    }
}

async fn new_page(State(st): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let i = Input { region: user.grants.first().map(|g| g.scope.clone()).unwrap_or_default(), ..Default::default() };
    html(&FormPage {
        l: Layout::new("新增项目", Some(&user), "projects"),
        c: choices(&st, &user, Permission::EditProjects).await?,
        i,
        errors: vec![],
        editing: None,
    })
}

/// The form's fields; checkbox groups (`sources`, `tags`) arrive repeated and are joined.
fn form_input(body: &[u8]) -> AppResult<(Input, Option<i64>)> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| AppError::invalid("表单无法解析"))?;
    let mut map = serde_json::Map::new();
    for (k, v) in &pairs {
        match map.get_mut(k) {
            Some(serde_json::Value::String(s)) if k == "sources" || k == "tags" => {
                s.push('、');
                s.push_str(v);
            }
            _ => {
                map.insert(k.clone(), serde_json::Value::String(v.clone()));
            }
        }
    }
    let version = map.get("version").and_then(|v| v.as_str()).and_then(|v| v.parse().ok());
    map.retain(|k, _| k != "_csrf" && k != "version");
    let input: Input = serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| AppError::invalid(format!("表单无法解析：{e}")))?;
    Ok((input, version))
}

async fn form_error(
    st: &AppState,
    user: &CurrentUser,
    i: Input,
    editing: Option<(String, i64)>,
    e: AppError,
) -> AppResult<Response> {
    let (status, errors) = match e {
        AppError::Invalid { fields, message } if fields.is_empty() => {
            (StatusCode::UNPROCESSABLE_ENTITY, vec![FieldError { field: String::new(), message }])
        }
        AppError::Invalid { fields, .. } => (StatusCode::UNPROCESSABLE_ENTITY, fields),
        AppError::Conflict(message) => (StatusCode::CONFLICT, vec![FieldError { field: String::new(), message }]),
        other => return Err(other),
    };
    let title = if editing.is_some() { "编辑项目" } else { "新增项目" };
    let mut c = choices(st, user, Permission::EditProjects).await?;
    c.regions =
        crate::regions::service::with_own(&st.db, c.regions, editing.as_ref().map(|_| i.region.as_str())).await?;
    let page = FormPage { l: Layout::new(title, Some(user), "projects"), c, i, errors, editing };
    Ok((status, html(&page)?).into_response())
}

async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let (input, _) = form_input(&body)?;
    match service::create(&st.db, &user, &actor, &input).await {
        Ok(p) => Ok(Redirect::to(&format!("/projects/{}?notice={}", p.id, urlencode("项目已录入"))).into_response()),
        Err(e) => form_error(&st, &user, input, None, e).await,
    }
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

pub fn input_of(r: &Row, investors: &[Investor]) -> Input {
    let p = &r.p;
    let d = |x: Option<time::Date>| x.map(|d| d.to_string()).unwrap_or_default();
    let m = |x: Option<Money>| x.map(Money::wan).unwrap_or_default();
    Input {
        code: p.code.clone().unwrap_or_default(),
        name: p.name.clone(),
        region: p.region.clone(),
        industry: p.industry.clone().unwrap_or_default(),
        sector: p.sector.clone().unwrap_or_default(),
        industrial: if p.industrial { "是".into() } else { "否".into() },
        nature: p.nature.clone().unwrap_or_default(),
        capital: p.capital.clone().unwrap_or_default(),
        sources: labels_of(SourceTag::ALL, p.sources, SourceTag::label).join("、"),
        channel: p.channel.clone().unwrap_or_default(),
        total_investment: p.total_investment.wan(),
        fixed_investment: m(p.fixed_investment),
        foreign_usd: m(p.foreign_usd.map(Money)),
        expected_output: m(p.expected_output),
        expected_tax: m(p.expected_tax),
        expected_jobs: p.expected_jobs.map(|j| j.to_string()).unwrap_or_default(),
        land_mu: p.land_mu.map(format_mu).unwrap_or_default(),
        tags: labels_of(ProjectTag::ALL, p.tags, ProjectTag::label).join("、"),
        investors: investors.iter().map(|i| i.credit_code.clone()).collect::<Vec<_>>().join("、"),
        planned_sign: d(p.planned_sign),
        planned_register: d(p.planned_register),
        planned_land: d(p.planned_land),
        planned_start: d(p.planned_start),
        planned_produce: d(p.planned_produce),
        planned_full_produce: d(p.planned_full_produce),
    }
}

async fn edit_page(State(st): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> AppResult<Html<String>> {
    let r = service::visible(&st.db, &user, Permission::EditProjects, &id).await?;
    let mut conn = st.db.conn().await?;
    let investors = store::investors(&mut conn.ex(), r.p.id).await?;
    drop(conn);
    let mut c = choices(&st, &user, Permission::EditProjects).await?;
    c.regions = crate::regions::service::with_own(&st.db, c.regions, Some(&r.p.region)).await?;
    html(&FormPage {
        l: Layout::new("编辑项目", Some(&user), "projects"),
        c,
        i: input_of(&r, &investors),
        errors: vec![],
        editing: Some((r.p.id.to_string(), r.p.version)),
    })
}

async fn update(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    service::visible(&st.db, &user, Permission::EditProjects, &id).await?;
    let (input, version) = form_input(&body)?;
    let version = version.ok_or_else(|| AppError::invalid("表单缺少版本号，请刷新后重试"))?;
    match service::update(&st.db, &user, &actor, &id, version, &input).await {
        Ok(p) => Ok(Redirect::to(&format!("/projects/{}?notice={}", p.id, urlencode("已保存"))).into_response()),
        Err(e) => form_error(&st, &user, input, Some((id, version)), e).await,
    }
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

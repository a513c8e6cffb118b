//! Evaluation pages: the units table with its ranking, the indicator library and weights, annual
//! targets, and frozen rankings.

use super::indicators::{Def, LIBRARY};
use super::period::Period;
use super::service::{self, Evaluation, Level};
use super::view::{self, Column, TableRow, View};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::error::{AppError, AppResult, FieldError};
use crate::regions::model::Region;
use crate::web::AppState;
use crate::web::auth::urlencode;
use crate::web::charts::{Mark, bars};
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::sync::Arc;

pub fn routes(r: Routes) -> Routes {
    let r = super::pages_cockpit::routes(r);
    let r = super::pages_flags::routes(r);
    let r = super::pages_breakdowns::routes(r);
    use Permission::*;
    let view = Rule::Perm(ViewBusiness);
    let manage = Rule::Perm(ManageEvaluation);
    r.page(Method::GET, "/evaluation", view, "考核评价", page)
        .page(Method::GET, "/evaluation/export", view, "考核评价（Excel）", export)
        .page(Method::GET, "/evaluation/indicators", view, "指标库与权重", indicators)
        .page(Method::POST, "/evaluation/weights", manage, "设置综合评分权重", save_weights)
        .page(Method::GET, "/evaluation/targets", view, "年度目标", targets)
        .page(Method::POST, "/evaluation/targets", manage, "设置年度目标", save_targets)
        .page(Method::GET, "/evaluation/rankings", view, "已发布排名", rankings)
        .page(Method::POST, "/evaluation/rankings", manage, "冻结并发布排名", freeze)
        .page(Method::GET, "/evaluation/rankings/{snapshot_id}", view, "排名快照", snapshot)
        .page(Method::GET, "/evaluation/rankings/{snapshot_id}/export", view, "排名快照（Excel）", snapshot_export)
}

pub async fn regions(st: &AppState, user: &CurrentUser) -> AppResult<Vec<Region>> {
    Ok(crate::regions::service::pickable(&st.db, user, Permission::ViewBusiness).await?)
}

#[derive(Template)]
#[template(path = "evaluation/page.html")]
struct EvalPage {
    l: Layout,
    v: View,
    scope: Region,
    period: Period,
    periods: Vec<(String, String)>,
    regions: Vec<Region>,
    level: Level,
    columns: Vec<Column>,
    rows: Vec<TableRow>,
    total: TableRow,
    chart: String,
    targets: Vec<(String, String, Vec<(String, String)>)>,
    target_names: Vec<&'static str>,
    weights: String,
    can_manage: bool,
}

impl EvalPage {
    fn q(&self) -> String {
        self.v.with(&[])
    }
    fn q_region(&self, code: &str) -> String {
        self.v.with(&[("region", code)])
    }
    fn level_name(&self) -> &'static str {
        view::level_label(self.level)
    }
}

/// Target completion per unit: (unit, "value / target", …) for the indicators that have targets.
fn target_rows(e: &Evaluation) -> (Vec<&'static str>, Vec<(String, String, Vec<(String, String)>)>) {
    let with: Vec<&Def> = LIBRARY.iter().filter(|d| d.has_target).collect();
    let cell = |d: &Def, f: &super::indicators::Facts, t: &[(String, i64)]| {
        let v = super::indicators::value(d.code, f);
        let target = service::target_value(d.code, t);
        let done = super::indicators::completion(v, target);
        (
            format!(
                "{} / {}",
                super::indicators::shown(d.unit, v),
                target.map(|t| super::indicators::shown(d.unit, Some(t))).unwrap_or_else(|| "未设".into())
            ),
            done.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "—".into()),
        )
    };
    let mut rows: Vec<(String, String, Vec<(String, String)>)> = e
        .units
        .iter()
        .map(|u| (u.code.clone(), u.name.clone(), with.iter().map(|d| cell(d, &u.facts, &u.targets)).collect()))
        .collect();
    rows.push((
        e.scope.clone(),
        format!("{}合计", e.scope_name),
        with.iter().map(|d| cell(d, &e.total, &e.targets)).collect(),
    ));
    (with.iter().map(|d| d.name).collect(), rows)
}

async fn load(st: &AppState, user: &CurrentUser, v: &View) -> AppResult<(Region, Period, Arc<Evaluation>)> {
    let period = v.period()?;
    let scope = service::scope(&st.db, user, v.region.as_deref()).await?;
    let e = service::evaluate(&st.db, &scope, period, v.level()).await?;
    Ok((scope, period, e))
}

async fn page(State(st): State<AppState>, user: CurrentUser, Query(v): Query<View>) -> AppResult<Html<String>> {
    let (scope, period, e) = load(&st, &user, &v).await?;
    let (rows, total) = view::rows(&e, period);
    let marks: Vec<Mark> = e
        .ranked
        .iter()
        .map(|r| {
            Mark::new(&r.name, r.score, format!("{:.2}", r.score)).link(format!(
                "/cockpit?region={}&period={}",
                r.code,
                period.code()
            ))
        })
        .collect();
    let (target_names, targets) = target_rows(&e);
    let weights = e
        .weights
        .iter()
        .filter(|(_, w)| *w > 0)
        .filter_map(|(c, w)| super::indicators::def(c).map(|d| format!("{} {w}", d.name)))
        .collect::<Vec<_>>()
        .join("、");
    html(&EvalPage {
        l: Layout::new("考核评价", Some(&user), "evaluation"),
        can_manage: authz::check(&user, Permission::ManageEvaluation, Some(&scope.path)).is_ok(),
        chart: bars(&format!("{}综合得分", view::level_label(e.level)), "分", &marks),
        columns: view::columns(view::TABLE),
        periods: view::period_choices(),
        regions: regions(&st, &user).await?,
        level: e.level,
        rows,
        total,
        targets,
        target_names,
        weights,
        scope,
        period,
        v,
    })
}

async fn export(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Query(v): Query<View>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let (scope, period, e) = load(&st, &user, &v).await?;
    let bytes = view::workbook(&e, period).map_err(|m| AppError::Internal(anyhow::anyhow!(m)))?;
    crate::audit::Export::of(&user, Permission::ViewBusiness, "evaluation", "evaluation")
        .region(Some(&scope.code))
        .query(raw.as_deref())
        .rows(e.units.len())
        .record(&st.db, &actor)
        .await?;
    Ok(crate::web::download(&format!("{}_{}_考核评价.xlsx", scope.display_name(), period.code()), bytes))
}

#[derive(Template)]
#[template(path = "evaluation/indicators.html")]
struct IndicatorsPage {
    l: Layout,
    library: Vec<(&'static Def, i64)>,
    can_set: bool,
    errors: Vec<FieldError>,
}

fn can_set_weights(user: &CurrentUser) -> bool {
    user.scopes(Permission::ManageEvaluation).iter().any(|(_, top)| *top)
}

async fn indicators(State(st): State<AppState>, user: CurrentUser, Query(q): Query<Notice>) -> AppResult<Html<String>> {
    html(&IndicatorsPage {
        l: Layout::new("指标库", Some(&user), "evaluation").with_notice(q.notice),
        library: service::library(&st.db).await?,
        can_set: can_set_weights(&user),
        errors: vec![],
    })
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    pub notice: Option<String>,
}

/// Form fields other than the CSRF token, in order.
fn fields(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k != "_csrf")
        .collect()
}

async fn save_weights(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    match service::set_weights(&st.db, &user, &actor, &fields(&body)).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/evaluation/indicators?notice={}", urlencode("权重已保存"))).into_response())
        }
        Err(AppError::Invalid { fields, .. }) => {
            let page = IndicatorsPage {
                l: Layout::new("指标库", Some(&user), "evaluation"),
                library: service::library(&st.db).await?,
                can_set: can_set_weights(&user),
                errors: fields,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&page)?).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct TargetQuery {
    region: Option<String>,
    year: Option<i32>,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "evaluation/targets.html")]
struct TargetsPage {
    l: Layout,
    scope: Region,
    year: i32,
    regions: Vec<Region>,
    rows: Vec<(&'static Def, String)>,
    can_manage: bool,
    errors: Vec<FieldError>,
}

async fn targets_page(
    st: &AppState,
    user: &CurrentUser,
    q: TargetQuery,
    errors: Vec<FieldError>,
) -> AppResult<TargetsPage> {
    let scope = service::scope(&st.db, user, q.region.as_deref()).await?;
    let year = q.year.unwrap_or_else(|| crate::projects::service::today().year());
    let mut conn = st.db.conn().await?;
    let stored = super::store::targets(&mut conn.ex(), &scope.code, year).await?;
    drop(conn);
    let rows = LIBRARY
        .iter()
        .filter(|d| d.has_target)
        .map(|d| {
            let v = service::target_value(d.code, &stored)
                .map(|v| super::indicators::shown(d.unit, Some(v)))
                .unwrap_or_default();
            (d, v)
        })
        .collect();
    Ok(TargetsPage {
        l: Layout::new("年度目标", Some(user), "evaluation").with_notice(q.notice),
        can_manage: authz::check(user, Permission::ManageEvaluation, Some(&scope.path)).is_ok(),
        regions: regions(st, user).await?,
        scope,
        year,
        rows,
        errors,
    })
}

async fn targets(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TargetQuery>,
) -> AppResult<Html<String>> {
    html(&targets_page(&st, &user, q, vec![]).await?)
}

async fn save_targets(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let all = fields(&body);
    let get = |k: &str| all.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let region = get("region");
    let year: i32 = get("year").trim().parse().map_err(|_| AppError::field("year", "年份应为四位数字"))?;
    let scope = service::scope(&st.db, &user, Some(&region)).await?;
    let values: Vec<(String, String)> = all.iter().filter(|(k, _)| k != "region" && k != "year").cloned().collect();
    match service::set_targets(&st.db, &user, &actor, &scope, year, &values).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/evaluation/targets?region={}&year={year}&notice={}",
            scope.code,
            urlencode("目标已保存")
        ))
        .into_response()),
        Err(AppError::Invalid { fields, .. }) => {
            let q = TargetQuery { region: Some(scope.code.clone()), year: Some(year), notice: None };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&targets_page(&st, &user, q, fields).await?)?).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "evaluation/rankings.html")]
struct RankingsPage {
    l: Layout,
    list: Vec<super::store::Snapshot>,
}

async fn rankings(State(st): State<AppState>, user: CurrentUser, Query(q): Query<Notice>) -> AppResult<Html<String>> {
    let mut conn = st.db.conn().await?;
    let mut list = Vec::new();
    for (path, _) in user.scopes(Permission::ViewBusiness) {
        list.extend(super::store::snapshots(&mut conn.ex(), &path).await?);
    }
    html(&RankingsPage { l: Layout::new("已发布排名", Some(&user), "evaluation").with_notice(q.notice), list })
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct FreezeForm {
    region: String,
    period: String,
    level: String,
}

async fn freeze(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    axum::Form(f): axum::Form<FreezeForm>,
) -> AppResult<Response> {
    let scope = service::scope(&st.db, &user, Some(&f.region)).await?;
    let period = Period::parse(&f.period).map_err(|e| AppError::field("period", e))?;
    let id = service::freeze(&st.db, &user, &actor, &scope, period, Level::parse(&f.level)).await?;
    Ok(Redirect::to(&format!("/evaluation/rankings/{id}?notice={}", urlencode("排名已冻结发布，今后不再变化")))
        .into_response())
}

#[derive(Template)]
#[template(path = "evaluation/snapshot.html")]
struct SnapshotPage<'a> {
    l: Layout,
    s: &'a super::store::Snapshot,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    chart: String,
}

async fn snapshot(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<Notice>,
) -> AppResult<Html<String>> {
    let published = service::snapshot(&st.db, &user, &id).await?;
    let (s, frozen) = (&published.snapshot, &published.frozen);
    let (headers, cells) = view::ranking_cells(&frozen.ranked);
    let rows = cells
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|c| match c {
                    crate::imports::Cell::Text(t) | crate::imports::Cell::Date(t) => t,
                    crate::imports::Cell::Int(i) => i.to_string(),
                    crate::imports::Cell::Money(m) => crate::domain::money::Money(m).wan(),
                    crate::imports::Cell::Empty => String::new(),
                })
                .collect()
        })
        .collect();
    let marks: Vec<Mark> =
        frozen.ranked.iter().map(|r| Mark::new(&r.name, r.score, format!("{:.2}", r.score))).collect();
    html(&SnapshotPage {
        l: Layout::new(&s.title, Some(&user), "evaluation").with_notice(q.notice),
        chart: bars(&s.title, "分", &marks),
        headers,
        rows,
        s,
    })
}

async fn snapshot_export(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let published = service::snapshot(&st.db, &user, &id).await?;
    let (s, frozen) = (&published.snapshot, &published.frozen);
    crate::audit::Export::of(&user, Permission::ViewBusiness, "ranking", "ranking_snapshot")
        .region(Some(&s.region))
        .record_id(s.id)
        .rows(frozen.ranked.len())
        .record(&st.db, &actor)
        .await?;
    let (headers, rows) = view::ranking_cells(&frozen.ranked);
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    let bytes =
        crate::imports::table("综合排名", &h, rows.into_iter()).map_err(|m| AppError::Internal(anyhow::anyhow!(m)))?;
    Ok(crate::web::download(&format!("{}.xlsx", s.title), bytes))
}

//! Breakdowns as tables and bar charts, each exportable; and the evaluation figures as JSON.

use super::breakdown::{self, Dimension};
use super::period::Period;
use super::service;
use super::view::{self, View};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::domain::money::Money;
use crate::error::{AppError, AppResult};
use crate::imports::Cell;
use crate::regions::model::Region;
use crate::web::AppState;
use crate::web::charts::{Mark, bars};
use crate::web::layout::{Layout, html};
use crate::web::routes::{ApiDoc, Routes, Rule};
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::Method;
use axum::response::{Html, Response};
use serde_json::{Value, json};

pub fn routes(r: Routes) -> Routes {
    let view = Rule::Perm(Permission::ViewBusiness);
    r.page(Method::GET, "/evaluation/breakdowns", view, "分类统计", page)
        .page(Method::GET, "/evaluation/breakdowns/export", view, "分类统计（Excel）", export)
        .api(
            Method::GET,
            "/api/v1/evaluation",
            view,
            "考核评价：下辖单位（或园区）各项指标、年度目标、综合得分与排名",
            ApiDoc {
                response: Some("Evaluation"),
                query: &[
                    ("region", "区划或园区代码（默认本人管辖范围）"),
                    ("period", "期间：2026、2026Q3、2026-10、2026-10累计"),
                    ("level", "children（下辖单位，默认）或 parks（园区）"),
                ],
                ..Default::default()
            },
            api,
        )
        .api(
            Method::GET,
            "/api/v1/evaluation/rankings/{snapshot_id}",
            view,
            "已冻结发布的排名（发布时的数据与权重）",
            ApiDoc { response: Some("RankingSnapshot"), ..Default::default() },
            snapshot_api,
        )
}

#[derive(Template)]
#[template(path = "evaluation/breakdowns.html")]
struct BreakdownPage {
    l: Layout,
    v: View,
    scope: Region,
    period: Period,
    periods: Vec<(String, String)>,
    regions: Vec<Region>,
    projects: i64,
    amount: i64,
    dims: Vec<(Dimension, String)>,
}

impl BreakdownPage {
    fn q(&self) -> String {
        self.v.with(&[])
    }
}

pub fn yi(fen: &i64) -> String {
    Money(*fen).yi()
}

async fn page(State(st): State<AppState>, user: CurrentUser, Query(v): Query<View>) -> AppResult<Html<String>> {
    let period = v.period()?;
    let scope = service::scope(&st.db, &user, v.region.as_deref()).await?;
    let b = breakdown::build(&st.db, &scope, period).await?;
    let dims =
        b.2.iter()
            .map(|d| {
                let marks: Vec<Mark> =
                    d.groups.iter().map(|g| Mark::new(&g.label, g.amount as f64, Money(g.amount).yi())).collect();
                (d.clone(), bars(&format!("按{}（签约额）", d.name), "亿元", &marks))
            })
            .collect();
    html(&BreakdownPage {
        l: Layout::new("分类统计", Some(&user), "evaluation"),
        periods: view::period_choices(),
        regions: super::pages::regions(&st, &user).await?,
        projects: b.0,
        amount: b.1,
        dims,
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
    let period = v.period()?;
    let scope = service::scope(&st.db, &user, v.region.as_deref()).await?;
    let b = breakdown::build(&st.db, &scope, period).await?;
    crate::audit::Export::of(&user, Permission::ViewBusiness, "breakdowns", "evaluation")
        .region(Some(&scope.code))
        .query(raw.as_deref())
        .rows(b.2.iter().map(|d| d.groups.len()).sum())
        .record(&st.db, &actor)
        .await?;
    let sheets =
        b.2.iter()
            .map(|d| {
                let rows = d
                    .groups
                    .iter()
                    .map(|g| vec![Cell::Text(g.label.clone()), Cell::Int(g.projects), Cell::Money(g.amount)])
                    .collect();
                (d.name, &["分类", "项目数", "签约额（万元）"][..], rows)
            })
            .collect();
    let bytes = crate::imports::workbook(sheets).map_err(|m| AppError::Internal(anyhow::anyhow!(m)))?;
    Ok(crate::web::download(&format!("{}_{}_分类统计.xlsx", scope.display_name(), period.code()), bytes))
}

async fn api(State(st): State<AppState>, user: CurrentUser, Query(v): Query<View>) -> AppResult<Json<Value>> {
    let period = v.period()?;
    let scope = service::scope(&st.db, &user, v.region.as_deref()).await?;
    let e = service::evaluate(&st.db, &scope, period, v.level()).await?;
    let figures = |f: &super::indicators::Facts| {
        super::indicators::LIBRARY
            .iter()
            .map(|d| (d.code.to_string(), json!(super::indicators::value(d.code, f))))
            .collect::<serde_json::Map<_, _>>()
    };
    Ok(Json(json!({
        "region": e.scope, "name": e.scope_name, "period": e.period, "level": e.level.code(), "weights": e.weights,
        "total": {"figures": figures(&e.total), "facts": e.total, "targets": e.targets},
        "units": e.units.iter().map(|u| {
            let r = e.ranked.iter().find(|r| r.code == u.code);
            json!({"region": u.code, "name": u.name, "figures": figures(&u.facts), "facts": u.facts, "targets": u.targets,
                "score": r.map(|r| r.score), "rank": r.map(|r| r.rank)})
        }).collect::<Vec<_>>(),
    })))
}

async fn snapshot_api(State(st): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> AppResult<Json<Value>> {
    let published = service::snapshot(&st.db, &user, &id).await?;
    let (s, frozen) = (&published.snapshot, &published.frozen);
    Ok(Json(json!({"id": s.id, "region": s.region, "period": s.period, "title": s.title, "created_by": s.created_by,
        "created_at": s.created_at.to_string(), "level": frozen.level.code(), "weights": frozen.weights, "ranked": frozen.ranked})))
}

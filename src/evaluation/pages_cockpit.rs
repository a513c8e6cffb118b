//! The cockpit page (and its big-screen mode) and a city's printable monthly brief.

use super::cockpit::{self, Cockpit, Headline};
use super::indicators::{Def, LIBRARY, shown, value};
use super::period::Period;
use super::service::{self, Level};
use super::view::{self, View};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::domain::filters;
use crate::error::{AppError, AppResult};
use crate::regions::model::Region;
use crate::web::AppState;
use crate::web::charts::{Mark, bars, columns, funnel};
use crate::web::layout::{Layout, html};
use crate::web::map::tiles;
use crate::web::routes::{ApiDoc, Routes, Rule};
use askama::Template;
use axum::Json;
use axum::extract::{Query, RawQuery, State};
use axum::http::Method;
use axum::response::Html;
use serde_json::{Value, json};

pub fn routes(r: Routes) -> Routes {
    let view = Rule::Perm(Permission::ViewBusiness);
    r.page(Method::GET, "/cockpit", view, "驾驶舱", page)
        .page(Method::GET, "/cockpit/export", view, "驾驶舱（Excel）", export)
        .page(Method::GET, "/evaluation/brief", view, "月度简报（打印）", brief)
        .api(
            Method::GET,
            "/api/v1/cockpit",
            view,
            "驾驶舱数据：核心指标（含同比、目标完成率）、月度趋势、阶段漏斗、下辖单位指标与综合排名",
            ApiDoc {
                response: Some("Cockpit"),
                query: &[
                    ("region", "区划或园区代码（默认本人管辖范围）"),
                    ("period", "期间：2026、2026Q3、2026-10、2026-10累计（默认今年至上月）"),
                ],
                ..Default::default()
            },
            api,
        )
}

const YI: f64 = 10_000_000_000.0;

#[derive(Template)]
#[template(path = "evaluation/cockpit.html")]
struct CockpitPage {
    l: Layout,
    v: View,
    scope: Region,
    period: Period,
    periods: Vec<(String, String)>,
    regions: Vec<Region>,
    indicator: &'static Def,
    indicators: Vec<&'static Def>,
    c: Cockpit,
    map: String,
    ranking: String,
    trend: String,
    funnel: String,
    /// (unit code, name, indicator shown, score shown, rank)
    unit_rows: Vec<(String, String, String, String, String)>,
    big: bool,
    parent: Option<Region>,
}

impl CockpitPage {
    fn formula(&self, code: &str) -> &'static str {
        super::indicators::def(code).map(|d| d.formula).unwrap_or("")
    }
    fn drill(&self, code: &str) -> String {
        view::drill(code, &self.scope.code, self.period)
    }
    fn period_listed(&self) -> bool {
        self.periods.iter().any(|(c, _)| *c == self.period.code())
    }
    fn q_big(&self) -> String {
        self.v.with(&[("screen", "big")])
    }
    fn q_normal(&self) -> String {
        self.v.with(&[("screen", "")])
    }
    fn change(&self, h: &Headline) -> String {
        match h.change {
            None => "—".into(),
            Some(c) if c >= 0.0 => format!("↑{c:.1}%"),
            Some(c) => format!("↓{:.1}%", -c),
        }
    }
    fn trend_rows(&self) -> Vec<(String, String, String)> {
        self.c
            .trend
            .iter()
            .map(|(m, s)| (m.clone(), format!("{:.2}", s.invest as f64 / YI), format!("{:.2}", s.funds as f64 / YI)))
            .collect()
    }
    /// Each unit's appeal figures (units without appeals show zeros and dashes), then the scope's own.
    fn service_rows(&self) -> Vec<(String, String, crate::enterprise_service::figures::model::Figures)> {
        let s = &self.c.service;
        let mut rows: Vec<_> = self
            .c
            .eval
            .units
            .iter()
            .filter(|u| u.code != self.c.eval.scope)
            .map(|u| (u.code.clone(), u.name.clone(), s.units.get(&u.code).cloned().unwrap_or_default()))
            .collect();
        if let Some(own) = s.units.get("") {
            rows.push((self.scope.code.clone(), format!("{}本级", self.scope.display_name()), own.clone()));
        }
        rows
    }
    fn service_href(&self, region: &str) -> String {
        format!("/service/figures?region={region}&from={}&to={}", self.c.service.from, self.c.service.to)
    }
    fn funnel_rows(&self) -> Vec<(&'static str, i64, String)> {
        self.c.funnel.iter().map(|(_, label, n, total)| (*label, *n, format!("{:.2}", *total as f64 / YI))).collect()
    }
}

/// What a cockpit page reads: the figures, and the account it is drawn for.
const COCKPIT_PAGE: &[crate::cache::Area] = {
    use crate::cache::Area::*;
    &[Projects, Reports, Enterprises, Reference, Evaluation, Service, Accounts]
};

async fn page(State(st): State<AppState>, user: CurrentUser, Query(v): Query<View>) -> AppResult<Html<String>> {
    // A big screen shows the same page all day, reloading it: the page as drawn for this session
    // is kept until anything changes (and until tomorrow, since "overdue" moves with the calendar).
    let key = format!(
        "cockpit-page:{}:{}:{:?}:{}",
        user.id,
        user.csrf.as_deref().unwrap_or_default(),
        (&v.region, &v.period, &v.level, &v.indicator, &v.screen),
        crate::projects::service::today()
    );
    // The page shows the user's name and menu too: a change to their account draws it again.
    let page = crate::cache::FIGURE_CACHE.get_or(&st.db, COCKPIT_PAGE, key, draw(&st, &user, v)).await?;
    Ok(Html(page.as_ref().clone()))
}

async fn draw(st: &AppState, user: &CurrentUser, v: View) -> AppResult<String> {
    let period = v.period()?;
    let indicator = v.indicator()?;
    let scope = service::scope(&st.db, user, v.region.as_deref()).await?;
    let c = cockpit::build(&st.db, &scope, period).await?;
    let e = &c.eval;
    let units: Vec<_> = e.units.iter().filter(|u| u.code != e.scope).collect();
    let codes: Vec<String> = units.iter().map(|u| u.code.clone()).collect();
    let marks: Vec<(Mark, Option<f64>)> = units
        .iter()
        .map(|u| {
            let val = value(indicator.code, &u.facts);
            let href = format!("/cockpit?{}", v.with(&[("region", &u.code)]));
            (Mark::new(&u.name, val.unwrap_or(0.0), shown(indicator.unit, val)).link(href), val)
        })
        .collect();
    let map = tiles(&format!("{}：{}", indicator.name, period.label()), indicator.unit.label(), &codes, &marks);
    let ranking = bars(
        "综合得分",
        "分",
        &e.ranked
            .iter()
            .filter(|r| r.code != e.scope)
            .map(|r| {
                Mark::new(&r.name, r.score, format!("{:.2}", r.score)).link(format!(
                    "/evaluation?region={}&period={}",
                    e.scope,
                    period.code()
                ))
            })
            .collect::<Vec<_>>(),
    );
    let months: Vec<String> = c.trend.iter().map(|(m, _)| m.clone()).collect();
    let series = |f: fn(&super::facts::MonthSums) -> i64| {
        c.trend.iter().map(|(_, s)| (f(s) as f64 / YI, format!("{:.2}", f(s) as f64 / YI))).collect()
    };
    let trend = columns(
        "近 12 个月完成投资与到位资金",
        "亿元",
        &months,
        &[("完成投资", series(|s| s.invest)), ("到位资金", series(|s| s.funds))],
    );
    let funnel_svg = funnel(
        "项目阶段分布（不含退出）",
        &c.funnel
            .iter()
            .map(|(code, label, n, _)| {
                Mark::new(*label, *n as f64, format!("{n} 个"))
                    .link(format!("/projects?region={}&stage={code}", scope.code))
            })
            .collect::<Vec<_>>(),
    );
    let unit_rows = units
        .iter()
        .map(|u| {
            let r = e.ranked.iter().find(|r| r.code == u.code);
            (
                u.code.clone(),
                u.name.clone(),
                shown(indicator.unit, value(indicator.code, &u.facts)),
                r.map(|r| format!("{:.2}", r.score)).unwrap_or_default(),
                r.map(|r| r.rank.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let parent = match &scope.parent {
        Some(p) => crate::regions::service::get(&st.db, p)
            .await?
            .map(|r| r.as_ref().clone())
            .filter(|r| authz::check(user, Permission::ViewBusiness, Some(&r.path)).is_ok()),
        None => None,
    };
    let big = v.screen.as_deref() == Some("big");
    Ok(html(&CockpitPage {
        l: Layout::new(&format!("{}驾驶舱", scope.display_name()), Some(user), "cockpit"),
        periods: view::period_choices(),
        regions: super::pages::regions(st, user).await?,
        indicators: LIBRARY.iter().collect(),
        funnel: funnel_svg,
        unit_rows,
        indicator,
        map,
        ranking,
        trend,
        parent,
        scope,
        period,
        big,
        c,
        v,
    })?
    .0)
}

/// The cockpit's tables in one workbook: headline figures, trend, stages, and the units.
async fn export(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Query(v): Query<View>,
    RawQuery(raw): RawQuery,
) -> AppResult<axum::response::Response> {
    use crate::imports::Cell;
    let period = v.period()?;
    let scope = service::scope(&st.db, &user, v.region.as_deref()).await?;
    let c = cockpit::build(&st.db, &scope, period).await?;
    let pct = |x: Option<f64>| x.map(|x| format!("{x:.1}%")).unwrap_or_else(|| "—".into());
    let headline = c
        .headline
        .iter()
        .map(|h| {
            vec![
                Cell::Text(h.name.into()),
                Cell::Text(h.shown.clone()),
                Cell::Text(h.unit.into()),
                Cell::Text(pct(h.change)),
                Cell::Text(pct(h.completion)),
            ]
        })
        .collect();
    let trend =
        c.trend.iter().map(|(m, s)| vec![Cell::Text(m.clone()), Cell::Money(s.invest), Cell::Money(s.funds)]).collect();
    let stages = c
        .funnel
        .iter()
        .map(|(_, label, n, total)| vec![Cell::Text((*label).into()), Cell::Int(*n), Cell::Money(*total)])
        .collect();
    let f = &c.service;
    let service_line = |name: String, x: &crate::enterprise_service::figures::model::Figures| {
        vec![
            Cell::Text(name),
            Cell::Int(x.collected),
            Cell::Int(x.resolved),
            Cell::Int(x.overdue),
            Cell::Text(x.response_text()),
            Cell::Text(x.resolve_text()),
            Cell::Text(x.satisfaction_text()),
            Cell::Text(x.average_days_text()),
        ]
    };
    let mut service_rows: Vec<Vec<Cell>> = c
        .eval
        .units
        .iter()
        .filter(|u| u.code != c.eval.scope)
        .map(|u| service_line(u.name.clone(), &f.units.get(&u.code).cloned().unwrap_or_default()))
        .collect();
    if let Some(own) = f.units.get("") {
        service_rows.push(service_line(format!("{}本级", scope.display_name()), own));
    }
    service_rows.push(service_line(format!("{}合计", scope.display_name()), &f.total));
    crate::audit::Export::of(&user, Permission::ViewBusiness, "cockpit", "evaluation")
        .region(Some(&scope.code))
        .query(raw.as_deref())
        .rows(c.headline.len() + c.trend.len() + c.funnel.len() + service_rows.len())
        .record(&st.db, &actor)
        .await?;
    let bytes = crate::imports::workbook(vec![
        ("核心指标", &["指标", "数值", "单位", "同比", "年度目标完成率"], headline),
        ("月度趋势", &["月份", "完成投资（万元）", "到位资金（万元）"], trend),
        ("项目阶段", &["阶段", "项目数", "总投资（万元）"], stages),
        (
            "企业服务诉求",
            &["单位", "收集", "已解决", "逾期未办结", "响应率", "解决率", "满意率", "平均办结天数"],
            service_rows,
        ),
    ])
    .map_err(|m| AppError::Internal(anyhow::anyhow!(m)))?;
    Ok(crate::web::download(&format!("{}驾驶舱_{}.xlsx", scope.display_name(), period.code()), bytes))
}

async fn api(State(st): State<AppState>, user: CurrentUser, Query(v): Query<View>) -> AppResult<Json<Value>> {
    let period = v.period()?;
    let scope = service::scope(&st.db, &user, v.region.as_deref()).await?;
    let c = cockpit::build(&st.db, &scope, period).await?;
    Ok(Json(json!({
        "region": scope.code, "name": scope.display_name(), "period": period.code(), "period_label": period.label(),
        "headline": c.headline,
        "trend": c.trend.iter().map(|(m, s)| json!({"month": m, "invest": s.invest, "funds": s.funds})).collect::<Vec<_>>(),
        "service": {
            "from": c.service.from.to_string(), "to": c.service.to.to_string(),
            "total": crate::enterprise_service::figures::api::figures_json(&c.service.total),
            "units": c.service.units.iter().map(|(code, f)| {
                let mut v = crate::enterprise_service::figures::api::figures_json(f);
                v["region"] = json!(if code.is_empty() { &scope.code } else { code });
                v["own"] = json!(code.is_empty());
                v
            }).collect::<Vec<_>>(),
        },
        "funnel": c.funnel.iter().map(|(code, label, n, total)| json!({"stage": code, "label": label, "projects": n, "total_investment": total})).collect::<Vec<_>>(),
        "units": c.eval.units.iter().map(|u| {
            let mut figures = serde_json::Map::new();
            for d in LIBRARY {
                figures.insert(d.code.into(), json!(value(d.code, &u.facts)));
            }
            let r = c.eval.ranked.iter().find(|r| r.code == u.code);
            json!({"region": u.code, "name": u.name, "figures": figures, "score": r.map(|r| r.score), "rank": r.map(|r| r.rank)})
        }).collect::<Vec<_>>(),
    })))
}

#[derive(Template)]
#[template(path = "evaluation/brief.html")]
struct BriefPage {
    l: Layout,
    scope: Region,
    month: Period,
    ytd: Period,
    now: Vec<Headline>,
    year: Vec<Headline>,
    /// (rank, out of, unit name, score) in the parent's ranking of its children for the year to date.
    place: Option<(usize, usize, String, String)>,
    signed: Vec<crate::projects::store::Row>,
    flags: Option<super::flags_service::Lists>,
}

/// The monthly brief, a page made to be printed and handed out: audited as an export.
async fn brief(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Query(v): Query<View>,
    RawQuery(raw): RawQuery,
) -> AppResult<Html<String>> {
    let month = match v.period()? {
        p @ Period::Month { .. } => p,
        Period::YearToDate { year, month } => Period::Month { year, month },
        _ => return Err(AppError::field("period", "月度简报须选择月份，如 2026-10")),
    };
    let Period::Month { year, month: m } = month else { unreachable!() };
    let ytd = Period::YearToDate { year, month: m };
    let scope = service::scope(&st.db, &user, v.region.as_deref()).await?;
    let now = service::evaluate(&st.db, &scope, month, Level::Children).await?;
    let ytd_eval = service::evaluate(&st.db, &scope, ytd, Level::Children).await?;
    let parent = match &scope.parent {
        Some(p) => crate::regions::service::get(&st.db, p).await?.map(|r| r.as_ref().clone()),
        None => None,
    };
    let mut place = None;
    if let Some(parent) = parent.filter(|p| authz::check(&user, Permission::ViewBusiness, Some(&p.path)).is_ok()) {
        let pe = service::evaluate(&st.db, &parent, ytd, Level::Children).await?;
        let ranked: Vec<_> = pe.ranked.iter().filter(|r| r.code != pe.scope).collect();
        if let Some(r) = ranked.iter().find(|r| r.code == scope.code) {
            place = Some((r.rank, ranked.len(), parent.display_name().to_string(), format!("{:.2}", r.score)));
        }
    }
    let (d0, d1) = month.days();
    let f = crate::projects::list::Filter {
        region: Some(scope.code.clone()),
        signed_from: Some(d0.to_string()),
        signed_to: Some(d1.to_string()),
        sort: Some("-total".into()),
        ..Default::default()
    };
    let (signed, _) = crate::projects::service::search(&st.db, &user, &f).await?;
    let quarter = Period::quarter_of(d1);
    let flags = super::flags_service::find(&st.db, &scope, quarter).await?.filter(|l| l.f.status == "published");
    crate::audit::Export::of(&user, Permission::ViewBusiness, "brief", "evaluation")
        .region(Some(&scope.code))
        .format("print")
        .query(raw.as_deref())
        .rows(signed.len().min(20) + now.units.len())
        .record(&st.db, &actor)
        .await?;
    html(&BriefPage {
        l: Layout::new(&format!("{}{}简报", scope.display_name(), month.label()), Some(&user), "evaluation"),
        now: cockpit::headline(&now.total, &now.total_last_year, &now.targets),
        year: cockpit::headline(&ytd_eval.total, &ytd_eval.total_last_year, &ytd_eval.targets),
        signed: signed.into_iter().take(20).collect(),
        scope,
        month,
        ytd,
        place,
        flags,
    })
}

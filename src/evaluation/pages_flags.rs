//! 十大红旗 / 十大蜗牛项目 pages: the proposal, the committee's swaps, publishing, the bulletin.

use super::flags::{Scored, Standing};
use super::flags_service::{self as fs, Lists};
use super::period::Period;
use super::service;
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::domain::filters;
use crate::error::{AppError, AppResult, FieldError};
use crate::imports::Cell;
use crate::regions::model::Region;
use crate::web::AppState;
use crate::web::auth::urlencode;
use crate::web::layout::{Layout, html};
use crate::web::routes::{ApiDoc, Routes, Rule};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes(r: Routes) -> Routes {
    use Permission::*;
    let view = Rule::Perm(ViewBusiness);
    let manage = Rule::Perm(ManageEvaluation);
    r.page(Method::GET, "/evaluation/flags", view, "十大红旗/蜗牛项目", page)
        .page(Method::POST, "/evaluation/flags", manage, "生成红旗/蜗牛候选名单", create)
        .page(Method::POST, "/evaluation/flags/{list_id}/swap", manage, "调整红旗/蜗牛名单", swap)
        .page(Method::POST, "/evaluation/flags/{list_id}/publish", manage, "发布红旗/蜗牛名单", publish)
        .page(Method::GET, "/evaluation/flags/{list_id}/bulletin", view, "红旗/蜗牛项目通报（打印）", bulletin)
        .page(Method::GET, "/evaluation/flags/{list_id}/export", view, "红旗/蜗牛项目通报（Excel）", export)
        .api(
            Method::GET,
            "/api/v1/evaluation/flags",
            view,
            "某地区某季度的十大红旗/蜗牛项目（已生成的名单，或按数据计算的建议）",
            ApiDoc {
                response: Some("FlagLists"),
                query: &[("region", "区划或园区代码"), ("quarter", "季度，如 2026Q3（默认上一季度）")],
                ..Default::default()
            },
            api,
        )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FlagQuery {
    region: Option<String>,
    quarter: Option<String>,
    notice: Option<String>,
}

fn quarter_of(q: &Option<String>) -> AppResult<Period> {
    match q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => match Period::parse(s).map_err(|e| AppError::field("quarter", e))? {
            p @ Period::Quarter { .. } => Ok(p),
            _ => Err(AppError::field("quarter", "请选择季度，如 2026Q3")),
        },
        // The last complete quarter: the one a committee is judging now.
        None => {
            let today = crate::projects::service::today();
            let Period::Quarter { year, quarter } = Period::quarter_of(today) else { unreachable!() };
            Ok(if quarter == 1 {
                Period::Quarter { year: year - 1, quarter: 4 }
            } else {
                Period::Quarter { year, quarter: quarter - 1 }
            })
        }
    }
}

fn quarter_choices(current: Period) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Period::choices(crate::projects::service::today())
        .into_iter()
        .filter(|p| matches!(p, Period::Quarter { .. }))
        .map(|p| (p.code(), p.label()))
        .collect();
    if !v.iter().any(|(c, _)| *c == current.code()) {
        v.push((current.code(), current.label()));
    }
    v
}

#[derive(Template)]
#[template(path = "evaluation/flags.html")]
struct FlagsPage {
    l: Layout,
    scope: Region,
    quarter: Period,
    quarters: Vec<(String, String)>,
    regions: Vec<Region>,
    lists: Option<Lists>,
    /// Without a list yet: what the data proposes.
    preview: Option<(Vec<Scored>, Vec<Scored>)>,
    candidates: usize,
    /// Candidates not on either list: the next best (for 红旗) and the next slowest (for 蜗牛).
    next_red: Vec<Scored>,
    next_snail: Vec<Scored>,
    can_manage: bool,
    errors: Vec<FieldError>,
}

impl FlagsPage {
    /// (list code, label, its entries, candidates to swap in) for the two swap forms.
    fn swap_forms(&self) -> Vec<(&'static str, &'static str, &[Scored], &[Scored])> {
        match &self.lists {
            Some(l) => vec![("red", "红旗", &l.red, &self.next_red), ("snail", "蜗牛", &l.snail, &self.next_snail)],
            None => vec![],
        }
    }
}

async fn render(st: &AppState, user: &CurrentUser, q: FlagQuery, errors: Vec<FieldError>) -> AppResult<FlagsPage> {
    let quarter = quarter_of(&q.quarter)?;
    let scope = service::scope(&st.db, user, q.region.as_deref()).await?;
    let all = fs::candidates(&st.db, &scope, quarter).await?;
    let lists = fs::find(&st.db, &scope, quarter).await?;
    let (preview, next_red, next_snail) = match &lists {
        None => (Some(fs::proposal(&st.db, &scope, quarter).await?), vec![], vec![]),
        Some(l) => {
            let taken = |s: &Standing| l.red.iter().chain(&l.snail).any(|x| x.id == s.id);
            let mut rest: Vec<&Standing> = all.iter().filter(|s| !taken(s)).collect();
            rest.sort_by(|a, b| b.score.total_cmp(&a.score));
            let red: Vec<uuid::Uuid> = rest.iter().take(20).map(|s| s.id).collect();
            let snail: Vec<uuid::Uuid> = rest.iter().rev().take(20).map(|s| s.id).collect();
            (None, fs::explain(&st.db, quarter, &red).await?, fs::explain(&st.db, quarter, &snail).await?)
        }
    };
    Ok(FlagsPage {
        l: Layout::new("十大红旗/蜗牛项目", Some(user), "evaluation").with_notice(q.notice),
        can_manage: authz::check(user, Permission::ManageEvaluation, Some(&scope.path)).is_ok(),
        regions: super::pages::regions(st, user).await?,
        quarters: quarter_choices(quarter),
        candidates: all.len(),
        scope,
        quarter,
        lists,
        preview,
        next_red,
        next_snail,
        errors,
    })
}

async fn page(State(st): State<AppState>, user: CurrentUser, Query(q): Query<FlagQuery>) -> AppResult<Html<String>> {
    html(&render(&st, &user, q, vec![]).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CreateForm {
    region: String,
    quarter: String,
}

async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Form(f): Form<CreateForm>,
) -> AppResult<Response> {
    let quarter = quarter_of(&Some(f.quarter))?;
    let scope = service::scope(&st.db, &user, Some(&f.region)).await?;
    fs::draft(&st.db, &user, &actor, &scope, quarter).await?;
    Ok(Redirect::to(&format!(
        "/evaluation/flags?region={}&quarter={}&notice={}",
        scope.code,
        quarter.code(),
        urlencode("已按数据生成候选名单（草稿），可调整后发布")
    ))
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SwapForm {
    version: i64,
    list: String,
    out: String,
    #[serde(rename = "in")]
    incoming: String,
    reason: String,
}

async fn swap(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<SwapForm>,
) -> AppResult<Response> {
    let (l, region) = fs::visible(&st.db, &user, Permission::ManageEvaluation, &id).await?;
    let back = FlagQuery { region: Some(region.code.clone()), quarter: Some(l.f.quarter.clone()), notice: None };
    match fs::swap(&st.db, &user, &actor, &id, f.version, &f.list, &f.out, &f.incoming, &f.reason).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/evaluation/flags?region={}&quarter={}&notice={}",
            region.code,
            l.f.quarter,
            urlencode("已调整，理由已记录")
        ))
        .into_response()),
        Err(AppError::Invalid { fields, .. }) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&render(&st, &user, back, fields).await?)?).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VersionForm {
    version: i64,
}

async fn publish(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> AppResult<Response> {
    fs::publish(&st.db, &user, &actor, &id, f.version).await?;
    Ok(Redirect::to(&format!("/evaluation/flags/{id}/bulletin")).into_response())
}

#[derive(Template)]
#[template(path = "evaluation/bulletin.html")]
struct BulletinPage {
    l: Layout,
    region: Region,
    quarter: Period,
    lists: Lists,
}

/// Who printed or downloaded a list, from which region: both are audited as exports.
async fn audit_export(
    st: &AppState,
    user: &CurrentUser,
    actor: &Actor,
    l: &Lists,
    region: &Region,
    format: &'static str,
) -> AppResult<()> {
    crate::audit::Export::of(user, Permission::ViewBusiness, "flags", "flag_list")
        .region(Some(&region.code))
        .record_id(l.f.id)
        .format(format)
        .rows(l.red.len() + l.snail.len())
        .record(&st.db, actor)
        .await
}

async fn bulletin(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let (lists, region) = fs::visible(&st.db, &user, Permission::ViewBusiness, &id).await?;
    let quarter = Period::parse(&lists.f.quarter).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    audit_export(&st, &user, &actor, &lists, &region, "print").await?;
    html(&BulletinPage {
        l: Layout::new("红旗/蜗牛项目通报", Some(&user), "evaluation"), region, quarter, lists
    })
}

fn rows(v: &[Scored]) -> Vec<Vec<Cell>> {
    v.iter()
        .enumerate()
        .map(|(i, s)| {
            vec![
                Cell::Int(i as i64 + 1),
                Cell::Text(s.name.clone()),
                Cell::Text(s.region_name.clone()),
                Cell::Money(s.total_investment),
                Cell::Text(format!("{:.2}", s.score)),
                Cell::Text(s.reasons.join("；")),
            ]
        })
        .collect()
}

async fn export(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (l, region) = fs::visible(&st.db, &user, Permission::ViewBusiness, &id).await?;
    audit_export(&st, &user, &actor, &l, &region, "xlsx").await?;
    let headers: &[&str] = &["序号", "项目", "地区", "总投资（万元）", "得分", "主要情况"];
    let swaps = l
        .swaps
        .iter()
        .map(|s| {
            vec![
                Cell::Text(if s.list == "red" { "红旗" } else { "蜗牛" }.into()),
                Cell::Text(s.out_name.clone()),
                Cell::Text(s.in_name.clone()),
                Cell::Text(s.reason.clone()),
                Cell::Text(s.by.clone()),
            ]
        })
        .collect();
    let bytes = crate::imports::workbook(vec![
        ("十大红旗项目", headers, rows(&l.red)),
        ("十大蜗牛项目", headers, rows(&l.snail)),
        ("评审调整", &["名单", "调出", "调入", "理由", "调整人"], swaps),
    ])
    .map_err(|m| AppError::Internal(anyhow::anyhow!(m)))?;
    Ok(crate::web::download(&format!("{}{}红旗蜗牛项目.xlsx", region.display_name(), l.f.quarter), bytes))
}

async fn api(State(st): State<AppState>, user: CurrentUser, Query(q): Query<FlagQuery>) -> AppResult<Json<Value>> {
    let quarter = quarter_of(&q.quarter)?;
    let scope = service::scope(&st.db, &user, q.region.as_deref()).await?;
    let (status, red, snail, swaps) = match fs::find(&st.db, &scope, quarter).await? {
        Some(l) => (l.f.status.clone(), l.red, l.snail, serde_json::to_value(&l.swaps).unwrap_or_default()),
        None => {
            let (r, s) = fs::proposal(&st.db, &scope, quarter).await?;
            ("proposed".to_string(), r, s, json!([]))
        }
    };
    Ok(Json(
        json!({"region": scope.code, "quarter": quarter.code(), "status": status, "red": red, "snail": snail, "swaps": swaps}),
    ))
}

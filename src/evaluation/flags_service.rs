//! The quarterly 红旗/蜗牛 lists as use cases: score the scope's projects, propose a draft, let the
//! committee swap a candidate with a written reason, and publish — after which the list is frozen.

use super::flags::{Scored, Standing, measure, pick, score};
use super::flags_facts::{Shown, candidate, facts_sql};
use super::period::Period;
use super::store::{self, FlagList};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::{Backend, Db, fetch_all_binds};
use crate::error::{AppError, AppResult};
use crate::regions::model::Region;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

pub const LIST_SIZE: usize = 10;

/// Every project in the scope that is in the running for the quarter, with its score (cached until
/// a change). Scoring reads numbers and dates only; [`explain`] puts the words to those shown.
pub async fn candidates(db: &Db, scope: &Region, quarter: Period) -> AppResult<Arc<Vec<Standing>>> {
    let (_, end) = quarter.days();
    crate::cache::get_or(db, format!("flags:{}:{}", scope.code, quarter.code()), async move {
        let mut conn = db.conn().await?;
        let backend = conn.ex().backend();
        let facts = facts_sql(backend, quarter);
        // All candidates as one value: sqlx-sqlite hands each row from the database's thread to
        // ours, and for 70,000 rows that hand-over cost as much as the query.
        let all = match backend {
            Backend::Sqlite => "group_concat(facts, ';')",
            Backend::Postgres => "string_agg(facts, ';')",
        };
        crate::db::map_file(&mut conn.ex(), true).await?;
        let rows: Result<Vec<(Option<String>,)>, _> = fetch_all_binds(
            &mut conn.ex(),
            &format!(
                "SELECT {all} FROM (SELECT {facts}
                 FROM projects p JOIN regions g ON g.code = p.region
                 WHERE g.path LIKE $1 AND p.stage NOT IN ('lead', 'negotiating') AND p.health <> 'exited'
                   AND p.planned_start <= '{end}') c"
            ),
            &[format!("{}%", scope.path)],
        )
        .await;
        crate::db::map_file(&mut conn.ex(), false).await?;
        let all = rows?.into_iter().next().and_then(|r| r.0).unwrap_or_default();
        Ok(all
            .split(';')
            .filter_map(|facts| {
                let c = candidate(facts, None)?;
                measure(&c, end).map(|m| Standing { id: c.id, score: m.score, total_investment: c.total_investment })
            })
            .collect())
    })
    .await
}

/// The given candidates scored with their reasons in words, in the order given (ids that are not
/// candidates for the quarter are left out).
pub async fn explain(db: &Db, quarter: Period, ids: &[Uuid]) -> AppResult<Vec<Scored>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let (_, end) = quarter.days();
    let mut conn = db.conn().await?;
    let facts = facts_sql(conn.ex().backend(), quarter);
    let shown: Vec<Shown> = crate::db::fetch_in(
        &mut conn.ex(),
        &format!(
            "SELECT {facts}, p.name, g.name AS region_name, p.health_reason
             FROM projects p JOIN regions g ON g.code = p.region WHERE p.id IN ({{in}})"
        ),
        ids,
    )
    .await?;
    let mut scored: Vec<Scored> =
        shown.into_iter().filter_map(|s| score(&candidate(&s.row.facts, Some(s.words))?, end)).collect();
    scored.sort_by_key(|s| ids.iter().position(|id| *id == s.id));
    Ok(scored)
}

/// The proposal from the data: the ten best (红旗) and the ten slowest (蜗牛), with their reasons.
pub async fn proposal(db: &Db, scope: &Region, quarter: Period) -> AppResult<(Vec<Scored>, Vec<Scored>)> {
    let all = candidates(db, scope, quarter).await?;
    let (red, snail) = pick(&all, LIST_SIZE);
    Ok((explain(db, quarter, &red).await?, explain(db, quarter, &snail).await?))
}

/// A committee's change to the proposal: who went out, who came in, and why.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Swap {
    pub list: String,
    pub out_name: String,
    pub in_name: String,
    pub reason: String,
    pub by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A list with its entries read back.
pub struct Lists {
    pub f: FlagList,
    pub red: Vec<Scored>,
    pub snail: Vec<Scored>,
    pub swaps: Vec<Swap>,
}

fn parse<T: serde::de::DeserializeOwned>(s: &str) -> AppResult<T> {
    serde_json::from_str(s).map_err(|e| AppError::Internal(anyhow::Error::from(e)))
}

fn read(f: FlagList) -> AppResult<Lists> {
    Ok(Lists { red: parse(&f.red_json)?, snail: parse(&f.snail_json)?, swaps: parse(&f.swaps_json)?, f })
}

/// The scope's list for the quarter, if one was drawn up.
pub async fn find(db: &Db, scope: &Region, quarter: Period) -> AppResult<Option<Lists>> {
    let mut conn = db.conn().await?;
    store::flag_list(&mut conn.ex(), &scope.code, &quarter.code()).await?.map(read).transpose()
}

/// A list the user may see, by id (404 otherwise), with its region.
pub async fn visible(db: &Db, user: &CurrentUser, perm: Permission, id: &str) -> AppResult<(Lists, Region)> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let mut conn = db.conn().await?;
    let f: FlagList = crate::q_as!(
        &mut conn.ex(),
        fetch_optional,
        FlagList,
        "SELECT id, region, quarter, status, red_json, snail_json, swaps_json, created_by, created_at, published_by,
           published_at, version FROM flag_lists WHERE id = $1",
        id
    )?
    .ok_or(AppError::NotFound)?;
    let region = crate::regions::store::get(&mut conn.ex(), &f.region).await?.ok_or(AppError::NotFound)?;
    authz::check(user, perm, Some(&region.path))?;
    Ok((read(f)?, region))
}

/// Proposes the quarter's lists for the scope from the data (once; later calls return the draft).
pub async fn draft(db: &Db, user: &CurrentUser, actor: &Actor, scope: &Region, quarter: Period) -> AppResult<Uuid> {
    authz::check(user, Permission::ManageEvaluation, Some(&scope.path))?;
    if !matches!(quarter, Period::Quarter { .. }) {
        return Err(AppError::field("quarter", "红旗/蜗牛项目按季度评选，请选择季度（如 2026Q3）"));
    }
    if let Some(l) = find(db, scope, quarter).await? {
        return Ok(l.f.id);
    }
    let candidates = candidates(db, scope, quarter).await?.len();
    let (red, snail) = proposal(db, scope, quarter).await?;
    let f = FlagList {
        id: Uuid::now_v7(),
        region: scope.code.clone(),
        quarter: quarter.code(),
        status: "draft".into(),
        red_json: serde_json::to_string(&red).map_err(anyhow::Error::from)?,
        snail_json: serde_json::to_string(&snail).map_err(anyhow::Error::from)?,
        swaps_json: "[]".into(),
        created_by: actor.name.clone(),
        created_at: OffsetDateTime::now_utc(),
        published_by: None,
        published_at: None,
        version: 1,
    };
    let mut tx = db.begin().await?;
    if store::flag_list(&mut tx.ex(), &scope.code, &f.quarter).await?.is_some() {
        return Err(AppError::Conflict("该季度的名单刚由他人生成，请刷新后查看".into()));
    }
    store::insert_flag_list(&mut tx.ex(), &f).await?;
    audit::record(&mut tx.ex(), actor, Change {
        action: "evaluation.flags_draft",
        entity: "flag_list",
        entity_id: f.id.to_string(),
        region: Some(scope.code.clone()),
        before: None,
        after: Some(serde_json::json!({"quarter": f.quarter, "candidates": candidates,
            "red": red.iter().map(|s| &s.name).collect::<Vec<_>>(), "snail": snail.iter().map(|s| &s.name).collect::<Vec<_>>()})),
    })
    .await?;
    tx.commit().await?;
    Ok(f.id)
}

fn stale(v: i64, f: &FlagList) -> AppError {
    AppError::Conflict(format!("名单已被他人修改（您看到的是第 {v} 版，现为第 {} 版），请刷新后再操作", f.version))
}

/// Replaces one project on a draft list by another candidate, with the committee's written reason.
#[allow(clippy::too_many_arguments)]
pub async fn swap(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: &str,
    version: i64,
    list: &str,
    out: &str,
    incoming: &str,
    reason: &str,
) -> AppResult<()> {
    let (mut l, region) = visible(db, user, Permission::ManageEvaluation, id).await?;
    if l.f.status != "draft" {
        return Err(AppError::Conflict("名单已发布，不能再调整".into()));
    }
    if l.f.version != version {
        return Err(stale(version, &l.f));
    }
    let reason = reason.trim();
    let mut errors = Vec::new();
    if reason.chars().count() < 4 {
        errors
            .push(crate::error::FieldError {
                field: "reason".into(), message: "请写明调整理由（至少 4 个字）".into()
            });
    }
    let out_id = Uuid::parse_str(out.trim()).ok();
    let in_id = Uuid::parse_str(incoming.trim()).ok();
    let quarter = Period::parse(&l.f.quarter).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let all = candidates(db, &region, quarter).await?;
    let (target, other) = match list {
        "red" => (&mut l.red, &l.snail),
        "snail" => (&mut l.snail, &l.red),
        _ => return Err(AppError::field("list", "名单应为 red（红旗）或 snail（蜗牛）")),
    };
    let pos = out_id.and_then(|o| target.iter().position(|s| s.id == o));
    if pos.is_none() {
        errors.push(crate::error::FieldError {
            field: "out".into(), message: "请选择名单中要调出的项目".into()
        });
    }
    let newcomer = match in_id.filter(|i| all.iter().any(|s| s.id == *i)) {
        Some(i) => explain(db, quarter, &[i]).await?.pop(),
        None => None,
    };
    match &newcomer {
        None => errors
            .push(crate::error::FieldError {
                field: "in".into(), message: "调入的项目须是本季度的候选项目".into()
            }),
        Some(n) if target.iter().chain(other.iter()).any(|s| s.id == n.id) => errors
            .push(crate::error::FieldError { field: "in".into(), message: format!("“{}”已在名单中", n.name) }),
        _ => {}
    }
    if !errors.is_empty() {
        return Err(crate::projects::service::invalid(errors));
    }
    let (pos, newcomer) = (pos.expect("checked"), newcomer.expect("checked"));
    let gone = std::mem::replace(&mut target[pos], newcomer);
    let s = Swap {
        list: list.into(),
        out_name: gone.name.clone(),
        in_name: target[pos].name.clone(),
        reason: reason.into(),
        by: actor.name.clone(),
        at: OffsetDateTime::now_utc(),
    };
    l.swaps.push(s.clone());
    let before = l.f.clone();
    l.f.red_json = serde_json::to_string(&l.red).map_err(anyhow::Error::from)?;
    l.f.snail_json = serde_json::to_string(&l.snail).map_err(anyhow::Error::from)?;
    l.f.swaps_json = serde_json::to_string(&l.swaps).map_err(anyhow::Error::from)?;
    l.f.version += 1;
    let mut tx = db.begin().await?;
    if !store::update_flag_list(&mut tx.ex(), &l.f).await? {
        return Err(stale(version, &before));
    }
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "evaluation.flags_swap",
            entity: "flag_list",
            entity_id: l.f.id.to_string(),
            region: Some(region.code.clone()),
            before: Some(serde_json::json!({"version": before.version})),
            after: Some(serde_json::json!({"version": l.f.version, "swap": s})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes a draft: from now on it is the bulletin and never changes.
pub async fn publish(db: &Db, user: &CurrentUser, actor: &Actor, id: &str, version: i64) -> AppResult<()> {
    let (mut l, region) = visible(db, user, Permission::ManageEvaluation, id).await?;
    if l.f.status != "draft" {
        return Err(AppError::Conflict("名单已发布".into()));
    }
    if l.f.version != version {
        return Err(stale(version, &l.f));
    }
    l.f.status = "published".into();
    l.f.published_by = Some(actor.name.clone());
    l.f.published_at = Some(OffsetDateTime::now_utc());
    l.f.version += 1;
    let mut tx = db.begin().await?;
    if !store::update_flag_list(&mut tx.ex(), &l.f).await? {
        return Err(stale(version, &l.f));
    }
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "evaluation.flags_publish",
            entity: "flag_list",
            entity_id: l.f.id.to_string(),
            region: Some(region.code.clone()),
            before: None,
            after: Some(
                serde_json::json!({"quarter": l.f.quarter, "red": l.red.iter().map(|s| &s.name).collect::<Vec<_>>(),
            "snail": l.snail.iter().map(|s| &s.name).collect::<Vec<_>>(), "swaps": l.swaps.len()}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

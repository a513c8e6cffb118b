//! The quarterly 红旗/蜗牛 lists as use cases: score the scope's projects, propose a draft, let the
//! committee swap a candidate with a written reason, and publish — after which the list is frozen.

use super::flags::{Candidate, Scored, Standing, measure, pick, score};
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
use time::{Date, OffsetDateTime};
use uuid::Uuid;

pub const LIST_SIZE: usize = 10;

/// What the score needs of a project, as one text column: id, 总投资, the latest 累计完成投资, stage,
/// health and the twelve milestone dates, joined by commas (scoring reads all candidates' as one
/// value; see [`candidates`]). The words (name, place, why) come only for those shown.
#[derive(sqlx::FromRow)]
struct Row {
    facts: String,
}

#[derive(sqlx::FromRow)]
struct Words {
    name: String,
    region_name: String,
    health_reason: Option<String>,
}

/// A project shown on a list: what the score needs and the words.
#[derive(sqlx::FromRow)]
struct Shown {
    #[sqlx(flatten)]
    row: Row,
    #[sqlx(flatten)]
    words: Words,
}

/// 签约, 注册, 供地, 开工, 投产 and 达产, planned and actual, in that order.
const DATES: [&str; 12] = [
    "planned_sign",
    "actual_sign",
    "planned_register",
    "actual_register",
    "planned_land",
    "actual_land",
    "planned_start",
    "actual_start",
    "planned_produce",
    "actual_produce",
    "planned_full_produce",
    "actual_full_produce",
];

/// The row's `facts` column for the quarter, in one `format()` (a chain of `||` cost SQLite more
/// than the scoring's index probes). SQLite keeps dates as "YYYY-MM-DD" and hands them over as they
/// are; PostgreSQL sends days since 1970-01-01, since formatting twelve dates for 70,000 rows cost it
/// more than the whole scoring. An id is hex on SQLite (stored as 16 bytes), text on PostgreSQL.
fn facts_sql(backend: Backend, quarter: Period) -> String {
    let (id, dates): (&str, Vec<String>) = match backend {
        Backend::Sqlite => ("hex(p.id)", DATES.iter().map(|d| format!("p.{d}")).collect()),
        Backend::Postgres => ("p.id", DATES.iter().map(|d| format!("p.{d} - DATE '1970-01-01'")).collect()),
    };
    let template = vec!["%s"; DATES.len() + 5].join(",");
    format!(
        "format('{template}', {id}, p.total_investment, {}, p.stage, p.health, {}) AS facts",
        cumulative_sql(quarter),
        dates.join(", ")
    )
}

/// A date of `facts`: "2026-09-30" or days since 1970-01-01 (anything else as none), without the
/// general parser's cost.
fn fact_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;
        let days: i32 = s.parse().ok()?;
        return Date::from_julian_day(UNIX_EPOCH_JULIAN_DAY.checked_add(days)?).ok();
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u16>().ok();
    let month = time::Month::try_from(num(5..7)? as u8).ok()?;
    Date::from_calendar_date(num(0..4)? as i32, month, num(8..10)? as u8).ok()
}

/// The latest 累计完成投资 reported by the quarter's last month (from an index alone: migration 0024).
fn cumulative_sql(quarter: Period) -> String {
    format!(
        "(SELECT r.invest_cumulative FROM monthly_reports r WHERE r.project_id = p.id AND r.month <= '{}'
          ORDER BY r.month DESC LIMIT 1)",
        quarter.months().1.label()
    )
}

/// A candidate from its `facts` (None if they do not read, which the SQL above never produces).
fn candidate(facts: &str, words: Option<Words>) -> Option<Candidate> {
    let (name, region_name, health_reason) =
        words.map(|w| (w.name, w.region_name, w.health_reason)).unwrap_or_default();
    let mut parts = facts.split(',');
    let id = Uuid::try_parse(parts.next()?).ok()?;
    let total_investment = parts.next()?.parse().ok()?;
    let invest_cumulative = parts.next()?.parse().ok();
    let stage = parts.next()?.to_string();
    let health = parts.next()?.to_string();
    let mut d = [None; 12];
    for (slot, text) in d.iter_mut().zip(parts) {
        *slot = fact_date(text);
    }
    Some(Candidate {
        id,
        name,
        region_name,
        stage,
        health,
        health_reason,
        total_investment,
        milestones: vec![
            ("签约", d[0], d[1]),
            ("注册", d[2], d[3]),
            ("供地", d[4], d[5]),
            ("开工", d[6], d[7]),
            ("投产", d[8], d[9]),
            ("达产", d[10], d[11]),
        ],
        invest_cumulative,
    })
}

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

#[cfg(test)]
mod tests {
    #[test]
    fn a_candidate_reads_from_its_facts_as_either_database_sends_them() {
        use time::macros::date;
        let sqlite = "0A1B2C3D4E5F60718293A4B5C6D7E8F9,750000000,120000000,started,delayed,\
                      2023-01-10,2023-01-12,,,,,2023-03-01,2023-03-20,,,,";
        let c = super::candidate(sqlite, None).unwrap();
        assert_eq!(c.id.to_string(), "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
        assert_eq!((c.total_investment, c.invest_cumulative), (750_000_000, Some(120_000_000)));
        assert_eq!((c.stage.as_str(), c.health.as_str()), ("started", "delayed"));
        assert_eq!(c.milestones[0], ("签约", Some(date!(2023 - 01 - 10)), Some(date!(2023 - 01 - 12))));
        assert_eq!(c.milestones[1], ("注册", None, None));
        assert_eq!(c.milestones[3], ("开工", Some(date!(2023 - 03 - 01)), Some(date!(2023 - 03 - 20))));
        // PostgreSQL: the id as text, no report yet, dates as days since 1970-01-01.
        let postgres = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9,750000000,,signed,normal,19367,19369,,,,,,,,,,";
        let c = super::candidate(postgres, None).unwrap();
        assert_eq!(c.invest_cumulative, None);
        assert_eq!(c.milestones[0], ("签约", Some(date!(2023 - 01 - 10)), Some(date!(2023 - 01 - 12))));
        assert!(super::candidate("not-an-id,1,,signed,normal", None).is_none());
    }

    #[test]
    fn dates_are_read_from_their_text_and_anything_else_is_none() {
        use time::macros::date;
        assert_eq!(super::fact_date("2026-09-30"), Some(date!(2026 - 09 - 30)));
        assert_eq!(super::fact_date("2026-02-30"), None);
        assert_eq!(super::fact_date(""), None);
        assert_eq!(super::fact_date("30/09/2026"), None);
        // Days since 1970-01-01, as PostgreSQL sends them: 2026-09-30 is day 20,726.
        assert_eq!(super::fact_date("20726"), Some(date!(2026 - 09 - 30)));
        assert_eq!(super::fact_date("0"), Some(date!(1970 - 01 - 01)));
        assert_eq!(super::fact_date("-1"), Some(date!(1969 - 12 - 31)));
        assert_eq!(super::fact_date("99999999999"), None);
    }
}

//! Queries for evaluation settings and published results: targets, weights, frozen rankings and
//! the quarterly 红旗/蜗牛 lists.

use crate::db::Ex;
use crate::{q_as, q_exec};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// Targets of a region for a year: (indicator, value in its base unit).
pub async fn targets(ex: &mut Ex<'_>, region: &str, year: i32) -> Result<Vec<(String, i64)>, sqlx::Error> {
    q_as!(
        ex,
        fetch_all,
        (String, i64),
        "SELECT indicator, value FROM evaluation_targets WHERE region = $1 AND year = $2",
        region,
        year as i64
    )
}

/// Targets of several regions for a year: (region, indicator, value).
pub async fn targets_of(
    ex: &mut Ex<'_>,
    regions: &[String],
    year: i32,
) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    let sql =
        format!("SELECT region, indicator, value FROM evaluation_targets WHERE year = {year} AND region IN ({{in}})");
    crate::db::fetch_in(ex, &sql, regions).await
}

pub async fn set_target(
    ex: &mut Ex<'_>,
    region: &str,
    year: i32,
    indicator: &str,
    value: Option<i64>,
    by: &str,
) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "DELETE FROM evaluation_targets WHERE region = $1 AND year = $2 AND indicator = $3",
        region,
        year as i64,
        indicator
    )?;
    if let Some(v) = value {
        q_exec!(
            ex,
            "INSERT INTO evaluation_targets (region, year, indicator, value, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            region,
            year as i64,
            indicator,
            v,
            by,
            OffsetDateTime::now_utc()
        )?;
    }
    Ok(())
}

/// Stored weights; indicators never set keep the library's default.
pub async fn weights(ex: &mut Ex<'_>) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let stored: Vec<(String, i64)> =
        q_as!(ex, fetch_all, (String, i64), "SELECT indicator, weight FROM indicator_weights")?;
    Ok(super::indicators::LIBRARY
        .iter()
        .map(|d| {
            let w = stored.iter().find(|(c, _)| c == d.code).map(|(_, w)| *w).unwrap_or(d.weight);
            (d.code.to_string(), w)
        })
        .collect())
}

pub async fn set_weight(ex: &mut Ex<'_>, indicator: &str, weight: i64, by: &str) -> Result<(), sqlx::Error> {
    q_exec!(ex, "DELETE FROM indicator_weights WHERE indicator = $1", indicator)?;
    q_exec!(
        ex,
        "INSERT INTO indicator_weights (indicator, weight, updated_by, updated_at) VALUES ($1, $2, $3, $4)",
        indicator,
        weight,
        by,
        OffsetDateTime::now_utc()
    )?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Snapshot {
    pub id: Uuid,
    pub region: String,
    pub period: String,
    pub title: String,
    pub weights_json: String,
    pub rows_json: String,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

pub async fn insert_snapshot(ex: &mut Ex<'_>, s: &Snapshot) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO ranking_snapshots (id, region, period, title, weights_json, rows_json, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        s.id,
        &s.region,
        &s.period,
        &s.title,
        &s.weights_json,
        &s.rows_json,
        &s.created_by,
        s.created_at
    )?;
    Ok(())
}

pub async fn snapshot(ex: &mut Ex<'_>, id: Uuid) -> Result<Option<Snapshot>, sqlx::Error> {
    q_as!(
        ex,
        fetch_optional,
        Snapshot,
        "SELECT id, region, period, title, weights_json, rows_json, created_by, created_at FROM ranking_snapshots WHERE id = $1",
        id
    )
}

/// Snapshot headers (no figures) for regions in a scope, newest first.
pub async fn snapshots(ex: &mut Ex<'_>, scope_path: &str) -> Result<Vec<Snapshot>, sqlx::Error> {
    q_as!(
        ex,
        fetch_all,
        Snapshot,
        "SELECT s.id, s.region, s.period, s.title, '' AS weights_json, '' AS rows_json, s.created_by, s.created_at
         FROM ranking_snapshots s JOIN regions g ON g.code = s.region WHERE g.path LIKE $1
         ORDER BY s.created_at DESC LIMIT 200",
        format!("{scope_path}%")
    )
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FlagList {
    pub id: Uuid,
    pub region: String,
    pub quarter: String,
    pub status: String,
    pub red_json: String,
    pub snail_json: String,
    pub swaps_json: String,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub published_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    pub version: i64,
}

const FLAG_COLS: &str = "id, region, quarter, status, red_json, snail_json, swaps_json, created_by, created_at,
    published_by, published_at, version";

pub async fn flag_list(ex: &mut Ex<'_>, region: &str, quarter: &str) -> Result<Option<FlagList>, sqlx::Error> {
    let sql = format!("SELECT {FLAG_COLS} FROM flag_lists WHERE region = $1 AND quarter = $2");
    q_as!(ex, fetch_optional, FlagList, sqlx::AssertSqlSafe(sql.as_str()), region, quarter)
}

pub async fn flag_lists(ex: &mut Ex<'_>, scope_path: &str) -> Result<Vec<FlagList>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM flag_lists f JOIN regions g ON g.code = f.region WHERE g.path LIKE $1
         ORDER BY f.quarter DESC, f.region LIMIT 200",
        FLAG_COLS.split(", ").map(|c| format!("f.{}", c.trim())).collect::<Vec<_>>().join(", ")
    );
    q_as!(ex, fetch_all, FlagList, sqlx::AssertSqlSafe(sql.as_str()), format!("{scope_path}%"))
}

pub async fn insert_flag_list(ex: &mut Ex<'_>, f: &FlagList) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO flag_lists (id, region, quarter, status, red_json, snail_json, swaps_json, created_by, created_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        f.id,
        &f.region,
        &f.quarter,
        &f.status,
        &f.red_json,
        &f.snail_json,
        &f.swaps_json,
        &f.created_by,
        f.created_at,
        f.version
    )?;
    Ok(())
}

/// Saves a draft's lists (or publishes it) if it is still at `f.version - 1`.
pub async fn update_flag_list(ex: &mut Ex<'_>, f: &FlagList) -> Result<bool, sqlx::Error> {
    let n = q_exec!(
        ex,
        "UPDATE flag_lists SET status = $2, red_json = $3, snail_json = $4, swaps_json = $5, published_by = $6,
           published_at = $7, version = $8 WHERE id = $1 AND version = $9",
        f.id,
        &f.status,
        &f.red_json,
        &f.snail_json,
        &f.swaps_json,
        &f.published_by,
        f.published_at,
        f.version,
        f.version - 1
    )?;
    Ok(n == 1)
}

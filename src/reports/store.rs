//! Queries on monthly reports.

use crate::db::Ex;
use crate::{q_as, q_exec};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Report {
    pub id: Uuid,
    pub project_id: Uuid,
    pub month: String,
    pub invest_month: i64,
    pub invest_cumulative: i64,
    pub funds_domestic: i64,
    pub funds_foreign_usd: i64,
    pub tax: i64,
    pub jobs: i64,
    pub output: i64,
    pub progress: String,
    pub problems: String,
    pub in_stats: bool,
    pub late: bool,
    pub filed_on: Date,
    pub filed_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

const COLS: &str =
    "id, project_id, month, invest_month, invest_cumulative, funds_domestic, funds_foreign_usd, tax, jobs,
    output, progress, problems, in_stats, late, filed_on, filed_by, created_at, updated_at, version";

pub async fn of_project(ex: &mut Ex<'_>, project: Uuid) -> Result<Vec<Report>, sqlx::Error> {
    let sql = format!("SELECT {COLS} FROM monthly_reports WHERE project_id = $1 ORDER BY month DESC");
    q_as!(ex, fetch_all, Report, sqlx::AssertSqlSafe(sql.as_str()), project)
}

pub async fn get(ex: &mut Ex<'_>, project: Uuid, month: &str) -> Result<Option<Report>, sqlx::Error> {
    let sql = format!("SELECT {COLS} FROM monthly_reports WHERE project_id = $1 AND month = $2");
    q_as!(ex, fetch_optional, Report, sqlx::AssertSqlSafe(sql.as_str()), project, month)
}

/// The nearest report before (`before = true`) or after `month`.
pub async fn neighbour(
    ex: &mut Ex<'_>,
    project: Uuid,
    month: &str,
    before: bool,
) -> Result<Option<Report>, sqlx::Error> {
    let sql = if before {
        format!("SELECT {COLS} FROM monthly_reports WHERE project_id = $1 AND month < $2 ORDER BY month DESC LIMIT 1")
    } else {
        format!("SELECT {COLS} FROM monthly_reports WHERE project_id = $1 AND month > $2 ORDER BY month ASC LIMIT 1")
    };
    q_as!(ex, fetch_optional, Report, sqlx::AssertSqlSafe(sql.as_str()), project, month)
}

pub async fn insert(ex: &mut Ex<'_>, r: &Report) -> Result<(), sqlx::Error> {
    q_exec!(ex,
        "INSERT INTO monthly_reports (id, project_id, month, invest_month, invest_cumulative, funds_domestic,
           funds_foreign_usd, tax, jobs, output, progress, problems, in_stats, late, filed_on, filed_by, created_at,
           updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        r.id, r.project_id, &r.month, r.invest_month, r.invest_cumulative, r.funds_domestic, r.funds_foreign_usd, r.tax,
        r.jobs, r.output, &r.progress, &r.problems, r.in_stats, r.late, r.filed_on, &r.filed_by, r.created_at,
        r.updated_at, r.version)?;
    Ok(())
}

/// Every report of these projects (an import checks a file's months against them).
pub async fn of_projects(ex: &mut Ex<'_>, projects: &[Uuid]) -> Result<Vec<Report>, sqlx::Error> {
    crate::db::fetch_in(ex, &format!("SELECT {COLS} FROM monthly_reports WHERE project_id IN ({{in}})"), projects).await
}

pub async fn insert_many(ex: &mut Ex<'_>, rows: &[&Report]) -> Result<(), sqlx::Error> {
    let head = format!("INSERT INTO monthly_reports ({COLS})");
    crate::q_insert_many!(ex, head, 19, rows, |q, r| q
        .bind(r.id)
        .bind(r.project_id)
        .bind(&r.month)
        .bind(r.invest_month)
        .bind(r.invest_cumulative)
        .bind(r.funds_domestic)
        .bind(r.funds_foreign_usd)
        .bind(r.tax)
        .bind(r.jobs)
        .bind(r.output)
        .bind(&r.progress)
        .bind(&r.problems)
        .bind(r.in_stats)
        .bind(r.late)
        .bind(r.filed_on)
        .bind(&r.filed_by)
        .bind(r.created_at)
        .bind(r.updated_at)
        .bind(r.version))?;
    Ok(())
}

pub async fn update(ex: &mut Ex<'_>, r: &Report) -> Result<bool, sqlx::Error> {
    let n = q_exec!(ex,
        "UPDATE monthly_reports SET invest_month = $2, invest_cumulative = $3, funds_domestic = $4, funds_foreign_usd = $5,
           tax = $6, jobs = $7, output = $8, progress = $9, problems = $10, in_stats = $11, late = $12, filed_on = $13,
           filed_by = $14, updated_at = $15, version = $16 WHERE id = $1 AND version = $17",
        r.id, r.invest_month, r.invest_cumulative, r.funds_domestic, r.funds_foreign_usd, r.tax, r.jobs, r.output,
        &r.progress, &r.problems, r.in_stats, r.late, r.filed_on, &r.filed_by, r.updated_at, r.version, r.version - 1)?;
    Ok(n == 1)
}

/// Stages whose projects owe a monthly report (signed and beyond, not exited).
pub const REPORTING_STAGES: &str =
    "('signed', 'registered', 'land_supplied', 'started', 'producing', 'full_production')";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Missing {
    pub id: Uuid,
    pub name: String,
    pub stage: crate::projects::stage::Stage,
    pub region_name: String,
}

/// Projects in the scope paths that owe a report for `month` and have none.
pub async fn missing(ex: &mut Ex<'_>, scope: &str, month: &str) -> Result<Vec<Missing>, sqlx::Error> {
    let sql = format!(
        "SELECT p.id, p.name, p.stage, g.name AS region_name FROM projects p JOIN regions g ON g.code = p.region
         WHERE g.path LIKE $1 AND p.stage IN {REPORTING_STAGES} AND p.health <> 'exited'
           AND NOT EXISTS (SELECT 1 FROM monthly_reports r WHERE r.project_id = p.id AND r.month = $2)
         ORDER BY g.path, p.name LIMIT 2000"
    );
    q_as!(ex, fetch_all, Missing, sqlx::AssertSqlSafe(sql.as_str()), format!("{scope}%"), month)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Rollup {
    pub code: String,
    pub name: String,
    pub projects: i64,
    pub reported: i64,
    pub late: i64,
    pub invest_month: i64,
    pub invest_cumulative: i64,
    pub funds_domestic: i64,
    pub funds_foreign_usd: i64,
    pub tax: i64,
    pub jobs: i64,
}

/// For each child of the node at `parent_path`: projects owing a report, reports filed, and their sums.
pub async fn rollup(ex: &mut Ex<'_>, parent_code: &str, month: &str) -> Result<Vec<Rollup>, sqlx::Error> {
    let sql = format!(
        "SELECT c.code, c.name,
           (SELECT count(*) FROM projects p JOIN regions g ON g.code = p.region
              WHERE g.path LIKE c.path || '%' AND p.stage IN {REPORTING_STAGES} AND p.health <> 'exited') AS projects,
           count(r.id) AS reported,
           CAST(COALESCE(sum(CASE WHEN r.late THEN 1 ELSE 0 END), 0) AS BIGINT) AS late,
           CAST(COALESCE(sum(r.invest_month), 0) AS BIGINT) AS invest_month,
           CAST(COALESCE(sum(r.invest_cumulative), 0) AS BIGINT) AS invest_cumulative,
           CAST(COALESCE(sum(r.funds_domestic), 0) AS BIGINT) AS funds_domestic,
           CAST(COALESCE(sum(r.funds_foreign_usd), 0) AS BIGINT) AS funds_foreign_usd,
           CAST(COALESCE(sum(r.tax), 0) AS BIGINT) AS tax,
           CAST(COALESCE(sum(r.jobs), 0) AS BIGINT) AS jobs
         FROM regions c
         LEFT JOIN regions g ON g.path LIKE c.path || '%'
         LEFT JOIN projects p ON p.region = g.code
         LEFT JOIN monthly_reports r ON r.project_id = p.id AND r.month = $2
         WHERE c.parent = $1
         GROUP BY c.code, c.name, c.path
         ORDER BY c.code"
    );
    q_as!(ex, fetch_all, Rollup, sqlx::AssertSqlSafe(sql.as_str()), parent_code, month)
}

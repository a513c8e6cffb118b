//! Queries on batch events.

use crate::db::Ex;
use crate::{q_as, q_exec};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Batch {
    pub id: Uuid,
    pub kind: String,
    pub name: String,
    pub held_on: Date,
    pub place: String,
    pub region: String,
    pub is_demo: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BatchRow {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub b: Batch,
    pub region_name: String,
    pub region_path: String,
    pub members: i64,
}

const SELECT: &str = "SELECT b.id, b.kind, b.name, b.held_on, b.place, b.region, b.is_demo, b.created_at, b.version,
    g.name AS region_name, g.path AS region_path,
    (SELECT count(*) FROM batch_projects bp WHERE bp.batch_id = b.id) AS members
    FROM batches b JOIN regions g ON g.code = b.region";

pub async fn get(ex: &mut Ex<'_>, id: Uuid) -> Result<Option<BatchRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE b.id = $1");
    q_as!(ex, fetch_optional, BatchRow, sqlx::AssertSqlSafe(sql.as_str()), id)
}

pub async fn list(ex: &mut Ex<'_>, scope: &str) -> Result<Vec<BatchRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE g.path LIKE $1 ORDER BY b.held_on DESC LIMIT 500");
    q_as!(ex, fetch_all, BatchRow, sqlx::AssertSqlSafe(sql.as_str()), format!("{scope}%"))
}

pub async fn insert(ex: &mut Ex<'_>, b: &Batch) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO batches (id, kind, name, held_on, place, region, is_demo, created_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        b.id,
        &b.kind,
        &b.name,
        b.held_on,
        &b.place,
        &b.region,
        b.is_demo,
        b.created_at,
        b.version
    )?;
    Ok(())
}

pub async fn add_member(ex: &mut Ex<'_>, batch: Uuid, project: Uuid, annual_plan: i64) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO batch_projects (batch_id, project_id, annual_plan) VALUES ($1, $2, $3)
         ON CONFLICT (batch_id, project_id) DO UPDATE SET annual_plan = excluded.annual_plan",
        batch,
        project,
        annual_plan
    )?;
    Ok(())
}

pub async fn remove_member(ex: &mut Ex<'_>, batch: Uuid, project: Uuid) -> Result<u64, sqlx::Error> {
    q_exec!(ex, "DELETE FROM batch_projects WHERE batch_id = $1 AND project_id = $2", batch, project)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MemberRow {
    pub project_id: Uuid,
    pub name: String,
    pub total_investment: i64,
    pub annual_plan: i64,
    pub region_name: String,
    /// The county-level (or city-level) unit the project belongs to, for the by-region split.
    pub unit_name: String,
    pub section_name: Option<String>,
}

/// Members with the region one level below the batch's region (how a release splits them) and the 门类.
pub async fn members(ex: &mut Ex<'_>, batch: Uuid, batch_region_path: &str) -> Result<Vec<MemberRow>, sqlx::Error> {
    // "/43/4301/" has 3 slashes; its children ("/43/4301/430112/") have 4.
    let depth = batch_region_path.matches('/').count() as i64 + 1;
    let sql = "SELECT p.id AS project_id, p.name, p.total_investment, bp.annual_plan, g.name AS region_name,
          COALESCE((SELECT u.name FROM regions u WHERE g.path LIKE u.path || '%'
                      AND length(u.path) - length(replace(u.path, '/', '')) = $2 LIMIT 1), g.name) AS unit_name,
          (SELECT s.name FROM industries s WHERE s.level = 1 AND s.code = (SELECT i.section FROM industries i WHERE i.code = p.industry)) AS section_name
        FROM batch_projects bp JOIN projects p ON p.id = bp.project_id JOIN regions g ON g.code = p.region
        WHERE bp.batch_id = $1 ORDER BY p.total_investment DESC, p.name";
    q_as!(ex, fetch_all, MemberRow, sql, batch, depth)
}

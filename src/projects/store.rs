//! Queries on projects, their investors, stage log and evidence.

use super::stage::{Health, Stage};
use crate::db::Ex;
use crate::domain::Money;
use crate::{q_as, q_exec};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Project {
    pub id: Uuid,
    pub code: Option<String>,
    pub name: String,
    pub region: String,
    pub industry: Option<String>,
    pub sector: Option<String>,
    pub industrial: bool,
    pub nature: Option<String>,
    pub capital: Option<String>,
    pub sources: i64,
    pub channel: Option<String>,
    pub total_investment: Money,
    pub fixed_investment: Option<Money>,
    pub foreign_usd: Option<i64>,
    pub expected_output: Option<Money>,
    pub expected_tax: Option<Money>,
    pub expected_jobs: Option<i64>,
    pub land_mu: Option<i64>,
    pub tags: i64,
    pub stage: Stage,
    pub health: Health,
    pub health_reason: Option<String>,
    pub contracted_amount: Option<Money>,
    pub local_credit_code: Option<String>,
    pub parcel: Option<String>,
    pub supplied_mu: Option<i64>,
    pub permit: Option<String>,
    pub planned_sign: Option<Date>,
    pub actual_sign: Option<Date>,
    pub planned_register: Option<Date>,
    pub actual_register: Option<Date>,
    pub planned_land: Option<Date>,
    pub actual_land: Option<Date>,
    pub planned_start: Option<Date>,
    pub actual_start: Option<Date>,
    pub planned_produce: Option<Date>,
    pub actual_produce: Option<Date>,
    pub planned_full_produce: Option<Date>,
    pub actual_full_produce: Option<Date>,
    pub specialist_id: Option<Uuid>,
    pub is_demo: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

pub const COLS: &str = "p.id, p.code, p.name, p.region, p.industry, p.sector, p.industrial, p.nature, p.capital,
    p.sources, p.channel, p.total_investment, p.fixed_investment, p.foreign_usd, p.expected_output, p.expected_tax,
    p.expected_jobs, p.land_mu, p.tags, p.stage, p.health, p.health_reason, p.contracted_amount, p.local_credit_code,
    p.parcel, p.supplied_mu, p.permit, p.planned_sign, p.actual_sign, p.planned_register, p.actual_register,
    p.planned_land, p.actual_land, p.planned_start, p.actual_start, p.planned_produce, p.actual_produce,
    p.planned_full_produce, p.actual_full_produce, p.specialist_id, p.is_demo, p.created_at, p.updated_at, p.version";

/// A project with the names a page shows beside it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Row {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub p: Project,
    pub region_name: String,
    pub region_path: String,
    pub industry_name: Option<String>,
}

/// A project row with its region's and industry's names; callers add the WHERE clause.
pub(super) fn select() -> String {
    format!(
        "SELECT {COLS}, g.name AS region_name, g.path AS region_path, i.name AS industry_name
         FROM projects p JOIN regions g ON g.code = p.region LEFT JOIN industries i ON i.code = p.industry"
    )
}

pub async fn get(ex: &mut Ex<'_>, id: Uuid) -> Result<Option<Row>, sqlx::Error> {
    let sql = format!("{} WHERE p.id = $1", select());
    q_as!(ex, fetch_optional, Row, sqlx::AssertSqlSafe(sql.as_str()), id)
}

pub async fn by_code(ex: &mut Ex<'_>, code: &str) -> Result<Option<Row>, sqlx::Error> {
    let sql = format!("{} WHERE p.code = $1", select());
    q_as!(ex, fetch_optional, Row, sqlx::AssertSqlSafe(sql.as_str()), code)
}

const WRITE_COLS: &str = "id, code, name, region, industry, sector, industrial, nature, capital, sources, channel,
    total_investment, fixed_investment, foreign_usd, expected_output, expected_tax, expected_jobs, land_mu, tags,
    stage, health, health_reason, contracted_amount, local_credit_code, parcel, supplied_mu, permit,
    planned_sign, actual_sign, planned_register, actual_register, planned_land, actual_land, planned_start,
    actual_start, planned_produce, actual_produce, planned_full_produce, actual_full_produce, specialist_id,
    is_demo, created_at, updated_at, version";

/// Binds every column of `p` in `WRITE_COLS` order.
macro_rules! bind_project {
    ($q:expr, $p:expr) => {
        $q.bind($p.id)
            .bind(&$p.code)
            .bind(&$p.name)
            .bind(&$p.region)
            .bind(&$p.industry)
            .bind(&$p.sector)
            .bind($p.industrial)
            .bind(&$p.nature)
            .bind(&$p.capital)
            .bind($p.sources)
            .bind(&$p.channel)
            .bind($p.total_investment)
            .bind($p.fixed_investment)
            .bind($p.foreign_usd)
            .bind($p.expected_output)
            .bind($p.expected_tax)
            .bind($p.expected_jobs)
            .bind($p.land_mu)
            .bind($p.tags)
            .bind(&$p.stage)
            .bind(&$p.health)
            .bind(&$p.health_reason)
            .bind($p.contracted_amount)
            .bind(&$p.local_credit_code)
            .bind(&$p.parcel)
            .bind($p.supplied_mu)
            .bind(&$p.permit)
            .bind($p.planned_sign)
            .bind($p.actual_sign)
            .bind($p.planned_register)
            .bind($p.actual_register)
            .bind($p.planned_land)
            .bind($p.actual_land)
            .bind($p.planned_start)
            .bind($p.actual_start)
            .bind($p.planned_produce)
            .bind($p.actual_produce)
            .bind($p.planned_full_produce)
            .bind($p.actual_full_produce)
            .bind($p.specialist_id)
            .bind($p.is_demo)
            .bind($p.created_at)
            .bind($p.updated_at)
            .bind($p.version)
    };
}

pub(crate) use bind_project;

/// Every column name of a project, in the order `bind_project!` binds them.
pub const WRITE_COLUMNS: &str = WRITE_COLS;
pub const WRITE_COLUMN_COUNT: usize = 44;

fn placeholders(n: usize, from: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

pub async fn insert(ex: &mut Ex<'_>, p: &Project) -> Result<(), sqlx::Error> {
    let sql = format!("INSERT INTO projects ({WRITE_COLS}) VALUES ({})", placeholders(44, 1));
    match ex {
        Ex::Sqlite(c) => {
            bind_project!(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), p).execute(&mut **c).await?.rows_affected()
        }
        Ex::Postgres(c) => {
            bind_project!(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), p).execute(&mut **c).await?.rows_affected()
        }
    };
    Ok(())
}

/// Writes every column if the row is still at `p.version - 1`; false when someone else saved first.
pub async fn update(ex: &mut Ex<'_>, p: &Project) -> Result<bool, sqlx::Error> {
    let sets: Vec<String> =
        WRITE_COLS.split(',').map(str::trim).enumerate().skip(1).map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    let sql = format!("UPDATE projects SET {} WHERE id = $1 AND version = $45", sets.join(", "));
    let n = match ex {
        Ex::Sqlite(c) => bind_project!(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), p)
            .bind(p.version - 1)
            .execute(&mut **c)
            .await?
            .rows_affected(),
        Ex::Postgres(c) => bind_project!(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), p)
            .bind(p.version - 1)
            .execute(&mut **c)
            .await?
            .rows_affected(),
    };
    Ok(n == 1)
}

pub async fn set_investors(ex: &mut Ex<'_>, project: Uuid, enterprises: &[Uuid]) -> Result<(), sqlx::Error> {
    q_exec!(ex, "DELETE FROM project_investors WHERE project_id = $1", project)?;
    for e in enterprises {
        q_exec!(ex, "INSERT INTO project_investors (project_id, enterprise_id) VALUES ($1, $2)", project, e)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Investor {
    pub id: Uuid,
    pub name: String,
    pub credit_code: String,
    pub region_path: String,
}

pub async fn investors(ex: &mut Ex<'_>, project: Uuid) -> Result<Vec<Investor>, sqlx::Error> {
    q_as!(
        ex,
        fetch_all,
        Investor,
        "SELECT e.id, e.name, e.credit_code, g.path AS region_path FROM project_investors pi
         JOIN enterprises e ON e.id = pi.enterprise_id JOIN regions g ON g.code = e.region
         WHERE pi.project_id = $1 ORDER BY e.name",
        project
    )
}

/// Projects an enterprise invests in (for its detail page).
pub async fn of_enterprise(ex: &mut Ex<'_>, enterprise: Uuid) -> Result<Vec<Row>, sqlx::Error> {
    let sql = format!(
        "{} JOIN project_investors pi ON pi.project_id = p.id WHERE pi.enterprise_id = $1 ORDER BY p.name",
        select()
    );
    q_as!(ex, fetch_all, Row, sqlx::AssertSqlSafe(sql.as_str()), enterprise)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StageLog {
    pub id: Uuid,
    pub from_stage: Option<Stage>,
    pub to_stage: Stage,
    pub happened_on: Date,
    pub override_reason: Option<String>,
    pub note: Option<String>,
    pub details: Option<String>,
    pub actor_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[allow(clippy::too_many_arguments)]
pub async fn log_stage(
    ex: &mut Ex<'_>,
    project: Uuid,
    from: Option<Stage>,
    to: Stage,
    on: Date,
    reason: Option<&str>,
    note: Option<&str>,
    details: Option<String>,
    actor: &str,
) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO project_stage_log (id, project_id, from_stage, to_stage, happened_on, override_reason, note,
           details, actor_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        Uuid::now_v7(),
        project,
        from,
        to,
        on,
        reason,
        note,
        details,
        actor,
        OffsetDateTime::now_utc()
    )?;
    Ok(())
}

pub async fn stage_log(ex: &mut Ex<'_>, project: Uuid) -> Result<Vec<StageLog>, sqlx::Error> {
    q_as!(
        ex,
        fetch_all,
        StageLog,
        "SELECT id, from_stage, to_stage, happened_on, override_reason, note, details, actor_name, at
         FROM project_stage_log WHERE project_id = $1 ORDER BY at, id",
        project
    )
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EvidenceMeta {
    pub id: Uuid,
    pub project_id: Uuid,
    pub stage: Stage,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
}

pub async fn insert_evidence(ex: &mut Ex<'_>, m: &EvidenceMeta, data: &[u8]) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO project_evidence (id, project_id, stage, filename, content_type, size, sha256, data, uploaded_by,
           uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        m.id,
        m.project_id,
        &m.stage,
        &m.filename,
        &m.content_type,
        m.size,
        &m.sha256,
        data,
        &m.uploaded_by,
        m.uploaded_at
    )?;
    Ok(())
}

pub async fn evidence_list(ex: &mut Ex<'_>, project: Uuid) -> Result<Vec<EvidenceMeta>, sqlx::Error> {
    q_as!(
        ex,
        fetch_all,
        EvidenceMeta,
        "SELECT id, project_id, stage, filename, content_type, size, sha256, uploaded_by, uploaded_at
         FROM project_evidence WHERE project_id = $1 ORDER BY uploaded_at",
        project
    )
}

pub async fn evidence_data(ex: &mut Ex<'_>, id: Uuid) -> Result<Option<(EvidenceMeta, Vec<u8>)>, sqlx::Error> {
    let meta: Option<EvidenceMeta> = q_as!(
        ex,
        fetch_optional,
        EvidenceMeta,
        "SELECT id, project_id, stage, filename, content_type, size, sha256, uploaded_by, uploaded_at
         FROM project_evidence WHERE id = $1",
        id
    )?;
    let Some(meta) = meta else { return Ok(None) };
    let data: Vec<u8> =
        crate::q_scalar!(ex, fetch_one, Vec<u8>, "SELECT data FROM project_evidence WHERE id = $1", id)?;
    Ok(Some((meta, data)))
}

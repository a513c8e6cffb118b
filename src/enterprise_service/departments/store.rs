//! Queries on `departments`; each takes an executor, so it runs inside the caller's transaction.

use crate::db::Ex;
use crate::{q_as, q_exec};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Department {
    pub id: Uuid,
    pub region: String,
    pub name: String,
    pub active: bool,
    pub is_demo: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub version: i64,
    pub region_name: String,
    pub region_path: String,
    pub region_level: String,
}

impl Department {
    /// "长沙市 · 市自然资源和规划局".
    pub fn label(&self) -> String {
        format!("{} · {}", self.region_name, self.name)
    }
}

const SELECT: &str = "SELECT d.id, d.region, d.name, d.active, d.is_demo, d.created_at, d.version,
    g.name AS region_name, g.path AS region_path, g.level AS region_level
    FROM departments d JOIN regions g ON g.code = d.region";

pub async fn get(ex: &mut Ex<'_>, id: Uuid) -> Result<Option<Department>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE d.id = $1");
    q_as!(ex, fetch_optional, Department, sqlx::AssertSqlSafe(sql.as_str()), id)
}

/// Departments within the subtree at `scope_path`.
pub async fn in_scope(ex: &mut Ex<'_>, scope_path: &str) -> Result<Vec<Department>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE g.path LIKE $1 ORDER BY g.path, d.name");
    q_as!(ex, fetch_all, Department, sqlx::AssertSqlSafe(sql.as_str()), format!("{scope_path}%"))
}

/// Active departments an appeal owned by the region at `region_path` may go to: those of the region
/// itself and of every region above it (a county's appeal may go to the city's or the province's).
pub async fn for_region_chain(ex: &mut Ex<'_>, region_path: &str) -> Result<Vec<Department>, sqlx::Error> {
    let codes: Vec<String> = region_path.split('/').filter(|c| !c.is_empty()).map(str::to_string).collect();
    let sql = format!("{SELECT} WHERE d.active AND d.region IN ({{in}}) ORDER BY length(d.region) DESC, d.name");
    crate::db::fetch_in(ex, &sql, &codes).await
}

/// The department a handler belongs to, if their unit matches one.
pub async fn of_user(ex: &mut Ex<'_>, user_id: Uuid) -> Result<Option<Department>, sqlx::Error> {
    let sql = format!("{SELECT} JOIN users u ON u.region = d.region AND u.department = d.name WHERE u.id = $1");
    q_as!(ex, fetch_optional, Department, sqlx::AssertSqlSafe(sql.as_str()), user_id)
}

/// Users who handle the department's appeals (for notifications).
pub async fn handlers(ex: &mut Ex<'_>, department: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    crate::q_scalar!(
        ex,
        fetch_all,
        Uuid,
        "SELECT DISTINCT u.id FROM users u JOIN departments d ON d.region = u.region AND d.name = u.department
         JOIN grants gr ON gr.user_id = u.id AND gr.role = 'department_handler'
         WHERE d.id = $1 AND NOT u.disabled",
        department
    )
}

pub async fn insert(ex: &mut Ex<'_>, region: &str, name: &str, is_demo: bool) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    q_exec!(
        ex,
        "INSERT INTO departments (id, region, name, active, is_demo, created_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, 1)",
        id,
        region,
        name,
        true,
        is_demo,
        OffsetDateTime::now_utc()
    )?;
    Ok(id)
}

/// The department of this name in the region, if one is registered.
pub async fn find(ex: &mut Ex<'_>, region: &str, name: &str) -> Result<Option<Uuid>, sqlx::Error> {
    crate::q_scalar!(
        ex,
        fetch_optional,
        Uuid,
        "SELECT id FROM departments WHERE region = $1 AND name = $2",
        region,
        name
    )
}

/// Renames a department or switches it on or off if it is still at `version`; the rows changed (0: it moved on).
pub async fn update(ex: &mut Ex<'_>, id: Uuid, version: i64, name: &str, active: bool) -> Result<u64, sqlx::Error> {
    q_exec!(
        ex,
        "UPDATE departments SET name = $1, active = $2, version = version + 1 WHERE id = $3 AND version = $4",
        name,
        active,
        id,
        version
    )
}

//! Departments that handle appeals: a unit within a region ("长沙市 · 市自然资源和规划局").
//!
//! A 部门办理人 belongs to the department whose region and name equal the user's unit region and
//! department (the free-text `department` on the user, trimmed): no second place to keep in step.
//! Renaming a department therefore means renaming it on its handlers too; the page says so.

use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Ex};
use crate::error::{AppError, AppResult};
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

/// The department of a signed-in user who handles appeals (and whose grant covers it).
pub async fn handled_by(ex: &mut Ex<'_>, user: &CurrentUser) -> Result<Option<Department>, sqlx::Error> {
    if !user.can(Permission::HandleAppeals) {
        return Ok(None);
    }
    Ok(of_user(ex, user.id)
        .await?
        .filter(|d| d.active && authz::check(user, Permission::HandleAppeals, Some(&d.region_path)).is_ok()))
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

pub fn parse_name(s: &str) -> Result<String, String> {
    let s = s.trim();
    match s.chars().count() {
        0 => Err("部门名称不能为空".into()),
        1..=40 => Ok(s.to_string()),
        _ => Err("部门名称不能超过 40 个字".into()),
    }
}

/// Registers a department in a region within the administrator's scope.
pub async fn create(db: &Db, user: &CurrentUser, actor: &Actor, region: &str, name: &str) -> AppResult<Department> {
    let name = parse_name(name).map_err(|e| AppError::field("name", e))?;
    let mut tx = db.begin().await?;
    let r = crate::regions::store::get(&mut tx.ex(), region.trim())
        .await?
        .ok_or_else(|| AppError::field("region", format!("地区“{}”不存在", region.trim())))?;
    if authz::check(user, Permission::ConfigureService, Some(&r.path)).is_err() {
        return Err(AppError::field("region", format!("地区“{}”不在您的管辖范围内", r.name)));
    }
    let exists: Option<Uuid> = crate::q_scalar!(
        &mut tx.ex(),
        fetch_optional,
        Uuid,
        "SELECT id FROM departments WHERE region = $1 AND name = $2",
        &r.code,
        &name
    )?;
    if exists.is_some() {
        return Err(AppError::field("name", format!("{}已有部门“{name}”", r.name)));
    }
    let id = insert(&mut tx.ex(), &r.code, &name, false).await?;
    let d = get(&mut tx.ex(), id).await?.ok_or(AppError::NotFound)?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "department.create",
            entity: "department",
            entity_id: id.to_string(),
            region: Some(r.code.clone()),
            before: None,
            after: Some(serde_json::to_value(&d).unwrap_or_default()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(d)
}

/// Renames a department or switches it on or off, from the version the administrator saw.
pub async fn update(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: &str,
    version: i64,
    name: &str,
    active: bool,
) -> AppResult<Department> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let name = parse_name(name).map_err(|e| AppError::field("name", e))?;
    let mut tx = db.begin().await?;
    let before = get(&mut tx.ex(), id).await?.ok_or(AppError::NotFound)?;
    authz::check(user, Permission::ConfigureService, Some(&before.region_path))?;
    if before.version != version {
        return Err(AppError::Conflict(format!(
            "该部门已被他人修改（您看到的是第 {version} 版，现为第 {} 版：“{}”，{}），请刷新后重试",
            before.version,
            before.name,
            if before.active { "启用" } else { "停用" }
        )));
    }
    let n = q_exec!(
        &mut tx.ex(),
        "UPDATE departments SET name = $1, active = $2, version = version + 1 WHERE id = $3 AND version = $4",
        &name,
        active,
        id,
        version
    )
    .map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::field("name", format!("{}已有部门“{name}”", before.region_name))
        } else {
            e.into()
        }
    })?;
    if n != 1 {
        return Err(AppError::Conflict("该部门刚被他人修改，请刷新后重试".into()));
    }
    let after = get(&mut tx.ex(), id).await?.ok_or(AppError::NotFound)?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "department.update",
            entity: "department",
            entity_id: id.to_string(),
            region: Some(after.region.clone()),
            before: Some(serde_json::to_value(&before).unwrap_or_default()),
            after: Some(serde_json::to_value(&after).unwrap_or_default()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

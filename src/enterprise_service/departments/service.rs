//! Department use cases: the department a handler belongs to, registering and renaming departments
//! (each in one transaction with its audit record).

use super::model::parse_name;
use super::store::{self, Department};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Ex};
use crate::error::{AppError, AppResult};
use uuid::Uuid;

/// The department of a signed-in user who handles appeals (and whose grant covers it).
pub async fn handled_by(ex: &mut Ex<'_>, user: &CurrentUser) -> Result<Option<Department>, sqlx::Error> {
    if !user.can(Permission::HandleAppeals) {
        return Ok(None);
    }
    Ok(store::of_user(ex, user.id)
        .await?
        .filter(|d| d.active && authz::check(user, Permission::HandleAppeals, Some(&d.region_path)).is_ok()))
}

/// A department the administrator may edit (404 unknown, 403/404 outside their scope), checked before
/// the form is read so that a refused edit says so rather than what was wrong with the form.
pub async fn editable(db: &Db, user: &CurrentUser, id: &str) -> AppResult<Department> {
    let uid = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let mut conn = db.conn().await?;
    let d = store::get(&mut conn.ex(), uid).await?.ok_or(AppError::NotFound)?;
    authz::check(user, Permission::ConfigureService, Some(&d.region_path))?;
    Ok(d)
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
    if store::find(&mut tx.ex(), &r.code, &name).await?.is_some() {
        return Err(AppError::field("name", format!("{}已有部门“{name}”", r.name)));
    }
    let id = store::insert(&mut tx.ex(), &r.code, &name, false).await?;
    let d = store::get(&mut tx.ex(), id).await?.ok_or(AppError::NotFound)?;
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
    let before = store::get(&mut tx.ex(), id).await?.ok_or(AppError::NotFound)?;
    authz::check(user, Permission::ConfigureService, Some(&before.region_path))?;
    if before.version != version {
        return Err(AppError::Conflict(format!(
            "该部门已被他人修改（您看到的是第 {version} 版，现为第 {} 版：“{}”，{}），请刷新后重试",
            before.version,
            before.name,
            if before.active { "启用" } else { "停用" }
        )));
    }
    let n = store::update(&mut tx.ex(), id, version, &name, active).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::field("name", format!("{}已有部门“{name}”", before.region_name))
        } else {
            e.into()
        }
    })?;
    if n != 1 {
        return Err(AppError::Conflict("该部门刚被他人修改，请刷新后重试".into()));
    }
    let after = store::get(&mut tx.ex(), id).await?.ok_or(AppError::NotFound)?;
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

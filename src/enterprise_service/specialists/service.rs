//! Specialist use cases: who edits a record as its specialist, assigning and handing over (one
//! transaction with its audit record and the new specialist's notification), and what a user serves.

use super::model::Kind;
use super::store::{self, Assignment};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Ex};
use crate::error::{AppError, AppResult};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

/// Whether `user` may edit this record as its current specialist (DESIGN §4: a 服务专员 edits the
/// enterprises and projects assigned to them): the 服务专员 role over the record's region, and the
/// current assignment is theirs and made by someone else — one they made themselves (possible before
/// assigning was taken from 服务专员) gives no edit rights.
pub async fn edits_as_specialist(
    ex: &mut Ex<'_>,
    user: &CurrentUser,
    kind: Kind,
    target: Uuid,
    region_path: &str,
) -> Result<bool, sqlx::Error> {
    if authz::check(user, Permission::ServeEnterprises, Some(region_path)).is_err() {
        return Ok(false);
    }
    Ok(store::current(ex, kind, target)
        .await?
        .is_some_and(|a| a.specialist_id == user.id && a.assigned_by != user.username))
}

/// `authz::check` for `perm` on a record, where an edit permission is also granted to the record's
/// own 服务专员 (the error is the scope check's: 403 without the permission, 404 out of scope).
pub async fn check(
    ex: &mut Ex<'_>,
    user: &CurrentUser,
    perm: Permission,
    kind: Kind,
    target: Uuid,
    region_path: &str,
) -> AppResult<()> {
    let by_scope = authz::check(user, perm, Some(region_path));
    let editing = matches!(perm, Permission::EditProjects | Permission::EditEnterprises);
    if by_scope.is_err() && editing && edits_as_specialist(ex, user, kind, target, region_path).await? {
        return Ok(());
    }
    by_scope
}

/// Assigns (or hands over to) a specialist: 领导 and 招商专员 of the record's region do, never the
/// specialist themselves, since the assignment gives edit rights. `seen` is the current assignment
/// the user saw (None: none was shown); a different current assignment means someone else changed it
/// meanwhile.
#[allow(clippy::too_many_arguments)]
pub async fn assign(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    kind: Kind,
    target_id: &str,
    specialist: &str,
    seen: Option<Uuid>,
    note: &str,
) -> AppResult<Assignment> {
    let target_id = Uuid::parse_str(target_id).map_err(|_| AppError::NotFound)?;
    let mut tx = db.begin().await?;
    let (region, path, name) = store::target(&mut tx.ex(), kind, target_id).await?.ok_or(AppError::NotFound)?;
    authz::check(user, Permission::AssignSpecialists, Some(&path))?;
    let note = note.trim();
    if note.chars().count() > 200 {
        return Err(AppError::field("note", "交接说明不能超过 200 个字"));
    }
    let specialist = specialist.trim();
    let candidate = store::candidates(&mut tx.ex(), &path)
        .await?
        .into_iter()
        .find(|c| c.username == specialist || c.id.to_string() == specialist)
        .ok_or_else(|| {
            AppError::field(
                "specialist",
                if specialist.is_empty() {
                    "请选择服务专员".to_string()
                } else {
                    format!("“{specialist}”不是管辖“{name}”的服务专员")
                },
            )
        })?;
    if candidate.id == user.id {
        return Err(AppError::field("specialist", "不能指定自己为服务专员，请由本地区的其他领导或招商专员指定"));
    }
    let before = store::current(&mut tx.ex(), kind, target_id).await?;
    if before.as_ref().map(|a| a.id) != seen {
        let now = match &before {
            Some(a) => format!("现为{}（{}）", a.specialist_name, a.specialist_username),
            None => "现已无服务专员".into(),
        };
        return Err(AppError::Conflict(format!(
            "“{name}”的服务专员刚被他人调整（{now}），您的修改未保存，请刷新后重试"
        )));
    }
    if before.as_ref().is_some_and(|a| a.specialist_id == candidate.id) {
        return Err(AppError::field("specialist", format!("{}已是“{name}”的服务专员", candidate.display_name)));
    }
    let now = OffsetDateTime::now_utc();
    let note_opt = (!note.is_empty()).then_some(note);
    store::put(&mut tx.ex(), kind, target_id, candidate.id, &actor.name, note_opt, now, false).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::Conflict(format!("“{name}”的服务专员刚被他人调整，请刷新后重试"))
        } else {
            e.into()
        }
    })?;
    let after = store::current(&mut tx.ex(), kind, target_id).await?.ok_or(AppError::NotFound)?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: if before.is_some() { "specialist.handover" } else { "specialist.assign" },
            entity: kind.code(),
            entity_id: target_id.to_string(),
            region: Some(region),
            before: before.as_ref().map(|a| json!({"specialist": a.specialist_username})),
            after: Some(json!({"specialist": after.specialist_username, "note": note_opt})),
        },
    )
    .await?;
    let link = match kind {
        Kind::Enterprise => format!("/service/enterprises/{target_id}"),
        Kind::Project => format!("/service/projects/{target_id}"),
    };
    crate::enterprise_service::notifications::store::send(
        &mut tx.ex(),
        &[candidate.id],
        "assigned",
        None,
        &format!("您已被指定为“{name}”的{}", kind.label()),
        &link,
        &format!("specialist:{}", after.id),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// How many enterprises and projects the user serves as their current specialist (the hub's counts).
pub async fn serving(db: &Db, user: &CurrentUser) -> AppResult<(i64, i64)> {
    let mut conn = db.conn().await?;
    let enterprises = store::serving(&mut conn.ex(), user.id, Kind::Enterprise).await?;
    let projects = store::serving(&mut conn.ex(), user.id, Kind::Project).await?;
    Ok((enterprises, projects))
}

//! Account use cases. Each owns its transaction and writes its audit record inside it.

use super::authz::CurrentUser;
use super::model::{Held, PasswordPolicy, Role, check_role_combination, parse_display_name, parse_username};
use super::secrets::{generate_password, hash_password};
use super::store::{self, User};
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Ex};
use crate::error::{AppError, AppResult};
use crate::regions;
use serde_json::json;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

// Signing in and out, sessions and tokens, and one's own password live in `signin`; these names are
// kept here for the callers that reach accounts through the service.
pub use super::signin::{
    Changed, INVALID, LoginError, NewSession, SessionState, change_password, current_user, login, logout,
    resolve_session, resolve_token,
};
// API tokens are issued and revoked in `tokens`.
pub use super::tokens::{create_token, revoke_token};

fn user_json(u: &User) -> serde_json::Value {
    json!({"username": u.username, "display_name": u.display_name, "region": u.region,
           "department": u.department, "disabled": u.disabled,
           "locked_until": u.locked_until.map(|t| t.to_string()), "version": u.version})
}

pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub region: String,
    pub department: Option<String>,
    /// None: generate one, returned to the caller to hand over.
    pub password: Option<String>,
    pub is_demo: bool,
    /// The password was set by someone else (an administrator, an operator): its owner changes it at
    /// the first sign-in. Only the demo's published accounts skip this.
    pub must_change_password: bool,
}

/// Parses raw input into a `NewUser`, naming every bad field.
pub fn parse_new_user(
    username: &str,
    display_name: &str,
    region: &str,
    department: &str,
    password: Option<&str>,
    policy: &PasswordPolicy,
) -> AppResult<NewUser> {
    let mut fields = Vec::new();
    let mut err = |f: &str, m: String| fields.push(crate::error::FieldError { field: f.into(), message: m });
    let username = parse_username(username).map_err(|e| err("username", e)).ok();
    let display_name = parse_display_name(display_name).map_err(|e| err("display_name", e)).ok();
    let region = regions::model::RegionCode::parse(region).map_err(|e| err("region", e)).ok();
    let password = password.map(str::to_string).filter(|p| !p.is_empty());
    if let Some(p) = &password {
        if let Err(e) = policy.check(p) {
            err("password", e);
        }
    }
    if !fields.is_empty() {
        let message = fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("；");
        return Err(AppError::Invalid { message, fields });
    }
    Ok(NewUser {
        username: username.expect("checked"),
        display_name: display_name.expect("checked"),
        region: region.expect("checked").to_string(),
        department: Some(department.trim().to_string()).filter(|d| !d.is_empty()),
        password,
        is_demo: false,
        must_change_password: true,
    })
}

/// Creates a user; returns the user and the password to hand over.
pub async fn create_user(db: &Db, actor: &Actor, scopes: Option<&[String]>, n: NewUser) -> AppResult<(User, String)> {
    let mut tx = db.begin().await?;
    let region = regions::store::get(&mut tx.ex(), &n.region)
        .await?
        .ok_or_else(|| AppError::field("region", format!("所属单位区划“{}”不存在", n.region)))?;
    if let Some(sc) = scopes {
        if !sc.iter().any(|sp| regions::model::within(&region.path, sp)) {
            return Err(AppError::field("region", "只能在本人管辖范围内创建用户"));
        }
    }
    if store::user_by_name(&mut tx.ex(), &n.username).await?.is_some() {
        return Err(AppError::field("username", format!("用户名“{}”已被使用", n.username)));
    }
    let password = n.password.unwrap_or_else(generate_password);
    let now = OffsetDateTime::now_utc();
    let u = User {
        id: Uuid::now_v7(),
        username: n.username,
        display_name: n.display_name,
        region: n.region,
        department: n.department,
        password_hash: hash_password(&password),
        failed_logins: 0,
        locked_until: None,
        disabled: false,
        is_demo: n.is_demo,
        created_at: now,
        password_changed_at: now,
        must_change_password: n.must_change_password,
        version: 1,
    };
    store::insert_user(&mut tx.ex(), &u).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "user.create",
            entity: "user",
            entity_id: u.id.to_string(),
            region: Some(u.region.clone()),
            before: None,
            after: Some(user_json(&u)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((u, password))
}

pub enum UserAction {
    Lock,
    Unlock,
    ResetPassword,
    Disable,
    Enable,
}

/// Who acts on an account: an operator at the server's console (the command line, trusted with the
/// database anyway), or a signed-in administrator, held to `model::may_administer`.
pub enum Administrator<'a> {
    Operator,
    User(&'a CurrentUser),
}

fn held(grants: impl IntoIterator<Item = (Role, String, bool)>) -> Vec<Held> {
    grants.into_iter().map(|(role, scope_path, province)| Held { role, scope_path, province }).collect()
}

/// Refuses, in plain words, an account action the acting administrator may not take on `u`.
async fn check_administer(ex: &mut Ex<'_>, by: &Administrator<'_>, u: &User) -> AppResult<()> {
    let Administrator::User(cu) = by else { return Ok(()) };
    let target = held(
        store::grants_of(ex, u.id).await?.into_iter().map(|g| (g.role, g.scope_path, g.scope_level == "province")),
    );
    let actor = held(cu.grants.iter().map(|g| (g.role, g.scope_path.clone(), g.scope_level == "province")));
    let path = regions::store::get(ex, &u.region).await?.map(|r| r.path).unwrap_or_default();
    super::model::may_administer(cu.id == u.id, &actor, &path, &target).map_err(AppError::Refused)
}

/// Whether `by` may act on `u` (the pages show the buttons only then).
pub async fn may_administer(db: &Db, by: &Administrator<'_>, u: &User) -> AppResult<bool> {
    let mut conn = db.conn().await?;
    match check_administer(&mut conn.ex(), by, u).await {
        Ok(()) => Ok(true),
        Err(AppError::Refused(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Applies an administrative action to a user; `version` guards against a concurrent edit.
/// Returns the new password for a reset. A reset must be changed at the next sign-in, and ends the
/// user's sessions and revokes their API tokens, as a lock and a disable end the sessions.
pub async fn admin_action(
    db: &Db,
    actor: &Actor,
    by: Administrator<'_>,
    id: Uuid,
    version: Option<i64>,
    action: UserAction,
) -> AppResult<Option<String>> {
    let mut tx = db.begin().await?;
    let mut u = store::user_by_id(&mut tx.ex(), id).await?.ok_or(AppError::NotFound)?;
    check_administer(&mut tx.ex(), &by, &u).await?;
    if let Some(v) = version {
        if v != u.version {
            return Err(AppError::Conflict(format!(
                "该用户已被他人修改（您看到的是第 {v} 版，当前为第 {} 版），请刷新后重试",
                u.version
            )));
        }
    }
    let before = user_json(&u);
    let mut new_password = None;
    let name = match action {
        UserAction::Lock => {
            u.locked_until = Some(OffsetDateTime::now_utc() + Duration::days(36500));
            "user.lock"
        }
        UserAction::Unlock => {
            u.locked_until = None;
            u.failed_logins = 0;
            "user.unlock"
        }
        UserAction::ResetPassword => {
            let p = generate_password();
            u.password_hash = hash_password(&p);
            u.password_changed_at = OffsetDateTime::now_utc();
            u.must_change_password = true;
            new_password = Some(p);
            "user.reset_password"
        }
        UserAction::Disable => {
            u.disabled = true;
            "user.disable"
        }
        UserAction::Enable => {
            u.disabled = false;
            "user.enable"
        }
    };
    u.version += 1;
    if !store::update_user(&mut tx.ex(), &u).await? {
        return Err(AppError::Conflict("该用户已被他人修改，请刷新后重试".into()));
    }
    if !matches!(name, "user.unlock" | "user.enable") {
        store::delete_sessions_of(&mut tx.ex(), u.id).await?;
    }
    let mut after = user_json(&u);
    if name == "user.reset_password" {
        after["tokens_revoked"] = json!(store::revoke_tokens_of(&mut tx.ex(), u.id).await?);
        after["must_change_password"] = json!(true);
    }
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: name,
            entity: "user",
            entity_id: u.id.to_string(),
            region: Some(u.region.clone()),
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(new_password)
}

/// Grants `role` over the subtree at `scope` to a user. `granter_scope` limits where the granter may grant.
pub async fn add_grant(
    db: &Db,
    actor: &Actor,
    granter_scopes: Option<&[String]>,
    user_id: Uuid,
    role: Role,
    scope: &str,
) -> AppResult<Uuid> {
    let mut tx = db.begin().await?;
    let u = store::user_by_id(&mut tx.ex(), user_id).await?.ok_or(AppError::NotFound)?;
    if actor.id == Some(user_id) {
        return Err(AppError::field("role", "不能给自己授权"));
    }
    let region = regions::store::get(&mut tx.ex(), scope)
        .await?
        .ok_or_else(|| AppError::field("scope", format!("授权范围“{scope}”不存在")))?;
    if let Some(gs) = granter_scopes {
        if !gs.iter().any(|sp| regions::model::within(&region.path, sp)) {
            return Err(AppError::field("scope", "只能在本人管辖范围内授权"));
        }
    }
    let existing: Vec<Role> = store::grants_of(&mut tx.ex(), user_id).await?.iter().map(|g| g.role).collect();
    check_role_combination(&existing, role).map_err(|e| AppError::field("role", e))?;
    if role.is_admin() || existing.iter().any(|r| r.is_admin()) {
        only_province_security(granter_scopes)?;
    }
    let id = Uuid::now_v7();
    match store::insert_grant(&mut tx.ex(), id, user_id, role, scope).await {
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(AppError::field("role", format!("该用户已有{}（{}）授权", role.label(), region.name)));
        }
        r => r?,
    }
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "grant.add",
            entity: "user",
            entity_id: u.id.to_string(),
            region: Some(u.region.clone()),
            before: None,
            after: Some(json!({"grant": id, "role": role.code(), "scope": scope})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Administrator roles are given and taken only at the province's level: a city's 安全管理员 cannot make
/// (or unmake) the administrators who watch over them. `None` is the operator at the console.
fn only_province_security(granter_scopes: Option<&[String]>) -> AppResult<()> {
    match granter_scopes {
        Some(scopes) if !scopes.iter().any(|p| regions::model::is_top_level(p)) => {
            Err(AppError::Refused("管理员角色只能由省级安全管理员授予或收回".into()))
        }
        _ => Ok(()),
    }
}

pub async fn remove_grant(db: &Db, actor: &Actor, granter_scopes: Option<&[String]>, grant_id: Uuid) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let g = store::grant_by_id(&mut tx.ex(), grant_id).await?.ok_or(AppError::NotFound)?;
    let u = store::user_by_id(&mut tx.ex(), g.user_id).await?.ok_or(AppError::NotFound)?;
    if actor.id == Some(u.id) {
        return Err(AppError::Refused("不能收回自己的授权".into()));
    }
    if let Some(gs) = granter_scopes
        && !gs.iter().any(|sp| regions::model::within(&g.scope_path, sp))
    {
        return Err(AppError::Refused("只能收回本人管辖范围内的授权".into()));
    }
    let roles: Vec<Role> = store::grants_of(&mut tx.ex(), u.id).await?.iter().map(|r| r.role).collect();
    if roles.iter().any(|r| r.is_admin()) {
        only_province_security(granter_scopes)?;
    }
    store::delete_grant(&mut tx.ex(), grant_id).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "grant.remove",
            entity: "user",
            entity_id: u.id.to_string(),
            region: Some(u.region.clone()),
            before: Some(json!({"grant": grant_id, "role": g.role, "scope": g.scope})),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Loads a user for someone acting with `perm`; outside their scope it does not exist.
pub async fn user_in_scope(
    db: &Db,
    cu: &CurrentUser,
    perm: super::model::Permission,
    id: &str,
) -> AppResult<(User, regions::model::Region)> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let mut conn = db.conn().await?;
    let u = store::user_by_id(&mut conn.ex(), id).await?.ok_or(AppError::NotFound)?;
    let region = regions::store::get(&mut conn.ex(), &u.region).await?.ok_or(AppError::NotFound)?;
    super::authz::check(cu, perm, Some(&region.path))?;
    Ok((u, region))
}

/// Users in any of `cu`'s scopes for `perm`, matching `q`.
pub async fn users_visible(db: &Db, cu: &CurrentUser, perm: super::model::Permission, q: &str) -> AppResult<Vec<User>> {
    let mut conn = db.conn().await?;
    let mut out: Vec<User> = Vec::new();
    for (path, _) in cu.scopes(perm) {
        for u in store::users_in_scope(&mut conn.ex(), &path, q).await? {
            if !out.iter().any(|x| x.id == u.id) {
                out.push(u);
            }
        }
    }
    Ok(out)
}

pub fn scope_paths(cu: &CurrentUser, perm: super::model::Permission) -> Vec<String> {
    cu.scopes(perm).into_iter().map(|(p, _)| p).collect()
}

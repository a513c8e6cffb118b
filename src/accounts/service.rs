//! Account use cases. Each owns its transaction and writes its audit record inside it.

use super::authz::{CurrentUser, Grant};
use super::model::{
    ABSOLUTE_TIMEOUT_HOURS, IDLE_TIMEOUT_MINUTES, LOCK_MINUTES, MAX_FAILED_LOGINS, PasswordPolicy, Role,
    check_role_combination, parse_display_name, parse_username,
};
use super::secrets::{dummy_verify, generate_password, hash_password, random_token, sha256_hex, verify_password};
use super::store::{self, User};
use crate::audit::{self, Actor, Change};
use crate::cache::Version;
use crate::db::{Db, Ex};
use crate::error::{AppError, AppResult};
use crate::regions;
use serde_json::json;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

fn user_json(u: &User) -> serde_json::Value {
    json!({"username": u.username, "display_name": u.display_name, "region": u.region,
           "department": u.department, "disabled": u.disabled,
           "locked_until": u.locked_until.map(|t| t.to_string()), "version": u.version})
}

/// Who a token or a session's user is, with their grants, kept until anything changes (every change
/// to a user, a grant or a token is audited, so the audit head versions them): most requests then
/// read the head instead of the user and the grants. Disabled or locked is decided at each request,
/// since a lock ends with the clock.
static SIGNED_IN: crate::cache::Cache = crate::cache::Cache::new(4096);

type Account = (User, Vec<Grant>);

pub async fn current_user(db: &Db, id: Uuid, csrf: Option<String>) -> AppResult<Option<CurrentUser>> {
    let account = SIGNED_IN
        .found_or(db, Version::All, format!("user:{id}"), async {
            let mut conn = db.conn().await?;
            let Some(u) = store::user_by_id(&mut conn.ex(), id).await? else {
                return Ok(None);
            };
            with_grants(&mut conn.ex(), u).await
        })
        .await?;
    Ok(signed_in(account, csrf))
}

async fn with_grants(ex: &mut Ex<'_>, u: User) -> AppResult<Option<Account>> {
    let grants = store::grants_of(ex, u.id)
        .await?
        .into_iter()
        .filter_map(|g| {
            Some(Grant {
                role: g.role()?,
                scope: g.scope,
                scope_name: g.scope_name,
                scope_path: g.scope_path,
                scope_level: g.scope_level,
            })
        })
        .collect();
    Ok(Some((u, grants)))
}

/// The user with their grants, unless disabled or locked.
fn signed_in(account: Option<Arc<Account>>, csrf: Option<String>) -> Option<CurrentUser> {
    let (u, grants) = account.as_deref()?;
    if u.disabled || u.is_locked(OffsetDateTime::now_utc()) {
        return None;
    }
    Some(CurrentUser {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        region: u.region.clone(),
        grants: grants.clone(),
        csrf,
    })
}

#[derive(Debug)]
pub enum LoginError {
    Invalid,
    Locked(OffsetDateTime),
    Disabled,
}

impl LoginError {
    pub fn message(&self) -> String {
        match self {
            LoginError::Invalid => "用户名或密码错误".into(),
            LoginError::Locked(until) => {
                let local = until.to_offset(time::UtcOffset::from_hms(8, 0, 0).expect("UTC+8"));
                format!(
                    "密码连续错误 {MAX_FAILED_LOGINS} 次，账号已锁定至 {:02}:{:02}（北京时间），请稍后再试或联系系统管理员",
                    local.hour(),
                    local.minute()
                )
            }
            LoginError::Disabled => "账号已停用，请联系系统管理员".into(),
        }
    }
}

pub struct NewSession {
    pub token: String,
    pub user: User,
}

/// Checks a password and opens a session. Failed attempts count towards the lock.
pub async fn login(
    db: &Db,
    username: &str,
    password: &str,
    ip: Option<String>,
) -> AppResult<Result<NewSession, LoginError>> {
    let mut tx = db.begin().await?;
    let Some(mut u) = store::user_by_name(&mut tx.ex(), username.trim()).await? else {
        dummy_verify(password);
        return Ok(Err(LoginError::Invalid));
    };
    let now = OffsetDateTime::now_utc();
    if u.disabled {
        return Ok(Err(LoginError::Disabled));
    }
    if let Some(until) = u.locked_until.filter(|t| *t > now) {
        return Ok(Err(LoginError::Locked(until)));
    }
    let actor = Actor { id: Some(u.id), name: u.username.clone(), ip: ip.clone() };
    if !verify_password(password, &u.password_hash) {
        u.failed_logins += 1;
        u.version += 1;
        let locked = u.failed_logins >= MAX_FAILED_LOGINS;
        if locked {
            u.locked_until = Some(now + Duration::minutes(LOCK_MINUTES));
            u.failed_logins = 0;
        }
        store::update_user(&mut tx.ex(), &u).await?;
        audit::record(
            &mut tx.ex(),
            &actor,
            Change {
                action: if locked { "login.locked" } else { "login.failed" },
                entity: "user",
                entity_id: u.id.to_string(),
                region: Some(u.region.clone()),
                before: None,
                after: Some(
                    json!({"failed_logins": u.failed_logins, "locked_until": u.locked_until.map(|t| t.to_string())}),
                ),
            },
        )
        .await?;
        tx.commit().await?;
        return Ok(Err(if locked {
            LoginError::Locked(u.locked_until.expect("just set"))
        } else {
            LoginError::Invalid
        }));
    }
    if u.failed_logins != 0 || u.locked_until.is_some() {
        u.failed_logins = 0;
        u.locked_until = None;
        u.version += 1;
        store::update_user(&mut tx.ex(), &u).await?;
    }
    let token = random_token();
    store::insert_session(&mut tx.ex(), &sha256_hex(&token), u.id, &random_token(), ip.as_deref()).await?;
    audit::record(
        &mut tx.ex(),
        &actor,
        Change {
            action: "login",
            entity: "user",
            entity_id: u.id.to_string(),
            region: Some(u.region.clone()),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(NewSession { token, user: u }))
}

/// The user behind a session cookie, if the session is alive; expired sessions are removed.
pub enum SessionState {
    Live(CurrentUser),
    Expired,
    None,
}

pub async fn resolve_session(db: &Db, token: &str) -> AppResult<SessionState> {
    let hash = sha256_hex(token);
    let mut conn = db.conn().await?;
    let Some(s) = store::session(&mut conn.ex(), &hash).await? else {
        return Ok(SessionState::None);
    };
    let now = OffsetDateTime::now_utc();
    if now - s.last_seen_at > Duration::minutes(IDLE_TIMEOUT_MINUTES)
        || now - s.created_at > Duration::hours(ABSOLUTE_TIMEOUT_HOURS)
    {
        store::delete_session(&mut conn.ex(), &hash).await?;
        return Ok(SessionState::Expired);
    }
    // Writing on every request would serialise readers on SQLite; a minute's slack is harmless.
    if now - s.last_seen_at > Duration::minutes(1) {
        store::touch_session(&mut conn.ex(), &hash).await?;
    }
    // The connection goes back first: the user is read (or its cache checked) on another.
    drop(conn);
    Ok(match current_user(db, s.user_id, Some(s.csrf_token)).await? {
        Some(u) => SessionState::Live(u),
        None => SessionState::None,
    })
}

pub async fn resolve_token(db: &Db, token: &str) -> AppResult<Option<CurrentUser>> {
    let hash = sha256_hex(token);
    let account = SIGNED_IN
        .found_or(db, Version::All, format!("token:{hash}"), async {
            let mut conn = db.conn().await?;
            let Some(u) = store::token_user(&mut conn.ex(), &hash).await? else {
                return Ok(None);
            };
            with_grants(&mut conn.ex(), u).await
        })
        .await?;
    Ok(signed_in(account, None))
}

pub async fn logout(db: &Db, token: &str, actor: &Actor) -> AppResult<()> {
    let mut tx = db.begin().await?;
    store::delete_session(&mut tx.ex(), &sha256_hex(token)).await?;
    if let Some(id) = actor.id {
        audit::record(
            &mut tx.ex(),
            actor,
            Change {
                action: "logout",
                entity: "user",
                entity_id: id.to_string(),
                region: None,
                before: None,
                after: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub region: String,
    pub department: Option<String>,
    /// None: generate one, returned to the caller to hand over.
    pub password: Option<String>,
    pub is_demo: bool,
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

/// Applies an administrative action to a user; `version` guards against a concurrent edit.
/// Returns the new password for a reset.
pub async fn admin_action(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    version: Option<i64>,
    action: UserAction,
) -> AppResult<Option<String>> {
    let mut tx = db.begin().await?;
    let mut u = store::user_by_id(&mut tx.ex(), id).await?.ok_or(AppError::NotFound)?;
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
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: name,
            entity: "user",
            entity_id: u.id.to_string(),
            region: Some(u.region.clone()),
            before: Some(before),
            after: Some(user_json(&u)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(new_password)
}

pub async fn change_password(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    old: &str,
    new: &str,
    policy: &PasswordPolicy,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let mut u = store::user_by_id(&mut tx.ex(), id).await?.ok_or(AppError::NotFound)?;
    if !verify_password(old, &u.password_hash) {
        return Err(AppError::field("old_password", "原密码不正确"));
    }
    policy.check(new).map_err(|e| AppError::field("new_password", e))?;
    if old == new {
        return Err(AppError::field("new_password", "新密码不能与原密码相同"));
    }
    u.password_hash = hash_password(new);
    u.password_changed_at = OffsetDateTime::now_utc();
    u.version += 1;
    store::update_user(&mut tx.ex(), &u).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "user.change_password",
            entity: "user",
            entity_id: u.id.to_string(),
            region: Some(u.region.clone()),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
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
    let existing: Vec<Role> = store::grants_of(&mut tx.ex(), user_id).await?.iter().filter_map(|g| g.role()).collect();
    check_role_combination(&existing, role).map_err(|e| AppError::field("role", e))?;
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

pub async fn remove_grant(db: &Db, actor: &Actor, grant_id: Uuid) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let g = store::grant_by_id(&mut tx.ex(), grant_id).await?.ok_or(AppError::NotFound)?;
    let u = store::user_by_id(&mut tx.ex(), g.user_id).await?.ok_or(AppError::NotFound)?;
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

/// Issues an API token for a user; the token is shown once and stored hashed.
pub async fn create_token(db: &Db, actor: &Actor, username: &str, name: &str) -> AppResult<(Uuid, String)> {
    let mut tx = db.begin().await?;
    let u = store::user_by_name(&mut tx.ex(), username)
        .await?
        .ok_or_else(|| AppError::field("username", format!("用户“{username}”不存在")))?;
    let token = format!("zs_{}", random_token());
    let id = Uuid::now_v7();
    store::insert_token(&mut tx.ex(), id, u.id, name, &sha256_hex(&token)).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "token.create",
            entity: "api_token",
            entity_id: id.to_string(),
            region: Some(u.region.clone()),
            before: None,
            after: Some(json!({"user": u.username, "name": name})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((id, token))
}

pub async fn revoke_token(db: &Db, actor: &Actor, id: Uuid) -> AppResult<()> {
    let mut tx = db.begin().await?;
    if store::revoke_token(&mut tx.ex(), id).await? == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "token.revoke",
            entity: "api_token",
            entity_id: id.to_string(),
            region: None,
            before: None,
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

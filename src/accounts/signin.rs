//! Signing in and out, who a session or token is, and changing one's own password.
//!
//! A password is verified outside any transaction (SQLite would otherwise hold its one write lock for
//! the whole Argon2 run), on a blocking thread behind a semaphore (so guesses cannot take every async
//! worker); the sign-in page lets an attempt through the throttle (`throttle`) first. Unknown, disabled and locked accounts run
//! the same verification and get the same answer as a wrong password.

use super::authz::{CurrentUser, Grant};
use super::model::{ABSOLUTE_TIMEOUT_HOURS, IDLE_TIMEOUT_MINUTES, LOCK_MINUTES, MAX_FAILED_LOGINS, PasswordPolicy};
use super::secrets::{hash_password, random_token, sha256_hex, verify_password};
use super::store::{self, User};
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Ex};
use crate::error::{AppError, AppResult};
use serde_json::json;
use std::sync::{Arc, LazyLock};
use time::{Duration, OffsetDateTime};
use tokio::sync::Semaphore;
use uuid::Uuid;

/// Who a token or a session's user is, with their grants, kept until an account, grant, token or
/// region changes (`cache::SIGN_IN`): most requests then read the versions instead of the user and
/// the grants. Disabled or locked is decided at each request, since a lock ends with the clock.
use crate::cache::{SIGN_IN, SIGN_IN_CACHE as SIGNED_IN};

/// Argon2 runs a few at a time, one per core: more would only queue on the CPUs while holding memory
/// (19 MiB each) and would starve the rest of the server.
static VERIFIERS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));

type Account = (User, Vec<Grant>);

pub async fn current_user(db: &Db, id: Uuid, csrf: Option<String>) -> AppResult<Option<CurrentUser>> {
    let account = SIGNED_IN
        .found_or(db, SIGN_IN, format!("user:{id}"), async {
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
        .map(|g| Grant {
            role: g.role,
            scope: g.scope,
            scope_name: g.scope_name,
            scope_path: g.scope_path,
            scope_level: g.scope_level,
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
        must_change_password: u.must_change_password,
    })
}

#[derive(Debug)]
pub enum LoginError {
    Invalid,
    Locked(OffsetDateTime),
    Disabled,
}

/// The one answer for a wrong password, an unknown name, a disabled or a locked account: telling them
/// apart would tell a guesser which names exist and which they have locked.
pub const INVALID: &str = "用户名或密码错误。连续输错 5 次账号将锁定 30 分钟；如账号已锁定或停用，请联系系统管理员";

impl LoginError {
    pub fn message(&self) -> String {
        INVALID.into()
    }
}

pub struct NewSession {
    pub token: String,
    pub user: User,
}

/// Verifies off the async workers, a few at a time; `None` runs the same work against a hash that
/// matches nothing, so an unknown, disabled or locked account takes as long as a wrong password.
async fn verify(password: &str, hash: Option<String>) -> AppResult<bool> {
    let _permit = VERIFIERS.acquire().await.map_err(|e| AppError::Internal(e.into()))?;
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&password, &h),
        None => {
            super::secrets::dummy_verify(&password);
            false
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

/// Checks a password and opens a session. Failed attempts count towards the lock.
pub async fn login(
    db: &Db,
    username: &str,
    password: &str,
    ip: Option<String>,
) -> AppResult<Result<NewSession, LoginError>> {
    let name = username.trim();
    let found = {
        let mut conn = db.conn().await?;
        store::user_by_name(&mut conn.ex(), name).await?
    };
    let now = OffsetDateTime::now_utc();
    let usable = found.as_ref().filter(|u| !u.disabled && !u.is_locked(now));
    let verified_hash = usable.map(|u| u.password_hash.clone());
    let good = verify(password, verified_hash.clone()).await?;
    let Some(u) = found else {
        refused(db, None, name, ip, "unknown").await?;
        return Ok(Err(LoginError::Invalid));
    };
    if u.disabled {
        refused(db, Some(&u), name, ip, "disabled").await?;
        return Ok(Err(LoginError::Disabled));
    }
    if let Some(until) = u.locked_until.filter(|t| *t > now) {
        refused(db, Some(&u), name, ip, "locked").await?;
        return Ok(Err(LoginError::Locked(until)));
    }
    let actor = Actor { id: Some(u.id), name: u.username.clone(), ip: ip.clone() };
    if !good {
        let mut tx = db.begin().await?;
        let locked = count_failure(&mut tx.ex(), &u, &actor, "login").await?;
        tx.commit().await?;
        return Ok(Err(locked.map_or(LoginError::Invalid, LoginError::Locked)));
    }
    let mut tx = db.begin().await?;
    // Read again under the write lock: a lock by parallel guesses, a disable or a reset that came while
    // the password was being checked wins over it.
    let Some(u) = store::user_by_id(&mut tx.ex(), u.id).await? else { return Ok(Err(LoginError::Invalid)) };
    if u.disabled {
        return Ok(Err(LoginError::Disabled));
    }
    if let Some(until) = u.locked_until.filter(|t| *t > OffsetDateTime::now_utc()) {
        return Ok(Err(LoginError::Locked(until)));
    }
    if Some(&u.password_hash) != verified_hash.as_ref() {
        return Ok(Err(LoginError::Invalid));
    }
    store::clear_failed_logins(&mut tx.ex(), u.id).await?;
    let token = random_token();
    store::insert_session(&mut tx.ex(), &sha256_hex(&token), u.id, &random_token(), ip.as_deref()).await?;
    audit::record(&mut tx.ex(), &actor, plain("login", &u)).await?;
    tx.commit().await?;
    Ok(Ok(NewSession { token, user: u }))
}

/// A sign-in refused before any password was weighed (an unknown name, a disabled or locked account)
/// is audited like a wrong password is: the auditor sees every failed sign-in, and writing it costs
/// the same time as counting a wrong password, so the answer's timing does not tell which it was.
async fn refused(db: &Db, u: Option<&User>, name: &str, ip: Option<String>, why: &str) -> AppResult<()> {
    let shown: String = name.chars().filter(|c| !c.is_control()).take(64).collect();
    let actor = Actor { id: u.map(|u| u.id), name: shown.clone(), ip };
    let change = Change {
        action: "login.failed",
        entity: "user",
        entity_id: u.map_or(shown, |u| u.id.to_string()),
        region: u.map(|u| u.region.clone()),
        before: None,
        after: Some(json!({"reason": why})),
    };
    let mut tx = db.begin().await?;
    audit::record(&mut tx.ex(), &actor, change).await?;
    tx.commit().await?;
    Ok(())
}

fn plain<'a>(action: &'a str, u: &User) -> Change<'a> {
    Change {
        action,
        entity: "user",
        entity_id: u.id.to_string(),
        region: Some(u.region.clone()),
        before: None,
        after: None,
    }
}

/// Counts a wrong password (at sign-in, or the old one when changing it) in one statement, locking
/// the account at the limit; returns the lock's end when this failure locked it.
async fn count_failure(ex: &mut Ex<'_>, u: &User, actor: &Actor, what: &str) -> AppResult<Option<OffsetDateTime>> {
    let failed = store::count_failed_login(ex, u.id).await?.map_or(0, |(n, _)| n);
    let until = (failed >= MAX_FAILED_LOGINS).then(|| OffsetDateTime::now_utc() + Duration::minutes(LOCK_MINUTES));
    if let Some(until) = until {
        store::lock_user(ex, u.id, until).await?;
        // A guesser holding a stolen session loses it with the lock.
        store::delete_sessions_of(ex, u.id).await?;
    }
    let action = match (what, until.is_some()) {
        ("login", false) => "login.failed",
        ("login", true) => "login.locked",
        (_, false) => "login.failed_old_password",
        (_, true) => "login.locked_old_password",
    };
    let after = json!({"failed_logins": if until.is_some() { 0 } else { failed },
        "locked_until": until.map(|t| t.to_string())});
    audit::record(ex, actor, Change { after: Some(after), ..plain(action, u) }).await?;
    Ok(until)
}

/// The user behind a session cookie, if the session is alive; expired sessions are removed.
pub enum SessionState {
    Live(CurrentUser),
    Expired,
    None,
}

pub async fn resolve_session(db: &Db, token: &str) -> AppResult<SessionState> {
    let hash = sha256_hex(token);
    // The versions the user's lookup (and the page's) will need are read on a second connection
    // while the session is: two round trips at once rather than one after the other. Each side
    // takes its connection and gives it back, so no request holds one while waiting for another.
    let session = async {
        let mut conn = db.conn().await?;
        AppResult::Ok(store::session(&mut conn.ex(), &hash).await?)
    };
    let (session, versions) = tokio::join!(session, crate::cache::prefetch_versions(db));
    versions?;
    let Some(s) = session? else {
        return Ok(SessionState::None);
    };
    let now = OffsetDateTime::now_utc();
    if now - s.last_seen_at > Duration::minutes(IDLE_TIMEOUT_MINUTES)
        || now - s.created_at > Duration::hours(ABSOLUTE_TIMEOUT_HOURS)
    {
        store::delete_session(&mut db.conn().await?.ex(), &hash).await?;
        return Ok(SessionState::Expired);
    }
    // Writing on every request would serialise readers on SQLite; a minute's slack is harmless.
    if now - s.last_seen_at > Duration::minutes(1) {
        store::touch_session(&mut db.conn().await?.ex(), &hash).await?;
    }
    Ok(match current_user(db, s.user_id, Some(s.csrf_token)).await? {
        Some(u) => SessionState::Live(u),
        None => SessionState::None,
    })
}

pub async fn resolve_token(db: &Db, token: &str) -> AppResult<Option<CurrentUser>> {
    let hash = sha256_hex(token);
    let account = SIGNED_IN
        .found_or(db, SIGN_IN, format!("token:{hash}"), async {
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

/// What changing one's own password ended besides the old password.
pub struct Changed {
    pub sessions_ended: u64,
    pub tokens_revoked: u64,
}

/// Changes one's own password. The old one is checked like a sign-in (a wrong one counts towards the
/// lock, which also ends every session), then every other session ends and every API token is
/// revoked: whoever knew the old password, or held a session or token, is out. `session` is the
/// cookie of the session asking, which stays.
pub async fn change_password(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    session: Option<&str>,
    old: &str,
    new: &str,
    policy: &PasswordPolicy,
) -> AppResult<Changed> {
    let u = {
        let mut conn = db.conn().await?;
        store::user_by_id(&mut conn.ex(), id).await?.ok_or(AppError::NotFound)?
    };
    if !verify(old, Some(u.password_hash.clone())).await? {
        let mut tx = db.begin().await?;
        let locked = count_failure(&mut tx.ex(), &u, actor, "old_password").await?;
        tx.commit().await?;
        return Err(match locked {
            Some(_) => AppError::invalid(format!(
                "原密码连续错误 {MAX_FAILED_LOGINS} 次，账号已锁定 {LOCK_MINUTES} 分钟，全部会话已退出"
            )),
            None => AppError::field("old_password", "原密码不正确"),
        });
    }
    policy.check(new).map_err(|e| AppError::field("new_password", e))?;
    if old == new {
        return Err(AppError::field("new_password", "新密码不能与原密码相同"));
    }
    let new_hash = tokio::task::spawn_blocking({
        let new = new.to_owned();
        move || hash_password(&new)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    let mut tx = db.begin().await?;
    let mut u = store::user_by_id(&mut tx.ex(), id).await?.ok_or(AppError::NotFound)?;
    u.password_hash = new_hash;
    u.password_changed_at = OffsetDateTime::now_utc();
    u.must_change_password = false;
    u.failed_logins = 0;
    u.version += 1;
    if !store::update_user(&mut tx.ex(), &u).await? {
        return Err(AppError::Conflict("账号刚被修改，请重试".into()));
    }
    let keep = session.map(sha256_hex).unwrap_or_default();
    let sessions_ended = store::delete_other_sessions(&mut tx.ex(), u.id, &keep).await?;
    let tokens_revoked = store::revoke_tokens_of(&mut tx.ex(), u.id).await?;
    let after = json!({"sessions_ended": sessions_ended, "tokens_revoked": tokens_revoked});
    audit::record(&mut tx.ex(), actor, Change { after: Some(after), ..plain("user.change_password", &u) }).await?;
    tx.commit().await?;
    Ok(Changed { sessions_ended, tokens_revoked })
}

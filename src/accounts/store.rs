//! Queries on users, grants, sessions and API tokens.

use super::model::Role;
use crate::db::Ex;
use crate::{q_as, q_exec, q_scalar};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub region: String,
    pub department: Option<String>,
    #[serde(skip)]
    pub password_hash: String,
    pub failed_logins: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub locked_until: Option<OffsetDateTime>,
    pub disabled: bool,
    pub is_demo: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(skip)]
    pub password_changed_at: OffsetDateTime,
    /// Set by an administrator's reset (or a password they chose): the owner must change it first.
    pub must_change_password: bool,
    pub version: i64,
}

impl User {
    pub fn is_locked(&self, now: OffsetDateTime) -> bool {
        self.locked_until.is_some_and(|t| t > now)
    }

    pub fn is_locked_now(&self) -> bool {
        self.is_locked(OffsetDateTime::now_utc())
    }
}

const USER_COLS: &str = "u.id, u.username, u.display_name, u.region, u.department, u.password_hash,
    u.failed_logins, u.locked_until, u.disabled, u.is_demo, u.created_at, u.password_changed_at, u.must_change_password, u.version";

pub async fn user_by_name(ex: &mut Ex<'_>, username: &str) -> Result<Option<User>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.username = $1");
    q_as!(ex, fetch_optional, User, sqlx::AssertSqlSafe(sql.as_str()), username)
}

pub async fn user_by_id(ex: &mut Ex<'_>, id: Uuid) -> Result<Option<User>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.id = $1");
    q_as!(ex, fetch_optional, User, sqlx::AssertSqlSafe(sql.as_str()), id)
}

/// Users whose unit lies within the subtree at `scope_path`, optionally matching `q`.
pub async fn users_in_scope(ex: &mut Ex<'_>, scope_path: &str, q: &str) -> Result<Vec<User>, sqlx::Error> {
    let sql = format!(
        "SELECT {USER_COLS} FROM users u JOIN regions g ON g.code = u.region
         WHERE g.path LIKE $1 AND (u.username LIKE $2 OR u.display_name LIKE $2)
         ORDER BY g.path, u.username LIMIT 500"
    );
    let like = format!("%{}%", q.trim().replace(['%', '_'], ""));
    q_as!(ex, fetch_all, User, sqlx::AssertSqlSafe(sql.as_str()), format!("{scope_path}%"), like)
}

pub async fn insert_user(ex: &mut Ex<'_>, u: &User) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO users (id, username, display_name, region, department, password_hash,
           failed_logins, locked_until, disabled, is_demo, created_at, password_changed_at, version,
           must_change_password)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        u.id,
        &u.username,
        &u.display_name,
        &u.region,
        &u.department,
        &u.password_hash,
        u.failed_logins,
        u.locked_until,
        u.disabled,
        u.is_demo,
        u.created_at,
        u.password_changed_at,
        u.version,
        u.must_change_password
    )?;
    Ok(())
}

/// Writes the mutable fields back if the row is still at `u.version - 1`; false if it moved on.
pub async fn update_user(ex: &mut Ex<'_>, u: &User) -> Result<bool, sqlx::Error> {
    let n = q_exec!(
        ex,
        "UPDATE users SET display_name = $2, region = $3, department = $4, password_hash = $5,
           failed_logins = $6, locked_until = $7, disabled = $8, password_changed_at = $9, version = $10,
           must_change_password = $12
         WHERE id = $1 AND version = $11",
        u.id,
        &u.display_name,
        &u.region,
        &u.department,
        &u.password_hash,
        u.failed_logins,
        u.locked_until,
        u.disabled,
        u.password_changed_at,
        u.version,
        u.version - 1,
        u.must_change_password
    )?;
    Ok(n == 1)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct GrantRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
    pub scope: String,
    pub scope_name: String,
    pub scope_path: String,
    pub scope_level: String,
}

impl GrantRow {
    pub fn role_label(&self) -> &'static str {
        self.role.label()
    }
}

const GRANT_SELECT: &str = "SELECT g.id, g.user_id, g.role, g.scope, r.name AS scope_name,
    r.path AS scope_path, r.level AS scope_level FROM grants g JOIN regions r ON r.code = g.scope";

pub async fn grants_of(ex: &mut Ex<'_>, user_id: Uuid) -> Result<Vec<GrantRow>, sqlx::Error> {
    let sql = format!("{GRANT_SELECT} WHERE g.user_id = $1 ORDER BY g.created_at");
    q_as!(ex, fetch_all, GrantRow, sqlx::AssertSqlSafe(sql.as_str()), user_id)
}

pub async fn grant_by_id(ex: &mut Ex<'_>, id: Uuid) -> Result<Option<GrantRow>, sqlx::Error> {
    let sql = format!("{GRANT_SELECT} WHERE g.id = $1");
    q_as!(ex, fetch_optional, GrantRow, sqlx::AssertSqlSafe(sql.as_str()), id)
}

pub async fn insert_grant(
    ex: &mut Ex<'_>,
    id: Uuid,
    user_id: Uuid,
    role: Role,
    scope: &str,
) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO grants (id, user_id, role, scope, created_at) VALUES ($1, $2, $3, $4, $5)",
        id,
        user_id,
        role.code(),
        scope,
        OffsetDateTime::now_utc()
    )?;
    Ok(())
}

pub async fn delete_grant(ex: &mut Ex<'_>, id: Uuid) -> Result<u64, sqlx::Error> {
    q_exec!(ex, "DELETE FROM grants WHERE id = $1", id)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: Uuid,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

pub async fn insert_session(
    ex: &mut Ex<'_>,
    id_hash: &str,
    user_id: Uuid,
    csrf: &str,
    ip: Option<&str>,
) -> Result<(), sqlx::Error> {
    let now = OffsetDateTime::now_utc();
    q_exec!(
        ex,
        "INSERT INTO sessions (id_hash, user_id, csrf_token, ip, created_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $5)",
        id_hash,
        user_id,
        csrf,
        ip,
        now
    )?;
    Ok(())
}

pub async fn session(ex: &mut Ex<'_>, id_hash: &str) -> Result<Option<SessionRow>, sqlx::Error> {
    q_as!(
        ex,
        fetch_optional,
        SessionRow,
        "SELECT user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE id_hash = $1",
        id_hash
    )
}

pub async fn touch_session(ex: &mut Ex<'_>, id_hash: &str) -> Result<(), sqlx::Error> {
    q_exec!(ex, "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1", id_hash, OffsetDateTime::now_utc())?;
    Ok(())
}

pub async fn delete_session(ex: &mut Ex<'_>, id_hash: &str) -> Result<(), sqlx::Error> {
    q_exec!(ex, "DELETE FROM sessions WHERE id_hash = $1", id_hash)?;
    Ok(())
}

pub async fn delete_sessions_of(ex: &mut Ex<'_>, user_id: Uuid) -> Result<(), sqlx::Error> {
    q_exec!(ex, "DELETE FROM sessions WHERE user_id = $1", user_id)?;
    Ok(())
}

/// Ends every session of a user but the one whose hash is `keep` (the one changing the password).
pub async fn delete_other_sessions(ex: &mut Ex<'_>, user_id: Uuid, keep: &str) -> Result<u64, sqlx::Error> {
    q_exec!(ex, "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2", user_id, keep)
}

/// Counts one failed sign-in in one statement, so that parallel guesses each count (a read, then a
/// write of the read value plus one, would count several as one). Returns the new count and lock.
pub async fn count_failed_login(
    ex: &mut Ex<'_>,
    user_id: Uuid,
) -> Result<Option<(i64, Option<OffsetDateTime>)>, sqlx::Error> {
    q_as!(
        ex,
        fetch_optional,
        (i64, Option<OffsetDateTime>),
        "UPDATE users SET failed_logins = failed_logins + 1, version = version + 1 WHERE id = $1
         RETURNING failed_logins, locked_until",
        user_id
    )
}

/// Locks a user until `until` and starts the count of failures afresh.
pub async fn lock_user(ex: &mut Ex<'_>, user_id: Uuid, until: OffsetDateTime) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "UPDATE users SET locked_until = $2, failed_logins = 0, version = version + 1 WHERE id = $1",
        user_id,
        until
    )?;
    Ok(())
}

/// After a good password: the count of failures starts afresh and an expired lock is cleared.
pub async fn clear_failed_logins(ex: &mut Ex<'_>, user_id: Uuid) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "UPDATE users SET failed_logins = 0, locked_until = NULL, version = version + 1
         WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)",
        user_id
    )?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TokenRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

pub async fn insert_token(ex: &mut Ex<'_>, id: Uuid, user_id: Uuid, name: &str, hash: &str) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
        id,
        user_id,
        name,
        hash,
        OffsetDateTime::now_utc()
    )?;
    Ok(())
}

/// The user a live (unrevoked) token belongs to.
/// The user an unrevoked API token belongs to, in the same query (every API request asks).
pub async fn token_user(ex: &mut Ex<'_>, hash: &str) -> Result<Option<User>, sqlx::Error> {
    let sql = format!(
        "SELECT {USER_COLS} FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
    );
    q_as!(ex, fetch_optional, User, sqlx::AssertSqlSafe(sql.as_str()), hash)
}

pub async fn tokens_of(ex: &mut Ex<'_>, user_id: Uuid) -> Result<Vec<TokenRow>, sqlx::Error> {
    q_as!(
        ex,
        fetch_all,
        TokenRow,
        "SELECT id, user_id, name, created_at, revoked_at FROM api_tokens WHERE user_id = $1
         ORDER BY created_at",
        user_id
    )
}

/// Revokes every live API token of a user (after a reset or a change of password).
pub async fn revoke_tokens_of(ex: &mut Ex<'_>, user_id: Uuid) -> Result<u64, sqlx::Error> {
    q_exec!(
        ex,
        "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        user_id,
        OffsetDateTime::now_utc()
    )
}

pub async fn revoke_token(ex: &mut Ex<'_>, id: Uuid) -> Result<u64, sqlx::Error> {
    q_exec!(
        ex,
        "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        id,
        OffsetDateTime::now_utc()
    )
}

pub async fn get_setting(ex: &mut Ex<'_>, key: &str) -> Result<Option<String>, sqlx::Error> {
    q_scalar!(ex, fetch_optional, String, "SELECT value FROM settings WHERE key = $1", key)
}

pub async fn set_setting(ex: &mut Ex<'_>, key: &str, value: &str) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key,
        value
    )?;
    Ok(())
}

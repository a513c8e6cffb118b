//! Queries on `notifications`. Sending takes the caller's executor, so a notification is written in
//! the same transaction as the move it announces.

use crate::db::Ex;
use crate::{q_as, q_exec};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Notification {
    pub id: Uuid,
    pub kind: String,
    pub appeal_id: Option<Uuid>,
    pub title: String,
    pub link: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
}

/// Tells each of `users` once per `dedupe`; returns how many were newly told.
pub async fn send(
    ex: &mut Ex<'_>,
    users: &[Uuid],
    kind: &str,
    appeal: Option<Uuid>,
    title: &str,
    link: &str,
    dedupe: &str,
) -> Result<u64, sqlx::Error> {
    let mut n = 0;
    let mut seen = Vec::new();
    for u in users {
        if seen.contains(u) {
            continue;
        }
        seen.push(*u);
        n += q_exec!(
            ex,
            "INSERT INTO notifications (id, user_id, kind, appeal_id, title, link, dedupe_key, created_at, read_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL) ON CONFLICT (user_id, dedupe_key) DO NOTHING",
            Uuid::now_v7(),
            *u,
            kind,
            appeal,
            title,
            link,
            dedupe,
            OffsetDateTime::now_utc()
        )?;
    }
    Ok(n)
}

/// A user's notifications, unread first, newest first.
pub async fn of_user(ex: &mut Ex<'_>, user: Uuid, limit: i64) -> Result<Vec<Notification>, sqlx::Error> {
    q_as!(
        ex,
        fetch_all,
        Notification,
        "SELECT id, kind, appeal_id, title, link, created_at, read_at FROM notifications WHERE user_id = $1
         ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC LIMIT $2",
        user,
        limit
    )
}

/// A user's notifications created since `since`.
pub async fn since(ex: &mut Ex<'_>, user: Uuid, since: OffsetDateTime) -> Result<Vec<Notification>, sqlx::Error> {
    q_as!(
        ex,
        fetch_all,
        Notification,
        "SELECT id, kind, appeal_id, title, link, created_at, read_at FROM notifications
         WHERE user_id = $1 AND created_at >= $2 ORDER BY created_at DESC",
        user,
        since
    )
}

pub async fn unread(ex: &mut Ex<'_>, user: Uuid) -> Result<i64, sqlx::Error> {
    crate::q_scalar!(
        ex,
        fetch_one,
        i64,
        "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        user
    )
}

pub async fn mark_read(ex: &mut Ex<'_>, user: Uuid) -> Result<u64, sqlx::Error> {
    q_exec!(
        ex,
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
        OffsetDateTime::now_utc(),
        user
    )
}

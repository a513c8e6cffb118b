//! Notification use cases for the pages: how many are unread, marking them all read.

use super::store;
use crate::accounts::authz::CurrentUser;
use crate::db::Db;
use crate::error::AppResult;

/// How many of the user's notifications are unread.
pub async fn unread(db: &Db, user: &CurrentUser) -> AppResult<i64> {
    let mut conn = db.conn().await?;
    Ok(store::unread(&mut conn.ex(), user.id).await?)
}

/// Marks all the user's notifications read; how many were unread.
pub async fn mark_all_read(db: &Db, user: &CurrentUser) -> AppResult<u64> {
    let mut tx = db.begin().await?;
    let n = store::mark_read(&mut tx.ex(), user.id).await?;
    tx.commit().await?;
    Ok(n)
}

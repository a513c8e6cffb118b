//! API tokens: issued to a user (shown once, stored hashed) and revoked, each with its audit record.

use super::secrets::{random_token, sha256_hex};
use super::store;
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use serde_json::json;
use uuid::Uuid;

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

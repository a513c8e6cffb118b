//! Audit use cases: reading one record within the auditor's scope.

use super::model::AuditRecord;
use super::store;
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::db::Db;
use crate::error::{AppError, AppResult};

/// A record in scope of the auditor, or 404.
pub async fn visible(db: &Db, user: &CurrentUser, seq: &str) -> AppResult<AuditRecord> {
    let seq: i64 = seq.parse().map_err(|_| AppError::NotFound)?;
    let mut conn = db.conn().await?;
    let r = store::get(&mut conn.ex(), seq).await?.ok_or(AppError::NotFound)?;
    match &r.region {
        Some(code) => {
            let region = crate::regions::store::get(&mut conn.ex(), code).await?.ok_or(AppError::NotFound)?;
            authz::check(user, Permission::ReadAudit, Some(&region.path))?;
        }
        None => {
            if !user.scopes(Permission::ReadAudit).iter().any(|(_, root)| *root) {
                return Err(AppError::NotFound);
            }
        }
    }
    Ok(r)
}

//! Filters the service pages and the API share: a region in the user's scope, an optional date.
//! Both faces check their query the same way, so they live here rather than in a pages file.

use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use time::Date;

use super::appeals::store::some;

/// The region filter's path, checked against the scope for `perm` (outside it: 404).
pub async fn region_path(
    db: &Db,
    user: &CurrentUser,
    perm: Permission,
    code: &Option<String>,
) -> AppResult<Option<String>> {
    let Some(code) = some(code) else { return Ok(None) };
    let mut conn = db.conn().await?;
    let r = crate::regions::store::get(&mut conn.ex(), code).await?.ok_or(AppError::NotFound)?;
    authz::check(user, perm, Some(&r.path))?;
    Ok(Some(r.path))
}

/// An optional date filter; a bad one names the field.
pub fn date_opt(field: &str, label: &str, s: &Option<String>) -> AppResult<Option<Date>> {
    match some(s) {
        None => Ok(None),
        Some(v) => crate::projects::stage::parse_date(label, v).map(Some).map_err(|e| AppError::field(field, e)),
    }
}

//! Filters the service pages and the API share: a region in the user's scope, an optional date.
//! Both faces check their query the same way, so they live here rather than in a pages file.

use crate::accounts::authz::CurrentUser;
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
    crate::regions::service::filter_path(db, user, perm, code.as_deref()).await
}

/// An optional date filter; a bad one names the field.
pub fn date_opt(field: &str, label: &str, s: &Option<String>) -> AppResult<Option<Date>> {
    match some(s) {
        None => Ok(None),
        Some(v) => crate::projects::stage::parse_date(label, v).map(Some).map_err(|e| AppError::field(field, e)),
    }
}

//! Region use cases shared by other contexts.

use super::model::Region;
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::cache::{Area, FIGURE_CACHE};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use std::collections::HashMap;
use std::sync::Arc;

/// How many regions a picker offers at most.
pub const PICKER_LIMIT: i64 = 2000;

/// The regions of the subtree at `scope_path` (its root included), in path order, for the region
/// pickers of list filters and forms. Kept until regions change: every list page shows one, and
/// reading a city's two thousand towns on each page load cost more than the list itself.
pub async fn picker(db: &Db, scope_path: &str) -> AppResult<Arc<Vec<Region>>> {
    FIGURE_CACHE
        .get_or(db, &[Area::Reference], format!("region-picker:{scope_path}"), async {
            let mut conn = db.conn().await?;
            Ok(super::store::subtree(&mut conn.ex(), scope_path, PICKER_LIMIT).await?)
        })
        .await
}

/// Every region's path by its code, kept until regions change.
pub async fn paths(db: &Db) -> AppResult<Arc<HashMap<String, String>>> {
    FIGURE_CACHE
        .get_or(db, &[Area::Reference], "region-paths".into(), async {
            let mut conn = db.conn().await?;
            Ok(super::store::paths(&mut conn.ex()).await?.into_iter().collect())
        })
        .await
}

/// The region of `code`, kept until regions change (what a cockpit or list request names, and its
/// parent: read on every such request). Only regions found are kept, so made-up codes push nothing out.
pub async fn get(db: &Db, code: &str) -> AppResult<Option<Arc<Region>>> {
    FIGURE_CACHE
        .found_or(db, &[Area::Reference], format!("region:{code}"), async {
            let mut conn = db.conn().await?;
            Ok(super::store::get(&mut conn.ex(), code).await?)
        })
        .await
}

/// The path of the region a list filter names (none when the filter is blank), if `user` may see
/// it for `perm`; a region outside their scope reads as one that does not exist.
pub async fn filter_path(
    db: &Db,
    user: &CurrentUser,
    perm: Permission,
    code: Option<&str>,
) -> AppResult<Option<String>> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else { return Ok(None) };
    let r = get(db, code).await?.ok_or(AppError::NotFound)?;
    authz::check(user, perm, Some(&r.path))?;
    Ok(Some(r.path.clone()))
}

/// The regions a picker offers `user` for `perm`: every subtree they hold it in.
pub async fn pickable(db: &Db, user: &CurrentUser, perm: Permission) -> AppResult<Vec<Region>> {
    let mut regions = Vec::new();
    for (path, _) in user.scopes(perm) {
        regions.extend(picker(db, &path).await?.iter().cloned());
    }
    Ok(regions)
}

/// The regions a form offers, plus the edited record's own: its 服务专员 edits it without an
/// editor's scope and keeps it where it is.
pub async fn with_own(db: &Db, mut regions: Vec<Region>, own: Option<&str>) -> AppResult<Vec<Region>> {
    if let Some(code) = own.filter(|c| !regions.iter().any(|r| r.code == *c)) {
        if let Some(r) = get(db, code).await? {
            regions.insert(0, (*r).clone());
        }
    }
    Ok(regions)
}

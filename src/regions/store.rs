//! Queries on the region tree.

use super::model::Region;
use crate::db::Ex;
use crate::{q_as, q_exec};

pub async fn get(ex: &mut Ex<'_>, code: &str) -> Result<Option<Region>, sqlx::Error> {
    q_as!(
        ex,
        fetch_optional,
        Region,
        "SELECT code, name, short_name, level, kind, parent, path, is_demo FROM regions WHERE code = $1",
        code
    )
}

pub async fn children(ex: &mut Ex<'_>, code: &str) -> Result<Vec<Region>, sqlx::Error> {
    q_as!(
        ex,
        fetch_all,
        Region,
        "SELECT code, name, short_name, level, kind, parent, path, is_demo FROM regions
         WHERE parent = $1 ORDER BY code",
        code
    )
}

pub async fn roots(ex: &mut Ex<'_>) -> Result<Vec<Region>, sqlx::Error> {
    q_as!(
        ex,
        fetch_all,
        Region,
        "SELECT code, name, short_name, level, kind, parent, path, is_demo FROM regions
         WHERE parent IS NULL ORDER BY code"
    )
}

/// The node and its ancestors, root first (for breadcrumbs).
pub async fn ancestry(ex: &mut Ex<'_>, region: &Region) -> Result<Vec<Region>, sqlx::Error> {
    let mut out = Vec::new();
    for code in region.path.split('/').filter(|c| !c.is_empty()) {
        if let Some(r) = get(ex, code).await? {
            out.push(r);
        }
    }
    Ok(out)
}

/// Names containing `needle`, within the subtree at `scope_path`.
pub async fn search(ex: &mut Ex<'_>, scope_path: &str, needle: &str, limit: i64) -> Result<Vec<Region>, sqlx::Error> {
    let like = format!("%{}%", needle.replace(['%', '_'], ""));
    let prefix = format!("{scope_path}%");
    q_as!(
        ex,
        fetch_all,
        Region,
        "SELECT code, name, short_name, level, kind, parent, path, is_demo FROM regions
         WHERE path LIKE $1 AND (name LIKE $2 OR short_name LIKE $2 OR code = $3)
         ORDER BY length(code), code LIMIT $4",
        prefix,
        like,
        needle,
        limit
    )
}

pub async fn count(ex: &mut Ex<'_>) -> Result<i64, sqlx::Error> {
    crate::q_scalar!(ex, fetch_one, i64, "SELECT count(*) FROM regions")
}

/// Inserts or updates one node; `path` must already be computed.
pub async fn upsert(ex: &mut Ex<'_>, r: &Region) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO regions (code, name, short_name, level, kind, parent, path, is_demo)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, short_name = excluded.short_name,
           level = excluded.level, kind = excluded.kind, parent = excluded.parent,
           path = excluded.path, is_demo = excluded.is_demo",
        &r.code,
        &r.name,
        &r.short_name,
        &r.level,
        &r.kind,
        &r.parent,
        &r.path,
        r.is_demo
    )?;
    Ok(())
}

/// Nodes within the subtree at `scope_path` (the root included), for pickers; at most `limit`.
pub async fn subtree(ex: &mut Ex<'_>, scope_path: &str, limit: i64) -> Result<Vec<Region>, sqlx::Error> {
    q_as!(
        ex,
        fetch_all,
        Region,
        "SELECT code, name, short_name, level, kind, parent, path, is_demo FROM regions
         WHERE path LIKE $1 ORDER BY path LIMIT $2",
        format!("{scope_path}%"),
        limit
    )
}

/// Every region's code and path.
pub async fn paths(ex: &mut Ex<'_>) -> Result<Vec<(String, String)>, sqlx::Error> {
    q_as!(ex, fetch_all, (String, String), "SELECT code, path FROM regions")
}

//! Paging by the last row seen (`after`): the next page is the fifty rows that sort after that
//! project, found without counting off every row before it. A page reached by number sorts all the
//! rows before it and throws them away (page 40 of a city's list kept two thousand rows in a
//! temporary b-tree); a page reached by "next" from the one before costs what the first does.

use super::list::PAGE_SIZE;
use super::store::Row;
use crate::db::{Backend, Ex};
use crate::error::AppError;
use uuid::Uuid;

/// An ORDER BY key of the list: the SQL expression over `p` (projects) and `g` (regions) and its
/// direction. Rows are ordered by `key IS NULL, key <dir>, p.id`.
pub struct SortKey<'a> {
    pub expr: &'a str,
    pub desc: bool,
    /// Whether the key can be NULL (dates not reached yet); a key that cannot gets a condition
    /// the database reads as a range of its index.
    pub nullable: bool,
}

/// The project id written into a statement, as each database stores it: SQLite keeps a UUID as
/// 16 bytes, PostgreSQL as `uuid`. Both compare the bytes in order, as the list's tie-break does.
pub fn id_literal(backend: Backend, id: Uuid) -> String {
    match backend {
        Backend::Sqlite => format!("X'{}'", id.simple()),
        Backend::Postgres => format!("CAST('{}' AS uuid)", id.hyphenated()),
    }
}

/// The condition that keeps the rows after the anchor project in the order of `key`. The anchor's
/// key is read in the statement (a subquery on its id, evaluated once), so it is compared exactly
/// as stored, whatever its type. The caller checks first that the anchor exists and is visible:
/// the condition would otherwise let a user learn where an unseen project sorts.
pub fn after_clause(backend: Backend, key: &SortKey, anchor: Uuid) -> String {
    let id = id_literal(backend, anchor);
    let k = key.expr;
    let anchor_expr = key.expr.replace("p.", "a.").replace("g.", "ag.");
    let ka = format!("(SELECT {anchor_expr} FROM projects a JOIN regions ag ON ag.code = a.region WHERE a.id = {id})");
    let op = if key.desc { "<" } else { ">" };
    if !key.nullable {
        // The first half bounds the index range; the second drops the anchor's equals before it.
        return format!("({k} {op}= {ka} AND ({k} {op} {ka} OR p.id > {id}))");
    }
    // NULL keys sort last: after a NULL only NULLs with a greater id; after a value, NULLs and the
    // values beyond it, and equal values with a greater id.
    format!(
        "(CASE WHEN {ka} IS NULL THEN ({k} IS NULL AND p.id > {id}) \
         ELSE ({k} IS NULL OR {k} {op} {ka} OR ({k} = {ka} AND p.id > {id})) END)"
    )
}

/// The project a page continues after, when it names one the user may see; one that is gone or
/// unseen leaves the page to its number (the same answer as a project that never existed).
pub async fn anchor(ex: &mut Ex<'_>, scopes: &[String], after: Option<&str>) -> Result<Option<Uuid>, AppError> {
    let Some(after) = after else { return Ok(None) };
    let id =
        Uuid::parse_str(after).map_err(|_| AppError::field("after", "翻页位置无效：应为上一页最后一个项目的 id"))?;
    let seen =
        super::store::get(ex, id).await?.is_some_and(|r| scopes.iter().any(|s| r.region_path.starts_with(s.as_str())));
    Ok(seen.then_some(id))
}

/// What the next page continues after: the last row shown, when more rows follow.
pub fn next_after(rows: &[Row], page: i64, total: i64) -> Option<String> {
    let last = rows.last()?;
    (page.saturating_mul(PAGE_SIZE) < total).then(|| last.p.id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_written_as_each_database_stores_them() {
        let id = Uuid::parse_str("0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b").unwrap();
        assert_eq!(id_literal(Backend::Sqlite, id), "X'0193a2b45c6d7e8f9a0b1c2d3e4f5a6b'");
        assert_eq!(id_literal(Backend::Postgres, id), "CAST('0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b' AS uuid)");
    }

    #[test]
    fn the_anchor_is_read_through_its_own_aliases_and_the_direction_picks_the_comparison() {
        let id = Uuid::nil();
        let asc = after_clause(Backend::Sqlite, &SortKey { expr: "g.path", desc: false, nullable: false }, id);
        assert!(asc.contains("SELECT ag.path FROM projects a JOIN regions ag"), "{asc}");
        assert!(asc.starts_with("(g.path >= (SELECT"), "a range first: {asc}");
        let desc = after_clause(Backend::Sqlite, &SortKey { expr: "p.actual_sign", desc: true, nullable: true }, id);
        assert!(desc.contains("p.actual_sign < (SELECT a.actual_sign"), "{desc}");
        assert!(desc.contains("p.actual_sign IS NULL OR"), "undated rows follow the dated: {desc}");
    }
}

//! The project list: every filter a leader asks for, any sort, pages. The URL holds the filter.

pub use super::keyset::next_after;
use super::keyset::{SortKey, after_clause, anchor};
use super::model::{Capital, Channel, ProjectTag, Sector, SourceTag, mask_of, parse_bool};
use super::stage::{Health, Stage, parse_date};
use super::store::{Row, select};
use crate::db::Ex;
use crate::domain::money::Money;
use crate::error::{AppError, FieldError};
use crate::regions::model::subtree_literal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Filter {
    pub q: Option<String>,
    pub region: Option<String>,
    pub stage: Option<String>,
    pub health: Option<String>,
    pub industry: Option<String>,
    pub tag: Option<String>,
    /// Total investment bounds, 万元 by default ("5亿" works too).
    pub min_total: Option<String>,
    pub max_total: Option<String>,
    pub sector: Option<String>,
    pub capital: Option<String>,
    pub source: Option<String>,
    pub channel: Option<String>,
    pub industrial: Option<String>,
    pub signed_from: Option<String>,
    pub signed_to: Option<String>,
    pub started_from: Option<String>,
    pub started_to: Option<String>,
    /// Due to start by this day: planned (or actually) started on or before it — 项目开工率's denominator.
    pub due_by: Option<String>,
    pub sort: Option<String>,
    pub page: Option<i64>,
    /// The last project of the page before (its id): this page is the rows after it in the sort
    /// ([`super::keyset`]). `page` then only numbers it.
    pub after: Option<String>,
}

pub const PAGE_SIZE: i64 = 50;

/// Sortable columns: (name in the URL, SQL expression).
pub const SORTS: &[(&str, &str)] = &[
    ("name", "p.name"),
    ("total", "p.total_investment"),
    (
        "stage",
        "CASE p.stage WHEN 'lead' THEN 0 WHEN 'negotiating' THEN 1 WHEN 'signed' THEN 2 WHEN 'registered' THEN 3
        WHEN 'land_supplied' THEN 4 WHEN 'started' THEN 5 WHEN 'producing' THEN 6 ELSE 7 END",
    ),
    ("region", "g.path"),
    ("signed", "p.actual_sign"),
    ("started", "p.actual_start"),
    ("updated", "p.updated_at"),
];

fn set(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Projects in the subtree at `path`, its pattern written into the statement where it can be
/// ([`subtree_literal`]: a re-planned statement at every run was a twelfth of an uncached list's time).
fn subtree(path: &str, binds: &mut Vec<String>) -> String {
    if let Some(pattern) = subtree_literal(path) {
        format!("p.region IN (SELECT code FROM regions WHERE path LIKE {pattern})")
    } else {
        binds.push(format!("{path}%"));
        format!("p.region IN (SELECT code FROM regions WHERE path LIKE ${})", binds.len())
    }
}

/// The WHERE clause (with text binds) for a filter within the given scope paths. Values other
/// than free text are parsed first and written into the SQL as numbers or dates.
pub fn where_clause(
    scopes: &[String],
    region_path: Option<&str>,
    f: &Filter,
) -> Result<(String, Vec<String>), AppError> {
    let mut binds: Vec<String> = Vec::new();
    let mut clauses: Vec<String> = Vec::new();
    let mut errors: Vec<FieldError> = Vec::new();
    let mut bad = |field: &str, m: String| {
        errors.push(FieldError { field: field.into(), message: format!("筛选条件无效：{m}") })
    };
    // Subtrees as a list of region codes: both databases then seek an index on projects.region
    // instead of joining every project to its region to test the path.
    // A chosen region inside one of the scopes says it all: the scope's test, planned as a second
    // join, made PostgreSQL look every matching project's region up again (3× the time).
    let within_scope = region_path.is_some_and(|p| scopes.iter().any(|s| p.starts_with(s.as_str())));
    let mut scope_sql = Vec::new();
    for s in scopes.iter().filter(|_| !within_scope) {
        scope_sql.push(subtree(s, &mut binds));
    }
    if !within_scope {
        clauses.push(if scope_sql.is_empty() { "1 = 0".into() } else { format!("({})", scope_sql.join(" OR ")) });
    }
    if let Some(p) = region_path {
        clauses.push(subtree(p, &mut binds));
    }
    if let Some(q) = set(&f.q) {
        binds.push(format!("%{}%", q.replace(['%', '_'], "")));
        clauses.push(format!("(p.name LIKE ${n} OR p.code LIKE ${n})", n = binds.len()));
    }
    if let Some(s) = set(&f.stage) {
        match s.split(',').map(Stage::parse).collect::<Result<Vec<_>, _>>() {
            Ok(stages) => {
                let list: Vec<String> = stages.iter().map(|s| format!("'{}'", s.code())).collect();
                clauses.push(format!("p.stage IN ({})", list.join(", ")));
            }
            Err(e) => bad("stage", e),
        }
    }
    if let Some(h) = set(&f.health) {
        match Health::parse(h) {
            Ok(h) => clauses.push(format!("p.health = '{}'", h.code())),
            Err(e) => bad("health", e),
        }
    }
    if let Some(code) = set(&f.industry) {
        match crate::industries::model::IndustryCode::parse(code) {
            Ok(c) => {
                binds.push(format!("{}%", c.as_str()));
                clauses.push(format!("p.industry LIKE ${}", binds.len()));
            }
            Err(e) => bad("industry", e),
        }
    }
    let mut mask = |field: &str, v: &Option<String>, col: &str, bit: Result<i64, String>| {
        if set(v).is_some() {
            match bit {
                Ok(b) => clauses.push(format!("({col} & {b}) <> 0")),
                Err(e) => bad(field, e),
            }
        }
    };
    mask(
        "tag",
        &f.tag,
        "p.tags",
        set(&f.tag).map(|t| ProjectTag::parse(t).map(|t| mask_of(ProjectTag::ALL, &[t]))).unwrap_or(Ok(0)),
    );
    mask(
        "source",
        &f.source,
        "p.sources",
        set(&f.source).map(|t| SourceTag::parse(t).map(|t| mask_of(SourceTag::ALL, &[t]))).unwrap_or(Ok(0)),
    );
    let mut label = |field: &str, v: &Option<String>, col: &str, check: Result<(), String>| {
        if let Some(v) = set(v) {
            match check {
                Ok(()) => {
                    binds.push(v.to_string());
                    clauses.push(format!("{col} = ${}", binds.len()));
                }
                Err(e) => bad(field, e),
            }
        }
    };
    label("sector", &f.sector, "p.sector", set(&f.sector).map(|v| Sector::parse(v).map(|_| ())).unwrap_or(Ok(())));
    label("capital", &f.capital, "p.capital", set(&f.capital).map(|v| Capital::parse(v).map(|_| ())).unwrap_or(Ok(())));
    label("channel", &f.channel, "p.channel", set(&f.channel).map(|v| Channel::parse(v).map(|_| ())).unwrap_or(Ok(())));
    if let Some(v) = set(&f.industrial) {
        match parse_bool(v) {
            Ok(b) => clauses.push(format!("p.industrial = {}", if b { "TRUE" } else { "FALSE" })),
            Err(e) => bad("industrial", e),
        }
    }
    for (field, v, op) in [("min_total", &f.min_total, ">="), ("max_total", &f.max_total, "<=")] {
        if let Some(v) = set(v) {
            match Money::parse(v) {
                Ok(m) => clauses.push(format!("p.total_investment {op} {}", m.0)),
                Err(e) => bad(field, e),
            }
        }
    }
    for (field, v, col, op) in [
        ("signed_from", &f.signed_from, "p.actual_sign", ">="),
        ("signed_to", &f.signed_to, "p.actual_sign", "<="),
        ("started_from", &f.started_from, "p.actual_start", ">="),
        ("started_to", &f.started_to, "p.actual_start", "<="),
    ] {
        if let Some(v) = set(v) {
            match parse_date("日期", v) {
                Ok(d) => clauses.push(format!("{col} {op} '{d}'")),
                Err(e) => bad(field, e),
            }
        }
    }
    if let Some(v) = set(&f.due_by) {
        match parse_date("日期", v) {
            Ok(d) => clauses.push(format!("(p.planned_start <= '{d}' OR p.actual_start <= '{d}')")),
            Err(e) => bad("due_by", e),
        }
    }
    if !errors.is_empty() {
        let message = errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；");
        return Err(AppError::Invalid { message, fields: errors });
    }
    Ok((clauses.join(" AND "), binds))
}

/// The sort named in the URL: its SQL expression and direction.
pub fn sort_key(sort: Option<&str>) -> Result<SortKey<'static>, AppError> {
    // The filter form always sends its hidden `sort`, empty until a column heading is clicked.
    let s = sort.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("-updated");
    let (desc, key) = match s.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, s),
    };
    let expr = SORTS.iter().find(|(k, _)| *k == key).map(|(_, e)| *e).ok_or_else(|| {
        let keys: Vec<_> = SORTS.iter().map(|(k, _)| *k).collect();
        AppError::field("sort", format!("排序字段“{key}”无效，可选：{}（前加 - 为倒序）", keys.join("、")))
    })?;
    // Of the sort columns only the milestone dates are ever empty.
    Ok(SortKey { expr, desc, nullable: matches!(key, "signed" | "started") })
}

pub fn order_by(sort: Option<&str>) -> Result<String, AppError> {
    let SortKey { expr, desc, nullable } = sort_key(sort)?;
    let dir = if desc { "DESC" } else { "ASC" };
    // NULLs last either way, so undated projects do not crowd the top. Only where there can be
    // any: the extra term keeps SQLite from reading a key's index in order.
    Ok(if nullable { format!("{expr} IS NULL, {expr} {dir}, p.id") } else { format!("{expr} {dir}, p.id") })
}

/// The join an order by region needs when only ids are read.
fn sort_join(order: &str) -> &'static str {
    if order.contains("g.") { "JOIN regions g ON g.code = p.region" } else { "" }
}

/// One page of projects and the total count.
pub async fn page(
    ex: &mut Ex<'_>,
    scopes: &[String],
    region_path: Option<&str>,
    f: &Filter,
) -> Result<(Vec<Row>, i64), AppError> {
    let (where_sql, binds) = where_clause(scopes, region_path, f)?;
    let key = sort_key(f.sort.as_deref())?;
    let order = order_by(f.sort.as_deref())?;
    // In order down the sort's index where that passes over fewer rows than sorting would take.
    // PostgreSQL weighs a LIMIT itself; SQLite is told (it reads by region even for the province),
    // so only there is every project's count (from the kept sums) read beside the page's count.
    let ordered = super::plan::ordered_index(key.expr).filter(|_| ex.backend() == crate::db::Backend::Sqlite);
    let everything_sql = if ordered.is_some() {
        "(SELECT CAST(COALESCE(sum(projects), 0) AS BIGINT) FROM project_sums)"
    } else {
        "CAST(0 AS BIGINT)"
    };
    #[derive(sqlx::FromRow)]
    struct Counts {
        matches: i64,
        everything: i64,
    }
    let counts_sql = format!(
        "SELECT (SELECT count(*) FROM projects p WHERE {where_sql}) AS matches, {everything_sql} AS everything"
    );
    let counts: Vec<Counts> = crate::db::fetch_all_binds(ex, &counts_sql, &binds).await?;
    let Counts { matches, everything } = counts.into_iter().next().unwrap_or(Counts { matches: 0, everything: 0 });
    let (after, offset) = match anchor(ex, scopes, set(&f.after)).await? {
        Some(id) => (format!(" AND {}", after_clause(ex.backend(), &key, id)), 0),
        None => (String::new(), crate::db::offset(f.page, PAGE_SIZE)),
    };
    let index = ordered
        .filter(|_| super::plan::read_in_order(matches, everything, offset + PAGE_SIZE))
        .map(|name| format!("INDEXED BY {name}"))
        .unwrap_or_default();
    // The page's ids first, sorted on what the filter's index holds; the 50 full rows after. Sorting
    // full rows would read every matching project (thousands in a city) to show fifty.
    let sort_join = sort_join(&order);
    let list_sql = format!(
        "{} WHERE p.id IN (SELECT p.id FROM projects p {index} {sort_join} WHERE {where_sql}{after}
                        ORDER BY {order} LIMIT {PAGE_SIZE} OFFSET {offset})
         ORDER BY {order}",
        select(),
    );
    let rows = crate::db::fetch_all_binds(ex, &list_sql, &binds).await?;
    Ok((rows, matches))
}

/// One page and the count, like [`page`], kept in [`crate::cache`] until a project in a region it
/// covers, a region or an industry changes (reports filed meanwhile leave it). The key is the statement itself, scope
/// included: two users share an entry only when they see the same projects. Each page is kept on
/// its own: on a working morning a project is saved every second or so, and a view's whole order
/// computed ahead for later pages was thrown away before anyone paged to them.
pub async fn cached_page(
    db: &crate::db::Db,
    scopes: &[String],
    region_path: Option<&str>,
    f: &Filter,
) -> Result<(Vec<Row>, i64), AppError> {
    let (where_sql, binds) = where_clause(scopes, region_path, f)?;
    let order = order_by(f.sort.as_deref())?;
    let offset = crate::db::offset(f.page, PAGE_SIZE);
    let after = set(&f.after).unwrap_or_default();
    let key = format!("projects:{where_sql}|{}|{order}|{offset}|{after}", binds.join("\u{1f}"));
    use crate::cache::{Area, LIST_CACHE, PROJECT_LIST};
    let compute = async {
        let mut conn = db.conn().await?;
        page(&mut conn.ex(), scopes, region_path, f).await
    };
    // A save elsewhere leaves this view as it was: the page stands unless a project changed in a
    // region the view covers (its chosen region, else its scopes).
    let covered: Vec<&str> = match region_path {
        Some(p) => vec![p],
        None => scopes.iter().map(String::as_str).collect(),
    };
    let update = |_kept, since, now| async move {
        let changed = crate::evaluation::kept::project_regions_changed(db, since, now).await?;
        if changed.iter().any(|path| covered.iter().any(|c| path.starts_with(c) || c.starts_with(path.as_str()))) {
            let mut conn = db.conn().await?;
            Ok(Some(page(&mut conn.ex(), scopes, region_path, f).await?))
        } else {
            Ok(None)
        }
    };
    let page = LIST_CACHE.get_or_update(db, PROJECT_LIST, Area::Projects, key, compute, update).await?;
    Ok(page.as_ref().clone())
}

/// Every matching project (for export), in the list's order, at most `limit`.
pub async fn all(
    ex: &mut Ex<'_>,
    scopes: &[String],
    region_path: Option<&str>,
    f: &Filter,
    limit: i64,
) -> Result<Vec<Row>, AppError> {
    let (where_sql, binds) = where_clause(scopes, region_path, f)?;
    let order = order_by(f.sort.as_deref())?;
    let sql = format!("{} WHERE {where_sql} ORDER BY {order} LIMIT {limit}", select());
    Ok(crate::db::fetch_all_binds(ex, &sql, &binds).await?)
}

/// Milestone dates of every matching project that has signed or started, for the speed figures.
pub async fn speed_dates(
    ex: &mut Ex<'_>,
    scopes: &[String],
    region_path: Option<&str>,
    f: &Filter,
) -> Result<Vec<super::speed::Dates>, AppError> {
    let (where_sql, binds) = where_clause(scopes, region_path, f)?;
    let sql = format!(
        "SELECT g.path AS region_path, p.actual_sign, p.actual_start, p.actual_produce
         FROM projects p JOIN regions g ON g.code = p.region
         WHERE {where_sql} AND (p.actual_sign IS NOT NULL OR p.actual_start IS NOT NULL)"
    );
    Ok(crate::db::fetch_all_binds(ex, &sql, &binds).await?)
}

#[cfg(test)]
#[path = "list_tests.rs"]
mod tests;

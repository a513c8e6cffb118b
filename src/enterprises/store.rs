//! Queries on enterprises.

use crate::db::Ex;
use crate::{q_as, q_exec};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Enterprise {
    pub id: Uuid,
    pub credit_code: String,
    pub name: String,
    #[serde(skip)]
    pub search_key: String,
    pub region: String,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub ownership: Option<String>,
    pub tags: i64,
    pub origin: Option<String>,
    pub origin_place: Option<String>,
    pub is_demo: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

/// A list row: the enterprise with the names of its region and industry.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Row {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub e: Enterprise,
    pub region_name: String,
    pub region_path: String,
    pub industry_name: Option<String>,
}

impl Row {
    pub fn tag_labels(&self) -> String {
        super::model::Tags(self.e.tags).labels()
    }
}

const SELECT: &str = "SELECT e.id, e.credit_code, e.name, e.search_key, e.region, e.industry, e.size, e.ownership,
    e.tags, e.origin, e.origin_place, e.is_demo, e.created_at, e.updated_at, e.version,
    g.name AS region_name, g.path AS region_path, i.name AS industry_name
    FROM enterprises e JOIN regions g ON g.code = e.region LEFT JOIN industries i ON i.code = e.industry";

pub async fn get(ex: &mut Ex<'_>, id: Uuid) -> Result<Option<Row>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE e.id = $1");
    q_as!(ex, fetch_optional, Row, sqlx::AssertSqlSafe(sql.as_str()), id)
}

pub async fn by_credit_code(ex: &mut Ex<'_>, code: &str) -> Result<Option<Row>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE e.credit_code = $1");
    q_as!(ex, fetch_optional, Row, sqlx::AssertSqlSafe(sql.as_str()), code)
}

pub async fn insert(ex: &mut Ex<'_>, e: &Enterprise) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO enterprises (id, credit_code, name, search_key, region, industry, size, ownership, tags,
           origin, origin_place, is_demo, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        e.id,
        &e.credit_code,
        &e.name,
        &e.search_key,
        &e.region,
        &e.industry,
        &e.size,
        &e.ownership,
        e.tags,
        &e.origin,
        &e.origin_place,
        e.is_demo,
        e.created_at,
        e.updated_at,
        e.version
    )?;
    Ok(())
}

pub async fn by_credit_codes(ex: &mut Ex<'_>, codes: &[String]) -> Result<Vec<Row>, sqlx::Error> {
    crate::db::fetch_in(ex, &format!("{SELECT} WHERE e.credit_code IN ({{in}})"), codes).await
}

/// Many new enterprises at once (imports, the demo generator).
pub async fn insert_many(ex: &mut Ex<'_>, rows: &[&Enterprise]) -> Result<(), sqlx::Error> {
    crate::q_insert_many!(
        ex,
        "INSERT INTO enterprises (id, credit_code, name, search_key, region, industry, size, ownership, tags,
           origin, origin_place, is_demo, created_at, updated_at, version)",
        15,
        rows,
        |q, e| q
            .bind(e.id)
            .bind(&e.credit_code)
            .bind(&e.name)
            .bind(&e.search_key)
            .bind(&e.region)
            .bind(&e.industry)
            .bind(&e.size)
            .bind(&e.ownership)
            .bind(e.tags)
            .bind(&e.origin)
            .bind(&e.origin_place)
            .bind(e.is_demo)
            .bind(e.created_at)
            .bind(e.updated_at)
            .bind(e.version)
    )?;
    Ok(())
}

/// Records the tags each enterprise gained or lost on `on` (an enterprise, its tags before, after).
pub async fn log_tag_changes(ex: &mut Ex<'_>, changes: &[(Uuid, i64, i64)], on: time::Date) -> Result<(), sqlx::Error> {
    use super::model::Tags;
    let at = OffsetDateTime::now_utc();
    let events: Vec<(Uuid, &'static str, bool)> = changes
        .iter()
        .flat_map(|(id, before, after)| {
            Tags(*before).changes(Tags(*after)).into_iter().map(move |(t, added)| (*id, t.label(), added))
        })
        .collect();
    crate::q_insert_many!(
        ex,
        "INSERT INTO enterprise_tag_events (id, enterprise_id, tag, added, on_date, at)",
        6,
        events,
        |q, e| q.bind(Uuid::now_v7()).bind(e.0).bind(e.1).bind(e.2).bind(on).bind(at)
    )?;
    Ok(())
}

/// Writes `e` if the stored row is still at `e.version - 1`; false if someone else got there first.
pub async fn update(ex: &mut Ex<'_>, e: &Enterprise) -> Result<bool, sqlx::Error> {
    let n =
        q_exec!(ex,
        "UPDATE enterprises SET credit_code = $2, name = $3, search_key = $4, region = $5, industry = $6, size = $7,
           ownership = $8, tags = $9, origin = $10, origin_place = $11, updated_at = $12, version = $13
         WHERE id = $1 AND version = $14",
        e.id, &e.credit_code, &e.name, &e.search_key, &e.region, &e.industry, &e.size, &e.ownership, e.tags,
        &e.origin, &e.origin_place, e.updated_at, e.version, e.version - 1)?;
    Ok(n == 1)
}

#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct Filter {
    pub q: Option<String>,
    /// A region or park code: its whole subtree.
    pub region: Option<String>,
    pub size: Option<String>,
    pub ownership: Option<String>,
    pub tag: Option<String>,
    pub industry: Option<String>,
    pub sort: Option<String>,
    pub page: Option<i64>,
}

pub const PAGE_SIZE: i64 = 50;

/// Enterprises within the scopes (region paths), filtered, sorted and paged; with the total.
pub async fn list(
    ex: &mut Ex<'_>,
    scopes: &[String],
    f: &Filter,
    region_path: Option<&str>,
) -> Result<(Vec<Row>, i64), sqlx::Error> {
    let mut binds: Vec<String> = Vec::new();
    let mut clauses: Vec<String> = Vec::new();
    let mut scope_sql = Vec::new();
    for s in scopes {
        binds.push(format!("{s}%"));
        scope_sql.push(format!("g.path LIKE ${}", binds.len()));
    }
    clauses.push(if scope_sql.is_empty() { "1 = 0".into() } else { format!("({})", scope_sql.join(" OR ")) });
    if let Some(p) = region_path {
        binds.push(format!("{p}%"));
        clauses.push(format!("g.path LIKE ${}", binds.len()));
    }
    if let Some(q) = f.q.as_deref().map(super::model::search_needle).filter(|q| !q.is_empty()) {
        binds.push(format!("%{q}%"));
        let n = binds.len();
        binds.push(q.to_uppercase());
        clauses.push(format!("(e.search_key LIKE ${n} OR e.credit_code = ${})", n + 1));
    }
    for (col, v) in [("e.size", &f.size), ("e.ownership", &f.ownership)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            binds.push(v.to_string());
            clauses.push(format!("{col} = ${}", binds.len()));
        }
    }
    if let Some(code) = f.industry.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        binds.push(format!("{code}%"));
        clauses.push(format!("e.industry LIKE ${}", binds.len()));
    }
    if let Some(tag) = f.tag.as_deref().and_then(|t| super::model::Tag::parse(t).ok()) {
        // A constant from our own enum, not user text.
        clauses.push(format!("(e.tags & {}) <> 0", super::model::Tags::bit(tag)));
    }
    let order = match f.sort.as_deref() {
        Some("name") => "e.name ASC, e.id",
        Some("-name") => "e.name DESC, e.id",
        Some("region") => "g.path ASC, e.name",
        Some("credit_code") => "e.credit_code ASC",
        Some("-updated") | None | Some("") => "e.updated_at DESC, e.id",
        Some("updated") => "e.updated_at ASC, e.id",
        Some(_) => "e.updated_at DESC, e.id",
    };
    let where_sql = clauses.join(" AND ");
    let list_sql = format!(
        "{SELECT} WHERE {where_sql} ORDER BY {order} LIMIT {PAGE_SIZE} OFFSET {}",
        crate::db::offset(f.page, PAGE_SIZE)
    );
    let count_sql = format!("SELECT count(*) FROM enterprises e JOIN regions g ON g.code = e.region WHERE {where_sql}");
    crate::db::fetch_page(ex, &list_sql, &count_sql, &binds).await
}

//! Writing and reading the audit chain. `record` runs inside the caller's transaction, so a
//! change and its audit record commit or roll back together.

use super::model::{Actor, AuditRecord, Break, GENESIS, compute_hash, verify_run};
use crate::db::Ex;
use crate::{q_as, q_exec};
use serde_json::Value;
use time::OffsetDateTime;

/// What changed: the action, the entity, its owning region, and its state before and after.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub region: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Databases keep microseconds; the hash must cover exactly what is stored.
pub fn now_micros() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1000 * 1000).expect("valid nanosecond")
}

pub async fn record(ex: &mut Ex<'_>, actor: &Actor, c: Change<'_>) -> Result<i64, sqlx::Error> {
    record_many(ex, actor, vec![c]).await
}

/// Appends several records with one bump of the head and multi-row inserts (an import writes one
/// record per row); returns the last sequence number. The chain is the same as one `record` at a time.
pub async fn record_many(ex: &mut Ex<'_>, actor: &Actor, changes: Vec<Change<'_>>) -> Result<i64, sqlx::Error> {
    // Bumping the head first takes its row lock (PostgreSQL) or is already under the write
    // lock (SQLite), so appends never fork the chain.
    let n = changes.len() as i64;
    let (last, mut prev_hash): (i64, String) = q_as!(
        ex,
        fetch_one,
        (i64, String),
        "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash",
        n
    )?;
    if n == 0 {
        return Ok(last);
    }
    let at = now_micros();
    let mut records = Vec::with_capacity(changes.len());
    for (i, c) in changes.into_iter().enumerate() {
        let mut r = AuditRecord {
            seq: last - n + 1 + i as i64,
            at,
            actor_id: actor.id,
            actor_name: actor.name.clone(),
            ip: actor.ip.clone(),
            action: c.action.into(),
            entity: c.entity.into(),
            entity_id: c.entity_id,
            region: c.region,
            before_json: c.before.map(|v| v.to_string()),
            after_json: c.after.map(|v| v.to_string()),
            prev_hash: std::mem::take(&mut prev_hash),
            hash: String::new(),
        };
        r.hash = compute_hash(&r);
        prev_hash = r.hash.clone();
        records.push(r);
    }
    crate::q_insert_many!(
        ex,
        "INSERT INTO audit_log (seq, at, actor_id, actor_name, ip, action, entity, entity_id, region,
           before_json, after_json, prev_hash, hash)",
        13,
        records,
        |q, r| q
            .bind(r.seq)
            .bind(r.at)
            .bind(r.actor_id)
            .bind(&r.actor_name)
            .bind(&r.ip)
            .bind(&r.action)
            .bind(&r.entity)
            .bind(&r.entity_id)
            .bind(&r.region)
            .bind(&r.before_json)
            .bind(&r.after_json)
            .bind(&r.prev_hash)
            .bind(&r.hash)
    )?;
    q_exec!(ex, "UPDATE audit_head SET hash = $1 WHERE id = 1", &prev_hash)?;
    Ok(last)
}

const SELECT: &str = "SELECT a.seq, a.at, a.actor_id, a.actor_name, a.ip, a.action, a.entity,
    a.entity_id, a.region, a.before_json, a.after_json, a.prev_hash, a.hash FROM audit_log a";

/// Walks the whole chain in batches and returns the number of records checked, or the first break.
pub async fn verify(ex: &mut Ex<'_>) -> Result<Result<i64, Break>, sqlx::Error> {
    let mut prev = (0i64, GENESIS.to_string());
    let sql = format!("{SELECT} WHERE a.seq > $1 ORDER BY a.seq LIMIT 5000");
    loop {
        let batch: Vec<AuditRecord> = q_as!(ex, fetch_all, AuditRecord, sqlx::AssertSqlSafe(sql.as_str()), prev.0)?;
        if batch.is_empty() {
            break;
        }
        match verify_run((prev.0, &prev.1), &batch) {
            Ok(next) => prev = next,
            Err(b) => return Ok(Err(b)),
        }
    }
    let (head_seq, head_hash): (i64, String) =
        q_as!(ex, fetch_one, (i64, String), "SELECT seq, hash FROM audit_head WHERE id = 1")?;
    if head_seq != prev.0 || head_hash != prev.1 {
        if head_seq > prev.0 {
            return Ok(Err(Break::Truncated { last: prev.0, head: head_seq }));
        }
        return Ok(Err(Break::Link { seq: prev.0 }));
    }
    Ok(Ok(prev.0))
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Filter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Inclusive dates, YYYY-MM-DD.
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
}

pub const PAGE_SIZE: i64 = 50;

/// Records visible from the scopes (region paths) given, newest first; `None` scopes = all.
/// Records with no region are visible only to auditors whose scope is a root (a province).
pub async fn list(
    ex: &mut Ex<'_>,
    scopes: &[(String, bool)],
    f: &Filter,
) -> Result<(Vec<AuditRecord>, i64), sqlx::Error> {
    let mut clauses: Vec<String> = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    let mut scope_parts = Vec::new();
    for (path, is_root) in scopes {
        binds.push(format!("{path}%"));
        scope_parts.push(format!("g.path LIKE ${}", binds.len()));
        if *is_root {
            scope_parts.push("a.region IS NULL".into());
        }
    }
    clauses.push(if scope_parts.is_empty() { "1 = 0".into() } else { format!("({})", scope_parts.join(" OR ")) });
    let mut push = |col: &str, op: &str, v: &Option<String>, wrap: fn(&str) -> String| {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            binds.push(wrap(v));
            clauses.push(format!("{col} {op} ${}", binds.len()));
        }
    };
    push("a.actor_name", "LIKE", &f.actor, |v| format!("%{v}%"));
    push("a.action", "LIKE", &f.action, |v| format!("{v}%"));
    push("a.entity", "=", &f.entity, |v| v.to_string());
    push("a.entity_id", "=", &f.entity_id, |v| v.to_string());
    let pg = ex.backend() == crate::db::Backend::Postgres;
    let mut day = |col_op: &str, v: &Option<String>, plus: i64| {
        // Within the years any record can have (a far-future "to" would overflow the day after).
        if let Some(d) = v.as_deref().and_then(parse_day).and_then(|d| d.date().checked_add(time::Duration::days(plus)))
        {
            // A bare date: PostgreSQL casts it to midnight UTC; SQLite's stored text
            // ("2026-11-22 07:30:09.86+00:00") compares with it in the same order.
            let day = d.to_string();
            binds.push(day);
            let cast = if pg { "::timestamptz" } else { "" };
            clauses.push(format!("{col_op} ${}{cast}", binds.len()));
        }
    };
    day("a.at >=", &f.from, 0);
    day("a.at <", &f.to, 1);
    let where_sql = clauses.join(" AND ");
    let base = format!("FROM audit_log a LEFT JOIN regions g ON g.code = a.region WHERE {where_sql}");
    let list_sql = format!(
        "{} {base} ORDER BY a.seq DESC LIMIT {PAGE_SIZE} OFFSET {}",
        SELECT.replace(" FROM audit_log a", ""),
        crate::db::offset(f.page, PAGE_SIZE)
    );
    let count_sql = format!("SELECT count(*) {base}");
    crate::db::fetch_page(ex, &list_sql, &count_sql, &binds).await
}

fn parse_day(s: &str) -> Option<OffsetDateTime> {
    crate::projects::stage::parse_date("", s).ok().map(|d| d.midnight().assume_utc())
}

pub async fn get(ex: &mut Ex<'_>, seq: i64) -> Result<Option<AuditRecord>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE a.seq = $1");
    q_as!(ex, fetch_optional, AuditRecord, sqlx::AssertSqlSafe(sql.as_str()), seq)
}

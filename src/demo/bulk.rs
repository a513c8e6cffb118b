//! Writing many rows fast: multi-row INSERTs on SQLite (one statement per few hundred rows,
//! under its 32 766 bind limit) and COPY on PostgreSQL — one row-at-a-time INSERT per record
//! would take the province data set from minutes to an hour.

use crate::db::Ex;
use crate::domain::Money;
use crate::enterprises::store::Enterprise;
use crate::projects::store::Project;
use crate::reports::store::Report;
use sqlx::{PgConnection, SqliteConnection};
use std::fmt::Write;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// One column value, typed so that each backend encodes it as its own `insert` does.
pub enum V<'a> {
    Int(Option<i64>),
    Text(Option<&'a str>),
    Bool(bool),
    Uuid(Option<Uuid>),
    Date(Option<Date>),
    Time(OffsetDateTime),
}

/// A row type with the table and columns it fills.
pub trait Table {
    const NAME: &'static str;
    const COLS: &'static [&'static str];
    fn values(&self) -> Vec<V<'_>>;
}

/// Rows per INSERT on SQLite: enough to amortise the statement, few enough for its bind limit.
const SQLITE_ROWS: usize = 500;
const SQLITE_MAX_BINDS: usize = 32_766;

pub async fn insert<T: Table>(ex: &mut Ex<'_>, rows: &[T]) -> Result<(), sqlx::Error> {
    match ex {
        Ex::Sqlite(c) => insert_sqlite(c, rows).await,
        Ex::Postgres(c) => copy_postgres(c, rows).await,
    }
}

fn insert_sql<T: Table>(rows: usize) -> String {
    let one = format!("({})", vec!["?"; T::COLS.len()].join(", "));
    format!("INSERT INTO {} ({}) VALUES {}", T::NAME, T::COLS.join(", "), vec![one; rows].join(", "))
}

async fn insert_sqlite<T: Table>(c: &mut SqliteConnection, rows: &[T]) -> Result<(), sqlx::Error> {
    let per = SQLITE_ROWS.min(SQLITE_MAX_BINDS / T::COLS.len());
    let full = insert_sql::<T>(per);
    for chunk in rows.chunks(per) {
        let sql = if chunk.len() == per { full.clone() } else { insert_sql::<T>(chunk.len()) };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for v in row.values() {
                q = match v {
                    V::Int(x) => q.bind(x),
                    V::Text(x) => q.bind(x),
                    V::Bool(x) => q.bind(x),
                    V::Uuid(x) => q.bind(x),
                    V::Date(x) => q.bind(x),
                    V::Time(x) => q.bind(x),
                };
            }
        }
        q.execute(&mut *c).await?;
    }
    Ok(())
}

/// COPY's text format: tab-separated, `\N` for NULL, backslash escapes in text.
fn copy_text(v: &V<'_>, out: &mut String) {
    match v {
        V::Int(None) | V::Text(None) | V::Uuid(None) | V::Date(None) => out.push_str("\\N"),
        V::Int(Some(x)) => {
            let _ = write!(out, "{x}");
        }
        V::Text(Some(s)) => {
            for ch in s.chars() {
                match ch {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
        V::Bool(b) => out.push(if *b { 't' } else { 'f' }),
        V::Uuid(Some(u)) => {
            let _ = write!(out, "{}", u.hyphenated());
        }
        V::Date(Some(d)) => {
            let _ = write!(out, "{d}");
        }
        V::Time(t) => out.push_str(&t.format(&Rfc3339).unwrap_or_default()),
    }
}

async fn copy_postgres<T: Table>(c: &mut PgConnection, rows: &[T]) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut buf = String::with_capacity(rows.len() * 64 * T::COLS.len() / 4);
    for row in rows {
        for (k, v) in row.values().iter().enumerate() {
            if k > 0 {
                buf.push('\t');
            }
            copy_text(v, &mut buf);
        }
        buf.push('\n');
    }
    let sql = format!("COPY {} ({}) FROM STDIN", T::NAME, T::COLS.join(", "));
    let mut copy = c.copy_in_raw(&sql).await?;
    copy.send(buf.into_bytes()).await?;
    copy.finish().await?;
    Ok(())
}

impl Table for Enterprise {
    const NAME: &'static str = "enterprises";
    const COLS: &'static [&'static str] = &[
        "id",
        "credit_code",
        "name",
        "search_key",
        "region",
        "industry",
        "size",
        "ownership",
        "tags",
        "origin",
        "origin_place",
        "is_demo",
        "created_at",
        "updated_at",
        "version",
    ];
    fn values(&self) -> Vec<V<'_>> {
        vec![
            V::Uuid(Some(self.id)),
            V::Text(Some(&self.credit_code)),
            V::Text(Some(&self.name)),
            V::Text(Some(&self.search_key)),
            V::Text(Some(&self.region)),
            V::Text(self.industry.as_deref()),
            V::Text(self.size.as_deref()),
            V::Text(self.ownership.as_deref()),
            V::Int(Some(self.tags)),
            V::Text(self.origin.as_deref()),
            V::Text(self.origin_place.as_deref()),
            V::Bool(self.is_demo),
            V::Time(self.created_at),
            V::Time(self.updated_at),
            V::Int(Some(self.version)),
        ]
    }
}

impl Table for Project {
    const NAME: &'static str = "projects";
    const COLS: &'static [&'static str] = &[
        "id",
        "code",
        "name",
        "region",
        "industry",
        "sector",
        "industrial",
        "nature",
        "capital",
        "sources",
        "channel",
        "total_investment",
        "fixed_investment",
        "foreign_usd",
        "expected_output",
        "expected_tax",
        "expected_jobs",
        "land_mu",
        "tags",
        "stage",
        "health",
        "health_reason",
        "contracted_amount",
        "local_credit_code",
        "parcel",
        "supplied_mu",
        "permit",
        "planned_sign",
        "actual_sign",
        "planned_register",
        "actual_register",
        "planned_land",
        "actual_land",
        "planned_start",
        "actual_start",
        "planned_produce",
        "actual_produce",
        "planned_full_produce",
        "actual_full_produce",
        "specialist_id",
        "is_demo",
        "created_at",
        "updated_at",
        "version",
    ];
    fn values(&self) -> Vec<V<'_>> {
        fn t(s: &Option<String>) -> V<'_> {
            V::Text(s.as_deref())
        }
        vec![
            V::Uuid(Some(self.id)),
            t(&self.code),
            V::Text(Some(&self.name)),
            V::Text(Some(&self.region)),
            t(&self.industry),
            t(&self.sector),
            V::Bool(self.industrial),
            t(&self.nature),
            t(&self.capital),
            V::Int(Some(self.sources)),
            t(&self.channel),
            V::Int(Some(self.total_investment.fen())),
            V::Int(self.fixed_investment.map(Money::fen)),
            V::Int(self.foreign_usd),
            V::Int(self.expected_output.map(Money::fen)),
            V::Int(self.expected_tax.map(Money::fen)),
            V::Int(self.expected_jobs),
            V::Int(self.land_mu),
            V::Int(Some(self.tags)),
            V::Text(Some(self.stage.code())),
            V::Text(Some(self.health.code())),
            t(&self.health_reason),
            V::Int(self.contracted_amount.map(Money::fen)),
            t(&self.local_credit_code),
            t(&self.parcel),
            V::Int(self.supplied_mu),
            t(&self.permit),
            V::Date(self.planned_sign),
            V::Date(self.actual_sign),
            V::Date(self.planned_register),
            V::Date(self.actual_register),
            V::Date(self.planned_land),
            V::Date(self.actual_land),
            V::Date(self.planned_start),
            V::Date(self.actual_start),
            V::Date(self.planned_produce),
            V::Date(self.actual_produce),
            V::Date(self.planned_full_produce),
            V::Date(self.actual_full_produce),
            V::Uuid(self.specialist_id),
            V::Bool(self.is_demo),
            V::Time(self.created_at),
            V::Time(self.updated_at),
            V::Int(Some(self.version)),
        ]
    }
}

impl Table for Report {
    const NAME: &'static str = "monthly_reports";
    const COLS: &'static [&'static str] = &[
        "id",
        "project_id",
        "month",
        "invest_month",
        "invest_cumulative",
        "funds_domestic",
        "funds_foreign_usd",
        "tax",
        "jobs",
        "output",
        "progress",
        "problems",
        "in_stats",
        "late",
        "filed_on",
        "filed_by",
        "created_at",
        "updated_at",
        "version",
    ];
    fn values(&self) -> Vec<V<'_>> {
        vec![
            V::Uuid(Some(self.id)),
            V::Uuid(Some(self.project_id)),
            V::Text(Some(&self.month)),
            V::Int(Some(self.invest_month)),
            V::Int(Some(self.invest_cumulative)),
            V::Int(Some(self.funds_domestic)),
            V::Int(Some(self.funds_foreign_usd)),
            V::Int(Some(self.tax)),
            V::Int(Some(self.jobs)),
            V::Int(Some(self.output)),
            V::Text(Some(&self.progress)),
            V::Text(Some(&self.problems)),
            V::Bool(self.in_stats),
            V::Bool(self.late),
            V::Date(Some(self.filed_on)),
            V::Text(Some(&self.filed_by)),
            V::Time(self.created_at),
            V::Time(self.updated_at),
            V::Int(Some(self.version)),
        ]
    }
}

/// A row of `project_investors`.
pub struct Investor(pub Uuid, pub Uuid);

impl Table for Investor {
    const NAME: &'static str = "project_investors";
    const COLS: &'static [&'static str] = &["project_id", "enterprise_id"];
    fn values(&self) -> Vec<V<'_>> {
        vec![V::Uuid(Some(self.0)), V::Uuid(Some(self.1))]
    }
}

/// A row of `project_stage_log`.
pub struct StageLog {
    pub id: Uuid,
    pub project_id: Uuid,
    pub from: Option<&'static str>,
    pub to: &'static str,
    pub on: Date,
    pub note: &'static str,
    pub actor: &'static str,
    pub at: OffsetDateTime,
}

impl Table for StageLog {
    const NAME: &'static str = "project_stage_log";
    const COLS: &'static [&'static str] =
        &["id", "project_id", "from_stage", "to_stage", "happened_on", "note", "actor_name", "at"];
    fn values(&self) -> Vec<V<'_>> {
        vec![
            V::Uuid(Some(self.id)),
            V::Uuid(Some(self.project_id)),
            V::Text(self.from),
            V::Text(Some(self.to)),
            V::Date(Some(self.on)),
            V::Text(Some(self.note)),
            V::Text(Some(self.actor)),
            V::Time(self.at),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_would_split_a_row_and_writes_null_as_backslash_n() {
        let mut s = String::new();
        for v in [V::Text(Some("a\tb\\c\nd")), V::Text(None), V::Bool(true), V::Int(Some(-5))] {
            copy_text(&v, &mut s);
            s.push('|');
        }
        assert_eq!(s, "a\\tb\\\\c\\nd|\\N|t|-5|");
    }

    #[test]
    fn sqlite_statements_stay_under_the_bind_limit() {
        let per = SQLITE_ROWS.min(SQLITE_MAX_BINDS / Project::COLS.len());
        assert!(per * Project::COLS.len() <= SQLITE_MAX_BINDS);
        assert_eq!(
            insert_sql::<Investor>(2),
            "INSERT INTO project_investors (project_id, enterprise_id) VALUES (?, ?), (?, ?)"
        );
        assert_eq!(Project::COLS.len(), crate::projects::service::blank(OffsetDateTime::now_utc()).values().len());
    }
}

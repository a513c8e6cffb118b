//! Built queries with typed binds: list filters put together at run time compare UUIDs, dates and
//! timestamps, which must be bound as what they are for PostgreSQL to accept them.

use crate::db::Ex;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    Uuid(Uuid),
    Date(Date),
    Time(OffsetDateTime),
    Int(i64),
}

/// Binds collected while a WHERE clause is written; `push` returns the placeholder.
#[derive(Debug, Clone, Default)]
pub struct Binds(pub Vec<Bind>);

impl Binds {
    pub fn push(&mut self, b: Bind) -> String {
        self.0.push(b);
        format!("${}", self.0.len())
    }
    pub fn text(&mut self, s: impl Into<String>) -> String {
        self.push(Bind::Text(s.into()))
    }
}

macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                Bind::Text(s) => q.bind(s.clone()),
                Bind::Uuid(u) => q.bind(*u),
                Bind::Date(d) => q.bind(*d),
                Bind::Time(t) => q.bind(*t),
                Bind::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}

pub async fn fetch_all<T>(ex: &mut Ex<'_>, sql: &str, binds: &Binds) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    match ex {
        Ex::Sqlite(c) => {
            bind_all!(sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql)), &binds.0).fetch_all(&mut **c).await
        }
        Ex::Postgres(c) => {
            bind_all!(sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql)), &binds.0).fetch_all(&mut **c).await
        }
    }
}

pub async fn fetch_count(ex: &mut Ex<'_>, sql: &str, binds: &Binds) -> Result<i64, sqlx::Error> {
    match ex {
        Ex::Sqlite(c) => {
            bind_all!(sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)), &binds.0).fetch_one(&mut **c).await
        }
        Ex::Postgres(c) => {
            bind_all!(sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)), &binds.0).fetch_one(&mut **c).await
        }
    }
}

/// `(g.path LIKE $1 OR …)`: rows whose region path `column` lies in one of the subtrees at `paths`;
/// with no subtree, none (`1 = 0`): an empty scope sees nothing rather than everything.
pub fn in_subtrees(column: &str, paths: &[String], b: &mut Binds) -> String {
    let parts: Vec<String> = paths.iter().map(|p| format!("{column} LIKE {}", b.text(format!("{p}%")))).collect();
    if parts.is_empty() { "1 = 0".into() } else { format!("({})", parts.join(" OR ")) }
}

/// A LIKE pattern matching `s` anywhere, with the wildcards a user typed taken out.
pub fn contains(s: &str) -> String {
    format!("%{}%", s.trim().replace(['%', '_'], ""))
}

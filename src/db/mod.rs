//! The storage backend: SQLite (embedded default) or PostgreSQL (production).
//!
//! We use the concrete sqlx drivers, not `Any` (it has no dates or UUIDs). Each query is written
//! once with `$N` placeholders, which both drivers accept, and run through the macros below,
//! which dispatch on the backend. Store functions take an [`Ex`] so they work inside the
//! transaction that the use case owns.

pub mod binds;
mod migrate;
mod sqlite_alloc;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

pub use migrate::{Applied, Migration, MigrationError, applied, check_applied, migrate, migrations};

/// The default database: a SQLite file under `./data/`, created on first start.
pub const DEFAULT_URL: &str = "sqlite://data/zhaoshang.db";

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A borrowed executor: a pooled connection or an open transaction, on either backend.
pub enum Ex<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// A transaction owned by a use case; store functions get it through [`Tx::ex`].
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// A pooled connection for reads that need no transaction.
pub enum Conn {
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    Postgres(sqlx::pool::PoolConnection<Postgres>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The row a list page starts at: pages beyond a million (no one pages that far; a crafted number
/// would overflow the multiplication) read as the last of them, and a page below 1 as the first.
pub fn offset(page: Option<i64>, size: i64) -> i64 {
    (page.unwrap_or(1).clamp(1, 1_000_000) - 1) * size
}

/// Turns off SQLite's memory statistics and gives it the Rust allocator ([`sqlite_alloc`]) before its
/// first use in this process. The statistics are on by default and take one process-wide mutex on
/// every allocation and free SQLite makes; with eight connections on their own threads, that one
/// lock was where the server spent a third of its time under mixed load (futex waits in the profile
/// of the 工作日早高峰 benchmark). Nothing here reads them.
fn configure_sqlite_library() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config is only allowed before the library initialises; this runs before
        // the process opens its first connection (afterwards SQLite answers SQLITE_MISUSE and
        // changes nothing, which is harmless).
        let rc =
            unsafe { libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int) };
        if rc != libsqlite3_sys::SQLITE_OK {
            tracing::debug!(rc, "SQLite memory statistics stay on (the library was already in use)");
        }
        let rc = sqlite_alloc::install();
        if rc != libsqlite3_sys::SQLITE_OK {
            tracing::debug!(rc, "SQLite keeps the C allocator (the library was already in use)");
        }
    });
}

impl Db {
    /// Opens (and for SQLite creates) the database named by `url`. Does not migrate.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            configure_sqlite_library();
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a committed change survives a power cut, which officials expect.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // 8 MB of page cache per connection (SQLite's default is 2 MB): a province's indexes
                // stay in memory, and a large import does not spill its transaction to disk page by page.
                .pragma("cache_size", "-8192")
                // Rows cross from the connection's thread to the request's task through a channel;
                // at sqlx's 50 the thread stopped and woke again every 50 rows, and a cold cockpit
                // spent more on that hand-over than on reading its few thousand rows.
                .row_buffer_size(2048);
            if let Some(parent) = opts.get_filename().parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent)?;
                }
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            anyhow::bail!("数据库地址无法识别：{url}（应以 sqlite: 或 postgres:// 开头）")
        }
    }

    /// Connects and brings the schema up to date.
    pub async fn open(url: &str) -> anyhow::Result<Db> {
        let db = Db::connect(url).await?;
        migrate(&db).await?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`)
    /// so that a transaction that reads before it writes never fails with SQLITE_BUSY.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        crate::cache::forget_versions();
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub async fn conn(&self) -> Result<Conn, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(p) => Conn::Sqlite(p.acquire().await?),
            Db::Postgres(p) => Conn::Postgres(p.acquire().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    pub fn ex(&mut self) -> Ex<'_> {
        match self {
            Tx::Sqlite(t) => Ex::Sqlite(&mut *t),
            Tx::Postgres(t) => Ex::Postgres(&mut *t),
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let done = match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        };
        crate::cache::forget_versions();
        done
    }
}

impl Conn {
    pub fn ex(&mut self) -> Ex<'_> {
        match self {
            Conn::Sqlite(c) => Ex::Sqlite(&mut *c),
            Conn::Postgres(c) => Ex::Postgres(&mut *c),
        }
    }
}

impl Ex<'_> {
    pub fn backend(&self) -> Backend {
        match self {
            Ex::Sqlite(_) => Backend::Sqlite,
            Ex::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Runs `query_as::<T>(sql)` with the given binds on whichever backend `ex` is, returning
/// the given fetch method's result (`fetch_all`, `fetch_one`, `fetch_optional`).
#[macro_export]
macro_rules! q_as {
    ($ex:expr, $fetch:ident, $T:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $ex {
            $crate::db::Ex::Sqlite(c) => {
                sqlx::query_as::<_, $T>($sql)$(.bind($arg))*.$fetch(&mut **c).await
            }
            $crate::db::Ex::Postgres(c) => {
                sqlx::query_as::<_, $T>($sql)$(.bind($arg))*.$fetch(&mut **c).await
            }
        }
    };
}

/// Like [`q_as!`] for a single scalar column (`query_scalar`).
#[macro_export]
macro_rules! q_scalar {
    ($ex:expr, $fetch:ident, $T:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $ex {
            $crate::db::Ex::Sqlite(c) => {
                sqlx::query_scalar::<_, $T>($sql)$(.bind($arg))*.$fetch(&mut **c).await
            }
            $crate::db::Ex::Postgres(c) => {
                sqlx::query_scalar::<_, $T>($sql)$(.bind($arg))*.$fetch(&mut **c).await
            }
        }
    };
}

/// Executes a statement; returns the number of rows affected.
#[macro_export]
macro_rules! q_exec {
    ($ex:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $ex {
            $crate::db::Ex::Sqlite(c) => sqlx::query($sql)$(.bind($arg))*.execute(&mut **c).await
                .map(|r| r.rows_affected()),
            $crate::db::Ex::Postgres(c) => sqlx::query($sql)$(.bind($arg))*.execute(&mut **c).await
                .map(|r| r.rows_affected()),
        }
    };
}

/// Turns SQLite's memory map of the database file (up to 1 GB) on or off for this connection,
/// around a query that probes a large index at random: mapped, a page costs no system call and no
/// copy. (Scoring 红旗/蜗牛 probes 70,000 projects' reports: 0.5 s through read() and the 8 MB
/// page cache, 0.1 s mapped.) Turn it off afterwards: mapped pages count in the server's memory,
/// and every pooled connection would keep its own map. Nothing to do on PostgreSQL.
pub async fn map_file(ex: &mut Ex<'_>, on: bool) -> Result<(), sqlx::Error> {
    if ex.backend() == Backend::Sqlite {
        let sql = if on { "PRAGMA mmap_size = 1073741824" } else { "PRAGMA mmap_size = 0" };
        crate::q_exec!(&mut *ex, sql)?;
    }
    Ok(())
}

/// Runs a page query and its count query with the same text binds, on either backend.
pub async fn fetch_page<T>(
    ex: &mut Ex<'_>,
    list_sql: &str,
    count_sql: &str,
    binds: &[String],
) -> Result<(Vec<T>, i64), sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    macro_rules! run {
        ($c:expr) => {{
            let mut q = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(list_sql));
            let mut qc = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql));
            for b in binds {
                q = q.bind(b);
                qc = qc.bind(b);
            }
            let rows = q.fetch_all(&mut **$c).await?;
            let total = qc.fetch_one(&mut **$c).await?;
            Ok((rows, total))
        }};
    }
    match ex {
        Ex::Sqlite(c) => run!(c),
        Ex::Postgres(c) => run!(c),
    }
}

/// The `VALUES (...), (...)` part of a multi-row INSERT: `rows` groups of `cols` placeholders.
/// SQLite gets anonymous `?`: it looks a numbered `$N` up by name at parse and bind time, which
/// costs time proportional to the square of the placeholders in a statement of thousands.
pub fn values_sql(backend: Backend, cols: usize, rows: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            match backend {
                Backend::Sqlite => out.push('?'),
                Backend::Postgres => out.push_str(&format!("${}", r * cols + c + 1)),
            }
        }
        out.push(')');
    }
    out
}

/// A list of `n` placeholders for `IN (…)`, as `values_sql` writes them.
pub fn list_sql(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => vec!["?"; n].join(", "),
        Backend::Postgres => (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", "),
    }
}

/// Rows per multi-row statement: under SQLite's 32,766 and PostgreSQL's 65,535 bind limits, and small
/// enough that one statement's text stays modest.
pub fn rows_per_statement(cols: usize) -> usize {
    (30_000 / cols.max(1)).clamp(1, 500)
}

/// Inserts many rows with multi-row `INSERT … VALUES` statements: `$head` is "INSERT INTO t (a, b)",
/// `$cols` the number of columns, and `|$q, $r| bind` binds one row's values onto the query in order.
#[macro_export]
macro_rules! q_insert_many {
    ($ex:expr, $head:expr, $cols:expr, $rows:expr, |$q:ident, $r:ident| $bind:expr) => {{
        let ex: &mut $crate::db::Ex<'_> = $ex;
        let mut result: Result<u64, sqlx::Error> = Ok(0);
        for chunk in $rows.chunks($crate::db::rows_per_statement($cols)) {
            let sql = format!("{} VALUES {}", $head, $crate::db::values_sql(ex.backend(), $cols, chunk.len()));
            let done = match &mut *ex {
                $crate::db::Ex::Sqlite(c) => {
                    let mut $q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                    for $r in chunk {
                        $q = $bind;
                    }
                    $q.execute(&mut **c).await.map(|r| r.rows_affected())
                }
                $crate::db::Ex::Postgres(c) => {
                    let mut $q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                    for $r in chunk {
                        $q = $bind;
                    }
                    $q.execute(&mut **c).await.map(|r| r.rows_affected())
                }
            };
            match done {
                Ok(n) => *result.as_mut().expect("no error yet") += n,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        result
    }};
}

/// Rows whose key is in `values`: `sql` holds `{in}` where the placeholder list goes
/// ("… WHERE p.id IN ({in})"). Long lists are split into several queries.
pub async fn fetch_in<T, V>(ex: &mut Ex<'_>, sql: &str, values: &[V]) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
    V: for<'q> sqlx::Encode<'q, Sqlite>
        + sqlx::Type<Sqlite>
        + for<'q> sqlx::Encode<'q, Postgres>
        + sqlx::Type<Postgres>
        + Clone
        + Send
        + Sync
        + 'static,
{
    let mut out = Vec::new();
    for chunk in values.chunks(500) {
        let text = sql.replace("{in}", &list_sql(ex.backend(), chunk.len()));
        macro_rules! run {
            ($c:expr) => {{
                let mut q = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(text.as_str()));
                for v in chunk {
                    q = q.bind(v.clone());
                }
                out.extend(q.fetch_all(&mut **$c).await?);
            }};
        }
        match &mut *ex {
            Ex::Sqlite(c) => run!(c),
            Ex::Postgres(c) => run!(c),
        }
    }
    Ok(out)
}

/// Runs a built query whose binds are all text (the list filters' way), returning every row.
/// A row type read the same way from either database.
pub trait AnyRow:
    for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin
{
}

impl<T> AnyRow for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin
{
}

pub async fn fetch_all_binds<T: AnyRow>(ex: &mut Ex<'_>, sql: &str, binds: &[String]) -> Result<Vec<T>, sqlx::Error> {
    macro_rules! run {
        ($c:expr) => {{
            let mut q = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql));
            for b in binds {
                q = q.bind(b);
            }
            q.fetch_all(&mut **$c).await
        }};
    }
    match ex {
        Ex::Sqlite(c) => run!(c),
        Ex::Postgres(c) => run!(c),
    }
}

/// Whether a database error is a unique-constraint violation (a duplicate key).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d.is_unique_violation(),
        _ => false,
    }
}

#[cfg(test)]
mod tests;

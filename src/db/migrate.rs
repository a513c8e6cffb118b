//! Forward-only migrations, one folder per backend, embedded in the binary.
//!
//! The list comes from the files: `build.rs` turns `migrations/<backend>/NNNN_name.sql` into
//! [`SQLITE`] and [`POSTGRES`]; both folders hold the same numbered names (a test checks). Each applied
//! migration is a row of `schema_migrations` with the SHA-256 of the file as applied (`checksum`,
//! migration 0035; rows applied before it get the shipped file's checksum on the first start that has
//! the column). Before applying anything, `migrate` refuses to go on when an applied file's checksum
//! differs from the file now shipped, when a version was applied under another name, or when the
//! database has applied a migration this binary does not know (it is newer than the binary).

use sha2::{Digest, Sha256};

use super::{Backend, Db, Ex};
use crate::{q_as, q_exec};

/// One migration file: `migrations/<backend>/{version:04}_{name}.sql`.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    /// `0033_list_reading`, as the file is named.
    pub fn label(&self) -> String {
        label(self.version, self.name)
    }

    /// The SHA-256 of the file, in lowercase hex.
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

fn label(version: i64, name: &str) -> String {
    format!("{version:04}_{name}")
}

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The migrations of a backend, in order. Append only; never edit a released one.
pub fn migrations(backend: Backend) -> &'static [Migration] {
    match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    }
}

/// The migration that adds `schema_migrations.checksum`: until it is applied the column is not there.
const CHECKSUM_MIGRATION: &str = "migration_checksums";

/// Why the schema cannot be brought up to date. Nothing has been applied when one of these is returned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MigrationError {
    #[error(
        "迁移 {label} 在应用之后被修改过：数据库记录的校验和为 {recorded}，本程序所带文件的校验和为 {shipped}。\
         已应用的迁移不可修改：请恢复原文件，改动写成新的迁移"
    )]
    Changed { label: String, recorded: String, shipped: String },
    #[error("数据库中第 {version} 号迁移名为 {recorded}，本程序中为 {shipped}：两者不是同一个迁移")]
    Renamed { version: i64, recorded: String, shipped: String },
    #[error("数据库已应用迁移 {label}，本程序不认识它（数据库比程序新）：请使用更新版本的程序")]
    Unknown { label: String },
}

/// A row of `schema_migrations` (`checksum` is `None` before migration 0035 or until filled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub version: i64,
    pub name: String,
    pub checksum: Option<String>,
}

/// Compares what the database has applied with what the binary ships; the first difference found,
/// in version order, is the error.
pub fn check_applied(known: &[Migration], applied: &[Applied]) -> Result<(), MigrationError> {
    let mut applied: Vec<&Applied> = applied.iter().collect();
    applied.sort_by_key(|a| a.version);
    for a in applied {
        let Some(m) = known.iter().find(|m| m.version == a.version) else {
            return Err(MigrationError::Unknown { label: label(a.version, &a.name) });
        };
        if m.name != a.name {
            return Err(MigrationError::Renamed {
                version: a.version,
                recorded: label(a.version, &a.name),
                shipped: m.label(),
            });
        }
        if let Some(recorded) = &a.checksum {
            let shipped = m.checksum();
            if *recorded != shipped {
                return Err(MigrationError::Changed { label: m.label(), recorded: recorded.clone(), shipped });
            }
        }
    }
    Ok(())
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

/// The rows of `schema_migrations`, with their checksums once the column exists.
pub async fn applied(ex: &mut Ex<'_>) -> Result<Vec<Applied>, sqlx::Error> {
    let rows: Vec<(i64, String)> =
        q_as!(&mut *ex, fetch_all, (i64, String), "SELECT version, name FROM schema_migrations ORDER BY version")?;
    let sums: Vec<(i64, Option<String>)> = if rows.iter().any(|(_, n)| n == CHECKSUM_MIGRATION) {
        q_as!(&mut *ex, fetch_all, (i64, Option<String>), "SELECT version, checksum FROM schema_migrations")?
    } else {
        Vec::new()
    };
    Ok(rows
        .into_iter()
        .map(|(version, name)| {
            let checksum = sums.iter().find(|(v, _)| *v == version).and_then(|(_, c)| c.clone());
            Applied { version, name, checksum }
        })
        .collect())
}

/// Applies `m` and records it (with its checksum when the column exists).
async fn apply(ex: &mut Ex<'_>, m: &Migration, now: &str, with_checksum: bool) -> Result<(), sqlx::Error> {
    tracing::info!(version = m.version, name = m.name, "applying migration");
    match &mut *ex {
        Ex::Sqlite(c) => drop(sqlx::raw_sql(sqlx::AssertSqlSafe(m.sql)).execute(&mut **c).await?),
        Ex::Postgres(c) => drop(sqlx::raw_sql(sqlx::AssertSqlSafe(m.sql)).execute(&mut **c).await?),
    }
    if with_checksum {
        q_exec!(
            &mut *ex,
            "INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)",
            m.version,
            m.name,
            now,
            m.checksum()
        )?;
    } else {
        q_exec!(
            &mut *ex,
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            m.version,
            m.name,
            now
        )?;
    }
    Ok(())
}

/// Records the shipped file's checksum for every applied migration that has none yet (those applied
/// before the column existed). Trust on first use: the files were checked by nothing before.
async fn fill_checksums(ex: &mut Ex<'_>, known: &[Migration]) -> Result<(), sqlx::Error> {
    for a in applied(&mut *ex).await? {
        if a.checksum.is_some() {
            continue;
        }
        if let Some(m) = known.iter().find(|m| m.version == a.version) {
            q_exec!(
                &mut *ex,
                "UPDATE schema_migrations SET checksum = $1 WHERE version = $2 AND checksum IS NULL",
                m.checksum(),
                m.version
            )?;
        }
    }
    Ok(())
}

/// Brings the schema up to date, or refuses with a [`MigrationError`] (inside the `anyhow::Error`)
/// before applying anything when the database and the binary disagree on what was applied.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    let known = migrations(db.backend());
    let now = time::OffsetDateTime::now_utc().to_string();
    match db {
        Db::Sqlite(pool) => {
            sqlx::raw_sql(CREATE_TABLE).execute(pool).await?;
            {
                let mut c = pool.acquire().await?;
                check_applied(known, &applied(&mut Ex::Sqlite(&mut *c)).await?)?;
            }
            // One transaction per migration, taking the write lock first: a second process starting
            // at the same time finds the migration done once it gets the lock.
            for m in known {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let mut ex = Ex::Sqlite(&mut *tx);
                let done = applied(&mut ex).await?;
                if !done.iter().any(|a| a.version == m.version) {
                    let with_checksum =
                        m.name == CHECKSUM_MIGRATION || done.iter().any(|a| a.name == CHECKSUM_MIGRATION);
                    apply(&mut ex, m, &now, with_checksum).await?;
                }
                tx.commit().await?;
            }
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            fill_checksums(&mut Ex::Sqlite(&mut *tx), known).await?;
            tx.commit().await?;
        }
        Db::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            // Two instances starting together must not both apply the same migration.
            sqlx::query("SELECT pg_advisory_xact_lock(7426001)").execute(&mut *tx).await?;
            sqlx::raw_sql(CREATE_TABLE).execute(&mut *tx).await?;
            let mut ex = Ex::Postgres(&mut *tx);
            let done = applied(&mut ex).await?;
            check_applied(known, &done)?;
            let mut with_checksum = done.iter().any(|a| a.name == CHECKSUM_MIGRATION);
            for m in known {
                if !done.iter().any(|a| a.version == m.version) {
                    with_checksum |= m.name == CHECKSUM_MIGRATION;
                    apply(&mut ex, m, &now, with_checksum).await?;
                }
            }
            fill_checksums(&mut ex, known).await?;
            tx.commit().await?;
        }
    }
    Ok(())
}

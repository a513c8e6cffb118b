//! Forward-only migrations, one folder per backend, embedded in the binary.
//! Each migration runs in its own transaction together with its row in `schema_migrations`.

use super::Db;

/// (version, name, SQLite script, PostgreSQL script). Append only; never edit a released one.
pub const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../../migrations/sqlite/0001_foundation.sql"),
        include_str!("../../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        "enterprises",
        include_str!("../../migrations/sqlite/0002_enterprises.sql"),
        include_str!("../../migrations/postgres/0002_enterprises.sql"),
    ),
    (
        3,
        "projects",
        include_str!("../../migrations/sqlite/0003_projects.sql"),
        include_str!("../../migrations/postgres/0003_projects.sql"),
    ),
    (
        4,
        "reports",
        include_str!("../../migrations/sqlite/0004_reports.sql"),
        include_str!("../../migrations/postgres/0004_reports.sql"),
    ),
    (
        5,
        "batches",
        include_str!("../../migrations/sqlite/0005_batches.sql"),
        include_str!("../../migrations/postgres/0005_batches.sql"),
    ),
    (
        6,
        "imports",
        include_str!("../../migrations/sqlite/0006_imports.sql"),
        include_str!("../../migrations/postgres/0006_imports.sql"),
    ),
    (
        7,
        "idempotency",
        include_str!("../../migrations/sqlite/0007_idempotency.sql"),
        include_str!("../../migrations/postgres/0007_idempotency.sql"),
    ),
    (
        8,
        "list_indexes",
        include_str!("../../migrations/sqlite/0008_list_indexes.sql"),
        include_str!("../../migrations/postgres/0008_list_indexes.sql"),
    ),
    (
        9,
        "import_progress",
        include_str!("../../migrations/sqlite/0009_import_progress.sql"),
        include_str!("../../migrations/postgres/0009_import_progress.sql"),
    ),
    (
        10,
        "evaluation",
        include_str!("../../migrations/sqlite/0010_evaluation.sql"),
        include_str!("../../migrations/postgres/0010_evaluation.sql"),
    ),
    (
        20,
        "service",
        include_str!("../../migrations/sqlite/0020_service.sql"),
        include_str!("../../migrations/postgres/0020_service.sql"),
    ),
    (
        21,
        "calendar_2025_2026",
        include_str!("../../migrations/sqlite/0021_calendar_2025_2026.sql"),
        include_str!("../../migrations/postgres/0021_calendar_2025_2026.sql"),
    ),
    (
        22,
        "report_sums",
        include_str!("../../migrations/sqlite/0022_report_sums.sql"),
        include_str!("../../migrations/postgres/0022_report_sums.sql"),
    ),
    (
        23,
        "projects_signed_index",
        include_str!("../../migrations/sqlite/0023_projects_signed_index.sql"),
        include_str!("../../migrations/postgres/0023_projects_signed_index.sql"),
    ),
    (
        24,
        "cockpit_sums",
        include_str!("../../migrations/sqlite/0024_cockpit_sums.sql"),
        include_str!("../../migrations/postgres/0024_cockpit_sums.sql"),
    ),
    (
        25,
        "projects_version",
        include_str!("../../migrations/sqlite/0025_projects_version.sql"),
        include_str!("../../migrations/postgres/0025_projects_version.sql"),
    ),
    (
        26,
        "account_security",
        include_str!("../../migrations/sqlite/0026_account_security.sql"),
        include_str!("../../migrations/postgres/0026_account_security.sql"),
    ),
    (
        27,
        "data_versions",
        include_str!("../../migrations/sqlite/0027_data_versions.sql"),
        include_str!("../../migrations/postgres/0027_data_versions.sql"),
    ),
    (
        28,
        "sums_changed",
        include_str!("../../migrations/sqlite/0028_sums_changed.sql"),
        include_str!("../../migrations/postgres/0028_sums_changed.sql"),
    ),
    (
        29,
        "list_sort_indexes",
        include_str!("../../migrations/sqlite/0029_list_sort_indexes.sql"),
        include_str!("../../migrations/postgres/0029_list_sort_indexes.sql"),
    ),
    (
        30,
        "project_region_changes",
        include_str!("../../migrations/sqlite/0030_project_region_changes.sql"),
        include_str!("../../migrations/postgres/0030_project_region_changes.sql"),
    ),
    (
        31,
        "signing_months",
        include_str!("../../migrations/sqlite/0031_signing_months.sql"),
        include_str!("../../migrations/postgres/0031_signing_months.sql"),
    ),
    (
        32,
        "sums_covering",
        include_str!("../../migrations/sqlite/0032_sums_covering.sql"),
        include_str!("../../migrations/postgres/0032_sums_covering.sql"),
    ),
    (
        33,
        "list_reading",
        include_str!("../../migrations/sqlite/0033_list_reading.sql"),
        include_str!("../../migrations/postgres/0033_list_reading.sql"),
    ),
    (
        34,
        "health_codes",
        include_str!("../../migrations/sqlite/0034_health_codes.sql"),
        include_str!("../../migrations/postgres/0034_health_codes.sql"),
    ),
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    let now = time::OffsetDateTime::now_utc().to_string();
    match db {
        Db::Sqlite(pool) => {
            sqlx::raw_sql(CREATE_TABLE).execute(pool).await?;
            for (version, name, sql, _) in MIGRATIONS {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let done: Option<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await?;
                if done.is_none() {
                    tracing::info!(version, name, "applying migration");
                    sqlx::raw_sql(sqlx::AssertSqlSafe(*sql)).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO schema_migrations VALUES ($1, $2, $3)")
                        .bind(version)
                        .bind(name)
                        .bind(&now)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            }
        }
        Db::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            // Two instances starting together must not both apply the same migration.
            sqlx::query("SELECT pg_advisory_xact_lock(7426001)").execute(&mut *tx).await?;
            sqlx::raw_sql(CREATE_TABLE).execute(&mut *tx).await?;
            for (version, name, _, sql) in MIGRATIONS {
                let done: Option<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await?;
                if done.is_none() {
                    tracing::info!(version, name, "applying migration");
                    sqlx::raw_sql(sqlx::AssertSqlSafe(*sql)).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO schema_migrations VALUES ($1, $2, $3)")
                        .bind(version)
                        .bind(name)
                        .bind(&now)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
        }
    }
    Ok(())
}

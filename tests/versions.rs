//! The versions cached results are kept under follow the data by construction (issue 13): every
//! table of business data has a trigger that moves its area's version in the writing transaction,
//! and each write moves its own area only. SQLite and PostgreSQL.

mod common;

use common::backends;
use zhaoshang::cache::{Area, versions};
use zhaoshang::db::{Backend, Db};
use zhaoshang::{q_as, q_exec};

/// Tables no kept result reads, so no version follows them: sessions and the sign-in's bookkeeping,
/// the audit log, idempotency keys, import jobs, notifications, counters, the sums that triggers keep
/// from projects in the same statement (their sources' versions move with them), and the register of
/// regions whose projects changed (written by the projects' own triggers). The sums kept from reports
/// stamp their rows with the reports' version (migration 0028), so they move it themselves.
const OUTSIDE: &[&str] = &[
    "audit_head",
    "audit_log",
    "data_versions",
    "idempotency_keys",
    "import_jobs",
    "notifications",
    "project_region_changes",
    "project_sums",
    "schema_migrations",
    "service_counters",
    "sessions",
    "signing_months",
];

async fn names(db: &Db, sql: &str) -> Vec<String> {
    let mut c = db.conn().await.unwrap();
    let mut v: Vec<String> =
        q_as!(&mut c.ex(), fetch_all, (String,), sqlx::AssertSqlSafe(sql)).unwrap().into_iter().map(|r| r.0).collect();
    v.sort();
    v.dedup();
    v
}

#[tokio::test]
async fn every_table_of_business_data_has_a_version_trigger_and_every_other_table_is_named_as_outside() {
    for t in backends().await {
        let (tables, triggered) = match t.db.backend() {
            Backend::Sqlite => (
                names(&t.db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").await,
                names(
                    &t.db,
                    "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%data_versions%'",
                )
                .await,
            ),
            Backend::Postgres => (
                names(
                    &t.db,
                    "SELECT table_name::text FROM information_schema.tables
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
                )
                .await,
                names(
                    &t.db,
                    "SELECT event_object_table::text FROM information_schema.triggers
                     WHERE trigger_schema = current_schema()
                       AND (action_statement LIKE '%bump_data_version%' OR action_statement LIKE '%sums_stamp%')",
                )
                .await,
            ),
        };
        let missing: Vec<&String> =
            tables.iter().filter(|n| !OUTSIDE.contains(&n.as_str()) && !triggered.contains(n)).collect();
        assert!(missing.is_empty(), "{}: tables whose writes move no version: {missing:?}", t.label);
        let needless: Vec<&String> = triggered.iter().filter(|n| OUTSIDE.contains(&n.as_str())).collect();
        assert!(needless.is_empty(), "{}: {needless:?}", t.label);
    }
}

#[tokio::test]
async fn a_write_moves_the_version_of_its_own_area_and_no_other() {
    for t in backends().await {
        let t = t.with_demo().await;
        let enterprise = common::enterprise(&t.db, "版本测试企业", "4301").await;
        let project = common::project(&t.db, "版本测试项目", "4301").await;
        common::report(&t.db, project, "2026-10", 10, 0, 0, 0).await;
        common::visit(&t.db, enterprise, "4301").await;
        for (area, sql) in [
            (Area::Projects, "UPDATE projects SET name = name WHERE id IN (SELECT id FROM projects LIMIT 1)"),
            (
                Area::Reports,
                "UPDATE monthly_reports SET progress = progress WHERE id IN (SELECT id FROM monthly_reports LIMIT 1)",
            ),
            (Area::Enterprises, "UPDATE enterprises SET name = name WHERE id IN (SELECT id FROM enterprises LIMIT 1)"),
            (Area::Reference, "UPDATE industries SET name = name WHERE code = 'C'"),
            (Area::Service, "UPDATE departments SET name = name WHERE id IN (SELECT id FROM departments LIMIT 1)"),
            (Area::Visits, "UPDATE visits SET topics = topics WHERE id IN (SELECT id FROM visits LIMIT 1)"),
            (Area::Accounts, "UPDATE users SET display_name = display_name WHERE username = 'cs.leader'"),
        ] {
            let before = versions(&t.db).await.unwrap();
            let mut c = t.db.conn().await.unwrap();
            assert_eq!(q_exec!(&mut c.ex(), sqlx::AssertSqlSafe(sql)).unwrap(), 1, "{}: {sql}", t.label);
            drop(c);
            let after = versions(&t.db).await.unwrap();
            for a in Area::ALL {
                assert_eq!(after.of(a) != before.of(a), a == area, "{}: {sql} and {a:?}", t.label);
            }
        }
        // A failed sign-in counts the failure on the user's row, which no kept result reads.
        let before = versions(&t.db).await.unwrap();
        let mut c = t.db.conn().await.unwrap();
        q_exec!(&mut c.ex(), "UPDATE users SET failed_logins = failed_logins + 1 WHERE username = 'cs.leader'")
            .unwrap();
        drop(c);
        assert_eq!(versions(&t.db).await.unwrap(), before, "{}", t.label);
    }
}

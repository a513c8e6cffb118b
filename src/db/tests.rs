//! Storage tests of the db module: migrations (found by file name, applied once, checksummed, refused
//! when changed or unknown) and the helpers the stores use, on SQLite and — when `ZHAOSHANG_TEST_PG`
//! holds a URL — on PostgreSQL, each test in its own schema as `tests/common` does it. Without the
//! URL the PostgreSQL half is skipped with a message; `ZHAOSHANG_REQUIRE_PG=1` makes that a failure.

use super::*;

/// A database for one test: a SQLite file in a temporary folder, or a PostgreSQL schema of its own
/// (dropped afterwards; a run that died leaves it for the hour-old sweep of `tests/common`).
struct Fresh {
    db: Db,
    url: String,
    label: &'static str,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

impl Drop for Fresh {
    fn drop(&mut self) {
        if let Some((admin_url, schema)) = self.pg_schema.take() {
            // Drop cannot await; a thread of its own waits for the pool's connections to go.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async move {
                    if let Ok(pool) = sqlx::PgPool::connect(&admin_url).await {
                        let sql = format!("SET lock_timeout = '20s'; DROP SCHEMA IF EXISTS {schema} CASCADE");
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&pool).await;
                    }
                })
            });
        }
    }
}

/// A new, empty database (not migrated) on SQLite.
async fn sqlite() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let db = Db::connect(&url).await.unwrap();
    Fresh { db, url, label: "sqlite", _dir: Some(dir), pg_schema: None }
}

fn pg_url() -> Option<String> {
    match std::env::var("ZHAOSHANG_TEST_PG").ok().filter(|s| !s.is_empty()) {
        Some(u) => Some(u),
        None if std::env::var("ZHAOSHANG_REQUIRE_PG").is_ok_and(|v| v == "1") => {
            panic!("ZHAOSHANG_REQUIRE_PG=1 but ZHAOSHANG_TEST_PG is not set")
        }
        None => {
            let test = std::thread::current().name().unwrap_or("?").to_string();
            eprintln!(
                "skipping PostgreSQL in {test}: ZHAOSHANG_TEST_PG is not set \
                 (e.g. postgres://postgres@127.0.0.1:5432/test; ZHAOSHANG_REQUIRE_PG=1 makes this a failure)"
            );
            None
        }
    }
}

/// A new, empty schema (not migrated) on PostgreSQL, when configured.
async fn postgres() -> Option<Fresh> {
    let admin_url = pg_url()?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    // `zt_<seconds>_…` as tests/common names its schemas, so that its sweep removes leftovers.
    let schema = format!("zt_{now}_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let pool = sqlx::PgPool::connect(&admin_url).await.expect("PostgreSQL reachable at ZHAOSHANG_TEST_PG");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&pool).await.unwrap();
    pool.close().await;
    let sep = if admin_url.contains('?') { '&' } else { '?' };
    let url = format!("{admin_url}{sep}options=-csearch_path%3D{schema}");
    let db = Db::connect(&url).await.unwrap();
    Some(Fresh { db, url, label: "postgres", _dir: None, pg_schema: Some((admin_url, schema)) })
}

/// SQLite, and PostgreSQL when configured; not migrated.
async fn backends() -> Vec<Fresh> {
    let mut v = vec![sqlite().await];
    v.extend(postgres().await);
    v
}

/// SQLite, and PostgreSQL when configured; migrated.
async fn migrated() -> Vec<Fresh> {
    let all = backends().await;
    for t in &all {
        migrate(&t.db).await.unwrap();
    }
    all
}

async fn rows(db: &Db) -> Vec<Applied> {
    let mut c = db.conn().await.unwrap();
    applied(&mut c.ex()).await.unwrap()
}

async fn exec(db: &Db, sql: &'static str) {
    let mut c = db.conn().await.unwrap();
    q_exec!(&mut c.ex(), sql).unwrap();
}

fn refusal(e: anyhow::Error) -> MigrationError {
    e.downcast::<MigrationError>().unwrap_or_else(|e| panic!("not a refusal: {e:#}"))
}

fn mig(version: i64, name: &'static str, sql: &'static str) -> Migration {
    Migration { version, name, sql }
}

// ---- the list of migrations ----

#[test]
fn both_folders_hold_the_same_numbered_names() {
    let names = |b| migrations(b).iter().map(Migration::label).collect::<Vec<_>>();
    let (lite, pg) = (names(Backend::Sqlite), names(Backend::Postgres));
    let only_lite: Vec<_> = lite.iter().filter(|n| !pg.contains(n)).collect();
    let only_pg: Vec<_> = pg.iter().filter(|n| !lite.contains(n)).collect();
    assert!(
        only_lite.is_empty() && only_pg.is_empty(),
        "migrations/sqlite only: {only_lite:?}; migrations/postgres only: {only_pg:?}"
    );
    assert!(!lite.is_empty());
}

#[test]
fn the_list_is_every_file_of_the_folders_in_version_order() {
    for (backend, folder) in [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres")] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(folder);
        let mut files: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        files.sort();
        let listed: Vec<String> = migrations(backend).iter().map(|m| format!("{}.sql", m.label())).collect();
        assert_eq!(listed, files, "{folder}");
        for (m, f) in migrations(backend).iter().zip(&files) {
            assert_eq!(m.sql, std::fs::read_to_string(dir.join(f)).unwrap(), "{folder}/{f}");
        }
        assert!(migrations(backend).windows(2).all(|w| w[0].version < w[1].version), "{folder}");
    }
}

#[test]
fn a_checksum_is_the_sha256_of_the_file_in_hex() {
    // SHA-256 of "abc", FIPS 180-2 appendix B.1.
    assert_eq!(mig(1, "x", "abc").checksum(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_eq!(mig(7, "idempotency", "").label(), "0007_idempotency");
}

#[test]
fn check_applied_accepts_what_matches_and_names_what_does_not() {
    let known = [mig(1, "one", "CREATE TABLE a (x INT);"), mig(2, "two", "CREATE TABLE b (x INT);")];
    let row = |version, name: &str, checksum: Option<String>| Applied { version, name: name.into(), checksum };
    // Nothing applied, part applied, all applied; an unchecked row (before the column) passes.
    assert_eq!(check_applied(&known, &[]), Ok(()));
    assert_eq!(check_applied(&known, &[row(1, "one", Some(known[0].checksum()))]), Ok(()));
    assert_eq!(check_applied(&known, &[row(2, "two", None), row(1, "one", Some(known[0].checksum()))]), Ok(()));

    assert_eq!(
        check_applied(&known, &[row(1, "one", Some("00".repeat(32)))]),
        Err(MigrationError::Changed {
            label: "0001_one".into(),
            recorded: "00".repeat(32),
            shipped: known[0].checksum()
        })
    );
    assert_eq!(
        check_applied(&known, &[row(1, "one", None), row(3, "three", Some("ab".into()))]),
        Err(MigrationError::Unknown { label: "0003_three".into() })
    );
    assert_eq!(
        check_applied(&known, &[row(2, "deux", None)]),
        Err(MigrationError::Renamed { version: 2, recorded: "0002_deux".into(), shipped: "0002_two".into() })
    );
    let msg =
        MigrationError::Changed { label: "0001_one".into(), recorded: "aaa".into(), shipped: "bbb".into() }.to_string();
    assert!(msg.contains("0001_one") && msg.contains("aaa") && msg.contains("bbb"), "{msg}");
}

// ---- migrating a database ----

#[tokio::test]
async fn migrations_apply_on_a_fresh_database_with_their_checksums_and_twice_change_nothing() {
    for t in backends().await {
        migrate(&t.db).await.unwrap();
        let first = rows(&t.db).await;
        let known = migrations(t.db.backend());
        assert_eq!(first.len(), known.len(), "{}", t.label);
        for (a, m) in first.iter().zip(known) {
            assert_eq!((a.version, a.name.as_str()), (m.version, m.name), "{}", t.label);
            assert_eq!(a.checksum.as_deref(), Some(m.checksum().as_str()), "{}: {}", t.label, m.label());
        }
        let mut c = t.db.conn().await.unwrap();
        let stamps: Vec<String> =
            q_scalar!(&mut c.ex(), fetch_all, String, "SELECT applied_at FROM schema_migrations ORDER BY version")
                .unwrap();
        drop(c);

        migrate(&t.db).await.unwrap();
        Db::open(&t.url).await.unwrap().close().await;
        assert_eq!(rows(&t.db).await, first, "{}", t.label);
        let mut c = t.db.conn().await.unwrap();
        let again: Vec<String> =
            q_scalar!(&mut c.ex(), fetch_all, String, "SELECT applied_at FROM schema_migrations ORDER BY version")
                .unwrap();
        assert_eq!(again, stamps, "{}: nothing applied again", t.label);
    }
}

#[tokio::test]
async fn a_database_from_before_the_checksums_gets_those_of_its_applied_files() {
    for t in migrated().await {
        // As a database migrated by the previous release: no checksum column, its migration not applied.
        exec(&t.db, "ALTER TABLE schema_migrations DROP COLUMN checksum").await;
        exec(&t.db, "DELETE FROM schema_migrations WHERE name = 'migration_checksums'").await;
        assert!(rows(&t.db).await.iter().all(|a| a.checksum.is_none()), "{}", t.label);

        migrate(&t.db).await.unwrap();
        let after = rows(&t.db).await;
        let known = migrations(t.db.backend());
        assert_eq!(after.len(), known.len(), "{}", t.label);
        for (a, m) in after.iter().zip(known) {
            assert_eq!(a.checksum.as_deref(), Some(m.checksum().as_str()), "{}: {}", t.label, m.label());
        }
    }
}

#[tokio::test]
async fn a_changed_migration_file_is_refused_naming_it_and_both_checksums() {
    for t in migrated().await {
        let m = migrations(t.db.backend()).iter().find(|m| m.name == "list_reading").unwrap();
        let recorded = "0".repeat(64);
        let mut c = t.db.conn().await.unwrap();
        q_exec!(&mut c.ex(), "UPDATE schema_migrations SET checksum = $1 WHERE version = $2", &recorded, m.version)
            .unwrap();
        drop(c);

        let e = migrate(&t.db).await.unwrap_err();
        let msg = e.to_string();
        assert_eq!(
            refusal(e),
            MigrationError::Changed {
                label: "0033_list_reading".into(),
                recorded: recorded.clone(),
                shipped: m.checksum()
            },
            "{}",
            t.label
        );
        assert!(msg.contains("0033_list_reading") && msg.contains(&recorded) && msg.contains(&m.checksum()), "{msg}");
        // Starting the server takes the same path.
        let e = Db::open(&t.url).await.unwrap_err();
        assert!(matches!(refusal(e), MigrationError::Changed { .. }), "{}", t.label);
    }
}

#[tokio::test]
async fn a_database_newer_than_the_binary_is_refused_before_anything_is_applied() {
    for t in migrated().await {
        // The previous release's database (the last migration not yet applied) that a newer binary
        // also touched: this binary must neither apply its last migration nor start.
        exec(&t.db, "DELETE FROM schema_migrations WHERE name = 'migration_checksums'").await;
        exec(&t.db, "ALTER TABLE schema_migrations DROP COLUMN checksum").await;
        exec(
            &t.db,
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from_the_future', '2030-01-01')",
        )
        .await;
        let e = migrate(&t.db).await.unwrap_err();
        assert_eq!(refusal(e), MigrationError::Unknown { label: "9999_from_the_future".into() }, "{}", t.label);
        let after = rows(&t.db).await;
        assert!(after.iter().all(|a| a.name != "migration_checksums"), "{}: applied nothing", t.label);
        assert!(Db::open(&t.url).await.is_err(), "{}", t.label);
    }
}

#[tokio::test]
async fn a_version_applied_under_another_name_is_refused() {
    for t in migrated().await {
        exec(&t.db, "UPDATE schema_migrations SET name = 'renamed' WHERE version = 1").await;
        let e = migrate(&t.db).await.unwrap_err();
        assert_eq!(
            refusal(e),
            MigrationError::Renamed { version: 1, recorded: "0001_renamed".into(), shipped: "0001_foundation".into() },
            "{}",
            t.label
        );
    }
}

// ---- the helpers the stores use ----

#[test]
fn offset_turns_a_page_number_into_the_rows_before_it() {
    assert_eq!(offset(None, 20), 0);
    assert_eq!(offset(Some(1), 20), 0);
    assert_eq!(offset(Some(3), 20), 40);
    assert_eq!(offset(Some(0), 20), 0);
    assert_eq!(offset(Some(-7), 20), 0);
    // A crafted page number reads as the millionth page instead of overflowing.
    assert_eq!(offset(Some(i64::MAX), 50), 999_999 * 50);
}

#[test]
fn placeholders_are_anonymous_on_sqlite_and_numbered_on_postgresql() {
    assert_eq!(values_sql(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
    assert_eq!(values_sql(Backend::Postgres, 2, 2), "($1, $2), ($3, $4)");
    assert_eq!(values_sql(Backend::Postgres, 3, 1), "($1, $2, $3)");
    assert_eq!(list_sql(Backend::Sqlite, 3), "?, ?, ?");
    assert_eq!(list_sql(Backend::Postgres, 3), "$1, $2, $3");
    assert_eq!(rows_per_statement(2), 500);
    assert_eq!(rows_per_statement(100), 300);
    assert_eq!(rows_per_statement(0), 500);
    assert_eq!(rows_per_statement(100_000), 1);
}

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct Item {
    id: i64,
    name: String,
}

/// A scratch table of 1,234 rows `(i, "item i")`, written by `q_insert_many!` (three statements).
async fn items(ex: &mut Ex<'_>) {
    q_exec!(&mut *ex, "CREATE TABLE scratch_items (id BIGINT PRIMARY KEY, name TEXT NOT NULL)").unwrap();
    let rows: Vec<(i64, String)> = (1..=1234).map(|i| (i, format!("item {i}"))).collect();
    let n =
        q_insert_many!(&mut *ex, "INSERT INTO scratch_items (id, name)", 2, rows, |q, r| q.bind(r.0).bind(r.1.clone()))
            .unwrap();
    assert_eq!(n, 1234);
}

#[tokio::test]
async fn rows_are_written_many_at_a_time_and_read_by_key_lists_text_binds_and_pages() {
    for t in migrated().await {
        let mut tx = t.db.begin().await.unwrap();
        let ex = &mut tx.ex();
        items(ex).await;

        // fetch_in: more keys than one statement takes (500), some absent.
        let keys: Vec<i64> = (1..=1300).step_by(2).collect();
        let mut got: Vec<Item> =
            fetch_in(ex, "SELECT id, name FROM scratch_items WHERE id IN ({in}) ORDER BY id", &keys).await.unwrap();
        got.sort_by_key(|i| i.id);
        assert_eq!(got.len(), 617, "{}", t.label); // the odd numbers to 1,233
        assert_eq!(got[0], Item { id: 1, name: "item 1".into() }, "{}", t.label);
        assert!(
            fetch_in::<Item, i64>(ex, "SELECT id, name FROM scratch_items WHERE id IN ({in})", &[])
                .await
                .unwrap()
                .is_empty()
        );

        // fetch_all_binds: text binds, compared as text on both databases.
        let like: Vec<Item> = fetch_all_binds(
            ex,
            "SELECT id, name FROM scratch_items WHERE name LIKE $1 AND name <> $2 ORDER BY id",
            &["item 12_".to_string(), "item 125".to_string()],
        )
        .await
        .unwrap();
        let ids: Vec<i64> = like.iter().map(|i| i.id).collect();
        assert_eq!(ids, [120, 121, 122, 123, 124, 126, 127, 128, 129], "{}", t.label);

        // fetch_page: a page with its count under the same binds, at the offset of page 3.
        let sql = format!(
            "SELECT id, name FROM scratch_items WHERE name LIKE $1 ORDER BY id LIMIT 10 OFFSET {}",
            offset(Some(3), 10)
        );
        let (page, total): (Vec<Item>, i64) =
            fetch_page(ex, &sql, "SELECT count(*) FROM scratch_items WHERE name LIKE $1", &["item 1%".to_string()])
                .await
                .unwrap();
        // "item 1%": 1, 10–19, 100–199, 1000–1234 = 1 + 10 + 100 + 235.
        assert_eq!(total, 346, "{}", t.label);
        // In order: 1, 10–19, 100, 101, …; the 21st is 109.
        assert_eq!(page.first().map(|i| i.id), Some(109), "{}", t.label);
        assert_eq!(page.len(), 10);

        // A duplicate key is a unique violation; other errors are not.
        let dup =
            q_exec!(&mut *ex, "INSERT INTO scratch_items (id, name) VALUES ($1, $2)", 5_i64, "again").unwrap_err();
        assert!(is_unique_violation(&dup), "{}: {dup}", t.label);
        drop(tx);
        let mut c = t.db.conn().await.unwrap();
        let other = q_exec!(&mut c.ex(), "SELECT * FROM no_such_table").unwrap_err();
        assert!(!is_unique_violation(&other), "{}", t.label);
    }
}

#[tokio::test]
async fn a_transaction_not_committed_leaves_nothing_and_a_committed_one_stays() {
    for t in migrated().await {
        exec(&t.db, "CREATE TABLE scratch_tx (id BIGINT PRIMARY KEY)").await;
        let mut tx = t.db.begin().await.unwrap();
        q_exec!(&mut tx.ex(), "INSERT INTO scratch_tx (id) VALUES ($1)", 1_i64).unwrap();
        drop(tx);
        let mut tx = t.db.begin().await.unwrap();
        q_exec!(&mut tx.ex(), "INSERT INTO scratch_tx (id) VALUES ($1)", 2_i64).unwrap();
        tx.commit().await.unwrap();
        let mut c = t.db.conn().await.unwrap();
        let ids: Vec<i64> = q_scalar!(&mut c.ex(), fetch_all, i64, "SELECT id FROM scratch_tx").unwrap();
        assert_eq!(ids, [2], "{}", t.label);
        // The memory map is SQLite's alone; asking for it on PostgreSQL does nothing.
        map_file(&mut c.ex(), true).await.unwrap();
        map_file(&mut c.ex(), false).await.unwrap();
        assert_eq!(c.ex().backend(), t.db.backend());
    }
}

#[tokio::test]
async fn an_address_of_neither_database_is_refused() {
    let e = Db::connect("mysql://localhost/x").await.unwrap_err();
    assert!(e.to_string().contains("mysql://localhost/x"), "{e}");
}

//! Storage tests: each runs on SQLite and, when configured, on PostgreSQL.

mod common;

use common::{backends, postgres, sqlite};
use zhaoshang::accounts::model::Role;
use zhaoshang::accounts::service::{self, LoginError, UserAction};
use zhaoshang::audit::{self, Actor, Change};
use zhaoshang::db::Db;
use zhaoshang::error::AppError;
use zhaoshang::{q_exec, q_scalar};

async fn count(db: &Db, sql: &'static str) -> i64 {
    let mut c = db.conn().await.unwrap();
    q_scalar!(&mut c.ex(), fetch_one, i64, sql).unwrap()
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    for t in backends().await {
        zhaoshang::db::migrate(&t.db).await.unwrap();
        assert_eq!(
            count(&t.db, "SELECT count(*) FROM schema_migrations").await,
            zhaoshang::db::migrations(t.db.backend()).len() as i64,
            "{}",
            t.label
        );
    }
}

#[tokio::test]
async fn the_sqlite_and_postgresql_schemas_have_the_same_tables_and_columns() {
    let Some(pg) = postgres().await else { return };
    let lite = sqlite().await;
    let Db::Sqlite(sp) = &lite.db else { unreachable!() };
    let Db::Postgres(pp) = &pg.db else { unreachable!() };
    let lite_cols: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT m.name, p.name, p.\"notnull\" = 1 OR p.pk > 0 FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1, 2",
    )
    .fetch_all(sp)
    .await
    .unwrap();
    let pg_cols: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, is_nullable = 'NO' FROM information_schema.columns
         WHERE table_schema = current_schema() ORDER BY 1, 2",
    )
    .fetch_all(pp)
    .await
    .unwrap();
    assert!(!lite_cols.is_empty());
    assert_eq!(lite_cols, pg_cols, "(table, column, not null) differ between the backends");
}

#[tokio::test]
async fn reference_data_loads_every_province_city_and_hunan_county_with_its_source() {
    for t in backends().await {
        let t = t.with_demo().await;
        assert_eq!(count(&t.db, "SELECT count(*) FROM regions WHERE level = 'province'").await, 31);
        assert_eq!(count(&t.db, "SELECT count(*) FROM regions WHERE parent = '43'").await, 14 + 0);
        assert!(count(&t.db, "SELECT count(*) FROM regions WHERE path LIKE '/43/%' AND level = 'county'").await > 120);
        assert!(count(&t.db, "SELECT count(*) FROM regions WHERE kind = '功能区' AND path LIKE '/43/%'").await >= 10);
        assert!(count(&t.db, "SELECT count(*) FROM regions WHERE level = 'park'").await >= 6);
        assert_eq!(count(&t.db, "SELECT count(*) FROM industries WHERE level = 1").await, 20);
        assert_eq!(count(&t.db, "SELECT count(*) FROM reference_data").await, 2);
        let mut c = t.db.conn().await.unwrap();
        let park = zhaoshang::regions::store::get(&mut c.ex(), "43011251").await.unwrap().unwrap();
        assert_eq!(park.path, "/43/4301/430112/43011251/", "{}", t.label);
    }
}

#[tokio::test]
async fn loading_the_demo_again_creates_nothing_new_and_keeps_other_users() {
    for t in backends().await {
        let t = t.with_demo().await;
        let actor = Actor::cli();
        let n = service::parse_new_user("li.si", "李四", "4301", "", Some("Passw0rd!x"), &Default::default()).unwrap();
        service::create_user(&t.db, &actor, None, n).await.unwrap();
        let users = count(&t.db, "SELECT count(*) FROM users").await;
        let r = zhaoshang::demo::load(&t.db).await.unwrap();
        assert!(r.created.is_empty());
        assert_eq!(count(&t.db, "SELECT count(*) FROM users").await, users, "{}", t.label);
    }
}

#[tokio::test]
async fn the_audit_chain_verifies_and_names_a_tampered_record() {
    for t in backends().await {
        let t = t.with_demo().await;
        let mut c = t.db.conn().await.unwrap();
        let n = audit::store::verify(&mut c.ex()).await.unwrap().expect("intact chain");
        assert!(n > 10, "{}: the demo wrote {n} records", t.label);
        // Someone with database access bypasses the append-only trigger and edits record 5.
        match &t.db {
            Db::Sqlite(p) => {
                sqlx::raw_sql("DROP TRIGGER audit_log_no_update").execute(p).await.unwrap();
            }
            Db::Postgres(p) => {
                sqlx::raw_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change").execute(p).await.unwrap();
            }
        }
        q_exec!(&mut c.ex(), "UPDATE audit_log SET actor_name = 'somebody else' WHERE seq = 5").unwrap();
        let broken = audit::store::verify(&mut c.ex()).await.unwrap().unwrap_err();
        assert_eq!(broken, audit::model::Break::Altered { seq: 5 }, "{}", t.label);
        assert!(broken.describe().contains("#5"));
    }
}

#[tokio::test]
async fn the_database_refuses_to_edit_or_delete_audit_records() {
    for t in backends().await {
        let t = t.with_demo().await;
        let mut c = t.db.conn().await.unwrap();
        assert!(q_exec!(&mut c.ex(), "UPDATE audit_log SET action = 'x' WHERE seq = 1").is_err(), "{}", t.label);
        assert!(q_exec!(&mut c.ex(), "DELETE FROM audit_log WHERE seq = 1").is_err(), "{}", t.label);
    }
}

#[tokio::test]
async fn a_deleted_audit_record_is_reported_as_missing() {
    for t in backends().await {
        let t = t.with_demo().await;
        let mut c = t.db.conn().await.unwrap();
        match &t.db {
            Db::Sqlite(p) => sqlx::raw_sql("DROP TRIGGER audit_log_no_delete").execute(p).await.map(|_| ()).unwrap(),
            Db::Postgres(p) => sqlx::raw_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
                .execute(p)
                .await
                .map(|_| ())
                .unwrap(),
        }
        q_exec!(&mut c.ex(), "DELETE FROM audit_log WHERE seq = 3").unwrap();
        let b = audit::store::verify(&mut c.ex()).await.unwrap().unwrap_err();
        assert_eq!(b, audit::model::Break::Gap { expected: 3, found: 4 }, "{}", t.label);
    }
}

#[tokio::test]
async fn concurrent_changes_keep_one_unbroken_audit_chain() {
    for t in backends().await {
        let mut tasks = Vec::new();
        for i in 0..24 {
            let db = t.db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                audit::record(
                    &mut tx.ex(),
                    &Actor::system(),
                    Change {
                        action: "test.concurrent",
                        entity: "test",
                        entity_id: i.to_string(),
                        region: None,
                        before: None,
                        after: Some(serde_json::json!({"i": i})),
                    },
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let mut c = t.db.conn().await.unwrap();
        assert_eq!(audit::store::verify(&mut c.ex()).await.unwrap(), Ok(24), "{}", t.label);
    }
}

#[tokio::test]
async fn a_change_that_fails_leaves_no_audit_record() {
    for t in backends().await {
        let t = t.with_demo().await;
        let before = count(&t.db, "SELECT count(*) FROM audit_log").await;
        let n = service::parse_new_user("cs.leader", "重名", "4301", "", None, &Default::default()).unwrap();
        let e = service::create_user(&t.db, &Actor::cli(), None, n).await.unwrap_err();
        assert!(matches!(e, AppError::Invalid { .. }), "{e:?}");
        assert_eq!(count(&t.db, "SELECT count(*) FROM audit_log").await, before, "{}", t.label);
    }
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_thirty_minutes() {
    for t in backends().await {
        let t = t.with_demo().await;
        for i in 1..=4 {
            let r = service::login(&t.db, "cs.leader", "wrong", None).await.unwrap();
            assert!(matches!(r, Err(LoginError::Invalid)), "attempt {i}");
        }
        let r = service::login(&t.db, "cs.leader", "wrong", None).await.unwrap();
        let Err(LoginError::Locked(until)) = r else { panic!("{}: fifth failure should lock", t.label) };
        let minutes = (until - time::OffsetDateTime::now_utc()).whole_minutes();
        assert!((29..=30).contains(&minutes), "{minutes}");
        // Even the right password is refused while locked.
        let r = service::login(&t.db, "cs.leader", common::PASSWORD, None).await.unwrap();
        assert!(matches!(r, Err(LoginError::Locked(_))));
        let id = common::user_id(&t.db, "cs.leader").await;
        service::admin_action(&t.db, &Actor::cli(), service::Administrator::Operator, id, None, UserAction::Unlock)
            .await
            .unwrap();
        assert!(service::login(&t.db, "cs.leader", common::PASSWORD, None).await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn an_unknown_user_gets_the_same_answer_as_a_wrong_password() {
    for t in backends().await {
        let t = t.with_demo().await;
        let r = service::login(&t.db, "nobody", "whatever", None).await.unwrap();
        assert_eq!(r.err().unwrap().message(), LoginError::Invalid.message());
    }
}

#[tokio::test]
async fn no_person_holds_two_of_the_three_administrator_roles() {
    for t in backends().await {
        let t = t.with_demo().await;
        let id = common::user_id(&t.db, "hn.sysadmin").await;
        let e = service::add_grant(&t.db, &Actor::cli(), None, id, Role::Auditor, "43").await.unwrap_err();
        assert!(e.to_string().contains("三员"), "{e}");
        let id = common::user_id(&t.db, "cs.leader").await;
        let e = service::add_grant(&t.db, &Actor::cli(), None, id, Role::SecurityAdmin, "4301").await.unwrap_err();
        assert!(matches!(e, AppError::Invalid { .. }), "{}: {e}", t.label);
    }
}

#[tokio::test]
async fn an_edit_from_a_stale_version_is_refused_with_a_clear_message() {
    for t in backends().await {
        let t = t.with_demo().await;
        let id = common::user_id(&t.db, "cs.invest").await;
        service::admin_action(&t.db, &Actor::cli(), service::Administrator::Operator, id, Some(1), UserAction::Lock)
            .await
            .unwrap();
        let e = service::admin_action(
            &t.db,
            &Actor::cli(),
            service::Administrator::Operator,
            id,
            Some(1),
            UserAction::Disable,
        )
        .await
        .unwrap_err();
        let AppError::Conflict(m) = e else { panic!("{}: expected a conflict", t.label) };
        assert!(m.contains("已被他人修改"), "{m}");
    }
}

#[tokio::test]
async fn a_revoked_api_token_no_longer_signs_in() {
    for t in backends().await {
        let t = t.with_demo().await;
        let (id, token) = service::create_token(&t.db, &Actor::cli(), "cs.leader", "test").await.unwrap();
        assert_eq!(service::resolve_token(&t.db, &token).await.unwrap().unwrap().username, "cs.leader");
        service::revoke_token(&t.db, &Actor::cli(), id).await.unwrap();
        assert!(service::resolve_token(&t.db, &token).await.unwrap().is_none(), "{}", t.label);
        let mut c = t.db.conn().await.unwrap();
        let stored: String = q_scalar!(&mut c.ex(), fetch_one, String, "SELECT token_hash FROM api_tokens").unwrap();
        assert_ne!(stored, token, "tokens are stored hashed");
    }
}

#[tokio::test]
async fn a_kept_sign_in_follows_a_new_grant_a_removed_one_and_a_disabled_user_at_the_next_request() {
    for t in backends().await {
        let t = t.with_demo().await;
        let (_, token) = service::create_token(&t.db, &Actor::cli(), "cs.leader", "test").await.unwrap();
        let id = common::user_id(&t.db, "cs.leader").await;
        let grants = |u: Option<zhaoshang::accounts::authz::CurrentUser>| u.map(|u| u.grants.len());
        let before = grants(service::resolve_token(&t.db, &token).await.unwrap()).unwrap();
        // Asked twice: the second answer may come from what was kept.
        assert_eq!(grants(service::resolve_token(&t.db, &token).await.unwrap()), Some(before));
        let g = service::add_grant(&t.db, &Actor::cli(), None, id, Role::Reporter, "430104").await.unwrap();
        assert_eq!(grants(service::resolve_token(&t.db, &token).await.unwrap()), Some(before + 1), "{}", t.label);
        assert_eq!(grants(service::current_user(&t.db, id, None).await.unwrap()), Some(before + 1), "{}", t.label);
        service::remove_grant(&t.db, &Actor::cli(), None, g).await.unwrap();
        assert_eq!(grants(service::resolve_token(&t.db, &token).await.unwrap()), Some(before), "{}", t.label);
        service::admin_action(&t.db, &Actor::cli(), service::Administrator::Operator, id, None, UserAction::Disable)
            .await
            .unwrap();
        assert!(service::resolve_token(&t.db, &token).await.unwrap().is_none(), "{}", t.label);
        assert!(service::current_user(&t.db, id, None).await.unwrap().is_none(), "{}", t.label);
        service::admin_action(&t.db, &Actor::cli(), service::Administrator::Operator, id, None, UserAction::Enable)
            .await
            .unwrap();
        assert!(service::resolve_token(&t.db, &token).await.unwrap().is_some(), "{}", t.label);
    }
}

#[tokio::test]
async fn within_one_request_a_kept_result_is_read_once_and_again_after_the_request_writes() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    for t in backends().await {
        let t = t.with_demo().await;
        let computed = AtomicUsize::new(0);
        let key = format!("test:{}", t.label);
        let kept =
            || zhaoshang::cache::get_or(&t.db, key.clone(), async { Ok(computed.fetch_add(1, Ordering::SeqCst)) });
        zhaoshang::cache::per_request(async {
            assert_eq!(*kept().await.unwrap(), 0);
            assert_eq!(*kept().await.unwrap(), 0, "{}: kept", t.label);
            let mut tx = t.db.begin().await.unwrap();
            // Any write to business data, even SQL around the use cases, moves its area's version.
            q_exec!(&mut tx.ex(), "UPDATE regions SET name = name WHERE code = '43'").unwrap();
            tx.commit().await.unwrap();
            assert_eq!(*kept().await.unwrap(), 1, "{}: the request's own write is seen", t.label);
        })
        .await;
    }
}

type SumRow = (String, String, i64, i64, i64, i64, i64, i64);

/// The report sums the triggers keep, and the same figures summed from the reports themselves.
async fn kept_and_recomputed(db: &Db) -> (Vec<SumRow>, Vec<SumRow>) {
    let mut c = db.conn().await.unwrap();
    let kept = zhaoshang::q_as!(
        &mut c.ex(),
        fetch_all,
        SumRow,
        "SELECT region, month, invest, funds_domestic, funds_foreign_usd, tax, jobs, reports FROM report_sums
         WHERE reports <> 0 ORDER BY region, month"
    )
    .unwrap();
    let recomputed = zhaoshang::q_as!(
        &mut c.ex(),
        fetch_all,
        SumRow,
        "SELECT p.region, r.month, CAST(SUM(r.invest_month) AS BIGINT), CAST(SUM(r.funds_domestic) AS BIGINT),
           CAST(SUM(r.funds_foreign_usd) AS BIGINT), CAST(SUM(r.tax) AS BIGINT), CAST(SUM(r.jobs) AS BIGINT), COUNT(*)
         FROM monthly_reports r JOIN projects p ON p.id = r.project_id GROUP BY p.region, r.month ORDER BY 1, 2"
    )
    .unwrap();
    (kept, recomputed)
}

#[tokio::test]
async fn report_sums_follow_every_report_written_changed_or_deleted_and_every_project_moved() {
    for t in backends().await {
        zhaoshang::demo::load(&t.db).await.unwrap();
        let (kept, recomputed) = kept_and_recomputed(&t.db).await;
        assert!(!kept.is_empty(), "{}: the demo has reports", t.label);
        assert_eq!(kept, recomputed, "{}: after the demo's loaders", t.label);
        let mut c = t.db.conn().await.unwrap();
        let (project, region): (uuid::Uuid, String) = zhaoshang::q_as!(
            &mut c.ex(),
            fetch_one,
            (uuid::Uuid, String),
            "SELECT p.id, p.region FROM projects p WHERE EXISTS (SELECT 1 FROM monthly_reports r WHERE r.project_id = p.id)
             ORDER BY p.id LIMIT 1"
        )
        .unwrap();
        let other = if region == "430112" { "430121" } else { "430112" };
        q_exec!(&mut c.ex(), "UPDATE projects SET region = $1 WHERE id = $2", other, project).unwrap();
        q_exec!(
            &mut c.ex(),
            "UPDATE monthly_reports SET invest_month = invest_month + 100, tax = tax + 7 WHERE project_id = $1",
            project
        )
        .unwrap();
        q_exec!(
            &mut c.ex(),
            "DELETE FROM monthly_reports WHERE id = (SELECT id FROM monthly_reports WHERE project_id <> $1 ORDER BY id LIMIT 1)",
            project
        )
        .unwrap();
        drop(c);
        let (kept, recomputed) = kept_and_recomputed(&t.db).await;
        assert_eq!(kept, recomputed, "{}: after a move, an update and a delete", t.label);
        assert!(kept.iter().any(|r| r.0 == other), "{}: the moved project's sums went with it", t.label);
    }
}

type SigningRow = (String, String, Vec<i64>);

/// `signing_months` as the triggers keep it, and the same counted here in Rust from every project:
/// signed, 签约额, the same for 产业项目, then for k = 0..11 whether started (or planned to start) and
/// whether started by the end of the k-th month after the signing month.
async fn signing_kept_and_recomputed(db: &Db) -> (Vec<SigningRow>, Vec<SigningRow>) {
    let mut c = db.conn().await.unwrap();
    let lags = (0..12).map(|k| format!("due_{k}")).chain((0..12).map(|k| format!("started_{k}")));
    let columns: Vec<String> = ["projects", "amount", "industrial_projects", "industrial_amount"]
        .map(String::from)
        .into_iter()
        .chain(lags)
        .collect();
    let sql = format!(
        "SELECT sign_month, region, {} FROM signing_months WHERE projects <> 0 ORDER BY 1, 2",
        columns.iter().map(|c| format!("CAST({c} AS TEXT)")).collect::<Vec<_>>().join(" || ',' || ")
    );
    let kept: Vec<(String, String, String)> = zhaoshang::db::fetch_all_binds(&mut c.ex(), &sql, &[]).await.unwrap();
    let kept = kept.into_iter().map(|(m, r, v)| (m, r, v.split(',').map(|x| x.parse().unwrap()).collect())).collect();
    type P = (String, Option<String>, bool, Option<i64>, i64, Option<String>, Option<String>);
    let projects: Vec<P> = zhaoshang::q_as!(
        &mut c.ex(),
        fetch_all,
        P,
        "SELECT region, CAST(actual_sign AS TEXT), industrial, contracted_amount, total_investment,
           CAST(planned_start AS TEXT), CAST(actual_start AS TEXT) FROM projects"
    )
    .unwrap();
    let month = |d: &str| d[..4].parse::<i64>().unwrap() * 12 + d[5..7].parse::<i64>().unwrap();
    let mut sums: std::collections::BTreeMap<(String, String), Vec<i64>> = Default::default();
    for (region, sign, industrial, contracted, total, planned, actual) in projects {
        let Some(sign) = sign else { continue };
        let v = sums.entry((sign[..7].to_string(), region)).or_insert_with(|| vec![0; 28]);
        let amount = contracted.unwrap_or(total);
        v[0] += 1;
        v[1] += amount;
        v[2] += industrial as i64;
        v[3] += if industrial { amount } else { 0 };
        let lag = |d: &Option<String>| d.as_deref().map(|d| month(d) - month(&sign));
        for k in 0..12 {
            let by = |l: Option<i64>| l.is_some_and(|l| l <= k);
            v[4 + k as usize] += (by(lag(&actual)) || by(lag(&planned))) as i64;
            v[16 + k as usize] += by(lag(&actual)) as i64;
        }
    }
    (kept, sums.into_iter().map(|((m, r), v)| (m, r, v)).collect())
}

type Kept = Vec<(String, String, String, i64, i64)>;

/// The stage funnel's and the signed funds' sums the triggers keep, each beside the same figures
/// computed from the projects and reports themselves.
async fn cockpit_sums(db: &Db) -> [(Kept, Kept); 2] {
    let mut c = db.conn().await.unwrap();
    let mut read = async |sql: &'static str| {
        zhaoshang::q_as!(&mut c.ex(), fetch_all, (String, String, String, i64, i64), sql).unwrap()
    };
    let stages_kept = read(
        "SELECT region, stage, CASE WHEN exited THEN 'exited' ELSE '' END, projects, total FROM project_sums
         WHERE projects <> 0 ORDER BY 1, 2, 3",
    )
    .await;
    let stages = read(
        "SELECT region, stage, CASE WHEN health = 'exited' THEN 'exited' ELSE '' END, COUNT(*),
           CAST(SUM(total_investment) AS BIGINT)
         FROM projects GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    )
    .await;
    let funds_kept = read(
        "SELECT region, sign_month, month, funds_domestic, funds_foreign_usd FROM signed_funds
         WHERE funds_domestic <> 0 OR funds_foreign_usd <> 0 ORDER BY 1, 2, 3",
    )
    .await;
    let funds = read(
        "SELECT p.region, SUBSTR(CAST(p.actual_sign AS TEXT), 1, 7), r.month, CAST(SUM(r.funds_domestic) AS BIGINT),
           CAST(SUM(r.funds_foreign_usd) AS BIGINT)
         FROM monthly_reports r JOIN projects p ON p.id = r.project_id WHERE p.actual_sign IS NOT NULL
         GROUP BY 1, 2, 3 HAVING SUM(r.funds_domestic) <> 0 OR SUM(r.funds_foreign_usd) <> 0 ORDER BY 1, 2, 3",
    )
    .await;
    [(stages_kept, stages), (funds_kept, funds)]
}

#[tokio::test]
async fn the_funnel_and_signed_funds_sums_follow_every_project_and_report_change() {
    for t in backends().await {
        zhaoshang::demo::load(&t.db).await.unwrap();
        let [(stages_kept, stages), (funds_kept, funds)] = cockpit_sums(&t.db).await;
        assert!(
            !stages_kept.is_empty() && !funds_kept.is_empty(),
            "{}: the demo has signed projects with reports",
            t.label
        );
        assert_eq!((stages_kept, funds_kept), (stages, funds), "{}: after the demo's loaders", t.label);
        let (signing_kept, signing) = signing_kept_and_recomputed(&t.db).await;
        assert!(signing.iter().any(|r| r.2[4] < r.2[15]), "{}: some projects start months after signing", t.label);
        assert_eq!(signing_kept, signing, "{}: signing months after the demo's loaders", t.label);
        let mut c = t.db.conn().await.unwrap();
        let (project, region): (uuid::Uuid, String) = zhaoshang::q_as!(
            &mut c.ex(),
            fetch_one,
            (uuid::Uuid, String),
            "SELECT p.id, p.region FROM projects p WHERE p.actual_sign IS NOT NULL
               AND EXISTS (SELECT 1 FROM monthly_reports r WHERE r.project_id = p.id AND r.funds_domestic <> 0)
             ORDER BY p.id LIMIT 1"
        )
        .unwrap();
        let other = if region == "430112" { "430121" } else { "430112" };
        // A move, a withdrawal, a bigger total, a later signing, then no signing date at all.
        q_exec!(&mut c.ex(), "UPDATE projects SET region = $1, health = 'exited' WHERE id = $2", other, project)
            .unwrap();
        q_exec!(
            &mut c.ex(),
            "UPDATE projects SET total_investment = total_investment + 5, stage = 'started' WHERE id = $1",
            project
        )
        .unwrap();
        q_exec!(
            &mut c.ex(),
            "UPDATE projects SET actual_sign = $1 WHERE id = $2",
            time::macros::date!(2024 - 02 - 03),
            project
        )
        .unwrap();
        q_exec!(
            &mut c.ex(),
            "UPDATE monthly_reports SET funds_domestic = funds_domestic + 100, funds_foreign_usd = 9 WHERE project_id = $1",
            project
        )
        .unwrap();
        q_exec!(
            &mut c.ex(),
            "DELETE FROM monthly_reports WHERE id = (SELECT id FROM monthly_reports WHERE project_id <> $1 ORDER BY id LIMIT 1)",
            project
        )
        .unwrap();
        drop(c);
        let [(stages_kept, stages), (funds_kept, funds)] = cockpit_sums(&t.db).await;
        assert!(
            funds_kept.iter().any(|r| r.0 == other && r.1 == "2024-02"),
            "{}: the funds moved with the project",
            t.label
        );
        assert_eq!((stages_kept, funds_kept), (stages, funds), "{}: after moves, updates and a delete", t.label);
        let (signing_kept, signing) = signing_kept_and_recomputed(&t.db).await;
        assert_eq!(signing_kept, signing, "{}: signing months after moves and updates", t.label);
        let mut c = t.db.conn().await.unwrap();
        q_exec!(&mut c.ex(), "UPDATE projects SET actual_sign = NULL WHERE id = $1", project).unwrap();
        drop(c);
        let [stages, funds] = cockpit_sums(&t.db).await;
        assert_eq!((stages.0, funds.0), (stages.1, funds.1), "{}: after the signing date was cleared", t.label);
        let mut c = t.db.conn().await.unwrap();
        // A start planned before the signing and an actual one ten months after; another project's start a
        // year and more after its signing (in no column). (Projects are never deleted: records refer to them.)
        q_exec!(
            &mut c.ex(),
            "UPDATE projects SET actual_sign = $1, planned_start = $2, actual_start = $3, industrial = TRUE,
               contracted_amount = 777 WHERE id = $4",
            time::macros::date!(2025 - 03 - 31),
            time::macros::date!(2025 - 01 - 15),
            time::macros::date!(2026 - 02 - 01),
            project
        )
        .unwrap();
        q_exec!(
            &mut c.ex(),
            "UPDATE projects SET actual_start = $1 WHERE id <> $2 AND actual_sign IS NOT NULL
               AND id = (SELECT id FROM projects WHERE actual_sign IS NOT NULL AND id <> $2 ORDER BY id LIMIT 1)",
            time::macros::date!(2027 - 01 - 01),
            project
        )
        .unwrap();
        drop(c);
        let (signing_kept, signing) = signing_kept_and_recomputed(&t.db).await;
        assert!(signing.iter().any(|r| r.0 == "2025-03" && r.2[3] >= 777), "{}: the re-signed project", t.label);
        assert_eq!(signing_kept, signing, "{}: signing months after re-dating", t.label);
    }
}

#[tokio::test]
async fn fixtures_write_an_audit_record_for_each_write_and_leave_the_chain_whole() {
    use time::macros::date;
    for t in backends().await {
        let t = t.with_demo().await;
        let before = count(&t.db, "SELECT count(*) FROM audit_log").await;
        let e = common::enterprise(&t.db, "审计测试企业", "430104").await;
        let p = common::project(&t.db, "审计测试项目", "430104").await;
        common::evidence(&t.db, p).await;
        common::batch(&t.db, "4301", Some(p)).await;
        let s = common::signed(
            &t.db,
            "审计签约项目",
            "430104",
            5,
            true,
            date!(2026 - 01 - 10),
            Some(date!(2026 - 03 - 01)),
            None,
        )
        .await;
        common::report(&t.db, s, "2026-02", 100, 50, 1, 10).await;
        common::snapshot(&t.db, "4301").await;
        common::flag_list(&t.db, "4301").await;
        let v = common::visit(&t.db, e, "430104").await;
        common::visit_photo(&t.db, v).await;
        common::appeal(&t.db, e, "430104", None).await;
        // enterprise, project, evidence, batch and its member, signed (create + update), report, ranking,
        // flag list, visit, photo, appeal.
        assert_eq!(count(&t.db, "SELECT count(*) FROM audit_log").await - before, 13, "{}", t.label);
        let mut c = t.db.conn().await.unwrap();
        audit::store::verify(&mut c.ex()).await.unwrap().expect("intact chain");
    }
}

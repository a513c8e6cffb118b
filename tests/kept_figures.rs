//! Cockpit figures kept per region and brought up to date region by region (issue 13): after each
//! kind of write — a report filed, corrected, a project moved, signed or withdrawn — the kept
//! cockpit equals one computed afresh with the cache off, and it got there by an update, not a full
//! recomputation; a kept list page stands through a save elsewhere. SQLite and PostgreSQL. (The cockpit
//! test turns the cache off for a moment, so the tests here take turns.)

mod common;

use common::backends;
use zhaoshang::cache::{FIGURE_CACHE, set_enabled};
use zhaoshang::db::Db;
use zhaoshang::evaluation::cockpit::{self, Cockpit};
use zhaoshang::evaluation::period::Period;
use zhaoshang::q_exec;
use zhaoshang::regions::model::Region;

/// One test at a time: the cockpit test turns the cache off for the whole process for a moment.
static TURNS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What a leader reads off the cockpit: the headline, the trend, the funnel and every unit's facts.
fn figures(c: &Cockpit) -> String {
    let zero = zhaoshang::evaluation::indicators::Facts::default();
    let units: Vec<_> = c
        .eval
        .units
        .iter()
        .filter(|u| u.facts != zero || u.last_year != zero)
        .map(|u| (u.code.clone(), u.facts, u.last_year))
        .collect();
    format!("{:?}|{:?}|{:?}|{:?}", c.headline.iter().map(|h| &h.shown).collect::<Vec<_>>(), c.trend, c.funnel, units)
}

async fn kept_equals_fresh(db: &Db, scopes: &[Region], period: Period, after: &str, label: &str) {
    for scope in scopes {
        let kept = cockpit::build(db, scope, period).await.unwrap();
        set_enabled(false);
        let fresh = cockpit::build(db, scope, period).await;
        set_enabled(true);
        assert_eq!(figures(&kept), figures(&fresh.unwrap()), "{label}: {} after {after}", scope.name);
    }
}

/// Runs `sql` on the project `id` (bound as `$1`: SQLite keeps ids as blobs), which must match.
async fn exec(db: &Db, sql: &str, id: uuid::Uuid) {
    let mut c = db.conn().await.unwrap();
    assert!(q_exec!(&mut c.ex(), sqlx::AssertSqlSafe(sql), id).unwrap() >= 1, "{sql}");
}

/// The demo organisation with one project in 长沙 and one in 株洲.
async fn with_two_projects(t: common::TestDb) -> (common::TestDb, uuid::Uuid, uuid::Uuid) {
    let t = t.with_demo().await;
    let a = common::project(&t.db, "长沙的项目", "4301").await;
    let b = common::project(&t.db, "株洲的项目", "4302").await;
    (t, a, b)
}

#[tokio::test]
async fn after_each_kind_of_write_the_kept_cockpit_equals_one_computed_afresh_and_was_updated_not_recomputed() {
    let _turn = TURNS.lock().await;
    for t in backends().await {
        let (t, a, b) = with_two_projects(t).await;
        let db = &t.db;
        exec(db, "UPDATE projects SET actual_sign = '2026-02-10', planned_start = '2026-05-01' WHERE id = $1", a).await;
        common::report(db, a, "2026-03", 100, 40, 3, 12).await;
        common::report(db, b, "2026-03", 50, 10, 1, 5).await;
        let period = Period::parse("2026-06累计").unwrap();
        let mut scopes = Vec::new();
        for code in ["43", "4301", "4302"] {
            let mut c = db.conn().await.unwrap();
            scopes.push(zhaoshang::regions::store::get(&mut c.ex(), code).await.unwrap().unwrap());
        }
        kept_equals_fresh(db, &scopes, period, "the first load", t.label).await;
        let first = cockpit::build(db, &scopes[0], period).await.unwrap();
        let changsha = first.eval.units.iter().find(|u| u.code == "4301").expect("长沙").facts;
        assert_eq!((changsha.signed, changsha.due_to_start, changsha.invest), (1, 1, 100_000_000), "{}", t.label);
        let updates = FIGURE_CACHE.stats().updates;
        for (after, sql, id) in [
            ("a report filed", None, a),
            (
                "a report corrected",
                Some(
                    "UPDATE monthly_reports SET invest_month = invest_month + 700000, funds_domestic = 9 WHERE project_id = $1",
                ),
                a,
            ),
            ("a project moved to another city", Some("UPDATE projects SET region = '4302' WHERE id = $1"), a),
            ("a project signed in the window", Some("UPDATE projects SET actual_sign = '2026-04-01' WHERE id = $1"), b),
            ("a project withdrawn", Some("UPDATE projects SET health = 'exited', stage = 'started' WHERE id = $1"), b),
            ("a report deleted", Some("DELETE FROM monthly_reports WHERE project_id = $1"), b),
        ] {
            match sql {
                None => common::report(db, id, "2026-04", 180, 60, 5, 15).await,
                Some(sql) => exec(db, sql, id).await,
            }
            kept_equals_fresh(db, &scopes, period, after, t.label).await;
        }
        assert!(FIGURE_CACHE.stats().updates > updates, "{}: the kept parts were brought up to date", t.label);
    }
}

#[tokio::test]
async fn a_kept_list_page_stands_through_a_save_elsewhere_and_shows_a_save_within_it_at_the_next_request() {
    use zhaoshang::projects::list::{Filter, cached_page};
    let _turn = TURNS.lock().await;
    for t in backends().await {
        let (t, a, b) = with_two_projects(t).await;
        let db = &t.db;
        let province = ["/43/".to_string()];
        let zhuzhou = Some("/43/4302/");
        let names =
            |rows: &[zhaoshang::projects::store::Row]| rows.iter().map(|r| r.p.name.clone()).collect::<Vec<_>>();
        let (rows, n) = cached_page(db, &province, zhuzhou, &Filter::default()).await.unwrap();
        assert_eq!((names(&rows), n), (vec!["株洲的项目".to_string()], 1), "{}", t.label);
        let updates = zhaoshang::cache::LIST_CACHE.stats().updates;
        // A save in 长沙: 株洲's page stands (brought forward without reading it again).
        exec(db, "UPDATE projects SET name = '长沙的项目（改）' WHERE id = $1", a).await;
        let (rows, _) = cached_page(db, &province, zhuzhou, &Filter::default()).await.unwrap();
        assert_eq!(names(&rows), ["株洲的项目"], "{}", t.label);
        assert!(zhaoshang::cache::LIST_CACHE.stats().updates > updates, "{}: updated, not recomputed", t.label);
        // A save in 株洲, and a project moved into it from 长沙: both seen at the next request.
        exec(db, "UPDATE projects SET name = '株洲的项目（改）' WHERE id = $1", b).await;
        let (rows, _) = cached_page(db, &province, zhuzhou, &Filter::default()).await.unwrap();
        assert_eq!(names(&rows), ["株洲的项目（改）"], "{}", t.label);
        exec(db, "UPDATE projects SET region = '4302' WHERE id = $1", a).await;
        let (rows, n) =
            cached_page(db, &province, zhuzhou, &Filter { sort: Some("name".into()), ..Default::default() })
                .await
                .unwrap();
        assert_eq!((rows.len(), n), (2, 2), "{}", t.label);
        // And moved out again: gone from the page kept before the move.
        exec(db, "UPDATE projects SET region = '4301' WHERE id = $1", a).await;
        let (rows, n) =
            cached_page(db, &province, zhuzhou, &Filter { sort: Some("name".into()), ..Default::default() })
                .await
                .unwrap();
        assert_eq!((names(&rows), n), (vec!["株洲的项目（改）".to_string()], 1), "{}", t.label);
    }
}

//! The province-sized demo data set, generated at a reduced size on every backend.

mod common;

use std::collections::HashMap;
use time::Date;
use uuid::Uuid;
use zhaoshang::db::Db;
use zhaoshang::demo::province::{self, Size};
use zhaoshang::{q_as, q_scalar};

async fn count(db: &Db, sql: &'static str) -> i64 {
    let mut c = db.conn().await.unwrap();
    q_scalar!(&mut c.ex(), fetch_one, i64, sql).unwrap()
}

type Milestones = (Uuid, i64, Option<Date>, Option<Date>, Option<Date>, Option<Date>, Option<Date>, Option<Date>);

#[tokio::test]
async fn a_reduced_province_loads_consistent_records_in_every_city_and_a_second_run_changes_nothing() {
    for t in common::backends().await {
        let t = t.with_demo().await;
        let db = &t.db;
        let theirs = common::project(db, "非演示项目", "430104").await;
        let size = Size { enterprises: 3_000, projects: 2_000 };
        let lines = std::sync::Mutex::new(Vec::new());
        let s = province::load(db, size, &|l| lines.lock().unwrap().push(l)).await.unwrap().expect("first run loads");
        assert!(lines.lock().unwrap().iter().any(|l| l == "企业 3000/3000"), "{:?}", lines.lock().unwrap());
        let label = t.label;

        assert_eq!(count(db, "SELECT count(*) FROM enterprises WHERE is_demo").await, 3_000, "{label}");
        assert_eq!(count(db, "SELECT count(*) FROM projects WHERE is_demo").await, 2_000, "{label}");
        assert_eq!(count(db, "SELECT count(*) FROM projects WHERE NOT is_demo").await, 1, "{label}: theirs kept");
        assert_eq!(count(db, "SELECT count(*) FROM monthly_reports").await as u64, s.reports, "{label}");
        assert!(s.reports > 2_000 * 12, "{label}: {} reports", s.reports);
        assert_eq!(count(db, "SELECT count(*) FROM project_investors").await as u64, s.investors);
        let orphans =
            count(db, "SELECT count(*) FROM projects p WHERE p.is_demo AND NOT EXISTS (SELECT 1 FROM project_investors i WHERE i.project_id = p.id)")
                .await;
        assert_eq!(orphans, 0, "{label}: every generated project has an investor");

        let mut c = db.conn().await.unwrap();
        let rows: Vec<(Uuid, String, i64, i64, i64)> = q_as!(
            &mut c.ex(),
            fetch_all,
            (Uuid, String, i64, i64, i64),
            "SELECT r.project_id, r.month, r.invest_month, r.invest_cumulative, p.total_investment
             FROM monthly_reports r JOIN projects p ON p.id = r.project_id ORDER BY r.project_id, r.month"
        )
        .unwrap();
        let mut first = zhaoshang::reports::model::YearMonth::of(zhaoshang::projects::service::today()).prev();
        for _ in 1..province::WINDOW {
            first = first.prev();
        }
        assert!(rows.iter().all(|r| r.1 >= first.label()), "{label}: reports only within the window");
        let mut last: HashMap<Uuid, i64> = HashMap::new();
        for (project, month, this, cumulative, total) in &rows {
            assert!(this <= cumulative && cumulative <= total, "{label} {project} {month}");
            let prev = last.insert(*project, *cumulative).unwrap_or(0);
            assert!(*cumulative >= prev, "{label} {project} {month}: the cumulative figure fell");
        }

        let ms: Vec<Milestones> = q_as!(
            &mut c.ex(),
            fetch_all,
            Milestones,
            "SELECT id, total_investment, actual_sign, actual_register, actual_land, actual_start, actual_produce,
               actual_full_produce FROM projects WHERE is_demo"
        )
        .unwrap();
        for (id, _, a, b, l, s, p, f) in &ms {
            let dates: Vec<Date> = [a, b, l, s, p, f].into_iter().flatten().copied().collect();
            assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{label} {id}: {dates:?}");
        }

        let cities: Vec<String> = q_as!(
            &mut c.ex(),
            fetch_all,
            (String,),
            "SELECT DISTINCT substr(g.path, 5, 4) FROM projects p JOIN regions g ON g.code = p.region WHERE p.is_demo"
        )
        .unwrap()
        .into_iter()
        .map(|r| r.0)
        .collect();
        for (code, name, _) in province::names::CITIES {
            assert!(cities.iter().any(|c| c == code), "{label}: no project in {name}");
        }
        drop(c);

        let audits = "SELECT count(*) FROM audit_log WHERE action = 'demo.load_province'";
        assert_eq!(count(db, audits).await, 1, "{label}: one audit record for the whole load");
        let before = (
            count(db, "SELECT count(*) FROM enterprises").await,
            count(db, "SELECT count(*) FROM projects").await,
            count(db, "SELECT count(*) FROM monthly_reports").await,
            count(db, "SELECT count(*) FROM audit_log").await,
        );
        assert!(province::load(db, size, &|_| {}).await.unwrap().is_none(), "{label}: second run");
        let after = (
            count(db, "SELECT count(*) FROM enterprises").await,
            count(db, "SELECT count(*) FROM projects").await,
            count(db, "SELECT count(*) FROM monthly_reports").await,
            count(db, "SELECT count(*) FROM audit_log").await,
        );
        assert_eq!(before, after, "{label}: a second run changes nothing");
        let mut c = db.conn().await.unwrap();
        assert!(zhaoshang::projects::store::get(&mut c.ex(), theirs).await.unwrap().is_some(), "{label}");
        assert!(zhaoshang::audit::store::verify(&mut c.ex()).await.unwrap().is_ok(), "{label}: chain intact");
    }
}

#[test]
fn the_demo_command_offers_small_and_province_and_refuses_other_scales() {
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_zhaoshang")).args(["demo", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("small") && text.contains("province"), "{text}");
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_zhaoshang"))
        .args(["demo", "--scale", "country"])
        .env("ZHAOSHANG_DATABASE_URL", "sqlite::memory:")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "a usage error");
}

#[tokio::test]
async fn list_pages_of_a_generated_province_by_number_and_by_the_last_row_seen_match_the_whole_sorted_list_on_every_backend()
 {
    use zhaoshang::projects::list::{self, Filter};
    for t in common::backends().await {
        let t = t.with_demo().await;
        province::load(&t.db, Size { enterprises: 400, projects: 700 }, &|_| {}).await.unwrap();
        let scopes = vec!["/43/".to_string()];
        for sort in ["-total", "region", "name", "-started", "signed", "stage", "-updated"] {
            let f = Filter {
                region: Some("4301".into()),
                stage: Some("开工,投产".into()),
                min_total: Some("3000".into()),
                sort: Some(sort.into()),
                ..Default::default()
            };
            let mut c = t.db.conn().await.unwrap();
            let all: Vec<Uuid> = list::all(&mut c.ex(), &scopes, Some("/43/4301/"), &f, 100_000)
                .await
                .unwrap()
                .iter()
                .map(|r| r.p.id)
                .collect();
            let mut paged = Vec::new();
            for page in 1.. {
                let f = Filter { page: Some(page), ..f.clone() };
                let (rows, total) = list::page(&mut c.ex(), &scopes, Some("/43/4301/"), &f).await.unwrap();
                assert_eq!(total as usize, all.len(), "{} {sort}", t.label);
                if rows.is_empty() {
                    break;
                }
                assert!(
                    rows.iter()
                        .all(|r| r.region_path.starts_with("/43/4301/")
                            && r.p.total_investment.fen() >= 3000 * 1_000_000)
                );
                paged.extend(rows.iter().map(|r| r.p.id));
            }
            assert!(all.len() > 50, "{}: more than a page ({})", t.label, all.len());
            assert_eq!(paged, all, "{} sort={sort}: pages in the same order as the whole list", t.label);
            // The same walk by "next": each page continues after the last row of the one before.
            let (mut walked, mut after, mut page) = (Vec::new(), None, 1);
            loop {
                let f = Filter { page: Some(page), after: after.clone(), ..f.clone() };
                let (rows, total) = list::page(&mut c.ex(), &scopes, Some("/43/4301/"), &f).await.unwrap();
                walked.extend(rows.iter().map(|r| r.p.id));
                after = list::next_after(&rows, page, total);
                if after.is_none() {
                    break;
                }
                page += 1;
            }
            assert_eq!(walked, all, "{} sort={sort}: pages by the last row seen in the same order", t.label);
        }
    }
}

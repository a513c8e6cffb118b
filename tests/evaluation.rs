//! Evaluation end to end: indicators worked out by hand from a small set of projects and reports,
//! the province equal to the sum of its cities, caching that never hides a new report, frozen
//! rankings, the quarterly 红旗/蜗牛 lists, the cockpit and its API. SQLite and PostgreSQL.

mod common;

use common::{backends, spawn};
use common::{report, signed};
use serde_json::Value;
use time::macros::date;

fn unit<'a>(j: &'a Value, code: &str) -> &'a Value {
    j["units"].as_array().unwrap().iter().find(|u| u["region"] == code).unwrap_or_else(|| panic!("{code} in {j}"))
}

#[tokio::test]
async fn indicators_match_hand_computed_figures_and_the_province_is_the_sum_of_its_cities() {
    for t in backends().await {
        let t = t.with_demo().await;
        let db = &t.db;
        let q3 = |m: u8, d: u8| time::Date::from_calendar_date(2026, time::Month::try_from(m).unwrap(), d).unwrap();
        // 长沙 signs three projects in 2026Q3: 10 亿 industrial (started), 30 亿 industrial (due, not started),
        // 60 亿 not industrial (not yet due). 湘潭 signs one of 20 亿 (started). One 长沙 project signed in Q2 is outside.
        let a = signed(db, "评价甲", "430104", 10, true, q3(7, 10), Some(q3(8, 1)), Some(q3(8, 5))).await;
        let b = signed(db, "评价乙", "43011251", 30, true, q3(7, 20), Some(q3(9, 1)), None).await;
        let _c = signed(db, "评价丙", "430121", 60, false, q3(8, 1), Some(date!(2027 - 03 - 01)), None).await;
        let d = signed(db, "评价丁", "430302", 20, false, q3(9, 1), Some(q3(9, 10)), Some(q3(9, 12))).await;
        let _old = signed(db, "评价戊", "430104", 50, true, date!(2026 - 05 - 01), Some(q3(7, 1)), None).await;
        // Reports: 甲 gets 2 亿 in Q3 with 100 万 tax and 300 jobs in September; 乙 1 亿; 丁 5 亿 and 50 万 tax.
        report(db, a, "2026-08", 10000, 10000, 40, 200).await;
        report(db, a, "2026-09", 20000, 10000, 60, 300).await;
        report(db, b, "2026-09", 10000, 10000, 0, 80).await;
        report(db, d, "2026-09", 50000, 50000, 50, 20).await;

        let app = spawn(&t).await;
        let s = app.login("hn.leader").await;
        let j: Value = s.get(&app, "/api/v1/evaluation?region=43&period=2026Q3").await.json().await.unwrap();
        let cs = unit(&j, "4301");
        // 资金到位率: 3 亿 arrived / 100 亿 signed = 3%. 开工率: 甲 started of 甲, 乙 due = 50%.
        assert_eq!(cs["figures"]["funds_rate"], 3.0, "{}: {cs}", t.label);
        assert_eq!(cs["figures"]["start_rate"], 50.0);
        // 产业项目占比: 40 of 100 亿 = 40%; by count 2 of 3.
        assert_eq!(cs["figures"]["industrial_share"], 40.0);
        assert_eq!(cs["figures"]["new_projects"], 3.0);
        assert_eq!(cs["figures"]["signed_amount"], 100.0);
        // 税收 100 万; 用工 in September 300 + 80.
        assert_eq!(cs["figures"]["tax"], 100.0);
        assert_eq!(cs["figures"]["jobs"], 380.0);
        let xt = unit(&j, "4303");
        assert_eq!(
            (xt["figures"]["funds_rate"].as_f64(), xt["figures"]["start_rate"].as_f64()),
            (Some(25.0), Some(100.0))
        );
        let hy = unit(&j, "4304");
        assert!(hy["figures"]["funds_rate"].is_null(), "a city with nothing signed has no rate (shown “—”), not 0");
        // The province: additive figures are the sums of the cities'; rates the ratio of the sums.
        let total = &j["total"]["figures"];
        assert_eq!(total["signed_amount"], 120.0);
        assert_eq!(total["tax"], 150.0);
        assert_eq!(total["funds_rate"], 8.0 / 120.0 * 100.0);
        let sum = |k: &str| {
            j["units"].as_array().unwrap().iter().map(|u| u["figures"][k].as_f64().unwrap_or(0.0)).sum::<f64>()
        };
        for k in ["signed_amount", "funds", "invest", "tax", "jobs", "new_projects"] {
            assert!(
                (sum(k) - total[k].as_f64().unwrap()).abs() < 1e-9,
                "{k}: cities {} vs province {}",
                sum(k),
                total[k]
            );
        }

        // The page shows the same, with links to what is behind each number, and refuses another scope.
        let page = s.get(&app, "/evaluation?region=43&period=2026Q3").await.text().await.unwrap();
        assert!(
            page.contains(
                "/projects?region=4301&#38;signed_from=2026-07-01&#38;signed_to=2026-09-30&#38;due_by=2026-09-30"
            ),
            "{page}"
        );
        let cs_leader = app.login("cs.leader").await;
        assert_eq!(cs_leader.get(&app, "/evaluation?region=4303").await.status(), 404);
        assert_eq!(cs_leader.get(&app, "/api/v1/cockpit?region=43").await.status(), 404);
        assert_eq!(s.get(&app, "/evaluation?period=2026Q9").await.status(), 422);

        // A report filed now counts on the next load, cache or not.
        report(db, b, "2026-08", 5000, 5000, 0, 0).await;
        touch(db).await;
        let j: Value = s.get(&app, "/api/v1/evaluation?region=43&period=2026Q3").await.json().await.unwrap();
        assert_eq!(unit(&j, "4301")["figures"]["funds_rate"], 3.5);

        // A project moved to another city takes its figures along; the province does not change.
        let mut c = db.conn().await.unwrap();
        zhaoshang::q_exec!(&mut c.ex(), "UPDATE projects SET region = '430104' WHERE id = $1", d).unwrap();
        zhaoshang::audit::record(
            &mut c.ex(),
            &zhaoshang::audit::Actor::cli(),
            zhaoshang::audit::Change {
                action: "test.move",
                entity: "project",
                entity_id: d.to_string(),
                region: None,
                before: None,
                after: None,
            },
        )
        .await
        .unwrap();
        drop(c);
        let j: Value = s.get(&app, "/api/v1/evaluation?region=43&period=2026Q3").await.json().await.unwrap();
        assert_eq!(unit(&j, "4303")["figures"]["signed_amount"], 0.0);
        assert_eq!(unit(&j, "4301")["figures"]["signed_amount"], 120.0);
        assert_eq!(j["total"]["figures"]["signed_amount"], 120.0);
    }
}

#[tokio::test]
async fn a_frozen_ranking_keeps_its_figures_and_targets_show_completion() {
    for t in backends().await {
        let t = t.with_demo().await;
        let db = &t.db;
        let p = signed(
            db,
            "排名甲",
            "430104",
            10,
            true,
            date!(2026 - 07 - 10),
            Some(date!(2026 - 08 - 01)),
            Some(date!(2026 - 08 - 01)),
        )
        .await;
        report(db, p, "2026-09", 1000, 1000, 10, 10).await;
        let app = spawn(&t).await;
        let s = app.login("cs.invest").await;
        let r = s
            .post_form(
                &app,
                "/evaluation/targets",
                &[("region", "4301"), ("year", "2026"), ("signed_amount", "40"), ("new_projects", "4")],
            )
            .await;
        assert_eq!(r.status(), 303, "{}", t.label);
        let page = s.get(&app, "/evaluation?region=4301&period=2026Q3").await.text().await.unwrap();
        assert!(page.contains("10.00 / 40.00<br><small>25.0%</small>"), "10 亿 of a 40 亿 target: {page}");
        let r = s
            .post_form(&app, "/evaluation/targets", &[("region", "4301"), ("year", "2026"), ("new_projects", "很多")])
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("新签约项目：“很多”应为非负整数"));
        assert_eq!(
            s.post_form(&app, "/evaluation/targets", &[("region", "4303"), ("year", "2026"), ("new_projects", "1")])
                .await
                .status(),
            404,
            "another city's targets do not exist for 长沙's officer"
        );

        let r = s
            .post_form(&app, "/evaluation/rankings", &[("region", "4301"), ("period", "2026Q3"), ("level", "children")])
            .await;
        assert_eq!(r.status(), 303);
        let url = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
        let id = url.rsplit('/').next().unwrap().to_string();
        let before: Value = s.get(&app, &format!("/api/v1/evaluation/rankings/{id}")).await.json().await.unwrap();
        assert_eq!(before["ranked"][0]["name"], "岳麓区");
        // New data after publishing does not change the published ranking.
        let q = signed(
            db,
            "排名乙",
            "430121",
            90,
            true,
            date!(2026 - 07 - 11),
            Some(date!(2026 - 07 - 20)),
            Some(date!(2026 - 07 - 20)),
        )
        .await;
        report(db, q, "2026-09", 90000, 90000, 900, 900).await;
        let after: Value = s.get(&app, &format!("/api/v1/evaluation/rankings/{id}")).await.json().await.unwrap();
        assert_eq!(before, after);
        let page = s.get(&app, &url).await.text().await.unwrap();
        assert!(page.contains("冻结发布") && page.contains("岳麓区"));
        let xlsx = s.get(&app, &format!("{url}/export")).await.bytes().await.unwrap();
        assert_eq!(zhaoshang::imports::read(&xlsx, "r.xlsx").unwrap().rows[0].cell(1), Some("岳麓区"));
        let mut c = db.conn().await.unwrap();
        let (rows, _) =
            zhaoshang::audit::store::list(&mut c.ex(), &[("/".into(), true)], &Default::default()).await.unwrap();
        assert!(
            rows.iter().any(|r| r.action == "evaluation.freeze_ranking")
                && rows.iter().any(|r| r.action == "evaluation.targets")
        );
    }
}

#[tokio::test]
async fn a_quarterly_list_is_proposed_swapped_with_a_reason_published_and_then_frozen() {
    for t in backends().await {
        let t = t.with_demo().await;
        let db = &t.db;
        // 25 projects in 长沙, planned to start on 2026-04-01; the first ones started early and invested more.
        let mut ids = Vec::new();
        for i in 0..25i64 {
            let start = date!(2026 - 04 - 01) + time::Duration::days(i * 5 - 20);
            let id = signed(
                db,
                &format!("红旗候选{i:02}"),
                "430104",
                10,
                true,
                date!(2026 - 01 - 10),
                Some(date!(2026 - 04 - 01)),
                Some(start),
            )
            .await;
            report(db, id, "2026-09", 30000 - i * 1000, 1000, 1, 1).await;
            ids.push(id);
        }
        let app = spawn(&t).await;
        let s = app.login("cs.leader").await;
        let page = s.get(&app, "/evaluation/flags?region=4301&quarter=2026Q3").await.text().await.unwrap();
        assert!(page.contains("本季度共 25 个") && page.contains("红旗候选00"), "{}: {page}", t.label);
        let r = s.post_form(&app, "/evaluation/flags", &[("region", "4301"), ("quarter", "2026Q3")]).await;
        assert_eq!(r.status(), 303);
        let page = s.get(&app, r.headers()["location"].to_str().unwrap()).await.text().await.unwrap();
        let list_id = page.split("/evaluation/flags/").nth(1).unwrap().split('/').next().unwrap().to_string();
        let j: Value = s.get(&app, "/api/v1/evaluation/flags?region=4301&quarter=2026Q3").await.json().await.unwrap();
        assert_eq!(j["status"], "draft");
        assert_eq!(j["red"][0]["name"], "红旗候选00", "the earliest start and most investment lead");
        // The reasons come from the dates as the database handed them over (text or day numbers).
        let reasons = j["red"][0]["reasons"].to_string();
        assert!(reasons.contains("开工较计划") || reasons.contains("开工按计划"), "{}: {reasons}", t.label);
        assert_eq!(j["red"].as_array().unwrap().len(), 10);
        assert_eq!(j["snail"][0]["name"], "红旗候选24", "the slowest first");
        assert_eq!(j["snail"].as_array().unwrap().len(), 10);
        // The committee swaps 红旗候选09 out for 红旗候选10 (on neither list) — a reason is required.
        let (out, incoming) = (ids[9].to_string(), ids[10].to_string());
        let swap = |reason: &'static str, version: &'static str| {
            let path = format!("/evaluation/flags/{list_id}/swap");
            let (out, incoming) = (out.clone(), incoming.clone());
            let s = &s;
            let app = &app;
            async move {
                s.post_form(
                    app,
                    &path,
                    &[("version", version), ("list", "red"), ("out", &out), ("in", &incoming), ("reason", reason)],
                )
                .await
            }
        };
        let r = swap("", "1").await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("请写明调整理由"));
        assert_eq!(swap("现场核查进度更快", "1").await.status(), 303);
        assert_eq!(swap("重复提交", "1").await.status(), 409, "a stale version is refused");
        let r = s.post_form(&app, &format!("/evaluation/flags/{list_id}/publish"), &[("version", "2")]).await;
        assert_eq!(r.status(), 303);
        let bulletin = s.get(&app, &format!("/evaluation/flags/{list_id}/bulletin")).await.text().await.unwrap();
        assert!(
            bulletin.contains("十大红旗项目和十大蜗牛项目的通报") && bulletin.contains("现场核查进度更快"),
            "{bulletin}"
        );
        assert!(bulletin.contains("红旗候选10") && !bulletin.contains("红旗候选09（"), "{bulletin}");
        assert_eq!(swap("发布后再改", "3").await.status(), 409, "a published list never changes");
        let xlsx = s.get(&app, &format!("/evaluation/flags/{list_id}/export")).await.bytes().await.unwrap();
        let sheet = zhaoshang::imports::read(&xlsx, "f.xlsx").unwrap();
        assert_eq!(sheet.rows.len(), 10);
        let xt = app.login("xt.leader").await;
        assert_eq!(xt.get(&app, &format!("/evaluation/flags/{list_id}/bulletin")).await.status(), 404);
        let mut c = db.conn().await.unwrap();
        let (rows, _) =
            zhaoshang::audit::store::list(&mut c.ex(), &[("/".into(), true)], &Default::default()).await.unwrap();
        let swap_record = rows.iter().find(|r| r.action == "evaluation.flags_swap").unwrap();
        assert!(swap_record.after_json.as_deref().unwrap().contains("现场核查进度更快"));
    }
}

#[tokio::test]
async fn the_cockpit_draws_the_map_trend_funnel_and_ranking_and_drills_down() {
    for t in backends().await {
        let t = t.with_demo().await;
        let db = &t.db;
        let p = signed(
            db,
            "驾驶舱甲",
            "430104",
            10,
            true,
            date!(2026 - 07 - 10),
            Some(date!(2026 - 08 - 01)),
            Some(date!(2026 - 08 - 01)),
        )
        .await;
        report(db, p, "2026-09", 2000, 1000, 10, 10).await;
        let app = spawn(&t).await;
        let s = app.login("hn.leader").await;
        let page = s.get(&app, "/cockpit?region=43&period=2026Q3&indicator=start_rate").await.text().await.unwrap();
        assert_eq!(page.matches("class=\"mark tile").count(), 14, "{}: a tile per 市州", t.label);
        assert!(
            page.contains("<a href=\"/cockpit?region=4301&amp;period=2026Q3&amp;indicator=start_rate\">"),
            "{page}"
        );
        assert!(page.contains("<title>长沙市：100.00%</title>"), "{page}");
        assert!(
            page.contains("近 12 个月完成投资与到位资金") && page.contains("<title>2026-09 完成投资：0.20亿元</title>")
        );
        assert!(page.contains("项目阶段分布") && page.contains("/projects?region=43&amp;stage=started"));
        let city = s.get(&app, "/cockpit?region=4301&period=2026Q3").await.text().await.unwrap();
        assert!(
            city.contains("岳麓区") && city.contains("湖南省驾驶舱"),
            "a city's cockpit shows its counties and leads back up"
        );
        let park = s.get(&app, "/cockpit?region=43011251&period=2026Q3").await.text().await.unwrap();
        assert!(park.contains("没有下级单位") && park.contains("/projects?region=43011251"));
        // The page is kept for the session until anything changes: a report filed now is on the next load.
        assert!(!page.contains("2026-08 完成投资：0.30亿元"));
        report(db, p, "2026-08", 3000, 1000, 0, 0).await;
        touch(db).await;
        let page = s.get(&app, "/cockpit?region=43&period=2026Q3&indicator=start_rate").await.text().await.unwrap();
        assert!(page.contains("<title>2026-08 完成投资：0.30亿元</title>"), "{}: {page}", t.label);
        let big = s.get(&app, "/cockpit?region=43&screen=big").await.text().await.unwrap();
        assert!(big.contains("class=\"big\"") && big.contains("http-equiv=\"refresh\""));
        let j: Value = s.get(&app, "/api/v1/cockpit?region=43&period=2026Q3").await.json().await.unwrap();
        assert_eq!(j["trend"].as_array().unwrap().len(), 12);
        assert_eq!(j["headline"][0]["code"], "new_projects");
        let brief = s.get(&app, "/evaluation/brief?region=4301&period=2026-07").await.text().await.unwrap();
        assert!(brief.contains("长沙市招商引资和重大项目月度简报") && brief.contains("驾驶舱甲"), "{brief}");
        let breakdowns = s.get(&app, "/evaluation/breakdowns?region=43&period=2026Q3").await.text().await.unwrap();
        assert!(
            breakdowns.contains("按三资（资本来源）") && breakdowns.contains("共签约项目 <b>1</b> 个"),
            "{breakdowns}"
        );
        let xlsx = s.get(&app, "/cockpit/export?region=43&period=2026Q3").await.bytes().await.unwrap();
        let sheet = zhaoshang::imports::read(&xlsx, "c.xlsx").unwrap();
        assert_eq!(sheet.rows[0].cells(), ["新签约项目", "1", "个", "—", "—"]);
        let xlsx = s.get(&app, "/evaluation/breakdowns/export?region=43&period=2026Q3").await;
        assert_eq!(xlsx.status(), 200);
        let xlsx = s.get(&app, "/evaluation/export?region=43&period=2026Q3").await.bytes().await.unwrap();
        let sheet = zhaoshang::imports::read(&xlsx, "e.xlsx").unwrap();
        assert_eq!(sheet.rows.len(), 15, "14 cities and the total");
    }
}

#[tokio::test]
async fn the_demo_gives_the_cockpit_figures_in_every_city_targets_and_quarterly_candidates() {
    let t = common::sqlite().await;
    zhaoshang::demo::load(&t.db).await.unwrap();
    let app = spawn(&t).await;
    let s = app.login("hn.leader").await;
    let year = zhaoshang::projects::service::today().year();
    for period in [format!("{}", year - 1), format!("{year}")] {
        let j: Value = s.get(&app, &format!("/api/v1/cockpit?region=43&period={period}")).await.json().await.unwrap();
        let signed = j["headline"].as_array().unwrap().iter().find(|h| h["code"] == "new_projects").unwrap();
        assert!(signed["value"].as_f64().unwrap() >= 10.0, "{period}: {signed}");
    }
    let j: Value =
        s.get(&app, &format!("/api/v1/evaluation?region=43&period={}", year - 1)).await.json().await.unwrap();
    let quiet: Vec<&Value> =
        j["units"].as_array().unwrap().iter().filter(|u| u["figures"]["new_projects"] == 0.0).collect();
    assert!(quiet.len() <= 4, "most cities signed something last year: {quiet:?}");
    let j: Value = s.get(&app, &format!("/api/v1/cockpit?region=43&period={year}")).await.json().await.unwrap();
    let target = j["headline"].as_array().unwrap().iter().find(|h| h["code"] == "signed_amount").unwrap();
    assert!(target["completion"].as_f64().is_some(), "this year's targets are set: {target}");
    let flags: Value = s.get(&app, "/api/v1/evaluation/flags?region=43").await.json().await.unwrap();
    assert_eq!(flags["red"].as_array().unwrap().len(), 10, "{flags}");
    assert!(!flags["snail"].as_array().unwrap().is_empty());
}

/// An audit record, as every real change writes: the helpers above write straight to the tables.
async fn touch(db: &zhaoshang::db::Db) {
    zhaoshang::audit::record(
        &mut db.conn().await.unwrap().ex(),
        &zhaoshang::audit::Actor::cli(),
        zhaoshang::audit::Change {
            action: "test.touch",
            entity: "test",
            entity_id: "x".into(),
            region: None,
            before: None,
            after: None,
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn many_cold_cockpits_at_once_all_finish_since_no_request_holds_a_connection_while_it_waits_for_another() {
    use zhaoshang::evaluation::period::Period;
    for t in backends().await {
        let t = t.with_demo().await;
        let mut c = t.db.conn().await.unwrap();
        let cities = zhaoshang::regions::store::children(&mut c.ex(), "43").await.unwrap();
        drop(c);
        let today = zhaoshang::projects::service::today();
        let periods = [Period::default_for(today), Period::quarter_of(today), Period::Year { year: today.year() - 1 }];
        // More distinct cold computations than the pool has connections (8 on SQLite, 16 on PostgreSQL).
        let mut tasks = tokio::task::JoinSet::new();
        for region in cities.iter().take(12) {
            for period in periods {
                let (db, region) = (t.db.clone(), region.clone());
                tasks.spawn(
                    async move { zhaoshang::evaluation::cockpit::build(&db, &region, period).await.map(|_| ()) },
                );
            }
        }
        let started = std::time::Instant::now();
        while let Some(r) = tasks.join_next().await {
            r.unwrap().unwrap_or_else(|e| panic!("{}: {e:?}", t.label));
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(9), "{}: {:?}", t.label, started.elapsed());
    }
}

//! Monthly reports through pages and API, on SQLite and (when configured) PostgreSQL.

mod common;

use common::{backends, spawn};
use serde_json::{Value, json};

async fn signed_project(db: &zhaoshang::db::Db, name: &str, region: &str) -> uuid::Uuid {
    let id = common::project(db, name, region).await;
    let mut c = db.conn().await.unwrap();
    zhaoshang::q_exec!(&mut c.ex(), "UPDATE projects SET stage = 'started' WHERE id = $1", id).unwrap();
    id
}

#[tokio::test]
async fn a_reporter_files_consistent_reports_and_the_city_sees_them_rolled_up() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let a = signed_project(&t.db, "岳麓某项目", "430104").await;
        let b = signed_project(&t.db, "望城某项目", "43011251").await;
        let s = app.login("cs.reporter").await;
        let path = format!("/projects/{a}/reports");
        let r = s
            .post_form(
                &app,
                &path,
                &[
                    ("month", "2026-09"),
                    ("invest_month", "1000"),
                    ("invest_cumulative", "1000"),
                    ("funds_domestic", "800"),
                    ("jobs", "120"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303, "{}", t.label);
        // The cumulative may not fall, and this month must be the difference.
        let r = s
            .post_form(&app, &path, &[("month", "2026-10"), ("invest_month", "500"), ("invest_cumulative", "900")])
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("累计数不能下降"));
        let r = s
            .post_form(&app, &path, &[("month", "2026-10"), ("invest_month", "700"), ("invest_cumulative", "1500")])
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("当月完成投资应等于本月累计减上月累计"));
        let r =
            s.post_form(&app, &path, &[("month", "2099-01"), ("invest_month", "1"), ("invest_cumulative", "1")]).await;
        assert!(r.text().await.unwrap().contains("不能填报未来月份"));
        let r = s
            .post_form(
                &app,
                &path,
                &[
                    ("month", "2026-10"),
                    ("invest_month", "500"),
                    ("invest_cumulative", "1500"),
                    ("funds_domestic", "300"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        // Filing the same month again without its version is refused: corrections start from what was filed.
        let r = s
            .post_form(&app, &path, &[("month", "2026-10"), ("invest_month", "500"), ("invest_cumulative", "1500")])
            .await;
        assert_eq!(r.status(), 409);
        let r = s
            .post_form(
                &app,
                &path,
                &[("month", "2026-10"), ("version", "1"), ("invest_month", "600"), ("invest_cumulative", "1600")],
            )
            .await;
        assert_eq!(r.status(), 303);

        let page = s.get(&app, &path).await.text().await.unwrap();
        assert!(
            page.contains("2026-09") && page.contains("1600.00") && page.contains("逾期"),
            "September's report filed in November is late"
        );

        let leader = app.login("cs.leader").await;
        let overview = leader.get(&app, "/reports?month=2026-10&region=4301").await.text().await.unwrap();
        assert!(overview.contains("岳麓区") && overview.contains("600.00"), "{overview}");
        let missing = leader.get(&app, "/reports/missing?month=2026-10&region=4301").await.text().await.unwrap();
        assert!(missing.contains("望城某项目") && !missing.contains("岳麓某项目"), "{}: {missing}", t.label);
        assert_eq!(leader.get(&app, "/reports?region=4303").await.status(), 404);
        assert_eq!(
            leader.post_form(&app, &path, &[("month", "2026-10")]).await.status(),
            403,
            "a leader reads, does not file"
        );
        let _ = b;
    }
}

#[tokio::test]
async fn the_api_files_reports_and_refuses_a_stale_correction_with_412() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let id = signed_project(&t.db, "某项目", "4301").await;
        let token =
            zhaoshang::accounts::service::create_token(&t.db, &zhaoshang::audit::Actor::cli(), "cs.reporter", "t")
                .await
                .unwrap()
                .1;
        let c = reqwest::Client::new();
        let url = app.url(&format!("/api/v1/projects/{id}/reports"));
        let before = zhaoshang::cache::versions(&t.db).await.unwrap();
        let r = c
            .post(&url)
            .bearer_auth(&token)
            .json(&json!({"month": "2026-10", "invest_month": "10", "invest_cumulative": "10"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", t.label);
        let r = c
            .post(&url)
            .bearer_auth(&token)
            .header("if-match", "\"1\"")
            .json(&json!({"month": "2026-10", "invest_month": "20", "invest_cumulative": "20"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = c
            .post(&url)
            .bearer_auth(&token)
            .header("if-match", "\"1\"")
            .json(&json!({"month": "2026-10", "invest_month": "30", "invest_cumulative": "30"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 412);
        // Reports move the reports' version but not the projects' that project lists are kept under.
        use zhaoshang::cache::Area;
        let after = zhaoshang::cache::versions(&t.db).await.unwrap();
        assert_ne!(after.of(Area::Reports), before.of(Area::Reports), "{}", t.label);
        assert_eq!(after.of(Area::Projects), before.of(Area::Projects), "{}: lists stay kept", t.label);
        let list: Value = c.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(list[0]["invest_cumulative"], 20_000_000i64, "20 万元 = 200,000 元 = 20,000,000 分");
        let r = c
            .post(&url)
            .bearer_auth(&token)
            .json(&json!({"month": "2026-11", "invest_month": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.json::<Value>().await.unwrap()["fields"][0]["field"], "invest_month");
    }
}

//! Batch events: the summary a press release needs, through pages and API.

mod common;

use common::{backends, spawn};
use serde_json::Value;

#[tokio::test]
async fn a_batch_start_event_counts_its_projects_by_cumulative_bracket_region_and_industry() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let mut ids = Vec::new();
        for (name, region, yi_tenths, industry) in [
            ("甲", "43011251", 600, "3841"),
            ("乙", "430121", 120, "3841"),
            ("丙", "430112", 70, "4710"),
            ("丁", "430181", 6, ""),
        ] {
            let id = common::project(&t.db, &format!("{name}项目"), region).await;
            let mut c = t.db.conn().await.unwrap();
            let industry = Some(industry.to_string()).filter(|s| !s.is_empty());
            zhaoshang::q_exec!(
                &mut c.ex(),
                "UPDATE projects SET total_investment = $1, industry = $2 WHERE id = $3",
                yi_tenths * 1_000_000_000i64,
                industry,
                id
            )
            .unwrap();
            ids.push(id);
        }
        let s = app.login("cs.invest").await;
        let r = s
            .post_form(
                &app,
                "/batches",
                &[
                    ("kind", "集中开工"),
                    ("name", "2022 年长沙市重大项目集中开工"),
                    ("held_on", "2022-02-07"),
                    ("place", "长沙"),
                    ("region", "4301"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303, "{}", t.label);
        let bid =
            r.headers()["location"].to_str().unwrap().split('/').nth(2).unwrap().split('?').next().unwrap().to_string();
        for (name, plan) in [("甲项目", "150000"), ("乙项目", "30000"), ("丙项目", "20000"), ("丁项目", "3000")]
        {
            let r = s
                .post_form(&app, &format!("/batches/{bid}/members"), &[("project", name), ("annual_plan", plan)])
                .await;
            assert_eq!(r.status(), 303, "{name}");
        }
        let r = s.post_form(&app, &format!("/batches/{bid}/members"), &[("project", "不存在的项目")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("找不到项目“不存在的项目”"));
        let page = s.get(&app, &format!("/batches/{bid}/print")).await.text().await.unwrap();
        assert!(
            page.contains("项目 <b>4</b> 个，预估总投资 <b>79.60</b> 亿元，年度计划投资 <b>20.30</b> 亿元"),
            "{page}"
        );
        assert!(page.contains("50 亿元及以上项目 <b>1</b> 个，10 亿元及以上项目 <b>2</b> 个，5 亿元及以上项目 <b>3</b> 个，5000 万元及以上项目 <b>4</b> 个"), "{page}");
        assert!(page.contains("望城区") && page.contains("制造业"), "split by county and by 门类");

        let token =
            zhaoshang::accounts::service::create_token(&t.db, &zhaoshang::audit::Actor::cli(), "cs.leader", "t")
                .await
                .unwrap()
                .1;
        let j: Value = reqwest::Client::new()
            .get(app.url(&format!("/api/v1/batches/{bid}/summary")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(j["summary"]["count"], 4);
        assert_eq!(j["batch"]["held_on"], "2022-02-07", "dates are written as dates");
        assert_eq!(j["summary"]["brackets"][2]["count"], 3);
        assert_eq!(j["summary"]["by_region"][0]["name"], "望城区", "{j}");
        let xt = app.login("xt.leader").await;
        assert_eq!(xt.get(&app, &format!("/batches/{bid}")).await.status(), 404);
        let _ = ids;
    }
}

#[tokio::test]
async fn the_demo_event_of_2022_02_07_reproduces_the_figures_the_press_published() {
    for t in backends().await {
        let r = zhaoshang::demo::load(&t.db).await.unwrap();
        assert!(r.records.is_some());
        assert!(zhaoshang::demo::load(&t.db).await.unwrap().records.is_none(), "a second run adds nothing");
        let app = spawn(&t).await;
        let s = app.login("cs.leader").await;
        let list = s.get(&app, "/batches").await.text().await.unwrap();
        let id = list.split("/batches/").nth(1).unwrap().split('"').next().unwrap().to_string();
        let page = s.get(&app, &format!("/batches/{id}")).await.text().await.unwrap();
        assert!(
            page.contains("项目 <b>188</b> 个，预估总投资 <b>1502.00</b> 亿元，年度计划投资 <b>345.00</b> 亿元"),
            "{}: {page}",
            t.label
        );
        assert!(
            page.contains(
                "50 亿元及以上项目 <b>6</b> 个，10 亿元及以上项目 <b>35</b> 个，5 亿元及以上项目 <b>54</b> 个"
            )
        );
        let r = s.get(&app, &format!("/batches/{id}/export")).await;
        assert_eq!(r.status(), 200);
        let bytes = r.bytes().await.unwrap();
        let summary = zhaoshang::imports::read(&bytes, "x.xlsx").unwrap();
        let cell = |label: &str| {
            summary
                .rows
                .iter()
                .find(|r| r.cell(0) == Some(label))
                .map(|r| r.cell(1).unwrap_or("").to_string())
                .unwrap_or_default()
        };
        assert_eq!(cell("项目数"), "188", "{}: the workbook's first sheet is the summary", t.label);
        assert_eq!(cell("预估总投资（万元）"), "15020000");
        assert_eq!(cell("50 亿元及以上项目（个，累计口径）"), "6");
        assert_eq!(cell("5 亿元及以上项目（个，累计口径）"), "54");
        let desay = s.get(&app, "/projects?q=德赛电池储能电芯").await.text().await.unwrap();
        let pid = desay.split("<td><a href=\"/projects/").nth(1).unwrap().split('"').next().unwrap().to_string();
        let p = s.get(&app, &format!("/projects/{pid}")).await.text().await.unwrap();
        assert!(
            p.contains("75.00 亿元")
                && p.contains("863 亩")
                && p.contains("2023-05-19")
                && p.contains("望城经济技术开发区"),
            "{p}"
        );
        let missing = s.get(&app, "/reports/missing?region=4301").await.text().await.unwrap();
        assert!(missing.contains("未填报项目"));
    }
}

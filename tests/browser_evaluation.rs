//! The leader's journey through evaluation in a real browser: the province cockpit, the map by
//! 项目开工率, drilling into a city, a county, a park and the projects behind the figure; freezing a
//! quarterly ranking; publishing the 红旗/蜗牛 list with one committee swap; exporting the bulletin.

mod common;

use common::webdriver::start_driver;
use common::{backends, report, signed, spawn};
use time::macros::date;

/// Projects signed in 2026Q3 across three cities (one in 望城经开区), and 22 more in 长沙 so that the
/// quarter has candidates beyond the twenty on the lists.
async fn data(db: &zhaoshang::db::Db) {
    let q3 = date!(2026 - 07 - 15);
    for (i, (region, started)) in
        [("43011251", true), ("43011251", false), ("430104", true), ("430302", true), ("431002", false)]
            .iter()
            .enumerate()
    {
        let start = started.then_some(date!(2026 - 08 - 10));
        let id =
            signed(db, &format!("考核项目{i}"), region, 10 + i as i64, true, q3, Some(date!(2026 - 08 - 01)), start)
                .await;
        report(db, id, "2026-09", 5000, 3000, 20, 100).await;
    }
    for i in 0..22i64 {
        let start = date!(2026 - 04 - 01) + time::Duration::days(i * 4 - 20);
        let id = signed(
            db,
            &format!("候选项目{i:02}"),
            "430121",
            5,
            true,
            date!(2026 - 01 - 10),
            Some(date!(2026 - 04 - 01)),
            Some(start),
        )
        .await;
        report(db, id, "2026-09", 20000 - i * 800, 500, 1, 1).await;
    }
}

#[tokio::test]
async fn a_leader_drills_from_the_province_cockpit_to_projects_freezes_a_ranking_and_publishes_the_quarterly_list() {
    let Some(driver) = start_driver().await else { return };
    for t in backends().await {
        let t = t.with_demo().await;
        data(&t.db).await;
        let app = spawn(&t).await;
        let b = driver.browser(1400, 1000).await;
        b.login(&app, "hn.leader", common::PASSWORD).await;
        b.wait_for("您好").await;

        // The province cockpit; pick 2026Q3 and colour the map by 项目开工率.
        b.click(&b.link("驾驶舱").await).await;
        b.wait_for("湖南省驾驶舱").await;
        b.select("select[name=period]", "2026Q3").await;
        b.select("select[name=indicator]", "start_rate").await;
        b.click_css(".filters button").await;
        let page = b.wait_for("项目开工率分布").await;
        assert!(page.contains("2026 年第三季度"), "{}: {page}", t.label);
        assert_eq!(b.count("svg.map .tile").await, 14, "a tile per 市州");
        let title = b
            .exec(
                "return document.querySelector('svg.map a[href*=\"region=4301\"] title').textContent",
                serde_json::json!([]),
            )
            .await;
        // 长沙: 考核项目0, 2 started; 1 due but not started; the 22 candidates were signed in Q1. 2 of 3.
        assert_eq!(title, "长沙市：66.67%", "{}", t.label);
        b.screenshot("cockpit-province").await;

        // Into 长沙, then 望城区, then 望城经开区: each tile leads a level down.
        b.click_css("svg.map a[href*=\"region=4301&\"]").await;
        b.wait_for("长沙市驾驶舱").await;
        b.click_css("svg.map a[href*=\"region=430112&\"]").await;
        b.wait_for("望城区驾驶舱").await;
        b.click_css("svg.map a[href*=\"region=43011251&\"]").await;
        let park = b.wait_for("望城经开区驾驶舱").await;
        assert!(park.contains("没有下级单位"), "{park}");
        // The figure's own link opens the projects behind it: both due to start, one started.
        b.click_css("#headline a[href*=\"due_by=\"]").await;
        b.wait_path("/projects?").await;
        let list = b.wait_for("考核项目0").await;
        assert!(list.contains("考核项目1") && !list.contains("考核项目2") && list.contains("计划开工不晚于"), "{list}");
        b.screenshot("drill-projects").await;

        // Freeze the province's quarterly ranking of its cities.
        b.goto(&app, "/evaluation?region=43&period=2026Q3").await;
        b.wait_for("综合排名").await;
        b.click_css("#freeze").await;
        assert!(b.accept_alert().await.contains("冻结"));
        let snapshot = b.wait_for("冻结发布").await;
        assert!(
            snapshot.contains("湖南省2026 年第三季度下辖单位综合排名") && snapshot.contains("长沙市"),
            "{snapshot}"
        );

        // The quarterly 红旗/蜗牛 list: propose, swap one with a reason, publish.
        b.goto(&app, "/evaluation/flags?region=43&quarter=2026Q3").await;
        b.wait_for("按数据建议").await;
        b.click_css("#draft").await;
        b.wait_for("草稿").await;
        let red = b.table("#lists table.flags").await;
        let out = red[9][1].clone();
        // (value, text) of an option: the swap-out found by its name, the swap-in the first one offered.
        let option = |css: &'static str, text: String| {
            let b = &b;
            async move {
                let v = b
                    .exec(
                        "const o = [...document.querySelector(arguments[0]).options].find(o => o.text.startsWith(arguments[1]));
                         return [o.value, o.text.split('（')[0]]",
                        serde_json::json!([css, text]),
                    )
                    .await;
                (v[0].as_str().unwrap().to_string(), v[1].as_str().unwrap().to_string())
            }
        };
        let (in_value, incoming) = option("#swap-red select[name=in]", String::new()).await;
        let (out_value, _) = option("#swap-red select[name=out]", out.clone()).await;
        b.select("#swap-red select[name=in]", &in_value).await;
        b.select("#swap-red select[name=out]", &out_value).await;
        b.type_into("#swap-red textarea[name=reason]", "现场督查发现进度明显加快").await;
        b.click_css("#swap-red button").await;
        let swapped = b.wait_for("已调整，理由已记录").await;
        assert!(swapped.contains(&format!("调出“{out}”，调入“{incoming}”")), "{swapped}");
        b.click_css("#publish").await;
        assert!(b.accept_alert().await.contains("发布后名单冻结"));
        let bulletin = b.wait_for("十大红旗项目和十大蜗牛项目的通报").await;
        assert!(bulletin.contains("现场督查发现进度明显加快") && bulletin.contains(&incoming), "{bulletin}");
        b.screenshot("bulletin").await;
        let pdf = b.print_pdf().await;
        assert!(pdf.len() > 1000, "the bulletin prints");
        let href = b.attr("#bulletin a[href$=\"/export\"]", "href").await.unwrap();
        let (status, xlsx) = b.fetch(&app, &href).await;
        assert_eq!(status, 200);
        let sheet = zhaoshang::imports::read(&xlsx, "bulletin.xlsx").unwrap();
        assert!(
            sheet.rows.iter().any(|r| r.cell(1) == Some(incoming.as_str())),
            "the export holds the swapped-in project"
        );
        b.quit().await;
    }
}

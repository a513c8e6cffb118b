//! Imports end to end: real xlsx and GBK CSV files with mistakes in them, every error named by
//! row and column, nothing written until all rows are good, no duplicates on re-import.

mod common;

use common::{backends, spawn};
use serde_json::Value;
use zhaoshang::enterprises::model::CreditCode;
use zhaoshang::imports::{Cell, read, table};

fn xlsx(headers: &[&str], rows: &[Vec<&str>]) -> Vec<u8> {
    table("Sheet1", headers, rows.iter().map(|r| r.iter().map(|c| Cell::Text(c.to_string())).collect())).unwrap()
}

async fn upload(
    app: &common::TestApp,
    s: &common::Session,
    kind: &str,
    name: &str,
    data: Vec<u8>,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("kind", kind.to_string())
        .part("file", reqwest::multipart::Part::bytes(data).file_name(name.to_string()));
    s.client.post(app.url(&format!("/imports?_csrf={}", s.csrf))).multipart(form).send().await.unwrap()
}

#[tokio::test]
async fn an_officer_reads_every_error_fixes_the_file_imports_it_and_reimports_without_duplicates() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let s = app.login("cs.invest").await;
        let good1 = CreditCode::synthesize("430112", 11).to_string();
        let good2 = CreditCode::synthesize("430121", 12).to_string();
        let mut bad = good2.clone();
        bad.pop();
        bad.push(if good2.ends_with('1') { '2' } else { '1' });
        let headers = ["统一社会信用代码*", "企业名称*", "所在地区代码*", "企业规模", "企业标签", "备注"];
        let with_mistakes = xlsx(
            &headers,
            &[
                vec![&good1, "望城新材料有限公司", "430112", "中型", "规上、专精特新", "x"],
                vec![&bad, "星沙智造有限公司", "430121", "大型", "", ""],
                vec![&good1, "重复的一行", "430112", "", "", ""],
                vec![&CreditCode::synthesize("430300", 13).to_string(), "湘潭某公司", "4303", "巨型", "", ""],
            ],
        );
        let r = upload(&app, &s, "enterprises", "企业.xlsx", with_mistakes).await;
        assert_eq!(r.status(), 303, "{}", t.label);
        let preview_url = r.headers()["location"].to_str().unwrap().to_string();
        let page = s.get(&app, &preview_url).await.text().await.unwrap();
        assert!(page.contains("共 <b>4</b> 行"), "{page}");
        for needle in [
            "校验位错误",
            "与第 2 行重复",
            "不在您的管辖范围内",
            "企业规模“巨型”无效",
            "<td>统一社会信用代码</td>",
            "备注",
        ] {
            assert!(page.contains(needle), "{}: preview lacks “{needle}”", t.label);
        }
        assert!(!page.contains("id=\"commit\""), "no commit while errors remain");
        let r = s.post_form(&app, &format!("{preview_url}/commit"), &[]).await;
        assert_eq!(r.status(), 422);
        let mut c = t.db.conn().await.unwrap();
        assert!(
            zhaoshang::enterprises::store::by_credit_code(&mut c.ex(), &good1).await.unwrap().is_none(),
            "nothing written"
        );

        let fixed = xlsx(
            &headers,
            &[
                vec![&good1, "望城新材料有限公司", "430112", "中型", "规上、专精特新", ""],
                vec![&good2, "星沙智造有限公司", "430121", "大型", "", ""],
            ],
        );
        let r = upload(&app, &s, "enterprises", "企业.xlsx", fixed.clone()).await;
        let preview_url = r.headers()["location"].to_str().unwrap().to_string();
        let page = s.get(&app, &preview_url).await.text().await.unwrap();
        assert!(page.contains("新增 <b>2</b>") && page.contains("id=\"commit\""), "{page}");
        let r = s.post_form(&app, &format!("{preview_url}/commit"), &[]).await;
        assert_eq!(r.status(), 303);
        assert!(zhaoshang::enterprises::store::by_credit_code(&mut c.ex(), &good1).await.unwrap().is_some());
        assert_eq!(s.post_form(&app, &format!("{preview_url}/commit"), &[]).await.status(), 409, "a job commits once");

        let r = upload(&app, &s, "enterprises", "企业.xlsx", fixed).await;
        let page = s.get(&app, r.headers()["location"].to_str().unwrap()).await.text().await.unwrap();
        assert!(page.contains("新增 <b>0</b>，更新 <b>0</b>，无变化 <b>2</b>"), "{}: {page}", t.label);

        // Another user cannot see this officer's upload.
        assert_eq!(app.login("cs.reporter").await.get(&app, &preview_url).await.status(), 404);
    }
}

#[tokio::test]
async fn projects_and_reports_import_from_gbk_csv_through_the_api() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let investor = CreditCode::synthesize("441300", 77).to_string();
        let token =
            zhaoshang::accounts::service::create_token(&t.db, &zhaoshang::audit::Actor::cli(), "cs.invest", "t")
                .await
                .unwrap()
                .1;
        let c = reqwest::Client::new();
        let post = |kind: &str, name: &str, body: Vec<u8>| {
            c.post(app.url(&format!("/api/v1/imports?kind={kind}&filename={name}")))
                .bearer_auth(&token)
                .body(body)
                .send()
        };
        let ents = format!("统一社会信用代码,企业名称,所在地区代码\n{investor},惠州某电池有限公司,4301\n");
        let j: Value = post("enterprises", "e.csv", ents.into_bytes()).await.unwrap().json().await.unwrap();
        let j: Value = c
            .post(app.url(&format!("/api/v1/imports/{}/commit", j["id"].as_str().unwrap())))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(j["status"], "committed", "{j}");

        let csv = format!(
            "项目名称,所属地区代码,总投资（万元）,投资方信用代码,三产,计划开工日期\n储能电芯二期项目,43011251,30亿,{investor},二产,2026-03-01\n陶瓷材料项目,43011251,很多,,四产,2026-13-01\n"
        );
        let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
        let r = post("projects", "projects.csv", gbk.to_vec()).await.unwrap();
        assert_eq!(r.status(), 201, "{}", t.label);
        let j: Value = r.json().await.unwrap();
        assert_eq!(j["error_count"], 3, "{j}");
        let texts: Vec<&str> = j["errors"].as_array().unwrap().iter().map(|e| e["text"].as_str().unwrap()).collect();
        assert!(texts.iter().any(|t| t.starts_with("第 3 行，总投资（万元）列（值“很多”）")), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("三产列") && t.contains("“四产”无效")), "{texts:?}");
        let r = c
            .post(app.url(&format!("/api/v1/imports/{}/commit", j["id"].as_str().unwrap())))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "a file with errors writes nothing");

        let good =
            format!("项目名称,所属地区代码,总投资（万元）,投资方信用代码\n储能电芯二期项目,43011251,30亿,{investor}\n");
        let (gbk, _, _) = encoding_rs::GB18030.encode(&good);
        for round in 0..2 {
            let j: Value = post("projects", "projects.csv", gbk.to_vec()).await.unwrap().json().await.unwrap();
            assert_eq!(j["creates"], if round == 0 { 1 } else { 0 }, "{j}");
            let j: Value = c
                .post(app.url(&format!("/api/v1/imports/{}/commit", j["id"].as_str().unwrap())))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(j["status"], "committed");
        }
        let list: Value = c
            .get(app.url("/api/v1/projects?q=储能电芯二期"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 1, "re-importing created no duplicate");

        let reports = "项目名称,所属地区代码,月份,当月完成投资（万元）,累计完成投资（万元）\n储能电芯二期项目,43011251,2026-10,500,1500\n储能电芯二期项目,43011251,2026-09,1000,1000\n";
        let j: Value = post("reports", "r.csv", reports.as_bytes().to_vec()).await.unwrap().json().await.unwrap();
        assert_eq!((j["creates"].as_i64(), j["error_count"].as_i64()), (Some(2), Some(0)), "months in any order: {j}");
        let j: Value = c
            .post(app.url(&format!("/api/v1/imports/{}/commit", j["id"].as_str().unwrap())))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(j["status"], "committed");
        let bad = "项目名称,所属地区代码,月份,当月完成投资（万元）,累计完成投资（万元）\n储能电芯二期项目,43011251,2026-11,0,100\n";
        let j: Value = post("reports", "r.csv", bad.as_bytes().to_vec()).await.unwrap().json().await.unwrap();
        assert_eq!(j["error_count"], 1, "{j}");
        assert!(j["errors"][0]["text"].as_str().unwrap().contains("累计数不能下降"), "{j}");
    }
}

#[tokio::test]
async fn templates_download_as_xlsx_with_the_expected_headers() {
    let t = common::sqlite().await.with_demo().await;
    let app = spawn(&t).await;
    let s = app.login("cs.invest").await;
    for kind in ["enterprises", "projects", "reports"] {
        let r = s.get(&app, &format!("/imports/templates/{kind}")).await;
        assert_eq!(r.status(), 200);
        let bytes = r.bytes().await.unwrap();
        let sheet = read(&bytes, "t.xlsx").unwrap();
        assert!(!sheet.headers.is_empty() && sheet.rows.len() == 1, "{kind}: header row and one example");
    }
    let reporter = app.login("cs.reporter").await;
    assert_eq!(
        reporter.get(&app, "/imports/templates/projects").await.status(),
        403,
        "a reporter imports reports only"
    );
    assert_eq!(s.get(&app, "/imports/templates/nothing").await.status(), 404);
}

#[tokio::test]
async fn a_job_still_being_checked_shows_progress_and_one_abandoned_by_a_stopped_server_says_so() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let s = app.login("cs.invest").await;
        let running = common::import_job(&t.db, "cs.invest").await;
        let stale = common::import_job(&t.db, "cs.invest").await;
        let now = time::OffsetDateTime::now_utc();
        let mut c = t.db.conn().await.unwrap();
        for (id, started) in [(running, now), (stale, now - time::Duration::hours(2))] {
            zhaoshang::q_exec!(
                &mut c.ex(),
                "UPDATE import_jobs SET status = 'checking', row_count = 100000, started_at = $2 WHERE id = $1",
                id,
                started
            )
            .unwrap();
        }
        let page = s.get(&app, &format!("/imports/{running}")).await.text().await.unwrap();
        assert!(page.contains("正在检查") && page.contains("http-equiv=\"refresh\""), "{}: {page}", t.label);
        assert!(!page.contains("id=\"commit\""));
        let r = s.post_form(&app, &format!("/imports/{running}/commit"), &[]).await;
        assert_eq!(r.status(), 409, "a job cannot be committed while it is being checked");

        let page = s.get(&app, &format!("/imports/{stale}")).await.text().await.unwrap();
        assert!(page.contains("检查中断") && !page.contains("http-equiv=\"refresh\""), "{page}");
        let j: Value = s.get(&app, &format!("/api/v1/imports/{stale}")).await.json().await.unwrap();
        assert_eq!(j["status"], "failed");
    }
}

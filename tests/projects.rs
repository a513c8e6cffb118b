//! Projects through pages and API: create, move through the stages with evidence, health,
//! list filters and sorting, concurrent edits. SQLite and (when configured) PostgreSQL.

mod common;

use common::{backends, spawn};
use serde_json::{Value, json};
use zhaoshang::enterprises::model::CreditCode;

fn urlenc(s: &str) -> String {
    zhaoshang::web::auth::urlencode(s)
}

fn id_from(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().split('/').nth(2).unwrap().split('?').next().unwrap().to_string()
}

#[tokio::test]
async fn a_project_moves_through_its_stages_with_the_facts_each_step_needs() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let s = app.login("cs.invest").await;
        let investor = CreditCode::synthesize("441300", 1).to_string();
        let ent = s
            .post_form(
                &app,
                "/enterprises",
                &[
                    ("credit_code", &investor),
                    ("name", "惠州市德赛电池有限公司"),
                    ("region", "4301"),
                    ("origin", "省外"),
                    ("origin_place", "广东省"),
                ],
            )
            .await;
        assert_eq!(ent.status(), 303);
        let r = s
            .post_form(
                &app,
                "/projects",
                &[
                    ("name", "德赛电池储能电芯项目"),
                    ("region", "43011251"),
                    ("total_investment", "75亿"),
                    ("land_mu", "863"),
                    ("investors", &investor),
                    ("sources", "省外"),
                    ("sources", "粤港澳大湾区"),
                    ("tags", "省十大产业项目"),
                    ("industrial", "是"),
                    ("planned_sign", "2022-06-01"),
                    ("planned_start", "2022-08-01"),
                    ("planned_produce", "2023-05-01"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303, "{}: {}", t.label, r.text().await.unwrap_or_default());
        let id = id_from(&r);
        let path = format!("/projects/{id}/transition");

        // Skipping from 线索 to 签约 without a reason is refused, naming what is missing.
        let r = s.post_form(&app, &path, &[("to", "signed"), ("date", "2022-06-10")]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("须填写原因") && page.contains("签约须填写签约金额"), "{page}");

        for (to, extra) in [
            ("negotiating", vec![("date", "2022-05-20")]),
            ("signed", vec![("date", "2022-06-10"), ("amount", "75亿")]),
            ("registered", vec![("date", "2022-06-20"), ("credit_code", investor.as_str())]),
            ("land_supplied", vec![("date", "2022-07-15"), ("parcel", "望城经开区 2022-18 号"), ("area_mu", "863")]),
            ("started", vec![("date", "2022-08-18"), ("permit", "430122202208180101")]),
            ("producing", vec![("date", "2023-05-19")]),
        ] {
            let mut f = vec![("to", to)];
            f.extend(extra);
            let r = s.post_form(&app, &path, &f).await;
            assert_eq!(r.status(), 303, "{}: to {to}: {}", t.label, r.text().await.unwrap_or_default());
        }
        let page = s.get(&app, &format!("/projects/{id}")).await.text().await.unwrap();
        assert!(page.contains("投产") && page.contains("75.00 亿元") && page.contains("863 亩"), "{page}");
        assert!(
            page.contains("项目公司</dt><dd><a href=\"/enterprises/"),
            "the local company links to its record: {page}"
        );
        assert!(page.contains("滞后 18 天"), "投产 planned 2023-05-01, actual 2023-05-19: {page}");
        assert!(page.contains("签约→开工：<b>69</b> 天") && page.contains("签约→投产：<b>343</b> 天"), "{page}");

        // Evidence: a PDF is kept; a program posing as a PDF is refused.
        let upload = |name: &'static str, bytes: &'static [u8]| {
            let form = reqwest::multipart::Form::new()
                .text("stage", "producing")
                .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
            s.client.post(app.url(&format!("/projects/{id}/evidence?_csrf={}", s.csrf))).multipart(form).send()
        };
        assert_eq!(upload("投产仪式.pdf", b"%PDF-1.7 demo").await.unwrap().status(), 303);
        let r = upload("报告.pdf", b"MZ\x90\x00").await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("内容与扩展名 .pdf 不符"));
        let page = s.get(&app, &format!("/projects/{id}")).await.text().await.unwrap();
        let link =
            page.split(&format!("/projects/{id}/evidence/")).nth(1).unwrap().split('"').next().unwrap().to_string();
        let file = s.get(&app, &format!("/projects/{id}/evidence/{link}")).await;
        assert_eq!(file.headers()["content-type"], "application/pdf");
        assert_eq!(file.bytes().await.unwrap().as_ref(), b"%PDF-1.7 demo");

        // Going back needs a reason, is logged with it, and clears later milestones.
        let r = s.post_form(&app, &path, &[("to", "started"), ("date", "2023-06-01")]).await;
        assert_eq!(r.status(), 422);
        let r = s
            .post_form(
                &app,
                &path,
                &[("to", "started"), ("date", "2023-06-01"), ("override_reason", "试产不合格，退回建设")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let page = s.get(&app, &format!("/projects/{id}")).await.text().await.unwrap();
        assert!(page.contains("原因：试产不合格，退回建设"), "{page}");

        // Health is apart from stage and needs a reason unless normal.
        let r = s.post_form(&app, &format!("/projects/{id}/health"), &[("health", "stalled")]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("<option value=\"stalled\" selected>"), "the refused form keeps the chosen status");
        let r = s
            .post_form(&app, &format!("/projects/{id}/health"), &[("health", "stalled"), ("reason", "资金链紧张")])
            .await;
        assert_eq!(r.status(), 303);
        let list = s
            .get(&app, &format!("/projects?health=stalled&stage=started&source={}", urlenc("粤港澳大湾区")))
            .await
            .text()
            .await
            .unwrap();
        assert!(list.contains("德赛电池储能电芯项目"), "{}", t.label);
        let leader = app.login("cs.leader").await;
        assert!(leader.get(&app, &format!("/projects/{id}")).await.text().await.unwrap().contains("资金链紧张"));
        assert_eq!(app.login("xt.leader").await.get(&app, &format!("/projects/{id}")).await.status(), 404);
    }
}

#[tokio::test]
async fn the_list_filters_sorts_and_pages_and_refuses_bad_filters_clearly() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        for (name, region, amount) in [
            ("甲项目", "430104", "60亿"),
            ("乙项目", "430121", "12亿"),
            ("丙项目", "43011251", "6000"),
            ("丁项目", "4303", "80亿"),
        ] {
            let id = common::project(&t.db, name, region).await;
            let mut c = t.db.conn().await.unwrap();
            zhaoshang::q_exec!(
                &mut c.ex(),
                "UPDATE projects SET total_investment = $1 WHERE id = $2",
                zhaoshang::domain::money::Money::parse(amount).unwrap().0,
                id
            )
            .unwrap();
        }
        let s = app.login("cs.leader").await;
        let page = s.get(&app, "/projects?sort=-total").await.text().await.unwrap();
        let order: Vec<usize> = ["甲项目", "乙项目", "丙项目"].iter().map(|n| page.find(n).unwrap()).collect();
        assert!(order[0] < order[1] && order[1] < order[2], "sorted by total, descending");
        assert!(!page.contains("丁项目"), "{}: another city's project is not listed", t.label);
        let page = s.get(&app, &format!("/projects?min_total={}", urlenc("10亿"))).await.text().await.unwrap();
        assert!(page.contains("甲项目") && page.contains("乙项目") && !page.contains("丙项目"));
        let page = s.get(&app, "/projects?region=430112").await.text().await.unwrap();
        assert!(page.contains("丙项目") && !page.contains("甲项目"), "a county's subtree includes its parks");
        let r = s.get(&app, "/projects?stage=bogus&min_total=lots").await;
        assert_eq!(r.status(), 422);
        let text = r.text().await.unwrap();
        assert!(text.contains("项目阶段“bogus”无效") && text.contains("金额“lots”无法识别"), "{text}");
        assert_eq!(s.get(&app, "/projects?region=4303").await.status(), 404);
        let token =
            zhaoshang::accounts::service::create_token(&t.db, &zhaoshang::audit::Actor::cli(), "cs.leader", "t")
                .await
                .unwrap()
                .1;
        let j: Value = reqwest::Client::new()
            .get(app.url("/api/v1/projects?sort=name"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(j["total"], 3);
        // The view's order and count are cached until something changes: a project created now is
        // on the next load, in its place.
        let c = reqwest::Client::new();
        let by_total = || async {
            let j: Value = c
                .get(app.url("/api/v1/projects?sort=-total"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let names: Vec<String> =
                j["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect();
            (j["total"].as_i64().unwrap(), names)
        };
        assert_eq!(by_total().await, (3, vec!["甲项目".to_string(), "乙项目".into(), "丙项目".into()]));
        let invest =
            zhaoshang::accounts::service::create_token(&t.db, &zhaoshang::audit::Actor::cli(), "cs.invest", "t")
                .await
                .unwrap()
                .1;
        let body = json!({"name": "戊项目", "region": "430104", "total_investment": "8亿"});
        let r = c.post(app.url("/api/v1/projects")).bearer_auth(&invest).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 201, "{}", t.label);
        let fresh = (4, vec!["甲项目".to_string(), "乙项目".into(), "戊项目".into(), "丙项目".into()]);
        assert_eq!(by_total().await, fresh, "{}", t.label);

        // "Export this view": the same filter and order, in a real xlsx and a CSV.
        let r = s.get(&app, &format!("/projects/export/xlsx?sort=-total&min_total={}", urlenc("10亿"))).await;
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains(".xlsx"));
        let sheet = zhaoshang::imports::read(&r.bytes().await.unwrap(), "x.xlsx").unwrap();
        let names: Vec<String> = sheet.rows.iter().map(|row| row.cell(2).unwrap_or("").to_string()).collect();
        assert_eq!(names, ["甲项目", "乙项目"], "{}: the export holds exactly the view", t.label);
        let csv = s.get(&app, "/projects/export/csv?sort=name").await.text().await.unwrap();
        assert!(
            csv.trim_start_matches('\u{feff}').starts_with("项目编号,")
                && !csv.contains("丁项目")
                && csv.contains("丙项目"),
            "{csv}"
        );
        assert_eq!(s.get(&app, "/projects/export/pdf").await.status(), 404);
        assert_eq!(s.get(&app, "/projects/export/xlsx?region=4303").await.status(), 404);
    }
}

#[tokio::test]
async fn the_api_creates_and_moves_projects_and_refuses_stale_versions() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let token =
            zhaoshang::accounts::service::create_token(&t.db, &zhaoshang::audit::Actor::cli(), "cz.invest", "t")
                .await
                .unwrap()
                .1;
        let c = reqwest::Client::new();
        let body = json!({"name": "永兴稀贵金属再生利用项目", "region": "43102351", "total_investment": "15亿", "planned_sign": "2026-01-10"});
        let r = c.post(app.url("/api/v1/projects")).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 201, "{}", t.label);
        let p: Value = r.json().await.unwrap();
        let url = app.url(&format!("/api/v1/projects/{}", p["id"].as_str().unwrap()));
        let r = c
            .post(format!("{url}/transitions"))
            .bearer_auth(&token)
            .header("if-match", "\"1\"")
            .json(&json!({"to": "洽谈", "date": "2026-01-05"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["etag"], "\"2\"");
        let r = c
            .post(format!("{url}/transitions"))
            .bearer_auth(&token)
            .header("if-match", "\"1\"")
            .json(&json!({"to": "签约", "date": "2026-01-10", "amount": "15亿"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 412, "a stale version is refused");
        let r = c
            .post(format!("{url}/transitions"))
            .bearer_auth(&token)
            .json(&json!({"to": "签约", "date": "2026-01-10"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.json::<Value>().await.unwrap()["fields"][0]["field"], "amount");
        let r = c
            .post(format!("{url}/transitions"))
            .bearer_auth(&token)
            .json(&json!({"to": "签约", "date": "2026-01-10", "amount": "15亿", "colour": "red"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "unknown fields are refused");
        let r = c
            .post(format!("{url}/transitions"))
            .bearer_auth(&token)
            .json(&json!({"to": "签约", "date": "2026-01-10", "amount": "15亿"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["stage_label"], "签约");
        assert_eq!(p["contracted_amount"], 150_000_000_000i64);
        let mut edit = body.clone();
        edit["name"] = json!("改名");
        let r = c.put(&url).bearer_auth(&token).header("if-match", "\"2\"").json(&edit).send().await.unwrap();
        assert_eq!(r.status(), 412);
        assert!(r.json::<Value>().await.unwrap()["message"].as_str().unwrap().contains("第 3 版"));
    }
}

#[tokio::test]
async fn a_retried_post_with_the_same_idempotency_key_creates_one_project_and_gets_the_first_answer() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let token =
            zhaoshang::accounts::service::create_token(&t.db, &zhaoshang::audit::Actor::cli(), "cz.invest", "t")
                .await
                .unwrap()
                .1;
        let c = reqwest::Client::new();
        let body = json!({"name": "郴州重试项目", "region": "4310", "total_investment": "3亿"});
        let post = |key: &'static str, body: Value| {
            c.post(app.url("/api/v1/projects")).bearer_auth(&token).header("idempotency-key", key).json(&body).send()
        };
        let first = post("retry-0001", body.clone()).await.unwrap();
        assert_eq!(first.status(), 201, "{}", t.label);
        assert!(first.headers().get("idempotent-replayed").is_none());
        let first: Value = first.json().await.unwrap();
        let again = post("retry-0001", body.clone()).await.unwrap();
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.headers()["etag"], "\"1\"");
        let again: Value = again.json().await.unwrap();
        assert_eq!(again["id"], first["id"], "the retry answers with the project the first request made");

        let mut other = body.clone();
        other["name"] = json!("另一个项目");
        let r = post("retry-0001", other).await.unwrap();
        assert_eq!(r.status(), 422, "a key reused for a different request is refused");
        assert!(r.json::<Value>().await.unwrap()["message"].as_str().unwrap().contains("不同的请求"));
        let r = post("含 空格", body.clone()).await;
        assert!(r.is_err() || r.unwrap().status() == 422, "a key that is not visible ASCII is refused");

        // A request that failed validation is answered the same way again, and still writes nothing.
        let bad = json!({"name": "", "region": "4310", "total_investment": "3亿"});
        assert_eq!(post("retry-0002", bad.clone()).await.unwrap().status(), 422);
        assert_eq!(post("retry-0002", bad).await.unwrap().status(), 422);

        // Two copies sent at once: one creates, the other waits its turn or replays; never two projects.
        let (a, b) = tokio::join!(post("retry-0003", body.clone()), post("retry-0003", body.clone()));
        let statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
        assert!(statuses.contains(&201) && statuses.iter().all(|s| [201, 409].contains(s)), "{statuses:?}");

        let mut conn = t.db.conn().await.unwrap();
        let n: i64 = zhaoshang::q_scalar!(
            &mut conn.ex(),
            fetch_one,
            i64,
            "SELECT count(*) FROM projects WHERE name = $1",
            "郴州重试项目"
        )
        .unwrap();
        assert_eq!(n, 2, "{}: one project per key", t.label);
    }
}

#[tokio::test]
async fn speed_shows_median_days_between_milestones_per_unit_and_drills_down() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        // (name, region, signed, started, producing)
        for (name, region, sign, start, produce) in [
            ("速度甲", "43011251", "2023-06-08", Some("2023-06-18"), Some("2023-12-04")),
            ("速度乙", "430112", "2023-01-01", Some("2023-01-31"), None),
            ("速度丙", "430104", "2023-03-01", Some("2023-03-21"), Some("2023-09-01")),
            ("速度丁", "4303", "2023-03-01", Some("2023-03-02"), None),
        ] {
            let id = common::project(&t.db, name, region).await;
            let mut c = t.db.conn().await.unwrap();
            let d = |s: &str| time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).unwrap();
            zhaoshang::q_exec!(
                &mut c.ex(),
                "UPDATE projects SET stage = 'started', actual_sign = $1, actual_start = $2, actual_produce = $3 WHERE id = $4",
                d(sign),
                start.map(d),
                produce.map(d),
                id
            )
            .unwrap();
        }
        let s = app.login("cs.leader").await;
        let page = s.get(&app, "/projects/speed").await.text().await.unwrap();
        assert!(!page.contains("湘潭"), "{}: another city's project is not counted", t.label);
        // 望城区: 10 and 30 days to start → 20; 岳麓区: 20. All of 长沙: 10, 20, 30 → 20; 签约→投产 179 and 184 → 181.5.
        assert!(page.contains("望城区") && page.contains("岳麓区"), "{page}");
        assert!(page.contains("<b>181.5</b>"), "{page}");
        let api: Value = s.get(&app, "/api/v1/projects/speed").await.json().await.unwrap();
        assert_eq!(api["total"]["projects"], 3);
        assert_eq!(api["total"]["sign_to_start"]["median_days"], 20.0);
        assert_eq!(api["total"]["sign_to_produce"]["n"], 2);
        let wangcheng = api["rows"].as_array().unwrap().iter().find(|r| r["region"] == "430112").unwrap();
        assert_eq!(wangcheng["start_to_produce"]["median_days"], 169.0);
        let down: Value = s.get(&app, "/api/v1/projects/speed?region=430112").await.json().await.unwrap();
        assert_eq!(down["rows"].as_array().unwrap().len(), 2, "望城区 splits into itself and its park: {down}");
        let r = s.get(&app, "/projects/speed/export").await;
        let sheet = zhaoshang::imports::read(&r.bytes().await.unwrap(), "x.xlsx").unwrap();
        assert_eq!(sheet.rows.last().unwrap().cell(1), Some("合计"));
        assert_eq!(s.get(&app, "/projects/speed?region=4303").await.status(), 404);
        assert_eq!(s.get(&app, "/projects/speed?signed_from=soon").await.status(), 422);
    }
}

#[tokio::test]
async fn a_stored_stage_or_health_outside_the_set_is_an_error_when_read_not_a_silent_default() {
    for t in common::backends().await {
        let t = t.with_demo().await;
        let id = common::project(&t.db, "编码有误的项目", "430121").await;
        let mut c = t.db.conn().await.unwrap();
        let read = zhaoshang::projects::store::get(&mut c.ex(), id).await.unwrap().expect("the project");
        assert_eq!(read.p.stage, zhaoshang::projects::stage::Stage::Lead, "{}", t.label);
        assert_eq!(read.p.health, zhaoshang::projects::stage::Health::Normal, "{}", t.label);
        for sql in [
            "UPDATE projects SET stage = 'paused' WHERE id = $1",
            "UPDATE projects SET health = 'delayed' WHERE id = $1",
        ] {
            zhaoshang::q_exec!(&mut c.ex(), sql, id).unwrap();
            let err = zhaoshang::projects::store::get(&mut c.ex(), id).await.expect_err("an unknown code is refused");
            assert!(err.to_string().contains("unknown"), "{}: {err}", t.label);
            zhaoshang::q_exec!(&mut c.ex(), "UPDATE projects SET stage = 'lead', health = 'normal' WHERE id = $1", id)
                .unwrap();
        }
    }
}

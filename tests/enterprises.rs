//! Enterprises through the pages and the API, on SQLite and (when configured) PostgreSQL.

mod common;

use common::{backends, spawn};
use serde_json::{Value, json};
use zhaoshang::enterprises::model::CreditCode;

fn form<'a>(code: &'a str, name: &'a str, region: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("credit_code", code),
        ("name", name),
        ("region", region),
        ("industry", "3841"),
        ("size", "大型"),
        ("ownership", "民营"),
        ("tag", "规上"),
        ("tag", "链主"),
        ("origin", "省外"),
        ("origin_place", "广东省"),
    ]
}

#[tokio::test]
async fn an_officer_registers_an_enterprise_and_finds_it_by_name_initials_or_code() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let s = app.login("cs.invest").await;
        let code = CreditCode::synthesize("430112", 4242).to_string();
        let r = s.post_form(&app, "/enterprises", &form(&code, "德赛电池（湖南）有限公司", "43011251")).await;
        assert_eq!(r.status(), 303, "{}", t.label);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        let page = s.get(&app, &to).await.text().await.unwrap();
        assert!(page.contains("企业已登记") && page.contains("规上、链主") && page.contains("电池制造"), "{page}");
        for q in ["德赛", "dsdc", "desai", &code, &code.to_lowercase()] {
            let list = s.get(&app, &format!("/enterprises?q={}", urlenc(q))).await.text().await.unwrap();
            assert!(list.contains("德赛电池（湖南）有限公司"), "{}: “{q}” did not find it", t.label);
        }
        let none = s.get(&app, "/enterprises?q=zzzz").await.text().await.unwrap();
        assert!(none.contains("没有符合条件的企业"));
        let by_tag =
            s.get(&app, &format!("/enterprises?tag={}&region=430112", urlenc("链主"))).await.text().await.unwrap();
        assert!(by_tag.contains("德赛电池"));
        let other_tag = s.get(&app, &format!("/enterprises?tag={}", urlenc("上市"))).await.text().await.unwrap();
        assert!(!other_tag.contains("德赛电池"));
    }
}

fn urlenc(s: &str) -> String {
    zhaoshang::web::auth::urlencode(s)
}

#[tokio::test]
async fn a_bad_form_names_every_wrong_field_and_saves_nothing() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let s = app.login("cs.invest").await;
        let r = s
            .post_form(
                &app,
                "/enterprises",
                &[
                    ("credit_code", "91430100MA4L12346E"),
                    ("name", ""),
                    ("region", "4301"),
                    ("industry", "9999"),
                    ("size", "巨型"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("校验位错误（第 18 位应为 D"), "{page}");
        assert!(page.contains("企业名称不能为空") && page.contains("企业规模“巨型”无效"), "{page}");
        let r = s
            .post_form(&app, "/enterprises", &form(&CreditCode::synthesize("430100", 1).to_string(), "某公司", "4303"))
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("不在您的管辖范围内"), "{}", t.label);
        let list = s.get(&app, "/enterprises").await.text().await.unwrap();
        assert!(list.contains("没有符合条件的企业"));
    }
}

#[tokio::test]
async fn a_duplicate_credit_code_points_to_the_existing_record() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let s = app.login("cs.invest").await;
        let code = CreditCode::synthesize("430100", 77).to_string();
        assert_eq!(s.post_form(&app, "/enterprises", &form(&code, "甲公司", "4301")).await.status(), 303);
        let r = s.post_form(&app, "/enterprises", &form(&code, "乙公司", "430104")).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("已登记为“甲公司”") && page.contains("/enterprises/"), "{page}");
        // From a city that cannot see it, the name is not revealed.
        let xt = zhaoshang::accounts::service::create_token(&t.db, &zhaoshang::audit::Actor::cli(), "cz.invest", "t")
            .await
            .unwrap()
            .1;
        let body = json!({"credit_code": code, "name": "丙公司", "region": "4310"});
        let r = reqwest::Client::new()
            .post(app.url("/api/v1/enterprises"))
            .bearer_auth(xt)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let j: Value = r.json().await.unwrap();
        assert_eq!(j["fields"][0]["field"], "credit_code");
        assert!(
            j["message"].as_str().unwrap().contains("其他地区") && !j["message"].as_str().unwrap().contains("甲公司"),
            "{j}"
        );
    }
}

#[tokio::test]
async fn two_officials_editing_at_once_never_overwrite_each_other_silently() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let id = common::enterprise(&t.db, "长沙某科技有限公司", "430104").await;
        let a = app.login("cs.invest").await;
        let code = {
            let mut c = t.db.conn().await.unwrap();
            zhaoshang::enterprises::store::get(&mut c.ex(), id).await.unwrap().unwrap().e.credit_code
        };
        let mut first = form(&code, "长沙某科技股份有限公司", "430104");
        first.push(("version", "1"));
        assert_eq!(a.post_form(&app, &format!("/enterprises/{id}"), &first).await.status(), 303);
        // The second official still has version 1 on screen.
        let mut second = form(&code, "长沙某科技集团", "430104");
        second.push(("version", "1"));
        let r = a.post_form(&app, &format!("/enterprises/{id}"), &second).await;
        assert_eq!(r.status(), 409);
        let page = r.text().await.unwrap();
        assert!(
            page.contains("第 1 版") && page.contains("第 2 版") && page.contains("名称现为“长沙某科技股份有限公司”"),
            "{page}"
        );
        let shown = a.get(&app, &format!("/enterprises/{id}")).await.text().await.unwrap();
        assert!(shown.contains("长沙某科技股份有限公司") && !shown.contains("长沙某科技集团"), "{}", t.label);
    }
}

#[tokio::test]
async fn the_api_uses_etags_and_if_match_and_refuses_a_stale_update_with_412() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let token =
            zhaoshang::accounts::service::create_token(&t.db, &zhaoshang::audit::Actor::cli(), "cs.invest", "t")
                .await
                .unwrap()
                .1;
        let c = reqwest::Client::new();
        let code = CreditCode::synthesize("430121", 9).to_string();
        let body =
            json!({"credit_code": code, "name": "星沙智造有限公司", "region": "430121", "tags": "专精特新、小巨人"});
        let r = c.post(app.url("/api/v1/enterprises")).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 201);
        assert_eq!(r.headers()["etag"], "\"1\"");
        let created: Value = r.json().await.unwrap();
        assert_eq!(created["tags"], json!(["专精特新", "小巨人"]));
        let url = app.url(&format!("/api/v1/enterprises/{}", created["id"].as_str().unwrap()));
        let mut edit = body.clone();
        edit["name"] = json!("星沙智造股份有限公司");
        let r = c.put(&url).bearer_auth(&token).json(&edit).send().await.unwrap();
        assert_eq!(r.status(), 422, "If-Match is required");
        let r = c.put(&url).bearer_auth(&token).header("if-match", "\"1\"").json(&edit).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["etag"], "\"2\"");
        edit["name"] = json!("另一个名字");
        let r = c.put(&url).bearer_auth(&token).header("if-match", "\"1\"").json(&edit).send().await.unwrap();
        assert_eq!(r.status(), 412);
        let j: Value = r.json().await.unwrap();
        assert_eq!(j["code"], "precondition_failed");
        assert!(j["message"].as_str().unwrap().contains("星沙智造股份有限公司"), "{j}");
        let list: Value = c
            .get(app.url("/api/v1/enterprises?q=xszz"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 1, "{}: {list}", t.label);
    }
}

#[tokio::test]
async fn an_enterprise_in_another_city_does_not_exist_for_a_leader_and_edits_are_audited() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let xt = common::enterprise(&t.db, "湘潭某电机有限公司", "4303").await;
        let cs = app.login("cs.leader").await;
        assert_eq!(cs.get(&app, &format!("/enterprises/{xt}")).await.status(), 404);
        assert!(!cs.get(&app, "/enterprises").await.text().await.unwrap().contains("湘潭某电机"));
        assert_eq!(cs.get(&app, "/enterprises?region=4303").await.status(), 404);
        let xtl = app.login("xt.leader").await;
        assert!(xtl.get(&app, "/enterprises").await.text().await.unwrap().contains("湘潭某电机"));
        assert_eq!(
            xtl.get(&app, &format!("/enterprises/{xt}/edit")).await.status(),
            403,
            "a leader reads, does not edit"
        );

        let officer = app.login("cs.invest").await;
        let code = CreditCode::synthesize("430104", 5).to_string();
        let r = officer.post_form(&app, "/enterprises", &form(&code, "岳麓某公司", "430104")).await;
        let id =
            r.headers()["location"].to_str().unwrap().split('/').nth(2).unwrap().split('?').next().unwrap().to_string();
        let mut edit = form(&code, "岳麓某股份公司", "430104");
        edit.push(("version", "1"));
        assert_eq!(officer.post_form(&app, &format!("/enterprises/{id}"), &edit).await.status(), 303);
        let mut c = t.db.conn().await.unwrap();
        let f = zhaoshang::audit::store::Filter { entity_id: Some(id.clone()), ..Default::default() };
        let (rows, _) = zhaoshang::audit::store::list(&mut c.ex(), &[("/".into(), true)], &f).await.unwrap();
        let update = rows.iter().find(|r| r.action == "enterprise.update").expect("update audited");
        assert!(update.before_json.as_deref().unwrap().contains("岳麓某公司"));
        assert!(update.after_json.as_deref().unwrap().contains("岳麓某股份公司"));
        assert_eq!(update.actor_name, "cs.invest");
    }
}

//! Out of scope reads exactly like not found: a record of another region, named by id or code in a
//! form, a pre-filled link, an API call or an imported file, answers with the same status and the
//! same words as an id or code nobody ever used — never its name, never that it exists elsewhere.
//! SQLite and (when configured) PostgreSQL.

mod common;

use common::{Session, TestApp, backends, spawn};
use serde_json::{Value, json};
use uuid::Uuid;

/// A GET's status and body, with `id` written as "ID" so that two answers can be compared.
async fn get_as(app: &TestApp, s: &Session, path: &str, id: &str) -> (u16, String) {
    let r = s.get(app, &path.replace("ID", id)).await;
    (r.status().as_u16(), r.text().await.unwrap().replace(id, "ID"))
}

async fn post_form_as(app: &TestApp, s: &Session, path: &str, fields: &[(&str, &str)], id: &str) -> (u16, String) {
    let fields: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, v.replace("ID", id))).collect();
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = s.post_form(app, path, &borrowed).await;
    (r.status().as_u16(), r.text().await.unwrap().replace(id, "ID"))
}

async fn post_json_as(app: &TestApp, s: &Session, path: &str, body: &Value, id: &str) -> (u16, String) {
    let body: Value = serde_json::from_str(&body.to_string().replace("ID", id)).unwrap();
    let r = s.post_json(app, path, &body).await;
    (r.status().as_u16(), r.text().await.unwrap().replace(id, "ID"))
}

async fn count(t: &common::TestDb, sql: &str) -> i64 {
    let mut c = t.db.conn().await.unwrap();
    zhaoshang::q_scalar!(&mut c.ex(), fetch_one, i64, sqlx::AssertSqlSafe(sql)).unwrap()
}

#[tokio::test]
async fn the_appeal_form_names_no_record_outside_the_scope_and_reads_like_an_unknown_id() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let ent = common::enterprise(&t.db, "湘潭保密测试企业", "4303").await.to_string();
        let project = common::project(&t.db, "湘潭保密测试项目", "4303").await.to_string();
        let visit = common::visit(&t.db, ent.parse().unwrap(), "4303").await.to_string();
        let nobody = Uuid::now_v7().to_string();
        let sp = app.login("cs.service").await;
        for (param, id) in [("enterprise", &ent), ("project", &project), ("visit", &visit)] {
            let path = format!("/service/appeals/new?{param}=ID");
            let out = get_as(&app, &sp, &path, id).await;
            assert!(!out.1.contains("湘潭保密测试"), "{}: {param} names the record: {}", t.label, out.1);
            assert_eq!(out, get_as(&app, &sp, &path, &nobody).await, "{}: {param}", t.label);
        }
        // In scope, the form does name its subject.
        let own = common::enterprise(&t.db, "长沙可见测试企业", "430104").await;
        let page = sp.get(&app, &format!("/service/appeals/new?enterprise={own}")).await.text().await.unwrap();
        assert!(page.contains("长沙可见测试企业"), "{}", t.label);
    }
}

#[tokio::test]
async fn an_appeal_about_a_project_or_enterprise_outside_the_scope_is_refused_like_an_unknown_one() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let own = common::enterprise(&t.db, "长沙诉求测试企业", "430104").await.to_string();
        let ent = common::enterprise(&t.db, "湘潭保密测试企业", "4303").await.to_string();
        let project = common::project(&t.db, "湘潭保密测试项目", "4303").await.to_string();
        let nobody = Uuid::now_v7().to_string();
        let sp = app.login("cs.service").await;
        let base = [("title", "用地指标"), ("detail", "企业反映的问题"), ("category", "01")];

        // Page: an in-scope enterprise with another region's project.
        let mut fields = base.to_vec();
        fields.extend([("enterprise", own.as_str()), ("project", "ID")]);
        let out = post_form_as(&app, &sp, "/service/appeals", &fields, &project).await;
        assert_eq!(out.0, 422, "{}: the appeal must not be raised: {}", t.label, out.1);
        assert!(!out.1.contains("湘潭"), "{}", out.1);
        assert_eq!(out, post_form_as(&app, &sp, "/service/appeals", &fields, &nobody).await, "{}", t.label);

        // API: the same, and an enterprise of another region by id.
        let body = json!({"title": "用地指标", "detail": "企业反映的问题", "category": "01", "enterprise": own, "project": "ID"});
        let out = post_json_as(&app, &sp, "/api/v1/appeals", &body, &project).await;
        assert_eq!(out.0, 422, "{}: {}", t.label, out.1);
        assert_eq!(out, post_json_as(&app, &sp, "/api/v1/appeals", &body, &nobody).await, "{}", t.label);
        let body = json!({"title": "用地指标", "detail": "企业反映的问题", "category": "01", "enterprise": "ID"});
        let out = post_json_as(&app, &sp, "/api/v1/appeals", &body, &ent).await;
        assert!(!out.1.contains("湘潭") && !out.1.contains("管辖"), "{}", out.1);
        assert_eq!(out, post_json_as(&app, &sp, "/api/v1/appeals", &body, &nobody).await, "{}", t.label);
        // A project alone, of another region.
        let body = json!({"title": "用地指标", "detail": "企业反映的问题", "category": "01", "project": "ID"});
        let out = post_json_as(&app, &sp, "/api/v1/appeals", &body, &project).await;
        assert!(!out.1.contains("湘潭"), "{}", out.1);
        assert_eq!(out, post_json_as(&app, &sp, "/api/v1/appeals", &body, &nobody).await, "{}", t.label);
        assert_eq!(count(&t, "SELECT count(*) FROM appeals").await, 0, "{}", t.label);
    }
}

#[tokio::test]
async fn a_visit_to_an_enterprise_outside_the_scope_is_refused_like_an_unknown_one() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let ent = common::enterprise(&t.db, "湘潭保密测试企业", "4303").await.to_string();
        let own = common::enterprise(&t.db, "长沙走访测试企业", "430104").await.to_string();
        let project = common::project(&t.db, "湘潭保密测试项目", "4303").await.to_string();
        let nobody = Uuid::now_v7().to_string();
        let sp = app.login("cs.service").await;
        let today = zhaoshang::projects::service::today().to_string();
        let body =
            json!({"enterprise": "ID", "visited_on": today, "participants": [{"name": "赵六"}], "topics": "回访"});
        let out = post_json_as(&app, &sp, "/api/v1/visits", &body, &ent).await;
        assert_eq!(out.0, 422, "{}", t.label);
        assert!(!out.1.contains("湘潭") && !out.1.contains("管辖"), "{}: {}", t.label, out.1);
        assert_eq!(out, post_json_as(&app, &sp, "/api/v1/visits", &body, &nobody).await, "{}", t.label);
        // The form, pre-filled by id, shows nothing of it either.
        let out = get_as(&app, &sp, "/service/visits/new?enterprise=ID", &ent).await;
        assert!(!out.1.contains("湘潭保密测试企业"), "{}", out.1);
        assert_eq!(out, get_as(&app, &sp, "/service/visits/new?enterprise=ID", &nobody).await, "{}", t.label);
        // A project of another region, unrelated to the enterprise, is not named.
        let body = json!({"enterprise": own, "project": "ID", "visited_on": today,
            "participants": [{"name": "赵六"}], "topics": "回访"});
        let out = post_json_as(&app, &sp, "/api/v1/visits", &body, &project).await;
        assert_eq!(out.0, 422, "{}: {}", t.label, out.1);
        assert!(!out.1.contains("湘潭"), "{}", out.1);
        assert_eq!(out, post_json_as(&app, &sp, "/api/v1/visits", &body, &nobody).await, "{}", t.label);
    }
}

/// Uploads a CSV through the API and returns its errors.
async fn import_errors(app: &TestApp, token: &str, kind: &str, csv: String) -> Vec<String> {
    let r = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/imports?kind={kind}&filename=f.csv")))
        .bearer_auth(token)
        .body(csv.into_bytes())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let j: Value = r.json().await.unwrap();
    // Row, column, whole value and message (the text shortens long values).
    let cell = |e: &Value| format!("{}|{}|{}|{}", e["row"], e["column"], e["value"], e["message"]);
    j["errors"].as_array().unwrap().iter().map(cell).collect()
}

#[tokio::test]
async fn an_import_naming_a_project_outside_the_scope_reads_like_an_unknown_code_or_id() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let project = common::project(&t.db, "湘潭保密测试项目", "4303").await;
        let code = "P2601430300123456";
        {
            let mut c = t.db.conn().await.unwrap();
            zhaoshang::q_exec!(&mut c.ex(), "UPDATE projects SET code = $1 WHERE id = $2", code, project).unwrap();
        }
        let token =
            zhaoshang::accounts::service::create_token(&t.db, &zhaoshang::audit::Actor::cli(), "cs.invest", "t")
                .await
                .unwrap()
                .1;
        let unknown = "P2601430100999999";
        let report =
            |c: &str| format!("项目代码,月份,当月完成投资（万元）,累计完成投资（万元）\n{c},2026-01,100,100\n");
        let leaked = import_errors(&app, &token, "reports", report(code)).await;
        let plain = import_errors(&app, &token, "reports", report(unknown)).await;
        assert_eq!(leaked.len(), 1, "{}: {leaked:?}", t.label);
        assert_eq!(leaked[0].replace(code, "CODE"), plain[0].replace(unknown, "CODE"), "{}", t.label);
        assert!(!leaked[0].contains("湘潭") && !leaked[0].contains("管辖"), "{leaked:?}");
        // By id as well, for reports and for projects.
        let nobody = Uuid::now_v7().to_string();
        let by_id =
            |id: &str| format!("项目编号,月份,当月完成投资（万元）,累计完成投资（万元）\n{id},2026-01,100,100\n");
        let leaked = import_errors(&app, &token, "reports", by_id(&project.to_string())).await;
        let plain = import_errors(&app, &token, "reports", by_id(&nobody)).await;
        assert_eq!(leaked[0].replace(&project.to_string(), "ID"), plain[0].replace(&nobody, "ID"), "{}", t.label);
        let edit = |id: &str| format!("项目编号,项目名称,所属地区代码,总投资（万元）\n{id},改名项目,430104,100\n");
        let leaked = import_errors(&app, &token, "projects", edit(&project.to_string())).await;
        let plain = import_errors(&app, &token, "projects", edit(&nobody)).await;
        assert_eq!(leaked.len(), 1, "{}: {leaked:?}", t.label);
        assert_eq!(leaked[0].replace(&project.to_string(), "ID"), plain[0].replace(&nobody, "ID"), "{}", t.label);
    }
}

#[tokio::test]
async fn a_list_continued_after_a_project_outside_the_scope_reads_like_one_after_an_unknown_id() {
    for t in backends().await {
        let t = t.with_demo().await;
        for i in 0..3 {
            common::project(&t.db, &format!("长沙翻页测试项目{i}"), "430104").await;
        }
        let hidden = common::project(&t.db, "湘潭翻页保密项目", "4303").await.to_string();
        let nobody = Uuid::now_v7().to_string();
        let app = spawn(&t).await;
        let s = app.login("cs.leader").await;
        // Where the unseen project sorts must not show through which rows follow it.
        for sort in ["name", "-total", "-updated", "signed"] {
            let path = format!("/api/v1/projects?sort={sort}&page=2&after=ID");
            let out = get_as(&app, &s, &path, &hidden).await;
            assert_eq!(out.0, 200, "{}: {}", t.label, out.1);
            assert!(!out.1.contains("湘潭翻页保密项目"), "{}", t.label);
            assert_eq!(out, get_as(&app, &s, &path, &nobody).await, "{}: sort {sort}", t.label);
        }
        let bad = s.get(&app, "/api/v1/projects?after=not-an-id").await;
        assert_eq!(bad.status().as_u16(), 422, "{}", t.label);
        assert!(bad.text().await.unwrap().contains("翻页位置无效"), "{}", t.label);
    }
}

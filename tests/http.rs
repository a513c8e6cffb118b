//! HTTP tests against the real app on port 0, on SQLite and (when configured) PostgreSQL.

mod common;

use common::{backends, spawn, user_id};
use serde_json::{Value, json};
use zhaoshang::audit::Actor;
use zhaoshang::q_exec;

async fn token_for(db: &zhaoshang::db::Db, username: &str) -> String {
    zhaoshang::accounts::service::create_token(db, &Actor::cli(), username, "test").await.unwrap().1
}

#[tokio::test]
async fn each_demo_role_signs_in_and_sees_only_its_scope() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        // (user, a region they may see, one they may not)
        for (user, inside, outside) in [
            ("hn.leader", "4303", "44"),
            ("cs.leader", "430121", "4303"),
            ("cs.invest", "43011251", "4310"),
            ("wc.invest", "43011251", "430112"),
            ("cz.invest", "43102351", "4301"),
            ("hn.sysadmin", "4301", "44"),
        ] {
            let s = app.login(user).await;
            assert_eq!(s.get(&app, &format!("/regions/{inside}")).await.status(), 200, "{} {user} {inside}", t.label);
            let r = s.get(&app, &format!("/regions/{outside}")).await;
            assert_eq!(r.status(), 404, "{} {user} {outside}", t.label);
            assert!(r.text().await.unwrap().contains("页面或记录不存在"));
        }
        let auditor = app.login("hn.auditor").await;
        assert_eq!(auditor.get(&app, "/audit").await.status(), 200);
        assert_eq!(auditor.get(&app, "/regions").await.status(), 403, "the auditor reads the log only");
        let city_admin = app.login("cs.sysadmin").await;
        let list = city_admin.get(&app, "/admin/users").await.text().await.unwrap();
        assert!(list.contains("cs.reporter") && list.contains("wc.invest"));
        assert!(!list.contains("hn.leader") && !list.contains("xt.leader"), "{}: city admin sees other units", t.label);
    }
}

#[tokio::test]
async fn the_home_page_says_who_i_am_and_my_scope() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let s = app.login("wc.invest").await;
        let home = s.get(&app, "/").await.text().await.unwrap();
        assert!(home.contains("望城经济技术开发区") && home.contains("招商专员"), "{home}");
        assert!(home.contains("区划与园区") && !home.contains("用户管理"));
    }
}

#[tokio::test]
async fn a_wrong_password_or_unknown_user_gets_one_clear_message() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        for (user, pw) in [("cs.leader", "nope"), ("nobody", "nope")] {
            let c = common::client();
            let page = c.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
            let r = c
                .post(app.url("/login"))
                .form(&[("_csrf", common::csrf_in(&page).as_str()), ("username", user), ("password", pw)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401);
            assert!(r.text().await.unwrap().contains("用户名或密码错误"));
        }
    }
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused_and_changes_nothing() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let s = app.login("cs.sysadmin").await;
        let r = s
            .client
            .post(app.url("/admin/users"))
            .form(&[("username", "sneaky"), ("display_name", "x"), ("region", "4301")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("表单已失效"));
        let r = s
            .client
            .post(app.url("/admin/users"))
            .form(&[("_csrf", "forged"), ("username", "sneaky"), ("display_name", "x"), ("region", "4301")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let mut c = t.db.conn().await.unwrap();
        assert!(zhaoshang::accounts::store::user_by_name(&mut c.ex(), "sneaky").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn an_idle_session_expires_and_the_login_page_says_why() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let s = app.login("cs.leader").await;
        let long_ago = time::OffsetDateTime::now_utc() - time::Duration::minutes(31);
        let mut c = t.db.conn().await.unwrap();
        q_exec!(&mut c.ex(), "UPDATE sessions SET last_seen_at = $1", long_ago).unwrap();
        let r = s.get(&app, "/regions").await;
        assert_eq!(r.status(), 303);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        assert!(to.starts_with("/login?next=/regions") && to.contains("expired=1"), "{to}");
        let page = s.get(&app, &to).await.text().await.unwrap();
        assert!(page.contains("会话已超时"));
    }
}

#[tokio::test]
async fn a_session_older_than_twelve_hours_ends_even_if_active() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let s = app.login("cs.leader").await;
        let created = time::OffsetDateTime::now_utc() - time::Duration::hours(13);
        let mut c = t.db.conn().await.unwrap();
        q_exec!(&mut c.ex(), "UPDATE sessions SET created_at = $1", created).unwrap();
        assert_eq!(s.get(&app, "/").await.status(), 303, "{}", t.label);
    }
}

#[tokio::test]
async fn bad_api_input_gets_a_clear_json_error_and_the_right_status() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let token = token_for(&t.db, "hn.secadmin").await;
        let target = user_id(&t.db, "cs.reporter").await;
        let c = reqwest::Client::new();
        let url = app.url(&format!("/api/v1/users/{target}/grants"));
        let post = |body: String, ct: &'static str| {
            c.post(&url).bearer_auth(&token).header("content-type", ct).body(body).send()
        };

        let r = post("{\"role\":".into(), "application/json").await.unwrap();
        assert_eq!(r.status(), 422);
        let j: Value = r.json().await.unwrap();
        assert_eq!(j["code"], "invalid");
        assert!(j["message"].as_str().unwrap().contains("JSON 格式错误"), "{j}");

        let r = post(json!({"role": "boss", "scope": "43"}).to_string(), "application/json").await.unwrap();
        assert_eq!(r.status(), 422);
        let j: Value = r.json().await.unwrap();
        assert_eq!(j["fields"][0]["field"], "role", "{j}");

        let r = post("role=leader".into(), "application/x-www-form-urlencoded").await.unwrap();
        assert_eq!(r.status(), 422);

        let r = post("x".repeat(3 * 1024 * 1024), "application/json").await.unwrap();
        assert_eq!(r.status(), 413);
        let j: Value = r.json().await.unwrap();
        assert_eq!(j["code"], "payload_too_large");

        let r = post(json!({"role": "leader", "scope": "9999"}).to_string(), "application/json").await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.json::<Value>().await.unwrap()["fields"][0]["field"], "scope");

        let mut conn = t.db.conn().await.unwrap();
        let grants = zhaoshang::accounts::store::grants_of(&mut conn.ex(), target).await.unwrap();
        assert_eq!(grants.len(), 1, "{}: bad input changed nothing", t.label);

        let r = post(json!({"role": "leader", "scope": "430104"}).to_string(), "application/json").await.unwrap();
        assert_eq!(r.status(), 201);
    }
}

#[tokio::test]
async fn an_id_from_another_region_answers_404_in_pages_and_api() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let other = user_id(&t.db, "xt.leader").await;
        let s = app.login("cs.sysadmin").await;
        let r = s.get(&app, &format!("/admin/users/{other}")).await;
        assert_eq!(r.status(), 404);
        let r = s.post_form(&app, &format!("/admin/users/{other}/action"), &[("action", "lock")]).await;
        assert_eq!(r.status(), 404);
        let token = token_for(&t.db, "cs.sysadmin").await;
        let r = reqwest::Client::new()
            .get(app.url(&format!("/api/v1/users/{other}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "not_found");
        assert!(app.try_login("xt.leader", common::PASSWORD).await.is_ok(), "{}: the lock did not happen", t.label);
    }
}

#[tokio::test]
async fn api_tokens_authenticate_and_a_bad_token_is_refused() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let token = token_for(&t.db, "cs.leader").await;
        let c = reqwest::Client::new();
        let me: Value = c.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(me["username"], "cs.leader");
        assert_eq!(me["grants"][0]["scope"], "4301");
        let r = c.get(app.url("/api/v1/me")).bearer_auth("zs_wrong").send().await.unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
        let r = c.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "unauthorized");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let t = common::sqlite().await;
    let app = spawn(&t).await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    let mut n = 0;
    for s in zhaoshang::web::specs().iter().filter(|s| s.path.starts_with("/api/")) {
        if s.path == "/api/v1/openapi.json" {
            continue;
        }
        let op = &doc["paths"][s.path][s.method.as_str().to_lowercase()];
        assert!(op.is_object(), "{} is missing from the OpenAPI document", s.key());
        assert!(op["responses"]["200"].is_object());
        n += 1;
    }
    assert!(n >= 10, "{n} API routes");
    for (_, schema) in doc["components"]["schemas"].as_object().unwrap() {
        assert!(schema["type"] == "object");
    }
}

#[tokio::test]
async fn pages_carry_security_headers_and_load_nothing_from_outside() {
    let t = common::sqlite().await.with_demo().await;
    let app = spawn(&t).await;
    let r = reqwest::get(app.url("/login")).await.unwrap();
    let h = r.headers().clone();
    assert!(h["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let html = r.text().await.unwrap();
    assert!(!html.contains("http://") && !html.contains("https://"), "a page refers to an outside address");
    let css = reqwest::get(app.url("/static/app.css")).await.unwrap();
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    assert_eq!(reqwest::get(app.url("/static/nope.css")).await.unwrap().status(), 404);
}

#[tokio::test]
async fn unknown_addresses_answer_a_chinese_404_page_or_json() {
    let t = common::sqlite().await.with_demo().await;
    let app = spawn(&t).await;
    let r = reqwest::get(app.url("/no/such/page")).await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("页面或记录不存在"));
    let r = reqwest::get(app.url("/api/v1/nothing")).await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "not_found");
    let r = reqwest::Client::new().delete(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "method_not_allowed");
}

#[tokio::test]
async fn an_administrator_creates_a_user_who_signs_in_after_a_grant_and_it_is_all_audited() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let admin = app.login("cs.sysadmin").await;
        let r = admin
            .post_form(
                &app,
                "/admin/users",
                &[
                    ("username", "zhang.san"),
                    ("display_name", "张三"),
                    ("region", "430121"),
                    ("department", "县商务局"),
                ],
            )
            .await;
        assert_eq!(r.status(), 200);
        let page = r.text().await.unwrap();
        let i = page.find("id=\"initial-password\">").unwrap() + 22;
        let password = page[i..].split('<').next().unwrap().to_string();

        // Outside the admin's scope: refused with the field named.
        let r = admin
            .post_form(&app, "/admin/users", &[("username", "li.si"), ("display_name", "李四"), ("region", "4303")])
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("管辖范围"));

        let new_id = user_id(&t.db, "zhang.san").await;
        let sec = app.login("hn.secadmin").await;
        let r = sec
            .post_form(&app, &format!("/admin/grants/{new_id}"), &[("role", "investment_officer"), ("scope", "430121")])
            .await;
        assert_eq!(r.status(), 303);

        let s = app.try_login("zhang.san", &password).await.expect("the new user signs in");
        // The initial password is the administrator's: nothing works until the user has replaced it.
        let r = s.get(&app, "/regions/430121").await;
        assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/account/password"));
        let page = s.get(&app, "/account/password").await.text().await.unwrap();
        assert!(page.contains("id=\"password-required\""), "{page}");
        let r = s
            .post_form(
                &app,
                "/account/password",
                &[("old_password", &password), ("new_password", "Zhang.san2026"), ("confirm", "Zhang.san2026")],
            )
            .await;
        assert_eq!(r.status(), 303, "{}", t.label);
        assert_eq!(s.get(&app, "/regions/430121").await.status(), 200);
        assert_eq!(s.get(&app, "/regions/4301").await.status(), 404);

        let token = token_for(&t.db, "hn.auditor").await;
        let log: Value = reqwest::Client::new()
            .get(app.url(&format!("/api/v1/audit?entity_id={new_id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let actions: Vec<&str> =
            log["items"].as_array().unwrap().iter().map(|i| i["action"].as_str().unwrap()).collect();
        assert!(
            actions.contains(&"user.create") && actions.contains(&"grant.add") && actions.contains(&"login"),
            "{actions:?}"
        );
        let created = log["items"].as_array().unwrap().iter().find(|i| i["action"] == "user.create").unwrap();
        assert_eq!(created["actor_name"], "cs.sysadmin");
        assert_eq!(created["ip"], "127.0.0.1");
    }
}

#[tokio::test]
async fn locking_a_user_ends_their_sessions_and_a_stale_form_sees_a_conflict() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let reporter = app.login("cs.reporter").await;
        let id = user_id(&t.db, "cs.reporter").await;
        let admin = app.login("cs.sysadmin").await;
        let r =
            admin.post_form(&app, &format!("/admin/users/{id}/action"), &[("action", "lock"), ("version", "1")]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(reporter.get(&app, "/").await.status(), 303, "{}: the locked user's session ended", t.label);
        assert_eq!(app.try_login("cs.reporter", common::PASSWORD).await.err(), Some(401));
        // A second administrator still looking at version 1.
        let r = admin
            .post_form(&app, &format!("/admin/users/{id}/action"), &[("action", "disable"), ("version", "1")])
            .await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("已被他人修改"));
    }
}

#[tokio::test]
async fn nobody_can_change_the_audit_log_through_the_app() {
    let t = common::sqlite().await.with_demo().await;
    let app = spawn(&t).await;
    let auditor = app.login("hn.auditor").await;
    for path in ["/audit", "/audit/1", "/api/v1/audit"] {
        let r = auditor.client.post(app.url(path)).header("x-csrf-token", &auditor.csrf).send().await.unwrap();
        assert_eq!(r.status(), 405, "{path}");
    }
    let page = auditor.get(&app, "/audit/1").await.text().await.unwrap();
    assert!(page.contains("本条哈希"));
}

#[tokio::test]
async fn a_database_failure_shows_a_chinese_error_page_without_internals() {
    let t = common::sqlite().await.with_demo().await;
    let app = spawn(&t).await;
    let s = app.login("cs.leader").await;
    t.db.close().await;
    let r = s.get(&app, "/regions").await;
    assert_eq!(r.status(), 500);
    let page = r.text().await.unwrap();
    assert!(page.contains("系统内部错误"), "{page}");
    assert!(!page.to_lowercase().contains("sqlx") && !page.contains("pool"), "internals leaked: {page}");
    let r = s.get(&app, "/api/v1/me").await;
    assert_eq!(r.status(), 500);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "internal");
}

#[tokio::test]
async fn two_instances_serve_one_postgresql_and_share_sessions() {
    let Some(t) = common::postgres().await else { return };
    let t = t.with_demo().await;
    let a = spawn(&t).await;
    let second = zhaoshang::db::Db::open(&t.url).await.unwrap();
    let b_db = common::TestDb::from_db(second, &t);
    let b = spawn(&b_db).await;
    let s = a.login("cs.leader").await;
    // The cookie jar sends the same cookie to the other port (cookies ignore ports).
    let r = s.get(&b, "/").await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("长沙市领导"));
    let r = s.post_form(&b, "/logout", &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(s.get(&a, "/").await.status(), 303, "signing out on one instance ends the session on both");
}

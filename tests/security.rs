//! Attacks on sign-in and account administration that were found, each reproduced (issue 12):
//! 三员分立 bypassed by a password reset, sign-in guesses that count once or empty the caches, an open
//! redirect after sign-in, and sessions and tokens that outlive a password change. SQLite and
//! PostgreSQL.

mod common;

use common::{PASSWORD, Session, TestApp, backends, spawn, user_id};
use zhaoshang::accounts::service::{self, LoginError};
use zhaoshang::audit::Actor;

async fn token_for(db: &zhaoshang::db::Db, username: &str) -> String {
    service::create_token(db, &Actor::cli(), username, "test").await.unwrap().1
}

async fn status_with_token(app: &TestApp, token: &str, path: &str) -> u16 {
    common::client().get(app.url(path)).bearer_auth(token).send().await.unwrap().status().as_u16()
}

/// The password shown once on a page after a reset.
fn shown_password(page: &str) -> String {
    let i = page.find("id=\"new-password\">").expect("the new password is shown") + 18;
    page[i..].split('<').next().unwrap().to_string()
}

async fn change_password(app: &TestApp, s: &Session, old: &str, new: &str) -> reqwest::Response {
    s.post_form(app, "/account/password", &[("old_password", old), ("new_password", new), ("confirm", new)]).await
}

#[tokio::test]
async fn a_system_administrator_cannot_reset_the_auditors_password_and_sign_in_as_the_auditor() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let auditor = user_id(&t.db, "hn.auditor").await;
        let sys = app.login("hn.sysadmin").await;
        let page = sys.get(&app, &format!("/admin/users/{auditor}")).await.text().await.unwrap();
        assert!(page.contains("id=\"account-refused\"") && !page.contains("reset_password"), "{}", t.label);
        let r = sys.post_form(&app, &format!("/admin/users/{auditor}/action"), &[("action", "reset_password")]).await;
        assert_eq!(r.status(), 403, "{}", t.label);
        assert!(r.text().await.unwrap().contains("省级安全管理员"));
        for action in ["lock", "disable"] {
            let r = sys.post_form(&app, &format!("/admin/users/{auditor}/action"), &[("action", action)]).await;
            assert_eq!(r.status(), 403, "{action} {}", t.label);
        }
        // Nor on themselves, nor on the other administrators.
        let me = user_id(&t.db, "hn.sysadmin").await;
        let r = sys.post_form(&app, &format!("/admin/users/{me}/action"), &[("action", "reset_password")]).await;
        assert_eq!(r.status(), 403);
        let sec_id = user_id(&t.db, "hn.secadmin").await;
        let r = sys.post_form(&app, &format!("/admin/users/{sec_id}/action"), &[("action", "unlock")]).await;
        assert_eq!(r.status(), 403);
        // The auditor is still themselves: their password works and their token too.
        let token = token_for(&t.db, "hn.auditor").await;
        app.login("hn.auditor").await;
        assert_eq!(status_with_token(&app, &token, "/api/v1/audit").await, 200);

        // A province 安全管理员 may reset it: the auditor's sessions end, the token is revoked, and
        // the new password must be changed before anything else works.
        let sec = app.login("hn.secadmin").await;
        let r = sec.post_form(&app, &format!("/admin/grants/{sec_id}/account"), &[("action", "lock")]).await;
        assert_eq!(r.status(), 403, "not on themselves either");
        let r = sec.post_form(&app, &format!("/admin/grants/{auditor}/account"), &[("action", "reset_password")]).await;
        assert_eq!(r.status(), 200, "{}", t.label);
        let new = shown_password(&r.text().await.unwrap());
        assert_eq!(status_with_token(&app, &token, "/api/v1/audit").await, 401, "{}", t.label);
        let s = app.try_login("hn.auditor", &new).await.expect("signs in with the new password");
        let r = s.get(&app, "/audit").await;
        assert_eq!(r.headers()["location"], "/account/password", "{}", t.label);
        assert_eq!(change_password(&app, &s, &new, "Auditor#2027x").await.status(), 303);
        assert_eq!(s.get(&app, "/audit").await.status(), 200);
        // Ordinary accounts stay with the 系统管理员.
        let clerk = user_id(&t.db, "cs.reporter").await;
        let r = sec.post_form(&app, &format!("/admin/grants/{clerk}/account"), &[("action", "lock")]).await;
        assert_eq!(r.status(), 403);
    }
}

#[tokio::test]
async fn a_city_system_administrator_cannot_manage_a_user_who_also_holds_a_grant_in_another_city() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let leader = user_id(&t.db, "cs.leader").await;
        let by = Actor::cli();
        service::add_grant(&t.db, &by, None, leader, zhaoshang::accounts::model::Role::Leader, "4303").await.unwrap();
        let city = app.login("cs.sysadmin").await;
        let r = city.post_form(&app, &format!("/admin/users/{leader}/action"), &[("action", "reset_password")]).await;
        assert_eq!(r.status(), 403, "{}", t.label);
        // An ordinary user of the city is still theirs to manage; a reset ends the user's API tokens.
        let reporter = user_id(&t.db, "cs.reporter").await;
        let token = token_for(&t.db, "cs.reporter").await;
        let r = city.post_form(&app, &format!("/admin/users/{reporter}/action"), &[("action", "reset_password")]).await;
        assert_eq!(r.status(), 200, "{}", t.label);
        assert!(r.text().await.unwrap().contains("API 令牌已吊销"));
        assert_eq!(status_with_token(&app, &token, "/api/v1/me").await, 401);
    }
}

#[tokio::test]
async fn changing_ones_password_ends_the_other_sessions_and_revokes_the_api_tokens() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let here = app.login("cs.invest").await;
        let elsewhere = app.login("cs.invest").await;
        let token = token_for(&t.db, "cs.invest").await;
        assert_eq!(status_with_token(&app, &token, "/api/v1/me").await, 200);
        let r = change_password(&app, &here, PASSWORD, "Another#Pass2027").await;
        assert_eq!(r.status(), 303, "{}", t.label);
        let notice = r.headers()["location"].to_str().unwrap().to_string();
        assert!(notice.contains("notice="), "{notice}");
        assert_eq!(here.get(&app, "/projects").await.status(), 200, "the session that changed it stays");
        assert_eq!(elsewhere.get(&app, "/projects").await.status(), 303, "{}", t.label);
        assert_eq!(status_with_token(&app, &token, "/api/v1/me").await, 401, "{}", t.label);
    }
}

#[tokio::test]
async fn guessing_the_old_password_on_the_change_form_locks_the_account_and_ends_the_session() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let s = app.login("cs.invest").await;
        for i in 1..5 {
            let r = change_password(&app, &s, &format!("Guess#{i}abc"), "Another#Pass2027").await;
            assert_eq!(r.status(), 422, "guess {i}");
            assert!(r.text().await.unwrap().contains("原密码不正确"));
        }
        let r = change_password(&app, &s, "Guess#5abc", "Another#Pass2027").await;
        assert!(r.text().await.unwrap().contains("账号已锁定"), "{}", t.label);
        assert_eq!(s.get(&app, "/projects").await.status(), 303, "the session ended with the lock");
        assert_eq!(app.try_login("cs.invest", PASSWORD).await.err(), Some(401), "{}", t.label);
    }
}

#[tokio::test]
async fn wrong_passwords_sent_in_parallel_each_count_towards_the_lock() {
    for t in backends().await {
        let t = t.with_demo().await;
        let attempts = (0..12).map(|i| {
            let db = t.db.clone();
            tokio::spawn(async move { service::login(&db, "cs.leader", &format!("wrong{i}"), None).await.unwrap() })
        });
        let mut locked = 0;
        for a in attempts {
            if matches!(a.await.unwrap(), Err(LoginError::Locked(_))) {
                locked += 1;
            }
        }
        assert!(locked >= 1, "{}: twelve parallel guesses must lock the account", t.label);
        let r = service::login(&t.db, "cs.leader", PASSWORD, None).await.unwrap();
        assert!(matches!(r, Err(LoginError::Locked(_))), "{}: the right password is refused while locked", t.label);
    }
}

#[tokio::test]
async fn unknown_disabled_and_locked_accounts_answer_exactly_like_a_wrong_password() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let by = Actor::cli();
        let op = || service::Administrator::Operator;
        let disabled = user_id(&t.db, "xt.leader").await;
        service::admin_action(&t.db, &by, op(), disabled, None, service::UserAction::Disable).await.unwrap();
        let locked = user_id(&t.db, "cz.invest").await;
        service::admin_action(&t.db, &by, op(), locked, None, service::UserAction::Lock).await.unwrap();
        let mut answers = Vec::new();
        for (name, password) in
            [("cs.leader", "Wrong#Pass1"), ("nobody.here", PASSWORD), ("xt.leader", PASSWORD), ("cz.invest", PASSWORD)]
        {
            let c = common::client();
            let page = c.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
            let pre = common::csrf_in(&page);
            let r = c
                .post(app.url("/login"))
                .form(&[("_csrf", pre.as_str()), ("username", name), ("password", password)])
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            let i = body.find("role=\"alert\">").expect("an error is shown") + 13;
            answers.push((status, body[i..].split('<').next().unwrap().to_string()));
        }
        assert!(answers.windows(2).all(|w| w[0] == w[1]), "{}: {answers:?}", t.label);
        assert_eq!(answers[0].0, 401);
        // Each refusal is audited, the ones weighed no password included (the auditor sees them all).
        let mut c = t.db.conn().await.unwrap();
        for why in ["unknown", "disabled", "locked"] {
            let n = zhaoshang::q_scalar!(
                &mut c.ex(),
                fetch_one,
                i64,
                "SELECT count(*) FROM audit_log WHERE action = 'login.failed' AND after_json LIKE $1",
                format!("%\"{why}\"%")
            )
            .unwrap();
            assert_eq!(n, 1, "{}: {why}", t.label);
        }
    }
}

#[tokio::test]
async fn failed_sign_ins_from_one_address_or_for_one_name_are_throttled_before_any_password_check() {
    let t = common::sqlite().await.with_demo().await;
    let app = spawn(&t).await;
    let post = |name: String| {
        let app_url = app.url("/login");
        let login_url = app.url("/login");
        async move {
            let c = common::client();
            let page = c.get(&login_url).send().await.unwrap().text().await.unwrap();
            let pre = common::csrf_in(&page);
            let r = c
                .post(&app_url)
                .form(&[("_csrf", pre.as_str()), ("username", name.as_str()), ("password", "Wrong#Pass1")])
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // One name: five failures, then the throttle (an unknown name behaves like a known one).
    for _ in 0..5 {
        assert_eq!(post("no.such.user".into()).await.0, 401);
    }
    let (status, body) = post("no.such.user".into()).await;
    assert_eq!(status, 429);
    assert!(body.contains("登录尝试过于频繁"), "{body}");
    // One address trying many names: thirty failures in ten minutes (five counted above), then the
    // throttle.
    for i in 0..25 {
        assert_eq!(post(format!("guess{i}")).await.0, 401, "{i}");
    }
    assert_eq!(post("guess.last".into()).await.0, 429);
}

#[tokio::test]
async fn sign_ins_and_failed_sign_ins_leave_the_version_that_figures_are_kept_by() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let before = zhaoshang::cache::versions(&t.db).await.unwrap();
        let s = app.login("cs.leader").await;
        assert_eq!(app.try_login("cs.leader", "Wrong#Pass1").await.err(), Some(401));
        s.post_form(&app, "/logout", &[]).await;
        let after = zhaoshang::cache::versions(&t.db).await.unwrap();
        assert_eq!(before, after, "{}: sign-ins, a failed one and a sign-out keep every kept result", t.label);
        // A grant moves the accounts' version (who is signed in), and nothing the figures read.
        let sec = app.login("hn.secadmin").await;
        let id = user_id(&t.db, "cs.reporter").await;
        sec.post_form(&app, &format!("/admin/grants/{id}"), &[("role", "leader"), ("scope", "4301")]).await;
        let granted = zhaoshang::cache::versions(&t.db).await.unwrap();
        use zhaoshang::cache::Area;
        assert_ne!(granted.of(Area::Accounts), after.of(Area::Accounts), "{}", t.label);
        for a in zhaoshang::cache::FIGURES {
            assert_eq!(granted.of(*a), after.of(*a), "{a:?} {}", t.label);
        }
    }
}

#[tokio::test]
async fn after_sign_in_the_next_address_is_always_a_path_on_this_site() {
    let t = common::sqlite().await.with_demo().await;
    let app = spawn(&t).await;
    let s = app.login("cs.leader").await;
    for (next, expected) in [
        ("/%09/evil.example", "/"),
        ("/%0A/evil.example", "/"),
        ("//evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("/%20/evil.example", "/"),
        ("https://evil.example", "/"),
        ("/projects?stage=%E5%BC%80%E5%B7%A5", "/projects?stage=%E5%BC%80%E5%B7%A5"),
    ] {
        let r = s.get(&app, &format!("/login?next={next}")).await;
        assert_eq!(r.status(), 303, "{next}");
        assert_eq!(r.headers()["location"].to_str().unwrap_or("(not text)"), expected, "{next}");
    }
}

#[tokio::test]
async fn strict_transport_security_is_sent_only_when_served_over_https() {
    let t = common::sqlite().await;
    for secure in [false, true] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/login", listener.local_addr().unwrap());
        let config = zhaoshang::web::Config { secure_cookies: secure, ..Default::default() };
        let state = zhaoshang::web::AppState::new(t.db.clone(), config);
        tokio::spawn(async move { zhaoshang::web::serve(state, listener).await.unwrap() });
        let r = common::client().get(&url).send().await.unwrap();
        let hsts = r.headers().get("strict-transport-security").map(|v| v.to_str().unwrap().to_string());
        assert_eq!(hsts.is_some(), secure, "{hsts:?}");
    }
}

#[tokio::test]
async fn the_operator_reads_the_caches_bounds_and_hit_rates_on_a_page_and_as_prometheus_text() {
    let t = common::sqlite().await.with_demo().await;
    let app = spawn(&t).await;
    let token = token_for(&t.db, "hn.sysadmin").await;
    let r = common::client().get(app.url("/metrics")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = r.text().await.unwrap();
    assert!(text.contains("zhaoshang_cache_capacity{cache=\"figures\"}"), "{text}");
    let page = app.login("hn.sysadmin").await.get(&app, "/admin/system").await.text().await.unwrap();
    assert!(page.contains("命中率") && page.contains("project_lists"), "{page}");
    // Nobody else: a leader's token is refused.
    let leader = token_for(&t.db, "hn.leader").await;
    assert_eq!(status_with_token(&app, &leader, "/metrics").await, 403);
}

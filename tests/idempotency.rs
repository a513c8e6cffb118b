//! `Idempotency-Key` never keeps a secret: an answer that carries a password (a new user's) leaves
//! only the record that its key was used, and a retry hears so (409) instead of the password.
//! SQLite and (when configured) PostgreSQL.

mod common;

use common::{backends, spawn};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A key's row: request hash, status, content type, ETag, Location and body.
type Kept = (String, Option<i64>, Option<String>, Option<String>, Option<String>, Option<Vec<u8>>);

#[tokio::test]
async fn a_created_users_password_is_not_kept_for_a_retry_and_a_retry_creates_no_second_user() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let admin = app.login("cs.sysadmin").await;
        let post = |key: &'static str, body: Value| {
            admin
                .client
                .post(app.url("/api/v1/users"))
                .header("x-csrf-token", &admin.csrf)
                .header("idempotency-key", key)
                .json(&body)
                .send()
        };
        // A generated password, and one the client chose (which the request body itself carries).
        let cases = [
            ("key-generated", json!({"username": "idem.one", "display_name": "幂等一", "region": "4301"})),
            (
                "key-chosen",
                json!({"username": "idem.two", "display_name": "幂等二", "region": "4301", "password": "Chosen#Secret77"}),
            ),
        ];
        for (key, body) in cases {
            let r = post(key, body.clone()).await.unwrap();
            assert_eq!(r.status(), 201, "{}", t.label);
            let j: Value = r.json().await.unwrap();
            let password = j["password"].as_str().or(body["password"].as_str()).unwrap().to_string();
            assert!(!password.is_empty());

            let mut c = t.db.conn().await.unwrap();
            let rows: Vec<Kept> = zhaoshang::q_as!(
                &mut c.ex(),
                fetch_all,
                Kept,
                "SELECT request_hash, status, content_type, etag, location, body FROM idempotency_keys
                 WHERE idem_key = $1",
                key
            )
            .unwrap();
            assert_eq!(rows.len(), 1, "{}: the key is remembered as used", t.label);
            let (hash, status, ct, etag, location, stored) = &rows[0];
            assert!(status.is_some(), "{}: and as done", t.label);
            let kept = format!(
                "{hash}{ct:?}{etag:?}{location:?}{}",
                String::from_utf8_lossy(stored.as_deref().unwrap_or(&[]))
            );
            assert!(!kept.contains(&password), "{}: the password is kept: {kept}", t.label);
            // Not even as an unsalted hash of the request that carried it.
            let mut h = Sha256::new();
            h.update(b"/api/v1/users\0\0");
            h.update(serde_json::to_vec(&body).unwrap());
            assert_ne!(hash, &hex::encode(h.finalize()), "{}", t.label);
            drop(c);

            // A retry, the same or not, runs nothing and reveals nothing.
            for again in [body.clone(), json!({"username": "idem.other", "display_name": "别的", "region": "4301"})] {
                let r = post(key, again).await.unwrap();
                assert_eq!(r.status(), 409, "{}", t.label);
                assert_eq!(r.headers()["idempotent-replayed"], "true");
                let text = r.text().await.unwrap();
                assert!(text.contains("该请求已处理；含密码的结果不会保存，无法重复返回"), "{text}");
                assert!(!text.contains(&password), "{}: {text}", t.label);
            }
        }
        let mut c = t.db.conn().await.unwrap();
        let n: i64 = zhaoshang::q_scalar!(
            &mut c.ex(),
            fetch_one,
            i64,
            "SELECT count(*) FROM users WHERE username IN ('idem.one', 'idem.two', 'idem.other')"
        )
        .unwrap();
        assert_eq!(n, 2, "{}: one user per key", t.label);
    }
}

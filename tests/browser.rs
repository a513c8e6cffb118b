//! Browser tests: Debian's chromium driven through chromedriver (W3C WebDriver), against the
//! real app. Without chromedriver they are skipped, unless `ZHAOSHANG_REQUIRE_BROWSER=1` (as in
//! CI), which makes a missing browser a failure.

mod common;

use common::{TestApp, backends, spawn};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    child: Child,
    http: reqwest::Client,
    base: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Browser<'a> {
    d: &'a Driver,
    session: String,
}

fn chromedriver() -> Option<String> {
    let path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    if std::path::Path::new(&path).exists() {
        Some(path)
    } else if std::env::var("ZHAOSHANG_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("ZHAOSHANG_REQUIRE_BROWSER=1 but {path} is missing (apt-get install chromium chromium-driver)")
    } else {
        eprintln!("skipping browser tests: {path} not found");
        None
    }
}

async fn start_driver() -> Option<Driver> {
    let bin = chromedriver()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child =
        Command::new(bin).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let d = Driver {
        child,
        http: reqwest::Client::new(),
        base: format!("http://127.0.0.1:{port}"),
        _profile: tempfile::tempdir().unwrap(),
    };
    for _ in 0..100 {
        if let Ok(r) = d.http.get(format!("{}/status", d.base)).send().await {
            if r.json::<Value>().await.map(|v| v["value"]["ready"] == true).unwrap_or(false) {
                return Some(d);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not become ready");
}

impl Driver {
    async fn browser(&self, width: u32, height: u32) -> Browser<'_> {
        let args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", self._profile.path().join(uuid::Uuid::new_v4().to_string()).display()),
        ];
        let mut options = json!({"binary": "/usr/bin/chromium", "args": args});
        if width < 500 {
            // Desktop windows cannot be this narrow; emulate the phone instead.
            options["mobileEmulation"] =
                json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0}});
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}});
        let v: Value =
            self.http.post(format!("{}/session", self.base)).json(&caps).send().await.unwrap().json().await.unwrap();
        let session = v["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {v}")).to_string();
        Browser { d: self, session }
    }
}

impl Browser<'_> {
    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{}", self.d.base, self.session, path);
        let mut req = self.d.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        if v["value"].get("error").is_some() {
            panic!("webdriver {path}: {}", v["value"]);
        }
        v["value"].clone()
    }

    async fn goto(&self, app: &TestApp, path: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({"url": app.url(path)}))).await;
    }

    async fn find(&self, css: &str) -> String {
        let v = self.cmd(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await;
        v[ELEMENT].as_str().unwrap_or_else(|| panic!("{css}: {v}")).to_string()
    }

    /// The first link whose text contains `text`.
    async fn link(&self, text: &str) -> String {
        let v = self
            .cmd(reqwest::Method::POST, "/element", Some(json!({"using": "partial link text", "value": text})))
            .await;
        v[ELEMENT].as_str().unwrap().to_string()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.cmd(reqwest::Method::POST, &format!("/element/{e}/clear"), Some(json!({}))).await;
        self.cmd(reqwest::Method::POST, &format!("/element/{e}/value"), Some(json!({"text": text}))).await;
    }

    async fn click(&self, element: &str) {
        self.cmd(reqwest::Method::POST, &format!("/element/{element}/click"), Some(json!({}))).await;
    }

    async fn click_css(&self, css: &str) {
        let e = self.find(css).await;
        self.click(&e).await;
    }

    /// The page's visible text, or None while a navigation replaces the page under us.
    async fn try_text(&self) -> Option<String> {
        let url = format!("{}/session/{}/element", self.d.base, self.session);
        let v: Value = self
            .d
            .http
            .post(url)
            .json(&json!({"using": "css selector", "value": "body"}))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let body = v["value"][ELEMENT].as_str()?;
        let url = format!("{}/session/{}/element/{body}/text", self.d.base, self.session);
        let v: Value = self.d.http.get(url).send().await.ok()?.json().await.ok()?;
        v["value"].as_str().map(str::to_string)
    }

    /// Waits (up to 5 s) until the page shows `needle`; returns the page text.
    async fn wait_for(&self, needle: &str) -> String {
        let mut last = String::new();
        for _ in 0..50 {
            if let Some(t) = self.try_text().await {
                if t.contains(needle) {
                    return t;
                }
                last = t;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page never showed “{needle}”; it shows:\n{last}");
    }

    /// With `ZHAOSHANG_SCREENSHOTS=DIR`, saves the page as DIR/NAME.png.b64 (base64 PNG) for a person to look at.
    async fn screenshot(&self, name: &str) {
        if let Ok(dir) = std::env::var("ZHAOSHANG_SCREENSHOTS") {
            let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
            std::fs::write(format!("{dir}/{name}.png.b64"), v.as_str().unwrap()).unwrap();
        }
    }

    /// Waits until the address starts with `prefix`; returns it.
    async fn wait_path(&self, prefix: &str) -> String {
        let mut last = String::new();
        for _ in 0..50 {
            last = self.path().await;
            if last.starts_with(prefix) {
                return last;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never reached {prefix}; at {last}");
    }

    async fn path(&self) -> String {
        let u = self.cmd(reqwest::Method::GET, "/url", None).await.as_str().unwrap().to_string();
        let after_host = u.splitn(4, '/').nth(3).unwrap_or("");
        format!("/{after_host}")
    }

    async fn accept_alert(&self) {
        for _ in 0..20 {
            let url = format!("{}/session/{}/alert/accept", self.d.base, self.session);
            let v: Value = self.d.http.post(url).json(&json!({})).send().await.unwrap().json().await.unwrap();
            if v["value"].is_null() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no confirmation dialog appeared");
    }

    async fn login(&self, app: &TestApp, user: &str, password: &str) {
        self.goto(app, "/login").await;
        self.type_into("#username", user).await;
        self.type_into("#password", password).await;
        self.click_css("#login").await;
    }

    async fn quit(self) {
        let _ = self.d.http.delete(format!("{}/session/{}", self.d.base, self.session)).send().await;
    }
}

#[tokio::test]
async fn a_city_leader_signs_in_browses_their_regions_and_cannot_reach_another_city() {
    let Some(driver) = start_driver().await else { return };
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let b = driver.browser(1280, 900).await;

        b.login(&app, "cs.leader", "wrong-password").await;
        b.wait_for("用户名或密码错误").await;

        b.login(&app, "cs.leader", common::PASSWORD).await;
        let home = b.wait_for("您好").await;
        assert!(home.contains("您好，长沙市领导") && home.contains("领导") && home.contains("长沙市"), "{home}");

        let nav = b.find("nav.modules").await;
        let _ = nav;
        let regions = b.link("区划与园区").await;
        b.click(&regions).await;
        b.wait_path("/regions").await;
        let city = b.link("长沙市").await;
        b.click(&city).await;
        b.wait_path("/regions/4301").await;
        b.wait_for("湖南湘江新区").await;
        let county = b.link("望城区").await;
        b.click(&county).await;
        let page = b.wait_for("望城经济技术开发区").await;
        assert!(page.contains("区划与园区 › 长沙市 › 望城区"), "breadcrumbs stop at the scope: {page}");

        b.type_into("input[name=q]", "望城").await;
        b.click_css(".filters button").await;
        b.wait_for("望城经济技术开发区").await;

        b.goto(&app, "/regions/4303").await;
        b.wait_for("页面或记录不存在").await;

        b.goto(&app, "/admin/users").await;
        b.wait_for("无权访问").await;

        b.goto(&app, "/").await;
        b.click_css("header form button").await;
        b.wait_path("/login").await;
        b.goto(&app, "/regions").await;
        b.wait_path("/login?next=/regions").await;
        b.quit().await;
    }
}

#[tokio::test]
async fn an_administrator_creates_a_user_and_locks_them_after_confirming() {
    let Some(driver) = start_driver().await else { return };
    let t = common::sqlite().await.with_demo().await;
    let app = spawn(&t).await;
    let b = driver.browser(1280, 900).await;
    b.login(&app, "cs.sysadmin", common::PASSWORD).await;
    let users = b.link("用户管理").await;
    b.click(&users).await;
    let new = b.link("新建用户").await;
    b.click(&new).await;
    b.type_into("input[name=username]", "Bad Name").await;
    b.type_into("input[name=display_name]", "张三").await;
    b.type_into("input[name=region]", "430121").await;
    // The browser's own pattern check stops this one; remove it to see the server's message.
    let form = b.find("form[action='/admin/users']").await;
    let _ = form;
    b.cmd(
        reqwest::Method::POST,
        "/execute/sync",
        Some(
            json!({"script": "document.querySelector('input[name=username]').removeAttribute('pattern')", "args": []}),
        ),
    )
    .await;
    b.click_css("form[action='/admin/users'] button").await;
    b.wait_for("用户名“Bad Name”须为 3–32 位").await;
    b.type_into("input[name=username]", "zhang.san").await;
    b.click_css("form[action='/admin/users'] button").await;
    let page = b.wait_for("用户 zhang.san 已创建").await;
    assert!(page.contains("初始密码"), "{page}");

    b.goto(&app, "/admin/users?q=zhang").await;
    let user = b.link("zhang.san").await;
    b.click(&user).await;
    b.click_css("form[data-confirm^='确定锁定'] button").await;
    b.accept_alert().await;
    b.wait_for("已锁定").await;
    b.quit().await;
}

#[tokio::test]
async fn the_login_and_home_pages_work_on_a_phone_sized_screen() {
    let Some(driver) = start_driver().await else { return };
    let t = common::sqlite().await.with_demo().await;
    let app = spawn(&t).await;
    let b = driver.browser(390, 844).await;
    b.login(&app, "wc.invest", common::PASSWORD).await;
    b.wait_for("望城经济技术开发区").await;
    b.screenshot("phone-home").await;
    let sizes = b
        .cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script":
        "return [window.innerWidth, document.documentElement.scrollWidth]", "args": []})),
        )
        .await;
    assert_eq!(sizes[0], 390, "the phone's viewport");
    assert!(sizes[1].as_u64().unwrap() <= 390, "no sideways scrolling on a phone: {sizes}");
    b.quit().await;
}

//! A small W3C WebDriver client for the browser tests: Debian's chromium through chromedriver.
//! Without chromedriver the tests skip, unless `ZHAOSHANG_REQUIRE_BROWSER=1` (as in CI), which
//! makes a missing browser a failure.

use super::TestApp;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Driver {
    child: Child,
    http: reqwest::Client,
    base: String,
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Browser<'a> {
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

pub async fn start_driver() -> Option<Driver> {
    let bin = chromedriver()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child =
        Command::new(bin).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let d = Driver {
        child,
        http: reqwest::Client::new(),
        base: format!("http://127.0.0.1:{port}"),
        profile: tempfile::tempdir().unwrap(),
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
    pub async fn browser(&self, width: u32, height: u32) -> Browser<'_> {
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
            format!("--user-data-dir={}", self.profile.path().join(uuid::Uuid::new_v4().to_string()).display()),
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
    pub async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
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

    /// Runs `script` in the page (`arguments[0]`… are `args`); returns what it returns.
    pub async fn exec(&self, script: &str, args: Value) -> Value {
        self.cmd(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": args}))).await
    }

    pub async fn goto(&self, app: &TestApp, path: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({"url": app.url(path)}))).await;
    }

    pub async fn find(&self, css: &str) -> String {
        let v = self.cmd(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await;
        v[ELEMENT].as_str().unwrap_or_else(|| panic!("{css}: {v}")).to_string()
    }

    /// How many elements match `css` (0 when none: unlike `find`, never fails).
    pub async fn count(&self, css: &str) -> usize {
        let v =
            self.cmd(reqwest::Method::POST, "/elements", Some(json!({"using": "css selector", "value": css}))).await;
        v.as_array().map_or(0, Vec::len)
    }

    /// The first link whose text contains `text`.
    /// Waits up to five seconds for it: after a click that submits a form (signing in, say) the
    /// next page may still be loading when the test looks, more so on a busy machine.
    pub async fn link(&self, text: &str) -> String {
        let url = format!("{}/session/{}/element", self.d.base, self.session);
        let mut last = Value::Null;
        for _ in 0..50 {
            let req = self.d.http.post(&url).json(&json!({"using": "partial link text", "value": text}));
            let v: Value = req.send().await.unwrap().json().await.unwrap();
            if let Some(e) = v["value"][ELEMENT].as_str() {
                return e.to_string();
            }
            last = v["value"].clone();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no link “{text}”: {last}")
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.cmd(reqwest::Method::POST, &format!("/element/{e}/clear"), Some(json!({}))).await;
        self.cmd(reqwest::Method::POST, &format!("/element/{e}/value"), Some(json!({"text": text}))).await;
    }

    /// Chooses a file for an `<input type=file>`, as a person picking it in the file dialog would.
    pub async fn choose_file(&self, css: &str, path: &std::path::Path) {
        let e = self.find(css).await;
        let path = path.canonicalize().unwrap();
        self.cmd(reqwest::Method::POST, &format!("/element/{e}/value"), Some(json!({"text": path.to_str().unwrap()})))
            .await;
    }

    /// Picks the `<option>` of the `<select>` at `css` whose value (or, lacking one, text) is `choice`.
    pub async fn select(&self, css: &str, choice: &str) {
        let option = self
            .exec(
                "return [...document.querySelector(arguments[0]).options].find(o => o.value === arguments[1]) || null",
                json!([css, choice]),
            )
            .await;
        let e = option[ELEMENT].as_str().unwrap_or_else(|| panic!("{css} has no option “{choice}”"));
        self.click(e).await;
        assert_eq!(self.value(css).await, choice, "{css}");
    }

    /// Fills a date or month field. Typing into those goes through the browser's locale-specific
    /// picker, so set the value the way the picker would.
    pub async fn set_date(&self, css: &str, value: &str) {
        self.exec(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1];
             e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true}));",
            json!([css, value]),
        )
        .await;
        assert_eq!(self.value(css).await, value, "{css} takes {value}");
    }

    /// A form field's current value.
    pub async fn value(&self, css: &str) -> String {
        let e = self.find(css).await;
        let v = self.cmd(reqwest::Method::GET, &format!("/element/{e}/property/value"), None).await;
        v.as_str().unwrap_or_default().to_string()
    }

    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        let e = self.find(css).await;
        let v = self.cmd(reqwest::Method::GET, &format!("/element/{e}/attribute/{name}"), None).await;
        v.as_str().map(str::to_string)
    }

    /// The body rows of the table at `css`, each a list of its cells' visible text.
    pub async fn table(&self, css: &str) -> Vec<Vec<String>> {
        self.rows("document.querySelector(arguments[0])", css).await
    }

    /// The rows of the table captioned `title`, or of the first table in the section headed `title`.
    pub async fn table_titled(&self, title: &str) -> Vec<Vec<String>> {
        self.rows(
            "[...document.querySelectorAll('table')].find(t => (t.caption && t.caption.textContent.trim() === arguments[0])
               || t.closest('section')?.querySelector('h2')?.textContent.trim() === arguments[0])",
            title,
        )
        .await
    }

    async fn rows(&self, table: &str, arg: &str) -> Vec<Vec<String>> {
        let script = format!(
            "const t = {table}; if (!t) return null;
             return [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.innerText.trim()))"
        );
        let v = self.exec(&script, json!([arg])).await;
        serde_json::from_value(v.clone()).unwrap_or_else(|_| panic!("no table “{arg}”: {v}"))
    }

    /// Fetches `href` outside the browser with the browser's cookies (so as its signed-in user),
    /// the way a download would; returns the status and body.
    pub async fn fetch(&self, app: &TestApp, href: &str) -> (u16, Vec<u8>) {
        let cookies = self.cmd(reqwest::Method::GET, "/cookie", None).await;
        let header: Vec<String> = cookies
            .as_array()
            .unwrap()
            .iter()
            .map(|c| format!("{}={}", c["name"].as_str().unwrap(), c["value"].as_str().unwrap()))
            .collect();
        let url = if href.starts_with("http") { href.to_string() } else { app.url(href) };
        let r = reqwest::Client::new().get(url).header("cookie", header.join("; ")).send().await.unwrap();
        (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
    }

    pub async fn click(&self, element: &str) {
        self.cmd(reqwest::Method::POST, &format!("/element/{element}/click"), Some(json!({}))).await;
    }

    pub async fn click_css(&self, css: &str) {
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
    pub async fn wait_for(&self, needle: &str) -> String {
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

    /// The page printed to PDF by the browser, as its print dialog would; base64.
    pub async fn print_pdf(&self) -> String {
        let v = self.cmd(reqwest::Method::POST, "/print", Some(json!({"orientation": "portrait"}))).await;
        v.as_str().unwrap().to_string()
    }

    /// With `ZHAOSHANG_SCREENSHOTS=DIR`, saves the page as DIR/NAME.png.b64 (base64 PNG) for a person to look at.
    pub async fn screenshot(&self, name: &str) {
        if let Ok(dir) = std::env::var("ZHAOSHANG_SCREENSHOTS") {
            let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
            std::fs::write(format!("{dir}/{name}.png.b64"), v.as_str().unwrap()).unwrap();
        }
    }

    /// Waits until the address starts with `prefix`; returns it.
    pub async fn wait_path(&self, prefix: &str) -> String {
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

    pub async fn path(&self) -> String {
        let u = self.cmd(reqwest::Method::GET, "/url", None).await.as_str().unwrap().to_string();
        let after_host = u.splitn(4, '/').nth(3).unwrap_or("");
        format!("/{after_host}")
    }

    /// Waits for a confirmation dialog and accepts it; returns its message.
    pub async fn accept_alert(&self) -> String {
        for _ in 0..20 {
            let url = format!("{}/session/{}/alert/text", self.d.base, self.session);
            let v: Value = self.d.http.get(url).send().await.unwrap().json().await.unwrap();
            if let Some(text) = v["value"].as_str() {
                self.cmd(reqwest::Method::POST, "/alert/accept", Some(json!({}))).await;
                return text.to_string();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no confirmation dialog appeared");
    }

    pub async fn login(&self, app: &TestApp, user: &str, password: &str) {
        self.goto(app, "/login").await;
        self.type_into("#username", user).await;
        self.type_into("#password", password).await;
        self.click_css("#login").await;
    }

    pub async fn quit(self) {
        let _ = self.d.http.delete(format!("{}/session/{}", self.d.base, self.session)).send().await;
    }
}

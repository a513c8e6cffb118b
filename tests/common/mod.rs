//! Test harness: a fresh database on each backend, the app on port 0, signed-in clients.
//!
//! SQLite always runs. PostgreSQL runs when `ZHAOSHANG_TEST_PG` holds a URL (each test gets its
//! own schema); with `ZHAOSHANG_REQUIRE_PG=1` (as in CI) a missing URL fails instead of skipping.
#![allow(dead_code)]

use zhaoshang::db::Db;
use zhaoshang::web::{AppState, Config};

pub const PASSWORD: &str = zhaoshang::demo::DEMO_PASSWORD;

pub struct TestDb {
    pub db: Db,
    pub url: String,
    pub label: &'static str,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, schema)) = self.pg_schema.take() {
            // Drop the schema on a detached thread: Drop cannot await, and blocking here would
            // stall the runtime that still has to roll back this pool's open transactions.
            // Schemas a finished process leaves behind are swept by the next run (see `postgres`).
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async move {
                    if let Ok(pool) = sqlx::PgPool::connect(&admin_url).await {
                        let sql = format!("SET lock_timeout = '20s'; DROP SCHEMA IF EXISTS {schema} CASCADE");
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&pool).await;
                    }
                })
            });
        }
    }
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let db = Db::open(&url).await.unwrap();
    TestDb { db, url, label: "sqlite", _dir: Some(dir), pg_schema: None }
}

/// The PostgreSQL URL to test against. Without one, the PostgreSQL part of the calling test is skipped
/// and says so on stderr (`cargo test -- --nocapture` shows it), or fails with `ZHAOSHANG_REQUIRE_PG=1`.
pub fn pg_url() -> Option<String> {
    match std::env::var("ZHAOSHANG_TEST_PG").ok().filter(|s| !s.is_empty()) {
        Some(u) => Some(u),
        None if std::env::var("ZHAOSHANG_REQUIRE_PG").is_ok_and(|v| v == "1") => {
            panic!("ZHAOSHANG_REQUIRE_PG=1 but ZHAOSHANG_TEST_PG is not set")
        }
        None => {
            let test = std::thread::current().name().unwrap_or("?").to_string();
            eprintln!(
                "skipping PostgreSQL in {test}: ZHAOSHANG_TEST_PG is not set \
                 (e.g. postgres://postgres@127.0.0.1:5432/test; ZHAOSHANG_REQUIRE_PG=1 makes this a failure)"
            );
            None
        }
    }
}

pub async fn postgres() -> Option<TestDb> {
    let admin_url = pg_url()?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let schema = format!("zt_{now}_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let pool = sqlx::PgPool::connect(&admin_url).await.expect("PostgreSQL reachable at ZHAOSHANG_TEST_PG");
    // Sweep test schemas over an hour old: no test run lasts that long.
    let old: Vec<String> = sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'zt\\_%'")
        .fetch_all(&pool)
        .await
        .unwrap();
    for name in old {
        let ts: u64 = name.split('_').nth(1).and_then(|t| t.parse().ok()).unwrap_or(0);
        if ts + 3600 < now {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {name} CASCADE")))
                .execute(&pool)
                .await;
        }
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&pool).await.unwrap();
    pool.close().await;
    let sep = if admin_url.contains('?') { '&' } else { '?' };
    let url = format!("{admin_url}{sep}options=-csearch_path%3D{schema}");
    let db = Db::open(&url).await.unwrap();
    Some(TestDb { db, url, label: "postgres", _dir: None, pg_schema: Some((admin_url, schema)) })
}

/// SQLite, and PostgreSQL when configured.
pub async fn backends() -> Vec<TestDb> {
    let mut v = vec![sqlite().await];
    v.extend(postgres().await);
    v
}

impl TestDb {
    /// Another handle (a second pool, as a second instance would have) on the same database.
    pub fn from_db(db: Db, other: &TestDb) -> TestDb {
        TestDb { db, url: other.url.clone(), label: other.label, _dir: None, pg_schema: None }
    }

    /// The demo organisation: parks and a user for every role (no business records).
    pub async fn with_demo(self) -> TestDb {
        zhaoshang::demo::load_org(&self.db).await.unwrap();
        self
    }
}

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub label: &'static str,
    _task: tokio::task::JoinHandle<()>,
}

pub async fn spawn(t: &TestDb) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(t.db.clone(), Config::default());
    let task = tokio::spawn(async move {
        zhaoshang::web::serve(state, listener).await.unwrap();
    });
    TestApp { base, db: t.db.clone(), label: t.label, _task: task }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The value of the first `_csrf` hidden field in a page.
pub fn csrf_in(html: &str) -> String {
    let i = html.find("name=\"_csrf\" value=\"").expect("page has a CSRF field") + 20;
    html[i..].split('"').next().unwrap().to_string()
}

pub struct Session {
    pub client: reqwest::Client,
    pub csrf: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Signs in through the login form; panics unless it succeeds.
    pub async fn login(&self, username: &str) -> Session {
        self.try_login(username, PASSWORD).await.unwrap_or_else(|s| panic!("{username} could not sign in: {s}"))
    }

    pub async fn try_login(&self, username: &str, password: &str) -> Result<Session, u16> {
        let c = client();
        let page = c.get(self.url("/login")).send().await.unwrap().text().await.unwrap();
        let pre = csrf_in(&page);
        let r = c
            .post(self.url("/login"))
            .form(&[("_csrf", pre.as_str()), ("username", username), ("password", password), ("next", "/")])
            .send()
            .await
            .unwrap();
        if r.status() != 303 {
            return Err(r.status().as_u16());
        }
        let home = c.get(self.url("/")).send().await.unwrap();
        // A password an administrator set sends its owner to change it first; that page has the token.
        let page = if home.status() == 303 {
            let to = home.headers()["location"].to_str().unwrap().to_string();
            c.get(self.url(&to)).send().await.unwrap().text().await.unwrap()
        } else {
            home.text().await.unwrap()
        };
        Ok(Session { csrf: csrf_in(&page), client: c })
    }
}

impl Session {
    pub async fn get(&self, app: &TestApp, path: &str) -> reqwest::Response {
        self.client.get(app.url(path)).send().await.unwrap()
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn post_form(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut f: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        f.extend_from_slice(fields);
        self.client.post(app.url(path)).form(&f).send().await.unwrap()
    }

    pub async fn post_json(&self, app: &TestApp, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client.post(app.url(path)).header("x-csrf-token", &self.csrf).json(body).send().await.unwrap()
    }
}

/// The id of a user, straight from the database.
pub async fn user_id(db: &Db, username: &str) -> uuid::Uuid {
    let mut conn = db.conn().await.unwrap();
    zhaoshang::accounts::store::user_by_name(&mut conn.ex(), username).await.unwrap().unwrap().id
}

/// Who the fixtures act as: like the console operator (`cli::import::operator`), a 招商专员 across every
/// region, so that a fixture passes the same checks as a person entering the record would.
pub fn seeder() -> zhaoshang::accounts::authz::CurrentUser {
    zhaoshang::accounts::authz::CurrentUser {
        id: uuid::Uuid::nil(),
        username: "test".into(),
        display_name: "测试数据".into(),
        region: String::new(),
        grants: vec![zhaoshang::accounts::authz::Grant {
            role: zhaoshang::accounts::model::Role::InvestmentOfficer,
            scope: String::new(),
            scope_name: "全部".into(),
            scope_path: "/".into(),
            scope_level: "province".into(),
        }],
        csrf: None,
        must_change_password: false,
    }
}

/// The name fixtures write under, in the audit log and in `filed_by`/`uploaded_by` columns.
pub fn seed_actor() -> zhaoshang::audit::Actor {
    zhaoshang::audit::Actor { id: None, name: "test".into(), ip: None }
}

/// The one path for fixtures that no use case writes as the test needs (a report of a given month
/// and figures, a signed project with its dates, a frozen ranking, an appeal received now): open it,
/// write the rows through the stores on [`Seeding::ex`], and [`Seeding::commit`] appends the audit
/// record of them in the same transaction, through the audit module, as every use case does. The
/// audit chain of a test database is therefore whole, as production's is.
pub struct Seeding {
    tx: zhaoshang::db::Tx,
}

impl Seeding {
    pub async fn begin(db: &Db) -> Seeding {
        Seeding { tx: db.begin().await.unwrap() }
    }

    pub fn ex(&mut self) -> zhaoshang::db::Ex<'_> {
        self.tx.ex()
    }

    /// Appends `action` on `entity` `id` (owning `region`) with `after` as its new state, and commits.
    pub async fn commit(
        mut self,
        action: &str,
        entity: &str,
        id: uuid::Uuid,
        region: Option<String>,
        after: impl serde::Serialize,
    ) {
        let change = zhaoshang::audit::Change {
            action,
            entity,
            entity_id: id.to_string(),
            region,
            before: None,
            after: Some(serde_json::to_value(after).unwrap()),
        };
        zhaoshang::audit::record(&mut self.tx.ex(), &seed_actor(), change).await.unwrap();
        self.tx.commit().await.unwrap();
    }
}

/// Registers an enterprise through its use case (a valid synthesized credit code); returns its id.
pub async fn enterprise(db: &Db, name: &str, region: &str) -> uuid::Uuid {
    use zhaoshang::enterprises::{model, service};
    static SERIAL: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let serial = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + std::process::id() % 1000 * 1000;
    let input = service::Input {
        credit_code: model::CreditCode::synthesize(&format!("{:0<6}", &region[..region.len().min(6)]), serial)
            .to_string(),
        name: name.into(),
        region: region.into(),
        ..Default::default()
    };
    match service::create(db, &seeder(), &seed_actor(), &input, false).await {
        Ok(e) => e.id,
        Err(e) => panic!("fixture enterprise {name} in {region}: {e:?}"),
    }
}

/// Records a project of 10 亿 through its use case, at stage 线索; returns its id.
pub async fn project(db: &Db, name: &str, region: &str) -> uuid::Uuid {
    let input = zhaoshang::projects::model::Input {
        name: name.into(),
        region: region.into(),
        total_investment: "10亿".into(),
        ..Default::default()
    };
    match zhaoshang::projects::service::create(db, &seeder(), &seed_actor(), &input).await {
        Ok(p) => p.id,
        Err(e) => panic!("fixture project {name} in {region}: {e:?}"),
    }
}

/// Attaches a small PDF to a project through its use case; returns the evidence id.
pub async fn evidence(db: &Db, project: uuid::Uuid) -> uuid::Uuid {
    zhaoshang::projects::evidence::add(
        db,
        &seeder(),
        &seed_actor(),
        &project.to_string(),
        "lead",
        "协议.pdf",
        b"%PDF-1.7",
    )
    .await
    .unwrap_or_else(|e| panic!("fixture evidence: {e:?}"))
    .id
}

/// A 集中开工 event through its use case, optionally with one member; returns its id.
pub async fn batch(db: &Db, region: &str, member: Option<uuid::Uuid>) -> uuid::Uuid {
    use zhaoshang::batches::service;
    let n = service::NewBatch {
        kind: "集中开工".into(),
        name: format!("测试活动 {region}"),
        held_on: "2026-03-01".into(),
        place: "测试地点".into(),
        region: region.into(),
    };
    let b = service::create(db, &seeder(), &seed_actor(), &n, false)
        .await
        .unwrap_or_else(|e| panic!("fixture batch in {region}: {e:?}"));
    if let Some(p) = member {
        service::add_member(db, &seeder(), &seed_actor(), &b.id.to_string(), &p.to_string(), "")
            .await
            .unwrap_or_else(|e| panic!("fixture batch member: {e:?}"));
    }
    b.id
}

/// An import job of `username` holding a file that is not a spreadsheet (committing it changes nothing).
/// Written as a row: a job is working state, not business data, and production audits its commit, not
/// its upload (`imports::jobs::start` writes no audit record either); no use case leaves a job
/// "previewed" without checking a real file.
pub async fn import_job(db: &Db, username: &str) -> uuid::Uuid {
    let id = uuid::Uuid::now_v7();
    let mut c = db.conn().await.unwrap();
    zhaoshang::q_exec!(&mut c.ex(),
        "INSERT INTO import_jobs (id, kind, user_id, username, filename, sha256, data, row_count, creates, updates, unchanged,
           error_count, errors_json, ignored, status, created_at) VALUES ($1, 'reports', NULL, $2, 'x.csv', '', $3, 0, 0, 0, 0, 0, '[]', '', 'previewed', $4)",
        id, username, b"".to_vec(), time::OffsetDateTime::now_utc()).unwrap();
    id
}

pub mod webdriver;

/// A frozen ranking of a region (fixed figures), through the seeding path; returns its id.
pub async fn snapshot(db: &Db, region: &str) -> uuid::Uuid {
    let s = zhaoshang::evaluation::store::Snapshot {
        id: uuid::Uuid::now_v7(),
        region: region.into(),
        period: "2026Q1".into(),
        title: format!("测试排名 {region}"),
        weights_json: "[]".into(),
        rows_json: r#"{"level":"Children","weights":[],"ranked":[],"total":{"signed":0,"signed_amount":0,"signed_industrial":0,"signed_industrial_amount":0,"due_to_start":0,"started":0,"funds_of_signed":0,"funds":0,"invest":0,"tax":0,"jobs":0,"new_above_scale":0,"new_hundred_billion":0,"new_little_giants":0}}"#.into(),
        created_by: "test".into(),
        created_at: time::OffsetDateTime::now_utc(),
    };
    let mut w = Seeding::begin(db).await;
    zhaoshang::evaluation::store::insert_snapshot(&mut w.ex(), &s).await.unwrap();
    w.commit("evaluation.freeze_ranking", "ranking_snapshot", s.id, Some(s.region.clone()), &s).await;
    s.id
}

/// An empty draft 红旗/蜗牛 list of a region, through the seeding path; returns its id.
pub async fn flag_list(db: &Db, region: &str) -> uuid::Uuid {
    let f = zhaoshang::evaluation::store::FlagList {
        id: uuid::Uuid::now_v7(),
        region: region.into(),
        quarter: "2026Q1".into(),
        status: "draft".into(),
        red_json: "[]".into(),
        snail_json: "[]".into(),
        swaps_json: "[]".into(),
        created_by: "test".into(),
        created_at: time::OffsetDateTime::now_utc(),
        published_by: None,
        published_at: None,
        version: 1,
    };
    let mut w = Seeding::begin(db).await;
    zhaoshang::evaluation::store::insert_flag_list(&mut w.ex(), &f).await.unwrap();
    w.commit("evaluation.flags_draft", "flag_list", f.id, Some(f.region.clone()), &f).await;
    f.id
}

const YI: i64 = 10_000_000_000;
const WAN: i64 = 1_000_000;

/// A project signed on `sign` for `amount_yi` 亿, planned to start on `planned_start`: recorded through
/// its use case, then given its stage and dates through the seeding path.
#[allow(clippy::too_many_arguments)]
pub async fn signed(
    db: &Db,
    name: &str,
    region: &str,
    amount_yi: i64,
    industrial: bool,
    sign: time::Date,
    planned_start: Option<time::Date>,
    actual_start: Option<time::Date>,
) -> uuid::Uuid {
    let id = project(db, name, region).await;
    let stage = if actual_start.is_some() { "started" } else { "signed" };
    let planned_produce = planned_start.map(|d| d + time::Duration::days(360));
    let mut w = Seeding::begin(db).await;
    zhaoshang::q_exec!(
        &mut w.ex(),
        "UPDATE projects SET stage = $1, total_investment = $2, contracted_amount = $2, industrial = $3, actual_sign = $4,
           planned_start = $5, actual_start = $6, planned_produce = $7 WHERE id = $8",
        stage,
        amount_yi * YI,
        industrial,
        sign,
        planned_start,
        actual_start,
        planned_produce,
        id
    )
    .unwrap();
    let after = serde_json::json!({"stage": stage, "total_investment": amount_yi * YI, "contracted_amount": amount_yi * YI,
        "industrial": industrial, "actual_sign": sign.to_string(), "planned_start": planned_start.map(|d| d.to_string()),
        "actual_start": actual_start.map(|d| d.to_string()), "planned_produce": planned_produce.map(|d| d.to_string())});
    w.commit("project.update", "project", id, Some(region.into()), after).await;
    id
}

/// A monthly report with 到位资金, 税收 and 用工 (amounts in 万元), through the seeding path (filed on a fixed
/// day, whatever the checks of filing would say of today).
pub async fn report(
    db: &Db,
    project: uuid::Uuid,
    month: &str,
    cumulative_wan: i64,
    funds_wan: i64,
    tax_wan: i64,
    jobs: i64,
) {
    let now = time::OffsetDateTime::now_utc();
    let r = zhaoshang::reports::store::Report {
        id: uuid::Uuid::now_v7(),
        project_id: project,
        month: month.into(),
        invest_month: cumulative_wan * WAN,
        invest_cumulative: cumulative_wan * WAN,
        funds_domestic: funds_wan * WAN,
        funds_foreign_usd: 0,
        tax: tax_wan * WAN,
        jobs,
        output: 0,
        progress: String::new(),
        problems: String::new(),
        in_stats: true,
        late: false,
        filed_on: time::macros::date!(2026 - 10 - 05),
        filed_by: "test".into(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let mut w = Seeding::begin(db).await;
    zhaoshang::reports::store::insert(&mut w.ex(), &r).await.unwrap();
    let region = region_of(&mut w, "projects", project).await;
    w.commit("report.file", "project", project, region, &r).await;
}

/// The owning region of a row of `table` (projects, visits), read inside the seeding transaction.
async fn region_of(w: &mut Seeding, table: &str, id: uuid::Uuid) -> Option<String> {
    let sql = format!("SELECT region FROM {table} WHERE id = $1");
    zhaoshang::q_scalar!(&mut w.ex(), fetch_optional, String, sqlx::AssertSqlSafe(sql.as_str()), id).unwrap()
}

/// The id of a department (region, name), straight from the database.
pub async fn department(db: &Db, region: &str, name: &str) -> uuid::Uuid {
    let mut c = db.conn().await.unwrap();
    zhaoshang::q_scalar!(
        &mut c.ex(),
        fetch_one,
        uuid::Uuid,
        "SELECT id FROM departments WHERE region = $1 AND name = $2",
        region,
        name
    )
    .unwrap()
}

/// A visit to an enterprise (a week ago, by 长沙市 · 市工信局), through the seeding path; returns its id.
pub async fn visit(db: &Db, enterprise: uuid::Uuid, region: &str) -> uuid::Uuid {
    let v = zhaoshang::enterprise_service::visits::store::Visit {
        id: uuid::Uuid::now_v7(),
        enterprise_id: enterprise,
        project_id: None,
        region: region.into(),
        visited_on: zhaoshang::projects::service::today() - time::Duration::days(7),
        mode: "实地走访".into(),
        unit_region: "4301".into(),
        unit_name: "市工信局".into(),
        topics: "了解生产经营".into(),
        expansion: None,
        exit_risk: "无".into(),
        exit_risk_note: None,
        problems: None,
        notes: None,
        created_by: None,
        created_by_name: "test".into(),
        is_demo: false,
        created_at: time::OffsetDateTime::now_utc(),
        version: 1,
    };
    let people = [zhaoshang::enterprise_service::visits::model::Participant {
        name: "张三".into(),
        unit: "市工信局".into(),
    }];
    let mut w = Seeding::begin(db).await;
    zhaoshang::enterprise_service::visits::store::insert(&mut w.ex(), &v, &people).await.unwrap();
    w.commit("visit.create", "visit", v.id, Some(v.region.clone()), &v).await;
    v.id
}

/// A small PNG attached to a visit, through the seeding path; returns the photo id.
pub async fn visit_photo(db: &Db, visit: uuid::Uuid) -> uuid::Uuid {
    let m = zhaoshang::enterprise_service::visits::store::PhotoMeta {
        id: uuid::Uuid::now_v7(),
        visit_id: visit,
        filename: "现场.png".into(),
        content_type: "image/png".into(),
        size: 8,
        sha256: "0".repeat(64),
        uploaded_by: "test".into(),
        uploaded_at: time::OffsetDateTime::now_utc(),
    };
    let mut w = Seeding::begin(db).await;
    zhaoshang::enterprise_service::visits::store::insert_photo(&mut w.ex(), &m, b"\x89PNG\r\n\x1a\n").await.unwrap();
    let region = region_of(&mut w, "visits", visit).await;
    w.commit("visit.photo", "visit", visit, region, &m).await;
    m.id
}

/// An appeal of an enterprise, received now, dispatched to `department` when given (else pending), through
/// the seeding path; returns its id.
pub async fn appeal(db: &Db, enterprise: uuid::Uuid, region: &str, department: Option<uuid::Uuid>) -> uuid::Uuid {
    use zhaoshang::enterprise_service::appeals::store::{self as store, Appeal};
    let now = zhaoshang::audit::store::now_micros();
    let mut w = Seeding::begin(db).await;
    let number = store::next_number(&mut w.ex(), 2026).await.unwrap();
    let cal = zhaoshang::enterprise_service::settings::store::calendar(&mut w.ex()).await.unwrap();
    let a = Appeal {
        id: uuid::Uuid::now_v7(),
        number,
        title: "二期用地指标尚未落实".into(),
        detail: "企业反映二期扩建用地指标尚未落实".into(),
        category: "01".into(),
        tier: "complex".into(),
        tier_days: 15,
        source: "direct".into(),
        visit_id: None,
        project_id: None,
        enterprise_id: Some(enterprise),
        region: region.into(),
        level: "county".into(),
        department_id: department,
        state: if department.is_some() { "dispatched" } else { "pending" }.into(),
        contact: None,
        received_at: now,
        due_on: zhaoshang::enterprise_service::calendar::due_date(now, 15, &cal),
        dispatched_at: department.map(|_| now),
        accepted_at: None,
        resolved_at: None,
        answer: None,
        satisfaction: None,
        evaluated_at: None,
        evaluation_note: None,
        reopen_count: 0,
        return_reason: None,
        extension_days: None,
        extension_reason: None,
        extended: false,
        supervision: None,
        supervisor_id: None,
        supervisor_name: None,
        escalations: 0,
        escalated_at: None,
        auto_escalated_due: None,
        created_by: None,
        created_by_name: "test".into(),
        is_demo: false,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    store::insert(&mut w.ex(), &a).await.unwrap();
    w.commit("appeal.create", "appeal", a.id, Some(a.region.clone()), &a).await;
    a.id
}

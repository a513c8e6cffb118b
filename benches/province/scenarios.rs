//! What is measured: each scenario over HTTP against the server, and the same statements run
//! directly through the library's store functions (sqlx, same parameters, same concurrency).

use crate::load::{self, Stats};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use uuid::Uuid;
use zhaoshang::accounts::authz::CurrentUser;
use zhaoshang::audit::Actor;
use zhaoshang::db::Db;
use zhaoshang::projects::list::Filter;
use zhaoshang::reports::model::YearMonth;

/// The list query of the benchmark: three filters, a sort, a page.
pub const REGION: &str = "4301";
pub const REGION_PATH: &str = "/43/4301/";
pub const STAGE: &str = "开工";
pub const MIN_TOTAL: &str = "10000";

#[derive(Clone)]
pub struct Ctx {
    pub base: String,
    pub db: Db,
    pub clients: usize,
    pub warmup: Duration,
    pub secs: Duration,
    pub server_pid: String,
    pub leader_token: String,
    pub reporter_token: String,
    pub session_cookie: String,
}

pub fn http_clients(n: usize, header: (&str, String)) -> Arc<Vec<reqwest::Client>> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::HeaderName::from_bytes(header.0.as_bytes()).unwrap(),
        reqwest::header::HeaderValue::from_str(&header.1).unwrap(),
    );
    // One keep-alive connection per client, as 32 browsers or integrations would have.
    let build = || {
        reqwest::Client::builder()
            .default_headers(headers.clone())
            .pool_max_idle_per_host(1)
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap()
    };
    Arc::new((0..n).map(|_| build()).collect())
}

/// Runs an HTTP job on its own single-threaded runtime: the load generator shares the machine
/// with the server, and this keeps it to one core at most.
pub fn http_run<J: load::Job>(ctx: &Ctx, job: J) -> Stats {
    let (clients, warmup, secs, pid) = (ctx.clients, ctx.warmup, ctx.secs, ctx.server_pid.clone());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(load::run(clients, warmup, secs, job, &pid, &pid))
    })
    .join()
    .unwrap()
}

pub async fn bare_run<J: load::Job>(ctx: &Ctx, job: J) -> Stats {
    load::run(ctx.clients, ctx.warmup, ctx.secs, job, "self", &ctx.server_pid).await
}

pub async fn fetch(req: reqwest::RequestBuilder, expect: u16) -> Option<Result<(), String>> {
    Some(match req.send().await {
        Ok(r) if r.status().as_u16() == expect => r.bytes().await.map(|_| ()).map_err(|e| e.to_string()),
        Ok(r) => {
            let s = r.status();
            Err(format!("{s}: {}", r.text().await.unwrap_or_default().chars().take(300).collect::<String>()))
        }
        Err(e) => Err(e.to_string()),
    })
}

fn filter(page: usize) -> Filter {
    Filter {
        region: Some(REGION.into()),
        stage: Some(STAGE.into()),
        min_total: Some(MIN_TOTAL.into()),
        sort: Some("-total".into()),
        page: Some(page as i64),
        ..Default::default()
    }
}

/// Pages of the benchmark's list, so that clients walk over all of them (at most 40).
pub async fn list_pages(db: &Db) -> usize {
    let mut c = db.conn().await.unwrap();
    let (_, total) = zhaoshang::projects::list::page(&mut c.ex(), &[REGION_PATH.into()], Some(REGION_PATH), &filter(1))
        .await
        .unwrap();
    ((total as usize).div_ceil(50)).clamp(1, 40)
}

/// Where each client is in its walk through the list: the page and the row it continues after.
type Walks = Arc<Vec<std::sync::Mutex<(usize, Option<String>)>>>;

fn walks(n: usize, pages: usize) -> Walks {
    // Clients start at different depths, so that deep pages are read from the first second.
    Arc::new((0..n).map(|c| std::sync::Mutex::new((1 + (c * 7) % pages, None))).collect())
}

/// The row the next page continues after, from a page (its 下一页 link) or an API answer.
fn next_after(body: &str) -> Option<String> {
    let start = body.find("\"next_after\":\"").map(|i| i + 14).or_else(|| body.find("&after=").map(|i| i + 7))?;
    Some(body[start..].chars().take_while(|c| c.is_ascii_hexdigit() || *c == '-').collect())
}

/// Clients page through the list as a person does, by "next" (each page continues after the last
/// row of the one before), from page 1 to `pages` and again. A client that starts deep starts there
/// by number, as a link to page 20 would.
pub fn list_http(ctx: &Ctx, pages: usize, html: bool) -> Stats {
    let clients = if html {
        http_clients(ctx.clients, ("cookie", format!("zs_session={}", ctx.session_cookie)))
    } else {
        http_clients(ctx.clients, ("authorization", format!("Bearer {}", ctx.leader_token)))
    };
    let base = format!("{}{}", ctx.base, if html { "/projects" } else { "/api/v1/projects" });
    let walks = walks(ctx.clients, pages);
    http_run(ctx, move |c: usize, _: usize| {
        let (page, after) = walks[c].lock().unwrap().clone();
        let mut url = format!("{base}?region={REGION}&stage={STAGE}&min_total={MIN_TOTAL}&sort=-total&page={page}");
        if let Some(a) = &after {
            url.push_str(&format!("&after={a}"));
        }
        let (client, walks) = (clients[c].clone(), walks.clone());
        async move {
            let body = match client.get(url).send().await {
                Ok(r) if r.status().as_u16() == 200 => r.text().await.map_err(|e| e.to_string()),
                Ok(r) => Err(format!("{}", r.status())),
                Err(e) => Err(e.to_string()),
            };
            let next = body.as_deref().ok().and_then(next_after).filter(|_| page < pages);
            *walks[c].lock().unwrap() = match next {
                Some(a) => (page + 1, Some(a)),
                None => (1, None),
            };
            Some(body.map(|_| ()))
        }
    })
}

pub async fn list_bare(ctx: &Ctx, pages: usize) -> Stats {
    let (db, walks) = (ctx.db.clone(), walks(ctx.clients, pages));
    bare_run(ctx, move |c: usize, _: usize| {
        let (db, walks) = (db.clone(), walks.clone());
        async move {
            let (page, after) = walks[c].lock().unwrap().clone();
            let f = Filter { after, ..filter(page) };
            let mut conn = db.conn().await.ok()?;
            let r = zhaoshang::projects::list::page(&mut conn.ex(), &[REGION_PATH.into()], Some(REGION_PATH), &f).await;
            let next = r
                .as_ref()
                .ok()
                .and_then(|(rows, total)| zhaoshang::projects::list::next_after(rows, page as i64, *total));
            *walks[c].lock().unwrap() = match next.filter(|_| page < pages) {
                Some(a) => (page + 1, Some(a)),
                None => (1, None),
            };
            Some(r.map(|_| ()).map_err(|e| e.to_string()))
        }
    })
    .await
}

/// Projects the leader may read, spread over the region.
pub async fn detail_ids(db: &Db) -> Arc<Vec<Uuid>> {
    let mut c = db.conn().await.unwrap();
    let ids: Vec<Uuid> = zhaoshang::q_scalar!(
        &mut c.ex(),
        fetch_all,
        Uuid,
        "SELECT p.id FROM projects p JOIN regions g ON g.code = p.region WHERE g.path LIKE $1 ORDER BY p.id",
        format!("{REGION_PATH}%")
    )
    .unwrap();
    Arc::new(ids)
}

fn spread(ids: &[Uuid], c: usize, i: usize) -> Uuid {
    ids[(c * 7919 + i * 104_729) % ids.len()]
}

pub fn detail_http(ctx: &Ctx, ids: Arc<Vec<Uuid>>) -> Stats {
    let clients = http_clients(ctx.clients, ("authorization", format!("Bearer {}", ctx.leader_token)));
    let base = ctx.base.clone();
    http_run(ctx, move |c: usize, i: usize| {
        fetch(clients[c].get(format!("{base}/api/v1/projects/{}", spread(&ids, c, i))), 200)
    })
}

pub async fn detail_bare(ctx: &Ctx, ids: Arc<Vec<Uuid>>) -> Stats {
    let db = ctx.db.clone();
    bare_run(ctx, move |c: usize, i: usize| {
        let (db, id) = (db.clone(), spread(&ids, c, i));
        async move {
            let mut conn = db.conn().await.ok()?;
            let r = zhaoshang::projects::store::get(&mut conn.ex(), id).await;
            Some(r.map_err(|e| e.to_string()).and_then(|r| r.map(|_| ()).ok_or_else(|| "not found".into())))
        }
    })
    .await
}

/// Projects in the reporter's scope that filed last month and not yet this month, with last
/// month's cumulative figure and their total: each takes one consistent report this month.
pub struct Fresh {
    pub month: YearMonth,
    pub rows: Vec<(Uuid, i64, i64)>,
    pub next: AtomicUsize,
}

pub async fn fresh_projects(db: &Db) -> (Arc<Fresh>, Arc<Fresh>) {
    let month = YearMonth::of(zhaoshang::projects::service::today());
    let mut c = db.conn().await.unwrap();
    let rows: Vec<(Uuid, i64, i64)> = zhaoshang::q_as!(
        &mut c.ex(),
        fetch_all,
        (Uuid, i64, i64),
        "SELECT p.id, r.invest_cumulative, p.total_investment FROM projects p
         JOIN regions g ON g.code = p.region JOIN monthly_reports r ON r.project_id = p.id AND r.month = $2
         WHERE g.path LIKE $1 AND p.health <> 'exited'
           AND NOT EXISTS (SELECT 1 FROM monthly_reports x WHERE x.project_id = p.id AND x.month = $3)
         ORDER BY p.id",
        format!("{REGION_PATH}%"),
        month.prev().label(),
        month.label()
    )
    .unwrap();
    let half = rows.len() / 2;
    let fresh = |rows: Vec<(Uuid, i64, i64)>| Arc::new(Fresh { month, rows, next: AtomicUsize::new(0) });
    (fresh(rows[..half].to_vec()), fresh(rows[half..].to_vec()))
}

fn wan(fen: i64) -> String {
    format!("{}.{:06}", fen / 1_000_000, fen % 1_000_000)
}

/// The next fresh project and a consistent report for it: 50 万元 more (or what is left).
pub fn next_report(f: &Fresh) -> Option<(Uuid, zhaoshang::reports::model::Input)> {
    let (id, prev, total) = *f.rows.get(f.next.fetch_add(1, Ordering::Relaxed))?;
    let this = (total - prev).min(50_000_000);
    let input = zhaoshang::reports::model::Input {
        month: f.month.label(),
        invest_month: wan(this),
        invest_cumulative: wan(prev + this),
        jobs: "120".into(),
        progress: "基准测试填报".into(),
        in_stats: "是".into(),
        ..Default::default()
    };
    Some((id, input))
}

pub fn report_http(ctx: &Ctx, fresh: Arc<Fresh>) -> Stats {
    let clients = http_clients(ctx.clients, ("authorization", format!("Bearer {}", ctx.reporter_token)));
    let base = ctx.base.clone();
    http_run(ctx, move |c: usize, _| {
        let next = next_report(&fresh);
        let client = clients[c].clone();
        let base = base.clone();
        async move {
            let (id, input) = next?;
            fetch(client.post(format!("{base}/api/v1/projects/{id}/reports")).json(&input), 201).await
        }
    })
}

/// The list scenario while one reporter files monthly reports back to back, as on a reporting day;
/// returns the list's figures and the reports filed per second meanwhile.
pub fn list_while_reporting(ctx: &Ctx, pages: usize, fresh: Arc<Fresh>) -> (Stats, f64) {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let client = http_clients(1, ("authorization", format!("Bearer {}", ctx.reporter_token)))[0].clone();
    let (base, flag) = (ctx.base.clone(), stop.clone());
    let writer = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let (started, mut filed) = (std::time::Instant::now(), 0usize);
            while !flag.load(Ordering::Relaxed) {
                let Some((id, input)) = next_report(&fresh) else { break };
                let req = client.post(format!("{base}/api/v1/projects/{id}/reports")).json(&input);
                if matches!(fetch(req, 201).await, Some(Ok(()))) {
                    filed += 1;
                }
            }
            filed as f64 / started.elapsed().as_secs_f64()
        })
    });
    let stats = list_http(ctx, pages, false);
    stop.store(true, Ordering::Relaxed);
    (stats, writer.join().unwrap_or(0.0))
}

pub async fn report_bare(ctx: &Ctx, fresh: Arc<Fresh>, user: CurrentUser) -> Stats {
    let db = ctx.db.clone();
    let user = Arc::new(user);
    bare_run(ctx, move |_, _| {
        let (db, user, next) = (db.clone(), user.clone(), next_report(&fresh));
        async move {
            let (id, input) = next?;
            let actor = Actor { id: Some(user.id), name: user.username.clone(), ip: None };
            let r = zhaoshang::reports::service::file(&db, &user, &actor, &id.to_string(), None, &input).await;
            Some(r.map(|_| ()).map_err(|e| e.to_string()))
        }
    })
    .await
}

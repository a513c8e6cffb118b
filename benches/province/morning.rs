//! 工作日早高峰 (issue 13): 32 readers — 40 % cockpit pages of various regions and periods, 40 % project
//! lists (pages and API, various filters and sorts), 20 % project details — while, at the same time,
//! officials sign in (5 a second), file monthly reports (20 a second) and edit a project (one a
//! second), all through HTTP. Reads are reported per kind; every write must be acknowledged, and the
//! reports must be counted in the next cockpit load.

use crate::load::Stats;
use crate::scenarios::{Ctx, Fresh, fetch, http_clients};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use uuid::Uuid;

const CITIES: [&str; 14] =
    ["4301", "4302", "4303", "4304", "4305", "4306", "4307", "4308", "4309", "4310", "4311", "4312", "4313", "4331"];
const STAGES: [&str; 4] = ["开工", "签约", "投产", "供地"];
const SORTS: [&str; 4] = ["-total", "name", "-updated", "region"];

pub struct Morning {
    /// Per kind of read: cockpit, list, detail.
    pub reads: Vec<(&'static str, Stats)>,
    pub secs: f64,
    /// How long the writers wrote (the warm-up included).
    pub wall: f64,
    /// (acknowledged, failed) for sign-ins, reports, edits.
    pub writes: [(usize, usize); 3],
    pub first_write_error: Option<String>,
    /// The server's CPU per read, in ms.
    pub cpu_ms: f64,
}

impl Morning {
    pub fn reads_per_s(&self) -> f64 {
        self.reads.iter().map(|(_, s)| s.ok as f64).sum::<f64>() / self.secs.max(1e-9)
    }
}

/// What a reader asks for on its `i`-th request: two cockpits, two lists, one detail in five.
fn read_url(base: &str, periods: &[String], details: &[Uuid], c: usize, i: usize) -> (usize, String) {
    let n = c * 31 + i;
    match i % 5 {
        0 | 1 => {
            let region = if n % 4 == 0 { "43" } else { CITIES[n % CITIES.len()] };
            (0, format!("{base}/cockpit?region={region}&period={}", periods[n % periods.len()]))
        }
        2 | 3 => {
            let (stage, sort) = (STAGES[n % STAGES.len()], SORTS[(n / 4) % SORTS.len()]);
            let path = if n % 2 == 0 { "/api/v1/projects" } else { "/projects" };
            let region = CITIES[(n / 3) % CITIES.len()];
            (1, format!("{base}{path}?region={region}&stage={stage}&sort={sort}&page={}", 1 + n % 5))
        }
        _ => (2, format!("{base}/api/v1/projects/{}", details[(n * 7919) % details.len()])),
    }
}

pub struct Writers {
    pub reporter_token: String,
    pub editor_token: String,
    pub fresh: Arc<Fresh>,
    /// Projects the editor may edit.
    pub editable: Arc<Vec<Uuid>>,
}

/// Runs the readers for `ctx.secs` (after `ctx.warmup`) with the writers going from the start.
pub fn run(ctx: &Ctx, cookie: &str, periods: Vec<String>, details: Arc<Vec<Uuid>>, w: Writers) -> Morning {
    let stop = Arc::new(AtomicBool::new(false));
    let began = Instant::now();
    let writers = {
        let (base, db, stop) = (ctx.base.clone(), ctx.db.clone(), stop.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(write_all(base, db, w, stop))
        })
    };
    let (clients, warmup, secs, base, pid) =
        (ctx.clients, ctx.warmup, ctx.secs, ctx.base.clone(), ctx.server_pid.clone());
    let (session, api) = (
        http_clients(clients, ("cookie", format!("zs_session={cookie}"))),
        http_clients(clients, ("authorization", format!("Bearer {}", ctx.leader_token))),
    );
    let readers = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let periods = Arc::new(periods);
            let started = Instant::now();
            let (measure_from, end) = (started + warmup, started + warmup + secs);
            let mut cpu0 = None;
            let mut set = tokio::task::JoinSet::new();
            for c in 0..clients {
                let (session, api, periods, details, base) =
                    (session[c].clone(), api[c].clone(), periods.clone(), details.clone(), base.clone());
                set.spawn(async move {
                    let mut kinds: [(Vec<f64>, usize, Option<String>); 3] = Default::default();
                    let mut i = 0;
                    while Instant::now() < end {
                        let (kind, url) = read_url(&base, &periods, &details, c, i);
                        let client = if url.contains("/api/") { &api } else { &session };
                        let t = Instant::now();
                        let r = fetch(client.get(url), 200).await;
                        if t >= measure_from {
                            match r {
                                Some(Ok(())) => kinds[kind].0.push(t.elapsed().as_secs_f64() * 1000.0),
                                Some(Err(e)) => {
                                    kinds[kind].1 += 1;
                                    kinds[kind].2.get_or_insert(e);
                                }
                                None => {}
                            }
                        }
                        i += 1;
                    }
                    kinds
                });
            }
            tokio::time::sleep_until((measure_from).into()).await;
            cpu0.get_or_insert(crate::setup::cpu_seconds(&pid));
            let mut all: [(Vec<f64>, usize, Option<String>); 3] = Default::default();
            while let Some(r) = set.join_next().await {
                for (k, (lat, errs, first)) in r.unwrap_or_default().into_iter().enumerate() {
                    all[k].0.extend(lat);
                    all[k].1 += errs;
                    if all[k].2.is_none() {
                        all[k].2 = first;
                    }
                }
            }
            let secs = (Instant::now() - measure_from).as_secs_f64();
            let cpu = crate::setup::cpu_seconds(&pid) - cpu0.unwrap_or(0.0);
            (all, secs, cpu)
        })
    });
    let (all, secs, cpu) = readers.join().unwrap();
    stop.store(true, Ordering::Relaxed);
    let wall = began.elapsed().as_secs_f64();
    let (writes, first_write_error) = writers.join().unwrap();
    let names = ["驾驶舱页面", "项目列表（页面与 API）", "项目详情 API"];
    let mut reads = Vec::new();
    let mut ok = 0;
    for (k, (mut latencies, errors, first_error)) in all.into_iter().enumerate() {
        latencies.sort_by(f64::total_cmp);
        ok += latencies.len();
        let stats = Stats { ok: latencies.len(), errors, secs, latencies, first_error, cpu_ms: None, others: 0.0 };
        reads.push((names[k], stats));
    }
    Morning { reads, secs, wall, writes, first_write_error, cpu_ms: cpu * 1000.0 / ok.max(1) as f64 }
}

/// The three writers, each at its own pace, until `stop`.
async fn write_all(
    base: String,
    db: zhaoshang::db::Db,
    w: Writers,
    stop: Arc<AtomicBool>,
) -> ([(usize, usize); 3], Option<String>) {
    let counts: Arc<[(AtomicUsize, AtomicUsize); 3]> = Arc::new(Default::default());
    let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
    let note = {
        let (counts, first_error) = (counts.clone(), first_error.clone());
        move |k: usize, r: Option<Result<(), String>>| match r {
            Some(Ok(())) => {
                counts[k].0.fetch_add(1, Ordering::Relaxed);
            }
            Some(Err(e)) => {
                counts[k].1.fetch_add(1, Ordering::Relaxed);
                first_error.lock().unwrap().get_or_insert(format!("{}：{e}", ["登录", "月报", "修改项目"][k]));
            }
            None => {}
        }
    };
    let reporter = http_clients(1, ("authorization", format!("Bearer {}", w.reporter_token)))[0].clone();
    let editor = http_clients(1, ("authorization", format!("Bearer {}", w.editor_token)))[0].clone();
    let mut tasks = tokio::task::JoinSet::new();
    for (k, every) in [(0usize, 200u64), (1, 50), (2, 1000)] {
        let (base, db, stop, note) = (base.clone(), db.clone(), stop.clone(), note.clone());
        let (reporter, editor, fresh, editable) =
            (reporter.clone(), editor.clone(), w.fresh.clone(), w.editable.clone());
        tasks.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(every));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut inflight = tokio::task::JoinSet::new();
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                let (base, db, note) = (base.clone(), db.clone(), note.clone());
                let (reporter, editor, fresh, editable) =
                    (reporter.clone(), editor.clone(), fresh.clone(), editable.clone());
                n += 1;
                inflight.spawn(async move {
                    let r = match k {
                        0 => {
                            sign_in(&base, ["cs.leader", "cs.invest", "cs.reporter", "hn.leader", "xt.leader"][n % 5])
                                .await
                        }
                        1 => report(&base, &reporter, &fresh).await,
                        _ => edit(&base, &db, &editor, editable[n % editable.len()]).await,
                    };
                    note(k, r);
                });
            }
            while inflight.join_next().await.is_some() {}
        });
    }
    while tasks.join_next().await.is_some() {}
    let c = |k: usize| (counts[k].0.load(Ordering::Relaxed), counts[k].1.load(Ordering::Relaxed));
    let e = first_error.lock().unwrap().clone();
    ([c(0), c(1), c(2)], e)
}

async fn sign_in(base: &str, username: &str) -> Option<Result<(), String>> {
    let c = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().ok()?;
    let page = match c.get(format!("{base}/login")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(e) => return Some(Err(e.to_string())),
    };
    let i = page.find("name=\"_csrf\" value=\"")? + 20;
    let csrf = page[i..].split('"').next()?.to_string();
    let form =
        [("_csrf", csrf.as_str()), ("username", username), ("password", zhaoshang::demo::DEMO_PASSWORD), ("next", "/")];
    fetch(c.post(format!("{base}/login")).form(&form), 303).await
}

async fn report(base: &str, client: &reqwest::Client, fresh: &Fresh) -> Option<Result<(), String>> {
    let (id, input) = crate::scenarios::next_report(fresh)?;
    fetch(client.post(format!("{base}/api/v1/projects/{id}/reports")).json(&input), 201).await
}

/// A project's own fields sent back with a changed progress note, with the version read.
async fn edit(base: &str, db: &zhaoshang::db::Db, client: &reqwest::Client, id: Uuid) -> Option<Result<(), String>> {
    let mut conn = db.conn().await.ok()?;
    let row = zhaoshang::projects::store::get(&mut conn.ex(), id).await.ok()??;
    let investors = zhaoshang::projects::store::investors(&mut conn.ex(), id).await.ok()?;
    drop(conn);
    // Its own fields sent back: a save that changes nothing still writes, audits and moves the
    // projects' version, as an official's "保存" does.
    let input = zhaoshang::projects::pages_form::input_of(&row, &investors);
    let req = client
        .put(format!("{base}/api/v1/projects/{id}"))
        .header("if-match", format!("\"{}\"", row.p.version))
        .json(&input);
    match fetch(req, 200).await {
        // Another request edited it first: the API said so, as it should; not a failure of the server.
        Some(Err(e)) if e.starts_with("412") => Some(Ok(())),
        other => other,
    }
}

/// Whether the reports filed are counted in the next cockpit load: the province cockpit's trend from
/// the server equals the same figures computed afresh in this process from the database.
pub async fn counted(ctx: &Ctx, cookie: &str, period: zhaoshang::evaluation::period::Period) -> bool {
    let url = format!("{}/api/v1/cockpit?region=43&period={}", ctx.base, period.code());
    let client = http_clients(1, ("cookie", format!("zs_session={cookie}")))[0].clone();
    let Ok(r) = client.get(url).send().await else { return false };
    let Ok(served) = r.json::<serde_json::Value>().await else { return false };
    let mut conn = ctx.db.conn().await.expect("connection");
    let province = zhaoshang::regions::store::get(&mut conn.ex(), "43").await.ok().flatten().expect("湖南省");
    drop(conn);
    zhaoshang::cache::set_enabled(false);
    let fresh = zhaoshang::evaluation::cockpit::build(&ctx.db, &province, period).await;
    zhaoshang::cache::set_enabled(true);
    let Ok(fresh) = fresh else { return false };
    let served: Vec<i64> =
        served["trend"].as_array().into_iter().flatten().filter_map(|m| m["invest"].as_i64()).collect();
    let computed: Vec<i64> = fresh.trend.iter().map(|(_, s)| s.invest).collect();
    !served.is_empty() && served == computed
}

/// The table rows of one run.
pub fn lines(label: &str, m: &Morning, counted: bool) -> Vec<String> {
    let ms = |x: f64| if x.is_nan() { "–".to_string() } else { format!("{x:.1}") };
    let mut out = vec![
        format!("\n| {label}：读取 | 请求数 | 吞吐 /s | p50 ms | p99 ms | 失败 | 目标 | 结果 |"),
        "|---|---|---|---|---|---|---|---|".into(),
    ];
    for (name, s) in &m.reads {
        let met = s.pct(0.99) < 50.0 && s.errors == 0;
        let err = s
            .first_error
            .as_deref()
            .map(|e| format!("（{}）", e.chars().take(60).collect::<String>()))
            .unwrap_or_default();
        out.push(format!(
            "| {name} | {} | {:.0} | {} | {} | {}{err} | p99 < 50 ms | {} |",
            s.ok,
            s.rps(),
            ms(s.pct(0.5)),
            ms(s.pct(0.99)),
            s.errors,
            if met { "达到" } else { "**未达到**" }
        ));
    }
    let total = m.reads_per_s();
    out.push(format!(
        "| 全部读取（服务 CPU {:.2} ms/请求） | {} | {total:.0} | | | | ≥ 2000/s | {} |",
        m.cpu_ms,
        m.reads.iter().map(|(_, s)| s.ok).sum::<usize>(),
        if total >= 2000.0 { "达到" } else { "**未达到**" }
    ));
    let [(si, sf), (ri, rf), (ei, ef)] = m.writes;
    let secs = m.wall.max(1e-9);
    let all_ok = sf + rf + ef == 0;
    out.push(format!(
        "\n写入（{label}）：登录 {si} 次（{:.1}/s，失败 {sf}），月报 {ri} 份（{:.1}/s，失败 {rf}），修改项目 {ei} 次（失败 {ef}）；全部确认：{}；月报计入随后的驾驶舱：{}{}",
        si as f64 / secs,
        ri as f64 / secs,
        if all_ok { "是" } else { "**否**" },
        if counted { "是" } else { "**否**" },
        m.first_write_error.as_deref().map(|e| format!("（首个失败：{e}）")).unwrap_or_default()
    ));
    out
}

/// The province cockpit under 16 readers alone, and again while officials sign in five times a second
/// (sign-ins move no version of kept figures, so the second should keep most of the first).
pub fn cockpit_under_sign_ins(ctx: &Ctx, cookie: &str, period: &str) -> (Stats, Stats, usize) {
    let readers = Ctx { clients: 16, ..ctx.clone() };
    let clients = http_clients(readers.clients, ("cookie", format!("zs_session={cookie}")));
    let url = format!("{}/cockpit?region=43&period={period}", ctx.base);
    let job = {
        let (clients, url) = (clients.clone(), url.clone());
        move |c: usize, _| fetch(clients[c].get(url.clone()), 200)
    };
    let alone = crate::scenarios::http_run(&readers, job.clone());
    let stop = Arc::new(AtomicBool::new(false));
    let signer = {
        let (base, stop) = (ctx.base.clone(), stop.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                let mut tick = tokio::time::interval(Duration::from_millis(200));
                let (mut n, mut ok) = (0usize, 0usize);
                while !stop.load(Ordering::Relaxed) {
                    tick.tick().await;
                    n += 1;
                    let who = ["cs.leader", "cs.invest", "cs.reporter", "hn.leader", "xt.leader"][n % 5];
                    if matches!(sign_in(&base, who).await, Some(Ok(()))) {
                        ok += 1;
                    }
                }
                ok
            })
        })
    };
    let loaded = crate::scenarios::http_run(&readers, job);
    stop.store(true, Ordering::Relaxed);
    (alone, loaded, signer.join().unwrap_or(0))
}

//! The database under test (a copy of a cached province data set) and the real server binary
//! running on it as a child process, so that its memory and CPU can be read from /proc.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;
use zhaoshang::db::Db;
use zhaoshang::demo::province::{self, MARKER, Size};

async fn has_province(url: &str) -> bool {
    let Ok(db) = Db::connect(url).await else { return false };
    let mut found = false;
    if let Ok(mut c) = db.conn().await {
        found = zhaoshang::accounts::store::get_setting(&mut c.ex(), MARKER)
            .await
            .ok()
            .flatten()
            .is_some_and(|v| v != "loading");
    }
    db.close().await;
    found
}

/// Loads the organisation, the sources' records and the province data set into `url`.
async fn generate(url: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = Db::open(url).await?;
    zhaoshang::reference::ensure_loaded(&db).await?;
    zhaoshang::demo::load(&db).await?;
    let s = province::load(&db, Size::PROVINCE, &|line| eprint!("\r  {line}        ")).await?;
    eprintln!("\r  生成完成（{:.0} 秒）：{s:?}", started.elapsed().as_secs_f64());
    db.close().await;
    Ok(())
}

/// A SQLite copy of the cached data set (generated into `cache` first if missing) in `dir`.
pub async fn sqlite(cache: &Path, dir: &Path) -> anyhow::Result<String> {
    let cache_url = format!("sqlite://{}", cache.display());
    if !has_province(&cache_url).await {
        eprintln!("缓存 {} 中没有省级数据，生成中（约 1 分钟）……", cache.display());
        if let Some(parent) = cache.parent() {
            std::fs::create_dir_all(parent)?;
        }
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", cache.display()));
        }
        generate(&cache_url).await?;
    }
    let run = dir.join("run.db");
    std::fs::copy(cache, &run)?;
    Ok(format!("sqlite://{}", run.display()))
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out = format!("{out}?{q}");
    }
    out
}

pub const PG_CACHE_DB: &str = "zhaoshang_bench_cache";
pub const PG_RUN_DB: &str = "zhaoshang_bench_run";

/// A PostgreSQL database cloned (CREATE DATABASE … TEMPLATE) from a cached, loaded one.
pub async fn postgres(admin_url: &str) -> anyhow::Result<String> {
    let admin = sqlx::PgPool::connect(admin_url).await?;
    let cache_url = with_database(admin_url, PG_CACHE_DB);
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(PG_CACHE_DB)
        .fetch_optional(&admin)
        .await?;
    if exists.is_none() || !has_province(&cache_url).await {
        eprintln!("数据库 {PG_CACHE_DB} 中没有省级数据，生成中（约 2 分钟）……");
        let sql = format!("DROP DATABASE IF EXISTS {PG_CACHE_DB} WITH (FORCE)");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&admin).await?;
        let sql = format!("CREATE DATABASE {PG_CACHE_DB}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&admin).await?;
        generate(&cache_url).await?;
    }
    // Two statements, two round trips: several in one would run in one transaction, which
    // DROP/CREATE DATABASE refuse.
    for sql in [
        format!("DROP DATABASE IF EXISTS {PG_RUN_DB} WITH (FORCE)"),
        format!("CREATE DATABASE {PG_RUN_DB} TEMPLATE {PG_CACHE_DB}"),
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&admin).await?;
    }
    admin.close().await;
    Ok(with_database(admin_url, PG_RUN_DB))
}

pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    pub fn start(url: &str) -> anyhow::Result<Server> {
        Self::start_with(url, &[])
    }

    /// The server with extra environment (ZHAOSHANG_CACHE=off for the cold cockpit).
    pub fn start_with(url: &str, env: &[(&str, &str)]) -> anyhow::Result<Server> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_zhaoshang"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("ZHAOSHANG_DATABASE_URL", url)
            // ZHAOSHANG_BENCH_LOG=sqlx::query=debug (say) keeps the server's log in target/bench/server-PID.log,
            // to see which statements a scenario's time goes to.
            .env("ZHAOSHANG_LOG", std::env::var("ZHAOSHANG_BENCH_LOG").unwrap_or_else(|_| "warn".into()))
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut lines = BufReader::new(child.stderr.take().expect("piped")).lines();
        let addr = loop {
            match lines.next() {
                Some(Ok(l)) if l.contains("已启动") => {
                    break l.split("http://").nth(1).unwrap_or_default().trim_end_matches("/login").to_string();
                }
                Some(Ok(l)) => eprintln!("  服务：{l}"),
                _ => anyhow::bail!("服务未能启动"),
            }
        };
        // Keep draining its log so that the pipe never fills and blocks it; a few lines say
        // what kind of trouble there was (a saturated pool warns on every slow acquire).
        let mut keep = std::env::var("ZHAOSHANG_BENCH_LOG").ok().and_then(|_| {
            std::fs::File::create(default_cache().with_file_name(format!("server-{}.log", child.id())))
                .ok()
                .map(std::io::BufWriter::new)
        });
        std::thread::spawn(move || {
            let mut n: u64 = 0;
            for l in lines.map_while(Result::ok) {
                if let Some(f) = keep.as_mut() {
                    use std::io::Write;
                    let _ = writeln!(f, "{l}");
                    continue;
                }
                n += 1;
                if n <= 3 {
                    eprintln!("  服务：{l}");
                } else if n.is_power_of_two() {
                    eprintln!("  服务：……共 {n} 行日志");
                }
            }
        });
        Ok(Server { child, base: format!("http://{addr}") })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A field of /proc/PID/status in kB (VmRSS, VmHWM).
pub fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User + system CPU seconds a process has used (/proc/PID/stat, in clock ticks of 1/100 s).
pub fn cpu_seconds(pid: &str) -> f64 {
    let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return 0.0 };
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = s.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 =
        f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0) + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

pub fn default_cache() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench/province.db")
}

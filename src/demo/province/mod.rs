//! A province-sized demo data set: enterprises, projects, their stage logs and monthly reports
//! across the 14 市州 and their parks, generated from a fixed seed so every run gives the same
//! records. Written in one transaction with bulk statements, marked as demo data, audited once.

pub mod enterprises;
pub mod names;
pub mod projects;
pub mod reports;
pub mod world;

#[cfg(test)]
mod tests;

use super::bulk::{self, Investor, StageLog};
use super::rng::Rng;
use crate::audit::{self, Actor, Change};
use crate::db::{Backend, Db, Ex};
use crate::{q_as, q_exec};
use serde::Serialize;
use std::time::Instant;
use time::OffsetDateTime;
use uuid::Uuid;
use world::{Industry, World};

/// How many records to generate. The CLI offers the province; tests use smaller ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub enterprises: u32,
    pub projects: u32,
}

impl Size {
    pub const PROVINCE: Size = Size { enterprises: 200_000, projects: 100_000 };
}

pub const SEED: u64 = 43_2026;
/// Months of reports kept: the last 30, up to last month.
pub const WINDOW: u32 = 30;
/// The `settings` key that says the data set is there (written in the same transaction).
pub const MARKER: &str = "demo.province";
/// Records generated and written per round; bounds memory whatever the size.
const CHUNK: u32 = 5_000;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub enterprises: u64,
    pub projects: u64,
    pub investors: u64,
    pub stage_log: u64,
    pub reports: u64,
    pub seconds: f64,
}

/// The counties and parks of Hunan and the 小类 industry codes, as the database holds them.
pub async fn read_world(ex: &mut Ex<'_>, today: time::Date) -> Result<World, sqlx::Error> {
    let regions: Vec<(String, String, String)> = q_as!(
        ex,
        fetch_all,
        (String, String, String),
        "SELECT code, level, path FROM regions WHERE path LIKE '/43/%' ORDER BY code"
    )?;
    let industries: Vec<(String, String, String)> = q_as!(
        ex,
        fetch_all,
        (String, String, String),
        "SELECT code, name, section FROM industries WHERE level = 4 ORDER BY code"
    )?;
    let industries = industries.into_iter().map(|(code, name, section)| Industry { code, name, section }).collect();
    Ok(World::new(today, &regions, industries))
}

/// Generates and writes the data set once. Returns None, changing nothing, when it is there
/// already (or another run is writing it); it never touches records that are not its own.
pub async fn load(db: &Db, size: Size, progress: &dyn Fn(String)) -> anyhow::Result<Option<Summary>> {
    crate::reference::ensure_loaded(db).await?;
    let started = Instant::now();
    let mut tx = db.begin().await?;
    // Claiming the marker first makes a concurrent run wait here and then find it.
    let fresh = q_exec!(
        &mut tx.ex(),
        "INSERT INTO settings (key, value) VALUES ($1, 'loading') ON CONFLICT (key) DO NOTHING",
        MARKER
    )?;
    if fresh == 0 {
        return Ok(None);
    }
    if db.backend() == Backend::Sqlite {
        // A larger page cache for this connection while it builds the indexes of millions of rows.
        q_exec!(&mut tx.ex(), "PRAGMA cache_size = -262144")?;
    }
    let today = crate::projects::service::today();
    let world = read_world(&mut tx.ex(), today).await?;
    if world.units.is_empty() {
        anyhow::bail!("区划数据中没有湖南省的市州，无法生成省级演示数据");
    }
    let now = OffsetDateTime::now_utc();
    let mut rng = Rng::new(SEED);
    let mut sum = Summary::default();

    let mut briefs = Vec::with_capacity(size.enterprises as usize);
    let mut from = 0;
    while from < size.enterprises {
        let to = (from + CHUNK).min(size.enterprises);
        let mut rows = Vec::with_capacity((to - from) as usize);
        for i in from..to {
            let (e, b) = enterprises::enterprise(&world, &mut rng, i, now);
            rows.push(e);
            briefs.push(b);
        }
        bulk::insert(&mut tx.ex(), &rows).await?;
        sum.enterprises += rows.len() as u64;
        progress(format!("企业 {to}/{}", size.enterprises));
        from = to;
    }
    fresh_statistics(&mut tx.ex(), "enterprises").await?;
    if briefs.is_empty() && size.projects > 0 {
        anyhow::bail!("项目须有投资方：企业数不能为 0");
    }
    let mut by_city: Vec<Vec<u32>> = vec![Vec::new(); names::CITIES.len()];
    for (i, b) in briefs.iter().enumerate() {
        by_city[b.city].push(i as u32);
    }

    let mut from = 0;
    while from < size.projects {
        let to = (from + CHUNK).min(size.projects);
        let (mut ps, mut links, mut logs, mut reps) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for i in from..to {
            let mut g = projects::project(&world, &mut rng, i, &briefs, &by_city);
            reps.extend(reports::reports(&mut g, today, WINDOW, &mut rng));
            links.extend(g.investors.iter().map(|e| Investor(g.p.id, *e)));
            logs.extend(g.log.iter().map(|s| StageLog {
                id: Uuid::now_v7(),
                project_id: g.p.id,
                from: s.from.map(|f| f.code()),
                to: s.to.code(),
                on: s.on,
                note: "演示数据",
                actor: "demo",
                at: projects::at(s.on, &mut rng, now),
            }));
            ps.push(g.p);
        }
        bulk::insert(&mut tx.ex(), &ps).await?;
        fresh_statistics(&mut tx.ex(), "projects").await?;
        bulk::insert(&mut tx.ex(), &links).await?;
        bulk::insert(&mut tx.ex(), &logs).await?;
        bulk::insert(&mut tx.ex(), &reps).await?;
        sum.projects += ps.len() as u64;
        sum.investors += links.len() as u64;
        sum.stage_log += logs.len() as u64;
        sum.reports += reps.len() as u64;
        progress(format!("项目 {to}/{}，月报 {} 份", size.projects, sum.reports));
        from = to;
    }

    sum.seconds = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    let after = serde_json::json!({"demo": true, "seed": SEED, "months": WINDOW, "counts": &sum});
    q_exec!(&mut tx.ex(), "UPDATE settings SET value = $2 WHERE key = $1", MARKER, after.to_string())?;
    audit::record(
        &mut tx.ex(),
        &Actor::cli(),
        Change {
            action: "demo.load_province",
            entity: "demo",
            entity_id: "province".into(),
            region: None,
            before: None,
            after: Some(after),
        },
    )
    .await?;
    if db.backend() == Backend::Sqlite {
        q_exec!(&mut tx.ex(), "PRAGMA cache_size = -2000")?;
    }
    progress("提交中……".into());
    tx.commit().await?;
    analyze(db).await?;
    sum.seconds = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    Ok(Some(sum))
}

/// On PostgreSQL, statistics of a table filled in this transaction, so that the foreign-key checks
/// of the next inserts are planned (and their plans kept) for its real size: planned while the
/// table looked empty, each check scanned it whole, and loading the province slowed to a crawl.
async fn fresh_statistics(ex: &mut crate::db::Ex<'_>, table: &'static str) -> Result<(), sqlx::Error> {
    if ex.backend() == Backend::Postgres {
        q_exec!(ex, sqlx::AssertSqlSafe(format!("ANALYZE {table}")))?;
    }
    Ok(())
}

/// Fresh planner statistics for every table, the small ones too: without them both databases guess
/// badly on tables this size, and on a PostgreSQL without autovacuum (this project's CI machines
/// have it off) a never-analysed `regions` made the 红旗/蜗牛 scoring plan a parallel scan whose
/// 70,000 report probes then ran in one process (0.48 s instead of 0.33 s).
async fn analyze(db: &Db) -> anyhow::Result<()> {
    match db {
        Db::Sqlite(p) => {
            sqlx::raw_sql("ANALYZE").execute(p).await?;
            // The load went through the WAL; fold it back so the file does not stay gigabytes large.
            sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)").execute(p).await?;
        }
        Db::Postgres(p) => {
            // VACUUM too, as autovacuum would soon: it marks the pages all-visible, without which
            // the covering indexes (signed projects, cumulative investment) still visit the table.
            sqlx::raw_sql("VACUUM (ANALYZE)").execute(p).await?;
        }
    }
    Ok(())
}

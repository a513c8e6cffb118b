//! Results kept until what they read changes: evaluation figures, the cockpit, project list views,
//! who a token or a session belongs to.
//!
//! **Versions follow the data by construction.** Triggers bump a version per area of business data
//! (`data_versions`, migration 0027) in the same transaction as every write, whoever writes. A kind of
//! result names the areas it reads ([`Area`]); its entries are kept under the versions of those areas,
//! so a report filed now is counted on the next page load, while a sign-in, a notification or a visit,
//! which touch no area a figure reads, keep the figures. The versions are read once per request
//! ([`per_request`]); a transaction begun or committed in the request forgets them, so a request reads
//! its own writes.
//!
//! **One computation per missing entry.** Concurrent requests for the same missing entry wait for the
//! first one's computation instead of each starting it (a cold cockpit under 16 clients is computed
//! once, not 16 times on two cores).
//!
//! **Bounded, least recently used out.** Each [`Cache`] has its own bound; when full, the least recently
//! used sixteenth is dropped. Hits, misses and evictions are counted for `/metrics`.
//!
//! Each instance keeps its own cache; nothing in it is needed by another, and instances never disagree
//! since every entry is keyed by the database's versions.

use crate::db::Db;
use crate::error::{AppError, AppResult};
use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use tokio::sync::OnceCell;

mod area;
pub use area::*;

impl Versions {
    pub fn of(&self, area: Area) -> i64 {
        // `ALL` lists the areas in their declaration order (a unit test checks), so the
        // discriminant is the index.
        self.areas[area as usize]
    }

    /// The versions of what `reads` covers, in the order of `reads`.
    fn at(&self, reads: &[Area]) -> Stamp {
        Stamp { database: self.database, versions: reads.iter().map(|a| self.of(*a)).collect() }
    }
}

/// The versions an entry was computed at: the database's and those of the areas its kind reads.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Stamp {
    database: i64,
    versions: Vec<i64>,
}

impl Stamp {
    /// The older version at `index` if `self` differs from `now` in that version alone, having
    /// moved forward: an entry that can be brought up to date from what changed since.
    fn behind_only_at(&self, now: &Stamp, index: usize) -> Option<i64> {
        let same_elsewhere = self.database == now.database
            && self.versions.len() == now.versions.len()
            && self.versions.iter().zip(&now.versions).enumerate().all(|(i, (a, b))| i == index || a == b);
        let (old, new) = (*self.versions.get(index)?, *now.versions.get(index)?);
        (same_elsewhere && old < new).then_some(old)
    }
}

type Value = Arc<dyn Any + Send + Sync>;

/// One kept entry: the versions it was computed at, and the value once computed (waiters share it).
struct Entry {
    at: Stamp,
    cell: Arc<OnceCell<Value>>,
    used: u64,
    /// For a kind brought up to date ([`Cache::get_or_update`]): the last value computed and its
    /// stamp, while a newer one is being computed — so that reports filed faster than one update
    /// completes each start from it, not from nothing.
    last: Option<(Stamp, Value)>,
}

#[derive(Default)]
struct Map {
    entries: HashMap<String, Entry>,
    tick: u64,
}

/// One kind of kept results, with its own bound and counters: a thousand officials signing in must
/// not push the province's figures out.
pub struct Cache {
    pub name: &'static str,
    pub max: usize,
    map: LazyLock<Mutex<Map>>,
    hits: AtomicU64,
    misses: AtomicU64,
    /// Misses answered by bringing an older entry up to date rather than computing afresh.
    updates: AtomicU64,
    evictions: AtomicU64,
}

/// A cache's counters, for the metrics page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stats {
    pub name: &'static str,
    pub max: usize,
    pub len: usize,
    pub hits: u64,
    pub misses: u64,
    pub updates: u64,
    pub evictions: u64,
}

impl Cache {
    pub const fn new(name: &'static str, max: usize) -> Cache {
        Cache {
            name,
            max,
            map: LazyLock::new(Default::default),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            updates: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
        }
    }

    /// The value kept under `key` at the current versions of `reads`, else `compute`'s, kept. While
    /// one request computes it, others asking for it wait for that result.
    pub async fn get_or<T, F>(&self, db: &Db, reads: &[Area], key: String, compute: F) -> AppResult<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: Future<Output = AppResult<T>>,
    {
        if !ENABLED.load(Ordering::Relaxed) {
            return Ok(Arc::new(compute.await?));
        }
        let at = current(db).await?.at(reads);
        let (cell, _) = self.cell(key, at, None);
        // On the heap: a result computed from kept parts nests these futures, and inline they would
        // add up to more than a thread's stack in a debug build.
        let compute = Box::pin(compute);
        let v = Box::pin(cell.get_or_try_init(|| async { compute.await.map(|v| Arc::new(v) as Value) })).await?;
        downcast(v)
    }

    /// Like [`Cache::get_or`] for a value that can be brought up to date: when the entry kept is
    /// behind in the version of `grows` alone, `update` gets it, that older version and the current
    /// one, and returns the value now (reading only what changed since) — or `None` when nothing it
    /// depends on changed, and the kept value stands — instead of `compute` reading everything.
    pub async fn get_or_update<T, F, U, UF>(
        &self,
        db: &Db,
        reads: &[Area],
        grows: Area,
        key: String,
        compute: F,
        update: U,
    ) -> AppResult<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: Future<Output = AppResult<T>>,
        U: FnOnce(Arc<T>, i64, i64) -> UF,
        UF: Future<Output = AppResult<Option<T>>>,
    {
        if !ENABLED.load(Ordering::Relaxed) {
            return Ok(Arc::new(compute.await?));
        }
        let at = current(db).await?.at(reads);
        let index = reads.iter().position(|a| *a == grows);
        let now = index.and_then(|i| at.versions.get(i).copied()).unwrap_or_default();
        let (cell, base) = self.cell(key, at, index);
        let work = Box::pin(async move {
            match base {
                Some((kept, old)) => {
                    let typed = kept
                        .clone()
                        .downcast::<T>()
                        .map_err(|_| AppError::Internal(anyhow::anyhow!("cache entry of another type")))?;
                    self.updates.fetch_add(1, Ordering::Relaxed);
                    // Nothing it read has changed: the kept value itself stands for the new version.
                    Ok(match update(typed, old, now).await? {
                        Some(v) => Arc::new(v) as Value,
                        None => kept,
                    })
                }
                None => compute.await.map(|v| Arc::new(v) as Value),
            }
        });
        let v = Box::pin(cell.get_or_try_init(|| work)).await?;
        downcast(v)
    }

    /// Like [`Cache::get_or`] for a lookup by something a request names (a token, a region code, an
    /// id): only what was found is kept, so a flood of made-up names cannot push the rest out.
    pub async fn found_or<T, F>(&self, db: &Db, reads: &[Area], key: String, find: F) -> AppResult<Option<Arc<T>>>
    where
        T: Send + Sync + 'static,
        F: Future<Output = AppResult<Option<T>>>,
    {
        if !ENABLED.load(Ordering::Relaxed) {
            return Ok(find.await?.map(Arc::new));
        }
        let at = current(db).await?.at(reads);
        if let Some(v) = self.lookup::<T>(&key, &at) {
            return Ok(Some(v));
        }
        let Some(v) = find.await?.map(Arc::new) else { return Ok(None) };
        let (cell, _) = self.cell(key, at, None);
        let _ = cell.set(v.clone() as Value);
        Ok(Some(v))
    }

    /// The shared cell of `key` at `at`: the kept one, or a fresh one replacing an older version's —
    /// with that older value and its version at `grows` (an index into the stamp's versions) when it
    /// is behind in that version alone.
    fn cell(&self, key: String, at: Stamp, grows: Option<usize>) -> (Arc<OnceCell<Value>>, Option<(Value, i64)>) {
        let mut m = self.map.lock().unwrap_or_else(|e| e.into_inner());
        m.tick += 1;
        let tick = m.tick;
        let (mut base, mut last) = (None, None);
        if let Some(e) = m.entries.get_mut(&key) {
            if e.at == at {
                e.used = tick;
                if e.cell.initialized() {
                    self.hits.fetch_add(1, Ordering::Relaxed);
                    e.last = None;
                } else {
                    // Being computed by another request: this one waits for it.
                    self.misses.fetch_add(1, Ordering::Relaxed);
                }
                return (e.cell.clone(), None);
            }
            if let Some(i) = grows {
                last = e.cell.get().map(|v| (e.at.clone(), v.clone())).or_else(|| e.last.take());
                base = last.as_ref().and_then(|(stamp, v)| Some((v.clone(), stamp.behind_only_at(&at, i)?)));
            }
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        if m.entries.len() >= self.max && !m.entries.contains_key(&key) {
            self.evict(&mut m);
        }
        let cell = Arc::new(OnceCell::new());
        m.entries.insert(key, Entry { at, cell: cell.clone(), used: tick, last });
        (cell, base)
    }

    fn lookup<T: Send + Sync + 'static>(&self, key: &str, at: &Stamp) -> Option<Arc<T>> {
        let mut m = self.map.lock().unwrap_or_else(|e| e.into_inner());
        m.tick += 1;
        let tick = m.tick;
        let e = m.entries.get_mut(key).filter(|e| e.at == *at)?;
        let v = e.cell.get()?.clone();
        e.used = tick;
        self.hits.fetch_add(1, Ordering::Relaxed);
        v.downcast::<T>().ok()
    }

    /// Drops the least recently used sixteenth (at least one): one pass over the map per sixteenth of
    /// its bound instead of one per insertion.
    fn evict(&self, m: &mut Map) {
        let n = (self.max / 16).max(1).min(m.entries.len());
        let mut used: Vec<u64> = m.entries.values().map(|e| e.used).collect();
        let (_, cut, _) = used.select_nth_unstable(n - 1);
        let cut = *cut;
        let before = m.entries.len();
        m.entries.retain(|_, e| e.used > cut);
        self.evictions.fetch_add((before - m.entries.len()) as u64, Ordering::Relaxed);
    }

    pub fn stats(&self) -> Stats {
        let len = self.map.lock().map(|m| m.entries.len()).unwrap_or(0);
        Stats {
            name: self.name,
            max: self.max,
            len,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            updates: self.updates.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
        }
    }
}

fn downcast<T: Send + Sync + 'static>(v: &Value) -> AppResult<Arc<T>> {
    v.clone().downcast::<T>().map_err(|_| AppError::Internal(anyhow::anyhow!("cache entry of another type")))
}

/// Figures and pages: enough for every scope and period leaders look at in a day.
pub static FIGURE_CACHE: Cache = Cache::new("figures", 1024);
/// Project list views: each view's ordered ids and count, and each page read.
pub static LIST_CACHE: Cache = Cache::new("project_lists", 2048);
/// Who a session's user or a token is, with their grants.
pub static SIGN_IN_CACHE: Cache = Cache::new("sign_ins", 8192);

/// Every cache, for the metrics.
pub fn all() -> [&'static Cache; 3] {
    [&FIGURE_CACHE, &LIST_CACHE, &SIGN_IN_CACHE]
}

/// `ZHAOSHANG_CACHE=off` computes everything afresh on every request: how the benchmark measures
/// the cold path, and a way to rule the cache out when a figure looks wrong. (The older name
/// `ZHAOSHANG_EVAL_CACHE` still works.)
static ENABLED: LazyLock<AtomicBool> = LazyLock::new(|| {
    let off = |name: &str| std::env::var(name).is_ok_and(|v| v == "off");
    AtomicBool::new(!off("ZHAOSHANG_CACHE") && !off("ZHAOSHANG_EVAL_CACHE"))
});

pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

tokio::task_local! {
    static REQUEST_VERSIONS: RefCell<Option<Versions>>;
}

/// Runs one request with one read of the versions for all its lookups (who is signed in, the page,
/// the figures): the request answers from the database as it was at its first lookup, as if it had
/// come a moment earlier. A transaction begun or committed in the request forgets the versions read,
/// so that what the request reads after its own change includes it.
pub async fn per_request<F: Future>(request: F) -> F::Output {
    REQUEST_VERSIONS.scope(RefCell::new(None), request).await
}

/// Called when a transaction begins or commits (outside a request it does nothing).
pub fn forget_versions() {
    let _ = REQUEST_VERSIONS.try_with(|h| h.borrow_mut().take());
}

async fn current(db: &Db) -> AppResult<Versions> {
    if let Ok(Some(v)) = REQUEST_VERSIONS.try_with(|h| h.borrow().clone()) {
        return Ok(v);
    }
    let v = versions(db).await?;
    let _ = REQUEST_VERSIONS.try_with(|m| *m.borrow_mut() = Some(v.clone()));
    Ok(v)
}

/// Reads this request's versions now, unless read already or the cache is off. Called beside the
/// first query of a request (the session's) so that the two run at once: on PostgreSQL each is a
/// round trip, and one after the other they were a millisecond of a busy morning's cockpit request.
pub async fn prefetch_versions(db: &Db) -> AppResult<()> {
    if enabled() {
        current(db).await?;
    }
    Ok(())
}

/// The id of the database `db` is (the random number that tells two databases apart), as read with
/// this request's versions.
pub async fn database_id(db: &Db) -> AppResult<i64> {
    Ok(current(db).await?.database)
}

/// The versions of every area, read now.
pub async fn versions(db: &Db) -> AppResult<Versions> {
    let mut conn = db.conn().await?;
    let rows: Vec<(String, i64)> =
        crate::q_as!(&mut conn.ex(), fetch_all, (String, i64), "SELECT area, version FROM data_versions")?;
    let find = |code: &str| rows.iter().find(|(a, _)| a == code).map(|(_, v)| *v);
    let mut areas = [0; Area::ALL.len()];
    for (i, a) in Area::ALL.iter().enumerate() {
        // A row deleted by hand: nothing of that area can be kept, rather than kept forever.
        areas[i] = find(a.code()).ok_or_else(|| AppError::Internal(anyhow::anyhow!("no version for {a:?}")))?;
    }
    Ok(Versions { database: find("database").unwrap_or_default(), areas })
}

/// The figure or page kept under `key` at the current versions of what figures read, else
/// `compute`'s, kept.
pub async fn get_or<T, F>(db: &Db, key: String, compute: F) -> AppResult<Arc<T>>
where
    T: Send + Sync + 'static,
    F: Future<Output = AppResult<T>>,
{
    FIGURE_CACHE.get_or(db, FIGURES, key, compute).await
}

/// Like [`Cache::found_or`], in the figures' cache.
pub async fn found_or<T, F>(db: &Db, reads: &[Area], key: String, find: F) -> AppResult<Option<Arc<T>>>
where
    T: Send + Sync + 'static,
    F: Future<Output = AppResult<Option<T>>>,
{
    FIGURE_CACHE.found_or(db, reads, key, find).await
}

/// The Prometheus text of every cache's bound, size and counters.
pub fn metrics() -> String {
    let mut out = String::new();
    let caches = all().map(|c| c.stats());
    for (metric, help, kind, value) in [
        ("zhaoshang_cache_entries", "Entries kept now.", "gauge", (|s: &Stats| s.len as u64) as fn(&Stats) -> u64),
        ("zhaoshang_cache_capacity", "Most entries kept.", "gauge", |s: &Stats| s.max as u64),
        ("zhaoshang_cache_hits_total", "Lookups answered from the cache.", "counter", |s: &Stats| s.hits),
        ("zhaoshang_cache_misses_total", "Lookups that computed (or waited for) a value.", "counter", |s: &Stats| {
            s.misses
        }),
        (
            "zhaoshang_cache_updates_total",
            "Misses answered by bringing an older entry up to date.",
            "counter",
            |s: &Stats| s.updates,
        ),
        ("zhaoshang_cache_evictions_total", "Entries dropped to stay within the bound.", "counter", |s: &Stats| {
            s.evictions
        }),
    ] {
        out.push_str(&format!("# HELP {metric} {help}\n# TYPE {metric} {kind}\n"));
        for s in &caches {
            out.push_str(&format!("{metric}{{cache=\"{}\"}} {}\n", s.name, value(s)));
        }
    }
    out
}

#[cfg(test)]
mod tests;

//! Results kept until anything changes: evaluation figures, the project list's views, who a token
//! or a session belongs to. Every change anywhere writes an audit record in its own transaction, so
//! the audit chain's head (its sequence and hash) is a version of the whole database: a result
//! computed at the current head is still true, and a report written now is counted on the next page
//! load. The hash also tells two databases apart, should one process serve several (the tests do).
//! Each instance keeps its own cache; nothing in it is needed by another.

use crate::db::Db;
use crate::error::AppResult;
use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

type Entry = (String, Arc<dyn Any + Send + Sync>);

/// One kind of kept results, with its own bound: a thousand officials signing in must not push the
/// province's figures out.
pub struct Cache {
    map: LazyLock<Mutex<HashMap<String, Entry>>>,
    max: usize,
}

impl Cache {
    pub const fn new(max: usize) -> Cache {
        Cache { map: LazyLock::new(Default::default), max }
    }

    /// The value stored under `key` if computed at the current head, else `compute`'s, stored.
    pub async fn get_or<T, F>(&self, db: &Db, key: String, compute: F) -> AppResult<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: Future<Output = AppResult<T>>,
    {
        self.get_or_at(db, Version::Data, key, compute).await
    }

    /// The value stored under `key` if computed at the current `version`, else `compute`'s, stored.
    pub async fn get_or_at<T, F>(&self, db: &Db, version: Version, key: String, compute: F) -> AppResult<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: Future<Output = AppResult<T>>,
    {
        if !ENABLED.load(Ordering::Relaxed) {
            return Ok(Arc::new(compute.await?));
        }
        let at = current_head(db).await?.at(version);
        if let Some(v) = self.lookup(&key, &at) {
            return Ok(v);
        }
        let v = Arc::new(compute.await?);
        self.keep(key, at, v.clone());
        Ok(v)
    }

    /// Like [`Cache::get_or_at`] for a lookup by something a request names (a token, a region code,
    /// an id): only what was found is kept, so a flood of made-up names cannot push the rest out.
    pub async fn found_or<T, F>(&self, db: &Db, version: Version, key: String, find: F) -> AppResult<Option<Arc<T>>>
    where
        T: Send + Sync + 'static,
        F: Future<Output = AppResult<Option<T>>>,
    {
        if !ENABLED.load(Ordering::Relaxed) {
            return Ok(find.await?.map(Arc::new));
        }
        let at = current_head(db).await?.at(version);
        if let Some(v) = self.lookup(&key, &at) {
            return Ok(Some(v));
        }
        let Some(v) = find.await?.map(Arc::new) else { return Ok(None) };
        self.keep(key, at, v.clone());
        Ok(Some(v))
    }

    fn lookup<T: Send + Sync + 'static>(&self, key: &str, at: &str) -> Option<Arc<T>> {
        let (kept_at, v) = self.map.lock().ok()?.get(key).cloned()?;
        if kept_at != at {
            return None;
        }
        v.downcast::<T>().ok()
    }

    fn keep(&self, key: String, at: String, v: Arc<dyn Any + Send + Sync>) {
        if let Ok(mut c) = self.map.lock() {
            if c.len() >= self.max {
                c.clear();
            }
            c.insert(key, (at, v));
        }
    }
}

/// Figures and pages: enough for every scope and period leaders look at in a day; past it, the
/// cache starts over.
static FIGURES: Cache = Cache::new(512);

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

/// What a kept result depends on.
#[derive(Clone, Copy)]
pub enum Version {
    /// Anything in the database: who is signed in (a sign-in changes the failure count and lock).
    All,
    /// Business data: anything but sign-ins, sign-outs and exports (see
    /// `audit::model::may_change_data`), so password guesses do not empty the figures.
    Data,
    /// What a project list shows: projects, their regions and industries (a monthly report, an
    /// appeal or a sign-in leaves it; see `audit::model::may_change_project_list`).
    ProjectList,
}

/// The audit head as versions: of everything, and of what project lists show.
#[derive(Clone, Debug, PartialEq)]
pub struct Head {
    pub all: String,
    pub data: String,
    pub projects: String,
}

impl Head {
    fn at(self, version: Version) -> String {
        match version {
            Version::All => self.all,
            Version::Data => self.data,
            Version::ProjectList => self.projects,
        }
    }
}

tokio::task_local! {
    static REQUEST_HEAD: RefCell<Option<Head>>;
}

/// Runs one request with one read of the head for all its lookups (who is signed in, the page,
/// the figures): the request answers from the database as it was at its first lookup, as if it had
/// come a moment earlier. A transaction begun or committed in the request forgets the head read, so
/// that what the request reads after its own change includes it.
pub async fn per_request<F: Future>(request: F) -> F::Output {
    REQUEST_HEAD.scope(RefCell::new(None), request).await
}

/// Called when a transaction begins or commits (outside a request it does nothing).
pub fn forget_head() {
    let _ = REQUEST_HEAD.try_with(|h| h.borrow_mut().take());
}

async fn current_head(db: &Db) -> AppResult<Head> {
    if let Ok(Some(h)) = REQUEST_HEAD.try_with(|h| h.borrow().clone()) {
        return Ok(h);
    }
    let h = head(db).await?;
    let _ = REQUEST_HEAD.try_with(|m| *m.borrow_mut() = Some(h.clone()));
    Ok(h)
}

pub async fn head(db: &Db) -> AppResult<Head> {
    let mut conn = db.conn().await?;
    let (seq, hash, projects, data): (i64, String, String, String) = crate::q_as!(
        &mut conn.ex(),
        fetch_one,
        (i64, String, String, String),
        "SELECT seq, hash, projects_version, data_version FROM audit_head WHERE id = 1"
    )?;
    let all = format!("{seq}:{hash}");
    // Empty only if a column were ever cleared by hand: then nothing is kept across any change.
    let or_all = |v: String| if v.is_empty() { all.clone() } else { v };
    let (projects, data) = (or_all(projects), or_all(data));
    Ok(Head { all, data, projects })
}

/// The figure or page stored under `key` if computed at the current head, else `compute`'s, stored.
pub async fn get_or<T, F>(db: &Db, key: String, compute: F) -> AppResult<Arc<T>>
where
    T: Send + Sync + 'static,
    F: Future<Output = AppResult<T>>,
{
    FIGURES.get_or(db, key, compute).await
}

/// Like [`Cache::found_or`], in the figures' cache.
pub async fn found_or<T, F>(db: &Db, version: Version, key: String, find: F) -> AppResult<Option<Arc<T>>>
where
    T: Send + Sync + 'static,
    F: Future<Output = AppResult<Option<T>>>,
{
    FIGURES.found_or(db, version, key, find).await
}

/// Like [`get_or`], for results that depend only on what project lists show.
pub async fn get_or_at<T, F>(db: &Db, version: Version, key: String, compute: F) -> AppResult<Arc<T>>
where
    T: Send + Sync + 'static,
    F: Future<Output = AppResult<T>>,
{
    FIGURES.get_or_at(db, version, key, compute).await
}

//! Results kept until anything changes: evaluation figures, the project list's views. Every
//! change anywhere writes an audit record in its own transaction, so the audit chain's head (its
//! sequence and hash) is a version of the whole database: a result computed at the current head is
//! still true, and a report written now is counted on the next page load. The hash also tells two
//! databases apart, should one process serve several (the tests do). Each instance keeps its own
//! cache; nothing in it is needed by another.

use crate::db::Db;
use crate::error::AppResult;
use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

type Entry = (String, Arc<dyn Any + Send + Sync>);

static CACHE: LazyLock<Mutex<HashMap<String, Entry>>> = LazyLock::new(Default::default);
/// Enough for every scope and period leaders look at in a day; past it, the cache starts over.
const MAX_ENTRIES: usize = 512;

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

pub async fn head(db: &Db) -> AppResult<String> {
    let mut conn = db.conn().await?;
    let (seq, hash): (i64, String) =
        crate::q_as!(&mut conn.ex(), fetch_one, (i64, String), "SELECT seq, hash FROM audit_head WHERE id = 1")?;
    Ok(format!("{seq}:{hash}"))
}

/// The value stored under `key` if computed at the current head, else `compute`'s, stored.
pub async fn get_or<T, F>(db: &Db, key: String, compute: F) -> AppResult<Arc<T>>
where
    T: Send + Sync + 'static,
    F: Future<Output = AppResult<T>>,
{
    if !ENABLED.load(Ordering::Relaxed) {
        return Ok(Arc::new(compute.await?));
    }
    let seq = head(db).await?;
    let hit = CACHE.lock().ok().and_then(|c| c.get(&key).cloned());
    if let Some((at, v)) = hit {
        if at == seq {
            if let Ok(v) = v.downcast::<T>() {
                return Ok(v);
            }
        }
    }
    let v = Arc::new(compute.await?);
    if let Ok(mut c) = CACHE.lock() {
        if c.len() >= MAX_ENTRIES {
            c.clear();
        }
        c.insert(key, (seq, v.clone() as Arc<dyn Any + Send + Sync>));
    }
    Ok(v)
}

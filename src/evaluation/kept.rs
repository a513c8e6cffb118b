//! Parts of the facts kept per region path and brought up to date region by region (issue 13).
//!
//! A report filed changes one region's sums; a project saved, one or two regions' projects. A part
//! of the cockpit's facts (the sums of a window, the projects signed in it, the stage funnel) is kept
//! with the version of the area it grows in; when only that version has moved, the regions changed
//! since are found and only their rows are read again. The regions changed come from a feed kept in
//! memory per source, read once per new version for the whole process: most parts (other cities,
//! other windows) then find nothing of theirs changed and read nothing at all.
//!
//! The changes are stamped in the database, in the writing transaction (migrations 0028, 0030):
//! each sums row, and each region whose projects changed, carries the version of the write that last
//! changed it, bumped before the stamp and — on PostgreSQL — locked until commit, so every row
//! stamped at or below a version a reader sees is already visible to it.

use crate::cache::{Area, FIGURE_CACHE};
use crate::db::{Db, fetch_all_binds};
use crate::error::AppResult;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

/// What signing reads: projects and their regions.
const PROJECT_READS: &[Area] = &[Area::Projects, Area::Reference];
/// The sums kept from reports move with the reports' version alone (migration 0028 stamps every
/// change to them, a project's move included).
const SUMS_READS: &[Area] = &[Area::Reports, Area::Reference];

/// Where a part is read from, and where the regions changed since a version are.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Source {
    /// `report_sums` (per region and month).
    Reports,
    /// `signed_funds` (per region, signing month and report month).
    SignedFunds,
    /// Projects themselves: their signing months (`signing_months`, migration 0031).
    Projects,
    /// `project_sums`, kept from projects.
    ProjectSums,
}

impl Source {
    /// The changes of this source: (region, month the change is in, if it has one, stamp).
    fn feed_sql(self) -> &'static str {
        match self {
            Source::Reports => "SELECT region, month, changed FROM report_sums WHERE changed > $1",
            Source::SignedFunds => "SELECT region, sign_month AS month, changed FROM signed_funds WHERE changed > $1",
            Source::Projects | Source::ProjectSums => {
                "SELECT region, CAST(NULL AS TEXT) AS month, changed FROM project_region_changes WHERE changed > $1"
            }
        }
    }

    /// Both project sources share one feed.
    fn feed(self) -> Source {
        if self == Source::ProjectSums { Source::Projects } else { self }
    }

    /// What the part reads, and the one area it is brought up to date in.
    fn reads(self) -> (&'static [Area], Area) {
        match self {
            Source::Reports | Source::SignedFunds => (SUMS_READS, Area::Reports),
            Source::Projects | Source::ProjectSums => (PROJECT_READS, Area::Projects),
        }
    }
}

/// Rows grouped by region path.
pub trait OfPath {
    fn path(&self) -> &str;
}

/// Rows of `sql` read from `source` (`$1`: the scope's subtree pattern, its only bind; `{touched}` marks where
/// a restriction to some regions goes), kept under `key` and brought up to date region by region.
/// `window` (first and last month) lets a change in a month outside it pass by.
pub async fn kept_sums<T>(
    db: &Db,
    source: Source,
    key: String,
    sql: String,
    scope_path: &str,
    window: Option<(&str, &str)>,
) -> AppResult<Arc<Vec<T>>>
where
    T: crate::db::AnyRow + OfPath + Clone + Sync + 'static,
{
    // The scope's pattern written in where it can be (one plan kept per subtree), else bound as $1.
    let (sql, scope) = match crate::regions::model::subtree_literal(scope_path) {
        Some(pattern) => (sql.replace("$1", &pattern), vec![]),
        None => (sql, vec![format!("{scope_path}%")]),
    };
    let (scope, sql) = (&scope, &sql);
    let full = async {
        let mut conn = db.conn().await?;
        Ok(fetch_all_binds(&mut conn.ex(), &sql.replace("{touched}", ""), scope).await?)
    };
    let update = |kept: Arc<Vec<T>>, since: i64, now: i64| async move {
        let changed = changed_since(db, source.feed(), since, now).await?;
        let paths = crate::regions::service::paths(db).await?;
        // The regions of the scope changed in the window, by code and path.
        let touched: Vec<(&str, &str)> = changed
            .iter()
            .filter(|(_, month)| match (window, month) {
                (Some((m0, m1)), Some(m)) => m0 <= m.as_str() && m.as_str() <= m1,
                _ => true,
            })
            .filter_map(|(region, _)| Some((region.as_str(), paths.get(region)?.as_str())))
            .filter(|(_, path)| path.starts_with(scope_path))
            .collect();
        if touched.is_empty() {
            return Ok(None);
        }
        let codes: HashSet<&str> = touched.iter().map(|(c, _)| *c).collect();
        let mut binds = scope.to_vec();
        let mut marks = Vec::new();
        for c in codes {
            binds.push(c.to_string());
            marks.push(format!("${}", binds.len()));
        }
        // Every part reads its source as `s`.
        let restrict = format!("AND s.region IN ({})", marks.join(", "));
        let mut conn = db.conn().await?;
        let fresh: Vec<T> = fetch_all_binds(&mut conn.ex(), &sql.replace("{touched}", &restrict), &binds).await?;
        let touched: HashSet<String> = touched.iter().map(|(_, p)| p.to_string()).collect();
        Ok(Some(merge_by_path(&kept, &touched, fresh)))
    };
    let (reads, grows) = source.reads();
    FIGURE_CACHE.get_or_update(db, reads, grows, key, full, update).await
}

/// The kept rows with those of the `touched` paths replaced by `fresh` (which holds every row of
/// those paths there is now: a path whose sums fell to nothing has none).
pub fn merge_by_path<T: OfPath + Clone>(kept: &[T], touched: &HashSet<String>, fresh: Vec<T>) -> Vec<T> {
    kept.iter().filter(|r| !touched.contains(r.path())).cloned().chain(fresh).collect()
}

/// The regions whose projects changed after version `since`, as of `now` (the projects' versions),
/// by path: what a kept project list checks before it stands for a new version.
pub async fn project_regions_changed(db: &Db, since: i64, now: i64) -> AppResult<Vec<String>> {
    let changed = changed_since(db, Source::Projects, since, now).await?;
    let paths = crate::regions::service::paths(db).await?;
    // A region unknown to the paths (deleted since) could be anywhere: say so by its root.
    Ok(changed.into_iter().map(|(code, _)| paths.get(&code).cloned().unwrap_or_else(|| "/".into())).collect())
}

/// The changes of one source this process has read: every change stamped after `start`, read up to
/// version `upto` (every write at or below it is in).
struct Feed {
    start: i64,
    upto: i64,
    /// (region, month) → the latest stamp.
    changes: HashMap<(String, Option<String>), i64>,
}

/// How many changes a feed holds before it starts again (parts older than its start then read their
/// changed regions once more).
const FEED_MAX: usize = 50_000;

type FeedCell = Arc<tokio::sync::Mutex<Option<Feed>>>;

/// One feed per database and source (the tests serve several databases from one process).
static FEEDS: LazyLock<Mutex<HashMap<(i64, Source), FeedCell>>> = LazyLock::new(Default::default);

/// The (region, month) pairs of `source` changed after `since`, as of version `now`. One request at
/// a time reads a feed's new changes; the others wait for it and answer from memory.
async fn changed_since(db: &Db, source: Source, since: i64, now: i64) -> AppResult<Vec<(String, Option<String>)>> {
    let database = crate::cache::database_id(db).await?;
    let cell = FEEDS.lock().unwrap_or_else(|e| e.into_inner()).entry((database, source)).or_default().clone();
    let mut feed = cell.lock().await;
    // A feed that begins after `since` (or none yet) starts again from `since`: a feed only grows back.
    let f = match feed.take() {
        Some(f) if f.start <= since => f,
        _ => Feed { start: since, upto: since, changes: HashMap::new() },
    };
    let f = feed.insert(f);
    if f.upto < now {
        for (region, month, changed) in read_feed(db, source, f.upto).await? {
            let e = f.changes.entry((region, month)).or_insert(changed);
            *e = (*e).max(changed);
        }
        // Everything stamped at or below `now` was committed before `now` could be read.
        f.upto = now;
    }
    let out = f.changes.iter().filter(|(_, c)| **c > since).map(|(k, _)| k.clone()).collect();
    if f.changes.len() > FEED_MAX {
        *f = Feed { start: f.upto, upto: f.upto, changes: HashMap::new() };
    }
    Ok(out)
}

async fn read_feed(db: &Db, source: Source, after: i64) -> AppResult<Vec<(String, Option<String>, i64)>> {
    let mut conn = db.conn().await?;
    Ok(crate::q_as!(&mut conn.ex(), fetch_all, (String, Option<String>, i64), source.feed_sql(), after)?)
}

//! The cache's own rules: eviction, stamps, updates, single flight, metrics.
use super::*;

fn st(versions: &[i64]) -> Stamp {
    Stamp { database: 1, versions: versions.to_vec() }
}

#[test]
fn a_full_cache_drops_its_least_recently_used_entries_first() {
    let c = Cache::new("test", 16);
    for i in 0..16 {
        let cell = c.cell(format!("k{i}"), st(&[1]), None).0;
        let _ = cell.set(Arc::new(i) as Value);
    }
    // k0 is used again, so k1 is now the least recently used.
    assert!(c.lookup::<i32>("k0", &st(&[1])).is_some());
    let _ = c.cell("k16".into(), st(&[1]), None).0.set(Arc::new(16) as Value);
    assert!(c.lookup::<i32>("k0", &st(&[1])).is_some());
    assert!(c.lookup::<i32>("k1", &st(&[1])).is_none(), "the least recently used went");
    assert!(c.lookup::<i32>("k16", &st(&[1])).is_some());
    let s = c.stats();
    assert_eq!((s.len, s.evictions), (16, 1));
}

#[test]
fn every_area_stands_at_its_own_index() {
    for (i, a) in Area::ALL.iter().enumerate() {
        assert_eq!(*a as usize, i, "{a:?}");
    }
}

#[test]
fn an_entry_of_another_version_is_not_answered() {
    let c = Cache::new("test", 4);
    let _ = c.cell("k".into(), st(&[5]), None).0.set(Arc::new(1) as Value);
    assert!(c.lookup::<i32>("k", &st(&[6])).is_none());
    let (fresh, base) = c.cell("k".into(), st(&[6]), None);
    assert!(!fresh.initialized(), "a new version starts a new computation");
    assert!(base.is_none(), "nothing to update from unless asked");
}

#[test]
fn an_entry_behind_only_in_the_growing_version_is_offered_for_update() {
    let c = Cache::new("test", 4);
    let _ = c.cell("k".into(), st(&[7, 5]), Some(1)).0.set(Arc::new(1) as Value);
    let (_, base) = c.cell("k".into(), st(&[7, 9]), Some(1));
    assert_eq!(base.map(|(_, old)| old), Some(5), "only the growing area moved: update from version 5");
    let _ = c.cell("k".into(), st(&[7, 9]), Some(1)).0.set(Arc::new(2) as Value);
    let (_, base) = c.cell("k".into(), st(&[8, 10]), Some(1));
    assert!(base.is_none(), "another area moved too: compute afresh");
    // Versions arriving faster than an update completes: each starts from the last one done.
    let _ = c.cell("k".into(), st(&[8, 10]), Some(1)).0.set(Arc::new(3) as Value);
    let _pending = c.cell("k".into(), st(&[8, 11]), Some(1));
    let (_, base) = c.cell("k".into(), st(&[8, 12]), Some(1));
    assert_eq!(base.map(|(_, old)| old), Some(10), "11 is still being computed: update from 10");
    let other_db = Stamp { database: 2, versions: vec![7, 11] };
    assert_eq!(st(&[7, 9]).behind_only_at(&other_db, 1), None, "another database: never");
    assert_eq!(st(&[7, 9]).behind_only_at(&st(&[7, 8]), 1), None, "an older version: never");
}

#[tokio::test]
async fn get_or_update_brings_an_entry_up_to_date_from_the_version_it_was_kept_at() {
    // The versions come from the request's task-local, so no database is read.
    let db = crate::db::Db::connect("sqlite::memory:").await.unwrap();
    let c = Cache::new("test", 4);
    let run = |reports: i64, c: &'static Cache| {
        let db = db.clone();
        per_request(async move {
            let v = Versions { database: 1, areas: [1, reports, 1, 1, 1, 1, 1, 1] };
            let _ = REQUEST_VERSIONS.try_with(|h| *h.borrow_mut() = Some(v));
            c.get_or_update(
                &db,
                &[Area::Reports, Area::Reference],
                Area::Reports,
                "sum".into(),
                async { Ok(vec![reports]) },
                |old: Arc<Vec<i64>>, since, now| async move { Ok(Some([old.as_slice(), &[since, now]].concat())) },
            )
            .await
            .unwrap()
        })
    };
    let c: &'static Cache = Box::leak(Box::new(c));
    assert_eq!(*run(3, c).await, vec![3], "nothing kept: computed");
    assert_eq!(*run(3, c).await, vec![3], "kept");
    assert_eq!(*run(5, c).await, vec![3, 3, 5], "reports moved 3 → 5: updated from what was kept at 3");
    assert_eq!(c.stats().updates, 1);
}

#[test]
fn metrics_are_prometheus_text_for_every_cache() {
    let m = metrics();
    for name in ["figures", "project_lists", "sign_ins"] {
        assert!(m.contains(&format!("zhaoshang_cache_hits_total{{cache=\"{name}\"}} ")), "{m}");
    }
    assert!(m.contains("# TYPE zhaoshang_cache_evictions_total counter"));
}

#[tokio::test]
async fn concurrent_requests_for_one_missing_entry_compute_it_once() {
    let c = Arc::new(Cache::new("test", 4));
    let computed = Arc::new(AtomicU64::new(0));
    let mut waiters = Vec::new();
    for _ in 0..8 {
        let (c, computed) = (c.clone(), computed.clone());
        waiters.push(tokio::spawn(async move {
            let (cell, _) = c.cell("cockpit".into(), st(&[1]), None);
            let v = cell
                .get_or_init(|| async {
                    computed.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    Arc::new(42) as Value
                })
                .await;
            *v.clone().downcast::<i32>().unwrap()
        }));
    }
    for w in waiters {
        assert_eq!(w.await.unwrap(), 42);
    }
    assert_eq!(computed.load(Ordering::SeqCst), 1);
}

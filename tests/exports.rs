//! Every export is audited: who took which data out (the filter as given, their scope, the data's
//! region) and how many rows, as `export.<what>` — pages, print views and the command line — and an
//! export moves no version of kept results. SQLite and (when configured) PostgreSQL.

mod common;

use common::{TestApp, TestDb, backends, spawn};
use serde_json::{Value, json};
use zhaoshang::audit::model::AuditRecord;

/// The newest audit record of `action`.
async fn last(db: &zhaoshang::db::Db, action: &str) -> AuditRecord {
    let mut c = db.conn().await.unwrap();
    let f = zhaoshang::audit::store::Filter { action: Some(action.into()), ..Default::default() };
    let (rows, _) = zhaoshang::audit::store::list(&mut c.ex(), &[("/".into(), true)], &f).await.unwrap();
    rows.into_iter().next().unwrap_or_else(|| panic!("no audit record {action}"))
}

/// The versions kept results are keyed by: an export must move none of them.
async fn versions(db: &zhaoshang::db::Db) -> zhaoshang::cache::Versions {
    zhaoshang::cache::versions(db).await.unwrap()
}

/// Downloads `path` as `username` and returns the export's audit record (its `after` parsed), after
/// checking the actor, the action and that no version of kept results moved.
async fn exported(t: &TestDb, app: &TestApp, username: &str, path: &str, action: &str) -> (AuditRecord, Value) {
    let s = app.login(username).await;
    let before = versions(&t.db).await;
    let r = s.get(app, path).await;
    assert_eq!(r.status(), 200, "{}: {path}", t.label);
    let rec = last(&t.db, action).await;
    assert_eq!((rec.actor_name.as_str(), rec.action.as_str()), (username, action), "{}: {path}", t.label);
    assert_eq!(versions(&t.db).await, before, "{}: {action} moved a version of kept results", t.label);
    let after: Value = serde_json::from_str(rec.after_json.as_deref().unwrap()).unwrap();
    (rec, after)
}

async fn app_with_projects() -> Vec<(TestDb, TestApp)> {
    let mut v = Vec::new();
    for t in backends().await {
        let t = t.with_demo().await;
        for (name, region) in [("导出测试项目甲", "430104"), ("导出测试项目乙", "430104"), ("导出测试项目丙", "4303")]
        {
            common::project(&t.db, name, region).await;
        }
        let app = spawn(&t).await;
        v.push((t, app));
    }
    v
}

#[tokio::test]
async fn a_project_list_export_records_who_the_filter_the_scope_and_the_row_count() {
    for (t, app) in app_with_projects().await {
        let (rec, after) =
            exported(&t, &app, "cs.leader", "/projects/export/csv?region=430104&stage=", "export.projects").await;
        assert_eq!(rec.region.as_deref(), Some("430104"), "{}", t.label);
        assert_eq!(after, json!({"format": "csv", "filter": {"region": "430104"}, "scope": ["4301"], "rows": 2}));
        // Without a region, the data's region is the scope's: the city's auditor sees the record.
        let (rec, after) = exported(&t, &app, "cs.leader", "/projects/export/xlsx", "export.projects").await;
        assert_eq!((rec.region.as_deref(), &after["rows"]), (Some("4301"), &json!(2)), "{}", t.label);
    }
}

#[tokio::test]
async fn a_project_export_from_the_command_line_is_audited_as_the_operator() {
    for (t, _app) in app_with_projects().await {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_zhaoshang"))
            .args(["export", "projects", "--format", "json", "--filter", "region=4303"])
            .env("ZHAOSHANG_DATABASE_URL", &t.url)
            .env("ZHAOSHANG_LOG", "warn")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let rec = last(&t.db, "export.projects").await;
        assert!(rec.actor_name.starts_with("命令行:"), "{}: {}", t.label, rec.actor_name);
        let after: Value = serde_json::from_str(rec.after_json.as_deref().unwrap()).unwrap();
        assert_eq!(after, json!({"format": "json", "filter": {"region": "4303"}, "scope": ["*"], "rows": 1}));
        assert_eq!(rec.region.as_deref(), Some("4303"));
    }
}

#[tokio::test]
async fn speed_evaluation_breakdown_cockpit_and_brief_exports_are_audited() {
    for (t, app) in app_with_projects().await {
        for (path, action) in [
            ("/projects/speed/export?region=4301", "export.project_speed"),
            ("/evaluation/export?region=4301&period=2026", "export.evaluation"),
            ("/evaluation/breakdowns/export?region=4301", "export.breakdowns"),
            ("/cockpit/export?region=4301", "export.cockpit"),
            ("/evaluation/brief?region=4301&period=2026-01", "export.brief"),
        ] {
            let (rec, after) = exported(&t, &app, "cs.leader", path, action).await;
            assert_eq!(rec.region.as_deref(), Some("4301"), "{}: {path}", t.label);
            assert_eq!(after["filter"]["region"], "4301", "{path}");
            assert!(after["rows"].as_u64().is_some(), "{path}: {after}");
        }
        // The evaluation workbook has a line per unit of 长沙市.
        let (_, after) = exported(&t, &app, "cs.leader", "/evaluation/export?region=4301", "export.evaluation").await;
        assert!(after["rows"].as_u64().unwrap() >= 9, "{}: {after}", t.label);
    }
}

#[tokio::test]
async fn a_ranking_a_bulletin_and_a_batch_are_audited_with_the_record_exported() {
    for (t, app) in app_with_projects().await {
        let snapshot = common::snapshot(&t.db, "430104").await;
        let (rec, after) =
            exported(&t, &app, "cs.invest", &format!("/evaluation/rankings/{snapshot}/export"), "export.ranking").await;
        assert_eq!(
            (rec.entity_id, rec.region.as_deref(), &after["rows"]),
            (snapshot.to_string(), Some("430104"), &json!(0))
        );

        let list = common::flag_list(&t.db, "430104").await;
        for (path, format) in [("bulletin", "print"), ("export", "xlsx")] {
            let path = format!("/evaluation/flags/{list}/{path}");
            let (rec, after) = exported(&t, &app, "cs.reporter", &path, "export.flags").await;
            assert_eq!((rec.entity.as_str(), rec.entity_id), ("flag_list", list.to_string()), "{}", t.label);
            assert_eq!((&after["format"], &after["rows"]), (&json!(format), &json!(0)));
        }

        let member = common::project(&t.db, "活动测试项目", "430104").await;
        let batch = common::batch(&t.db, "430104", Some(member)).await;
        for (path, format) in [("print", "print"), ("export", "xlsx")] {
            let path = format!("/batches/{batch}/{path}");
            let (rec, after) = exported(&t, &app, "cs.service", &path, "export.batch").await;
            assert_eq!((rec.entity_id, rec.region.as_deref()), (batch.to_string(), Some("430104")), "{}", t.label);
            assert_eq!((&after["format"], &after["rows"]), (&json!(format), &json!(1)));
        }
    }
}

#[tokio::test]
async fn the_service_figures_workbook_is_audited() {
    for (t, app) in app_with_projects().await {
        let path = "/service/figures/export?region=4301&from=2026-01-01&to=2026-03-31";
        let (rec, after) = exported(&t, &app, "cs.service", path, "export.appeal_figures").await;
        assert_eq!(rec.region.as_deref(), Some("4301"), "{}", t.label);
        assert_eq!(after["filter"], json!({"region": "4301", "from": "2026-01-01", "to": "2026-03-31"}));
        assert!(after["rows"].as_u64().unwrap() >= 1, "the total line at least: {after}");
    }
}

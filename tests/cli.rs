//! The operator commands, run as an operator would: the real binary against a real database.

mod common;

use std::process::{Command, Output};

fn zs(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhaoshang"))
        .args(args)
        .env("ZHAOSHANG_DATABASE_URL", url)
        .env("ZHAOSHANG_LOG", "warn")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[tokio::test]
async fn demo_prints_an_account_for_every_role_and_a_second_run_changes_nothing() {
    let t = common::sqlite().await;
    let first = zs(&t.url, &["demo"]);
    assert!(first.status.success(), "{}", text(&first));
    let out = text(&first);
    for role in ["领导", "招商专员", "服务专员", "部门办理人", "填报员", "系统管理员", "安全管理员", "审计员"]
    {
        assert!(out.contains(role), "{role} missing from:\n{out}");
    }
    assert!(out.contains(common::PASSWORD));
    let second = zs(&t.url, &["demo"]);
    assert!(text(&second).contains("已存在，未改动"), "{}", text(&second));
}

#[tokio::test]
async fn audit_verify_passes_then_names_the_record_someone_altered() {
    for t in common::backends().await {
        let t = t.with_demo().await;
        let ok = zs(&t.url, &["audit", "verify"]);
        assert!(ok.status.success(), "{}", text(&ok));
        assert!(text(&ok).contains("校验通过"));
        match &t.db {
            zhaoshang::db::Db::Sqlite(p) => {
                sqlx::raw_sql("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET after_json = '{}' WHERE seq = 7")
                    .execute(p)
                    .await
                    .unwrap();
            }
            zhaoshang::db::Db::Postgres(p) => {
                sqlx::raw_sql(
                    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change; UPDATE audit_log SET after_json = '{}' WHERE seq = 7",
                )
                .execute(p)
                .await
                .unwrap();
            }
        }
        let bad = zs(&t.url, &["audit", "verify"]);
        assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
        assert!(text(&bad).contains("#7") && text(&bad).contains("篡改"), "{}: {}", t.label, text(&bad));
    }
}

#[tokio::test]
async fn user_commands_create_lock_unlock_and_reset_and_explain_bad_input() {
    let t = common::sqlite().await;
    let o = zs(
        &t.url,
        &[
            "user",
            "create",
            "--username",
            "wang.wu",
            "--name",
            "王五",
            "--region",
            "4301",
            "--role",
            "审计员",
            "--scope",
            "4301",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("初始密码"));
    let o = zs(&t.url, &["user", "create", "--username", "zhao.liu", "--name", "赵六", "--region", "43x"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("区划代码“43x”只能由数字组成"), "{}", text(&o));
    let o = zs(
        &t.url,
        &[
            "user",
            "create",
            "--username",
            "zhao.liu",
            "--name",
            "赵六",
            "--region",
            "4301",
            "--role",
            "boss",
            "--scope",
            "4301",
        ],
    );
    assert!(text(&o).contains("未知的角色“boss”"), "{}", text(&o));
    let o = zs(&t.url, &["user", "create", "--username", "zhao.liu", "--name", "赵六"]);
    assert_eq!(o.status.code(), Some(2), "a missing argument is a usage error");
    for cmd in ["lock", "unlock", "reset-password"] {
        let o = zs(&t.url, &["user", cmd, "wang.wu"]);
        assert!(o.status.success(), "{cmd}: {}", text(&o));
    }
    let o = zs(&t.url, &["user", "lock", "nobody"]);
    assert!(text(&o).contains("用户“nobody”不存在"));
}

#[tokio::test]
async fn a_token_is_printed_once_works_for_the_api_and_can_be_revoked() {
    let t = common::sqlite().await.with_demo().await;
    let o = zs(&t.url, &["token", "create", "--username", "cs.leader", "--name", "省平台对接"]);
    assert!(o.status.success(), "{}", text(&o));
    let token = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(token.starts_with("zs_"));
    let id =
        String::from_utf8_lossy(&o.stderr).split("令牌编号 ").nth(1).unwrap().split('（').next().unwrap().to_string();
    assert!(zhaoshang::accounts::service::resolve_token(&t.db, &token).await.unwrap().is_some());
    let o = zs(&t.url, &["token", "revoke", &id]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(zhaoshang::accounts::service::resolve_token(&t.db, &token).await.unwrap().is_none());
    let o = zs(&t.url, &["token", "revoke", "not-a-uuid"]);
    assert!(text(&o).contains("格式不正确"));
}

#[tokio::test]
async fn backup_writes_a_consistent_copy_that_opens_as_a_database() {
    let t = common::sqlite().await.with_demo().await;
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("copy.db");
    let o = zs(&t.url, &["backup", "--to", to.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let copy = zhaoshang::db::Db::open(&format!("sqlite://{}", to.display())).await.unwrap();
    let mut c = copy.conn().await.unwrap();
    assert!(zhaoshang::accounts::store::user_by_name(&mut c.ex(), "hn.auditor").await.unwrap().is_some());
    assert_eq!(zhaoshang::audit::store::verify(&mut c.ex()).await.unwrap().is_ok(), true);
    let again = zs(&t.url, &["backup", "--to", to.to_str().unwrap()]);
    assert!(text(&again).contains("已存在"), "a backup never overwrites");
}

#[tokio::test]
async fn reference_data_can_be_reloaded_from_a_newer_file_and_a_bad_file_changes_nothing() {
    let t = common::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "code,name,level,parent\n43,湖南省,province,\n43a1,长沙,city,43\n").unwrap();
    let o = zs(&t.url, &["reference", "--regions", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(text(&o).contains("第 3 行，code 列"), "{}", text(&o));
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "code,name,level,parent\n43,湖南省,province,\n4301,长沙市（新）,city,43\n").unwrap();
    let o = zs(
        &t.url,
        &[
            "reference",
            "--regions",
            good.to_str().unwrap(),
            "--regions-source",
            "测试",
            "--regions-as-of",
            "2024-06-30",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let mut c = t.db.conn().await.unwrap();
    assert_eq!(zhaoshang::regions::store::get(&mut c.ex(), "4301").await.unwrap().unwrap().name, "长沙市（新）");
}

#[tokio::test]
async fn serve_creates_and_migrates_a_new_database_on_first_start() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("sub/new.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhaoshang"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("ZHAOSHANG_DATABASE_URL", &url)
        .env("ZHAOSHANG_LOG", "warn")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let line = std::io::BufReader::new(stderr).lines().map(|l| l.unwrap()).find(|l| l.contains("已启动")).unwrap();
    let addr = line.split("http://").nth(1).unwrap().trim_end_matches("/login").to_string();
    let health: serde_json::Value = reqwest::get(format!("http://{addr}/healthz")).await.unwrap().json().await.unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(health["status"], "ok");
    assert!(health["regions"].as_i64().unwrap() > 3000, "reference data loaded on first start: {health}");
}

#[tokio::test]
async fn import_checks_every_row_writes_nothing_on_error_and_export_writes_the_filtered_view() {
    for t in common::backends().await {
        let t = t.with_demo().await;
        let dir = tempfile::tempdir().unwrap();
        let headers = ["项目名称", "所属地区代码", "总投资（万元）", "计划签约日期"];
        let file = |name: &str, rows: &[[&str; 4]]| {
            let path = dir.path().join(name);
            let mut csv = headers.join(",") + "\n";
            for r in rows {
                csv += &(r.join(",") + "\n");
            }
            std::fs::write(&path, csv).unwrap();
            path.to_str().unwrap().to_string()
        };
        let bad =
            file("bad.csv", &[["命令行甲项目", "430104", "12亿", "2026-01-01"], ["命令行乙项目", "43x", "很多", ""]]);
        let o = zs(&t.url, &["import", "projects", &bad]);
        assert_eq!(o.status.code(), Some(2), "{}: {}", t.label, text(&o));
        let out = text(&o);
        assert!(out.contains("第 3 行") && out.contains("所属地区代码") && out.contains("总投资"), "{out}");
        assert!(out.contains("未导入任何数据"), "{out}");

        let good =
            file("good.csv", &[["命令行甲项目", "430104", "12亿", "2026-01-01"], ["命令行乙项目", "4303", "6000", ""]]);
        let o = zs(&t.url, &["import", "projects", &good, "--dry-run"]);
        assert!(o.status.success() && text(&o).contains("试运行"), "{}", text(&o));
        let o = zs(&t.url, &["export", "projects", "--format", "json"]);
        assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "[]", "a dry run writes nothing");
        let o = zs(&t.url, &["import", "projects", &good]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("新增 2"), "{}", text(&o));
        let o = zs(&t.url, &["import", "projects", &good]);
        assert!(text(&o).contains("新增 0，更新 0，无变化 2"), "re-import duplicates nothing: {}", text(&o));

        let out = dir.path().join("长沙.csv");
        let o = zs(
            &t.url,
            &["export", "projects", "--format", "csv", "--filter", "region=4301", "--out", out.to_str().unwrap()],
        );
        assert!(o.status.success(), "{}", text(&o));
        let csv = std::fs::read_to_string(&out).unwrap();
        assert!(csv.contains("命令行甲项目") && !csv.contains("命令行乙项目"), "{csv}");
        let o = zs(&t.url, &["export", "projects", "--filter", "stage=飞升"]);
        assert!(!o.status.success() && text(&o).contains("飞升"), "{}", text(&o));
        let o = zs(&t.url, &["export", "projects", "--filter", "region"]);
        assert!(text(&o).contains("键=值"), "{}", text(&o));
    }
}

#[tokio::test]
async fn appeals_sweep_escalates_an_overdue_appeal_once_and_says_what_it_did() {
    for t in common::backends().await {
        let t = t.with_demo().await;
        let ent = common::enterprise(&t.db, "命令行测试企业", "430104").await;
        let dept = common::department(&t.db, "4301", "市自然资源和规划局").await;
        let id = common::appeal(&t.db, ent, "430104", Some(dept)).await;
        let o = zs(&t.url, &["appeals", "sweep"]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("逾期未办结 0 件，本次自动提级 0 件"), "{}", text(&o));
        // Its deadline passed a week ago.
        {
            let mut c = t.db.conn().await.unwrap();
            let past = zhaoshang::projects::service::today() - time::Duration::days(7);
            zhaoshang::q_exec!(&mut c.ex(), "UPDATE appeals SET due_on = $1 WHERE id = $2", past, id).unwrap();
        }
        let o = zs(&t.url, &["appeals", "sweep"]);
        assert!(text(&o).contains("逾期未办结 1 件，本次自动提级 1 件"), "{}: {}", t.label, text(&o));
        let o = zs(&t.url, &["appeals", "sweep"]);
        assert!(text(&o).contains("本次自动提级 0 件，新发通知 0 条"), "idempotent: {}", text(&o));
    }
}

use crate::accounts::authz::{CurrentUser, Grant};
use crate::accounts::model::Role;
use crate::audit::Actor;
use crate::imports::kinds::Kind;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// What the file holds: enterprises, projects or reports
    #[arg(value_parser = ["enterprises", "projects", "reports"])]
    kind: String,
    /// An .xlsx, .xls, .ods or .csv (UTF-8 or GBK) file
    file: std::path::PathBuf,
    /// Check every row and report, but write nothing
    #[arg(long)]
    dry_run: bool,
}

/// The operator at the server's console acts across every region.
pub fn operator() -> CurrentUser {
    let grant = |role| Grant {
        role,
        scope: String::new(),
        scope_name: "全部".into(),
        scope_path: "/".into(),
        scope_level: "province".into(),
    };
    CurrentUser {
        id: uuid::Uuid::nil(),
        username: Actor::cli().name,
        display_name: "命令行".into(),
        region: String::new(),
        grants: vec![grant(Role::InvestmentOfficer), grant(Role::Reporter)],
        csrf: None,
        must_change_password: false,
    }
}

/// Prints "已检查 20000 行" now and then on standard error.
fn printer(what: &'static str) -> impl Fn(usize) + Send + Sync {
    let last = std::sync::atomic::AtomicUsize::new(0);
    move |done| {
        if done >= last.load(std::sync::atomic::Ordering::Relaxed) + 20_000 {
            last.store(done, std::sync::atomic::Ordering::Relaxed);
            eprintln!("{what} {done} 行");
        }
    }
}

pub async fn run(url: &str, a: Args) -> anyhow::Result<ExitCode> {
    let db = super::open(url).await?;
    let kind = Kind::parse(&a.kind).expect("clap checked it");
    let data = std::fs::read(&a.file).map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", a.file.display()))?;
    let name = a.file.file_name().and_then(|n| n.to_str()).unwrap_or("upload");
    let user = operator();
    let started = std::time::Instant::now();
    let job = crate::imports::jobs::preview(&db, &user, kind, name, &data, &printer("已检查"))
        .await
        .map_err(super::app_err)?;
    if job.status == "failed" {
        println!("{}", job.message.as_deref().unwrap_or("文件无法导入"));
        return Ok(ExitCode::from(2));
    }
    eprintln!(
        "检查完成（{:.1} 秒）：共 {} 行，新增 {}，更新 {}，无变化 {}，错误 {} 处",
        started.elapsed().as_secs_f64(),
        job.row_count,
        job.creates,
        job.updates,
        job.unchanged,
        job.error_count
    );
    if print_errors(&job) {
        return Ok(ExitCode::from(2));
    }
    if a.dry_run {
        println!("试运行：未写入数据。");
        return Ok(ExitCode::SUCCESS);
    }
    let job = crate::imports::jobs::commit(&db, &user, &Actor::cli(), &job.id.to_string(), &printer("已写入"))
        .await
        .map_err(super::app_err)?;
    if job.status != "committed" {
        println!("{}", job.message.as_deref().unwrap_or("导入未完成，未写入任何数据"));
        print_errors(&job);
        return Ok(ExitCode::from(2));
    }
    println!(
        "已导入：新增 {}，更新 {}，无变化 {}（共 {:.1} 秒）",
        job.creates,
        job.updates,
        job.unchanged,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// Lists the job's errors; true when there were any.
fn print_errors(job: &crate::imports::jobs::Job) -> bool {
    let errors = job.errors();
    for e in &errors {
        println!("{}", e.text);
    }
    if job.error_count > 0 {
        if job.error_count as usize > errors.len() {
            println!("……另有 {} 处错误未列出", job.error_count as usize - errors.len());
        }
        println!("有错误，未导入任何数据。");
    }
    job.error_count > 0
}

//! Operator commands. `main` parses arguments, sets up logging and dispatches; each
//! subcommand lives in its own file.

mod appeals;
mod audit;
mod backup;
mod demo;
mod export;
mod import;
mod migrate;
mod reference;
mod serve;
mod token;
mod user;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "zhaoshang", version, about = "招商引资与重大项目全生命周期管理")]
struct Cli {
    /// Database: sqlite:PATH (default sqlite://data/zhaoshang.db) or postgres://…
    #[arg(long, global = true, env = "ZHAOSHANG_DATABASE_URL", default_value = crate::db::DEFAULT_URL)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (creates and migrates the database on first start)
    Serve(serve::Args),
    /// Load reference data and the demo organisation (users for every role)
    Demo(demo::Args),
    /// Bring the database schema up to date
    Migrate,
    /// Import enterprises, projects or monthly reports from a spreadsheet (all rows or none)
    Import(import::Args),
    /// Export projects (with the list's filters) as xlsx, csv or json
    Export(export::Args),
    /// Load (or reload) reference data: division codes and industry codes
    Reference(reference::Args),
    /// Manage user accounts
    #[command(subcommand)]
    User(user::Cmd),
    /// Issue and revoke API tokens
    #[command(subcommand)]
    Token(token::Cmd),
    /// Take a consistent copy of the database while the server runs
    Backup(backup::Args),
    /// Check the audit log
    #[command(subcommand)]
    Audit(audit::Cmd),
    /// Appeals (诉求): run the overdue sweep on demand
    #[command(subcommand)]
    Appeals(appeals::Cmd),
}

pub fn main() -> ExitCode {
    fewer_heaps();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ZHAOSHANG_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    // 8 MiB a worker rather than 2: a stack overflow aborts the whole server, and nested futures
    // (the cockpit's parts gathered side by side) once came close to 2 MiB. Only touched pages
    // cost memory.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(8 << 20)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let url = cli.database_url.clone();
    let result = rt.block_on(async move {
        match cli.command {
            Command::Serve(a) => serve::run(&url, a).await,
            Command::Demo(a) => demo::run(&url, a).await,
            Command::Migrate => migrate::run(&url).await,
            Command::Import(a) => import::run(&url, a).await,
            Command::Export(a) => export::run(&url, a).await,
            Command::Reference(a) => reference::run(&url, a).await,
            Command::User(c) => user::run(&url, c).await,
            Command::Token(c) => token::run(&url, c).await,
            Command::Backup(a) => backup::run(&url, a).await,
            Command::Audit(c) => audit::run(&url, c).await,
            Command::Appeals(c) => appeals::run(&url, c).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Opens the database, migrates it, and makes sure reference data is there.
async fn open(url: &str) -> anyhow::Result<crate::db::Db> {
    let db = crate::db::Db::open(url).await?;
    crate::reference::ensure_loaded(&db).await?;
    Ok(db)
}

/// Turns a use-case error into a message for the operator.
fn app_err(e: crate::error::AppError) -> anyhow::Error {
    match e {
        crate::error::AppError::Internal(inner) => inner,
        other => anyhow::anyhow!("{other}"),
    }
}

/// Two malloc arenas instead of glibc's eight per core: every SQLite connection runs on its own
/// thread, and each thread's arena kept what a large read or import had freed, so the server sat
/// on a heap far larger than it used (157 instead of 192 MB at the peak of a 100,000-row import).
fn fewer_heaps() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it runs before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

use crate::db::Db;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the copy (must not exist)
    #[arg(long)]
    to: std::path::PathBuf,
}

pub async fn run(url: &str, a: Args) -> anyhow::Result<ExitCode> {
    if a.to.exists() {
        anyhow::bail!("{} 已存在，请换一个文件名", a.to.display());
    }
    let db = Db::connect(url).await?;
    match &db {
        Db::Sqlite(pool) => {
            // VACUUM INTO reads one snapshot: consistent while the server keeps writing.
            let target = a.to.to_str().ok_or_else(|| anyhow::anyhow!("文件名须为 UTF-8"))?;
            sqlx::query("VACUUM INTO $1").bind(target).execute(pool).await?;
        }
        Db::Postgres(_) => {
            // pg_dump takes one snapshot for the whole dump.
            let status = std::process::Command::new("pg_dump")
                .args(["--format=custom", "--file"])
                .arg(&a.to)
                .arg(url)
                .status()
                .map_err(|e| anyhow::anyhow!("无法运行 pg_dump（请安装 PostgreSQL 客户端）：{e}"))?;
            if !status.success() {
                anyhow::bail!("pg_dump 失败：{status}");
            }
        }
    }
    println!("已备份到 {}", a.to.display());
    Ok(ExitCode::SUCCESS)
}

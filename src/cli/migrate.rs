use std::process::ExitCode;

pub async fn run(url: &str) -> anyhow::Result<ExitCode> {
    let db = super::open(url).await?;
    let n = crate::db::migrations(db.backend()).len();
    db.close().await;
    println!("数据库已是最新结构（{n} 个迁移）");
    Ok(ExitCode::SUCCESS)
}

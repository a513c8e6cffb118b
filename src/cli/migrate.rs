use std::process::ExitCode;

pub async fn run(url: &str) -> anyhow::Result<ExitCode> {
    let db = super::open(url).await?;
    db.close().await;
    println!("数据库已是最新结构（{} 个迁移）", crate::db::MIGRATIONS.len());
    Ok(ExitCode::SUCCESS)
}

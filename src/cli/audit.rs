use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Cmd {
    /// Walk the hash chain; report the first record altered, deleted or re-ordered
    Verify,
}

pub async fn run(url: &str, c: Cmd) -> anyhow::Result<ExitCode> {
    let db = crate::db::Db::open(url).await?;
    match c {
        Cmd::Verify => {
            let mut conn = db.conn().await?;
            match crate::audit::store::verify(&mut conn.ex()).await? {
                Ok(n) => {
                    println!("审计日志完整：共 {n} 条记录，哈希链校验通过");
                    Ok(ExitCode::SUCCESS)
                }
                Err(b) => {
                    println!("审计日志校验失败：{}", b.describe());
                    Ok(ExitCode::from(2))
                }
            }
        }
    }
}

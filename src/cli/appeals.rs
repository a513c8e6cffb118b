use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Cmd {
    /// Escalate overdue appeals one level and send due-soon and overdue notifications (idempotent;
    /// `serve` also runs it on a timer)
    Sweep,
}

pub async fn run(url: &str, c: Cmd) -> anyhow::Result<ExitCode> {
    let db = super::open(url).await?;
    match c {
        Cmd::Sweep => {
            let r = crate::enterprise_service::sweep::run(&db, crate::audit::store::now_micros())
                .await
                .map_err(super::app_err)?;
            println!(
                "诉求巡检完成：逾期未办结 {} 件，本次自动提级 {} 件，新发通知 {} 条",
                r.overdue, r.escalated, r.notified
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

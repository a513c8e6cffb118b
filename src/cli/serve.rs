use crate::web::{AppState, Config};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080", env = "ZHAOSHANG_ADDR")]
    addr: String,
    /// Load the demo organisation first (what `zhaoshang demo` does)
    #[arg(long)]
    demo: bool,
    /// Load demo data of this scale first (implies --demo; province takes a few minutes once)
    #[arg(long, value_enum)]
    demo_scale: Option<super::demo::Scale>,
    /// Minimum password length
    #[arg(long, env = "ZHAOSHANG_PASSWORD_MIN_LENGTH", default_value_t = 8)]
    password_min_length: usize,
    /// Minimum number of character classes in a password (of lower, upper, digit, symbol)
    #[arg(long, env = "ZHAOSHANG_PASSWORD_MIN_CLASSES", default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=4))]
    password_min_classes: u8,
    /// Mark cookies Secure (when served over HTTPS)
    #[arg(long, env = "ZHAOSHANG_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Minutes between appeal sweeps (overdue escalation, due-soon and overdue notifications); 0 = off.
    /// Safe on every instance of a cluster: the sweep is idempotent.
    #[arg(long, env = "ZHAOSHANG_SWEEP_MINUTES", default_value_t = 10)]
    sweep_minutes: u64,
}

pub async fn run(url: &str, a: Args) -> anyhow::Result<ExitCode> {
    let db = super::open(url).await?;
    if a.demo || a.demo_scale.is_some() {
        super::demo::load(&db, a.demo_scale.unwrap_or_default()).await?;
    }
    let listener =
        tokio::net::TcpListener::bind(&a.addr).await.map_err(|e| anyhow::anyhow!("无法监听 {}：{e}", a.addr))?;
    let config = Config {
        password_policy: crate::accounts::model::PasswordPolicy {
            min_length: a.password_min_length,
            min_classes: a.password_min_classes as usize,
        },
        secure_cookies: a.secure_cookies,
    };
    if a.sweep_minutes > 0 {
        crate::enterprise_service::sweep::spawn_timer(db.clone(), a.sweep_minutes);
    }
    eprintln!("zhaoshang 已启动：http://{}/login", listener.local_addr()?);
    crate::web::serve(AppState::new(db, config), listener).await?;
    Ok(ExitCode::SUCCESS)
}

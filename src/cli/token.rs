use super::{app_err, open};
use crate::accounts::service;
use crate::audit::Actor;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Cmd {
    /// Issue a token for a user; it is printed once and stored hashed
    Create {
        #[arg(long)]
        username: String,
        /// What the token is for
        #[arg(long, default_value = "API")]
        name: String,
    },
    /// Revoke a token by its id
    Revoke { id: String },
}

pub async fn run(url: &str, c: Cmd) -> anyhow::Result<ExitCode> {
    let db = open(url).await?;
    let actor = Actor::cli();
    match c {
        Cmd::Create { username, name } => {
            let (id, token) = service::create_token(&db, &actor, &username, &name).await.map_err(app_err)?;
            eprintln!("令牌编号 {id}（吊销：zhaoshang token revoke {id}）。令牌只显示这一次：");
            println!("{token}");
        }
        Cmd::Revoke { id } => {
            let id = uuid::Uuid::parse_str(&id).map_err(|_| anyhow::anyhow!("令牌编号“{id}”格式不正确"))?;
            service::revoke_token(&db, &actor, id).await.map_err(app_err)?;
            println!("已吊销令牌 {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

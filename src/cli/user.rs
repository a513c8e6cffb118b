use super::{app_err, open};
use crate::accounts::model::{PasswordPolicy, Role};
use crate::accounts::service::{self, Administrator, UserAction};
use crate::accounts::store;
use crate::audit::Actor;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Cmd {
    /// Create a user, optionally granting one role at once
    Create {
        #[arg(long)]
        username: String,
        /// Full name
        #[arg(long)]
        name: String,
        /// The user's unit: a region or park code
        #[arg(long)]
        region: String,
        #[arg(long, default_value = "")]
        department: String,
        /// Role code or Chinese name (leader, sys_admin, 审计员, …)
        #[arg(long, requires = "scope")]
        role: Option<String>,
        /// Region or park code the role covers (with its subtree)
        #[arg(long, requires = "role")]
        scope: Option<String>,
        /// Initial password (default: generated and printed)
        #[arg(long)]
        password: Option<String>,
    },
    /// Lock an account (its sessions end at once)
    Lock { username: String },
    /// Unlock an account and clear its failed attempts
    Unlock { username: String },
    /// Set a new generated password and print it
    ResetPassword { username: String },
}

async fn user_id(db: &crate::db::Db, username: &str) -> anyhow::Result<uuid::Uuid> {
    let mut conn = db.conn().await?;
    store::user_by_name(&mut conn.ex(), username)
        .await?
        .map(|u| u.id)
        .ok_or_else(|| anyhow::anyhow!("用户“{username}”不存在"))
}

pub async fn run(url: &str, c: Cmd) -> anyhow::Result<ExitCode> {
    let db = open(url).await?;
    let actor = Actor::cli();
    match c {
        Cmd::Create { username, name, region, department, role, scope, password } => {
            let role = role.map(|r| Role::parse(&r)).transpose().map_err(|e| anyhow::anyhow!(e))?;
            let n = service::parse_new_user(
                &username,
                &name,
                &region,
                &department,
                password.as_deref(),
                &PasswordPolicy::default(),
            )
            .map_err(app_err)?;
            let (u, password) = service::create_user(&db, &actor, None, n).await.map_err(app_err)?;
            if let (Some(role), Some(scope)) = (role, scope) {
                service::add_grant(&db, &actor, None, u.id, role, scope.trim()).await.map_err(app_err)?;
            }
            println!("已创建用户 {}，初始密码：{password}（首次登录须先修改）", u.username);
        }
        Cmd::Lock { username } => {
            let id = user_id(&db, &username).await?;
            service::admin_action(&db, &actor, Administrator::Operator, id, None, UserAction::Lock)
                .await
                .map_err(app_err)?;
            println!("已锁定 {username}");
        }
        Cmd::Unlock { username } => {
            let id = user_id(&db, &username).await?;
            service::admin_action(&db, &actor, Administrator::Operator, id, None, UserAction::Unlock)
                .await
                .map_err(app_err)?;
            println!("已解锁 {username}");
        }
        Cmd::ResetPassword { username } => {
            let id = user_id(&db, &username).await?;
            let p = service::admin_action(&db, &actor, Administrator::Operator, id, None, UserAction::ResetPassword)
                .await
                .map_err(app_err)?;
            println!(
                "{username} 的新密码：{}（其会话已结束、API 令牌已吊销，下次登录须先修改密码）",
                p.unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

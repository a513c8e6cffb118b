//! Import jobs: an upload is kept, checked (the preview), and committed later as one transaction
//! after being checked again — so what is written is what was valid then. Checking and committing
//! run in the background for the web (a 100,000-row file takes a while); the page shows progress.
//!
//! Status: checking → previewed | failed; previewed → committing → committed, or back to previewed
//! with the errors (or the failure) that stopped it, having written nothing.

use super::kinds::Kind;
use super::plan::{Mode, Outcome, run};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::{q_as, q_exec};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Job {
    pub id: Uuid,
    pub kind: String,
    pub user_id: Option<Uuid>,
    pub username: String,
    pub filename: String,
    pub sha256: String,
    pub row_count: i64,
    pub creates: i64,
    pub updates: i64,
    pub unchanged: i64,
    pub error_count: i64,
    pub errors_json: String,
    pub ignored: String,
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub committed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    pub message: Option<String>,
}

/// One reported problem, as the preview shows it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub message: String,
    pub text: String,
}

impl Job {
    pub fn errors(&self) -> Vec<RowError> {
        serde_json::from_str(&self.errors_json).unwrap_or_default()
    }
    pub fn kind_label(&self) -> &'static str {
        Kind::parse(&self.kind).map(Kind::label).unwrap_or("")
    }
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "checking" => "检查中",
            "committing" => "导入中",
            "committed" => "已导入",
            "failed" => "无法导入",
            _ if self.error_count > 0 => "有错误",
            _ => "待确认",
        }
    }
    pub fn running(&self) -> bool {
        matches!(self.status.as_str(), "checking" | "committing")
    }
    /// Rows done so far while running on this server (None elsewhere or when idle).
    pub fn done(&self) -> Option<usize> {
        LIVE.lock().ok()?.get(&self.id).copied()
    }
    pub fn percent(&self) -> i64 {
        match (self.done(), self.row_count) {
            (Some(d), n) if n > 0 => (d as i64 * 100 / n).min(100),
            _ => 0,
        }
    }
}

/// Rows done per running job on this server. Only progress lives here: a job's state and results are
/// in the database, so any instance can show them.
static LIVE: LazyLock<Mutex<HashMap<Uuid, usize>>> = LazyLock::new(Default::default);

fn report(id: Uuid, done: usize) {
    if let Ok(mut m) = LIVE.lock() {
        m.insert(id, done);
    }
}

fn forget(id: Uuid) {
    if let Ok(mut m) = LIVE.lock() {
        m.remove(&id);
    }
}

/// A job still "running" this long after it began lost its server; no real import takes so long.
const STALE: time::Duration = time::Duration::minutes(30);

const COLS: &str = "id, kind, user_id, username, filename, sha256, row_count, creates, updates, unchanged, error_count,
    errors_json, ignored, status, created_at, committed_at, started_at, message";

pub fn permission(kind: Kind) -> Permission {
    match kind {
        Kind::Enterprises => Permission::EditEnterprises,
        Kind::Projects => Permission::EditProjects,
        Kind::Reports => Permission::FileReports,
    }
}

fn errors_json(o: &Outcome) -> String {
    let v: Vec<RowError> = o
        .errors
        .iter()
        .map(|e| RowError {
            row: e.row,
            column: e.column.clone(),
            value: e.value.clone(),
            message: e.message.clone(),
            text: e.describe(),
        })
        .collect();
    serde_json::to_string(&v).unwrap_or_else(|_| "[]".into())
}

/// Keeps an upload as a new job, to be checked next. Only the kind's permission is needed here.
pub async fn start(db: &Db, user: &CurrentUser, kind: Kind, filename: &str, data: &[u8]) -> AppResult<Job> {
    authz::check(user, permission(kind), None)?;
    if data.is_empty() {
        return Err(AppError::field("file", "文件为空"));
    }
    let id = Uuid::now_v7();
    let now = OffsetDateTime::now_utc();
    let mut tx = db.begin().await?;
    q_exec!(&mut tx.ex(),
        "INSERT INTO import_jobs (id, kind, user_id, username, filename, sha256, data, row_count, creates, updates, unchanged,
           error_count, errors_json, ignored, status, created_at, started_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, 0, 0, 0, '[]', '', 'checking', $8, $8)",
        id, kind.code(), Some(user.id).filter(|id| !id.is_nil()), &user.username,
        crate::projects::evidence::clean_name(filename), hex::encode(Sha256::digest(data)), data, now)?;
    tx.commit().await?;
    get(db, user, &id.to_string()).await
}

async fn data_of(db: &Db, id: Uuid) -> AppResult<Vec<u8>> {
    let mut conn = db.conn().await?;
    Ok(crate::q_scalar!(&mut conn.ex(), fetch_one, Vec<u8>, "SELECT data FROM import_jobs WHERE id = $1", id)?)
}

/// Reads and checks a job's file, and records what it found. A file that cannot be read at all, or
/// whose header is wrong, fails the job with the reason.
pub async fn check(db: &Db, user: &CurrentUser, job: &Job, progress: &(dyn Fn(usize) + Send + Sync)) -> AppResult<Job> {
    let kind = Kind::parse(&job.kind).ok_or(AppError::NotFound)?;
    let data = data_of(db, job.id).await?;
    let outcome = async {
        let sheet = super::read_off_thread(data, job.filename.clone()).await.map_err(|e| AppError::field("file", e))?;
        {
            let mut conn = db.conn().await?;
            q_exec!(
                &mut conn.ex(),
                "UPDATE import_jobs SET row_count = $2 WHERE id = $1",
                job.id,
                sheet.rows.len() as i64
            )?;
        }
        let mut conn = db.conn().await?;
        run(&mut conn.ex(), user, kind, &sheet, Mode::Check, progress).await
    }
    .await;
    let mut conn = db.conn().await?;
    match outcome {
        Ok(o) => {
            q_exec!(
                &mut conn.ex(),
                "UPDATE import_jobs SET row_count = $2, creates = $3, updates = $4, unchanged = $5, error_count = $6,
                   errors_json = $7, ignored = $8, status = 'previewed', message = NULL WHERE id = $1",
                job.id,
                o.rows as i64,
                o.creates as i64,
                o.updates as i64,
                o.unchanged as i64,
                o.error_count as i64,
                errors_json(&o),
                o.ignored_columns.join("、")
            )?;
        }
        Err(e) => {
            let message = failure(&e);
            q_exec!(
                &mut conn.ex(),
                "UPDATE import_jobs SET status = 'failed', message = $2 WHERE id = $1",
                job.id,
                message
            )?;
        }
    }
    drop(conn);
    get(db, user, &job.id.to_string()).await
}

/// What a user reads about a job that stopped: our own message, never an internal cause.
fn failure(e: &AppError) -> String {
    match e {
        AppError::Internal(inner) => {
            tracing::error!(error = ?inner, "import failed");
            "处理时发生系统错误，未写入任何数据；请稍后重试，如持续出现请联系系统管理员".into()
        }
        other => other.to_string(),
    }
}

/// Upload and check in one go (the command line).
pub async fn preview(
    db: &Db,
    user: &CurrentUser,
    kind: Kind,
    filename: &str,
    data: &[u8],
    progress: &(dyn Fn(usize) + Send + Sync),
) -> AppResult<Job> {
    let job = start(db, user, kind, filename, data).await?;
    check(db, user, &job, progress).await
}

/// A job of the user's own (anyone else's does not exist for them).
pub async fn get(db: &Db, user: &CurrentUser, id: &str) -> AppResult<Job> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let mut conn = db.conn().await?;
    let sql = format!("SELECT {COLS} FROM import_jobs WHERE id = $1");
    let job: Job =
        q_as!(&mut conn.ex(), fetch_optional, Job, sqlx::AssertSqlSafe(sql.as_str()), id)?.ok_or(AppError::NotFound)?;
    if job.username != user.username {
        return Err(AppError::NotFound);
    }
    let stale =
        job.running() && job.started_at.is_some_and(|t| t < OffsetDateTime::now_utc() - STALE) && job.done().is_none();
    if stale {
        let (status, message) = match job.status.as_str() {
            "checking" => ("failed", "检查中断（服务器曾重启），请重新上传"),
            _ => ("previewed", "导入中断（服务器曾重启），未写入任何数据，可重新确认导入"),
        };
        q_exec!(
            &mut conn.ex(),
            "UPDATE import_jobs SET status = $2, message = $3 WHERE id = $1 AND status = $4",
            id,
            status,
            message,
            &job.status
        )?;
        drop(conn);
        return Box::pin(get(db, user, &id.to_string())).await;
    }
    Ok(job)
}

pub async fn recent(db: &Db, user: &CurrentUser) -> AppResult<Vec<Job>> {
    let mut conn = db.conn().await?;
    let sql = format!("SELECT {COLS} FROM import_jobs WHERE username = $1 ORDER BY created_at DESC LIMIT 20");
    Ok(q_as!(&mut conn.ex(), fetch_all, Job, sqlx::AssertSqlSafe(sql.as_str()), &user.username)?)
}

/// Claims a checked, error-free job for committing; a second claim (a double click, another tab) is refused.
pub async fn begin_commit(db: &Db, user: &CurrentUser, id: &str) -> AppResult<Job> {
    let job = get(db, user, id).await?;
    let kind = Kind::parse(&job.kind).ok_or(AppError::NotFound)?;
    authz::check(user, permission(kind), None)?;
    match job.status.as_str() {
        "committed" => return Err(AppError::Conflict("该文件已导入，不会重复写入".into())),
        "committing" => return Err(AppError::Conflict("该文件正在导入，请稍候".into())),
        "checking" => return Err(AppError::Conflict("文件仍在检查中，请稍候".into())),
        "failed" => return Err(AppError::invalid(job.message.clone().unwrap_or_else(|| "文件无法导入".into()))),
        _ => {}
    }
    if job.error_count > 0 {
        return Err(AppError::invalid(format!(
            "文件中有 {} 处错误，未导入任何数据，请修改后重新上传",
            job.error_count
        )));
    }
    let mut conn = db.conn().await?;
    let n = q_exec!(
        &mut conn.ex(),
        "UPDATE import_jobs SET status = 'committing', started_at = $2, message = NULL WHERE id = $1 AND status = 'previewed'",
        job.id,
        OffsetDateTime::now_utc()
    )?;
    if n != 1 {
        return Err(AppError::Conflict("该文件正在导入或已导入".into()));
    }
    drop(conn);
    get(db, user, id).await
}

/// Checks the claimed job's file again and writes it in one transaction: all rows or none.
pub async fn commit_claimed(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    job: &Job,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> AppResult<Job> {
    let kind = Kind::parse(&job.kind).ok_or(AppError::NotFound)?;
    let result = async {
        let data = data_of(db, job.id).await?;
        let sheet = super::read_off_thread(data, job.filename.clone()).await.map_err(|e| AppError::field("file", e))?;
        let mut tx = db.begin().await?;
        let mode = Mode::Commit { actor, file: &job.filename };
        let o = run(&mut tx.ex(), user, kind, &sheet, mode, progress).await?;
        if o.error_count > 0 {
            return Ok(Err(o));
        }
        let now = OffsetDateTime::now_utc();
        q_exec!(&mut tx.ex(),
            "UPDATE import_jobs SET status = 'committed', committed_at = $2, creates = $3, updates = $4, unchanged = $5,
               message = NULL WHERE id = $1",
            job.id, now, o.creates as i64, o.updates as i64, o.unchanged as i64)?;
        let after = serde_json::json!({"kind": job.kind, "file": job.filename, "sha256": job.sha256, "rows": o.rows,
            "creates": o.creates, "updates": o.updates, "unchanged": o.unchanged});
        audit::record(
            &mut tx.ex(),
            actor,
            Change {
                action: "import.commit",
                entity: "import",
                entity_id: job.id.to_string(),
                region: None,
                before: None,
                after: Some(after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(Ok(o))
    }
    .await;
    let mut conn = db.conn().await?;
    match result {
        Ok(Ok(o)) => {
            // PostgreSQL plans by table statistics; after thousands of new rows they are stale until
            // autovacuum catches up, and lookups by name would scan the table meanwhile.
            if matches!(conn, crate::db::Conn::Postgres(_)) && o.creates > 5000 {
                let table = match kind {
                    Kind::Enterprises => "enterprises",
                    Kind::Projects => "projects",
                    Kind::Reports => "monthly_reports",
                };
                q_exec!(&mut conn.ex(), sqlx::AssertSqlSafe(format!("ANALYZE {table}")))?;
            }
        }
        Ok(Err(o)) => {
            let message =
                format!("文件中有 {} 处错误（数据可能已被他人改动），未导入任何数据，请修改后重新上传", o.error_count);
            q_exec!(
                &mut conn.ex(),
                "UPDATE import_jobs SET status = 'previewed', error_count = $2, errors_json = $3, message = $4 WHERE id = $1",
                job.id,
                o.error_count as i64,
                errors_json(&o),
                message
            )?;
        }
        Err(e) => {
            let message = format!("导入未完成，未写入任何数据：{}", failure(&e));
            q_exec!(
                &mut conn.ex(),
                "UPDATE import_jobs SET status = 'previewed', message = $2 WHERE id = $1",
                job.id,
                message
            )?;
        }
    }
    drop(conn);
    get(db, user, &job.id.to_string()).await
}

/// Claim and commit in one go (the command line).
pub async fn commit(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: &str,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> AppResult<Job> {
    let job = begin_commit(db, user, id).await?;
    commit_claimed(db, user, actor, &job, progress).await
}

/// Runs the job's current phase (checking or committing) in the background, reporting progress here.
pub fn spawn(db: Db, user: CurrentUser, actor: Actor, job: Job) {
    tokio::spawn(async move {
        let id = job.id;
        report(id, 0);
        let progress = move |done: usize| report(id, done);
        let result = match job.status.as_str() {
            "checking" => check(&db, &user, &job, &progress).await,
            "committing" => commit_claimed(&db, &user, &actor, &job, &progress).await,
            _ => Ok(job),
        };
        forget(id);
        if let Err(e) = result {
            tracing::error!(error = ?e, job = %id, "background import step failed");
        }
    });
}

/// The job once it stops running, or as it is after `patience`: short files answer at once.
pub async fn wait(db: &Db, user: &CurrentUser, id: &str, patience: Duration) -> AppResult<Job> {
    let until = std::time::Instant::now() + patience;
    loop {
        let job = get(db, user, id).await?;
        if !job.running() || std::time::Instant::now() >= until {
            return Ok(job);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

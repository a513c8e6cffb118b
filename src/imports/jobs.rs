//! Import jobs: an upload is read and checked (preview), kept with its findings, and committed
//! later as one transaction after being checked again — so what is written is what was valid then.

use super::kinds::Kind;
use super::plan::{SHOWN_ERRORS, apply, plan};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::{q_as, q_exec};
use serde::Serialize;
use sha2::{Digest, Sha256};
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
}

const COLS: &str = "id, kind, user_id, username, filename, sha256, row_count, creates, updates, unchanged, error_count,
    errors_json, ignored, status, created_at, committed_at";

pub fn permission(kind: Kind) -> Permission {
    match kind {
        Kind::Enterprises => Permission::EditEnterprises,
        Kind::Projects => Permission::EditProjects,
        Kind::Reports => Permission::FileReports,
    }
}

fn errors_json(p: &super::plan::Plan) -> String {
    let v: Vec<RowError> = p
        .errors
        .iter()
        .take(SHOWN_ERRORS)
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

/// Reads and checks an upload, and keeps it for commit. A file that cannot be read at all is refused here.
pub async fn preview(db: &Db, user: &CurrentUser, kind: Kind, filename: &str, data: &[u8]) -> AppResult<Job> {
    authz::check(user, permission(kind), None)?;
    let sheet = super::read(data, filename).map_err(|e| AppError::field("file", e))?;
    let mut conn = db.conn().await?;
    let p = plan(&mut conn.ex(), user, kind, &sheet).await?;
    drop(conn);
    let job = Job {
        id: Uuid::now_v7(),
        kind: kind.code().into(),
        user_id: Some(user.id).filter(|id| !id.is_nil()),
        username: user.username.clone(),
        filename: crate::projects::evidence::clean_name(filename),
        sha256: hex::encode(Sha256::digest(data)),
        row_count: p.rows as i64,
        creates: p.creates as i64,
        updates: p.updates as i64,
        unchanged: p.unchanged as i64,
        error_count: p.errors.len() as i64,
        errors_json: errors_json(&p),
        ignored: p.ignored_columns.join("、"),
        status: "previewed".into(),
        created_at: OffsetDateTime::now_utc(),
        committed_at: None,
    };
    let mut tx = db.begin().await?;
    q_exec!(&mut tx.ex(),
        "INSERT INTO import_jobs (id, kind, user_id, username, filename, sha256, data, row_count, creates, updates, unchanged,
           error_count, errors_json, ignored, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        job.id, &job.kind, job.user_id, &job.username, &job.filename, &job.sha256, data, job.row_count, job.creates,
        job.updates, job.unchanged, job.error_count, &job.errors_json, &job.ignored, &job.status, job.created_at)?;
    tx.commit().await?;
    Ok(job)
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
    Ok(job)
}

pub async fn recent(db: &Db, user: &CurrentUser) -> AppResult<Vec<Job>> {
    let mut conn = db.conn().await?;
    let sql = format!("SELECT {COLS} FROM import_jobs WHERE username = $1 ORDER BY created_at DESC LIMIT 20");
    Ok(q_as!(&mut conn.ex(), fetch_all, Job, sqlx::AssertSqlSafe(sql.as_str()), &user.username)?)
}

/// Checks the stored upload again and writes it, all rows or none.
pub async fn commit(db: &Db, user: &CurrentUser, actor: &Actor, id: &str) -> AppResult<Job> {
    let job = get(db, user, id).await?;
    let kind = Kind::parse(&job.kind).ok_or(AppError::NotFound)?;
    authz::check(user, permission(kind), None)?;
    if job.status == "committed" {
        return Err(AppError::Conflict("该文件已导入，不会重复写入".into()));
    }
    let mut tx = db.begin().await?;
    let data: Vec<u8> =
        crate::q_scalar!(&mut tx.ex(), fetch_one, Vec<u8>, "SELECT data FROM import_jobs WHERE id = $1", job.id)?;
    let sheet = super::read(&data, &job.filename).map_err(|e| AppError::field("file", e))?;
    let p = plan(&mut tx.ex(), user, kind, &sheet).await?;
    if !p.errors.is_empty() {
        drop(tx);
        let mut tx = db.begin().await?;
        q_exec!(
            &mut tx.ex(),
            "UPDATE import_jobs SET error_count = $2, errors_json = $3 WHERE id = $1",
            job.id,
            p.errors.len() as i64,
            errors_json(&p)
        )?;
        tx.commit().await?;
        return Err(AppError::invalid(format!(
            "文件中有 {} 处错误（数据可能已被他人改动），未导入任何数据，请修改后重新上传",
            p.errors.len()
        )));
    }
    apply(&mut tx.ex(), actor, &p, &job.filename).await?;
    let now = OffsetDateTime::now_utc();
    q_exec!(
        &mut tx.ex(),
        "UPDATE import_jobs SET status = 'committed', committed_at = $2, creates = $3, updates = $4, unchanged = $5 WHERE id = $1",
        job.id,
        now,
        p.creates as i64,
        p.updates as i64,
        p.unchanged as i64
    )?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "import.commit",
            entity: "import",
            entity_id: job.id.to_string(),
            region: None,
            before: None,
            after: Some(
                serde_json::json!({"kind": job.kind, "file": job.filename, "sha256": job.sha256, "rows": p.rows,
            "creates": p.creates, "updates": p.updates, "unchanged": p.unchanged}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, user, id).await
}

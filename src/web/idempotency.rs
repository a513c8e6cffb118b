//! `Idempotency-Key` on API POSTs: a client that lost the reply can send the same request again
//! and get the first answer back instead of creating a second record. Keys belong to the signed-in
//! user, live 24 hours, and are kept in the database so that any instance can answer the retry.

use super::AppState;
use crate::accounts::authz::CurrentUser;
use crate::db::{Db, is_unique_violation};
use crate::error::AppError;
use crate::{q_as, q_exec};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

pub const HEADER: &str = "idempotency-key";
/// Answers to a retry carry this header, so a client can tell a replay from a first answer.
pub const REPLAYED: &str = "idempotent-replayed";
const KEEP: Duration = Duration::hours(24);

/// Marks an answer that carries a secret (a new user's initial password, a reset password, a new API
/// token): handlers insert it as a response extension. Such an answer is never kept — a day-long copy
/// of a password in `idempotency_keys` would outlive its one-time display — so the key only records
/// that it was used, and a retry is answered with `WITHHELD` (409) instead of the secret, and runs nothing.
#[derive(Debug, Clone, Copy)]
pub struct CarriesSecret;

/// What a retry of a request whose answer carried a secret hears.
pub const WITHHELD: &str = "该请求已处理；含密码的结果不会保存，无法重复返回";
/// The request hash kept for such a request: not its hash, since the body may hold a password the
/// client chose and an unsalted hash of a mostly known body would let it be guessed. Not hex, so no
/// request's hash equals it; any reuse of the key hears `WITHHELD`.
const SECRET_HASH: &str = "withheld";
/// A first attempt still unfinished after this long died with its server; a retry may run again.
const ABANDONED: Duration = Duration::minutes(5);

/// What a key may look like: what clients use in practice (UUIDs, ULIDs, "batch-17-row-3").
pub fn check_key(k: &str) -> Result<&str, AppError> {
    let k = k.trim();
    if k.is_empty() || k.len() > 200 || !k.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::field(
            "Idempotency-Key",
            "Idempotency-Key 须为 1–200 个可见 ASCII 字符（建议使用 UUID）",
        ));
    }
    Ok(k)
}

#[derive(sqlx::FromRow)]
struct Stored {
    request_hash: String,
    status: Option<i64>,
    content_type: Option<String>,
    etag: Option<String>,
    location: Option<String>,
    body: Option<Vec<u8>>,
    created_at: OffsetDateTime,
}

enum Claim {
    /// This request is the first with its key: run it.
    Fresh,
    /// An earlier request with the key finished: answer what it answered.
    Done(Stored),
}

async fn claim(db: &Db, user: Uuid, key: &str, hash: &str) -> Result<Claim, AppError> {
    let now = OffsetDateTime::now_utc();
    for _ in 0..2 {
        let mut tx = db.begin().await?;
        let inserted = q_exec!(
            &mut tx.ex(),
            "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, created_at) VALUES ($1, $2, $3, $4)",
            user,
            key,
            hash,
            now
        );
        match inserted {
            Ok(_) => {
                tx.commit().await?;
                return Ok(Claim::Fresh);
            }
            Err(e) if is_unique_violation(&e) => {}
            Err(e) => return Err(e.into()),
        }
        drop(tx);
        let mut conn = db.conn().await?;
        let found: Option<Stored> = q_as!(
            &mut conn.ex(),
            fetch_optional,
            Stored,
            "SELECT request_hash, status, content_type, etag, location, body, created_at FROM idempotency_keys
             WHERE user_id = $1 AND idem_key = $2",
            user,
            key
        )?;
        let Some(s) = found else { continue };
        let expired = s.created_at < now - KEEP;
        let abandoned = s.status.is_none() && s.created_at < now - ABANDONED;
        if expired || abandoned {
            q_exec!(
                &mut conn.ex(),
                "DELETE FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2 AND created_at = $3",
                user,
                key,
                s.created_at
            )?;
            continue;
        }
        if s.request_hash != hash && s.request_hash != SECRET_HASH {
            return Err(AppError::field(
                "Idempotency-Key",
                "该 Idempotency-Key 已用于另一个不同的请求；每个新请求请使用新的 Key",
            ));
        }
        if s.status.is_none() {
            return Err(AppError::Conflict("使用该 Idempotency-Key 的请求正在处理中，请稍后再试".into()));
        }
        return Ok(Claim::Done(s));
    }
    Err(AppError::Conflict("使用该 Idempotency-Key 的请求正在处理中，请稍后再试".into()))
}

fn replay(s: Stored) -> Response {
    let status = StatusCode::from_u16(s.status.unwrap_or(200) as u16).unwrap_or(StatusCode::OK);
    // An error answer is replayed with its words: the error renderer keeps what it is given and
    // re-dresses only what it is not (a stored body alone would read "请求无法完成").
    let info = match status.is_client_error() {
        true => s.body.as_deref().and_then(|b| serde_json::from_slice::<crate::error::ErrorInfo>(b).ok()),
        false => None,
    };
    let mut resp = (status, s.body.unwrap_or_default()).into_response();
    if let Some(info) = info {
        resp.extensions_mut().insert(info);
    }
    let h = resp.headers_mut();
    for (name, value) in
        [(header::CONTENT_TYPE, s.content_type), (header::ETAG, s.etag), (header::LOCATION, s.location)]
    {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            h.insert(name, v);
        }
    }
    h.insert(REPLAYED, HeaderValue::from_static("true"));
    resp
}

fn header_text(resp: &Response, name: header::HeaderName) -> Option<String> {
    resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// Keeps the answer for retries; a server error releases the key so that a retry runs again.
async fn remember(db: &Db, user: Uuid, key: &str, resp: Response) -> Result<Response, AppError> {
    if resp.status().is_server_error() {
        let mut conn = db.conn().await?;
        q_exec!(&mut conn.ex(), "DELETE FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2", user, key)?;
        return Ok(resp);
    }
    let (parts, body) = resp.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let resp = Response::from_parts(parts, Body::from(bytes.clone()));
    // The answer a retry will get: this one, or — when it carries a secret — only the word that the
    // request was done (no body, no headers of the first answer are kept).
    let secret = resp.extensions().get::<CarriesSecret>().is_some();
    let (status, content_type, etag, location, kept) = if secret {
        let withheld = crate::error::ErrorInfo { code: "conflict".into(), message: WITHHELD.into(), fields: vec![] };
        let body = serde_json::to_vec(&withheld).map_err(|e| AppError::Internal(e.into()))?;
        (StatusCode::CONFLICT, Some("application/json".to_string()), None, None, body)
    } else {
        (
            resp.status(),
            header_text(&resp, header::CONTENT_TYPE),
            header_text(&resp, header::ETAG),
            header_text(&resp, header::LOCATION),
            bytes.to_vec(),
        )
    };
    let mut conn = db.conn().await?;
    q_exec!(
        &mut conn.ex(),
        "UPDATE idempotency_keys SET status = $3, content_type = $4, etag = $5, location = $6, body = $7,
           request_hash = CASE WHEN $8 THEN $9 ELSE request_hash END
         WHERE user_id = $1 AND idem_key = $2",
        user,
        key,
        status.as_u16() as i64,
        content_type,
        etag,
        location,
        kept,
        secret,
        SECRET_HASH
    )?;
    // Old keys go now and then, not on every request.
    if rand::random::<u8>() < 3 {
        q_exec!(
            &mut conn.ex(),
            "DELETE FROM idempotency_keys WHERE created_at < $1",
            OffsetDateTime::now_utc() - KEEP
        )?;
    }
    Ok(resp)
}

/// Middleware: only API POSTs from a signed-in user that carry the header are affected.
pub async fn idempotency(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let key = req.headers().get(HEADER).map(|v| v.to_str().map(str::to_string));
    let user = req.extensions().get::<CurrentUser>().map(|u| u.id);
    let (Some(key), Some(user), true) =
        (key, user, req.method() == Method::POST && super::auth::is_api(req.uri().path()))
    else {
        return next.run(req).await;
    };
    match run(&st.db, user, key, req, next).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn run(
    db: &Db,
    user: Uuid,
    key: Result<String, axum::http::header::ToStrError>,
    req: Request,
    next: Next,
) -> Result<Response, AppError> {
    let key = key.map_err(|_| AppError::field("Idempotency-Key", "Idempotency-Key 只能包含 ASCII 字符"))?;
    let key = check_key(&key)?.to_string();
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, super::UPLOAD_LIMIT).await.map_err(|_| AppError::PayloadTooLarge)?;
    let mut h = Sha256::new();
    h.update(parts.uri.path().as_bytes());
    h.update([0]);
    h.update(parts.uri.query().unwrap_or("").as_bytes());
    h.update([0]);
    h.update(&bytes);
    let hash = hex::encode(h.finalize());
    match claim(db, user, &key, &hash).await? {
        Claim::Done(s) => Ok(replay(s)),
        Claim::Fresh => {
            let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
            remember(db, user, &key, resp).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(check_key("0b7f3c1e-8f2a-4c55-9d3e-1a2b3c4d5e6f").is_ok());
        assert!(check_key("  batch-17-row-3 ").is_ok());
        assert!(check_key("").is_err());
        assert!(check_key("有中文").is_err());
        assert!(check_key("has space").is_err());
        assert!(check_key(&"k".repeat(201)).is_err());
    }
}

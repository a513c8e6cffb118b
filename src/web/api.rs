//! What every JSON API shares for optimistic locking: a record's version goes out as its `ETag`
//! and comes back in `If-Match`; a write against an older version is `412 Precondition Failed`.

use crate::error::AppError;
use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The version in `If-Match` (`"7"`, `W/"7"` or `7`); none when absent or not a number.
pub fn if_match(headers: &HeaderMap) -> Option<i64> {
    headers.get(header::IF_MATCH)?.to_str().ok()?.trim().trim_start_matches("W/").trim_matches('"').parse().ok()
}

/// The version in `If-Match`, which a change to an existing record must carry.
pub fn required_if_match(headers: &HeaderMap) -> Result<i64, AppError> {
    if_match(headers)
        .ok_or_else(|| AppError::invalid("修改须带 If-Match 头（取自 GET 返回的 ETag），以免覆盖他人的修改"))
}

/// `body` as JSON with its version as the `ETag`.
pub fn with_etag(status: StatusCode, body: impl Serialize, version: i64) -> Response {
    let mut r = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}

/// A use case's conflict (the record moved on since the version given) is, over HTTP with
/// `If-Match`, a failed precondition.
pub fn stale_is_412(e: AppError) -> AppError {
    match e {
        AppError::Conflict(m) => AppError::PreconditionFailed(m),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::IF_MATCH, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn if_match_reads_strong_weak_and_bare_versions_and_nothing_else() {
        assert_eq!(if_match(&headers("\"7\"")), Some(7));
        assert_eq!(if_match(&headers("W/\"12\"")), Some(12));
        assert_eq!(if_match(&headers(" 3 ")), Some(3));
        assert_eq!(if_match(&headers("\"abc\"")), None);
        assert_eq!(if_match(&headers("*")), None);
        assert_eq!(if_match(&HeaderMap::new()), None);
        assert!(required_if_match(&HeaderMap::new()).is_err());
    }

    #[test]
    fn a_conflict_becomes_a_failed_precondition_and_other_errors_stay() {
        assert!(matches!(stale_is_412(AppError::Conflict("x".into())), AppError::PreconditionFailed(_)));
        assert!(matches!(stale_is_412(AppError::NotFound), AppError::NotFound));
    }

    #[test]
    fn the_etag_is_the_quoted_version() {
        let r = with_etag(StatusCode::OK, serde_json::json!({"a": 1}), 42);
        assert_eq!(r.headers()[header::ETAG], "\"42\"");
    }
}

//! Extractors that turn bad input into our own clear messages.

use crate::error::{AppError, FieldError};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

/// JSON body; a malformed body or a wrong field names the field and what is wrong.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(AppError::invalid("请求体须为 JSON（Content-Type: application/json）"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| AppError::invalid("请求内容过大或无法读取"))?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn body_error(e: axum::extract::rejection::BytesRejection) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::invalid("请求内容无法读取")
    }
}

/// A JSON body read but not yet parsed: handlers check the scope of the record first, so that
/// an out-of-scope id answers 404 whatever the body holds.
pub struct LazyJson<T> {
    bytes: Result<Bytes, AppError>,
    _t: std::marker::PhantomData<T>,
}

impl<S: Send + Sync, T> FromRequest<S> for LazyJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let bytes = Bytes::from_request(req, state).await.map_err(body_error);
        let bytes = if is_json {
            bytes
        } else {
            Err(AppError::invalid("请求体须为 JSON（Content-Type: application/json）"))
        };
        Ok(LazyJson { bytes, _t: std::marker::PhantomData })
    }
}

impl<T: DeserializeOwned> LazyJson<T> {
    pub fn parse(self) -> Result<T, AppError> {
        parse_json(&self.bytes?)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() || path == "." {
            AppError::invalid(format!("JSON 格式错误（第 {} 行第 {} 列）：{inner}", inner.line(), inner.column()))
        } else {
            let message = format!("字段“{path}”无效：{inner}");
            AppError::Invalid { message: message.clone(), fields: vec![FieldError { field: path, message }] }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Body {
        role: crate::accounts::model::Role,
    }

    #[test]
    fn an_unknown_enum_value_names_the_field() {
        let e = parse_json::<Body>(br#"{"role":"boss"}"#).unwrap_err();
        match e {
            AppError::Invalid { fields, .. } => assert_eq!(fields[0].field, "role"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_json_says_where() {
        let e = parse_json::<Body>(b"{\"role\":").unwrap_err();
        assert!(e.to_string().contains("JSON 格式错误"), "{e}");
    }
}

//! The one error type. Handlers and use cases return it with `?`; the web layer renders it as
//! a Chinese HTML page or as JSON `{code, message, fields}`. Internal causes are logged, never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    Invalid { message: String, fields: Vec<FieldError> },
    #[error("请先登录")]
    Unauthorized(String),
    #[error("无权访问")]
    Forbidden,
    /// Allowed to reach the record, not to do this to it: the message says why.
    #[error("{0}")]
    Refused(String),
    /// A password set by an administrator must be changed before anything else.
    #[error("须先修改由管理员设置的密码，才能继续使用系统")]
    PasswordChangeRequired,
    #[error("{0}")]
    TooManyRequests(String),
    #[error("页面或记录不存在")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("表单已失效，请刷新页面后重试")]
    Csrf,
    #[error("请求内容过大")]
    PayloadTooLarge,
    #[error("系统内部错误，请稍后重试；如持续出现请联系系统管理员")]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl AppError {
    pub fn invalid(message: impl Into<String>) -> AppError {
        AppError::Invalid { message: message.into(), fields: vec![] }
    }

    pub fn field(field: &str, message: impl Into<String>) -> AppError {
        let message = message.into();
        AppError::Invalid { message: message.clone(), fields: vec![FieldError { field: field.into(), message }] }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf | AppError::Refused(_) | AppError::PasswordChangeRequired => {
                StatusCode::FORBIDDEN
            }
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid { .. } => "invalid",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden | AppError::Refused(_) => "forbidden",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::PreconditionFailed(_) => "precondition_failed",
            AppError::Csrf => "csrf",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Internal(_) => "internal",
        }
    }
}

/// What the error-rendering middleware needs to draw the page or the JSON body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let message = match &self {
            AppError::Unauthorized(m) if !m.is_empty() => m.clone(),
            other => other.to_string(),
        };
        let fields = match &self {
            AppError::Invalid { fields, .. } => fields.clone(),
            _ => vec![],
        };
        let info = ErrorInfo { code: self.code().into(), message, fields };
        let mut resp = (self.status(), axum::Json(info.clone())).into_response();
        resp.extensions_mut().insert(info);
        resp
    }
}

pub type AppResult<T> = Result<T, AppError>;

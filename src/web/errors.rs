//! Renders every error — ours and the framework's rejections — as a Chinese HTML page or as
//! JSON `{code, message, fields}`, depending on whether the request was for the API.

use super::auth::is_api;
use super::layout::Layout;
use crate::accounts::authz::CurrentUser;
use crate::error::{AppError, ErrorInfo};
use askama::Template;
use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    status: u16,
    info: ErrorInfo,
}

/// What a panicking handler answers: the internal error, with the panic in the log only.
pub fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    AppError::Internal(anyhow::anyhow!("handler panicked: {what}")).into_response()
}

/// Refuses a request whose address carries a NUL (`%00`) with 400, before anything looks it up.
pub async fn refuse_nul(req: Request, next: Next) -> Response {
    let uri = req.uri().to_string();
    if uri.to_ascii_lowercase().contains("%00") {
        return AppError::invalid("请求地址含有无效字符（%00）").into_response();
    }
    next.run(req).await
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

fn message_for(status: StatusCode, detail: &str) -> (String, String) {
    let (code, msg) = match status {
        StatusCode::NOT_FOUND => ("not_found", "页面或记录不存在".to_string()),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "不支持该请求方式".to_string()),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "请求内容过大".to_string()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "请求内容类型不受支持（JSON 接口请使用 application/json）".to_string())
        }
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
            ("invalid", format!("请求内容无效：{}", detail.trim()))
        }
        s if s.is_server_error() => ("internal", "系统内部错误，请稍后重试；如持续出现请联系系统管理员".to_string()),
        _ => ("error", "请求无法完成".to_string()),
    };
    (code.into(), msg)
}

pub async fn render_errors(req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    let user = req.extensions().get::<CurrentUser>().cloned();
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    // A replayed answer says so, error or not (see `idempotency`).
    let replayed = resp.headers().get(super::idempotency::REPLAYED).cloned();
    let info = match resp.extensions().get::<ErrorInfo>() {
        Some(i) => i.clone(),
        None => {
            // A rejection from the framework: plain text we re-dress in our own words.
            let (parts, body) = resp.into_parts();
            let is_ours = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"));
            if is_ours {
                return Response::from_parts(parts, body);
            }
            let text = to_bytes(body, 16 * 1024).await.unwrap_or_default();
            let (code, message) = message_for(status, &String::from_utf8_lossy(&text));
            ErrorInfo { code, message, fields: vec![] }
        }
    };
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        // Whatever the cause, it was logged where it happened; the user sees only this.
    }
    if api {
        let mut r = (status, axum::Json(info)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("static"));
        }
        if let Some(v) = replayed {
            r.headers_mut().insert(super::idempotency::REPLAYED, v);
        }
        return r;
    }
    let title = match status.as_u16() {
        404 => "页面不存在",
        403 => "无权访问",
        401 => "请先登录",
        s if s >= 500 => "系统错误",
        _ => "请求有误",
    };
    let page = ErrorPage { l: Layout::new(title, user.as_ref(), ""), status: status.as_u16(), info };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, "error").into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panicking_handler_answers_the_internal_error_without_its_message() {
        let r = super::panicked(Box::new("index out of bounds: secret detail"));
        assert_eq!(r.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let info = r.extensions().get::<crate::error::ErrorInfo>().expect("rendered by render_errors");
        assert!(!info.message.contains("secret"), "{}", info.message);
    }
}

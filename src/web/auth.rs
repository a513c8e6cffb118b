//! Who is asking (session cookie or bearer token), whether they may (the route's rule), and
//! whether a form really came from our page (CSRF).

use super::AppState;
use super::routes::Rule;
use crate::accounts::authz::CurrentUser;
use crate::accounts::secrets::random_token;
use crate::accounts::service::{self, SessionState};
use crate::audit::model::Actor;
use crate::error::AppError;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

pub const SESSION_COOKIE: &str = "zs_session";
/// Double-submit token for forms shown before sign-in (the login form).
pub const PRE_COOKIE: &str = "zs_pre";

/// Set on requests whose session just timed out, so the login page can say so.
#[derive(Clone, Copy)]
pub struct SessionExpired;

/// The client's address as the server saw it.
#[derive(Clone)]
pub struct ClientIp(pub Option<String>);

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let age = max_age.map(|a| format!("; Max-Age={a}")).unwrap_or_default();
    let sec = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{age}{sec}"))
        .expect("cookie is ASCII")
}

pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Resolves the session or bearer token into a `CurrentUser` extension.
pub async fn authenticate(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    if let Some(token) = bearer {
        match service::resolve_token(&st.db, &token).await {
            Ok(Some(u)) => {
                req.extensions_mut().insert(u);
            }
            Ok(None) => {
                return AppError::Unauthorized("API 令牌无效或已吊销".into()).into_response();
            }
            Err(e) => return e.into_response(),
        }
    } else if let Some(token) = cookie(req.headers(), SESSION_COOKIE) {
        match service::resolve_session(&st.db, &token).await {
            Ok(SessionState::Live(u)) => {
                req.extensions_mut().insert(u);
            }
            Ok(SessionState::Expired) => {
                req.extensions_mut().insert(SessionExpired);
            }
            Ok(SessionState::None) => {}
            Err(e) => return e.into_response(),
        }
    }
    next.run(req).await
}

/// Enforces a route's rule, and the CSRF token on every state-changing browser request.
pub async fn guard(rule: Rule, req: Request, next: Next) -> Response {
    let user = req.extensions().get::<CurrentUser>().cloned();
    let api = is_api(req.uri().path());
    match (rule, &user) {
        (Rule::Public, _) => {}
        (_, None) if api => return AppError::Unauthorized(String::new()).into_response(),
        (_, None) => {
            let next_url = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let expired = req.extensions().get::<SessionExpired>().is_some();
            let q = format!("/login?next={}{}", urlencode(next_url), if expired { "&expired=1" } else { "" });
            return Redirect::to(&q).into_response();
        }
        (Rule::SignedIn, Some(_)) => {}
        (Rule::Perm(p), Some(u)) => {
            if !u.can(p) {
                return AppError::Forbidden.into_response();
            }
        }
        (Rule::AnyOf(ps), Some(u)) => {
            if !ps.iter().any(|p| u.can(*p)) {
                return AppError::Forbidden.into_response();
            }
        }
    }
    if let Some(u) = &user
        && u.must_change_password
        && !matches!(rule, Rule::Public)
        && !matches!(req.uri().path(), "/account/password" | "/logout")
    {
        // A password an administrator set (or reset) is known to them: nothing else works until its
        // owner has replaced it.
        if api {
            return AppError::PasswordChangeRequired.into_response();
        }
        return Redirect::to("/account/password").into_response();
    }
    if req.method() == Method::GET || req.method() == Method::HEAD {
        return next.run(req).await;
    }
    // A bearer-token client has no cookie a third-party page could ride on.
    let expected = match &user {
        Some(u) => match &u.csrf {
            Some(c) => c.clone(),
            None => return next.run(req).await,
        },
        None => cookie(req.headers(), PRE_COOKIE).unwrap_or_default(),
    };
    match check_csrf(req, &expected).await {
        Ok(req) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// Accepts the token from the `X-CSRF-Token` header or the form's `_csrf` field. The body is
/// read (it is small: the body limit applies first) and put back for the handler.
async fn check_csrf(req: Request, expected: &str) -> Result<Request, AppError> {
    if expected.is_empty() {
        return Err(AppError::Csrf);
    }
    if let Some(h) = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if constant_eq(h, expected) { Ok(req) } else { Err(AppError::Csrf) };
    }
    // Multipart uploads carry the token in the form's action URL: reading a 20 MB body here
    // just to find one field would cost more than it protects.
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if is_multipart {
        let token = req.uri().query().and_then(|q| form_urlencoded_get(q.as_bytes(), "_csrf")).unwrap_or_default();
        return if constant_eq(&token, expected) { Ok(req) } else { Err(AppError::Csrf) };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(AppError::Csrf);
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, super::BODY_LIMIT).await.map_err(|_| AppError::invalid("请求内容过大或无法读取"))?;
    let token = form_urlencoded_get(&bytes, "_csrf").unwrap_or_default();
    if !constant_eq(&token, expected) {
        return Err(AppError::Csrf);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn form_urlencoded_get(body: &[u8], key: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A fresh pre-login CSRF token and the cookie that carries it.
pub fn new_pre_token(secure: bool) -> (String, HeaderValue) {
    let t = random_token();
    let c = set_cookie(PRE_COOKIE, &t, Some(3600), secure);
    (t, c)
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for CurrentUser {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<CurrentUser>().cloned())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts.extensions.get::<CurrentUser>().cloned().ok_or(AppError::Unauthorized(String::new()))
    }
}

/// Who acts, for the audit record: the signed-in user and the address they came from. A handler
/// that changes something takes this beside (or instead of) the [`CurrentUser`]; without a user it
/// answers like any route that needs one.
impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let ip = parts.extensions.get::<ClientIp>().and_then(|c| c.0.clone());
        Ok(Actor { id: Some(user.id), name: user.username, ip })
    }
}

/// The client address from the connection (we do not trust X-Forwarded-For unless configured).
pub async fn client_ip(req: Request, next: Next) -> Response {
    let mut req = req;
    let ip = req.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string());
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<ClientIp>().cloned().unwrap_or(ClientIp(None)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csrf_field_is_found_in_a_urlencoded_body() {
        assert_eq!(form_urlencoded_get(b"a=1&_csrf=abc%20d&b=2", "_csrf").as_deref(), Some("abc d"));
        assert_eq!(form_urlencoded_get(b"a=1", "_csrf"), None);
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; zs_session=xyz; b=2"));
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "zs"), None);
    }
}

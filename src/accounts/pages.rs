//! Sign-in, own password, and the administrators' pages for users and grants.

use super::admin_pages;
use super::authz::CurrentUser;
use super::model::Permission;
use super::service;
use super::throttle;
use crate::audit::Actor;
use crate::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::auth::{self, ClientIp, SESSION_COOKIE, new_pre_token, set_cookie, urlencode};
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    use Permission::*;
    r.page(Method::GET, "/login", Rule::Public, "登录页", login_page)
        .page(Method::POST, "/login", Rule::Public, "登录", login_submit)
        .page(Method::POST, "/logout", Rule::SignedIn, "退出", logout)
        .page(Method::GET, "/account/password", Rule::SignedIn, "修改密码页", password_page)
        .page(Method::POST, "/account/password", Rule::SignedIn, "修改密码", password_submit)
        .page(Method::GET, "/admin/users", Rule::Perm(ManageUsers), "用户列表", admin_pages::users_page)
        .page(Method::GET, "/admin/users/new", Rule::Perm(ManageUsers), "新建用户页", admin_pages::new_user_page)
        .page(Method::POST, "/admin/users", Rule::Perm(ManageUsers), "新建用户", admin_pages::create_user)
        .page(Method::GET, "/admin/users/{user_id}", Rule::Perm(ManageUsers), "用户详情", admin_pages::user_page)
        .page(
            Method::POST,
            "/admin/users/{user_id}/action",
            Rule::Perm(ManageUsers),
            "锁定/解锁/重置密码/停用",
            admin_pages::user_action,
        )
        .page(Method::GET, "/admin/grants", Rule::Perm(ManageGrants), "授权列表", admin_pages::grants_page)
        .page(
            Method::GET,
            "/admin/grants/{user_id}",
            Rule::Perm(ManageGrants),
            "用户授权",
            admin_pages::user_grants_page,
        )
        .page(Method::POST, "/admin/grants/{user_id}", Rule::Perm(ManageGrants), "授予角色", admin_pages::add_grant)
        .page(
            Method::POST,
            "/admin/grants/{user_id}/remove",
            Rule::Perm(ManageGrants),
            "收回角色",
            admin_pages::remove_grant,
        )
        .page(
            Method::POST,
            "/admin/grants/{user_id}/account",
            Rule::Perm(ManageGrants),
            "管理员账号的锁定/解锁/重置密码/停用（省级安全管理员）",
            admin_pages::grants_account_action,
        )
}

/// Only local paths: never send a user off-site after sign-in. Browsers drop tabs and line breaks
/// from a URL and read a backslash as a slash, so "/\t/evil.example" or "/\\evil.example" would
/// leave the site: one leading slash, then no second, no backslash, no control or white space.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            // A Location header is ASCII: characters beyond it go back to the form they came in.
            n.chars()
                .map(|c| if c.is_ascii() { c.to_string() } else { urlencode(c.encode_utf8(&mut [0; 4])) })
                .collect()
        }
        _ => "/".into(),
    }
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    l: Layout,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
}

async fn login_page(
    State(st): State<AppState>,
    user: Option<CurrentUser>,
    Query(q): Query<LoginQuery>,
) -> AppResult<Response> {
    if user.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    let (csrf, cookie) = new_pre_token(st.config.secure_cookies);
    let page = LoginPage {
        l: Layout::new("登录", None, ""),
        csrf,
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        error: q.expired.map(|_| "会话已超时，请重新登录".to_string()),
    };
    Ok(([(header::SET_COOKIE, cookie)], html(&page)?).into_response())
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login_submit(State(st): State<AppState>, ip: ClientIp, Form(f): Form<LoginForm>) -> AppResult<Response> {
    let addr = ip.0.as_deref();
    // Counted before the password is checked, so parallel guesses count at once and a throttled one
    // costs no Argon2 run.
    if let Err(wait) = st.sign_ins.begin(&throttle::LIMITS, &f.username, addr, std::time::Instant::now()) {
        tracing::warn!(username = f.username.trim(), ip = addr, "sign-in throttled");
        let (csrf, cookie) = new_pre_token(st.config.secure_cookies);
        let page = LoginPage {
            l: Layout::new("登录", None, ""),
            csrf,
            next: safe_next(f.next.as_deref()),
            username: f.username,
            error: Some(format!("登录尝试过于频繁，请 {} 分钟后再试", throttle::minutes(wait))),
        };
        let status = axum::http::StatusCode::TOO_MANY_REQUESTS;
        return Ok((status, [(header::SET_COOKIE, cookie)], html(&page)?).into_response());
    }
    match service::login(&st.db, &f.username, &f.password, ip.0.clone()).await? {
        Ok(s) => {
            st.sign_ins.succeeded(&f.username, ip.0.as_deref());
            let cookie = set_cookie(SESSION_COOKIE, &s.token, None, st.config.secure_cookies);
            let mut r = Redirect::to(&safe_next(f.next.as_deref())).into_response();
            r.headers_mut().insert(header::SET_COOKIE, cookie);
            Ok(r)
        }
        Err(e) => {
            let (csrf, cookie) = new_pre_token(st.config.secure_cookies);
            let page = LoginPage {
                l: Layout::new("登录", None, ""),
                csrf,
                next: safe_next(f.next.as_deref()),
                username: f.username,
                error: Some(e.message()),
            };
            Ok((axum::http::StatusCode::UNAUTHORIZED, [(header::SET_COOKIE, cookie)], html(&page)?).into_response())
        }
    }
}

async fn logout(
    State(st): State<AppState>,
    _user: CurrentUser,
    actor: Actor,
    headers: HeaderMap,
) -> AppResult<Response> {
    if let Some(token) = auth::cookie(&headers, SESSION_COOKIE) {
        service::logout(&st.db, &token, &actor).await?;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().insert(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0), st.config.secure_cookies));
    Ok(r)
}

#[derive(Template)]
#[template(path = "accounts/password.html")]
struct PasswordPage {
    l: Layout,
    required: bool,
    error: Option<String>,
    min_length: usize,
    min_classes: usize,
}

async fn password_page(State(st): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let p = &st.config.password_policy;
    html(&PasswordPage {
        l: Layout::new("修改密码", Some(&user), ""),
        required: user.must_change_password,
        error: None,
        min_length: p.min_length,
        min_classes: p.min_classes,
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    old_password: String,
    new_password: String,
    confirm: String,
}

async fn password_submit(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let p = &st.config.password_policy;
    let session = auth::cookie(&headers, SESSION_COOKIE);
    let result = if f.new_password != f.confirm {
        Err(AppError::field("confirm", "两次输入的新密码不一致"))
    } else {
        let a = actor;
        service::change_password(&st.db, &a, user.id, session.as_deref(), &f.old_password, &f.new_password, p).await
    };
    match result {
        Ok(c) => {
            let notice =
                format!("密码已修改；已退出其他 {} 处登录，吊销 {} 个 API 令牌", c.sessions_ended, c.tokens_revoked);
            Ok(Redirect::to(&format!("/?notice={}", urlencode(&notice))).into_response())
        }
        Err(AppError::Invalid { message, .. }) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            html(&PasswordPage {
                l: Layout::new("修改密码", Some(&user), ""),
                required: user.must_change_password,
                error: Some(message),
                min_length: p.min_length,
                min_classes: p.min_classes,
            })?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

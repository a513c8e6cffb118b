//! Sign-in, own password, and the administrators' pages for users and grants.

use super::authz::CurrentUser;
use super::model::{Permission, Role};
use super::service::{self, Administrator, UserAction};
use super::store::{self, GrantRow, TokenRow, User};
use super::throttle;
use crate::audit::Actor;
use crate::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::auth::{self, ClientIp, SESSION_COOKIE, new_pre_token, set_cookie, urlencode};
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
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
        .page(Method::GET, "/admin/users", Rule::Perm(ManageUsers), "用户列表", users_page)
        .page(Method::GET, "/admin/users/new", Rule::Perm(ManageUsers), "新建用户页", new_user_page)
        .page(Method::POST, "/admin/users", Rule::Perm(ManageUsers), "新建用户", create_user)
        .page(Method::GET, "/admin/users/{user_id}", Rule::Perm(ManageUsers), "用户详情", user_page)
        .page(
            Method::POST,
            "/admin/users/{user_id}/action",
            Rule::Perm(ManageUsers),
            "锁定/解锁/重置密码/停用",
            user_action,
        )
        .page(Method::GET, "/admin/grants", Rule::Perm(ManageGrants), "授权列表", grants_page)
        .page(Method::GET, "/admin/grants/{user_id}", Rule::Perm(ManageGrants), "用户授权", user_grants_page)
        .page(Method::POST, "/admin/grants/{user_id}", Rule::Perm(ManageGrants), "授予角色", add_grant)
        .page(Method::POST, "/admin/grants/{user_id}/remove", Rule::Perm(ManageGrants), "收回角色", remove_grant)
        .page(
            Method::POST,
            "/admin/grants/{user_id}/account",
            Rule::Perm(ManageGrants),
            "管理员账号的锁定/解锁/重置密码/停用（省级安全管理员）",
            grants_account_action,
        )
}

pub fn actor(u: &CurrentUser, ip: &ClientIp) -> Actor {
    Actor { id: Some(u.id), name: u.username.clone(), ip: ip.0.clone() }
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
    user: CurrentUser,
    ip: ClientIp,
    headers: HeaderMap,
) -> AppResult<Response> {
    if let Some(token) = auth::cookie(&headers, SESSION_COOKIE) {
        service::logout(&st.db, &token, &actor(&user, &ip)).await?;
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
    ip: ClientIp,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let p = &st.config.password_policy;
    let session = auth::cookie(&headers, SESSION_COOKIE);
    let result = if f.new_password != f.confirm {
        Err(AppError::field("confirm", "两次输入的新密码不一致"))
    } else {
        let a = actor(&user, &ip);
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

#[derive(Template)]
#[template(path = "accounts/users.html")]
struct UsersPage {
    l: Layout,
    q: String,
    users: Vec<User>,
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    q: Option<String>,
    notice: Option<String>,
}

async fn users_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SearchQuery>,
) -> AppResult<Html<String>> {
    let text = q.q.clone().unwrap_or_default();
    let users = service::users_visible(&st.db, &user, Permission::ManageUsers, &text).await?;
    html(&UsersPage { l: Layout::new("用户管理", Some(&user), "users").with_notice(q.notice), q: text, users })
}

#[derive(Template)]
#[template(path = "accounts/user_new.html")]
struct NewUserPage {
    l: Layout,
    f: NewUserForm,
    errors: Vec<crate::error::FieldError>,
    created: Option<(String, String)>,
}

#[derive(Deserialize, Default, Clone)]
struct NewUserForm {
    username: String,
    display_name: String,
    region: String,
    #[serde(default)]
    department: String,
}

async fn new_user_page(user: CurrentUser) -> AppResult<Html<String>> {
    let f = NewUserForm {
        region: user
            .scopes(Permission::ManageUsers)
            .first()
            .and_then(|(p, _)| p.trim_end_matches('/').rsplit('/').next().map(str::to_string))
            .unwrap_or_default(),
        ..Default::default()
    };
    html(&NewUserPage { l: Layout::new("新建用户", Some(&user), "users"), f, errors: vec![], created: None })
}

async fn create_user(
    State(st): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Form(f): Form<NewUserForm>,
) -> AppResult<Response> {
    let scopes = service::scope_paths(&user, Permission::ManageUsers);
    let result = match service::parse_new_user(
        &f.username,
        &f.display_name,
        &f.region,
        &f.department,
        None,
        &st.config.password_policy,
    ) {
        Ok(n) => service::create_user(&st.db, &actor(&user, &ip), Some(&scopes), n).await,
        Err(e) => Err(e),
    };
    match result {
        // The initial password is shown once, on this response, and never stored in clear.
        Ok((u, password)) => Ok(html(&NewUserPage {
            l: Layout::new("新建用户", Some(&user), "users"),
            f: NewUserForm::default(),
            errors: vec![],
            created: Some((u.username, password)),
        })?
        .into_response()),
        Err(AppError::Invalid { fields, message }) => {
            let errors = if fields.is_empty() {
                vec![crate::error::FieldError { field: String::new(), message }]
            } else {
                fields
            };
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                html(&NewUserPage { l: Layout::new("新建用户", Some(&user), "users"), f, errors, created: None })?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "accounts/user_show.html")]
struct UserPage {
    l: Layout,
    u: User,
    region_name: String,
    grants: Vec<GrantRow>,
    tokens: Vec<TokenRow>,
    locked: bool,
    new_password: Option<String>,
    /// Why this administrator may not act on the account, when they may not.
    refused: Option<String>,
    action_url: String,
}

async fn user_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<SearchQuery>,
) -> AppResult<Html<String>> {
    let (u, region) = service::user_in_scope(&st.db, &user, Permission::ManageUsers, &id).await?;
    render_user(&st, &user, u, region.name, None, q.notice).await
}

async fn render_user(
    st: &AppState,
    user: &CurrentUser,
    u: User,
    region_name: String,
    new_password: Option<String>,
    notice: Option<String>,
) -> AppResult<Html<String>> {
    let mut conn = st.db.conn().await?;
    let grants = store::grants_of(&mut conn.ex(), u.id).await?;
    let tokens = store::tokens_of(&mut conn.ex(), u.id).await?;
    drop(conn);
    let locked = u.is_locked(time::OffsetDateTime::now_utc());
    let refused = (!service::may_administer(&st.db, &Administrator::User(user), &u).await?)
        .then(|| "该用户持有管理员角色或本辖区以外的授权，或是您本人：其账号只能由省级安全管理员管理".to_string());
    let action_url = format!("/admin/users/{}/action", u.id);
    html(&UserPage {
        l: Layout::new(&format!("用户 {}", u.username), Some(user), "users").with_notice(notice),
        u,
        region_name,
        grants,
        tokens,
        locked,
        new_password,
        refused,
        action_url,
    })
}

#[derive(Deserialize)]
struct ActionForm {
    action: String,
    version: Option<i64>,
}

async fn user_action(
    State(st): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> AppResult<Response> {
    let (u, region) = service::user_in_scope(&st.db, &user, Permission::ManageUsers, &id).await?;
    let (action, done) = parse_action(&f.action)?;
    let by = Administrator::User(&user);
    let new_password = service::admin_action(&st.db, &actor(&user, &ip), by, u.id, f.version, action).await?;
    if new_password.is_some() {
        // Shown once on this response rather than carried through a redirect.
        let (u, _) = service::user_in_scope(&st.db, &user, Permission::ManageUsers, &id).await?;
        return Ok(render_user(&st, &user, u, region.name, new_password, Some(done.into())).await?.into_response());
    }
    Ok(Redirect::to(&format!("/admin/users/{}?notice={}", u.id, urlencode(done))).into_response())
}

fn parse_action(action: &str) -> AppResult<(UserAction, &'static str)> {
    Ok(match action {
        "lock" => (UserAction::Lock, "已锁定"),
        "unlock" => (UserAction::Unlock, "已解锁"),
        "reset_password" => (UserAction::ResetPassword, "密码已重置"),
        "disable" => (UserAction::Disable, "已停用"),
        "enable" => (UserAction::Enable, "已启用"),
        other => return Err(AppError::field("action", format!("未知的操作“{other}”"))),
    })
}

/// A province-level 安全管理员 locks, unlocks, resets or disables the accounts a 系统管理员 may not
/// touch (administrators, and users with grants beyond one 系统管理员's scope), from the grants page.
async fn grants_account_action(
    State(st): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> AppResult<Response> {
    let (u, region) = service::user_in_scope(&st.db, &user, Permission::ManageGrants, &id).await?;
    let (action, done) = parse_action(&f.action)?;
    let by = Administrator::User(&user);
    let new_password = service::admin_action(&st.db, &actor(&user, &ip), by, u.id, f.version, action).await?;
    if new_password.is_some() {
        let (u, _) = service::user_in_scope(&st.db, &user, Permission::ManageGrants, &id).await?;
        return Ok(render_grants(&st, &user, u, region.name, None, Some(done.into()), new_password)
            .await?
            .into_response());
    }
    Ok(Redirect::to(&format!("/admin/grants/{}?notice={}", u.id, urlencode(done))).into_response())
}

#[derive(Template)]
#[template(path = "accounts/grants.html")]
struct GrantsPage {
    l: Layout,
    q: String,
    rows: Vec<(User, Vec<GrantRow>)>,
}

async fn grants_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SearchQuery>,
) -> AppResult<Html<String>> {
    let text = q.q.clone().unwrap_or_default();
    let users = service::users_visible(&st.db, &user, Permission::ManageGrants, &text).await?;
    let mut conn = st.db.conn().await?;
    let mut rows = Vec::with_capacity(users.len());
    for u in users {
        let g = store::grants_of(&mut conn.ex(), u.id).await?;
        rows.push((u, g));
    }
    html(&GrantsPage { l: Layout::new("角色授权", Some(&user), "grants").with_notice(q.notice), q: text, rows })
}

#[derive(Template)]
#[template(path = "accounts/user_grants.html")]
struct UserGrantsPage {
    l: Layout,
    u: User,
    region_name: String,
    grants: Vec<GrantRow>,
    roles: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    scope: String,
    /// The account actions are offered here to whoever may take them (a province 安全管理员, for
    /// the accounts a 系统管理员 may not touch).
    account: bool,
    locked: bool,
    new_password: Option<String>,
    action_url: String,
}

async fn user_grants_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<SearchQuery>,
) -> AppResult<Html<String>> {
    let (u, region) = service::user_in_scope(&st.db, &user, Permission::ManageGrants, &id).await?;
    render_grants(&st, &user, u, region.name, None, q.notice, None).await
}

async fn render_grants(
    st: &AppState,
    user: &CurrentUser,
    u: User,
    region_name: String,
    error: Option<String>,
    notice: Option<String>,
    new_password: Option<String>,
) -> AppResult<Html<String>> {
    let mut conn = st.db.conn().await?;
    let grants = store::grants_of(&mut conn.ex(), u.id).await?;
    drop(conn);
    let scope = u.region.clone();
    let account = service::may_administer(&st.db, &Administrator::User(user), &u).await?;
    let locked = u.is_locked_now();
    let action_url = format!("/admin/grants/{}/account", u.id);
    html(&UserGrantsPage {
        l: Layout::new(&format!("授权：{}", u.display_name), Some(user), "grants").with_notice(notice),
        u,
        region_name,
        grants,
        roles: Role::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        error,
        scope,
        account,
        locked,
        new_password,
        action_url,
    })
}

#[derive(Deserialize)]
struct GrantForm {
    role: String,
    scope: String,
}

async fn add_grant(
    State(st): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<String>,
    Form(f): Form<GrantForm>,
) -> AppResult<Response> {
    let (u, region) = service::user_in_scope(&st.db, &user, Permission::ManageGrants, &id).await?;
    let scopes = service::scope_paths(&user, Permission::ManageGrants);
    let result = match Role::parse(&f.role) {
        Ok(role) => {
            service::add_grant(&st.db, &actor(&user, &ip), Some(&scopes), u.id, role, f.scope.trim()).await.map(|_| ())
        }
        Err(e) => Err(AppError::field("role", e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/grants/{}?notice={}", u.id, urlencode("已授予"))).into_response()),
        Err(AppError::Invalid { message, .. }) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            render_grants(&st, &user, u, region.name, Some(message), None, None).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct RemoveForm {
    grant_id: String,
}

async fn remove_grant(
    State(st): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<String>,
    Form(f): Form<RemoveForm>,
) -> AppResult<Response> {
    let (u, _) = service::user_in_scope(&st.db, &user, Permission::ManageGrants, &id).await?;
    let gid = uuid::Uuid::parse_str(&f.grant_id).map_err(|_| AppError::NotFound)?;
    let mut conn = st.db.conn().await?;
    let g = store::grant_by_id(&mut conn.ex(), gid).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    if g.user_id != u.id {
        return Err(AppError::NotFound);
    }
    let scopes = service::scope_paths(&user, Permission::ManageGrants);
    service::remove_grant(&st.db, &actor(&user, &ip), Some(&scopes), gid).await?;
    Ok(Redirect::to(&format!("/admin/grants/{}?notice={}", u.id, urlencode("已收回"))).into_response())
}

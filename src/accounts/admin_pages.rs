//! The administrators' pages: users (系统管理员) and grants (安全管理员), with the account actions each
//! may take (三员分立: `model::may_administer`).

use super::authz::CurrentUser;
use super::model::{Permission, Role};
use super::service::{self, Administrator, UserAction};
use super::store::{self, GrantRow, TokenRow, User};
use crate::audit::model::Actor;
use crate::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::auth::urlencode;
use crate::web::layout::{Layout, html};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "accounts/users.html")]
struct UsersPage {
    l: Layout,
    q: String,
    users: Vec<User>,
}

#[derive(Deserialize, Default)]
pub(super) struct SearchQuery {
    q: Option<String>,
    notice: Option<String>,
}

pub(super) async fn users_page(
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
pub(super) struct NewUserForm {
    username: String,
    display_name: String,
    region: String,
    #[serde(default)]
    department: String,
}

pub(super) async fn new_user_page(user: CurrentUser) -> AppResult<Html<String>> {
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

pub(super) async fn create_user(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
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
        Ok(n) => service::create_user(&st.db, &actor, Some(&scopes), n).await,
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

pub(super) async fn user_page(
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
pub(super) struct ActionForm {
    action: String,
    version: Option<i64>,
}

/// One account action by the signed-in administrator, as `perm` lets them reach the user: the user as
/// they are afterwards, their unit's name, the new password of a reset (shown once, on the answer
/// itself rather than carried through a redirect) and the notice.
async fn account_action(
    st: &AppState,
    user: &CurrentUser,
    actor: &Actor,
    id: &str,
    f: &ActionForm,
    perm: Permission,
) -> AppResult<(User, String, Option<String>, &'static str)> {
    let (u, region) = service::user_in_scope(&st.db, user, perm, id).await?;
    let (action, done) = parse_action(&f.action)?;
    let by = Administrator::User(user);
    let new_password = service::admin_action(&st.db, actor, by, u.id, f.version, action).await?;
    // A reset is shown on the answer itself, with the user as they are now; other actions redirect.
    let u = match new_password {
        Some(_) => service::user_in_scope(&st.db, user, perm, id).await?.0,
        None => u,
    };
    Ok((u, region.name, new_password, done))
}

pub(super) async fn user_action(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> AppResult<Response> {
    let (u, region, new_password, done) = account_action(&st, &user, &actor, &id, &f, Permission::ManageUsers).await?;
    if new_password.is_some() {
        return Ok(render_user(&st, &user, u, region, new_password, Some(done.into())).await?.into_response());
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
pub(super) async fn grants_account_action(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> AppResult<Response> {
    let (u, region, new_password, done) = account_action(&st, &user, &actor, &id, &f, Permission::ManageGrants).await?;
    if new_password.is_some() {
        return Ok(render_grants(&st, &user, u, region, None, Some(done.into()), new_password).await?.into_response());
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

pub(super) async fn grants_page(
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

pub(super) async fn user_grants_page(
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
pub(super) struct GrantForm {
    role: String,
    scope: String,
}

pub(super) async fn add_grant(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    Form(f): Form<GrantForm>,
) -> AppResult<Response> {
    let (u, region) = service::user_in_scope(&st.db, &user, Permission::ManageGrants, &id).await?;
    let scopes = service::scope_paths(&user, Permission::ManageGrants);
    let result = match Role::parse(&f.role) {
        Ok(role) => service::add_grant(&st.db, &actor, Some(&scopes), u.id, role, f.scope.trim()).await.map(|_| ()),
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
pub(super) struct RemoveForm {
    grant_id: String,
}

pub(super) async fn remove_grant(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
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
    service::remove_grant(&st.db, &actor, Some(&scopes), gid).await?;
    Ok(Redirect::to(&format!("/admin/grants/{}?notice={}", u.id, urlencode("已收回"))).into_response())
}

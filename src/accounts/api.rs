//! JSON API for accounts: who am I, and user administration for the 系统管理员.

use super::authz::CurrentUser;
use super::model::Permission;
use super::service;
use super::store::User;
use crate::audit::model::Actor;
use crate::error::AppResult;
use crate::web::AppState;
use crate::web::extract::{ApiJson, LazyJson};
use crate::web::idempotency::CarriesSecret;
use crate::web::routes::{ApiDoc, Routes, Rule};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes(r: Routes) -> Routes {
    use Permission::*;
    r.api(
        Method::GET,
        "/api/v1/me",
        Rule::SignedIn,
        "当前用户及其角色、范围",
        ApiDoc { response: Some("Me"), ..Default::default() },
        me,
    )
    .api(
        Method::GET,
        "/api/v1/users",
        Rule::Perm(ManageUsers),
        "本辖区用户列表",
        ApiDoc { response: Some("User[]"), query: &[("q", "按用户名或姓名筛选")], ..Default::default() },
        list,
    )
    .api(
        Method::POST,
        "/api/v1/users",
        Rule::Perm(ManageUsers),
        "新建用户（返回一次性初始密码）",
        ApiDoc { request: Some("UserCreate"), response: Some("UserCreated"), ..Default::default() },
        create,
    )
    .api(
        Method::GET,
        "/api/v1/users/{user_id}",
        Rule::Perm(ManageUsers),
        "用户详情",
        ApiDoc { response: Some("User"), ..Default::default() },
        get,
    )
    .api(
        Method::GET,
        "/api/v1/users/{user_id}/grants",
        Rule::Perm(ManageGrants),
        "用户的角色授权",
        ApiDoc { response: Some("Grant[]"), ..Default::default() },
        grants,
    )
    .api(
        Method::POST,
        "/api/v1/users/{user_id}/grants",
        Rule::Perm(ManageGrants),
        "授予角色",
        ApiDoc { request: Some("GrantCreate"), response: Some("Grant"), ..Default::default() },
        add_grant,
    )
}

async fn me(user: CurrentUser) -> Json<Value> {
    Json(json!({
        "id": user.id, "username": user.username, "display_name": user.display_name, "region": user.region,
        "grants": user.grants.iter().map(|g| json!({"role": g.role, "role_label": g.role.label(),
            "scope": g.scope, "scope_name": g.scope_name})).collect::<Vec<_>>(),
    }))
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
}

async fn list(State(st): State<AppState>, user: CurrentUser, Query(q): Query<ListQuery>) -> AppResult<Json<Vec<User>>> {
    Ok(Json(service::users_visible(&st.db, &user, Permission::ManageUsers, q.q.as_deref().unwrap_or("")).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    username: String,
    display_name: String,
    region: String,
    #[serde(default)]
    department: String,
    password: Option<String>,
}

async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    ApiJson(b): ApiJson<CreateBody>,
) -> AppResult<Response> {
    let n = service::parse_new_user(
        &b.username,
        &b.display_name,
        &b.region,
        &b.department,
        b.password.as_deref(),
        &st.config.password_policy,
    )?;
    let scopes = service::scope_paths(&user, Permission::ManageUsers);
    let (u, password) = service::create_user(&st.db, &actor, Some(&scopes), n).await?;
    let mut resp = (StatusCode::CREATED, Json(json!({"user": u, "password": password}))).into_response();
    // The initial password is shown once: an Idempotency-Key must not keep a copy of it.
    resp.extensions_mut().insert(CarriesSecret);
    Ok(resp)
}

async fn get(State(st): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> AppResult<Json<User>> {
    Ok(Json(service::user_in_scope(&st.db, &user, Permission::ManageUsers, &id).await?.0))
}

async fn grants(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<super::store::GrantRow>>> {
    let (u, _) = service::user_in_scope(&st.db, &user, Permission::ManageGrants, &id).await?;
    let mut conn = st.db.conn().await?;
    Ok(Json(super::store::grants_of(&mut conn.ex(), u.id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantBody {
    role: super::model::Role,
    scope: String,
}

async fn add_grant(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    body: LazyJson<GrantBody>,
) -> AppResult<(StatusCode, Json<super::store::GrantRow>)> {
    let (u, _) = service::user_in_scope(&st.db, &user, Permission::ManageGrants, &id).await?;
    let b = body.parse()?;
    let scopes = service::scope_paths(&user, Permission::ManageGrants);
    let gid = service::add_grant(&st.db, &actor, Some(&scopes), u.id, b.role, b.scope.trim()).await?;
    let mut conn = st.db.conn().await?;
    let g = super::store::grant_by_id(&mut conn.ex(), gid).await?.ok_or(crate::error::AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(g)))
}

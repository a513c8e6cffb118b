//! JSON API for the region tree.

use super::model::Region;
use super::store;
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::routes::{ApiDoc, Routes, Rule};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    let p = Rule::Perm(Permission::ViewReference);
    r.api(
        Method::GET,
        "/api/v1/regions",
        p,
        "下级区划（不带 parent 时为本人管辖范围的根节点）",
        ApiDoc {
            response: Some("Region[]"),
            query: &[("parent", "上级区划代码"), ("q", "按名称搜索")],
            ..Default::default()
        },
        list,
    )
    .api(
        Method::GET,
        "/api/v1/regions/{code}",
        p,
        "区划详情",
        ApiDoc { response: Some("Region"), ..Default::default() },
        get,
    )
}

#[derive(Deserialize)]
struct ListQuery {
    parent: Option<String>,
    q: Option<String>,
}

async fn list(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Vec<Region>>> {
    let mut conn = st.db.conn().await?;
    if let Some(parent) = q.parent.as_deref().filter(|p| !p.is_empty()) {
        let node = store::get(&mut conn.ex(), parent).await?.ok_or(AppError::NotFound)?;
        authz::check(&user, Permission::ViewReference, Some(&node.path))?;
        return Ok(Json(store::children(&mut conn.ex(), &node.code).await?));
    }
    let mut out = Vec::new();
    for (path, _) in user.scopes(Permission::ViewReference) {
        let code = path.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_string();
        match q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => out.extend(store::search(&mut conn.ex(), &path, text, 200).await?),
            None => out.extend(store::get(&mut conn.ex(), &code).await?),
        }
    }
    Ok(Json(out))
}

async fn get(State(st): State<AppState>, user: CurrentUser, Path(code): Path<String>) -> AppResult<Json<Region>> {
    let mut conn = st.db.conn().await?;
    let node = store::get(&mut conn.ex(), &code).await?.ok_or(AppError::NotFound)?;
    authz::check(&user, Permission::ViewReference, Some(&node.path))?;
    Ok(Json(node))
}

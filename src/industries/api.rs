//! JSON API for the industry classification (reference data, the same everywhere).

use super::model::Industry;
use super::store;
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
        "/api/v1/industries",
        p,
        "国民经济行业分类（不带 parent 时为门类）",
        ApiDoc { response: Some("Industry[]"), query: &[("parent", "上级行业代码")], ..Default::default() },
        list,
    )
    .api(
        Method::GET,
        "/api/v1/industries/{industry}",
        p,
        "行业详情",
        ApiDoc { response: Some("Industry"), ..Default::default() },
        get,
    )
}

#[derive(Deserialize)]
struct ListQuery {
    parent: Option<String>,
}

async fn list(State(st): State<AppState>, Query(q): Query<ListQuery>) -> AppResult<Json<Vec<Industry>>> {
    let mut conn = st.db.conn().await?;
    Ok(Json(store::children(&mut conn.ex(), q.parent.as_deref().filter(|p| !p.is_empty())).await?))
}

async fn get(State(st): State<AppState>, Path(code): Path<String>) -> AppResult<Json<Industry>> {
    let mut conn = st.db.conn().await?;
    Ok(Json(store::get(&mut conn.ex(), &code).await?.ok_or(AppError::NotFound)?))
}

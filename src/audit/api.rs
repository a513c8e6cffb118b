//! JSON API for the audit log (read only).

use super::model::AuditRecord;
use super::store::{self, Filter};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::error::AppResult;
use crate::web::AppState;
use crate::web::routes::{ApiDoc, Routes, Rule};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use serde_json::{Value, json};

pub fn routes(r: Routes) -> Routes {
    let p = Rule::Perm(Permission::ReadAudit);
    r.api(
        Method::GET,
        "/api/v1/audit",
        p,
        "审计记录（新到旧，每页 50 条）",
        ApiDoc {
            response: Some("AuditPage"),
            query: &[
                ("actor", "操作人"),
                ("action", "操作（前缀）"),
                ("entity", "对象类型"),
                ("entity_id", "对象编号"),
                ("from", "起始日期 YYYY-MM-DD"),
                ("to", "截止日期 YYYY-MM-DD"),
                ("page", "页码"),
            ],
            ..Default::default()
        },
        list,
    )
    .api(
        Method::GET,
        "/api/v1/audit/{seq}",
        p,
        "审计记录详情",
        ApiDoc { response: Some("AuditRecord"), ..Default::default() },
        get,
    )
}

async fn list(State(st): State<AppState>, user: CurrentUser, Query(f): Query<Filter>) -> AppResult<Json<Value>> {
    let mut conn = st.db.conn().await?;
    let (rows, total) = store::list(&mut conn.ex(), &user.scopes(Permission::ReadAudit), &f).await?;
    Ok(Json(json!({"total": total, "page": f.page.unwrap_or(1).max(1), "items": rows})))
}

async fn get(State(st): State<AppState>, user: CurrentUser, Path(seq): Path<String>) -> AppResult<Json<AuditRecord>> {
    Ok(Json(super::service::visible(&st.db, &user, &seq).await?))
}

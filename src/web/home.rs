//! The home page for the user's scope, the health check, and static files.

use super::AppState;
use super::layout::Layout;
use super::routes::{Routes, Rule};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::error::AppResult;
use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::Html;

pub fn routes(r: Routes) -> Routes {
    r.page(Method::GET, "/", Rule::SignedIn, "首页", home)
        .page(Method::GET, "/healthz", Rule::Public, "健康检查", healthz)
        .page(Method::GET, "/static/{*path}", Rule::Public, "静态资源", super::assets::serve)
}

pub struct QuickLink {
    pub href: &'static str,
    pub label: &'static str,
    pub note: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    username: String,
    region_name: String,
    grants: Vec<(String, String, String)>,
    links: Vec<QuickLink>,
}

#[derive(serde::Deserialize)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

async fn home(State(st): State<AppState>, user: CurrentUser, Query(q): Query<NoticeQuery>) -> AppResult<Html<String>> {
    let mut conn = st.db.conn().await?;
    let region_name = crate::regions::store::get(&mut conn.ex(), &user.region)
        .await?
        .map(|r| r.name)
        .unwrap_or_else(|| user.region.clone());
    let mut links = Vec::new();
    if user.can(Permission::ViewReference) {
        links.push(QuickLink {
            href: "/regions", label: "区划与园区", note: "浏览本辖区的市州、区县与园区"
        });
    }
    if user.can(Permission::ServeEnterprises) {
        links.push(QuickLink {
            href: "/service/visits/new",
            label: "登记走访",
            note: "在企业现场用手机登记走访、提出诉求",
        });
    }
    if user.can(Permission::HandleAppeals) {
        links.push(QuickLink {
            href: "/service/inbox",
            label: "部门待办诉求",
            note: "交办给本部门的诉求，逾期和即将到期的在前",
        });
    }
    if user.can(Permission::ViewBusiness) || user.can(Permission::HandleAppeals) {
        links.push(QuickLink {
            href: "/service/digest",
            label: "每日摘要",
            note: "逾期、即将到期和新受理的诉求，以及我的通知",
        });
    }
    if user.can(Permission::ManageUsers) {
        links.push(QuickLink {
            href: "/admin/users/new", label: "新建用户", note: "为本辖区单位开设账号"
        });
    }
    if user.can(Permission::ManageGrants) {
        links.push(QuickLink {
            href: "/admin/grants", label: "角色授权", note: "授予或收回角色与管辖范围"
        });
    }
    if user.can(Permission::ReadAudit) {
        links.push(QuickLink { href: "/audit", label: "审计日志", note: "查阅所有操作记录" });
    }
    links.push(QuickLink { href: "/account/password", label: "修改密码", note: "定期更换密码" });
    let page = HomePage {
        l: Layout::new("首页", Some(&user), "home").with_notice(q.notice),
        username: user.username.clone(),
        region_name,
        grants: user
            .grants
            .iter()
            .map(|g| (g.role.label().to_string(), g.scope_name.clone(), g.scope.clone()))
            .collect(),
        links,
    };
    super::layout::html(&page)
}

async fn healthz(State(st): State<AppState>) -> AppResult<Json<serde_json::Value>> {
    let mut conn = st.db.conn().await?;
    let regions = crate::regions::store::count(&mut conn.ex()).await?;
    Ok(Json(serde_json::json!({"status": "ok", "regions": regions})))
}

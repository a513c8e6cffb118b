//! What every page's frame needs: title, the signed-in user, navigation, the CSRF token.

use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub key: &'static str,
}

pub struct Layout {
    pub title: String,
    pub user_name: Option<String>,
    pub roles: String,
    pub active: &'static str,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub notice: Option<String>,
}

impl Layout {
    pub fn new(title: &str, user: Option<&CurrentUser>, active: &'static str) -> Layout {
        Layout {
            title: title.to_string(),
            user_name: user.map(|u| u.display_name.clone()),
            roles: user.map(|u| u.roles_label()).unwrap_or_default(),
            active,
            nav: user.map(nav_for).unwrap_or_default(),
            csrf: user.and_then(|u| u.csrf.clone()).unwrap_or_default(),
            notice: None,
        }
    }

    pub fn with_notice(mut self, notice: Option<String>) -> Layout {
        self.notice = notice.filter(|n| !n.is_empty()).map(|n| n.chars().take(200).collect());
        self
    }
}

/// The modules a user can reach, in a fixed order.
pub fn nav_for(u: &CurrentUser) -> Vec<NavItem> {
    let mut v = vec![NavItem { href: "/", label: "首页", key: "home" }];
    if u.can(Permission::ViewBusiness) {
        v.push(NavItem { href: "/cockpit", label: "驾驶舱", key: "cockpit" });
        v.push(NavItem { href: "/evaluation", label: "考核评价", key: "evaluation" });
        v.push(NavItem { href: "/projects", label: "项目库", key: "projects" });
        v.push(NavItem { href: "/enterprises", label: "企业库", key: "enterprises" });
        v.push(NavItem { href: "/reports", label: "月报", key: "reports" });
        v.push(NavItem { href: "/batches", label: "集中开工/签约", key: "batches" });
        v.push(NavItem { href: "/service", label: "企业服务", key: "service" });
    }
    if u.can(Permission::HandleAppeals) {
        v.push(NavItem { href: "/service/inbox", label: "诉求办理", key: "inbox" });
    }
    if u.can(Permission::Import) {
        v.push(NavItem { href: "/imports", label: "数据导入", key: "imports" });
    }
    if u.can(Permission::ViewReference) {
        v.push(NavItem { href: "/regions", label: "区划与园区", key: "regions" });
    }
    if u.can(Permission::ManageUsers) {
        v.push(NavItem { href: "/admin/users", label: "用户管理", key: "users" });
        v.push(NavItem { href: "/admin/system", label: "运行状态", key: "system" });
    }
    if u.can(Permission::ConfigureService) {
        v.push(NavItem { href: "/service/settings", label: "服务设置", key: "service-settings" });
    }
    if u.can(Permission::ManageGrants) {
        v.push(NavItem { href: "/admin/grants", label: "角色授权", key: "grants" });
    }
    if u.can(Permission::ReadAudit) {
        v.push(NavItem { href: "/audit", label: "审计日志", key: "audit" });
    }
    v
}

/// Renders a typed template into a response body.
pub fn html<T: askama::Template>(t: &T) -> crate::error::AppResult<axum::response::Html<String>> {
    Ok(axum::response::Html(t.render().map_err(anyhow::Error::from)?))
}

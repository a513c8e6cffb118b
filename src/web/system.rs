//! What an operator watches: the kept results (bounds, sizes, hit rates) on a page for the 系统管理员
//! and as Prometheus text at `/metrics` (a monitoring system reads it with a 系统管理员's API token).
//! No business data: names of caches and counts only.

use super::AppState;
use super::layout::{Layout, html};
use super::routes::{Routes, Rule};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::cache::{self, Stats};
use crate::error::AppResult;
use askama::Template;
use axum::http::{Method, header};
use axum::response::{Html, IntoResponse};

pub fn routes(r: Routes) -> Routes {
    let p = Rule::Perm(Permission::ManageUsers);
    r.page(Method::GET, "/admin/system", p, "运行状态（缓存命中率）", page).page(
        Method::GET,
        "/metrics",
        p,
        "运行指标（Prometheus 文本格式）",
        metrics,
    )
}

struct Row {
    s: Stats,
    label: &'static str,
    reads: String,
}

impl Row {
    fn hit_rate(&self) -> String {
        let asked = self.s.hits + self.s.misses;
        if asked == 0 { "—".into() } else { format!("{:.1}%", self.s.hits as f64 * 100.0 / asked as f64) }
    }
}

#[derive(Template)]
#[template(path = "system.html")]
struct SystemPage {
    l: Layout,
    rows: Vec<Row>,
    enabled: bool,
}

fn label(name: &str) -> (&'static str, &'static [cache::Area]) {
    match name {
        "figures" => ("指标、驾驶舱、红旗/蜗牛、服务数据", cache::FIGURES),
        "project_lists" => ("项目列表（排序、计数、各页）", cache::PROJECT_LIST),
        _ => ("登录身份与授权", cache::SIGN_IN),
    }
}

async fn page(_st: axum::extract::State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let rows = cache::all()
        .iter()
        .map(|c| {
            let s = c.stats();
            let (label, reads) = label(s.name);
            let reads = reads.iter().map(|a| a.code()).collect::<Vec<_>>().join("、");
            Row { s, label, reads }
        })
        .collect();
    html(&SystemPage { l: Layout::new("运行状态", Some(&user), "system"), rows, enabled: cache::enabled() })
}

async fn metrics() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], cache::metrics())
}

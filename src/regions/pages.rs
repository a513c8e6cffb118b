//! The region and park browser.

use super::model::Region;
use super::store;
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::Html;
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    r.page(Method::GET, "/regions", Rule::Perm(Permission::ViewReference), "区划与园区", index).page(
        Method::GET,
        "/regions/{code}",
        Rule::Perm(Permission::ViewReference),
        "区划详情",
        show,
    )
}

#[derive(Template)]
#[template(path = "regions/show.html")]
struct RegionPage {
    l: Layout,
    node: Option<Region>,
    crumbs: Vec<Region>,
    children: Vec<Region>,
    q: String,
    sources: Vec<crate::reference::Source>,
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

/// The user's scope roots, or search results within them.
async fn index(State(st): State<AppState>, user: CurrentUser, Query(q): Query<SearchQuery>) -> AppResult<Html<String>> {
    let mut conn = st.db.conn().await?;
    let text = q.q.unwrap_or_default().trim().to_string();
    let mut children = Vec::new();
    for g in user.grants.iter().filter(|g| g.role.has(Permission::ViewReference)) {
        if text.is_empty() {
            if let Some(r) = store::get(&mut conn.ex(), &g.scope).await? {
                children.push(r);
            }
        } else {
            children.extend(store::search(&mut conn.ex(), &g.scope_path, &text, 200).await?);
        }
    }
    children.dedup_by(|a, b| a.code == b.code);
    let sources = crate::reference::sources(&mut conn.ex()).await?;
    html(&RegionPage {
        l: Layout::new("区划与园区", Some(&user), "regions"),
        node: None,
        crumbs: vec![],
        children,
        q: text,
        sources,
    })
}

async fn show(State(st): State<AppState>, user: CurrentUser, Path(code): Path<String>) -> AppResult<Html<String>> {
    let mut conn = st.db.conn().await?;
    let node = store::get(&mut conn.ex(), &code).await?.ok_or(AppError::NotFound)?;
    authz::check(&user, Permission::ViewReference, Some(&node.path))?;
    let scopes = user.scopes(Permission::ViewReference);
    // Breadcrumbs stop at the user's scope: the levels above are not theirs to browse.
    let crumbs = store::ancestry(&mut conn.ex(), &node)
        .await?
        .into_iter()
        .filter(|a| scopes.iter().any(|(p, _)| a.path.starts_with(p.as_str())))
        .collect();
    let children = store::children(&mut conn.ex(), &node.code).await?;
    let sources = crate::reference::sources(&mut conn.ex()).await?;
    html(&RegionPage {
        l: Layout::new(&node.name, Some(&user), "regions"),
        node: Some(node),
        crumbs,
        children,
        q: String::new(),
        sources,
    })
}

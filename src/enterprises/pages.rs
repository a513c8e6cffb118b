//! Enterprise pages: list with filters, detail, create and edit (Post/Redirect/Get).

use super::EDIT;
use super::model::{Ownership, Size, Tag, Tags};
use super::service::{self, Input};
use super::store::{Filter, PAGE_SIZE, Row};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::model::Actor;
use crate::error::{AppError, AppResult, FieldError};
use crate::regions::model::Region;
use crate::web::AppState;
use crate::web::auth::urlencode;
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    use Permission::*;
    r.page(Method::GET, "/enterprises", Rule::Perm(ViewBusiness), "企业库", list)
        .page(Method::GET, "/enterprises/new", Rule::Perm(EditEnterprises), "新增企业页", new_page)
        .page(Method::POST, "/enterprises", Rule::Perm(EditEnterprises), "新增企业", create)
        .page(Method::GET, "/enterprises/{enterprise_id}", Rule::Perm(ViewBusiness), "企业详情", show)
        .page(Method::GET, "/enterprises/{enterprise_id}/edit", EDIT, "编辑企业页", edit_page)
        .page(Method::POST, "/enterprises/{enterprise_id}", EDIT, "保存企业", update)
}

/// Choices for the filters and forms.
pub struct Choices {
    pub regions: Vec<Region>,
    pub sizes: Vec<&'static str>,
    pub ownerships: Vec<&'static str>,
    pub tags: Vec<&'static str>,
    pub origins: Vec<&'static str>,
}

async fn choices(st: &AppState, user: &CurrentUser, perm: Permission) -> AppResult<Choices> {
    let mut regions = Vec::new();
    for (path, _) in user.scopes(perm) {
        regions.extend(crate::regions::service::picker(&st.db, &path).await?.iter().cloned());
    }
    Ok(Choices {
        regions,
        sizes: Size::ALL.iter().map(|s| s.label()).collect(),
        ownerships: Ownership::ALL.iter().map(|s| s.label()).collect(),
        tags: Tag::ALL.iter().map(|s| s.label()).collect(),
        origins: super::model::Origin::ALL.iter().map(|s| s.label()).collect(),
    })
}

#[derive(Template)]
#[template(path = "enterprises/list.html")]
struct ListPage {
    l: Layout,
    f: Filter,
    c: Choices,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    query: String,
    can_edit: bool,
}

fn query_without_page(f: &Filter) -> String {
    let mut f = f.clone();
    f.page = None;
    serde_urlencoded::to_string(&f).unwrap_or_default()
}

async fn list(State(st): State<AppState>, user: CurrentUser, Query(f): Query<Filter>) -> AppResult<Html<String>> {
    let (rows, total) = service::search(&st.db, &user, &f).await?;
    let page = f.page.unwrap_or(1).max(1);
    html(&ListPage {
        l: Layout::new("企业库", Some(&user), "enterprises"),
        c: choices(&st, &user, Permission::ViewBusiness).await?,
        query: query_without_page(&f),
        can_edit: user.can(Permission::EditEnterprises),
        f,
        rows,
        total,
        page,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
    })
}

#[derive(Template)]
#[template(path = "enterprises/form.html")]
struct FormPage {
    l: Layout,
    i: Input,
    c: Choices,
    errors: Vec<FieldError>,
    /// None: a new enterprise; Some((id, version)): an edit.
    editing: Option<(String, i64)>,
}

impl FormPage {
    fn has_tag(&self, tag: &str) -> bool {
        self.i.tags.split(['、', ',', '，', ' ']).any(|t| t.trim() == tag)
    }
}

async fn new_page(State(st): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    let i = Input { region: user.grants.first().map(|g| g.scope.clone()).unwrap_or_default(), ..Default::default() };
    html(&FormPage {
        l: Layout::new("新增企业", Some(&user), "enterprises"),
        c: choices(&st, &user, Permission::EditEnterprises).await?,
        i,
        errors: vec![],
        editing: None,
    })
}

/// Form fields; tags arrive as repeated `tag` checkboxes.
struct EnterpriseForm {
    input: Input,
    version: Option<i64>,
}

fn form_input(body: &[u8]) -> Result<EnterpriseForm, AppError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| AppError::invalid("表单无法解析"))?;
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let tags: Vec<&str> = pairs.iter().filter(|(k, _)| k == "tag").map(|(_, v)| v.as_str()).collect();
    let input = Input {
        credit_code: get("credit_code"),
        name: get("name"),
        region: get("region"),
        industry: get("industry"),
        size: get("size"),
        ownership: get("ownership"),
        tags: if tags.is_empty() { get("tags") } else { tags.join("、") },
        origin: get("origin"),
        origin_place: get("origin_place"),
    };
    Ok(EnterpriseForm { input, version: get("version").trim().parse().ok() })
}

async fn form_error(
    st: &AppState,
    user: &CurrentUser,
    i: Input,
    editing: Option<(String, i64)>,
    e: AppError,
) -> AppResult<Response> {
    let errors = match e {
        AppError::Invalid { fields, message } if fields.is_empty() => {
            vec![FieldError { field: String::new(), message }]
        }
        AppError::Invalid { fields, .. } => fields,
        AppError::Conflict(message) => vec![FieldError { field: String::new(), message }],
        other => return Err(other),
    };
    let title = if editing.is_some() { "编辑企业" } else { "新增企业" };
    let mut c = choices(st, user, Permission::EditEnterprises).await?;
    let own = editing.as_ref().map(|_| i.region.as_str());
    c.regions = crate::regions::service::with_own(&st.db, c.regions, own).await?;
    let page = FormPage { l: Layout::new(title, Some(user), "enterprises"), c, i, errors, editing };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&page)?).into_response())
}

async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let f = form_input(&body)?;
    match service::create(&st.db, &user, &actor, &f.input, false).await {
        Ok(e) => Ok(Redirect::to(&format!("/enterprises/{}?notice={}", e.id, urlencode("企业已登记"))).into_response()),
        Err(e) => form_error(&st, &user, f.input, None, e).await,
    }
}

#[derive(Template)]
#[template(path = "enterprises/show.html")]
struct ShowPage {
    l: Layout,
    r: Row,
    can_edit: bool,
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn show(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let r = service::visible(&st.db, &user, Permission::ViewBusiness, &id).await?;
    let can_edit = crate::accounts::authz::check(&user, Permission::EditEnterprises, Some(&r.region_path)).is_ok() || {
        let mut conn = st.db.conn().await?;
        let kind = crate::enterprise_service::specialists::model::Kind::Enterprise;
        crate::enterprise_service::specialists::service::edits_as_specialist(
            &mut conn.ex(),
            &user,
            kind,
            r.e.id,
            &r.region_path,
        )
        .await?
    };
    html(&ShowPage { l: Layout::new(&r.e.name, Some(&user), "enterprises").with_notice(q.notice), r, can_edit })
}

fn input_of(r: &Row) -> Input {
    Input {
        credit_code: r.e.credit_code.clone(),
        name: r.e.name.clone(),
        region: r.e.region.clone(),
        industry: r.e.industry.clone().unwrap_or_default(),
        size: r.e.size.clone().unwrap_or_default(),
        ownership: r.e.ownership.clone().unwrap_or_default(),
        tags: Tags(r.e.tags).labels(),
        origin: r.e.origin.clone().unwrap_or_default(),
        origin_place: r.e.origin_place.clone().unwrap_or_default(),
    }
}

async fn edit_page(State(st): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> AppResult<Html<String>> {
    let r = service::visible(&st.db, &user, Permission::EditEnterprises, &id).await?;
    let mut c = choices(&st, &user, Permission::EditEnterprises).await?;
    c.regions = crate::regions::service::with_own(&st.db, c.regions, Some(&r.e.region)).await?;
    html(&FormPage {
        l: Layout::new("编辑企业", Some(&user), "enterprises"),
        c,
        i: input_of(&r),
        errors: vec![],
        editing: Some((r.e.id.to_string(), r.e.version)),
    })
}

async fn update(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    // Scope first: an out-of-scope id is 404 whatever the form holds.
    service::visible(&st.db, &user, Permission::EditEnterprises, &id).await?;
    let f = form_input(&body)?;
    let version = f.version.ok_or_else(|| AppError::invalid("表单缺少版本号，请刷新后重试"))?;
    match service::update(&st.db, &user, &actor, &id, version, &f.input).await {
        Ok(e) => Ok(Redirect::to(&format!("/enterprises/{}?notice={}", e.id, urlencode("已保存"))).into_response()),
        Err(e) => {
            let status = if matches!(e, AppError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut resp = form_error(&st, &user, f.input, Some((id, version)), e).await?;
            *resp.status_mut() = status;
            Ok(resp)
        }
    }
}

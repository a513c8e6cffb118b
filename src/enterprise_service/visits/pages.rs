//! Visit pages: the list, the due list by cadence, the phone-friendly form (pick the enterprise,
//! see who else was there lately, log the visit with photos), a visit with its appeals.

use super::model::{ExitRisk, Participant, Tier, VisitDue, visit_due};
use super::service;
use super::store::{self as store, DueRow, Filter, PAGE_SIZE, PhotoMeta, Row};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::Actor;
use crate::enterprise_service::appeals::store::Of;
use crate::enterprise_service::filters::region_path;
use crate::enterprise_service::pages::refusal;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::AppState;
use crate::web::auth::urlencode;
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use crate::web::upload::Upload;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{Method, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    use Permission::*;
    r.page(Method::GET, "/service/visits", Rule::Perm(ViewBusiness), "走访记录", list)
        .page(Method::GET, "/service/visits/due", Rule::Perm(ViewBusiness), "应走访企业（按走访周期）", due)
        .page(Method::GET, "/service/visits/new", Rule::Perm(ServeEnterprises), "登记走访页", super::form::new_page)
        .upload("/service/visits", Rule::Perm(ServeEnterprises), "登记走访（可附照片）", super::form::create)
        .page(Method::GET, "/service/visits/{visit_id}", Rule::Perm(ViewBusiness), "走访详情", show)
        .upload("/service/visits/{visit_id}/photos", Rule::Perm(ServeEnterprises), "上传走访照片", upload)
        .page(Method::GET, "/service/visits/{visit_id}/photos/{photo_id}", Rule::Perm(ViewBusiness), "走访照片", photo)
}

#[derive(Template)]
#[template(path = "enterprise_service/visits.html")]
struct ListPage {
    l: Layout,
    f: Filter,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    query: String,
    risks: Vec<&'static str>,
    can_serve: bool,
}

async fn list(State(st): State<AppState>, user: CurrentUser, Query(f): Query<Filter>) -> AppResult<Html<String>> {
    let (rows, total, page) = service::list(&st.db, &user, &f).await?;
    let mut q = f.clone();
    q.page = None;
    html(&ListPage {
        l: Layout::new("走访记录", Some(&user), "service"),
        query: serde_urlencoded::to_string(&q).unwrap_or_default(),
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        risks: ExitRisk::labels(),
        can_serve: user.can(Permission::ServeEnterprises),
        f,
        rows,
        total,
        page,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DueQuery {
    region: Option<String>,
    tier: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "enterprise_service/visits_due.html")]
struct DuePage {
    l: Layout,
    rows: Vec<(DueRow, VisitDue)>,
    total: i64,
    page: i64,
    pages: i64,
    tier: String,
    region: String,
    cadence: super::model::Cadence,
    tiers: Vec<(&'static str, &'static str)>,
    can_serve: bool,
}

async fn due(State(st): State<AppState>, user: CurrentUser, Query(q): Query<DueQuery>) -> AppResult<Html<String>> {
    let rp = region_path(&st.db, &user, Permission::ViewBusiness, &q.region).await?;
    let tier = match crate::enterprise_service::appeals::store::some(&q.tier) {
        None => None,
        Some(t) => Some(Tier::parse(t).ok_or_else(|| AppError::field("tier", format!("企业分级“{t}”无效")))?),
    };
    let paths = crate::accounts::service::scope_paths(&user, Permission::ViewBusiness);
    let today = crate::projects::service::today();
    let horizon = today + time::Duration::days(super::model::DUE_WINDOW_DAYS);
    let page = q.page.unwrap_or(1).max(1);
    let mut conn = st.db.conn().await?;
    let rules = crate::enterprise_service::settings::store::rules(&mut conn.ex()).await?;
    let (rows, total) = store::due(&mut conn.ex(), &paths, rp.as_deref(), &rules.cadence, horizon, tier, page).await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let d = visit_due(r.last_on, rules.cadence.days(r.tier()), today);
            (r, d)
        })
        .collect();
    html(&DuePage {
        l: Layout::new("应走访企业", Some(&user), "service"),
        rows,
        total,
        page,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        tier: q.tier.unwrap_or_default(),
        region: q.region.unwrap_or_default(),
        cadence: rules.cadence,
        tiers: Tier::ALL.iter().map(|t| (t.code(), t.label())).collect(),
        can_serve: user.can(Permission::ServeEnterprises),
    })
}

#[derive(Template)]
#[template(path = "enterprise_service/visit_show.html")]
struct ShowPage {
    l: Layout,
    r: Row,
    participants: Vec<Participant>,
    photos: Vec<PhotoMeta>,
    appeals: Vec<crate::enterprise_service::appeals::service::Line>,
    can_serve: bool,
    errors: Vec<FieldError>,
    upload_action: String,
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn show_page(
    st: &AppState,
    user: &CurrentUser,
    r: Row,
    notice: Option<String>,
    errors: Vec<FieldError>,
) -> AppResult<ShowPage> {
    let (participants, photos) = service::parts(&st.db, &r).await?;
    let appeals = crate::enterprise_service::appeals::service::lines_of(&st.db, Of::Visit(r.v.id)).await?;
    let can_serve = crate::accounts::authz::check(user, Permission::ServeEnterprises, Some(&r.region_path)).is_ok();
    Ok(ShowPage {
        l: Layout::new("走访详情", Some(user), "service").with_notice(notice),
        upload_action: format!(
            "/service/visits/{}/photos?_csrf={}",
            r.v.id,
            urlencode(&user.csrf.clone().unwrap_or_default())
        ),
        r,
        participants,
        photos,
        appeals,
        can_serve,
        errors,
    })
}

async fn show(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let r = service::visible(&st.db, &user, Permission::ViewBusiness, &id).await?;
    html(&show_page(&st, &user, r, q.notice, vec![]).await?)
}

async fn upload(
    State(st): State<AppState>,
    user: CurrentUser,
    actor: Actor,
    Path(id): Path<String>,
    form: Upload,
) -> AppResult<Response> {
    let r = service::visible(&st.db, &user, Permission::ServeEnterprises, &id).await?;
    let (_, photos) = super::form::read_form(form)?;
    let result = if photos.is_empty() {
        Err(AppError::field("photos", "请选择要上传的照片"))
    } else {
        let mut n = 0;
        let mut res = Ok(0);
        for (name, data) in &photos {
            if let Err(e) = service::add_photo(&st.db, &user, &actor, &id, name, data).await {
                res = Err(e);
                break;
            }
            n += 1;
            res = Ok(n);
        }
        res
    };
    match result {
        Ok(n) => Ok(Redirect::to(&format!("/service/visits/{id}?notice={}", urlencode(&format!("已上传照片 {n} 张"))))
            .into_response()),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            Ok((status, html(&show_page(&st, &user, r, None, errors).await?)?).into_response())
        }
    }
}

async fn photo(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, pid)): Path<(String, String)>,
) -> AppResult<Response> {
    let (meta, data) = service::photo(&st.db, &user, &id, &pid).await?;
    let disposition = format!("inline; filename*=UTF-8''{}", urlencode(&meta.filename));
    Ok(([(header::CONTENT_TYPE, meta.content_type), (header::CONTENT_DISPOSITION, disposition)], data).into_response())
}

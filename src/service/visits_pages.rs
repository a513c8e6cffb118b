//! Visit pages: the list, the due list by cadence, the phone-friendly form (pick the enterprise,
//! see who else was there lately, log the visit with photos), a visit with its appeals.

use super::pages::{date_opt, refusal, region_path};
use super::visits_model::{ExitRisk, Input, Mode, Participant, Tier, VisitDue, visit_due};
use super::visits_service::{self as service, Unit};
use super::visits_store::{self as store, DueRow, Filter, PAGE_SIZE, PhotoMeta, Row};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::accounts::pages::actor;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::AppState;
use crate::web::auth::{ClientIp, urlencode};
use crate::web::layout::{Layout, html};
use crate::web::routes::{Routes, Rule};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

pub fn routes(r: Routes) -> Routes {
    use Permission::*;
    r.page(Method::GET, "/service/visits", Rule::Perm(ViewBusiness), "走访记录", list)
        .page(Method::GET, "/service/visits/due", Rule::Perm(ViewBusiness), "应走访企业（按走访周期）", due)
        .page(Method::GET, "/service/visits/new", Rule::Perm(ServeEnterprises), "登记走访页", new_page)
        .upload("/service/visits", Rule::Perm(ServeEnterprises), "登记走访（可附照片）", create)
        .page(Method::GET, "/service/visits/{visit_id}", Rule::Perm(ViewBusiness), "走访详情", show)
        .upload("/service/visits/{visit_id}/photos", Rule::Perm(ServeEnterprises), "上传走访照片", upload)
        .page(Method::GET, "/service/visits/{visit_id}/photos/{photo_id}", Rule::Perm(ViewBusiness), "走访照片", photo)
}

#[derive(Template)]
#[template(path = "service/visits.html")]
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
    let rp = region_path(&st, &user, Permission::ViewBusiness, &f.region).await?;
    let from = date_opt("from", "走访日期起", &f.from)?;
    let to = date_opt("to", "走访日期止", &f.to)?;
    let enterprise = match super::appeals_store::some(&f.enterprise) {
        None => None,
        Some(e) => Some(Uuid::parse_str(e).map_err(|_| AppError::field("enterprise", "企业编号无效"))?),
    };
    let risk = super::appeals_store::some(&f.risk);
    if let Some(r) = risk {
        ExitRisk::parse(r).map_err(|e| AppError::field("risk", e))?;
    }
    let paths = crate::accounts::service::scope_paths(&user, Permission::ViewBusiness);
    let page = f.page.unwrap_or(1).max(1);
    let mut conn = st.db.conn().await?;
    let (rows, total) = store::page(
        &mut conn.ex(),
        &paths,
        rp.as_deref(),
        super::appeals_store::some(&f.q),
        from,
        to,
        risk,
        enterprise,
        page,
    )
    .await?;
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
#[template(path = "service/visits_due.html")]
struct DuePage {
    l: Layout,
    rows: Vec<(DueRow, VisitDue)>,
    total: i64,
    page: i64,
    pages: i64,
    tier: String,
    region: String,
    cadence: super::visits_model::Cadence,
    tiers: Vec<(&'static str, &'static str)>,
    can_serve: bool,
}

async fn due(State(st): State<AppState>, user: CurrentUser, Query(q): Query<DueQuery>) -> AppResult<Html<String>> {
    let rp = region_path(&st, &user, Permission::ViewBusiness, &q.region).await?;
    let tier = match super::appeals_store::some(&q.tier) {
        None => None,
        Some(t) => Some(Tier::parse(t).ok_or_else(|| AppError::field("tier", format!("企业分级“{t}”无效")))?),
    };
    let paths = crate::accounts::service::scope_paths(&user, Permission::ViewBusiness);
    let today = crate::projects::service::today();
    let horizon = today + time::Duration::days(super::visits_model::DUE_WINDOW_DAYS);
    let page = q.page.unwrap_or(1).max(1);
    let mut conn = st.db.conn().await?;
    let rules = super::settings::rules(&mut conn.ex()).await?;
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    enterprise: String,
    project: String,
    q: String,
}

#[derive(Template)]
#[template(path = "service/visit_new.html")]
struct NewPage {
    l: Layout,
    i: Input,
    /// The chosen enterprise (id, name), if any.
    enterprise: Option<(Uuid, String)>,
    /// Search results or the specialist's own enterprises, to pick from.
    picks: Vec<(Uuid, String, String)>,
    q: String,
    unit: String,
    /// Visits by other units within the window, and the window's days.
    others: Vec<Row>,
    overlap_days: i64,
    modes: Vec<&'static str>,
    risks: Vec<&'static str>,
    errors: Vec<FieldError>,
    csrf_action: String,
}

impl NewPage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

async fn picks(st: &AppState, user: &CurrentUser, q: &str) -> AppResult<Vec<(Uuid, String, String)>> {
    let mut conn = st.db.conn().await?;
    let paths = crate::accounts::service::scope_paths(user, Permission::ServeEnterprises);
    let mut b = super::query::Binds::default();
    let scope: Vec<String> = paths.iter().map(|p| format!("g.path LIKE {}", b.text(format!("{p}%")))).collect();
    let scope = if scope.is_empty() { "1 = 0".to_string() } else { format!("({})", scope.join(" OR ")) };
    let sql = if q.trim().is_empty() {
        let me = b.push(super::query::Bind::Uuid(user.id));
        format!(
            "SELECT e.id, e.name, g.name FROM enterprises e JOIN regions g ON g.code = e.region
             JOIN specialist_assignments a ON a.target_kind = 'enterprise' AND a.target_id = e.id AND a.ended_at IS NULL
             WHERE {scope} AND a.specialist_id = {me} ORDER BY e.name LIMIT 50"
        )
    } else {
        let like = b.text(super::query::contains(&q.to_lowercase()));
        let code = b.text(q.trim().to_uppercase());
        format!(
            "SELECT e.id, e.name, g.name FROM enterprises e JOIN regions g ON g.code = e.region
             WHERE {scope} AND (e.search_key LIKE {like} OR e.name LIKE {like} OR e.credit_code = {code})
             ORDER BY e.name LIMIT 30"
        )
    };
    let rows: Vec<(Uuid, String, String)> = super::query::fetch_all(&mut conn.ex(), &sql, &b).await?;
    Ok(rows)
}

async fn form_page(
    st: &AppState,
    user: &CurrentUser,
    i: Input,
    q: String,
    errors: Vec<FieldError>,
) -> AppResult<NewPage> {
    let mut conn = st.db.conn().await?;
    let unit: Unit = service::unit_of(&mut conn.ex(), user).await?;
    let mut enterprise = None;
    let mut others = Vec::new();
    let mut overlap_days = 0;
    if !i.enterprise.trim().is_empty() {
        if let Ok(e) = service::enterprise(&mut conn.ex(), user, &i.enterprise).await {
            let on = crate::projects::stage::parse_date("", &i.visited_on)
                .unwrap_or_else(|_| crate::projects::service::today());
            let (days, found) = service::overlaps(&mut conn.ex(), e.e.id, &unit, on).await?;
            overlap_days = days;
            others = found;
            enterprise = Some((e.e.id, e.e.name));
        }
    }
    drop(conn);
    let picks = if enterprise.is_none() { picks(st, user, &q).await? } else { vec![] };
    let csrf = user.csrf.clone().unwrap_or_default();
    Ok(NewPage {
        l: Layout::new("登记走访", Some(user), "service"),
        csrf_action: format!("/service/visits?_csrf={}", urlencode(&csrf)),
        unit: format!("{}", unit.name),
        i,
        enterprise,
        picks,
        q,
        others,
        overlap_days,
        modes: Mode::labels(),
        risks: ExitRisk::labels(),
        errors,
    })
}

async fn new_page(State(st): State<AppState>, user: CurrentUser, Query(q): Query<NewQuery>) -> AppResult<Html<String>> {
    let i = Input {
        enterprise: q.enterprise,
        project: q.project,
        visited_on: crate::projects::service::today().to_string(),
        ..Default::default()
    };
    html(&form_page(&st, &user, i, q.q, vec![]).await?)
}

/// Reads the visit form: its fields and any photos.
async fn read_form(mut mp: Multipart) -> AppResult<(Input, Vec<(String, Vec<u8>)>)> {
    let mut map = serde_json::Map::new();
    let mut photos = Vec::new();
    while let Some(field) =
        mp.next_field().await.map_err(|e| AppError::invalid(format!("上传内容无法读取：{}", e.body_text())))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "photos" || name == "file" {
            let filename = field.file_name().unwrap_or("").to_string();
            let data = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::invalid("照片无法读取")
                }
            })?;
            if !filename.is_empty() && !data.is_empty() {
                photos.push((filename, data.to_vec()));
            }
        } else if !name.is_empty() && name != "_csrf" {
            let text = field.text().await.unwrap_or_default();
            map.insert(name, serde_json::Value::String(text));
        }
    }
    map.retain(|k, _| Input::FIELDS.contains(&k.as_str()));
    let input: Input = serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| AppError::invalid(format!("表单无法解析：{e}")))?;
    Ok((input, photos))
}

impl Input {
    pub const FIELDS: &'static [&'static str] = &[
        "enterprise",
        "project",
        "visited_on",
        "mode",
        "participants",
        "topics",
        "expansion",
        "exit_risk",
        "exit_risk_note",
        "problems",
        "notes",
        "confirm_overlap",
    ];
}

async fn create(State(st): State<AppState>, user: CurrentUser, ip: ClientIp, mp: Multipart) -> AppResult<Response> {
    let (i, photos) = read_form(mp).await?;
    let a = actor(&user, &ip);
    // Photos are checked before anything is written, so a wrong file costs nothing typed.
    for (name, data) in &photos {
        let ct = crate::projects::evidence::check_file(&crate::projects::evidence::clean_name(name), data);
        let bad = match ct {
            Ok(ct) if ct.starts_with("image/") => None,
            Ok(_) => Some(format!("“{name}”不是照片：走访照片请上传 JPG 或 PNG")),
            Err(e) => Some(e),
        };
        if let Some(message) = bad {
            let page =
                form_page(&st, &user, i, String::new(), vec![FieldError { field: "photos".into(), message }]).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&page)?).into_response());
        }
    }
    match service::create(&st.db, &user, &a, &i).await {
        Ok(v) => {
            for (name, data) in &photos {
                service::add_photo(&st.db, &user, &a, &v.id.to_string(), name, data).await?;
            }
            let done = if photos.is_empty() {
                "走访已登记".to_string()
            } else {
                format!("走访已登记，照片 {} 张", photos.len())
            };
            Ok(Redirect::to(&format!("/service/visits/{}?notice={}", v.id, urlencode(&done))).into_response())
        }
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let page = form_page(&st, &user, i, String::new(), errors).await?;
            Ok((status, html(&page)?).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "service/visit_show.html")]
struct ShowPage {
    l: Layout,
    r: Row,
    participants: Vec<Participant>,
    photos: Vec<PhotoMeta>,
    appeals: Vec<super::appeals_pages::Line>,
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
    let mut conn = st.db.conn().await?;
    let participants = store::participants(&mut conn.ex(), r.v.id).await?;
    let photos = store::photos(&mut conn.ex(), r.v.id).await?;
    let sql = format!("{} WHERE a.visit_id = $1 ORDER BY a.received_at", super::appeals_store::select());
    let rows: Vec<super::appeals_store::Row> =
        crate::q_as!(&mut conn.ex(), fetch_all, super::appeals_store::Row, sqlx::AssertSqlSafe(sql.as_str()), r.v.id)?;
    let cal = super::settings::calendar(&mut conn.ex()).await?;
    let today = crate::projects::service::today();
    let appeals = rows
        .into_iter()
        .map(|a| super::appeals_pages::Line { u: super::appeals_pages::urgency(&a, today, &cal), r: a })
        .collect();
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
    ip: ClientIp,
    Path(id): Path<String>,
    mp: Multipart,
) -> AppResult<Response> {
    let r = service::visible(&st.db, &user, Permission::ServeEnterprises, &id).await?;
    let (_, photos) = read_form(mp).await?;
    let result = if photos.is_empty() {
        Err(AppError::field("photos", "请选择要上传的照片"))
    } else {
        let mut n = 0;
        let mut res = Ok(0);
        for (name, data) in &photos {
            if let Err(e) = service::add_photo(&st.db, &user, &actor(&user, &ip), &id, name, data).await {
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

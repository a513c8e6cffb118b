//! The phone-friendly visit form: pick the enterprise (one's own or by search), see who else was
//! there lately, log the visit with its photos in one go.

use super::model::{ExitRisk, Input, Mode};
use super::service::{self as service, Unit};
use super::store::Row;
use crate::accounts::authz::CurrentUser;
use crate::audit::Actor;
use crate::enterprise_service::pages::refusal;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::AppState;
use crate::web::auth::urlencode;
use crate::web::layout::{Layout, html};
use crate::web::upload::Upload;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    enterprise: String,
    project: String,
    q: String,
}

#[derive(Template)]
#[template(path = "enterprise_service/visit_new.html")]
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
    let picks = if enterprise.is_none() { service::picks(&st.db, user, &q).await? } else { vec![] };
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

pub async fn new_page(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> AppResult<Html<String>> {
    let i = Input {
        enterprise: q.enterprise,
        project: q.project,
        visited_on: crate::projects::service::today().to_string(),
        ..Default::default()
    };
    html(&form_page(&st, &user, i, q.q, vec![]).await?)
}

/// Photos one visit form may carry (each up to the evidence size limit, all within the upload limit).
const MAX_PHOTOS: usize = 9;

/// Reads the visit form: its fields and any photos (a chosen file may come as `photos` or `file`).
pub fn read_form(form: Upload) -> AppResult<(Input, Vec<(String, Vec<u8>)>)> {
    let photos: Vec<(String, Vec<u8>)> = form
        .files
        .into_iter()
        .filter(|f| (f.field == "photos" || f.field == "file") && !f.data.is_empty())
        .map(|f| (f.name, f.data))
        .collect();
    if photos.len() > MAX_PHOTOS {
        return Err(AppError::field("photos", format!("一次最多上传 {MAX_PHOTOS} 张照片")));
    }
    let mut map = serde_json::Map::new();
    for (name, text) in form.fields {
        map.insert(name, serde_json::Value::String(text));
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

pub async fn create(State(st): State<AppState>, user: CurrentUser, a: Actor, form: Upload) -> AppResult<Response> {
    let (i, photos) = read_form(form)?;
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

//! Appeal use cases: who may reach an appeal, the list filter checked, appeals with their urgency,
//! and raising one. Moves are in `act`.

use super::model::{Level, Source, State};
use super::store::{self as store, Appeal, Checked, Filter, Of, Reach, Row, some};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Ex};
use crate::enterprise_service::calendar::{Calendar, Urgency};
use crate::enterprise_service::calendar::{beijing_date, due_date};
use crate::enterprise_service::departments::{self, store::Department};
use crate::enterprise_service::filters::{date_opt, region_path};
use crate::enterprise_service::settings;
use crate::error::{AppError, AppResult, FieldError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// Which appeals a user reaches: those in their business scope, and their department's.
pub async fn reach(ex: &mut Ex<'_>, user: &CurrentUser) -> Result<(Reach, Option<Department>), sqlx::Error> {
    let dept = departments::service::handled_by(ex, user).await?;
    let paths = crate::accounts::service::scope_paths(user, Permission::ViewBusiness);
    Ok((Reach { paths, department: dept.as_ref().map(|d| d.id) }, dept))
}

/// What a user may do with one appeal.
#[derive(Debug, Clone, Copy, Default)]
pub struct Access {
    /// Sees it through their business scope.
    pub view: bool,
    /// Serves it: 服务专员 with the appeal in scope.
    pub service: bool,
    /// Handles it: 部门办理人 of the department that has it.
    pub department: bool,
}

pub fn access(user: &CurrentUser, row: &Row, dept: Option<&Department>) -> Access {
    Access {
        view: authz::check(user, Permission::ViewBusiness, Some(&row.region_path)).is_ok(),
        service: authz::check(user, Permission::ServeEnterprises, Some(&row.region_path)).is_ok(),
        department: dept.is_some_and(|d| Some(d.id) == row.a.department_id),
    }
}

/// An appeal the user may reach, with what they may do; 404 otherwise.
pub async fn visible(db: &Db, user: &CurrentUser, id: &str) -> AppResult<(Row, Access)> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let mut conn = db.conn().await?;
    let row = store::get(&mut conn.ex(), id).await?.ok_or(AppError::NotFound)?;
    let dept = departments::service::handled_by(&mut conn.ex(), user).await?;
    let a = access(user, &row, dept.as_ref());
    if !(a.view || a.service || a.department) {
        return Err(AppError::NotFound);
    }
    Ok((row, a))
}

/// A list filter checked for the appeals list (pages, API): region in scope, dates, ids.
pub async fn check_filter(db: &Db, user: &CurrentUser, f: &Filter) -> AppResult<Checked> {
    let perm = if user.can(Permission::ViewBusiness) { Permission::ViewBusiness } else { Permission::HandleAppeals };
    let region_path = region_path(db, user, perm, &f.region).await?;
    let from = date_opt("from", "受理日期起", &f.from)?;
    let to = date_opt("to", "受理日期止", &f.to)?;
    let uuid = |field: &str, s: &Option<String>| -> AppResult<Option<uuid::Uuid>> {
        match some(s) {
            None => Ok(None),
            Some(v) => {
                uuid::Uuid::parse_str(v).map(Some).map_err(|_| AppError::field(field, format!("“{v}”不是有效的编号")))
            }
        }
    };
    let mut states = Vec::new();
    if let Some(s) = some(&f.state) {
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            states.push(super::model::State::parse(part).map_err(|e| AppError::field("state", e))?);
        }
    }
    let level = match some(&f.level) {
        None => None,
        Some(l) => Some(super::model::Level::parse(l).map_err(|e| AppError::field("level", e))?),
    };
    if let Some(flag) = some(&f.flag) {
        if !["overdue", "due_soon", "open", "escalated", "supervised"].contains(&flag) {
            return Err(AppError::field(
                "flag",
                format!("筛选“{flag}”无效，可选：overdue、due_soon、open、escalated、supervised"),
            ));
        }
    }
    let mut conn = db.conn().await?;
    let cal = settings::store::calendar(&mut conn.ex()).await?;
    let today = crate::projects::service::today();
    let bj = crate::enterprise_service::calendar::beijing();
    Ok(Checked {
        region_path,
        department: uuid("department", &f.department)?,
        enterprise: uuid("enterprise", &f.enterprise)?,
        states,
        level,
        from: from.map(|d| d.midnight().assume_offset(bj).to_offset(time::UtcOffset::UTC)),
        to: to.and_then(|d| d.next_day()).map(|d| d.midnight().assume_offset(bj).to_offset(time::UtcOffset::UTC)),
        created_by: some(&f.mine).map(|_| user.id),
        today: Some(today),
        soon: Some(cal.add_working_days(today, 1)),
        newest_first: false,
    })
}

/// How many appeals the user reaches carry the list's flag (open, overdue, due_soon…), for the hub.
pub async fn count_flagged(db: &Db, user: &CurrentUser, flag: &str) -> AppResult<i64> {
    let f = Filter { flag: Some(flag.into()), ..Default::default() };
    let c = check_filter(db, user, &f).await?;
    let mut conn = db.conn().await?;
    let (r, _) = reach(&mut conn.ex(), user).await?;
    Ok(store::page(&mut conn.ex(), &r, &f, &c, 1).await?.1)
}

/// An open appeal's urgency today (None once resolved).
pub fn urgency(r: &Row, today: time::Date, cal: &Calendar) -> Option<Urgency> {
    r.state().is_open().then(|| Urgency::of(today, r.a.due_on, cal))
}

pub struct Line {
    pub r: Row,
    pub u: Option<Urgency>,
}

pub async fn lines(db: &Db, rows: Vec<Row>) -> AppResult<Vec<Line>> {
    let mut conn = db.conn().await?;
    let cal = settings::store::calendar(&mut conn.ex()).await?;
    let today = crate::projects::service::today();
    Ok(rows.into_iter().map(|r| Line { u: urgency(&r, today, &cal), r }).collect())
}

/// The appeals raised for an enterprise, a project or at a visit, with their urgency today.
pub async fn lines_of(db: &Db, of: Of) -> AppResult<Vec<Line>> {
    let rows = {
        let mut conn = db.conn().await?;
        store::of_record(&mut conn.ex(), of).await?
    };
    lines(db, rows).await
}

/// Raw input for a new appeal (form or API).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewInput {
    pub title: String,
    pub detail: String,
    /// Category code or name.
    pub category: String,
    /// Deadline tier (紧急/一般/复杂 or its code); empty: the category's default.
    pub tier: String,
    /// Enterprise id or 统一社会信用代码.
    pub enterprise: String,
    pub project: String,
    pub visit: String,
    pub contact: String,
    /// Dispatch at once to this department (id), optional.
    pub department: String,
}

fn text(field: &str, label: &str, s: &str, max: usize, required: bool, errors: &mut Vec<FieldError>) -> String {
    let s = s.trim();
    let n = s.chars().count();
    if required && n == 0 {
        errors.push(FieldError { field: field.into(), message: format!("请填写{label}") });
    } else if n > max {
        errors
            .push(FieldError {
                field: field.into(), message: format!("{label}不能超过 {max} 个字（现为 {n} 个字）")
            });
    }
    s.to_string()
}

fn uuid_field(field: &str, label: &str, s: &str, errors: &mut Vec<FieldError>) -> Option<Uuid> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match Uuid::parse_str(s) {
        Ok(u) => Some(u),
        Err(_) => {
            errors.push(FieldError { field: field.into(), message: format!("{label}“{s}”不是有效的编号") });
            None
        }
    }
}

/// Raises an appeal: checked fields, the category's tier and deadline on the calendar, the owning
/// region from the enterprise (or project), its number, an event and the audit record; dispatched at
/// once when a department is given.
pub async fn create(db: &Db, user: &CurrentUser, actor: &Actor, i: &NewInput) -> AppResult<Appeal> {
    let mut errors = Vec::new();
    let title = text("title", "诉求标题", &i.title, 60, true, &mut errors);
    let detail = text("detail", "诉求内容", &i.detail, 2000, true, &mut errors);
    let contact = text("contact", "企业联系人", &i.contact, 60, false, &mut errors);
    let visit_id = uuid_field("visit", "走访记录", &i.visit, &mut errors);
    let project_id = uuid_field("project", "项目", &i.project, &mut errors);
    let department = uuid_field("department", "承办部门", &i.department, &mut errors);
    if i.category.trim().is_empty() {
        errors.push(FieldError { field: "category".into(), message: "请选择诉求分类".into() });
    }
    let mut tx = db.begin().await?;
    let category = match i.category.trim() {
        "" => None,
        c => match settings::store::category(&mut tx.ex(), c).await? {
            Some(cat) if cat.active => Some(cat),
            Some(cat) => {
                errors.push(FieldError {
                    field: "category".into(), message: format!("诉求分类“{}”已停用", cat.name)
                });
                None
            }
            None => {
                errors
                    .push(FieldError { field: "category".into(), message: format!("诉求分类“{c}”不存在") });
                None
            }
        },
    };
    let tiers = settings::store::tiers(&mut tx.ex()).await?;
    let tier_code = match (i.tier.trim(), &category) {
        ("", Some(c)) => Some(c.tier.clone()),
        ("", None) => None,
        (t, _) => match tiers.iter().find(|x| x.code == t || x.name == t) {
            Some(x) => Some(x.code.clone()),
            None => {
                let names: Vec<_> = tiers.iter().map(|t| t.name.as_str()).collect();
                errors.push(FieldError {
                    field: "tier".into(),
                    message: format!("期限档次“{t}”无效，可选：{}", names.join("、")),
                });
                None
            }
        },
    };
    // What the appeal is about: a visit brings its enterprise (and project); else an enterprise or a project.
    let mut enterprise_id = None;
    let named_project = project_id;
    let mut project_id = project_id;
    if let Some(v) = visit_id {
        match crate::enterprise_service::visits::store::get(&mut tx.ex(), v).await? {
            Some(visit) if authz::check(user, Permission::ViewBusiness, Some(&visit.region_path)).is_ok() => {
                enterprise_id = Some(visit.v.enterprise_id);
                project_id = project_id.or(visit.v.project_id);
            }
            _ => errors.push(FieldError { field: "visit".into(), message: "走访记录不存在".into() }),
        }
    }
    if enterprise_id.is_none() && !i.enterprise.trim().is_empty() {
        let e = i.enterprise.trim();
        let found = match Uuid::parse_str(e) {
            Ok(id) => crate::enterprises::store::get(&mut tx.ex(), id).await?,
            Err(_) => crate::enterprises::store::by_credit_code(&mut tx.ex(), &e.to_uppercase()).await?,
        };
        match found {
            Some(row) if authz::check(user, Permission::ServeEnterprises, Some(&row.region_path)).is_ok() => {
                enterprise_id = Some(row.e.id)
            }
            // Out of scope reads exactly like unknown: the answer must not tell that the code exists elsewhere.
            _ => errors.push(FieldError {
                field: "enterprise".into(), message: format!("企业“{e}”未在企业库登记")
            }),
        }
    }
    // A project the user names must be in their service scope (out of scope reads like unknown); one a
    // visit brings was checked when the visit was logged.
    let project = match project_id {
        Some(p) => match crate::projects::store::get(&mut tx.ex(), p).await? {
            Some(row)
                if named_project.is_none()
                    || authz::check(user, Permission::ServeEnterprises, Some(&row.region_path)).is_ok() =>
            {
                Some(row)
            }
            _ => {
                errors.push(FieldError { field: "project".into(), message: "项目不存在".into() });
                None
            }
        },
        None => None,
    };
    let region_code = match (enterprise_id, &project) {
        (Some(e), _) => crate::enterprises::store::get(&mut tx.ex(), e).await?.map(|r| r.e.region),
        (None, Some(p)) => Some(p.p.region.clone()),
        (None, None) => {
            if errors.iter().all(|e| e.field != "enterprise" && e.field != "visit" && e.field != "project") {
                errors.push(FieldError {
                    field: "enterprise".into(), message: "请选择提出诉求的企业或项目".into()
                });
            }
            None
        }
    };
    if !errors.is_empty() {
        return Err(crate::projects::service::invalid(errors));
    }
    let region =
        crate::regions::store::get(&mut tx.ex(), &region_code.expect("checked")).await?.ok_or(AppError::NotFound)?;
    if authz::check(user, Permission::ServeEnterprises, Some(&region.path)).is_err() {
        return Err(AppError::field("enterprise", format!("“{}”不在您的管辖范围内", region.name)));
    }
    let (category, tier_code) = (category.expect("checked"), tier_code.expect("checked"));
    let tier_days = tiers.iter().find(|t| t.code == tier_code).map(|t| t.days).unwrap_or(7);
    let cal = settings::store::calendar(&mut tx.ex()).await?;
    let now = crate::audit::store::now_micros();
    let source = match (visit_id, &project) {
        (Some(_), _) => Source::Visit,
        (None, Some(_)) => Source::Project,
        (None, None) => Source::Direct,
    };
    let mut a = Appeal {
        id: Uuid::now_v7(),
        number: store::next_number(&mut tx.ex(), beijing_date(now).year()).await?,
        title,
        detail,
        category: category.code.clone(),
        tier: tier_code,
        tier_days,
        source: source.code().into(),
        visit_id,
        project_id: project.as_ref().map(|p| p.p.id),
        enterprise_id,
        region: region.code.clone(),
        level: Level::of_region_level(&region.level).code().into(),
        department_id: None,
        state: State::Pending.code().into(),
        contact: (!contact.is_empty()).then_some(contact),
        received_at: now,
        due_on: due_date(now, tier_days.clamp(1, 365) as u32, &cal),
        dispatched_at: None,
        accepted_at: None,
        resolved_at: None,
        answer: None,
        satisfaction: None,
        evaluated_at: None,
        evaluation_note: None,
        reopen_count: 0,
        return_reason: None,
        extension_days: None,
        extension_reason: None,
        extended: false,
        supervision: None,
        supervisor_id: None,
        supervisor_name: None,
        escalations: 0,
        escalated_at: None,
        auto_escalated_due: None,
        created_by: actor.id,
        created_by_name: actor.name.clone(),
        is_demo: false,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    store::insert(&mut tx.ex(), &a).await?;
    store::log(&mut tx.ex(), a.id, now, &actor.name, "create", None, State::Pending.code(), Some(&a.title)).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "appeal.create",
            entity: "appeal",
            entity_id: a.id.to_string(),
            region: Some(a.region.clone()),
            before: None,
            after: Some(serde_json::to_value(&a).unwrap_or_default()),
        },
    )
    .await?;
    if let Some(d) = department {
        a = super::act::dispatch_in(&mut tx, actor, a, d, &cal).await?;
    }
    tx.commit().await?;
    Ok(a)
}

/// The appeal number's year and the received day are Beijing's.
pub fn received_day(a: &Appeal) -> time::Date {
    beijing_date(a.received_at)
}

/// For tests and the sweep: the instant now, as the database keeps it.
pub fn now() -> OffsetDateTime {
    crate::audit::store::now_micros()
}

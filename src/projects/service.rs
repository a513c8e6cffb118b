//! Project use cases. Each owns its transaction and writes the audit record inside it.

use super::model::{Input, Parsed, parse};
use super::stage::{Health, Milestone, Stage, Transition, TransitionInput, check_transition};
use super::store::{self, Project, Row};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Ex};
use crate::domain::Money;
use crate::error::{AppError, AppResult, FieldError};
use serde_json::json;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

pub fn invalid(fields: Vec<FieldError>) -> AppError {
    let message = fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("；");
    AppError::Invalid { message, fields }
}

pub fn today() -> Date {
    // Officials work in Beijing time; a date typed today must not be "in the future" at 07:00 UTC+8.
    OffsetDateTime::now_utc().to_offset(time::UtcOffset::from_hms(8, 0, 0).expect("UTC+8")).date()
}

fn snapshot(p: &Project) -> serde_json::Value {
    serde_json::to_value(p).unwrap_or_default()
}

/// A project the user may reach with `perm`, or 404 (403 when the role lacks `perm` altogether).
pub async fn visible(db: &Db, user: &CurrentUser, perm: Permission, id: &str) -> AppResult<Row> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let mut conn = db.conn().await?;
    let row = store::get(&mut conn.ex(), id).await?.ok_or(AppError::NotFound)?;
    use crate::enterprise_service::specialists::{self, model::Kind};
    specialists::service::check(&mut conn.ex(), user, perm, Kind::Project, row.p.id, &row.region_path).await?;
    Ok(row)
}

/// Region in the editor's scope (or, on an edit, the project's own region: a 服务专员 may edit their
/// project but not move it), industry known, investors registered: the checks that need the database.
async fn resolve(ex: &mut Ex<'_>, user: &CurrentUser, p: &Parsed, own_region: Option<&str>) -> AppResult<Vec<Uuid>> {
    let region = crate::regions::store::get(ex, &p.region)
        .await?
        .ok_or_else(|| AppError::field("region", format!("所属地区“{}”不存在", p.region)))?;
    if own_region != Some(region.code.as_str())
        && authz::check(user, Permission::EditProjects, Some(&region.path)).is_err()
    {
        return Err(AppError::field("region", format!("所属地区“{}”不在您的管辖范围内", region.name)));
    }
    if let Some(code) = &p.industry {
        if crate::industries::store::get(ex, code).await?.is_none() {
            return Err(AppError::field("industry", format!("行业代码“{code}”不在 GB/T 4754-2017 中")));
        }
    }
    let mut ids = Vec::new();
    for code in &p.investors {
        match crate::enterprises::store::by_credit_code(ex, code).await? {
            Some(e) => ids.push(e.e.id),
            None => {
                return Err(AppError::field("investors", format!("投资方“{code}”尚未在企业库登记，请先登记该企业")));
            }
        }
    }
    Ok(ids)
}

/// Copies checked input onto a project (stage, health and milestone facts are left alone).
/// The path of the region a list filter names, if `user` may see it.
pub async fn region_path(db: &Db, user: &CurrentUser, f: &super::list::Filter) -> AppResult<Option<String>> {
    crate::regions::service::filter_path(db, user, Permission::ViewBusiness, f.region.as_deref()).await
}

/// One page of the projects `user` may see that match `f`, and how many match: the list page,
/// the API, the export and the cockpit's drill-downs alike.
pub async fn search(db: &Db, user: &CurrentUser, f: &super::list::Filter) -> AppResult<(Vec<Row>, i64)> {
    let rp = region_path(db, user, f).await?;
    let scopes = crate::accounts::service::scope_paths(user, Permission::ViewBusiness);
    super::list::cached_page(db, &scopes, rp.as_deref(), f).await
}

pub fn apply_parsed(p: &mut Project, v: Parsed) {
    p.code = v.code;
    p.name = v.name;
    p.region = v.region;
    p.industry = v.industry;
    p.sector = v.sector.map(|x| x.label().into());
    p.industrial = v.industrial;
    p.nature = v.nature.map(|x| x.label().into());
    p.capital = v.capital.map(|x| x.label().into());
    p.sources = v.sources;
    p.channel = v.channel.map(|x| x.label().into());
    p.total_investment = v.total_investment;
    p.fixed_investment = v.fixed_investment;
    p.foreign_usd = v.foreign_usd.map(|m| m.0);
    p.expected_output = v.expected_output;
    p.expected_tax = v.expected_tax;
    p.expected_jobs = v.expected_jobs;
    p.land_mu = v.land_mu;
    p.tags = v.tags;
    [p.planned_sign, p.planned_register, p.planned_land, p.planned_start, p.planned_produce, p.planned_full_produce] =
        v.planned;
}

pub fn blank(now: OffsetDateTime) -> Project {
    Project {
        id: Uuid::now_v7(),
        code: None,
        name: String::new(),
        region: String::new(),
        industry: None,
        sector: None,
        industrial: false,
        nature: None,
        capital: None,
        sources: 0,
        channel: None,
        total_investment: Money(0),
        fixed_investment: None,
        foreign_usd: None,
        expected_output: None,
        expected_tax: None,
        expected_jobs: None,
        land_mu: None,
        tags: 0,
        stage: Stage::Lead,
        health: Health::Normal,
        health_reason: None,
        contracted_amount: None,
        local_credit_code: None,
        parcel: None,
        supplied_mu: None,
        permit: None,
        planned_sign: None,
        actual_sign: None,
        planned_register: None,
        actual_register: None,
        planned_land: None,
        actual_land: None,
        planned_start: None,
        actual_start: None,
        planned_produce: None,
        actual_produce: None,
        planned_full_produce: None,
        actual_full_produce: None,
        specialist_id: None,
        is_demo: false,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

pub async fn create(db: &Db, user: &CurrentUser, actor: &Actor, input: &Input) -> AppResult<Project> {
    let v = parse(input).map_err(invalid)?;
    let mut tx = db.begin().await?;
    let investors = resolve(&mut tx.ex(), user, &v, None).await?;
    if let Some(code) = &v.code {
        if store::by_code(&mut tx.ex(), code).await?.is_some() {
            return Err(AppError::field("code", format!("项目代码“{code}”已登记")));
        }
    }
    let mut p = blank(OffsetDateTime::now_utc());
    apply_parsed(&mut p, v);
    store::insert(&mut tx.ex(), &p).await?;
    store::set_investors(&mut tx.ex(), p.id, &investors).await?;
    store::log_stage(&mut tx.ex(), p.id, None, Stage::Lead, today(), None, Some("录入项目"), None, &actor.name).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "project.create",
            entity: "project",
            entity_id: p.id.to_string(),
            region: Some(p.region.clone()),
            before: None,
            after: Some(snapshot(&p)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

fn conflict(current: &Project, version: i64, mine: &Input) -> AppError {
    let mut changed = Vec::new();
    if current.name != mine.name.trim() {
        changed.push(format!("名称现为“{}”", current.name));
    }
    if current.region != mine.region.trim() {
        changed.push(format!("所属地区现为“{}”", current.region));
    }
    if current.total_investment != Money::parse(&mine.total_investment).unwrap_or_default() {
        changed.push(format!("总投资现为 {}", current.total_investment));
    }
    let stage = current.stage.label();
    changed.push(format!("阶段为“{stage}”"));
    AppError::Conflict(format!(
        "您编辑的是第 {version} 版，期间已被他人保存为第 {} 版（{}）。您的修改未保存，请刷新后重新修改。",
        current.version,
        changed.join("，")
    ))
}

pub async fn update(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: &str,
    version: i64,
    input: &Input,
) -> AppResult<Project> {
    let row = visible(db, user, Permission::EditProjects, id).await?;
    let v = parse(input).map_err(invalid)?;
    let mut tx = db.begin().await?;
    let current = store::get(&mut tx.ex(), row.p.id).await?.ok_or(AppError::NotFound)?.p;
    if current.version != version {
        return Err(conflict(&current, version, input));
    }
    let investors = resolve(&mut tx.ex(), user, &v, Some(&current.region)).await?;
    if let Some(code) = v.code.as_deref().filter(|c| Some(*c) != current.code.as_deref()) {
        if store::by_code(&mut tx.ex(), code).await?.is_some() {
            return Err(AppError::field("code", format!("项目代码“{code}”已登记")));
        }
    }
    let before = snapshot(&current);
    let mut p = current;
    apply_parsed(&mut p, v);
    p.updated_at = OffsetDateTime::now_utc();
    p.version += 1;
    if !store::update(&mut tx.ex(), &p).await? {
        return Err(AppError::Conflict("该项目刚被他人修改，请刷新后重试".into()));
    }
    store::set_investors(&mut tx.ex(), p.id, &investors).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "project.update",
            entity: "project",
            entity_id: p.id.to_string(),
            region: Some(p.region.clone()),
            before: Some(before),
            after: Some(snapshot(&p)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

fn set_actual(p: &mut Project, m: Milestone, d: Option<Date>) {
    match m {
        Milestone::Sign => p.actual_sign = d,
        Milestone::Register => p.actual_register = d,
        Milestone::Land => p.actual_land = d,
        Milestone::Start => p.actual_start = d,
        Milestone::Produce => p.actual_produce = d,
        Milestone::FullProduce => p.actual_full_produce = d,
    }
}

/// Moves a project to another stage. Forward moves record the step's facts and its milestone
/// date; moving back clears the milestones after the new stage. Every move is logged and audited.
pub async fn transition(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: &str,
    version: Option<i64>,
    to: &str,
    input: &TransitionInput,
) -> AppResult<Project> {
    let row = visible(db, user, Permission::EditProjects, id).await?;
    let to = Stage::parse(to).map_err(|e| AppError::field("to", e))?;
    let mut tx = db.begin().await?;
    let mut p = store::get(&mut tx.ex(), row.p.id).await?.ok_or(AppError::NotFound)?.p;
    if let Some(v) = version.filter(|v| *v != p.version) {
        return Err(AppError::Conflict(format!(
            "项目已被他人更新（您看到的是第 {v} 版，现为第 {} 版），请刷新后再操作",
            p.version
        )));
    }
    let from = p.stage;
    let t: Transition = check_transition(from, to, input, today())
        .map_err(|errs| invalid(errs.into_iter().map(|(field, message)| FieldError { field, message }).collect()))?;
    if to == Stage::Registered && to > from {
        if let Some(code) = &t.credit_code {
            // The local company is an enterprise too: it must be in the enterprise library.
            if crate::enterprises::store::by_credit_code(&mut tx.ex(), code).await?.is_none() {
                return Err(AppError::field("credit_code", format!("项目公司“{code}”尚未在企业库登记，请先登记")));
            }
        }
    }
    let before = snapshot(&p);
    if to > from {
        if let Some(m) = to.milestone() {
            set_actual(&mut p, m, Some(t.date));
        }
        if t.amount.is_some() {
            p.contracted_amount = t.amount;
        }
        p.local_credit_code = t.credit_code.clone().or(p.local_credit_code.take());
        p.parcel = t.parcel.clone().or(p.parcel.take());
        p.supplied_mu = t.area_mu.or(p.supplied_mu);
        p.permit = t.permit.clone().or(p.permit.take());
    } else {
        for s in Stage::ALL.iter().filter(|s| **s > to) {
            if let Some(m) = s.milestone() {
                set_actual(&mut p, m, None);
            }
        }
    }
    p.stage = to;
    p.updated_at = OffsetDateTime::now_utc();
    p.version += 1;
    if !store::update(&mut tx.ex(), &p).await? {
        return Err(AppError::Conflict("该项目刚被他人修改，请刷新后重试".into()));
    }
    let details = json!({"amount": t.amount.map(|m| m.human()), "credit_code": t.credit_code, "parcel": t.parcel,
        "area_mu": t.area_mu.map(crate::domain::money::format_mu), "permit": t.permit});
    store::log_stage(
        &mut tx.ex(),
        p.id,
        Some(from),
        to,
        t.date,
        t.override_reason.as_deref(),
        t.note.as_deref(),
        Some(details.to_string()),
        &actor.name,
    )
    .await?;
    let action = if t.override_reason.is_some() { "project.transition_override" } else { "project.transition" };
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action,
            entity: "project",
            entity_id: p.id.to_string(),
            region: Some(p.region.clone()),
            before: Some(before),
            after: Some(snapshot(&p)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

pub async fn set_health(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: &str,
    version: Option<i64>,
    health: &str,
    reason: &str,
) -> AppResult<Project> {
    let row = visible(db, user, Permission::EditProjects, id).await?;
    let h = Health::parse(health).map_err(|e| AppError::field("health", e))?;
    let reason = h.check_reason(reason).map_err(|e| AppError::field("reason", e))?;
    let mut tx = db.begin().await?;
    let mut p = store::get(&mut tx.ex(), row.p.id).await?.ok_or(AppError::NotFound)?.p;
    if let Some(v) = version.filter(|v| *v != p.version) {
        return Err(AppError::Conflict(format!(
            "项目已被他人更新（您看到的是第 {v} 版，现为第 {} 版），请刷新后再操作",
            p.version
        )));
    }
    let before = snapshot(&p);
    p.health = h;
    p.health_reason = reason;
    p.updated_at = OffsetDateTime::now_utc();
    p.version += 1;
    if !store::update(&mut tx.ex(), &p).await? {
        return Err(AppError::Conflict("该项目刚被他人修改，请刷新后重试".into()));
    }
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "project.health",
            entity: "project",
            entity_id: p.id.to_string(),
            region: Some(p.region.clone()),
            before: Some(before),
            after: Some(snapshot(&p)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

//! Batch event use cases: create, add and remove member projects, summarise.

use super::model::{Member, Summary, parse_kind, summarize};
use super::store::{self, Batch, BatchRow, MemberRow};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::domain::money::Money;
use crate::error::{AppError, AppResult, FieldError};
use crate::projects::stage::parse_date;
use crate::regions::model::within;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewBatch {
    pub kind: String,
    pub name: String,
    pub held_on: String,
    pub place: String,
    pub region: String,
}

pub async fn visible(db: &Db, user: &CurrentUser, perm: Permission, id: &str) -> AppResult<BatchRow> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let mut conn = db.conn().await?;
    let b = store::get(&mut conn.ex(), id).await?.ok_or(AppError::NotFound)?;
    authz::check(user, perm, Some(&b.region_path))?;
    Ok(b)
}

pub async fn create(db: &Db, user: &CurrentUser, actor: &Actor, n: &NewBatch, is_demo: bool) -> AppResult<Batch> {
    let mut fields = Vec::new();
    let mut err = |f: &str, m: String| fields.push(FieldError { field: f.into(), message: m });
    let kind = parse_kind(&n.kind).map_err(|e| err("kind", e)).ok();
    let name = n.name.trim().to_string();
    if name.is_empty() {
        err("name", "活动名称不能为空".into());
    }
    let held_on = parse_date("活动日期", &n.held_on).map_err(|e| err("held_on", e)).ok();
    if !fields.is_empty() {
        return Err(crate::projects::service::invalid(fields));
    }
    let mut tx = db.begin().await?;
    let region = crate::regions::store::get(&mut tx.ex(), n.region.trim())
        .await?
        .ok_or_else(|| AppError::field("region", format!("地区“{}”不存在", n.region.trim())))?;
    if authz::check(user, Permission::EditProjects, Some(&region.path)).is_err() {
        return Err(AppError::field("region", format!("“{}”不在您的管辖范围内", region.name)));
    }
    let b = Batch {
        id: Uuid::now_v7(),
        kind: kind.expect("checked").into(),
        name,
        held_on: held_on.expect("checked"),
        place: n.place.trim().to_string(),
        region: region.code,
        is_demo,
        created_at: OffsetDateTime::now_utc(),
        version: 1,
    };
    store::insert(&mut tx.ex(), &b).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "batch.create",
            entity: "batch",
            entity_id: b.id.to_string(),
            region: Some(b.region.clone()),
            before: None,
            after: Some(serde_json::to_value(&b).unwrap_or_default()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(b)
}

/// Adds a project (by id, 项目代码 or exact name, within the event's region) with its annual plan.
pub async fn add_member(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    batch_id: &str,
    project: &str,
    annual_plan: &str,
) -> AppResult<Uuid> {
    let b = visible(db, user, Permission::EditProjects, batch_id).await?;
    let plan = match annual_plan.trim() {
        "" => Money(0),
        v => Money::parse(v).map_err(|e| AppError::field("annual_plan", format!("年度计划投资：{e}")))?,
    };
    let key = project.trim();
    if key.is_empty() {
        return Err(AppError::field("project", "请填写项目名称、项目代码或编号"));
    }
    let mut tx = db.begin().await?;
    let scope = format!("{}%", b.region_path);
    let found: Vec<(Uuid, String, i64)> = crate::q_as!(
        &mut tx.ex(),
        fetch_all,
        (Uuid, String, i64),
        "SELECT p.id, g.path, p.total_investment FROM projects p JOIN regions g ON g.code = p.region
         WHERE g.path LIKE $1 AND (p.name = $2 OR p.code = $2) LIMIT 2",
        &scope,
        key
    )?;
    let (pid, path, total) = match found.as_slice() {
        [one] => one.clone(),
        [] => {
            // Not a name or a code: perhaps the project's id.
            let by_id = match Uuid::parse_str(key) {
                Ok(id) => crate::projects::store::get(&mut tx.ex(), id)
                    .await?
                    .filter(|r| within(&r.region_path, &b.region_path)),
                Err(_) => None,
            };
            match by_id {
                Some(r) => (r.p.id, r.region_path, r.p.total_investment.fen()),
                None => return Err(AppError::field("project", format!("在{}找不到项目“{key}”", b.region_name))),
            }
        }
        _ => return Err(AppError::field("project", format!("“{key}”对应多个项目，请改用项目代码"))),
    };
    // Out of the user's scope reads exactly like not found.
    authz::check(user, Permission::ViewBusiness, Some(&path))
        .map_err(|_| AppError::field("project", format!("在{}找不到项目“{key}”", b.region_name)))?;
    if plan.0 > total && total > 0 {
        return Err(AppError::field("annual_plan", "年度计划投资不能大于项目总投资"));
    }
    store::add_member(&mut tx.ex(), b.b.id, pid, plan.0).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "batch.add_project",
            entity: "batch",
            entity_id: b.b.id.to_string(),
            region: Some(b.b.region.clone()),
            before: None,
            after: Some(serde_json::json!({"project": pid, "annual_plan": plan.0})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(pid)
}

pub async fn remove_member(db: &Db, user: &CurrentUser, actor: &Actor, batch_id: &str, project: &str) -> AppResult<()> {
    let b = visible(db, user, Permission::EditProjects, batch_id).await?;
    let pid = Uuid::parse_str(project.trim()).map_err(|_| AppError::NotFound)?;
    let mut tx = db.begin().await?;
    if store::remove_member(&mut tx.ex(), b.b.id, pid).await? == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "batch.remove_project",
            entity: "batch",
            entity_id: b.b.id.to_string(),
            region: Some(b.b.region.clone()),
            before: Some(serde_json::json!({"project": pid})),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn summary(db: &Db, b: &BatchRow) -> AppResult<(Summary, Vec<MemberRow>)> {
    let mut conn = db.conn().await?;
    let rows = store::members(&mut conn.ex(), b.b.id, &b.region_path).await?;
    let members: Vec<Member> = rows
        .iter()
        .map(|r| Member {
            total: Money(r.total_investment),
            annual_plan: Money(r.annual_plan),
            region: r.unit_name.clone(),
            industry: r.section_name.clone().unwrap_or_default(),
        })
        .collect();
    Ok((summarize(&members), rows))
}

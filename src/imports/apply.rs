//! Writing one chunk of planned changes, with an audit record per row, inside the caller's
//! transaction: new records with multi-row inserts, changed ones one by one against their version.

use crate::audit::{self, Actor, Change};
use crate::db::Ex;
use crate::enterprises::store::{self as estore, Enterprise};
use crate::error::AppError;
use crate::projects::store::{self as pstore, Project};
use crate::projects::store_bulk::{self, Entry};
use crate::reports::store::{self as rstore, Report};
use serde_json::{Value, json};
use uuid::Uuid;

/// One row's change: what was stored (None for a new record) and what the row makes of it.
pub struct Planned<T> {
    pub row: usize,
    pub before: Option<T>,
    pub after: T,
}

fn snapshot<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or_default()
}

fn changed_meanwhile(row: usize, what: &str) -> AppError {
    AppError::Conflict(format!("第 {row} 行的{what}在导入期间被他人修改，请重新导入"))
}

pub async fn enterprises(
    ex: &mut Ex<'_>,
    actor: &Actor,
    file: &str,
    ops: &[Planned<Enterprise>],
) -> Result<(), AppError> {
    let new: Vec<&Enterprise> = ops.iter().filter(|o| o.before.is_none()).map(|o| &o.after).collect();
    estore::insert_many(ex, &new).await?;
    for o in ops.iter().filter(|o| o.before.is_some()) {
        if !estore::update(ex, &o.after).await? {
            return Err(changed_meanwhile(o.row, "企业"));
        }
    }
    let tags: Vec<(Uuid, i64, i64)> =
        ops.iter().map(|o| (o.after.id, o.before.as_ref().map_or(0, |b| b.tags), o.after.tags)).collect();
    estore::log_tag_changes(ex, &tags, crate::projects::service::today()).await?;
    let changes = ops
        .iter()
        .map(|o| Change {
            action: if o.before.is_some() { "import.enterprise.update" } else { "import.enterprise.create" },
            entity: "enterprise",
            entity_id: o.after.id.to_string(),
            region: Some(o.after.region.clone()),
            before: o.before.as_ref().map(snapshot),
            after: Some(json!({"file": file, "row": o.row, "record": o.after})),
        })
        .collect();
    audit::record_many(ex, actor, changes).await?;
    Ok(())
}

pub async fn projects(
    ex: &mut Ex<'_>,
    actor: &Actor,
    file: &str,
    ops: &[(Planned<Box<Project>>, Vec<Uuid>)],
) -> Result<(), AppError> {
    let new: Vec<&Project> = ops.iter().filter(|(o, _)| o.before.is_none()).map(|(o, _)| &*o.after).collect();
    store_bulk::insert_many(ex, &new).await?;
    let today = crate::projects::service::today();
    let entries: Vec<Entry<'_>> = new
        .iter()
        .map(|p| Entry { project: p.id, stage: p.stage, on: today, note: "导入", actor: &actor.name })
        .collect();
    store_bulk::log_entries(ex, &entries).await?;
    for (o, _) in ops.iter().filter(|(o, _)| o.before.is_some()) {
        if !pstore::update(ex, &o.after).await? {
            return Err(changed_meanwhile(o.row, "项目"));
        }
        crate::q_exec!(&mut *ex, "DELETE FROM project_investors WHERE project_id = $1", o.after.id)?;
    }
    let pairs: Vec<(Uuid, Uuid)> =
        ops.iter().flat_map(|(o, investors)| investors.iter().map(|e| (o.after.id, *e))).collect();
    store_bulk::add_investors(ex, &pairs).await?;
    let changes = ops
        .iter()
        .map(|(o, _)| Change {
            action: if o.before.is_some() { "import.project.update" } else { "import.project.create" },
            entity: "project",
            entity_id: o.after.id.to_string(),
            region: Some(o.after.region.clone()),
            before: o.before.as_ref().map(snapshot),
            after: Some(json!({"file": file, "row": o.row, "record": o.after})),
        })
        .collect();
    audit::record_many(ex, actor, changes).await?;
    Ok(())
}

/// Reports with the region of their project (the audit record's owner).
pub async fn reports(
    ex: &mut Ex<'_>,
    actor: &Actor,
    file: &str,
    ops: &[(Planned<Report>, String)],
) -> Result<(), AppError> {
    let new: Vec<&Report> = ops.iter().filter(|(o, _)| o.before.is_none()).map(|(o, _)| &o.after).collect();
    rstore::insert_many(ex, &new).await?;
    for (o, _) in ops.iter().filter(|(o, _)| o.before.is_some()) {
        if !rstore::update(ex, &o.after).await? {
            return Err(changed_meanwhile(o.row, "月报"));
        }
    }
    let changes = ops
        .iter()
        .map(|(o, region)| Change {
            action: if o.before.is_some() { "import.report.correct" } else { "import.report.file" },
            entity: "project",
            entity_id: o.after.project_id.to_string(),
            region: Some(region.clone()),
            before: o.before.as_ref().map(snapshot),
            after: Some(json!({"file": file, "row": o.row, "record": o.after})),
        })
        .collect();
    audit::record_many(ex, actor, changes).await?;
    Ok(())
}

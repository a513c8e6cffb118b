//! Planning an import: every row checked (shape through the same parse gate as forms and the
//! API, then references and scope), each sorted into create, update or unchanged. Nothing is
//! written until `apply`, which runs inside the caller's transaction: all rows or none.

use super::kinds::Kind;
use super::{CellError, Column, HeaderMap, Sheet, SheetRow, map_headers};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::Ex;
use crate::enterprises::store::{self as estore, Enterprise};
use crate::error::{AppError, FieldError};
use crate::projects::store::{self as pstore, Project};
use std::collections::{BTreeMap, HashMap, HashSet};
use time::OffsetDateTime;
use uuid::Uuid;

pub const MAX_ROWS: usize = 200_000;
/// The preview lists this many errors; the count is always complete.
pub const SHOWN_ERRORS: usize = 1000;

pub enum Op {
    Enterprise {
        row: usize,
        before: Option<Enterprise>,
        after: Enterprise,
    },
    Project {
        row: usize,
        before: Option<Box<Project>>,
        after: Box<Project>,
        investors: Vec<Uuid>,
    },
    Report {
        row: usize,
        region: String,
        before: Option<crate::reports::store::Report>,
        after: crate::reports::store::Report,
    },
}

#[derive(Default)]
pub struct Plan {
    pub rows: usize,
    pub creates: usize,
    pub updates: usize,
    pub unchanged: usize,
    pub errors: Vec<CellError>,
    pub ignored_columns: Vec<String>,
    pub ops: Vec<Op>,
}

/// Reference data held in memory for the length of one plan: a 100,000-row file would otherwise ask
/// the database for the same few thousand regions again and again.
struct Refs {
    region_paths: HashMap<String, String>,
    industries: HashSet<String>,
}

async fn refs(ex: &mut Ex<'_>) -> Result<Refs, sqlx::Error> {
    let regions: Vec<(String, String)> =
        crate::q_as!(ex, fetch_all, (String, String), "SELECT code, path FROM regions")?;
    let industries: Vec<String> = crate::q_scalar!(ex, fetch_all, String, "SELECT code FROM industries")?;
    Ok(Refs { region_paths: regions.into_iter().collect(), industries: industries.into_iter().collect() })
}

fn column<'a>(columns: &'a [Column], key: &str) -> &'a Column {
    columns.iter().find(|c| c.key == key).unwrap_or(&columns[0])
}

/// Turns field errors from a parse gate into cell errors that point at the row and column.
fn cell_errors(row: &SheetRow, columns: &[Column], map: &HeaderMap, fields: Vec<FieldError>) -> Vec<CellError> {
    fields
        .into_iter()
        .map(|f| {
            let c = column(columns, &f.field);
            CellError::new(row, c, map.get(row, c.key), f.message)
        })
        .collect()
}

/// Reads a row's cells into a JSON object keyed by column key, then into the kind's `Input`.
fn input<T: serde::de::DeserializeOwned + Default>(row: &SheetRow, columns: &[Column], map: &HeaderMap) -> T {
    let mut obj = serde_json::Map::new();
    for c in columns {
        obj.insert(c.key.to_string(), serde_json::Value::String(map.get(row, c.key).to_string()));
    }
    serde_json::from_value(serde_json::Value::Object(obj)).unwrap_or_default()
}

fn in_scope(user: &CurrentUser, perm: Permission, path: &str) -> bool {
    crate::accounts::authz::check(user, perm, Some(path)).is_ok()
}

pub async fn plan(ex: &mut Ex<'_>, user: &CurrentUser, kind: Kind, sheet: &Sheet) -> Result<Plan, AppError> {
    let columns = kind.columns();
    let map = map_headers(&sheet.headers, columns).map_err(|errs| AppError::Invalid {
        message: format!("表头不符合{}导入模板：{}", kind.label(), errs.join("；")),
        fields: vec![],
    })?;
    if sheet.rows.is_empty() {
        return Err(AppError::invalid("文件中没有数据行（第一行应为表头，数据从第二行开始）"));
    }
    if sheet.rows.len() > MAX_ROWS {
        return Err(AppError::invalid(format!(
            "一次最多导入 {MAX_ROWS} 行（本文件 {} 行），请分批导入",
            sheet.rows.len()
        )));
    }
    let r = refs(ex).await?;
    let mut plan = Plan { rows: sheet.rows.len(), ignored_columns: map.ignored.clone(), ..Default::default() };
    match kind {
        Kind::Enterprises => plan_enterprises(ex, user, sheet, &map, &r, &mut plan).await?,
        Kind::Projects => plan_projects(ex, user, sheet, &map, &r, &mut plan).await?,
        Kind::Reports => super::plan_reports::plan(ex, user, sheet, &map, &mut plan).await?,
    }
    Ok(plan)
}

fn check_region(
    row: &SheetRow,
    columns: &[Column],
    map: &HeaderMap,
    r: &Refs,
    user: &CurrentUser,
    perm: Permission,
    code: &str,
) -> Result<String, CellError> {
    let c = column(columns, "region");
    match r.region_paths.get(code) {
        None => Err(CellError::new(row, c, code, "区划或园区代码不存在")),
        Some(path) if !in_scope(user, perm, path) => {
            Err(CellError::new(row, c, map.get(row, "region"), "不在您的管辖范围内"))
        }
        Some(path) => Ok(path.clone()),
    }
}

async fn plan_enterprises(
    ex: &mut Ex<'_>,
    user: &CurrentUser,
    sheet: &Sheet,
    map: &HeaderMap,
    r: &Refs,
    plan: &mut Plan,
) -> Result<(), AppError> {
    use crate::enterprises::service::{Input, parse};
    let columns = Kind::Enterprises.columns();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let now = OffsetDateTime::now_utc();
    for row in &sheet.rows {
        let i: Input = input(row, columns, map);
        let p = match parse(&i) {
            Ok(p) => p,
            Err(fields) => {
                // Every error at once: the region's scope too, when the code itself is well formed.
                let region_ok = !fields.iter().any(|f| f.field == "region");
                plan.errors.extend(cell_errors(row, columns, map, fields));
                if region_ok {
                    plan.errors.extend(
                        check_region(row, columns, map, r, user, Permission::EditEnterprises, i.region.trim()).err(),
                    );
                }
                continue;
            }
        };
        let mut row_errors = Vec::new();
        if let Err(e) = check_region(row, columns, map, r, user, Permission::EditEnterprises, &p.region) {
            row_errors.push(e);
        }
        if let Some(code) = &p.industry {
            if !r.industries.contains(code) {
                row_errors.push(CellError::new(row, column(columns, "industry"), code, "不在 GB/T 4754-2017 中"));
            }
        }
        let code = p.credit_code.to_string();
        if let Some(first) = seen.insert(code.clone(), row.number) {
            row_errors.push(CellError::new(row, column(columns, "credit_code"), &code, format!("与第 {first} 行重复")));
        }
        let existing = estore::by_credit_code(ex, &code).await?;
        if let Some(e) = &existing {
            if !in_scope(user, Permission::EditEnterprises, &e.region_path) {
                row_errors.push(CellError::new(
                    row,
                    column(columns, "credit_code"),
                    &code,
                    "该企业由其他地区登记，您无权修改",
                ));
            }
        }
        if !row_errors.is_empty() {
            plan.errors.extend(row_errors);
            continue;
        }
        let mut after = existing.as_ref().map(|e| e.e.clone()).unwrap_or_else(|| Enterprise {
            id: Uuid::now_v7(),
            credit_code: code.clone(),
            name: String::new(),
            search_key: String::new(),
            region: String::new(),
            industry: None,
            size: None,
            ownership: None,
            tags: 0,
            origin: None,
            origin_place: None,
            is_demo: false,
            created_at: now,
            updated_at: now,
            version: 0,
        });
        after.search_key = crate::enterprises::model::search_key(&p.name);
        after.name = p.name;
        after.region = p.region;
        after.industry = p.industry;
        after.size = p.size.map(|s| s.label().into());
        after.ownership = p.ownership.map(|s| s.label().into());
        after.tags = p.tags.0;
        after.origin = p.origin.map(|s| s.label().into());
        after.origin_place = p.origin_place;
        let before = existing.map(|e| e.e);
        let same = before.as_ref().is_some_and(|b| {
            (&b.name, &b.region, &b.industry, &b.size, &b.ownership, b.tags, &b.origin, &b.origin_place)
                == (
                    &after.name,
                    &after.region,
                    &after.industry,
                    &after.size,
                    &after.ownership,
                    after.tags,
                    &after.origin,
                    &after.origin_place,
                )
        });
        if same {
            plan.unchanged += 1;
            continue;
        }
        after.updated_at = now;
        after.version += 1;
        if before.is_some() {
            plan.updates += 1
        } else {
            plan.creates += 1
        }
        plan.ops.push(Op::Enterprise { row: row.number, before, after });
    }
    Ok(())
}

async fn plan_projects(
    ex: &mut Ex<'_>,
    user: &CurrentUser,
    sheet: &Sheet,
    map: &HeaderMap,
    r: &Refs,
    plan: &mut Plan,
) -> Result<(), AppError> {
    use crate::projects::model::{Input, parse};
    let columns = Kind::Projects.columns();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut investor_ids: HashMap<String, Option<Uuid>> = HashMap::new();
    let now = OffsetDateTime::now_utc();
    for row in &sheet.rows {
        let i: Input = input(row, columns, map);
        let p = match parse(&i) {
            Ok(p) => p,
            Err(fields) => {
                let region_ok = !fields.iter().any(|f| f.field == "region");
                plan.errors.extend(cell_errors(row, columns, map, fields));
                if region_ok {
                    plan.errors.extend(
                        check_region(row, columns, map, r, user, Permission::EditProjects, i.region.trim()).err(),
                    );
                }
                continue;
            }
        };
        let mut row_errors = Vec::new();
        let path = check_region(row, columns, map, r, user, Permission::EditProjects, &p.region)
            .map_err(|e| row_errors.push(e))
            .ok();
        if let Some(code) = &p.industry {
            if !r.industries.contains(code) {
                row_errors.push(CellError::new(row, column(columns, "industry"), code, "不在 GB/T 4754-2017 中"));
            }
        }
        let mut investors = Vec::new();
        for code in &p.investors {
            if !investor_ids.contains_key(code) {
                let id = estore::by_credit_code(ex, code).await?.map(|e| e.e.id);
                investor_ids.insert(code.clone(), id);
            }
            match investor_ids[code] {
                Some(id) => investors.push(id),
                None => row_errors.push(CellError::new(
                    row,
                    column(columns, "investors"),
                    code,
                    "该投资方尚未在企业库登记，请先导入企业",
                )),
            }
        }
        // Which project the row means: its id, else its 项目代码, else its name within its region.
        let id_text = map.get(row, "id").trim();
        let existing = if !id_text.is_empty() {
            match Uuid::parse_str(id_text) {
                Ok(id) => match pstore::get(ex, id).await? {
                    Some(found) => Some(found),
                    None => {
                        row_errors.push(CellError::new(row, column(columns, "id"), id_text, "找不到该编号的项目"));
                        None
                    }
                },
                Err(_) => {
                    row_errors.push(CellError::new(row, column(columns, "id"), id_text, "项目编号格式不正确"));
                    None
                }
            }
        } else if let Some(code) = &p.code {
            pstore::by_code(ex, code).await?
        } else {
            let id: Option<Uuid> = crate::q_scalar!(
                ex,
                fetch_optional,
                Uuid,
                "SELECT id FROM projects WHERE name = $1 AND region = $2 LIMIT 1",
                &p.name,
                &p.region
            )?;
            match id {
                Some(id) => pstore::get(ex, id).await?,
                None => None,
            }
        };
        if let Some(e) = &existing {
            if !in_scope(user, Permission::EditProjects, &e.region_path) {
                row_errors.push(CellError::new(
                    row,
                    column(columns, "name"),
                    &p.name,
                    "该项目不在您的管辖范围内，无权修改",
                ));
            }
        }
        let key = existing
            .as_ref()
            .map(|e| e.p.id.to_string())
            .or(p.code.clone())
            .unwrap_or_else(|| format!("{}\u{1f}{}", p.name, p.region));
        if let Some(first) = seen.insert(key, row.number) {
            row_errors.push(CellError::new(
                row,
                column(columns, "name"),
                &p.name,
                format!("与第 {first} 行是同一项目"),
            ));
        }
        if !row_errors.is_empty() || path.is_none() {
            plan.errors.extend(row_errors);
            continue;
        }
        let before = existing.map(|e| Box::new(e.p));
        let mut after = before.clone().unwrap_or_else(|| Box::new(crate::projects::service::blank(now)));
        let old = after.clone();
        crate::projects::service::apply_parsed(&mut after, p);
        let old_investors: Vec<Uuid> = match &before {
            Some(b) => pstore::investors(ex, b.id).await?.into_iter().map(|i| i.id).collect(),
            None => vec![],
        };
        let mut sorted_new = investors.clone();
        sorted_new.sort();
        let mut sorted_old = old_investors;
        sorted_old.sort();
        if before.is_some()
            && serde_json::to_value(&*old).ok() == serde_json::to_value(&*after).ok()
            && sorted_new == sorted_old
        {
            plan.unchanged += 1;
            continue;
        }
        after.updated_at = now;
        if before.is_some() {
            after.version += 1;
            plan.updates += 1;
        } else {
            plan.creates += 1;
        }
        plan.ops.push(Op::Project { row: row.number, before, after, investors });
    }
    Ok(())
}

/// Writes every planned change with its audit record, inside the caller's transaction.
pub async fn apply(ex: &mut Ex<'_>, actor: &Actor, plan: &Plan, file: &str) -> Result<(), AppError> {
    for op in &plan.ops {
        match op {
            Op::Enterprise { row, before, after } => {
                match before {
                    Some(_) => {
                        if !estore::update(ex, after).await? {
                            return Err(AppError::Conflict(format!(
                                "第 {row} 行的企业在导入期间被他人修改，请重新导入"
                            )));
                        }
                    }
                    None => estore::insert(ex, after).await?,
                }
                audit::record(
                    ex,
                    actor,
                    Change {
                        action: if before.is_some() { "import.enterprise.update" } else { "import.enterprise.create" },
                        entity: "enterprise",
                        entity_id: after.id.to_string(),
                        region: Some(after.region.clone()),
                        before: before.as_ref().map(|b| serde_json::to_value(b).unwrap_or_default()),
                        after: Some(serde_json::json!({"file": file, "row": row, "record": after})),
                    },
                )
                .await?;
            }
            Op::Project { row, before, after, investors } => {
                match before {
                    Some(_) => {
                        if !pstore::update(ex, after).await? {
                            return Err(AppError::Conflict(format!(
                                "第 {row} 行的项目在导入期间被他人修改，请重新导入"
                            )));
                        }
                    }
                    None => {
                        pstore::insert(ex, after).await?;
                        pstore::log_stage(
                            ex,
                            after.id,
                            None,
                            "lead",
                            crate::projects::service::today(),
                            None,
                            Some("导入"),
                            None,
                            &actor.name,
                        )
                        .await?;
                    }
                }
                pstore::set_investors(ex, after.id, investors).await?;
                audit::record(
                    ex,
                    actor,
                    Change {
                        action: if before.is_some() { "import.project.update" } else { "import.project.create" },
                        entity: "project",
                        entity_id: after.id.to_string(),
                        region: Some(after.region.clone()),
                        before: before.as_ref().map(|b| serde_json::to_value(b).unwrap_or_default()),
                        after: Some(serde_json::json!({"file": file, "row": row, "record": after})),
                    },
                )
                .await?;
            }
            Op::Report { row, region, before, after } => {
                match before {
                    Some(_) => {
                        if !crate::reports::store::update(ex, after).await? {
                            return Err(AppError::Conflict(format!(
                                "第 {row} 行的月报在导入期间被他人修改，请重新导入"
                            )));
                        }
                    }
                    None => crate::reports::store::insert(ex, after).await?,
                }
                audit::record(
                    ex,
                    actor,
                    Change {
                        action: if before.is_some() { "import.report.correct" } else { "import.report.file" },
                        entity: "project",
                        entity_id: after.project_id.to_string(),
                        region: Some(region.clone()),
                        before: before.as_ref().map(|b| serde_json::to_value(b).unwrap_or_default()),
                        after: Some(serde_json::json!({"file": file, "row": row, "record": after})),
                    },
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// Months already reported per project, merged with the file's own rows as they are planned.
pub type Cumulatives = HashMap<Uuid, BTreeMap<String, i64>>;

//! Planning a project import. A row means a stored project by its id, else its 项目代码, else its
//! name within its region; investors must already be in the enterprise library.

use super::apply::{self, Planned};
use super::kinds::Kind;
use super::plan::{CHUNK, Ctx, Outcome, cell_errors, check_region, column, in_scope, input};
use super::{CellError, SheetRow};
use crate::accounts::model::Permission;
use crate::db::Ex;
use crate::error::AppError;
use crate::projects::model::{Input, Parsed, parse};
use crate::projects::store::Row;
use crate::projects::store_bulk;
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// How a row names its project.
enum Key {
    Id(Uuid),
    BadId,
    Code(String),
    Name(String, String),
}

/// The stored projects and investors one chunk refers to, fetched with a few bulk queries.
#[derive(Default)]
struct Found {
    by_id: HashMap<Uuid, Row>,
    by_code: HashMap<String, Row>,
    by_name: HashMap<(String, String), Uuid>,
    investors: HashMap<Uuid, Vec<Uuid>>,
}

async fn find(ex: &mut Ex<'_>, keys: &[&Key]) -> Result<Found, sqlx::Error> {
    let mut f = Found::default();
    let names: Vec<String> =
        keys.iter().filter_map(|k| if let Key::Name(n, _) = k { Some(n.clone()) } else { None }).collect();
    for (id, name, region) in store_bulk::ids_by_names(ex, &names).await? {
        f.by_name.entry((name, region)).or_insert(id);
    }
    let mut ids: Vec<Uuid> = keys.iter().filter_map(|k| if let Key::Id(id) = k { Some(*id) } else { None }).collect();
    ids.extend(f.by_name.values().copied());
    f.by_id = store_bulk::get_many(ex, &ids).await?.into_iter().map(|r| (r.p.id, r)).collect();
    let codes: Vec<String> =
        keys.iter().filter_map(|k| if let Key::Code(c) = k { Some(c.clone()) } else { None }).collect();
    f.by_code =
        store_bulk::by_codes(ex, &codes).await?.into_iter().filter_map(|r| Some((r.p.code.clone()?, r))).collect();
    let stored: Vec<Uuid> = f.by_id.keys().chain(f.by_code.values().map(|r| &r.p.id)).copied().collect();
    for (project, enterprise) in store_bulk::investors_of(ex, &stored).await? {
        f.investors.entry(project).or_default().push(enterprise);
    }
    Ok(f)
}

fn key_of(id_text: &str, p: &Parsed) -> Key {
    if !id_text.is_empty() {
        Uuid::parse_str(id_text).map(Key::Id).unwrap_or(Key::BadId)
    } else if let Some(code) = &p.code {
        Key::Code(code.clone())
    } else {
        Key::Name(p.name.clone(), p.region.clone())
    }
}

pub async fn run(ex: &mut Ex<'_>, ctx: &Ctx<'_>, rows: &[SheetRow], out: &mut Outcome) -> Result<(), AppError> {
    let columns = Kind::Projects.columns();
    let perm = Permission::EditProjects;
    let col = |k| column(columns, k);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut investor_ids: HashMap<String, Option<Uuid>> = HashMap::new();
    let now = OffsetDateTime::now_utc();
    let mut done = 0;
    for chunk in rows.chunks(CHUNK) {
        let mut parsed = Vec::new();
        for row in chunk {
            let i: Input = input(row, columns, ctx.map);
            match parse(&i) {
                Ok(p) => {
                    let key = key_of(ctx.map.get(row, "id").trim(), &p);
                    parsed.push((row, p, key));
                }
                Err(fields) => {
                    let region_ok = !fields.iter().any(|f| f.field == "region");
                    out.errors_from(cell_errors(row, columns, ctx.map, fields));
                    if region_ok {
                        out.errors_from(check_region(row, columns, ctx, perm, i.region.trim()).err());
                    }
                }
            }
        }
        let unknown: Vec<String> = parsed
            .iter()
            .flat_map(|(_, p, _)| p.investors.iter())
            .filter(|c| !investor_ids.contains_key(*c))
            .cloned()
            .collect();
        for code in &unknown {
            investor_ids.insert(code.clone(), None);
        }
        for e in crate::enterprises::store::by_credit_codes(ex, &unknown).await? {
            investor_ids.insert(e.e.credit_code.clone(), Some(e.e.id));
        }
        let found = find(ex, &parsed.iter().map(|(_, _, k)| k).collect::<Vec<_>>()).await?;
        let mut ops = Vec::new();
        for (row, p, key) in parsed {
            let mut row_errors = Vec::new();
            let path = check_region(row, columns, ctx, perm, &p.region).map_err(|e| row_errors.push(e)).ok();
            if let Some(code) = &p.industry {
                if !ctx.refs.industries.contains(code) {
                    row_errors.push(CellError::new(row, col("industry"), code, "不在 GB/T 4754-2017 中"));
                }
            }
            let mut investors = Vec::new();
            for code in &p.investors {
                match investor_ids.get(code).copied().flatten() {
                    Some(id) => investors.push(id),
                    None => row_errors.push(CellError::new(
                        row,
                        col("investors"),
                        code,
                        "该投资方尚未在企业库登记，请先导入企业",
                    )),
                }
            }
            let id_text = ctx.map.get(row, "id").trim();
            let existing = match &key {
                Key::Id(id) => {
                    let r = found.by_id.get(id);
                    if r.is_none() {
                        row_errors.push(CellError::new(row, col("id"), id_text, "找不到该编号的项目"));
                    }
                    r
                }
                Key::BadId => {
                    row_errors.push(CellError::new(row, col("id"), id_text, "项目编号格式不正确"));
                    None
                }
                Key::Code(code) => found.by_code.get(code),
                Key::Name(name, region) => {
                    found.by_name.get(&(name.clone(), region.clone())).and_then(|id| found.by_id.get(id))
                }
            };
            // A project outside the scope reads like none: an id like an unknown id; a 项目代码, which is
            // unique, as already registered (what the project form says too); a name within a region out
            // of scope has its region refused already.
            let existing = match existing {
                Some(e) if !in_scope(ctx.user, perm, &e.region_path) => {
                    match &key {
                        Key::Id(_) => row_errors.push(CellError::new(row, col("id"), id_text, "找不到该编号的项目")),
                        Key::Code(code) => {
                            row_errors.push(CellError::new(row, col("code"), code, format!("项目代码“{code}”已登记")))
                        }
                        Key::Name(..) | Key::BadId if path.is_some() => {
                            row_errors.push(CellError::new(row, col("region"), &p.region, "不在您的管辖范围内"))
                        }
                        Key::Name(..) | Key::BadId => {}
                    }
                    None
                }
                other => other,
            };
            let dedup = existing
                .map(|e| e.p.id.to_string())
                .or(p.code.clone())
                .unwrap_or_else(|| format!("{}\u{1f}{}", p.name, p.region));
            if let Some(first) = seen.insert(dedup, row.number) {
                row_errors.push(CellError::new(row, col("name"), &p.name, format!("与第 {first} 行是同一项目")));
            }
            if !row_errors.is_empty() || path.is_none() {
                out.errors_from(row_errors);
                continue;
            }
            let before = existing.map(|e| Box::new(e.p.clone()));
            let mut after = before.clone().unwrap_or_else(|| Box::new(crate::projects::service::blank(now)));
            let old = after.clone();
            crate::projects::service::apply_parsed(&mut after, p);
            if let Some(b) = &before {
                let mut old_investors = found.investors.get(&b.id).cloned().unwrap_or_default();
                old_investors.sort();
                let mut new_investors = investors.clone();
                new_investors.sort();
                if serde_json::to_value(&*old).ok() == serde_json::to_value(&*after).ok()
                    && old_investors == new_investors
                {
                    out.unchanged += 1;
                    continue;
                }
            }
            after.updated_at = now;
            if before.is_some() {
                after.version += 1;
                out.updates += 1;
            } else {
                out.creates += 1;
            }
            ops.push((Planned { row: row.number, before, after }, investors));
        }
        if let Some((actor, file)) = ctx.writing(out) {
            apply::projects(ex, actor, file, &ops).await?;
        }
        done += chunk.len();
        (ctx.progress)(done);
    }
    Ok(())
}

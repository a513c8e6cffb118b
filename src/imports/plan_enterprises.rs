//! Planning an enterprise import: rows match stored enterprises by 统一社会信用代码.

use super::apply::{self, Planned};
use super::kinds::Kind;
use super::plan::{CHUNK, Ctx, Outcome, cell_errors, check_region, column, in_scope, input};
use super::{CellError, SheetRow};
use crate::accounts::model::Permission;
use crate::db::Ex;
use crate::enterprises::service::{Input, parse};
use crate::enterprises::store::{self as estore, Enterprise};
use crate::error::AppError;
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

fn blank(code: String, now: OffsetDateTime) -> Enterprise {
    Enterprise {
        id: Uuid::now_v7(),
        credit_code: code,
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
    }
}

fn same(b: &Enterprise, a: &Enterprise) -> bool {
    (&b.name, &b.region, &b.industry, &b.size, &b.ownership, b.tags, &b.origin, &b.origin_place)
        == (&a.name, &a.region, &a.industry, &a.size, &a.ownership, a.tags, &a.origin, &a.origin_place)
}

pub async fn run(ex: &mut Ex<'_>, ctx: &Ctx<'_>, rows: &[SheetRow], out: &mut Outcome) -> Result<(), AppError> {
    let columns = Kind::Enterprises.columns();
    let perm = Permission::EditEnterprises;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let now = OffsetDateTime::now_utc();
    let mut done = 0;
    for chunk in rows.chunks(CHUNK) {
        let parsed: Vec<_> = chunk
            .iter()
            .map(|row| {
                let i: Input = input(row, columns, ctx.map);
                (row, parse(&i), i)
            })
            .collect();
        let codes: Vec<String> =
            parsed.iter().filter_map(|(_, p, _)| p.as_ref().ok()).map(|p| p.credit_code.to_string()).collect();
        let stored: HashMap<String, estore::Row> =
            estore::by_credit_codes(ex, &codes).await?.into_iter().map(|r| (r.e.credit_code.clone(), r)).collect();
        let mut ops = Vec::new();
        for (row, p, i) in parsed {
            let p = match p {
                Ok(p) => p,
                Err(fields) => {
                    // Every error at once: the region's scope too, when the code itself is well formed.
                    let region_ok = !fields.iter().any(|f| f.field == "region");
                    out.errors_from(cell_errors(row, columns, ctx.map, fields));
                    if region_ok {
                        out.errors_from(check_region(row, columns, ctx, perm, i.region.trim()).err());
                    }
                    continue;
                }
            };
            let mut row_errors: Vec<CellError> = Vec::new();
            if let Err(e) = check_region(row, columns, ctx, perm, &p.region) {
                row_errors.push(e);
            }
            if let Some(code) = &p.industry {
                if !ctx.refs.industries.contains(code) {
                    row_errors.push(CellError::new(row, column(columns, "industry"), code, "不在 GB/T 4754-2017 中"));
                }
            }
            let code = p.credit_code.to_string();
            if let Some(first) = seen.insert(code.clone(), row.number) {
                row_errors.push(CellError::new(
                    row,
                    column(columns, "credit_code"),
                    &code,
                    format!("与第 {first} 行重复"),
                ));
            }
            let existing = stored.get(&code);
            if let Some(e) = existing {
                if !in_scope(ctx.user, perm, &e.region_path) {
                    row_errors.push(CellError::new(
                        row,
                        column(columns, "credit_code"),
                        &code,
                        "该企业由其他地区登记，您无权修改",
                    ));
                }
            }
            if !row_errors.is_empty() {
                out.errors_from(row_errors);
                continue;
            }
            let before = existing.map(|e| e.e.clone());
            let mut after = before.clone().unwrap_or_else(|| blank(code, now));
            after.search_key = crate::enterprises::model::search_key(&p.name);
            after.name = p.name;
            after.region = p.region;
            after.industry = p.industry;
            after.size = p.size.map(|s| s.label().into());
            after.ownership = p.ownership.map(|s| s.label().into());
            after.tags = p.tags.0;
            after.origin = p.origin.map(|s| s.label().into());
            after.origin_place = p.origin_place;
            if before.as_ref().is_some_and(|b| same(b, &after)) {
                out.unchanged += 1;
                continue;
            }
            after.updated_at = now;
            after.version += 1;
            if before.is_some() {
                out.updates += 1
            } else {
                out.creates += 1
            }
            ops.push(Planned { row: row.number, before, after });
        }
        if let Some((actor, file)) = ctx.writing(out) {
            apply::enterprises(ex, actor, file, &ops).await?;
        }
        done += chunk.len();
        (ctx.progress)(done);
    }
    Ok(())
}

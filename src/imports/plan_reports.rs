//! Planning a monthly-report import. A file may hold several months of one project, so the
//! "cumulative never falls" rule looks at the database's months and the file's own rows together;
//! rows are taken in month order so each is checked against the months before it.

use super::apply::{self, Planned};
use super::kinds::Kind;
use super::plan::{CHUNK, Ctx, Outcome, column};
use super::{CellError, Column, HeaderMap, SheetRow};
use crate::accounts::authz;
use crate::accounts::model::Permission;
use crate::db::Ex;
use crate::domain::money::Money;
use crate::error::AppError;
use crate::projects::store::Row;
use crate::projects::store_bulk;
use crate::reports::model::{Context, Input, YearMonth, check, is_late};
use crate::reports::store::{self as rstore, Report};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;
use uuid::Uuid;

fn col(key: &str) -> &'static Column {
    column(Kind::Reports.columns(), key)
}

enum Key {
    Id(Uuid),
    Code(String),
    Name(String, String),
}

/// Which project a row names, or why it names none.
fn key_of(row: &SheetRow, map: &HeaderMap) -> Result<Key, CellError> {
    let id = map.get(row, "project_id").trim();
    let code = map.get(row, "project_code").trim();
    let name = map.get(row, "project_name").trim();
    let region = map.get(row, "region").trim();
    if !id.is_empty() {
        Uuid::parse_str(id).map(Key::Id).map_err(|_| CellError::new(row, col("project_id"), id, "项目编号格式不正确"))
    } else if !code.is_empty() {
        Ok(Key::Code(code.into()))
    } else if !name.is_empty() && !region.is_empty() {
        Ok(Key::Name(name.into(), region.into()))
    } else {
        Err(CellError::new(row, col("project_id"), "", "须填写项目编号、项目代码，或项目名称与所属地区代码"))
    }
}

fn not_found(row: &SheetRow, key: &Key) -> CellError {
    match key {
        Key::Id(id) => CellError::new(row, col("project_id"), &id.to_string(), "找不到该项目"),
        Key::Code(c) => CellError::new(row, col("project_code"), c, "找不到该项目"),
        Key::Name(n, _) => CellError::new(row, col("project_name"), n, "找不到该项目"),
    }
}

/// The chunk's projects, fetched with a few bulk queries.
async fn projects(
    ex: &mut Ex<'_>,
    keys: &[&Key],
) -> Result<(HashMap<Uuid, Row>, HashMap<String, Uuid>, HashMap<(String, String), Uuid>), sqlx::Error> {
    let names: Vec<String> =
        keys.iter().filter_map(|k| if let Key::Name(n, _) = k { Some(n.clone()) } else { None }).collect();
    let mut by_name = HashMap::new();
    for (id, name, region) in store_bulk::ids_by_names(ex, &names).await? {
        by_name.entry((name, region)).or_insert(id);
    }
    let codes: Vec<String> =
        keys.iter().filter_map(|k| if let Key::Code(c) = k { Some(c.clone()) } else { None }).collect();
    let mut by_id: HashMap<Uuid, Row> = HashMap::new();
    let mut by_code = HashMap::new();
    for r in store_bulk::by_codes(ex, &codes).await? {
        by_code.insert(r.p.code.clone().unwrap_or_default(), r.p.id);
        by_id.insert(r.p.id, r);
    }
    let mut ids: Vec<Uuid> = keys.iter().filter_map(|k| if let Key::Id(id) = k { Some(*id) } else { None }).collect();
    ids.extend(by_name.values().copied());
    for r in store_bulk::get_many(ex, &ids).await? {
        by_id.insert(r.p.id, r);
    }
    Ok((by_id, by_code, by_name))
}

fn read_input(row: &SheetRow, map: &HeaderMap) -> Input {
    let g = |k: &str| map.get(row, k).to_string();
    Input {
        month: g("month"),
        invest_month: g("invest_month"),
        invest_cumulative: g("invest_cumulative"),
        funds_domestic: g("funds_domestic"),
        funds_foreign_usd: g("funds_foreign_usd"),
        tax: g("tax"),
        jobs: g("jobs"),
        output: g("output"),
        progress: g("progress"),
        problems: g("problems"),
        in_stats: g("in_stats"),
    }
}

fn same(b: &Report, a: &Report) -> bool {
    (b.invest_month, b.invest_cumulative, b.funds_domestic, b.funds_foreign_usd, b.tax, b.jobs, b.output)
        == (a.invest_month, a.invest_cumulative, a.funds_domestic, a.funds_foreign_usd, a.tax, a.jobs, a.output)
        && (&b.progress, &b.problems, b.in_stats) == (&a.progress, &a.problems, a.in_stats)
}

pub async fn run(ex: &mut Ex<'_>, ctx: &Ctx<'_>, rows: &[SheetRow], out: &mut Outcome) -> Result<(), AppError> {
    let today = crate::projects::service::today();
    let now = OffsetDateTime::now_utc();
    // Cumulative figures of the file's own rows planned so far, per project and month.
    let mut from_file: HashMap<Uuid, BTreeMap<String, i64>> = HashMap::new();
    let mut seen: HashMap<(Uuid, String), usize> = HashMap::new();
    let mut sorted: Vec<&SheetRow> = rows.iter().collect();
    sorted.sort_by_key(|r| (YearMonth::parse(ctx.map.get(r, "month")).ok(), r.number));
    let mut done = 0;
    for chunk in sorted.chunks(CHUNK) {
        let mut keyed = Vec::new();
        for row in chunk {
            match key_of(row, ctx.map) {
                Ok(k) => keyed.push((*row, k)),
                Err(e) => out.error(e),
            }
        }
        let (by_id, by_code, by_name) = projects(ex, &keyed.iter().map(|(_, k)| k).collect::<Vec<_>>()).await?;
        let ids: Vec<Uuid> = by_id.keys().copied().collect();
        let mut months: HashMap<Uuid, BTreeMap<String, i64>> = HashMap::new();
        let mut stored: HashMap<(Uuid, String), Report> = HashMap::new();
        for r in rstore::of_projects(ex, &ids).await? {
            months.entry(r.project_id).or_default().insert(r.month.clone(), r.invest_cumulative);
            stored.insert((r.project_id, r.month.clone()), r);
        }
        let mut ops = Vec::new();
        for (row, key) in keyed {
            let id = match &key {
                Key::Id(id) => Some(*id),
                Key::Code(c) => by_code.get(c).copied(),
                Key::Name(n, r) => by_name.get(&(n.clone(), r.clone())).copied(),
            };
            let Some(project) = id.and_then(|id| by_id.get(&id)) else {
                out.error(not_found(row, &key));
                continue;
            };
            // Out of scope reads exactly like unknown: the error must not tell that the project exists elsewhere.
            if authz::check(ctx.user, Permission::FileReports, Some(&project.region_path)).is_err() {
                out.error(not_found(row, &key));
                continue;
            }
            let pid = project.p.id;
            let input = read_input(row, ctx.map);
            let month_key = YearMonth::parse(&input.month).map(|m| m.label()).unwrap_or_default();
            let mut known = months.get(&pid).cloned().unwrap_or_default();
            known.extend(from_file.get(&pid).into_iter().flatten().map(|(m, v)| (m.clone(), *v)));
            let ym = |(m, v): (&String, &i64)| Some((YearMonth::parse(m).ok()?, Money(*v)));
            let checks = Context {
                today,
                total_investment: project.p.total_investment,
                previous: known.range(..month_key.clone()).next_back().and_then(ym),
                following: known.range(format!("{month_key}\u{0}")..).next().and_then(ym),
            };
            let parsed = match check(&input, &checks) {
                Ok(p) => p,
                Err(fields) => {
                    for f in fields {
                        let c = col(&f.field);
                        out.error(CellError::new(row, c, ctx.map.get(row, c.key), f.message));
                    }
                    continue;
                }
            };
            let key = (pid, parsed.month.label());
            if let Some(first) = seen.insert(key.clone(), row.number) {
                out.error(CellError::new(row, col("month"), &key.1, format!("与第 {first} 行是同一项目同一月份")));
                continue;
            }
            let before = stored.get(&key).cloned();
            let after = Report {
                id: before.as_ref().map(|b| b.id).unwrap_or_else(Uuid::now_v7),
                project_id: pid,
                month: key.1.clone(),
                invest_month: parsed.invest_month.0,
                invest_cumulative: parsed.invest_cumulative.0,
                funds_domestic: parsed.funds_domestic.0,
                funds_foreign_usd: parsed.funds_foreign_usd.0,
                tax: parsed.tax.0,
                jobs: parsed.jobs,
                output: parsed.output.0,
                progress: parsed.progress,
                problems: parsed.problems,
                in_stats: parsed.in_stats,
                late: before.as_ref().map(|b| b.late).unwrap_or_else(|| is_late(parsed.month, today)),
                filed_on: before.as_ref().map(|b| b.filed_on).unwrap_or(today),
                filed_by: ctx.user.username.clone(),
                created_at: before.as_ref().map(|b| b.created_at).unwrap_or(now),
                updated_at: now,
                version: before.as_ref().map(|b| b.version + 1).unwrap_or(1),
            };
            if before.as_ref().is_some_and(|b| same(b, &after)) {
                out.unchanged += 1;
                continue;
            }
            from_file.entry(pid).or_default().insert(key.1.clone(), after.invest_cumulative);
            if before.is_some() {
                out.updates += 1
            } else {
                out.creates += 1
            }
            ops.push((Planned { row: row.number, before, after }, project.p.region.clone()));
        }
        if let Some((actor, file)) = ctx.writing(out) {
            apply::reports(ex, actor, file, &ops).await?;
        }
        done += chunk.len();
        (ctx.progress)(done);
    }
    Ok(())
}

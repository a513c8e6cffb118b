//! Planning a monthly-report import. A file may hold several months of one project, so the
//! "cumulative never falls" rule looks at the database's months and the file's own rows together.

use super::kinds::Kind;
use super::plan::{Cumulatives, Op, Plan};
use super::{CellError, Column, HeaderMap, Sheet, SheetRow};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::db::Ex;
use crate::error::AppError;
use crate::projects::money::Money;
use crate::projects::store::{self as pstore, Row};
use crate::reports::model::{Context, Input, YearMonth, check, is_late};
use crate::reports::store::{self as rstore, Report};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

fn column<'a>(key: &str) -> &'a Column {
    let columns = Kind::Reports.columns();
    columns.iter().find(|c| c.key == key).unwrap_or(&columns[0])
}

async fn find_project(ex: &mut Ex<'_>, row: &SheetRow, map: &HeaderMap) -> Result<Result<Row, CellError>, sqlx::Error> {
    let id = map.get(row, "project_id").trim();
    let code = map.get(row, "project_code").trim();
    let name = map.get(row, "project_name").trim();
    let region = map.get(row, "region").trim();
    let found = if !id.is_empty() {
        match Uuid::parse_str(id) {
            Ok(u) => pstore::get(ex, u).await?,
            Err(_) => return Ok(Err(CellError::new(row, column("project_id"), id, "项目编号格式不正确"))),
        }
    } else if !code.is_empty() {
        pstore::by_code(ex, code).await?
    } else if !name.is_empty() && !region.is_empty() {
        let pid: Option<Uuid> = crate::q_scalar!(
            ex,
            fetch_optional,
            Uuid,
            "SELECT id FROM projects WHERE name = $1 AND region = $2 LIMIT 1",
            name,
            region
        )?;
        match pid {
            Some(p) => pstore::get(ex, p).await?,
            None => None,
        }
    } else {
        return Ok(Err(CellError::new(
            row,
            column("project_id"),
            "",
            "须填写项目编号、项目代码，或项目名称与所属地区代码",
        )));
    };
    Ok(found.ok_or_else(|| {
        let shown = [id, code, name].into_iter().find(|s| !s.is_empty()).unwrap_or("");
        CellError::new(
            row,
            column(if !id.is_empty() {
                "project_id"
            } else if !code.is_empty() {
                "project_code"
            } else {
                "project_name"
            }),
            shown,
            "找不到该项目",
        )
    }))
}

pub async fn plan(
    ex: &mut Ex<'_>,
    user: &CurrentUser,
    sheet: &Sheet,
    map: &HeaderMap,
    plan: &mut Plan,
) -> Result<(), AppError> {
    let columns = Kind::Reports.columns();
    let today = crate::projects::service::today();
    let now = OffsetDateTime::now_utc();
    let mut known: Cumulatives = HashMap::new();
    let mut existing_reports: HashMap<(Uuid, String), Report> = HashMap::new();
    let mut seen: HashMap<(Uuid, String), usize> = HashMap::new();
    // Earlier months first, so each row is checked against the months before it.
    let mut rows: Vec<&SheetRow> = sheet.rows.iter().collect();
    rows.sort_by_key(|r| (YearMonth::parse(map.get(r, "month")).ok(), r.number));
    for row in rows {
        let project = match find_project(ex, row, map).await? {
            Ok(p) => p,
            Err(e) => {
                plan.errors.push(e);
                continue;
            }
        };
        if authz::check(user, Permission::FileReports, Some(&project.region_path)).is_err() {
            plan.errors.push(CellError::new(row, column("project_name"), &project.p.name, "该项目不在您的管辖范围内"));
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(v) = known.entry(project.p.id) {
            let mut months = std::collections::BTreeMap::new();
            for r in rstore::of_project(ex, project.p.id).await? {
                months.insert(r.month.clone(), r.invest_cumulative);
                existing_reports.insert((project.p.id, r.month.clone()), r);
            }
            v.insert(months);
        }
        let mut input: Input = Input::default();
        for c in columns {
            let v = map.get(row, c.key).to_string();
            match c.key {
                "month" => input.month = v,
                "invest_month" => input.invest_month = v,
                "invest_cumulative" => input.invest_cumulative = v,
                "funds_domestic" => input.funds_domestic = v,
                "funds_foreign_usd" => input.funds_foreign_usd = v,
                "tax" => input.tax = v,
                "jobs" => input.jobs = v,
                "output" => input.output = v,
                "progress" => input.progress = v,
                "problems" => input.problems = v,
                "in_stats" => input.in_stats = v,
                _ => {}
            }
        }
        let month_key = YearMonth::parse(&input.month).map(|m| m.label()).unwrap_or_default();
        let months = &known[&project.p.id];
        let ctx = Context {
            today,
            total_investment: Money(project.p.total_investment),
            previous: months
                .range(..month_key.clone())
                .next_back()
                .and_then(|(m, v)| Some((YearMonth::parse(m).ok()?, Money(*v)))),
            following: months
                .range(format!("{month_key}\u{0}")..)
                .next()
                .and_then(|(m, v)| Some((YearMonth::parse(m).ok()?, Money(*v)))),
        };
        let parsed = match check(&input, &ctx) {
            Ok(p) => p,
            Err(fields) => {
                for f in fields {
                    let c = column(&f.field);
                    plan.errors.push(CellError::new(row, c, map.get(row, c.key), f.message));
                }
                continue;
            }
        };
        let key = (project.p.id, parsed.month.label());
        if let Some(first) = seen.insert(key.clone(), row.number) {
            plan.errors.push(CellError::new(
                row,
                column("month"),
                &key.1,
                format!("与第 {first} 行是同一项目同一月份"),
            ));
            continue;
        }
        let before = existing_reports.get(&key).cloned();
        let after = Report {
            id: before.as_ref().map(|b| b.id).unwrap_or_else(Uuid::now_v7),
            project_id: project.p.id,
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
            filed_by: user.username.clone(),
            created_at: before.as_ref().map(|b| b.created_at).unwrap_or(now),
            updated_at: now,
            version: before.as_ref().map(|b| b.version + 1).unwrap_or(1),
        };
        if let Some(b) = &before {
            let same = (
                b.invest_month,
                b.invest_cumulative,
                b.funds_domestic,
                b.funds_foreign_usd,
                b.tax,
                b.jobs,
                b.output,
                &b.progress,
                &b.problems,
                b.in_stats,
            ) == (
                after.invest_month,
                after.invest_cumulative,
                after.funds_domestic,
                after.funds_foreign_usd,
                after.tax,
                after.jobs,
                after.output,
                &after.progress,
                &after.problems,
                after.in_stats,
            );
            if same {
                plan.unchanged += 1;
                continue;
            }
        }
        known.get_mut(&project.p.id).expect("loaded").insert(key.1.clone(), after.invest_cumulative);
        if before.is_some() {
            plan.updates += 1
        } else {
            plan.creates += 1
        }
        plan.ops.push(Op::Report { row: row.number, region: project.p.region.clone(), before, after });
    }
    plan.errors.sort_by_key(|e| e.row);
    Ok(())
}

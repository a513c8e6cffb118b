//! Figures use cases: a region's figures for a period by the units below it and by department (the
//! page, the workbook and the API show the same report), and any region's figures at a glance.

use super::model::{Fact, Figures, child_code, compute};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::db::Db;
use crate::enterprise_service::appeals::store::{self as store, FactRow};
use crate::enterprise_service::filters::{date_opt, region_path};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;
use uuid::Uuid;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FiguresQuery {
    pub region: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

pub struct Line {
    /// Region code or department id (for links); empty for totals.
    pub key: String,
    pub name: String,
    pub f: Figures,
}

pub struct Report {
    pub base_name: String,
    pub base_code: String,
    pub from: Date,
    pub to: Date,
    pub total: Figures,
    pub regions: Vec<Line>,
    pub departments: Vec<Line>,
}

fn facts_of<'a>(rows: impl Iterator<Item = &'a FactRow>) -> Vec<Fact> {
    rows.map(|r| r.fact()).collect()
}

pub async fn report(db: &Db, user: &CurrentUser, q: &FiguresQuery) -> AppResult<Report> {
    let today = crate::projects::service::today();
    let from = date_opt("from", "受理日期起", &q.from)?
        .unwrap_or_else(|| Date::from_calendar_date(today.year(), time::Month::January, 1).expect("valid"));
    let to = date_opt("to", "受理日期止", &q.to)?.unwrap_or(today);
    if to < from {
        return Err(AppError::field("to", format!("受理日期止 {to} 早于起 {from}")));
    }
    let scopes = crate::accounts::service::scope_paths(user, Permission::ViewBusiness);
    let rp = region_path(db, user, Permission::ViewBusiness, &q.region).await?;
    let paths = match &rp {
        Some(p) => vec![p.clone()],
        None => scopes.clone(),
    };
    let base = paths.first().cloned().unwrap_or_else(|| "/".into());
    let mut conn = db.conn().await?;
    let rows = store::facts(&mut conn.ex(), &paths, None, from, to).await?;
    let base_code = base.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
    let base_region = crate::regions::store::get(&mut conn.ex(), &base_code).await?;
    let base_name = base_region.as_ref().map(|r| r.name.clone()).unwrap_or_default();
    let total = compute(&facts_of(rows.iter()), today);

    // By the unit one level below the base (appeals owned by the base itself: "本级").
    let depth = base.split('/').filter(|s| !s.is_empty()).count();
    let mut by_unit: BTreeMap<String, Vec<&FactRow>> = BTreeMap::new();
    for r in &rows {
        by_unit.entry(child_code(&r.region_path, depth)).or_default().push(r);
    }
    let mut regions = Vec::new();
    for (code, group) in &by_unit {
        let name = if code.is_empty() {
            format!("{base_name}本级")
        } else {
            crate::regions::store::get(&mut conn.ex(), code)
                .await?
                .map(|r| r.display_name().to_string())
                .unwrap_or(code.clone())
        };
        regions.push(Line { key: code.clone(), name, f: compute(&facts_of(group.iter().copied()), today) });
    }

    let mut by_dept: BTreeMap<Option<Uuid>, Vec<&FactRow>> = BTreeMap::new();
    for r in &rows {
        by_dept.entry(r.department_id).or_default().push(r);
    }
    let mut departments = Vec::new();
    for (id, group) in &by_dept {
        let name = match id {
            Some(id) => crate::enterprise_service::departments::store::get(&mut conn.ex(), *id)
                .await?
                .map(|d| d.label())
                .unwrap_or_default(),
            None => "未交办（待受理或当场答复）".into(),
        };
        departments.push(Line {
            key: id.map(|i| i.to_string()).unwrap_or_default(),
            name,
            f: compute(&facts_of(group.iter().copied()), today),
        });
    }
    departments.sort_by(|a, b| b.f.collected.cmp(&a.f.collected).then_with(|| a.name.cmp(&b.name)));
    Ok(Report { base_name, base_code, from, to, total, regions, departments })
}

/// A region's service figures, and those of each unit one level below it (by `child_code`), for
/// appeals received from `from` to `to` (days, Beijing time, both included), as of `today` — for
/// the evaluation cockpit and any page that shows a region's service at a glance.
pub async fn by_child(
    ex: &mut crate::db::Ex<'_>,
    region_path: &str,
    from: Date,
    to: Date,
    today: Date,
) -> Result<(Figures, BTreeMap<String, Figures>), sqlx::Error> {
    let rows = store::facts(ex, &[region_path.to_string()], None, from, to).await?;
    let depth = region_path.split('/').filter(|s| !s.is_empty()).count();
    let facts: Vec<(String, Fact)> = rows.iter().map(|r| (child_code(&r.region_path, depth), r.fact())).collect();
    let mut groups: BTreeMap<&str, Vec<&Fact>> = BTreeMap::new();
    for (code, f) in &facts {
        groups.entry(code.as_str()).or_default().push(f);
    }
    let units = groups.into_iter().map(|(code, v)| (code.to_string(), compute(v, today))).collect();
    Ok((compute(facts.iter().map(|(_, f)| f), today), units))
}

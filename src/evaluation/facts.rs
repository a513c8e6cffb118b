//! Gathering the additive facts of every unit under a scope for a period, from projects, monthly
//! reports and tag events. Rows come back per region path and are summed into units (the regions
//! one level below the scope) in Rust, so one pass serves every unit.

use super::indicators::Facts;
use super::period::Period;
use crate::db::{Ex, fetch_all_binds};
use crate::projects::speed::unit_of;
use std::collections::BTreeMap;
use time::Date;

/// 元 per US dollar for 到位外资 (reports keep foreign funds in US cents): 7.10 until an
/// administrator sets the year's rate in the evaluation settings.
pub const DEFAULT_USD_RATE_PER_MILLE: i64 = 7100;

#[derive(sqlx::FromRow)]
pub struct Signed {
    pub region_path: String,
    pub industrial: bool,
    pub amount: i64,
    pub planned_start: Option<Date>,
    pub actual_start: Option<Date>,
}

/// Counts one project signed in the window into its unit's facts. A withdrawn (退出) project still
/// counts: it was signed, and if it was due to start and did not, that is what the rate measures.
pub fn tally_signed(f: &mut Facts, s: &Signed, end: Date) {
    f.signed += 1;
    f.signed_amount += s.amount;
    if s.industrial {
        f.signed_industrial += 1;
        f.signed_industrial_amount += s.amount;
    }
    let started = s.actual_start.is_some_and(|d| d <= end);
    if started || s.planned_start.is_some_and(|d| d <= end) {
        f.due_to_start += 1;
        f.started += started as i64;
    }
}

#[derive(sqlx::FromRow)]
struct Sums {
    region_path: String,
    month: String,
    invest: i64,
    funds_domestic: i64,
    funds_foreign_usd: i64,
    tax: i64,
    jobs: i64,
}

#[derive(sqlx::FromRow)]
struct PathSum {
    region_path: String,
    funds_domestic: i64,
    funds_foreign_usd: i64,
}

#[derive(sqlx::FromRow)]
struct TagCount {
    region_path: String,
    tag: String,
    n: i64,
}

/// Foreign funds (US cents) in 分 at the rate (元 per 1000 dollars).
pub fn usd_to_fen(usd_cents: i64, rate_per_mille: i64) -> i64 {
    usd_cents * rate_per_mille / 1000
}

/// How region paths group into units: the node `depth` deep (a scope's children), or the park
/// (园区 or 功能区) a path lies in — paths in no park count for none.
pub enum Units {
    Depth(usize),
    Parks(std::collections::HashSet<String>),
}

impl Units {
    pub fn of(&self, path: &str) -> Option<String> {
        match self {
            Units::Depth(d) => Some(unit_of(path, *d)),
            Units::Parks(parks) => {
                let mut end = path.len();
                // The deepest park whose path is a prefix of this one.
                while end > 1 {
                    let prefix = &path[..end];
                    if parks.contains(prefix) {
                        return Some(prefix.to_string());
                    }
                    end = path[..end - 1].rfind('/').map(|i| i + 1).unwrap_or(0);
                }
                None
            }
        }
    }
}

/// Facts per unit under `scope_path` (keys are unit paths), for `period`.
pub async fn by_unit(
    ex: &mut Ex<'_>,
    scope_path: &str,
    units: &Units,
    period: Period,
    usd_rate: i64,
) -> Result<BTreeMap<String, Facts>, sqlx::Error> {
    let (d0, d1) = period.days();
    let (m0, m1) = period.months();
    let (m0, m1) = (m0.label(), m1.label());
    let scope = format!("{scope_path}%");
    let mut out: BTreeMap<String, Facts> = BTreeMap::new();

    let signed: Vec<Signed> = fetch_all_binds(
        ex,
        &format!(
            "SELECT g.path AS region_path, p.industrial, COALESCE(p.contracted_amount, p.total_investment) AS amount,
               p.planned_start, p.actual_start
             FROM projects p JOIN regions g ON g.code = p.region
             WHERE g.path LIKE $1 AND p.actual_sign >= '{d0}' AND p.actual_sign <= '{d1}'"
        ),
        &[scope.clone()],
    )
    .await?;
    for s in signed {
        let Some(f) = entry(&mut out, units, &s.region_path) else { continue };
        tally_signed(f, &s, d1);
    }

    let funds: Vec<PathSum> = fetch_all_binds(
        ex,
        &format!(
            "SELECT g.path AS region_path, CAST(COALESCE(SUM(r.funds_domestic), 0) AS BIGINT) AS funds_domestic,
               CAST(COALESCE(SUM(r.funds_foreign_usd), 0) AS BIGINT) AS funds_foreign_usd
             FROM monthly_reports r JOIN projects p ON p.id = r.project_id JOIN regions g ON g.code = p.region
             WHERE g.path LIKE $1 AND p.actual_sign >= '{d0}' AND p.actual_sign <= '{d1}' AND r.month <= '{m1}'
             GROUP BY g.path"
        ),
        &[scope.clone()],
    )
    .await?;
    for s in funds {
        let Some(f) = entry(&mut out, units, &s.region_path) else { continue };
        f.funds_of_signed += s.funds_domestic + usd_to_fen(s.funds_foreign_usd, usd_rate);
    }

    for s in monthly(ex, scope_path, &m0, &m1).await? {
        let Some(f) = entry(&mut out, units, &s.region_path) else { continue };
        f.invest += s.invest;
        f.funds += s.funds_domestic + usd_to_fen(s.funds_foreign_usd, usd_rate);
        f.tax += s.tax;
        if s.month == m1 {
            f.jobs += s.jobs;
        }
    }

    let tags: Vec<TagCount> = fetch_all_binds(
        ex,
        &format!(
            "SELECT g.path AS region_path, t.tag, COUNT(DISTINCT t.enterprise_id) AS n
             FROM enterprise_tag_events t JOIN enterprises e ON e.id = t.enterprise_id JOIN regions g ON g.code = e.region
             WHERE g.path LIKE $1 AND t.added = TRUE AND t.on_date >= '{d0}' AND t.on_date <= '{d1}'
             GROUP BY g.path, t.tag"
        ),
        &[scope],
    )
    .await?;
    for t in tags {
        let Some(f) = entry(&mut out, units, &t.region_path) else { continue };
        match t.tag.as_str() {
            "规上" => f.new_above_scale += t.n,
            "百亿企业" => f.new_hundred_billion += t.n,
            "小巨人" => f.new_little_giants += t.n,
            _ => {}
        }
    }
    Ok(out)
}

fn entry<'a>(out: &'a mut BTreeMap<String, Facts>, units: &Units, path: &str) -> Option<&'a mut Facts> {
    Some(out.entry(units.of(path)?).or_default())
}

/// Report sums per region path and month within [m0, m1], from `report_sums` (kept by triggers
/// in step with monthly_reports and with projects' regions; see migration 0022).
async fn monthly(ex: &mut Ex<'_>, scope_path: &str, m0: &str, m1: &str) -> Result<Vec<Sums>, sqlx::Error> {
    fetch_all_binds(
        ex,
        &format!(
            "SELECT g.path AS region_path, s.month, CAST(SUM(s.invest) AS BIGINT) AS invest,
               CAST(SUM(s.funds_domestic) AS BIGINT) AS funds_domestic,
               CAST(SUM(s.funds_foreign_usd) AS BIGINT) AS funds_foreign_usd, CAST(SUM(s.tax) AS BIGINT) AS tax,
               CAST(SUM(s.jobs) AS BIGINT) AS jobs
             FROM report_sums s JOIN regions g ON g.code = s.region
             WHERE g.path LIKE $1 AND s.month >= '{m0}' AND s.month <= '{m1}' AND s.reports <> 0
             GROUP BY g.path, s.month"
        ),
        &[format!("{scope_path}%")],
    )
    .await
}

/// One month of the scope's trend: 完成投资 and 到位资金 in 分.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct MonthSums {
    pub invest: i64,
    pub funds: i64,
}

/// The scope's monthly 完成投资 and 到位资金 from `m0` to `m1` (months with no reports are absent).
pub async fn trend(
    ex: &mut Ex<'_>,
    scope_path: &str,
    m0: &str,
    m1: &str,
    usd_rate: i64,
) -> Result<BTreeMap<String, MonthSums>, sqlx::Error> {
    let mut out: BTreeMap<String, MonthSums> = BTreeMap::new();
    for s in monthly(ex, scope_path, m0, m1).await? {
        let m = out.entry(s.month).or_default();
        m.invest += s.invest;
        m.funds += s.funds_domestic + usd_to_fen(s.funds_foreign_usd, usd_rate);
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct StageCount {
    stage: String,
    n: i64,
    total: i64,
}

/// Projects in the scope per stage: (count, 总投资), for the stage funnel.
pub async fn stages(ex: &mut Ex<'_>, scope_path: &str) -> Result<BTreeMap<String, (i64, i64)>, sqlx::Error> {
    let rows: Vec<StageCount> = fetch_all_binds(
        ex,
        "SELECT p.stage, COUNT(*) AS n, CAST(COALESCE(SUM(p.total_investment), 0) AS BIGINT) AS total
         FROM projects p JOIN regions g ON g.code = p.region
         WHERE g.path LIKE $1 AND p.health <> 'exited' GROUP BY p.stage",
        &[format!("{scope_path}%")],
    )
    .await?;
    Ok(rows.into_iter().map(|r| (r.stage, (r.n, r.total))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_group_into_children_or_into_the_park_they_lie_in() {
        assert_eq!(Units::Depth(2).of("/43/4301/430112/"), Some("/43/4301/".into()));
        let parks = Units::Parks(["/43/4301/430112/43011251/".to_string(), "/43/4301/430171/".to_string()].into());
        assert_eq!(parks.of("/43/4301/430112/43011251/"), Some("/43/4301/430112/43011251/".into()));
        assert_eq!(parks.of("/43/4301/430171/"), Some("/43/4301/430171/".into()));
        assert_eq!(parks.of("/43/4301/430112/"), None, "a county outside any park counts for none");
    }

    #[test]
    fn a_signed_project_counts_as_due_once_planned_or_started_and_started_only_by_the_end() {
        use time::macros::date;
        let end = date!(2026 - 09 - 30);
        let row = |planned: Option<Date>, actual: Option<Date>, industrial: bool| Signed {
            region_path: "/43/4301/".into(),
            industrial,
            amount: 100,
            planned_start: planned,
            actual_start: actual,
        };
        let mut f = Facts::default();
        // Due and started; due, not started (withdrawn projects are among these); planned for next
        // year; started early though planned later; started after the window.
        tally_signed(&mut f, &row(Some(date!(2026 - 08 - 01)), Some(date!(2026 - 08 - 05)), true), end);
        tally_signed(&mut f, &row(Some(date!(2026 - 09 - 01)), None, true), end);
        tally_signed(&mut f, &row(Some(date!(2027 - 03 - 01)), None, false), end);
        tally_signed(&mut f, &row(Some(date!(2027 - 01 - 01)), Some(date!(2026 - 09 - 20)), false), end);
        tally_signed(&mut f, &row(Some(date!(2026 - 09 - 10)), Some(date!(2026 - 10 - 02)), false), end);
        assert_eq!((f.signed, f.signed_amount, f.signed_industrial, f.signed_industrial_amount), (5, 500, 2, 200));
        assert_eq!((f.due_to_start, f.started), (4, 2), "1st, 2nd, 4th and 5th were due; 1st and 4th started");
        assert_eq!(super::super::indicators::value("start_rate", &f), Some(50.0));
    }

    #[test]
    fn foreign_funds_convert_at_the_rate() {
        // 1 万美元 = 1,000,000 US cents; at 7.10 that is 7.1 万元 = 7,100,000 分.
        assert_eq!(usd_to_fen(1_000_000, DEFAULT_USD_RATE_PER_MILLE), 7_100_000);
    }
}

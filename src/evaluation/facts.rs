//! Gathering the additive facts of every unit under a scope for a period, from projects, monthly
//! reports and tag events. Rows come back per region path and are summed into units (the regions
//! one level below the scope) in Rust, so one pass serves every unit.

use super::indicators::Facts;
use super::kept::{OfPath, Source, kept_sums};
use super::period::Period;
use super::signed::{signed, tally_signed};
use crate::cache::{Area, FIGURE_CACHE};
use crate::db::{Db, fetch_all_binds};
use crate::error::AppResult;
use crate::projects::speed::unit_of;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Each part of the facts is kept under the areas it reads, so that a report filed brings the report
/// sums up to date but not the projects signed in the window, and a project edited keeps the tag
/// history (see [`super::kept`]). The whole evaluation is then assembled from parts.
const TAGS_READS: &[Area] = &[Area::Enterprises, Area::Reference];

/// 元 per US dollar for 到位外资 (reports keep foreign funds in US cents): 7.10 until an
/// administrator sets the year's rate in the evaluation settings.
pub const DEFAULT_USD_RATE_PER_MILLE: i64 = 7100;

#[derive(sqlx::FromRow, Clone)]
struct Sums {
    region_path: String,
    month: String,
    invest: i64,
    funds_domestic: i64,
    funds_foreign_usd: i64,
}

/// A region's report sums over a window; jobs (a headcount, not a flow) as of its last month.
#[derive(sqlx::FromRow, Clone)]
struct WindowSums {
    region_path: String,
    invest: i64,
    funds_domestic: i64,
    funds_foreign_usd: i64,
    tax: i64,
    jobs: i64,
}

#[derive(sqlx::FromRow, Clone)]
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
    db: &Db,
    scope_path: &str,
    units: &Units,
    period: Period,
    usd_rate: i64,
) -> AppResult<BTreeMap<String, Facts>> {
    let (d0, d1) = period.days();
    let (month0, month1) = period.months();
    let (m0, m1) = (month0.label(), month1.label());
    let (d0, d1) = (d0.to_string(), d1.to_string());
    // The four parts at once, each on a connection of its own: a cold province cockpit waited for
    // them one after another while the second core idled.
    let (signed, funds, monthly, tags) = tokio::try_join!(
        Box::pin(signed(db, scope_path, month0, month1)),
        Box::pin(funds_of_signed(db, scope_path, &m0, &m1)),
        Box::pin(window_sums(db, scope_path, &m0, &m1)),
        Box::pin(tags(db, scope_path, &d0, &d1)),
    )?;
    let mut out: BTreeMap<String, Facts> = BTreeMap::new();
    for s in signed.iter() {
        let Some(f) = entry(&mut out, units, &s.region_path) else { continue };
        tally_signed(f, s);
    }
    for s in funds.iter() {
        let Some(f) = entry(&mut out, units, &s.region_path) else { continue };
        f.funds_of_signed += s.funds_domestic + usd_to_fen(s.funds_foreign_usd, usd_rate);
    }
    for s in monthly.iter() {
        let Some(f) = entry(&mut out, units, &s.region_path) else { continue };
        f.invest += s.invest;
        f.funds += s.funds_domestic + usd_to_fen(s.funds_foreign_usd, usd_rate);
        f.tax += s.tax;
        f.jobs += s.jobs;
    }
    for t in tags.iter() {
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

/// Rows of `sql` (its one bind: the scope's subtree pattern), kept under `key` until an area in
/// `reads` changes. Each part of the facts is one of these.
async fn kept_rows<T>(db: &Db, reads: &[Area], key: String, sql: String, scope_path: &str) -> AppResult<Arc<Vec<T>>>
where
    T: crate::db::AnyRow + Sync + 'static,
{
    FIGURE_CACHE
        .get_or(db, reads, key, async {
            let mut conn = db.conn().await?;
            Ok(fetch_all_binds(&mut conn.ex(), &sql, &[format!("{scope_path}%")]).await?)
        })
        .await
}

/// 到位资金 of the projects signed in the window, reported by its last month (signed_funds:
/// migration 0024).
async fn funds_of_signed(db: &Db, scope_path: &str, m0: &str, m1: &str) -> AppResult<Arc<Vec<PathSum>>> {
    let (m0, m1) = (checked_month(m0)?, checked_month(m1)?);
    // Grouped by region code in the key's order and joined to the regions after, as `signed`.
    let sql = format!(
        "SELECT g.path AS region_path, x.funds_domestic, x.funds_foreign_usd
         FROM (SELECT s.region, CAST(COALESCE(SUM(s.funds_domestic), 0) AS BIGINT) AS funds_domestic,
                 CAST(COALESCE(SUM(s.funds_foreign_usd), 0) AS BIGINT) AS funds_foreign_usd
               FROM signed_funds s
               WHERE s.region IN (SELECT code FROM regions WHERE path LIKE $1)
                 AND s.sign_month >= '{m0}' AND s.sign_month <= '{m1}' AND s.month <= '{m1}' {{touched}}
               GROUP BY s.region) x
         JOIN regions g ON g.code = x.region"
    );
    kept_sums(db, Source::SignedFunds, format!("facts-funds:{scope_path}:{m0}:{m1}"), sql, scope_path, Some((m0, m1)))
        .await
}

/// Enterprises that gained a tag from `d0` to `d1`, per region path and tag.
async fn tags(db: &Db, scope_path: &str, d0: &str, d1: &str) -> AppResult<Arc<Vec<TagCount>>> {
    let (d0, d1) = (checked_day(d0)?, checked_day(d1)?);
    let sql = format!(
        "SELECT g.path AS region_path, t.tag, COUNT(DISTINCT t.enterprise_id) AS n
             FROM enterprise_tag_events t JOIN enterprises e ON e.id = t.enterprise_id
               JOIN regions g ON g.code = e.region
             WHERE g.path LIKE $1 AND t.added = TRUE AND t.on_date >= '{d0}' AND t.on_date <= '{d1}'
             GROUP BY g.path, t.tag"
    );
    kept_rows(db, TAGS_READS, format!("facts-tags:{scope_path}:{d0}:{d1}"), sql, scope_path).await
}

/// Days and months go into these statements as text (PostgreSQL compares a `date` column with a
/// literal, not with a text bind); they come from `Period`, and are checked here all the same.
fn checked_day(d: &str) -> AppResult<&str> {
    let ok = d.len() == 10
        && d.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if ok { Ok(d) } else { Err(crate::error::AppError::invalid(format!("日期“{d}”无效"))) }
}

fn checked_month(m: &str) -> AppResult<&str> {
    let ok = m.len() == 7 && m.bytes().enumerate().all(|(i, b)| if i == 4 { b == b'-' } else { b.is_ascii_digit() });
    if ok { Ok(m) } else { Err(crate::error::AppError::invalid(format!("月份“{m}”无效"))) }
}

fn entry<'a>(out: &'a mut BTreeMap<String, Facts>, units: &Units, path: &str) -> Option<&'a mut Facts> {
    Some(out.entry(units.of(path)?).or_default())
}

/// Report sums per region path over the window [m0, m1], summed in SQL (one row a region: the rows
/// of every month, brought across one by one, cost a cold cockpit more than reading them) from the
/// covering index on report_sums (migration 0032), in its order.
async fn window_sums(db: &Db, scope_path: &str, m0: &str, m1: &str) -> AppResult<Arc<Vec<WindowSums>>> {
    let (m0, m1) = (checked_month(m0)?, checked_month(m1)?);
    let sql = format!(
        "SELECT g.path AS region_path, x.invest, x.funds_domestic, x.funds_foreign_usd, x.tax, x.jobs
         FROM (SELECT s.region, CAST(SUM(s.invest) AS BIGINT) AS invest,
                 CAST(SUM(s.funds_domestic) AS BIGINT) AS funds_domestic,
                 CAST(SUM(s.funds_foreign_usd) AS BIGINT) AS funds_foreign_usd, CAST(SUM(s.tax) AS BIGINT) AS tax,
                 CAST(SUM(CASE WHEN s.month = '{m1}' THEN s.jobs ELSE 0 END) AS BIGINT) AS jobs
               FROM report_sums s
               WHERE s.region IN (SELECT code FROM regions WHERE path LIKE $1)
                 AND s.month >= '{m0}' AND s.month <= '{m1}' AND s.reports <> 0 {{touched}}
               GROUP BY s.region) x
         JOIN regions g ON g.code = x.region"
    );
    kept_sums(db, Source::Reports, format!("facts-window:{scope_path}:{m0}:{m1}"), sql, scope_path, Some((m0, m1)))
        .await
}

/// Report sums per region path and month within [m0, m1], from `report_sums` (kept by triggers
/// in step with monthly_reports and with projects' regions; see migration 0022). A row of the table
/// is already one region's month (its key), so there is nothing to group: grouping by the joined
/// path only sorted every row again in a temporary b-tree.
async fn monthly(db: &Db, scope_path: &str, m0: &str, m1: &str) -> AppResult<Arc<Vec<Sums>>> {
    let (m0, m1) = (checked_month(m0)?, checked_month(m1)?);
    let sql = format!(
        "SELECT g.path AS region_path, s.month, s.invest, s.funds_domestic, s.funds_foreign_usd
         FROM report_sums s JOIN regions g ON g.code = s.region
         WHERE g.path LIKE $1 AND s.month >= '{m0}' AND s.month <= '{m1}' AND s.reports <> 0 {{touched}}"
    );
    kept_sums(db, Source::Reports, format!("facts-monthly:{scope_path}:{m0}:{m1}"), sql, scope_path, Some((m0, m1)))
        .await
}

impl OfPath for Sums {
    fn path(&self) -> &str {
        &self.region_path
    }
}

impl OfPath for WindowSums {
    fn path(&self) -> &str {
        &self.region_path
    }
}

impl OfPath for PathSum {
    fn path(&self) -> &str {
        &self.region_path
    }
}

/// One month of the scope's trend: 完成投资 and 到位资金 in 分.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct MonthSums {
    pub invest: i64,
    pub funds: i64,
}

/// The scope's monthly 完成投资 and 到位资金 from `m0` to `m1` (months with no reports are absent).
pub async fn trend(
    db: &Db,
    scope_path: &str,
    m0: &str,
    m1: &str,
    usd_rate: i64,
) -> AppResult<BTreeMap<String, MonthSums>> {
    let mut out: BTreeMap<String, MonthSums> = BTreeMap::new();
    for s in monthly(db, scope_path, m0, m1).await?.iter() {
        let m = out.entry(s.month.clone()).or_default();
        m.invest += s.invest;
        m.funds += s.funds_domestic + usd_to_fen(s.funds_foreign_usd, usd_rate);
    }
    Ok(out)
}

#[derive(sqlx::FromRow, Clone)]
struct StageCount {
    region_path: String,
    stage: String,
    n: i64,
    total: i64,
}

impl OfPath for StageCount {
    fn path(&self) -> &str {
        &self.region_path
    }
}

/// Projects in the scope per stage: (count, 总投资), for the stage funnel (project_sums: migration
/// 0024), kept per region path and brought up to date after a save like the other parts.
pub async fn stages(db: &Db, scope_path: &str) -> AppResult<BTreeMap<String, (i64, i64)>> {
    // One row of project_sums a region, stage and exited or not (its key): nothing to group.
    let sql = "SELECT g.path AS region_path, s.stage, s.projects AS n, s.total
               FROM project_sums s JOIN regions g ON g.code = s.region
               WHERE g.path LIKE $1 AND s.exited = FALSE AND s.projects <> 0 {touched}";
    let rows: Arc<Vec<StageCount>> =
        kept_sums(db, Source::ProjectSums, format!("facts-stages:{scope_path}"), sql.into(), scope_path, None).await?;
    let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for r in rows.iter() {
        let e = out.entry(r.stage.clone()).or_default();
        e.0 += r.n;
        e.1 += r.total;
    }
    out.retain(|_, (n, _)| *n != 0);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::kept::merge_by_path;
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
    fn updated_sums_replace_every_row_of_the_regions_touched_and_keep_the_rest() {
        let row = |path: &str, month: &str, invest: i64| Sums {
            region_path: path.into(),
            month: month.into(),
            invest,
            funds_domestic: 0,
            funds_foreign_usd: 0,
        };
        let kept =
            vec![row("/43/4301/", "2026-01", 10), row("/43/4301/", "2026-02", 20), row("/43/4302/", "2026-01", 5)];
        // 长沙 touched: its January moved, its February fell to nothing (no row now); 株洲 untouched.
        let touched = ["/43/4301/".to_string(), "/43/4303/".to_string()].into();
        let merged =
            merge_by_path(&kept, &touched, vec![row("/43/4301/", "2026-01", 11), row("/43/4303/", "2026-01", 7)]);
        let got: Vec<_> = merged.iter().map(|r| (r.region_path.as_str(), r.month.as_str(), r.invest)).collect();
        assert_eq!(got, [("/43/4302/", "2026-01", 5), ("/43/4301/", "2026-01", 11), ("/43/4303/", "2026-01", 7)]);
    }

    #[test]
    fn foreign_funds_convert_at_the_rate() {
        // 1 万美元 = 1,000,000 US cents; at 7.10 that is 7.1 万元 = 7,100,000 分.
        assert_eq!(usd_to_fen(1_000_000, DEFAULT_USD_RATE_PER_MILLE), 7_100_000);
    }
}

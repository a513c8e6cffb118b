//! Projects signed in a window, per region path: how many, their 签约额 (all and 产业项目 alone), and
//! how many were due to start and had started by the window's end — read from `signing_months`.

use super::indicators::Facts;
use super::kept::{OfPath, Source, kept_sums};
use crate::db::Db;
use crate::error::AppResult;
use crate::reports::model::YearMonth;
use std::sync::Arc;

/// Projects signed in the window, per region path, counted in SQL: how many and their 签约额
/// (contracted, else total), all and 产业项目 alone; how many were due to start by the window's end
/// (planned or actually started by then) and how many had started. A withdrawn (退出) project still
/// counts: it was signed, and if it was due to start and did not, that is what the rate measures.
#[derive(sqlx::FromRow, Clone)]
pub struct Signed {
    pub region_path: String,
    pub projects: i64,
    pub amount: i64,
    pub industrial_projects: i64,
    pub industrial_amount: i64,
    pub due: i64,
    pub started: i64,
}

/// Counts the projects of a region signed in the window into its unit's facts.
pub fn tally_signed(f: &mut Facts, s: &Signed) {
    f.signed += s.projects;
    f.signed_amount += s.amount;
    f.signed_industrial += s.industrial_projects;
    f.signed_industrial_amount += s.industrial_amount;
    f.due_to_start += s.due;
    f.started += s.started;
}

impl OfPath for Signed {
    fn path(&self) -> &str {
        &self.region_path
    }
}

/// Projects signed from `m0` to `m1` (months of one year) per region path, from `signing_months`
/// (migration 0031): one row per signing month and region, whose `due_k` and `started_k` count the
/// projects due to start, and started, by the end of the k-th month after signing. A month signed
/// `k` months before the window's last month reads its k-th column. Grouped by region code and joined
/// to the regions after; brought up to date after a save by re-reading the regions it touched.
pub async fn signed(db: &Db, scope_path: &str, m0: YearMonth, m1: YearMonth) -> AppResult<Arc<Vec<Signed>>> {
    let (first, last) = (m0.label(), m1.label());
    let (due, started) = (by_lag("due", m0, m1)?, by_lag("started", m0, m1)?);
    let sql = format!(
        "SELECT g.path AS region_path, x.projects, x.amount, x.industrial_projects, x.industrial_amount, x.due, x.started
         FROM (SELECT s.region, CAST(SUM(s.projects) AS BIGINT) AS projects, CAST(SUM(s.amount) AS BIGINT) AS amount,
                 CAST(SUM(s.industrial_projects) AS BIGINT) AS industrial_projects,
                 CAST(SUM(s.industrial_amount) AS BIGINT) AS industrial_amount,
                 CAST(SUM({due}) AS BIGINT) AS due, CAST(SUM({started}) AS BIGINT) AS started
               FROM signing_months s
               WHERE s.sign_month >= '{first}' AND s.sign_month <= '{last}' {{touched}}
               GROUP BY s.region) x
         JOIN regions g ON g.code = x.region
         WHERE g.path LIKE $1 AND x.projects <> 0"
    );
    kept_sums(db, Source::Projects, format!("facts-signed:{scope_path}:{first}:{last}"), sql, scope_path, None).await
}

/// The column of `signing_months` to read for each signing month of the window [m0, m1]: `{name}_k`
/// for the month k months before m1. A window is at most twelve months (the columns go to 11).
fn by_lag(name: &str, m0: YearMonth, m1: YearMonth) -> AppResult<String> {
    let mut arms = Vec::new();
    let mut m = m1;
    for k in 0..12 {
        arms.push(format!("WHEN '{}' THEN s.{name}_{k}", m.label()));
        if m == m0 {
            return Ok(format!("CASE s.sign_month {} ELSE 0 END", arms.join(" ")));
        }
        m = m.prev();
    }
    Err(crate::error::AppError::invalid(format!("统计期“{}至{}”超过十二个月", m0.label(), m1.label())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_groups_add_up_and_only_industrial_ones_count_as_industrial() {
        let region = |projects: i64, amount: i64, industrial: (i64, i64), due: i64, started: i64| Signed {
            region_path: "/43/4301/".into(),
            projects,
            amount,
            industrial_projects: industrial.0,
            industrial_amount: industrial.1,
            due,
            started,
        };
        let mut f = Facts::default();
        tally_signed(&mut f, &region(4, 400, (2, 200), 3, 1));
        tally_signed(&mut f, &region(1, 100, (0, 0), 1, 1));
        assert_eq!((f.signed, f.signed_amount, f.signed_industrial, f.signed_industrial_amount), (5, 500, 2, 200));
        assert_eq!((f.due_to_start, f.started), (4, 2));
        assert_eq!(super::super::indicators::value("start_rate", &f), Some(50.0));
    }

    #[test]
    fn each_signing_month_reads_the_column_of_its_distance_from_the_windows_end() {
        let ym = |s: &str| YearMonth::parse(s).unwrap();
        assert_eq!(
            by_lag("due", ym("2026-01"), ym("2026-03")).unwrap(),
            "CASE s.sign_month WHEN '2026-03' THEN s.due_0 WHEN '2026-02' THEN s.due_1 WHEN '2026-01' THEN s.due_2 ELSE 0 END"
        );
        let year = by_lag("started", ym("2026-01"), ym("2026-12")).unwrap();
        assert!(year.contains("WHEN '2026-01' THEN s.started_11 ELSE"), "{year}");
        assert!(by_lag("due", ym("2025-12"), ym("2026-12")).is_err(), "thirteen months have no column");
    }
}

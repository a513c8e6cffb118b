//! The cockpit (驾驶舱) of a scope: headline figures against last year, the monthly trend of
//! 完成投资 and 到位资金, the stage funnel, the ranking of its units and a map coloured by a
//! chosen indicator — gathered once and drawn by the page or served as JSON.

use super::facts::{self, MonthSums};
use super::indicators::{self, Facts, def, value};
use super::period::Period;
use super::service::{self, Evaluation, Level};
use crate::db::Db;
use crate::enterprise_service::figures::{model::Figures, service as service_figures};
use crate::error::AppResult;
use crate::projects::stage::Stage;
use crate::regions::model::Region;
use crate::reports::model::YearMonth;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The figures across the top of the cockpit, in this order.
pub const HEADLINE: &[&str] = &[
    "new_projects",
    "signed_amount",
    "funds",
    "invest",
    "funds_rate",
    "start_rate",
    "industrial_share",
    "tax",
    "jobs",
];

#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub code: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub value: Option<f64>,
    pub shown: String,
    /// Change against the same period last year, in per cent.
    pub change: Option<f64>,
    /// Completion of the scope's annual target, in per cent.
    pub completion: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cockpit {
    pub eval: Arc<Evaluation>,
    pub headline: Vec<Headline>,
    /// Months of the trend, oldest first, with their sums (months without reports are zero).
    pub trend: Vec<(String, MonthSums)>,
    /// (stage code, label, projects, 总投资 in 分), in lifecycle order.
    pub funnel: Vec<(&'static str, &'static str, i64, i64)>,
    /// Whether the scope has units under it (a park has none: the next click is its project list).
    pub has_units: bool,
    /// The enterprise service figures of appeals received in the period (issue: enterprise service).
    pub service: Arc<Service>,
}

/// Appeals received in the period, for the scope and each unit under it (by region code).
#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub from: time::Date,
    pub to: time::Date,
    pub total: Figures,
    pub units: BTreeMap<String, Figures>,
}

pub fn headline(total: &Facts, last_year: &Facts, targets: &[(String, i64)]) -> Vec<Headline> {
    HEADLINE
        .iter()
        .map(|code| {
            let d = def(code).expect("library indicator");
            let v = value(code, total);
            Headline {
                code: d.code,
                name: d.name,
                unit: d.unit.label(),
                value: v,
                shown: indicators::shown(d.unit, v),
                change: indicators::change(v, value(code, last_year)),
                completion: if d.has_target {
                    indicators::completion(v, service::target_value(code, targets))
                } else {
                    None
                },
            }
        })
        .collect()
}

/// The twelve months ending with the period's last month.
pub fn trend_months(period: Period) -> Vec<YearMonth> {
    let (_, last) = period.months();
    let mut v = vec![last];
    for _ in 0..11 {
        let prev = v.last().expect("one").prev();
        v.push(prev);
    }
    v.reverse();
    v
}

pub async fn build(db: &Db, scope: &Region, period: Period) -> AppResult<Cockpit> {
    let months = trend_months(period);
    let first = months.first().expect("twelve").label();
    let last = months.last().expect("twelve").label();
    // "Overdue" moves with the calendar, not only with changes: today is part of the key.
    let today = crate::projects::service::today();
    let (from, to) = period.days();
    let to = to.min(today);
    let key = format!("cockpit-service:{}:{}:{today}", scope.code, period.code());
    // Appeals alone (by their own region): a report or a project edit keeps these.
    let reads = &[crate::cache::Area::Service, crate::cache::Area::Reference];
    let service = crate::cache::FIGURE_CACHE.get_or(db, reads, key, async {
        let mut conn = db.conn().await?;
        let (total, units) = service_figures::by_child(&mut conn.ex(), &scope.path, from, to, today).await?;
        Ok::<_, crate::error::AppError>(Service { from, to, total, units })
    });
    // Every part at once (each takes its own connection): computed afresh, they are what a
    // cockpit costs right after a change, and one after the other they left a core idle.
    // On the heap: side by side, these nested futures outgrew a worker thread's stack.
    let (eval, sums, stages, service) = tokio::try_join!(
        Box::pin(service::evaluate(db, scope, period, Level::Children)),
        Box::pin(facts::trend(db, &scope.path, &first, &last, facts::DEFAULT_USD_RATE_PER_MILLE)),
        Box::pin(facts::stages(db, &scope.path)),
        Box::pin(service),
    )?;
    Ok(assemble(eval, &months, &sums, &stages, service))
}

pub fn assemble(
    eval: Arc<Evaluation>,
    months: &[YearMonth],
    sums: &BTreeMap<String, MonthSums>,
    stages: &BTreeMap<String, (i64, i64)>,
    service: Arc<Service>,
) -> Cockpit {
    let headline = headline(&eval.total, &eval.total_last_year, &eval.targets);
    let trend = months.iter().map(|m| (m.label(), sums.get(&m.label()).copied().unwrap_or_default())).collect();
    let funnel = Stage::ALL
        .iter()
        .map(|s| {
            let (n, total) = stages.get(s.code()).copied().unwrap_or((0, 0));
            (s.code(), s.label(), n, total)
        })
        .collect();
    let has_units = eval.units.iter().any(|u| u.code != eval.scope);
    Cockpit { eval, headline, trend, funnel, has_units, service }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trend_covers_the_twelve_months_to_the_period_end() {
        let m = trend_months(Period::parse("2026-10累计").unwrap());
        assert_eq!((m.len(), m[0].label(), m[11].label()), (12, "2025-11".to_string(), "2026-10".to_string()));
    }

    #[test]
    fn headline_figures_compare_with_last_year_and_the_target() {
        const YI: i64 = 10_000_000_000;
        let now = Facts { signed: 12, signed_amount: 150 * YI, ..Default::default() };
        let before = Facts { signed: 10, signed_amount: 100 * YI, ..Default::default() };
        let h = headline(&now, &before, &[("signed_amount".into(), 300 * YI)]);
        let signed = h.iter().find(|x| x.code == "signed_amount").unwrap();
        assert_eq!((signed.shown.as_str(), signed.change, signed.completion), ("150.00", Some(50.0), Some(50.0)));
        let rate = h.iter().find(|x| x.code == "funds_rate").unwrap();
        assert_eq!(rate.shown, "0.00", "signed but nothing arrived: a real zero");
        let start = h.iter().find(|x| x.code == "start_rate").unwrap();
        assert_eq!((start.shown.as_str(), start.change), ("—", None), "nothing due to start: no rate, no change");
    }
}

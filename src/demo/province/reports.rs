//! Monthly reports of generated projects: from the month of 开工 (or the start of the window)
//! to last month, following an S-shaped investment curve, so that the cumulative figure never
//! falls and never passes the total, as `reports::model::check` demands.

use super::names::{CONSTRUCTION_PROGRESS, FULL_PROGRESS, PRODUCING_PROGRESS};
use super::projects::{Generated, at};
use crate::demo::rng::Rng;
use crate::reports::model::{YearMonth, is_late};
use crate::reports::store::Report;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

/// Amounts are reported to the hundred yuan (0.01 万元).
const STEP: i64 = 10_000;

fn month_end(m: YearMonth) -> Date {
    m.next().first_day() - Duration::days(1)
}

/// Share of the total completed by `d`: a little before 开工, a smooth S up to 投产, a straight
/// line to 达产, flat after; frozen from the day a project stalled.
fn share(g: &Generated, d: Date) -> f64 {
    let Some((start, produce, full)) = g.sim.curve else { return 0.0 };
    let (pre, at_produce, at_full) = g.sim.shares;
    let d = g.sim.stalled_from.map_or(d, |s| d.min(s));
    let frac = |a: Date, b: Date| ((d - a).whole_days() as f64 / (b - a).whole_days().max(1) as f64).clamp(0.0, 1.0);
    if d < start {
        pre
    } else if d < produce {
        let t = frac(start, produce);
        pre + (at_produce - pre) * t * t * (3.0 - 2.0 * t)
    } else if d < full {
        at_produce + (at_full - at_produce) * frac(produce, full)
    } else {
        at_full
    }
}

/// The months a project reports: from 开工 or the window's first month to last month, ending
/// with the month it exited.
pub fn months(g: &Generated, today: Date, window: u32) -> Vec<YearMonth> {
    let Some((start, ..)) = g.sim.curve else { return Vec::new() };
    let last = YearMonth::of(today).prev();
    let mut first = last;
    for _ in 1..window {
        first = first.prev();
    }
    let last = g.sim.exited_on.map_or(last, |d| YearMonth::of(d).min(last));
    let mut m = first.max(YearMonth::of(start));
    let mut out = Vec::new();
    while m <= last {
        out.push(m);
        m = m.next();
    }
    out
}

/// The reports of one project; also moves its `updated_at` to the last filing.
pub fn reports(g: &mut Generated, today: Date, window: u32, rng: &mut Rng) -> Vec<Report> {
    let months = months(g, today, window);
    let Some(first) = months.first() else { return Vec::new() };
    let Some((_, produce, full)) = g.sim.curve else { return Vec::new() };
    let now = OffsetDateTime::now_utc();
    let p = &g.p;
    let total = p.total_investment.fen();
    let total_yi = total as f64 / 1e10;
    let in_stats = rng.chance(92);
    let out_of_province = p.sources & 1 != 0;
    let foreign = p.capital.as_deref() == Some("外资");
    let mut cumulative =
        ((total as f64 * share(g, first.first_day() - Duration::days(1))) as i64 / STEP * STEP).min(total);
    let mut out = Vec::with_capacity(months.len());
    for m in months {
        let end = month_end(m);
        let stalled = g.sim.stalled_from.is_some_and(|s| m.first_day() > s);
        let target = (total as f64 * share(g, end)) as i64;
        let step = if stalled { 0 } else { ((target - cumulative).max(0) as f64 * rng.between(0.75, 1.25)) as i64 };
        let this = (step / STEP * STEP).min(total - cumulative).max(0);
        cumulative += this;
        let producing = m.first_day() > produce && !stalled;
        let ramp = if end >= full { rng.between(0.95, 1.05) } else { 0.3 + 0.6 * share_between(produce, full, end) };
        let output = match (producing, p.expected_output) {
            (true, Some(o)) => (o.fen() as f64 / 12.0 * ramp * rng.between(0.85, 1.15)) as i64 / STEP * STEP,
            (true, None) => (total as f64 / 12.0 * ramp * 0.8) as i64 / STEP * STEP,
            _ => 0,
        };
        let tax = if producing {
            (output as f64 * rng.between(0.03, 0.06)) as i64
        } else {
            (this as f64 * rng.between(0.01, 0.02)) as i64
        } / STEP
            * STEP;
        let jobs = if stalled {
            rng.range(5, 30)
        } else if producing {
            (p.expected_jobs.unwrap_or(50) as f64 * ramp) as i64
        } else {
            ((30.0 + total_yi * 30.0).min(3000.0) * rng.between(0.7, 1.3)) as i64
        };
        let progress = if stalled {
            "停工"
        } else if end >= full && p.actual_full_produce.is_some() {
            rng.pick(FULL_PROGRESS)
        } else if producing {
            rng.pick(PRODUCING_PROGRESS)
        } else {
            rng.pick(CONSTRUCTION_PROGRESS)
        };
        let recent = end >= today - Duration::days(180);
        let problems = if p.health != crate::projects::stage::Health::Normal && recent {
            p.health_reason.clone().unwrap_or_default()
        } else {
            String::new()
        };
        let due_from = m.next().first_day();
        let filed_on =
            (due_from + Duration::days(if rng.chance(95) { rng.range(0, 10) } else { rng.range(10, 25) })).min(today);
        let stamp = at(filed_on, rng, now);
        out.push(Report {
            id: Uuid::now_v7(),
            project_id: p.id,
            month: m.label(),
            invest_month: this,
            invest_cumulative: cumulative,
            funds_domestic: if out_of_province {
                (this as f64 * rng.between(0.4, 1.0)) as i64 / STEP * STEP
            } else {
                0
            },
            funds_foreign_usd: if foreign {
                (this as f64 * rng.between(0.3, 0.9) / 7.1) as i64 / STEP * STEP
            } else {
                0
            },
            tax,
            jobs,
            output,
            progress: progress.to_string(),
            problems,
            in_stats,
            late: is_late(m, filed_on),
            filed_on,
            filed_by: "demo".into(),
            created_at: stamp,
            updated_at: stamp,
            version: 1,
        });
    }
    if let Some(last) = out.last() {
        g.p.updated_at = g.p.updated_at.max(last.updated_at);
    }
    out
}

fn share_between(a: Date, b: Date, d: Date) -> f64 {
    ((d - a).whole_days() as f64 / (b - a).whole_days().max(1) as f64).clamp(0.0, 1.0)
}

//! 十大红旗项目 / 十大蜗牛项目: each quarter every project under construction is scored on its
//! investment against plan, its milestones met or missed, and its health; the ten best and the ten
//! slowest are proposed, each with its reasons in words.

use crate::domain::money::Money;
use serde::{Deserialize, Serialize};
use time::Date;

/// What the score needs to know about one project at the quarter's end.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: uuid::Uuid,
    pub name: String,
    pub region_name: String,
    pub stage: String,
    pub health: String,
    pub health_reason: Option<String>,
    pub total_investment: i64,
    /// (label, planned, actual) for 签约…达产.
    pub milestones: Vec<(&'static str, Option<Date>, Option<Date>)>,
    /// 累计完成投资 of the latest report up to the quarter's end.
    pub invest_cumulative: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Scored {
    pub id: uuid::Uuid,
    pub name: String,
    pub region_name: String,
    pub total_investment: i64,
    pub score: f64,
    /// 累计完成投资 ÷ planned progress, in per cent.
    pub invest_ratio: Option<f64>,
    /// Mean days ahead (+) or behind (−) over the milestones due by the quarter's end.
    pub days_ahead: Option<f64>,
    pub reasons: Vec<String>,
}

const HEALTH_POINTS: &[(&str, f64, &str)] =
    &[("normal", 0.0, "正常"), ("delayed", -15.0, "滞后"), ("stalled", -40.0, "停滞")];

/// The share of the project's investment its plan expects done by `end`: linear from the planned
/// start to the planned start of production (a year when no production date is planned).
pub fn planned_share(start: Option<Date>, produce: Option<Date>, end: Date) -> Option<f64> {
    let start = start?;
    if end < start {
        return Some(0.0);
    }
    let span = match produce {
        Some(p) if p > start => (p - start).whole_days(),
        _ => 365,
    } as f64;
    Some(((end - start).whole_days() as f64 / span).min(1.0))
}

/// A candidate's standing at the quarter's end, without words: enough to rank every project.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measure {
    pub score: f64,
    pub invest_ratio: Option<f64>,
    pub days_ahead: Option<f64>,
}

/// Days ahead (+) or late (−) for each milestone due by `end`, with whether it was reached; one not
/// reached yet is late by now.
fn deltas<'a>(c: &'a Candidate, end: Date) -> Vec<(&'a str, i64, bool)> {
    let mut out = Vec::new();
    for (label, planned, actual) in &c.milestones {
        let Some(p) = planned.filter(|p| *p <= end) else { continue };
        match actual.filter(|a| *a <= end) {
            Some(a) => out.push((*label, (p - a).whole_days(), true)),
            None => out.push((*label, -(end - p).whole_days(), false)),
        }
    }
    out
}

/// Measures a candidate at `end`; None for projects that are out of the running (not yet signed,
/// withdrawn, or with no plan that has come due).
pub fn measure(c: &Candidate, end: Date) -> Option<Measure> {
    let signed_or_later = !matches!(c.stage.as_str(), "lead" | "negotiating");
    let health = HEALTH_POINTS.iter().find(|(code, _, _)| *code == c.health)?;
    let planned_start = c.milestones.iter().find(|m| m.0 == "开工").and_then(|m| m.1);
    let planned_produce = c.milestones.iter().find(|m| m.0 == "投产").and_then(|m| m.1);
    if !signed_or_later || planned_start.is_none_or(|d| d > end) {
        return None;
    }
    let share = planned_share(planned_start, planned_produce, end).unwrap_or(0.0);
    let planned = c.total_investment as f64 * share;
    let invest_ratio = match c.invest_cumulative {
        Some(done) if planned > 0.0 => Some(done as f64 * 100.0 / planned),
        _ => None,
    };
    let deltas = deltas(c, end);
    let days_ahead = (!deltas.is_empty()).then(|| deltas.iter().map(|d| d.1 as f64).sum::<f64>() / deltas.len() as f64);
    let invest_points = invest_ratio.map(|r| (r / 100.0).clamp(0.0, 1.5) * 40.0).unwrap_or(0.0);
    let milestone_points = days_ahead.map(|d| (d / 3.0).clamp(-30.0, 30.0)).unwrap_or(0.0);
    let score = invest_points + milestone_points + health.1;
    Some(Measure { score: (score * 100.0).round() / 100.0, invest_ratio, days_ahead })
}

/// Scores a candidate at `end` with its reasons in words (for the projects shown).
pub fn score(c: &Candidate, end: Date) -> Option<Scored> {
    let m = measure(c, end)?;
    let health = HEALTH_POINTS.iter().find(|(code, _, _)| *code == c.health)?;
    let mut reasons = Vec::new();
    match (c.invest_cumulative, m.invest_ratio) {
        (Some(done), Some(r)) => reasons.push(format!("累计完成投资 {}，为计划进度的 {r:.0}%", Money(done).human())),
        (Some(done), None) => reasons.push(format!("累计完成投资 {}", Money(done).human())),
        (None, _) => reasons.push("尚无投资月报".into()),
    }
    let mut deltas = deltas(c, end);
    deltas.sort_by_key(|d| -d.1.abs());
    for (label, days, reached) in deltas.iter().take(2) {
        reasons.push(match (*days, *reached) {
            (0, _) => format!("{label}按计划完成"),
            (d, true) if d > 0 => format!("{label}较计划提前 {d} 天"),
            (d, true) => format!("{label}较计划滞后 {} 天", -d),
            (d, false) => format!("{label}已超过计划 {} 天尚未完成", -d),
        });
    }
    if c.health != "normal" {
        let why = c.health_reason.as_deref().filter(|r| !r.is_empty()).map(|r| format!("：{r}")).unwrap_or_default();
        reasons.push(format!("项目状态为{}{why}", health.2));
    }
    Some(Scored {
        id: c.id,
        name: c.name.clone(),
        region_name: c.region_name.clone(),
        total_investment: c.total_investment,
        score: m.score,
        invest_ratio: m.invest_ratio,
        days_ahead: m.days_ahead,
        reasons,
    })
}

/// One project's place in the quarter's ranking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing {
    pub id: uuid::Uuid,
    pub score: f64,
    pub total_investment: i64,
}

/// The ten best (红旗) and, among the rest, the ten slowest (蜗牛), as ids. Ties go to the larger
/// project: a big project moving fast, or slowly, matters more.
pub fn pick(standings: &[Standing], n: usize) -> (Vec<uuid::Uuid>, Vec<uuid::Uuid>) {
    let mut best: Vec<&Standing> = standings.iter().collect();
    best.sort_by(|a, b| {
        b.score.total_cmp(&a.score).then(b.total_investment.cmp(&a.total_investment)).then(a.id.cmp(&b.id))
    });
    let red: Vec<uuid::Uuid> = best.iter().take(n).map(|s| s.id).collect();
    let mut rest: Vec<&Standing> = best.into_iter().skip(n).collect();
    rest.sort_by(|a, b| {
        a.score.total_cmp(&b.score).then(b.total_investment.cmp(&a.total_investment)).then(a.id.cmp(&b.id))
    });
    (red, rest.iter().take(n).map(|s| s.id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const YI: i64 = 10_000_000_000;

    fn candidate(
        start: Date,
        actual_start: Option<Date>,
        produce: Date,
        done_yi: Option<i64>,
        health: &str,
    ) -> Candidate {
        Candidate {
            id: uuid::Uuid::now_v7(),
            name: "测试项目".into(),
            region_name: "望城区".into(),
            stage: "started".into(),
            health: health.into(),
            health_reason: Some("设备未到".into()).filter(|_| health != "normal"),
            total_investment: 10 * YI,
            milestones: vec![("签约", None, None), ("开工", Some(start), actual_start), ("投产", Some(produce), None)],
            invest_cumulative: done_yi.map(|y| y * YI),
        }
    }

    #[test]
    fn the_planned_share_grows_linearly_from_start_to_production() {
        let s = planned_share(Some(date!(2026 - 01 - 01)), Some(date!(2026 - 12 - 27)), date!(2026 - 06 - 30));
        assert_eq!(s, Some(180.0 / 360.0));
        assert_eq!(planned_share(Some(date!(2026 - 01 - 01)), None, date!(2027 - 06 - 30)), Some(1.0));
        assert_eq!(planned_share(Some(date!(2026 - 07 - 01)), None, date!(2026 - 06 - 30)), Some(0.0));
        assert_eq!(planned_share(None, None, date!(2026 - 06 - 30)), None);
    }

    #[test]
    fn a_project_ahead_of_plan_scores_high_with_its_reasons_in_words() {
        // Half the time has passed (plan: 5 亿 done); 6 亿 done = 120% → 48 points.
        // Started 12 days early → +4 points. Healthy.
        let c = candidate(date!(2026 - 01 - 01), Some(date!(2025 - 12 - 20)), date!(2026 - 12 - 27), Some(6), "normal");
        let s = score(&c, date!(2026 - 06 - 30)).unwrap();
        assert_eq!(s.invest_ratio, Some(120.0));
        assert_eq!(s.days_ahead, Some(12.0));
        assert_eq!(s.score, 52.0);
        assert_eq!(s.reasons, ["累计完成投资 6.00 亿元，为计划进度的 120%", "开工较计划提前 12 天"]);
    }

    #[test]
    fn a_stalled_project_late_to_start_scores_low() {
        // Not started 180 days after its planned start: −60 days/3 capped at −30; no reports; 停滞 −40.
        let c = candidate(date!(2026 - 01 - 01), None, date!(2026 - 12 - 27), None, "stalled");
        let s = score(&c, date!(2026 - 06 - 30)).unwrap();
        assert_eq!(s.score, -70.0);
        assert_eq!(s.reasons, ["尚无投资月报", "开工已超过计划 180 天尚未完成", "项目状态为停滞：设备未到"]);
    }

    #[test]
    fn projects_not_yet_due_or_withdrawn_are_out_of_the_running() {
        let later = candidate(date!(2026 - 09 - 01), None, date!(2027 - 12 - 27), None, "normal");
        assert!(score(&later, date!(2026 - 06 - 30)).is_none());
        let exited = candidate(date!(2026 - 01 - 01), None, date!(2026 - 12 - 27), None, "exited");
        assert!(score(&exited, date!(2026 - 06 - 30)).is_none());
        let mut lead = candidate(date!(2026 - 01 - 01), None, date!(2026 - 12 - 27), Some(1), "normal");
        lead.stage = "negotiating".into();
        assert!(score(&lead, date!(2026 - 06 - 30)).is_none());
    }

    #[test]
    fn the_best_ten_and_the_slowest_ten_never_overlap() {
        let mk = |score: f64, total: i64| Standing { id: uuid::Uuid::now_v7(), total_investment: total, score };
        let all: Vec<Standing> = (0..15).map(|i| mk(i as f64, 1)).chain([mk(3.0, 99)]).collect();
        let of = |id: &uuid::Uuid| *all.iter().find(|s| s.id == *id).unwrap();
        let (red, snail) = pick(&all, 10);
        assert_eq!(red.len(), 10);
        assert_eq!(snail.len(), 6, "only six remain after the ten best");
        assert_eq!(of(&red[0]).score, 14.0);
        assert_eq!(
            (of(&snail[0]).score, of(&snail[3]).score, of(&snail[3]).total_investment),
            (0.0, 3.0, 99),
            "a tie goes to the bigger project"
        );
    }
}

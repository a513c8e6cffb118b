//! The service figures: collected, responded, resolved, on time, overdue, escalated, 响应率, 解决率,
//! 满意率, average days to resolve, the most frequent categories: pure functions over appeal facts.
//! Reading the facts (the report by unit and department, `by_child` for the cockpit) is `service`.
//!
//! Definitions (the figures page prints the same words):
//! - 收集：在所选期间内受理（登记）的诉求，按北京时间的受理日期计。以下各项都以这些诉求为范围，按今天的状态计。
//! - 已响应：承办部门已签收，或服务专员已当场答复。响应率 = 已响应 ÷ 收集。
//! - 已解决：现为“已办结”或“已评价”（企业不满意而重新办理的不算）。解决率 = 已解决 ÷ 收集。
//! - 按期办结：已解决且办结日期（北京时间）不晚于办理期限（批准延期后的期限）。按期率 = 按期办结 ÷ 已解决。
//! - 逾期未办结：尚未解决且今天已过办理期限。
//! - 满意率 = （满意 + 基本满意）÷ 已评价（含不满意后重新办理、尚未再次评价的诉求）。
//! - 平均办结天数：已解决诉求从受理到办结的自然天数的平均值。
//! - 分母为 0 时比率显示为“—”，不是 0%。

use crate::enterprise_service::appeals::model::{Satisfaction, State};
use crate::enterprise_service::calendar::beijing_date;
use serde::Serialize;
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

/// What the figures need to know about one appeal.
#[derive(Debug, Clone)]
pub struct Fact {
    pub received_at: OffsetDateTime,
    pub due_on: Date,
    pub state: State,
    pub accepted: bool,
    pub resolved_at: Option<OffsetDateTime>,
    pub satisfaction: Option<Satisfaction>,
    pub category: String,
    pub escalations: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    pub collected: i64,
    pub responded: i64,
    pub resolved: i64,
    pub on_time: i64,
    pub overdue: i64,
    pub escalated: i64,
    pub evaluated: i64,
    pub satisfied: i64,
    /// Sum of days from receipt to resolution over the resolved, for the average.
    #[serde(skip)]
    pub resolve_days_total: f64,
    /// (category, appeals), most frequent first, at most five.
    pub top_categories: Vec<(String, i64)>,
}

/// A share, or None when there is nothing to divide by.
pub fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// "87.5%", or "—" for no denominator.
pub fn percent(r: Option<f64>) -> String {
    match r {
        Some(r) => {
            let s = format!("{:.1}", r * 100.0);
            format!("{}%", s.strip_suffix(".0").unwrap_or(&s))
        }
        None => "—".into(),
    }
}

impl Figures {
    pub fn response_rate(&self) -> Option<f64> {
        ratio(self.responded, self.collected)
    }
    pub fn resolve_rate(&self) -> Option<f64> {
        ratio(self.resolved, self.collected)
    }
    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.on_time, self.resolved)
    }
    pub fn satisfaction_rate(&self) -> Option<f64> {
        ratio(self.satisfied, self.evaluated)
    }
    pub fn average_days(&self) -> Option<f64> {
        (self.resolved > 0).then(|| self.resolve_days_total / self.resolved as f64)
    }
    pub fn average_days_text(&self) -> String {
        self.average_days().map(|d| format!("{d:.1}")).unwrap_or_else(|| "—".into())
    }
    pub fn response_text(&self) -> String {
        percent(self.response_rate())
    }
    pub fn resolve_text(&self) -> String {
        percent(self.resolve_rate())
    }
    pub fn on_time_text(&self) -> String {
        percent(self.on_time_rate())
    }
    pub fn satisfaction_text(&self) -> String {
        percent(self.satisfaction_rate())
    }
    pub fn top_text(&self) -> String {
        let v: Vec<String> = self.top_categories.iter().map(|(c, n)| format!("{c} {n}")).collect();
        if v.is_empty() { "—".into() } else { v.join("、") }
    }
    /// Something here needs attention: overdue appeals (shown red).
    pub fn alarming(&self) -> bool {
        self.overdue > 0
    }
}

/// The figures of a set of appeals (already limited to the period and the unit), as of `today`.
pub fn compute<'a>(facts: impl IntoIterator<Item = &'a Fact>, today: Date) -> Figures {
    let mut f = Figures::default();
    let mut categories: BTreeMap<&str, i64> = BTreeMap::new();
    for a in facts {
        f.collected += 1;
        *categories.entry(a.category.as_str()).or_default() += 1;
        if a.accepted || a.resolved_at.is_some() {
            f.responded += 1;
        }
        let resolved = !a.state.is_open();
        if resolved {
            f.resolved += 1;
            if let Some(at) = a.resolved_at {
                if beijing_date(at) <= a.due_on {
                    f.on_time += 1;
                }
                f.resolve_days_total += (at - a.received_at).as_seconds_f64() / 86_400.0;
            }
        } else if today > a.due_on {
            f.overdue += 1;
        }
        if a.escalations > 0 {
            f.escalated += 1;
        }
        if let Some(s) = a.satisfaction {
            f.evaluated += 1;
            if s != Satisfaction::Unsatisfied {
                f.satisfied += 1;
            }
        }
    }
    let mut top: Vec<(String, i64)> = categories.into_iter().map(|(c, n)| (c.to_string(), n)).collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(5);
    f.top_categories = top;
    f
}

/// The code of the unit one level below a base `depth` levels deep that `path` lies in; "" for
/// the base itself ("本级").
pub fn child_code(path: &str, depth: usize) -> String {
    path.split('/').filter(|s| !s.is_empty()).nth(depth).unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn fact(state: State, received: OffsetDateTime, due: Date, resolved: Option<OffsetDateTime>) -> Fact {
        Fact {
            received_at: received,
            due_on: due,
            state,
            accepted: state != State::Pending && state != State::Dispatched,
            resolved_at: resolved,
            satisfaction: None,
            category: "用地".into(),
            escalations: 0,
        }
    }

    /// Six appeals worked out by hand, as of Friday 2026-11-20.
    fn six() -> Vec<Fact> {
        let r = datetime!(2026-11-02 02:00 UTC); // Mon 2 Nov, 10:00 Beijing
        let mut v = vec![
            // 1. resolved on time after 3 days, 满意
            fact(State::Evaluated, r, date!(2026 - 11 - 11), Some(datetime!(2026-11-05 02:00 UTC))),
            // 2. answered late, rated 不满意 and reopened: open again, due 4 Nov, so overdue
            fact(State::Handling, r, date!(2026 - 11 - 04), None),
            // 3. resolved on its due day at 23:00 Beijing (15:00 UTC): on time; 7 days 13 hours
            fact(State::Resolved, r, date!(2026 - 11 - 09), Some(datetime!(2026-11-09 15:00 UTC))),
            // 4. open, due 19 Nov: overdue on the 20th, escalated
            fact(State::Handling, r, date!(2026 - 11 - 19), None),
            // 5. open, due today: not overdue
            fact(State::Dispatched, r, date!(2026 - 11 - 20), None),
            // 6. pending, never answered, due 25 Nov
            fact(State::Pending, r, date!(2026 - 11 - 25), None),
        ];
        v[0].satisfaction = Some(Satisfaction::Satisfied);
        v[1].satisfaction = Some(Satisfaction::Unsatisfied);
        v[2].satisfaction = Some(Satisfaction::Basic);
        v[3].escalations = 1;
        v[4].category = "融资".into();
        v[5].category = "融资".into();
        v[2].category = "审批".into();
        v
    }

    #[test]
    fn six_appeals_give_the_figures_worked_out_by_hand() {
        let f = compute(&six(), date!(2026 - 11 - 20));
        assert_eq!(f.collected, 6);
        // Accepted: 1, 2, 3, 4 (5 is only dispatched, 6 pending).
        assert_eq!(f.responded, 4);
        assert_eq!(f.response_text(), "66.7%");
        // Resolved now: 1 and 3 (2 was reopened).
        assert_eq!(f.resolved, 2);
        assert_eq!(f.resolve_text(), "33.3%");
        assert_eq!(f.on_time, 2);
        assert_eq!(f.on_time_text(), "100%");
        // Open and past due on the 20th: 2 (due the 4th) and 4 (due the 19th); 5 is due today.
        assert_eq!(f.overdue, 2);
        assert!(f.alarming());
        assert_eq!(f.escalated, 1);
        // Evaluated: 1 满意, 2 不满意, 3 基本满意 → 2 of 3.
        assert_eq!((f.evaluated, f.satisfied), (3, 2));
        assert_eq!(f.satisfaction_text(), "66.7%");
        // Days: 3.0 and 7 days 13 hours = 7.5417; mean 5.27.
        assert_eq!(f.average_days_text(), "5.3");
        assert_eq!(f.top_categories, vec![("用地".to_string(), 3), ("融资".to_string(), 2), ("审批".to_string(), 1)]);
        assert_eq!(f.top_text(), "用地 3、融资 2、审批 1");
    }

    #[test]
    fn resolving_after_the_due_day_in_beijing_is_late() {
        let r = datetime!(2026-11-02 02:00 UTC);
        // Due Monday 9 Nov; resolved at 00:30 Beijing on Tuesday 10 Nov (16:30 UTC on the 9th): late.
        let late = fact(State::Resolved, r, date!(2026 - 11 - 09), Some(datetime!(2026-11-09 16:30 UTC)));
        let f = compute([&late], date!(2026 - 11 - 20));
        assert_eq!((f.resolved, f.on_time), (1, 0));
        assert_eq!(f.on_time_text(), "0%");
    }

    #[test]
    fn no_appeals_show_dashes_not_zero_percent_or_nan() {
        let f = compute(&[], date!(2026 - 11 - 20));
        assert_eq!(f.collected, 0);
        for text in
            [f.response_text(), f.resolve_text(), f.on_time_text(), f.satisfaction_text(), f.average_days_text()]
        {
            assert_eq!(text, "—");
        }
        assert_eq!(f.top_text(), "—");
        assert!(!f.alarming());
        // Collected but none evaluated: 满意率 has no denominator even though 响应率 has one.
        let one = fact(State::Pending, datetime!(2026-11-02 02:00 UTC), date!(2026 - 11 - 25), None);
        let f = compute([&one], date!(2026 - 11 - 20));
        assert_eq!((f.response_text(), f.satisfaction_text()), ("0%".to_string(), "—".to_string()));
    }

    #[test]
    fn percentages_read_naturally() {
        assert_eq!(percent(ratio(310, 338)), "91.7%");
        assert_eq!(percent(ratio(1, 1)), "100%");
        assert_eq!(percent(ratio(0, 5)), "0%");
        assert_eq!(percent(ratio(1, 0)), "—");
    }
}

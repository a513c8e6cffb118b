//! Monthly reports: one per project per month, checked for consistency with the month before
//! and with the project; filed late when after the reporting window.

use crate::domain::money::Money;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// A calendar month, "2026-10".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    pub month: u8,
}

impl YearMonth {
    pub fn parse(s: &str) -> Result<YearMonth, String> {
        let t = s.trim().replace(['/', '.', '年'], "-").replace('月', "");
        let (y, m) = t.split_once('-').ok_or_else(|| format!("月份“{}”格式应为 2026-10", s.trim()))?;
        let year: i32 = y.parse().map_err(|_| format!("月份“{}”格式应为 2026-10", s.trim()))?;
        let month: u8 = m.parse().map_err(|_| format!("月份“{}”格式应为 2026-10", s.trim()))?;
        if !(1..=12).contains(&month) || !(2000..=2100).contains(&year) {
            return Err(format!("月份“{}”无效", s.trim()));
        }
        Ok(YearMonth { year, month })
    }
    pub fn of(d: Date) -> YearMonth {
        YearMonth { year: d.year(), month: d.month() as u8 }
    }
    pub fn prev(self) -> YearMonth {
        if self.month == 1 {
            YearMonth { year: self.year - 1, month: 12 }
        } else {
            YearMonth { year: self.year, month: self.month - 1 }
        }
    }
    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth { year: self.year + 1, month: 1 }
        } else {
            YearMonth { year: self.year, month: self.month + 1 }
        }
    }
    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.year, Month::try_from(self.month).expect("checked"), 1).expect("valid")
    }
    /// The last day on which the report for this month is on time: day `due_day` of the next month.
    pub fn due(self, due_day: u8) -> Date {
        let n = self.next();
        Date::from_calendar_date(n.year, Month::try_from(n.month).expect("checked"), due_day.clamp(1, 28))
            .expect("valid")
    }
    pub fn label(self) -> String {
        format!("{}-{:02}", self.year, self.month)
    }
}

/// Reports for a month are due by this day of the following month.
pub const DUE_DAY: u8 = 10;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Input {
    pub month: String,
    pub invest_month: String,
    pub invest_cumulative: String,
    pub funds_domestic: String,
    pub funds_foreign_usd: String,
    pub tax: String,
    pub jobs: String,
    pub output: String,
    pub progress: String,
    pub problems: String,
    pub in_stats: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub month: YearMonth,
    pub invest_month: Money,
    pub invest_cumulative: Money,
    pub funds_domestic: Money,
    pub funds_foreign_usd: Money,
    pub tax: Money,
    pub jobs: i64,
    pub output: Money,
    pub progress: String,
    pub problems: String,
    pub in_stats: bool,
}

/// What the checks need to know about the project and the month before.
pub struct Context {
    pub today: Date,
    pub total_investment: Money,
    /// The cumulative figure of the latest earlier report, with its month.
    pub previous: Option<(YearMonth, Money)>,
    /// The cumulative figure of the earliest later report, if this one is filed out of order.
    pub following: Option<(YearMonth, Money)>,
}

fn amount(field: &str, label: &str, s: &str, errors: &mut Vec<FieldError>) -> Money {
    if s.trim().is_empty() {
        return Money(0);
    }
    Money::parse(s).unwrap_or_else(|e| {
        errors.push(FieldError { field: field.into(), message: format!("{label}：{e}") });
        Money(0)
    })
}

/// Checks a report: shapes first, then the rules that tie it to the project and its neighbours.
pub fn check(i: &Input, ctx: &Context) -> Result<Parsed, Vec<FieldError>> {
    let mut errors = Vec::new();
    let month =
        YearMonth::parse(&i.month).map_err(|e| errors.push(FieldError { field: "month".into(), message: e })).ok();
    let invest_month = amount("invest_month", "当月完成投资", &i.invest_month, &mut errors);
    let invest_cumulative = amount("invest_cumulative", "累计完成投资", &i.invest_cumulative, &mut errors);
    let funds_domestic = amount("funds_domestic", "到位资金（省外境内）", &i.funds_domestic, &mut errors);
    let funds_foreign_usd = amount("funds_foreign_usd", "到位外资（万美元）", &i.funds_foreign_usd, &mut errors);
    let tax = amount("tax", "税收", &i.tax, &mut errors);
    let output = amount("output", "产值", &i.output, &mut errors);
    let jobs = match i.jobs.trim() {
        "" => 0,
        v => v.parse::<i64>().ok().filter(|n| *n >= 0).unwrap_or_else(|| {
            errors
                .push(FieldError { field: "jobs".into(), message: format!("用工人数“{v}”应为非负整数") });
            0
        }),
    };
    let in_stats = crate::projects::model::parse_bool(&i.in_stats)
        .map_err(|e| errors.push(FieldError { field: "in_stats".into(), message: format!("是否纳统：{e}") }))
        .unwrap_or(false);
    let mut rule = |field: &str, m: String| errors.push(FieldError { field: field.into(), message: m });
    if let Some(m) = month {
        if m > YearMonth::of(ctx.today) {
            rule("month", format!("不能填报未来月份（{}）", m.label()));
        }
    }
    if invest_month > invest_cumulative {
        rule("invest_month", format!("当月完成投资 {} 大于累计完成投资 {}", invest_month, invest_cumulative));
    }
    if ctx.total_investment.0 > 0 && invest_cumulative > ctx.total_investment {
        rule(
            "invest_cumulative",
            format!("累计完成投资 {} 超过项目总投资 {}", invest_cumulative, ctx.total_investment),
        );
    }
    if let Some((pm, prev)) = ctx.previous {
        if invest_cumulative < prev {
            rule(
                "invest_cumulative",
                format!("累计完成投资 {} 少于 {} 月已报的 {}：累计数不能下降", invest_cumulative, pm.label(), prev),
            );
        } else if month.is_some_and(|m| m.prev() == pm) && invest_cumulative.0 - prev.0 != invest_month.0 {
            rule(
                "invest_month",
                format!(
                    "当月完成投资应等于本月累计减上月累计（{} − {} = {}）",
                    invest_cumulative,
                    prev,
                    Money(invest_cumulative.0 - prev.0)
                ),
            );
        }
    }
    if let Some((fm, next)) = ctx.following {
        if invest_cumulative > next {
            rule(
                "invest_cumulative",
                format!("累计完成投资 {} 大于 {} 月已报的 {}：累计数不能下降", invest_cumulative, fm.label(), next),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Parsed {
        month: month.expect("checked"),
        invest_month,
        invest_cumulative,
        funds_domestic,
        funds_foreign_usd,
        tax,
        jobs,
        output,
        progress: i.progress.trim().chars().take(2000).collect(),
        problems: i.problems.trim().chars().take(2000).collect(),
        in_stats,
    })
}

/// Whether a report for `month` filed on `filed` is late.
pub fn is_late(month: YearMonth, filed: Date) -> bool {
    filed > month.due(DUE_DAY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn ctx(prev: Option<(&str, &str)>) -> Context {
        Context {
            today: date!(2026 - 11 - 22),
            total_investment: Money::from_yi(10),
            previous: prev.map(|(m, v)| (YearMonth::parse(m).unwrap(), Money::parse(v).unwrap())),
            following: None,
        }
    }

    fn input(month: &str, this: &str, cum: &str) -> Input {
        Input { month: month.into(), invest_month: this.into(), invest_cumulative: cum.into(), ..Default::default() }
    }

    #[test]
    fn a_consistent_report_passes() {
        let p = check(&input("2026-10", "2000", "12000"), &ctx(Some(("2026-09", "10000")))).unwrap();
        assert_eq!(p.invest_cumulative, Money::from_wan(12000));
    }

    #[test]
    fn the_cumulative_figure_never_falls() {
        let e = check(&input("2026-10", "0", "9000"), &ctx(Some(("2026-09", "10000")))).unwrap_err();
        assert!(e[0].message.contains("累计数不能下降"), "{e:?}");
    }

    #[test]
    fn this_month_must_equal_the_difference_of_the_cumulatives() {
        let e = check(&input("2026-10", "3000", "12000"), &ctx(Some(("2026-09", "10000")))).unwrap_err();
        assert_eq!(e[0].field, "invest_month");
        assert!(e[0].message.contains("2000.00 万元"), "{}", e[0].message);
        // With a gap of a month the difference is not checked (the missing month may hold some).
        assert!(check(&input("2026-10", "1000", "12000"), &ctx(Some(("2026-08", "10000")))).is_ok());
    }

    #[test]
    fn completed_investment_may_not_exceed_the_total() {
        let e = check(&input("2026-10", "200000", "200000"), &ctx(None)).unwrap_err();
        assert!(e[0].message.contains("超过项目总投资"), "{e:?}");
    }

    #[test]
    fn a_future_month_and_malformed_numbers_are_refused() {
        let mut i = input("2026-12", "1", "1");
        i.jobs = "-3".into();
        i.tax = "abc".into();
        let e = check(&i, &ctx(None)).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["tax", "jobs", "month"]);
    }

    #[test]
    fn the_window_closes_on_the_tenth_of_the_next_month() {
        let m = YearMonth::parse("2026-10").unwrap();
        assert!(!is_late(m, date!(2026 - 11 - 10)));
        assert!(is_late(m, date!(2026 - 11 - 11)));
        assert_eq!(YearMonth::parse("2026-12").unwrap().due(DUE_DAY), date!(2027 - 01 - 10));
        assert_eq!(YearMonth::parse("2026年1月").unwrap().prev().label(), "2025-12");
    }
}

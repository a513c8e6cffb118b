//! The working-day calendar and the deadline clock. Pure: no SQL, no clock of its own.
//!
//! A day is a working day when it is Monday to Friday and not a listed public holiday, or when it
//! is listed as a make-up working day (调休上班) — whatever the weekday. The State Council publishes
//! each year's holidays and make-up days in November for the year after; the 2025 and 2026 schedules
//! ship with the app (migration 0021) and every year can be edited on the calendar page.

use serde::Serialize;
use std::collections::BTreeMap;
use time::{Date, Duration, OffsetDateTime, UtcOffset, Weekday};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DayKind {
    /// 放假: a weekday on which nobody works.
    Holiday,
    /// 调休上班: a weekend day on which everybody works.
    Workday,
}

impl DayKind {
    pub fn code(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            DayKind::Holiday => "放假",
            DayKind::Workday => "上班",
        }
    }
    pub fn parse(s: &str) -> Result<DayKind, String> {
        match s.trim() {
            "holiday" | "放假" | "休" | "假" => Ok(DayKind::Holiday),
            "workday" | "上班" | "班" | "调休上班" => Ok(DayKind::Workday),
            o => Err(format!("“{o}”应为 放假 或 上班")),
        }
    }
}

/// Exceptions to "Monday to Friday", by date.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    days: BTreeMap<Date, (DayKind, String)>,
}

/// Beijing time: deadlines are days in China, whatever the server's clock says.
pub fn beijing() -> UtcOffset {
    UtcOffset::from_hms(8, 0, 0).expect("UTC+8")
}

/// The Beijing date of an instant.
pub fn beijing_date(t: OffsetDateTime) -> Date {
    t.to_offset(beijing()).date()
}

impl Calendar {
    pub fn new(days: impl IntoIterator<Item = (Date, DayKind, String)>) -> Calendar {
        Calendar { days: days.into_iter().map(|(d, k, n)| (d, (k, n))).collect() }
    }

    /// The official 2025 and 2026 schedules (the same rows migration 0021 seeds).
    pub fn official() -> Calendar {
        Calendar::new(official_days())
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        match self.days.get(&d) {
            Some((DayKind::Holiday, _)) => false,
            Some((DayKind::Workday, _)) => true,
            None => !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday),
        }
    }

    /// The name of a listed day ("春节", "国庆节调休上班").
    pub fn name_of(&self, d: Date) -> Option<&str> {
        self.days.get(&d).map(|(_, n)| n.as_str())
    }

    /// The `n`-th working day strictly after `from` (`n` = 0 gives `from` itself).
    pub fn add_working_days(&self, from: Date, n: u32) -> Date {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d = d.next_day().expect("date in range");
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days in `(from, to]`; negative when `to` is before `from`.
    pub fn working_days_between(&self, from: Date, to: Date) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d.next_day().expect("date in range");
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }

    /// The listed days of one year, in date order.
    pub fn year(&self, year: i32) -> Vec<(Date, DayKind, &str)> {
        self.days.iter().filter(|(d, _)| d.year() == year).map(|(d, (k, n))| (*d, *k, n.as_str())).collect()
    }
}

/// The deadline clock. An appeal received at `start` with a tier of `days` working days is due by
/// the end (24:00 Beijing time) of the `days`-th working day after the day it was received: the day
/// of receipt never counts, whatever the hour, and a receipt on a weekend or holiday starts counting
/// from the next working day.
pub fn due_date(start: OffsetDateTime, days: u32, cal: &Calendar) -> Date {
    cal.add_working_days(beijing_date(start), days)
}

/// The instant a due date ends: the next day's 00:00 in Beijing.
pub fn due_instant(due: Date) -> OffsetDateTime {
    due.next_day().expect("date in range").midnight().assume_offset(beijing())
}

/// `due_date` as an instant.
pub fn due(start: OffsetDateTime, days: u32, cal: &Calendar) -> OffsetDateTime {
    due_instant(due_date(start, days, cal))
}

/// How an open appeal stands against its due date on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Past its due date, by this many calendar days.
    Overdue(i64),
    /// Due today or on the next working day.
    DueSoon,
    Normal,
}

impl Urgency {
    pub fn of(today: Date, due: Date, cal: &Calendar) -> Urgency {
        if today > due {
            Urgency::Overdue((today - due).whole_days())
        } else if due <= cal.add_working_days(today, 1) {
            Urgency::DueSoon
        } else {
            Urgency::Normal
        }
    }
    pub fn label(self) -> String {
        match self {
            Urgency::Overdue(d) => format!("逾期 {d} 天"),
            Urgency::DueSoon => "即将到期".into(),
            Urgency::Normal => "正常".into(),
        }
    }
    pub fn css(self) -> &'static str {
        match self {
            Urgency::Overdue(_) => "bad",
            Urgency::DueSoon => "warn",
            Urgency::Normal => "ok",
        }
    }
    /// Overdue first, then due soon, then the rest (for inboxes).
    pub fn rank(self) -> u8 {
        match self {
            Urgency::Overdue(_) => 0,
            Urgency::DueSoon => 1,
            Urgency::Normal => 2,
        }
    }
}

/// The official schedules as (first day, last day, kind, name), from the State Council's notices:
/// 2025 — 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024年11月12日）;
/// 2026 — 国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日，新华社北京11月4日电）.
const OFFICIAL: &[(&str, &str, DayKind, &str)] = &[
    ("2025-01-01", "2025-01-01", DayKind::Holiday, "元旦"),
    ("2025-01-26", "2025-01-26", DayKind::Workday, "春节调休上班"),
    ("2025-01-28", "2025-02-04", DayKind::Holiday, "春节"),
    ("2025-02-08", "2025-02-08", DayKind::Workday, "春节调休上班"),
    ("2025-04-04", "2025-04-06", DayKind::Holiday, "清明节"),
    ("2025-04-27", "2025-04-27", DayKind::Workday, "劳动节调休上班"),
    ("2025-05-01", "2025-05-05", DayKind::Holiday, "劳动节"),
    ("2025-05-31", "2025-06-02", DayKind::Holiday, "端午节"),
    ("2025-09-28", "2025-09-28", DayKind::Workday, "国庆节调休上班"),
    ("2025-10-01", "2025-10-08", DayKind::Holiday, "国庆节、中秋节"),
    ("2025-10-11", "2025-10-11", DayKind::Workday, "国庆节调休上班"),
    ("2026-01-01", "2026-01-03", DayKind::Holiday, "元旦"),
    ("2026-01-04", "2026-01-04", DayKind::Workday, "元旦调休上班"),
    ("2026-02-14", "2026-02-14", DayKind::Workday, "春节调休上班"),
    ("2026-02-15", "2026-02-23", DayKind::Holiday, "春节"),
    ("2026-02-28", "2026-02-28", DayKind::Workday, "春节调休上班"),
    ("2026-04-04", "2026-04-06", DayKind::Holiday, "清明节"),
    ("2026-05-01", "2026-05-05", DayKind::Holiday, "劳动节"),
    ("2026-05-09", "2026-05-09", DayKind::Workday, "劳动节调休上班"),
    ("2026-06-19", "2026-06-21", DayKind::Holiday, "端午节"),
    ("2026-09-20", "2026-09-20", DayKind::Workday, "国庆节调休上班"),
    ("2026-09-25", "2026-09-27", DayKind::Holiday, "中秋节"),
    ("2026-10-01", "2026-10-07", DayKind::Holiday, "国庆节"),
    ("2026-10-10", "2026-10-10", DayKind::Workday, "国庆节调休上班"),
];

/// Every day of the official schedules, in date order.
pub fn official_days() -> Vec<(Date, DayKind, String)> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let mut out = Vec::new();
    for (from, to, kind, name) in OFFICIAL {
        let (mut d, to) = (Date::parse(from, fmt).expect("valid"), Date::parse(to, fmt).expect("valid"));
        while d <= to {
            out.push((d, *kind, name.to_string()));
            d += Duration::days(1);
        }
    }
    out.sort_by_key(|(d, ..)| *d);
    out
}

/// Parses a year's schedule as typed on the calendar page: one day per line,
/// "2026-10-01 放假 国庆节" or "2026-10-10 上班 国庆节调休上班" (the name may be left out).
/// Every line's error at once, each naming its line.
pub fn parse_year(year: i32, text: &str) -> Result<Vec<(Date, DayKind, String)>, Vec<String>> {
    let fmt = time::macros::format_description!("[year]-[month padding:none]-[day padding:none]");
    let mut out: Vec<(Date, DayKind, String)> = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let n = i + 1;
        let mut parts = line.split_whitespace();
        let (day, kind) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let name: String = parts.collect::<Vec<_>>().join(" ");
        let d = match Date::parse(&day.replace(['/', '.'], "-"), fmt) {
            Ok(d) => d,
            Err(_) => {
                errors.push(format!("第 {n} 行：日期“{day}”应写作 {year}-10-01"));
                continue;
            }
        };
        if d.year() != year {
            errors.push(format!("第 {n} 行：{d} 不在 {year} 年"));
            continue;
        }
        let kind = match DayKind::parse(kind) {
            Ok(k) => k,
            Err(e) => {
                errors.push(format!("第 {n} 行：{e}"));
                continue;
            }
        };
        let weekend = matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
        if kind == DayKind::Workday && !weekend {
            errors.push(format!("第 {n} 行：{d} 本是工作日，无须列为调休上班"));
            continue;
        }
        if out.iter().any(|(x, ..)| *x == d) {
            errors.push(format!("第 {n} 行：{d} 重复"));
            continue;
        }
        if name.chars().count() > 40 {
            errors.push(format!("第 {n} 行：名称不能超过 40 个字"));
            continue;
        }
        let name = if name.is_empty() { kind.label().to_string() } else { name };
        out.push((d, kind, name));
    }
    if errors.is_empty() {
        out.sort_by_key(|(d, ..)| *d);
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A year's listed days in the form `parse_year` reads.
pub fn format_year(days: &[(Date, DayKind, &str)]) -> String {
    days.iter().map(|(d, k, n)| format!("{d} {} {n}\n", k.label())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn cal() -> Calendar {
        Calendar::official()
    }

    /// Received at noon Beijing time on `d`.
    fn noon(d: Date) -> OffsetDateTime {
        d.with_hms(12, 0, 0).unwrap().assume_offset(beijing())
    }

    #[test]
    fn weekends_do_not_count() {
        let c = cal();
        // Friday 2026-11-20 + 2: Mon 23 (1), Tue 24 (2).
        assert_eq!(due_date(noon(date!(2026 - 11 - 20)), 2, &c), date!(2026 - 11 - 24));
        // Wednesday + 7: Thu 19, Fri 20, Mon 23, Tue 24, Wed 25, Thu 26, Fri 27.
        assert_eq!(due_date(noon(date!(2026 - 11 - 18)), 7, &c), date!(2026 - 11 - 27));
        // Received on a Saturday: Monday is day 1.
        assert_eq!(due_date(noon(date!(2026 - 11 - 21)), 1, &c), date!(2026 - 11 - 23));
        // With no listed days at all, only weekends are off.
        assert_eq!(due_date(noon(date!(2026 - 09 - 30)), 2, &Calendar::default()), date!(2026 - 10 - 02));
    }

    #[test]
    fn public_holidays_do_not_count() {
        let c = cal();
        // Wed 2026-09-30 + 2: 1–7 October off; Thu 8 (1), Fri 9 (2).
        assert_eq!(due_date(noon(date!(2026 - 09 - 30)), 2, &c), date!(2026 - 10 - 09));
        // Received on a holiday (Sat 3 October) counts from Thursday 8th.
        assert_eq!(due_date(noon(date!(2026 - 10 - 03)), 2, &c), date!(2026 - 10 - 09));
        // New Year 2026: Wed 31 Dec + 2: 1–3 Jan off; Sun 4 Jan is a make-up day (1), Mon 5 (2).
        assert_eq!(due_date(noon(date!(2025 - 12 - 31)), 2, &c), date!(2026 - 01 - 05));
        // 2025's New Year is one day only (Wednesday), no make-up day: Tue 31 Dec 2024 + 1 = Thu 2 Jan.
        assert_eq!(due_date(noon(date!(2024 - 12 - 31)), 1, &c), date!(2025 - 01 - 02));
    }

    #[test]
    fn make_up_working_days_count() {
        let c = cal();
        // Fri 2026-10-09 + 1: Saturday 10 October is a make-up working day.
        assert_eq!(due_date(noon(date!(2026 - 10 - 09)), 1, &c), date!(2026 - 10 - 10));
        // Fri 2026-02-13 + 2: Sat 14 Feb works (1), 15–23 off, Tue 24 (2).
        assert_eq!(due_date(noon(date!(2026 - 02 - 13)), 2, &c), date!(2026 - 02 - 24));
        // + 7 from there: 14 (1), 24 (2), 25 (3), 26 (4), 27 (5), Sat 28 works (6), Mon 2 March (7).
        assert_eq!(due_date(noon(date!(2026 - 02 - 13)), 7, &c), date!(2026 - 03 - 02));
        // Spring Festival 2025: Fri 24 Jan + 7: Sun 26 works (1), Mon 27 (2), 28 Jan–4 Feb off,
        // Wed 5 (3), Thu 6 (4), Fri 7 (5), Sat 8 works (6), Mon 10 (7).
        assert_eq!(due_date(noon(date!(2025 - 01 - 24)), 7, &c), date!(2025 - 02 - 10));
        // National Day 2025, a complex (15-day) appeal received Fri 26 Sep: Sun 28 (1), 29 (2), 30 (3),
        // 1–8 Oct off, Thu 9 (4), Fri 10 (5), Sat 11 works (6), 13–17 (7–11), 20–23 (12–15).
        assert_eq!(due_date(noon(date!(2025 - 09 - 26)), 15, &c), date!(2025 - 10 - 23));
        // Labour Day 2026: Fri 8 May + 1 is Saturday 9 May, a make-up day.
        assert_eq!(due_date(noon(date!(2026 - 05 - 08)), 1, &c), date!(2026 - 05 - 09));
    }

    #[test]
    fn the_clock_reads_the_day_in_beijing_and_ends_at_midnight_there() {
        let c = cal();
        // 16:30 UTC on Thursday 19 Nov is 00:30 on Friday 20 Nov in Beijing: Friday is day 0.
        let start = datetime!(2026-11-19 16:30 UTC);
        assert_eq!(due_date(start, 1, &c), date!(2026 - 11 - 23));
        // 15:30 UTC the same Thursday is still Thursday in Beijing: due Friday.
        assert_eq!(due_date(datetime!(2026-11-19 15:30 UTC), 1, &c), date!(2026 - 11 - 20));
        // Due on Monday 23 Nov means by 24:00 Beijing time, i.e. 16:00 UTC that day.
        assert_eq!(due(start, 1, &c), datetime!(2026-11-23 16:00 UTC));
    }

    #[test]
    fn working_days_between_two_dates_follow_the_same_calendar() {
        let c = cal();
        assert_eq!(c.working_days_between(date!(2026 - 09 - 30), date!(2026 - 10 - 10)), 3);
        assert_eq!(c.working_days_between(date!(2026 - 10 - 10), date!(2026 - 09 - 30)), -3);
        assert_eq!(c.working_days_between(date!(2026 - 11 - 20), date!(2026 - 11 - 20)), 0);
        assert!(c.is_working_day(date!(2026 - 02 - 28)) && !c.is_working_day(date!(2026 - 02 - 16)));
        assert_eq!(c.name_of(date!(2026 - 02 - 28)), Some("春节调休上班"));
    }

    #[test]
    fn urgency_puts_overdue_then_due_soon_first() {
        let c = cal();
        let fri = date!(2026 - 11 - 20);
        assert_eq!(Urgency::of(fri, date!(2026 - 11 - 18), &c), Urgency::Overdue(2));
        assert_eq!(Urgency::of(fri, fri, &c), Urgency::DueSoon);
        // The next working day after Friday is Monday: due Monday is due soon, due Tuesday is not.
        assert_eq!(Urgency::of(fri, date!(2026 - 11 - 23), &c), Urgency::DueSoon);
        assert_eq!(Urgency::of(fri, date!(2026 - 11 - 24), &c), Urgency::Normal);
        assert!(Urgency::Overdue(1).rank() < Urgency::DueSoon.rank());
    }

    #[test]
    fn the_official_schedules_hold_the_published_totals() {
        let days = official_days();
        let count = |y: i32, k: DayKind| days.iter().filter(|(d, kk, _)| d.year() == y && *kk == k).count();
        // 2025: 1 + 8 + 3 + 5 + 3 + 8 days off; make-up days 26 Jan, 8 Feb, 27 Apr, 28 Sep, 11 Oct.
        assert_eq!((count(2025, DayKind::Holiday), count(2025, DayKind::Workday)), (28, 5));
        // 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7 days off; make-up days 4 Jan, 14 and 28 Feb, 9 May, 20 Sep, 10 Oct.
        assert_eq!((count(2026, DayKind::Holiday), count(2026, DayKind::Workday)), (33, 6));
        // Every make-up day is a weekend day.
        assert!(
            days.iter()
                .filter(|(_, k, _)| *k == DayKind::Workday)
                .all(|(d, ..)| matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday))
        );
    }

    #[test]
    fn a_year_is_edited_as_lines_and_every_bad_line_is_named() {
        let ok = parse_year(2027, "2027-01-01 放假 元旦\n\n# 注释\n2027-2-6 上班 春节调休上班\n").unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1], (date!(2027 - 02 - 06), DayKind::Workday, "春节调休上班".to_string()));
        let errs = parse_year(
            2027,
            "2027-13-01 放假\n2026-01-01 放假\n2027-01-04 上班\n2027-01-01 休息\n2027-01-01 放假\n2027-01-01 放假",
        )
        .unwrap_err();
        assert_eq!(errs.len(), 5, "{errs:?}");
        assert!(errs[0].starts_with("第 1 行") && errs[0].contains("日期"));
        assert!(errs[1].contains("不在 2027 年"));
        assert!(errs[2].contains("本是工作日"), "2027-01-04 is a Monday: {errs:?}");
        assert!(errs[3].contains("放假 或 上班"));
        assert!(errs[4].starts_with("第 6 行") && errs[4].contains("重复"));
        let text = format_year(&cal().year(2026).into_iter().take(2).collect::<Vec<_>>());
        assert_eq!(text, "2026-01-01 放假 元旦\n2026-01-02 放假 元旦\n");
    }
}

//! Evaluation periods: a month, a quarter, a year, or the year to date up to a month. Each has a
//! window of days and months, a label officials recognise, and the same period a year earlier.

use crate::reports::model::YearMonth;
use serde::Serialize;
use time::{Date, Month};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Period {
    Month {
        year: i32,
        month: u8,
    },
    Quarter {
        year: i32,
        quarter: u8,
    },
    Year {
        year: i32,
    },
    /// January to the given month.
    YearToDate {
        year: i32,
        month: u8,
    },
}

fn month_end(year: i32, month: u8) -> Date {
    let m = Month::try_from(month).expect("checked month");
    Date::from_calendar_date(year, m, m.length(year)).expect("valid")
}

fn first(year: i32, month: u8) -> Date {
    Date::from_calendar_date(year, Month::try_from(month).expect("checked month"), 1).expect("valid")
}

impl Period {
    /// "2026-10" (month), "2026Q3" (quarter), "2026" (year), "2026-10累计" or "2026-10-ytd" (year to date).
    pub fn parse(s: &str) -> Result<Period, String> {
        let t = s.trim();
        let bad =
            || format!("期间“{t}”无效，应为 2026（年）、2026Q3（季度）、2026-10（月）或 2026-10累计（1 月至该月）");
        let year_of = |y: &str| y.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(bad);
        if let Some((y, q)) = t.split_once(['Q', 'q']) {
            let quarter: u8 = q.parse().map_err(|_| bad())?;
            if !(1..=4).contains(&quarter) {
                return Err(bad());
            }
            return Ok(Period::Quarter { year: year_of(y.trim_end_matches('-'))?, quarter });
        }
        let (body, ytd) =
            match t.strip_suffix("累计").or_else(|| t.strip_suffix("-ytd")).or_else(|| t.strip_suffix("-YTD")) {
                Some(b) => (b, true),
                None => (t, false),
            };
        match body.split_once('-') {
            None => Ok(Period::Year { year: year_of(body)? }),
            Some((y, m)) => {
                let month: u8 = m.parse().map_err(|_| bad())?;
                if !(1..=12).contains(&month) {
                    return Err(bad());
                }
                let year = year_of(y)?;
                Ok(if ytd { Period::YearToDate { year, month } } else { Period::Month { year, month } })
            }
        }
    }

    /// The form `parse` reads back.
    pub fn code(&self) -> String {
        match *self {
            Period::Month { year, month } => format!("{year}-{month:02}"),
            Period::Quarter { year, quarter } => format!("{year}Q{quarter}"),
            Period::Year { year } => format!("{year}"),
            Period::YearToDate { year, month } => format!("{year}-{month:02}累计"),
        }
    }

    pub fn label(&self) -> String {
        match *self {
            Period::Month { year, month } => format!("{year} 年 {month} 月"),
            Period::Quarter { year, quarter } => {
                format!("{year} 年第{}季度", ["一", "二", "三", "四"][quarter as usize - 1])
            }
            Period::Year { year } => format!("{year} 年"),
            Period::YearToDate { year, month: 1 } => format!("{year} 年 1 月"),
            Period::YearToDate { year, month } => format!("{year} 年 1—{month} 月"),
        }
    }

    pub fn year(&self) -> i32 {
        match *self {
            Period::Month { year, .. }
            | Period::Quarter { year, .. }
            | Period::Year { year }
            | Period::YearToDate { year, .. } => year,
        }
    }

    /// First and last month of the window.
    pub fn months(&self) -> (YearMonth, YearMonth) {
        let ym = |year, month| YearMonth { year, month };
        match *self {
            Period::Month { year, month } => (ym(year, month), ym(year, month)),
            Period::Quarter { year, quarter } => (ym(year, quarter * 3 - 2), ym(year, quarter * 3)),
            Period::Year { year } => (ym(year, 1), ym(year, 12)),
            Period::YearToDate { year, month } => (ym(year, 1), ym(year, month)),
        }
    }

    /// First and last day of the window.
    pub fn days(&self) -> (Date, Date) {
        let (a, b) = self.months();
        (first(a.year, a.month), month_end(b.year, b.month))
    }

    /// The same window a year earlier, for "比上年同期".
    pub fn year_before(&self) -> Period {
        match *self {
            Period::Month { year, month } => Period::Month { year: year - 1, month },
            Period::Quarter { year, quarter } => Period::Quarter { year: year - 1, quarter },
            Period::Year { year } => Period::Year { year: year - 1 },
            Period::YearToDate { year, month } => Period::YearToDate { year: year - 1, month },
        }
    }

    /// The quarter a day falls in.
    pub fn quarter_of(d: Date) -> Period {
        Period::Quarter { year: d.year(), quarter: (d.month() as u8 - 1) / 3 + 1 }
    }

    /// What a page shows when no period is asked for: the year to the last complete month.
    pub fn default_for(today: Date) -> Period {
        let last = YearMonth::of(today).prev();
        Period::YearToDate { year: last.year, month: last.month }
    }

    /// Periods offered in a picker: recent months, quarters, years and years to date.
    pub fn choices(today: Date) -> Vec<Period> {
        let last = YearMonth::of(today).prev();
        let mut v = vec![Period::YearToDate { year: last.year, month: last.month }];
        v.push(Period::Year { year: last.year });
        v.push(Period::Year { year: last.year - 1 });
        let q = Period::quarter_of(last.first_day());
        if let Period::Quarter { year, quarter } = q {
            for k in 0..4 {
                let n = (year * 4 + quarter as i32 - 1) - k;
                v.push(Period::Quarter { year: n.div_euclid(4), quarter: (n.rem_euclid(4) + 1) as u8 });
            }
        }
        let mut m = last;
        for _ in 0..6 {
            v.push(Period::Month { year: m.year, month: m.month });
            m = m.prev();
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn periods_parse_and_print_back() {
        for s in ["2026-10", "2026Q3", "2026", "2026-10累计"] {
            assert_eq!(Period::parse(s).unwrap().code(), s);
        }
        assert_eq!(Period::parse("2026-10-ytd").unwrap(), Period::YearToDate { year: 2026, month: 10 });
        assert!(Period::parse("2026Q5").is_err());
        assert!(Period::parse("2026-13").is_err());
        assert!(Period::parse("去年").unwrap_err().contains("期间“去年”无效"));
    }

    #[test]
    fn windows_cover_whole_months() {
        assert_eq!(Period::parse("2024Q1").unwrap().days(), (date!(2024 - 01 - 01), date!(2024 - 03 - 31)));
        assert_eq!(
            Period::parse("2024-02").unwrap().days(),
            (date!(2024 - 02 - 01), date!(2024 - 02 - 29)),
            "leap year"
        );
        assert_eq!(Period::parse("2026-10累计").unwrap().days(), (date!(2026 - 01 - 01), date!(2026 - 10 - 31)));
        assert_eq!(Period::parse("2026Q4").unwrap().year_before().code(), "2025Q4");
    }

    #[test]
    fn labels_read_as_officials_write_them() {
        assert_eq!(Period::parse("2026Q3").unwrap().label(), "2026 年第三季度");
        assert_eq!(Period::parse("2026-10累计").unwrap().label(), "2026 年 1—10 月");
        assert_eq!(Period::default_for(date!(2026 - 11 - 22)).code(), "2026-10累计");
        assert_eq!(Period::default_for(date!(2026 - 01 - 05)).code(), "2025-12累计");
    }

    #[test]
    fn the_picker_offers_the_last_four_quarters() {
        let c: Vec<String> = Period::choices(date!(2026 - 02 - 10)).iter().map(|p| p.code()).collect();
        assert!(
            c.contains(&"2026-01累计".to_string())
                && c.contains(&"2025Q2".to_string())
                && !c.contains(&"2025Q1".to_string()),
            "{c:?}"
        );
    }
}

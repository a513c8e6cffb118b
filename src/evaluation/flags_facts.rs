//! What the 红旗/蜗牛 score reads of a project, as the two databases hand it over: one text per
//! project (`facts`), built in SQL and parsed here.

use super::flags::Candidate;
use super::period::Period;
use crate::db::Backend;
use time::Date;
use uuid::Uuid;

/// What the score needs of a project, as one text column: id, 总投资, the latest 累计完成投资, stage,
/// health and the twelve milestone dates, joined by commas (scoring reads all candidates' as one
/// value; see `flags_service::candidates`). The words (name, place, why) come only for those shown.
#[derive(sqlx::FromRow)]
pub(super) struct Row {
    pub facts: String,
}

#[derive(sqlx::FromRow)]
pub(super) struct Words {
    pub name: String,
    pub region_name: String,
    pub health_reason: Option<String>,
}

/// A project shown on a list: what the score needs and the words.
#[derive(sqlx::FromRow)]
pub(super) struct Shown {
    #[sqlx(flatten)]
    pub row: Row,
    #[sqlx(flatten)]
    pub words: Words,
}

/// 签约, 注册, 供地, 开工, 投产 and 达产, planned and actual, in that order.
const DATES: [&str; 12] = [
    "planned_sign",
    "actual_sign",
    "planned_register",
    "actual_register",
    "planned_land",
    "actual_land",
    "planned_start",
    "actual_start",
    "planned_produce",
    "actual_produce",
    "planned_full_produce",
    "actual_full_produce",
];

/// The row's `facts` column for the quarter, in one `format()` (a chain of `||` cost SQLite more
/// than the scoring's index probes). SQLite keeps dates as "YYYY-MM-DD" and hands them over as they
/// are; PostgreSQL sends days since 1970-01-01, since formatting twelve dates for 70,000 rows cost it
/// more than the whole scoring. An id is hex on SQLite (stored as 16 bytes), text on PostgreSQL.
pub(super) fn facts_sql(backend: Backend, quarter: Period) -> String {
    let (id, dates): (&str, Vec<String>) = match backend {
        Backend::Sqlite => ("hex(p.id)", DATES.iter().map(|d| format!("p.{d}")).collect()),
        Backend::Postgres => ("p.id", DATES.iter().map(|d| format!("p.{d} - DATE '1970-01-01'")).collect()),
    };
    let template = vec!["%s"; DATES.len() + 5].join(",");
    format!(
        "format('{template}', {id}, p.total_investment, {}, p.stage, p.health, {}) AS facts",
        cumulative_sql(quarter),
        dates.join(", ")
    )
}

/// A date of `facts`: "2026-09-30" or days since 1970-01-01 (anything else as none), without the
/// general parser's cost.
fn fact_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;
        let days: i32 = s.parse().ok()?;
        return Date::from_julian_day(UNIX_EPOCH_JULIAN_DAY.checked_add(days)?).ok();
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u16>().ok();
    let month = time::Month::try_from(num(5..7)? as u8).ok()?;
    Date::from_calendar_date(num(0..4)? as i32, month, num(8..10)? as u8).ok()
}

/// The latest 累计完成投资 reported by the quarter's last month (from an index alone: migration 0024).
fn cumulative_sql(quarter: Period) -> String {
    format!(
        "(SELECT r.invest_cumulative FROM monthly_reports r WHERE r.project_id = p.id AND r.month <= '{}'
          ORDER BY r.month DESC LIMIT 1)",
        quarter.months().1.label()
    )
}

/// A candidate from its `facts` (None if they do not read, which the SQL above never produces).
pub(super) fn candidate(facts: &str, words: Option<Words>) -> Option<Candidate> {
    let (name, region_name, health_reason) =
        words.map(|w| (w.name, w.region_name, w.health_reason)).unwrap_or_default();
    let mut parts = facts.split(',');
    let id = Uuid::try_parse(parts.next()?).ok()?;
    let total_investment = parts.next()?.parse().ok()?;
    let invest_cumulative = parts.next()?.parse().ok();
    let stage = parts.next()?.to_string();
    let health = parts.next()?.to_string();
    let mut d = [None; 12];
    for (slot, text) in d.iter_mut().zip(parts) {
        *slot = fact_date(text);
    }
    Some(Candidate {
        id,
        name,
        region_name,
        stage,
        health,
        health_reason,
        total_investment,
        milestones: vec![
            ("签约", d[0], d[1]),
            ("注册", d[2], d[3]),
            ("供地", d[4], d[5]),
            ("开工", d[6], d[7]),
            ("投产", d[8], d[9]),
            ("达产", d[10], d[11]),
        ],
        invest_cumulative,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_candidate_reads_from_its_facts_as_either_database_sends_them() {
        use time::macros::date;
        let sqlite = "0A1B2C3D4E5F60718293A4B5C6D7E8F9,750000000,120000000,started,delayed,\
                      2023-01-10,2023-01-12,,,,,2023-03-01,2023-03-20,,,,";
        let c = super::candidate(sqlite, None).unwrap();
        assert_eq!(c.id.to_string(), "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
        assert_eq!((c.total_investment, c.invest_cumulative), (750_000_000, Some(120_000_000)));
        assert_eq!((c.stage.as_str(), c.health.as_str()), ("started", "delayed"));
        assert_eq!(c.milestones[0], ("签约", Some(date!(2023 - 01 - 10)), Some(date!(2023 - 01 - 12))));
        assert_eq!(c.milestones[1], ("注册", None, None));
        assert_eq!(c.milestones[3], ("开工", Some(date!(2023 - 03 - 01)), Some(date!(2023 - 03 - 20))));
        // PostgreSQL: the id as text, no report yet, dates as days since 1970-01-01.
        let postgres = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9,750000000,,signed,normal,19367,19369,,,,,,,,,,";
        let c = super::candidate(postgres, None).unwrap();
        assert_eq!(c.invest_cumulative, None);
        assert_eq!(c.milestones[0], ("签约", Some(date!(2023 - 01 - 10)), Some(date!(2023 - 01 - 12))));
        assert!(super::candidate("not-an-id,1,,signed,normal", None).is_none());
    }

    #[test]
    fn dates_are_read_from_their_text_and_anything_else_is_none() {
        use time::macros::date;
        assert_eq!(super::fact_date("2026-09-30"), Some(date!(2026 - 09 - 30)));
        assert_eq!(super::fact_date("2026-02-30"), None);
        assert_eq!(super::fact_date(""), None);
        assert_eq!(super::fact_date("30/09/2026"), None);
        // Days since 1970-01-01, as PostgreSQL sends them: 2026-09-30 is day 20,726.
        assert_eq!(super::fact_date("20726"), Some(date!(2026 - 09 - 30)));
        assert_eq!(super::fact_date("0"), Some(date!(1970 - 01 - 01)));
        assert_eq!(super::fact_date("-1"), Some(date!(1969 - 12 - 31)));
        assert_eq!(super::fact_date("99999999999"), None);
    }
}

//! Project speed by unit: how many days from 签约 to 开工, 开工 to 投产 and 签约 to 投产, as the
//! median over the projects that reached both milestones ("10 days to sign, 179 days to production").

use super::model::{days_between, median};
use serde::Serialize;
use time::Date;

/// One project's milestone dates and the unit (a region one level below the view) it counts for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Dates {
    pub region_path: String,
    pub actual_sign: Option<Date>,
    pub actual_start: Option<Date>,
    pub actual_produce: Option<Date>,
}

/// A median and the number of projects behind it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Measure {
    pub n: usize,
    pub median_days: Option<f64>,
}

impl Measure {
    fn of(days: Vec<i64>) -> Measure {
        Measure { n: days.len(), median_days: median(days) }
    }
    /// "179" or "10.5"; "—" when no project reached both milestones.
    pub fn shown(&self) -> String {
        match self.median_days {
            None => "—".into(),
            Some(d) if d.fract() == 0.0 => format!("{d:.0}"),
            Some(d) => format!("{d:.1}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeedRow {
    /// The unit's region path ("/43/4301/"), or "" for the total.
    pub path: String,
    pub projects: usize,
    pub sign_to_start: Measure,
    pub start_to_produce: Measure,
    pub sign_to_produce: Measure,
}

/// The unit a region path counts for: its first `depth` nodes ("/43/4301/430112/", 2 → "/43/4301/").
pub fn unit_of(path: &str, depth: usize) -> String {
    let nodes: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    format!("/{}/", nodes[..depth.min(nodes.len())].join("/"))
}

fn row(path: String, v: &[&Dates]) -> SpeedRow {
    // A negative span is a data-entry error (投产 before 签约); it would drag a median, so it is left out.
    let span = |f: fn(&Dates) -> Option<Date>, t: fn(&Dates) -> Option<Date>| {
        Measure::of(v.iter().filter_map(|d| days_between(f(d), t(d))).filter(|n| *n >= 0).collect())
    };
    SpeedRow {
        path,
        projects: v.len(),
        sign_to_start: span(|d| d.actual_sign, |d| d.actual_start),
        start_to_produce: span(|d| d.actual_start, |d| d.actual_produce),
        sign_to_produce: span(|d| d.actual_sign, |d| d.actual_produce),
    }
}

/// Medians per unit `depth` nodes deep (units in path order), then the total over all of them.
pub fn by_unit(dates: &[Dates], depth: usize) -> (Vec<SpeedRow>, SpeedRow) {
    let mut units: std::collections::BTreeMap<String, Vec<&Dates>> = Default::default();
    for d in dates {
        units.entry(unit_of(&d.region_path, depth)).or_default().push(d);
    }
    let rows = units.into_iter().map(|(path, v)| row(path, &v)).collect();
    (rows, row(String::new(), &dates.iter().collect::<Vec<_>>()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn d(path: &str, sign: Option<Date>, start: Option<Date>, produce: Option<Date>) -> Dates {
        Dates { region_path: path.into(), actual_sign: sign, actual_start: start, actual_produce: produce }
    }

    #[test]
    fn a_unit_is_the_path_cut_to_its_depth() {
        assert_eq!(unit_of("/43/4301/430112/43011251/", 2), "/43/4301/");
        assert_eq!(unit_of("/43/4301/", 3), "/43/4301/", "a project owned by the unit itself counts for it");
    }

    #[test]
    fn medians_count_only_projects_that_reached_both_milestones() {
        let v = vec![
            // 长沙: signed 2023-06-08, started 10 days later, producing 179 days after signing.
            d(
                "/43/4301/430112/",
                Some(date!(2023 - 06 - 08)),
                Some(date!(2023 - 06 - 18)),
                Some(date!(2023 - 12 - 04)),
            ),
            // 长沙: started 30 days after signing, not producing yet.
            d("/43/4301/430121/", Some(date!(2023 - 01 - 01)), Some(date!(2023 - 01 - 31)), None),
            // 长沙: signed only.
            d("/43/4301/", Some(date!(2023 - 03 - 01)), None, None),
            // 湘潭: start recorded before signing (a typing error), producing 100 days after start.
            d("/43/4303/", Some(date!(2023 - 05 - 01)), Some(date!(2023 - 04 - 01)), Some(date!(2023 - 07 - 10))),
        ];
        let (rows, total) = by_unit(&v, 2);
        assert_eq!(rows.len(), 2);
        let cs = &rows[0];
        assert_eq!((cs.path.as_str(), cs.projects), ("/43/4301/", 3));
        assert_eq!(cs.sign_to_start, Measure { n: 2, median_days: Some(20.0) }, "median of 10 and 30");
        assert_eq!(cs.start_to_produce, Measure { n: 1, median_days: Some(169.0) });
        assert_eq!(cs.sign_to_produce, Measure { n: 1, median_days: Some(179.0) });
        let xt = &rows[1];
        assert_eq!(xt.sign_to_start, Measure { n: 0, median_days: None }, "a negative span is left out");
        assert_eq!(xt.start_to_produce.median_days, Some(100.0));
        assert_eq!(total.projects, 4);
        assert_eq!(total.sign_to_start.median_days, Some(20.0));
        assert_eq!(total.start_to_produce, Measure { n: 2, median_days: Some(134.5) }, "median of 169 and 100");
        assert_eq!(total.start_to_produce.shown(), "134.5");
        assert_eq!(xt.sign_to_start.shown(), "—");
    }

    #[test]
    fn no_projects_give_no_rows_and_an_empty_total() {
        let (rows, total) = by_unit(&[], 2);
        assert!(rows.is_empty());
        assert_eq!(total.projects, 0);
        assert_eq!(total.sign_to_produce.shown(), "—");
    }
}

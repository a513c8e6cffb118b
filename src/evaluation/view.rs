//! What evaluation pages share: the query (scope, period, level, indicator), the period picker,
//! tables of units × indicators with drill-down links, and the Excel copy of such a table.

use super::indicators::{Facts, LIBRARY, def, shown, value};
use super::period::Period;
use super::score::Ranked;
use super::service::{Evaluation, Level, UnitRow};
use crate::error::{AppError, AppResult};
use crate::imports::Cell;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct View {
    pub region: Option<String>,
    pub period: Option<String>,
    pub level: Option<String>,
    pub indicator: Option<String>,
    pub screen: Option<String>,
}

impl View {
    pub fn period(&self) -> AppResult<Period> {
        match self.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => Period::parse(p).map_err(|e| AppError::field("period", e)),
            None => Ok(Period::default_for(crate::projects::service::today())),
        }
    }
    pub fn level(&self) -> Level {
        Level::parse(self.level.as_deref().unwrap_or(""))
    }
    /// The indicator a map is coloured by (项目开工率 unless another is chosen).
    pub fn indicator(&self) -> AppResult<&'static super::indicators::Def> {
        let code = self.indicator.as_deref().filter(|c| !c.is_empty()).unwrap_or("start_rate");
        def(code).ok_or_else(|| AppError::field("indicator", format!("未知的指标“{code}”")))
    }
    /// This view's query string with some keys replaced.
    pub fn with(&self, changes: &[(&str, &str)]) -> String {
        let mut v = self.clone();
        for (k, val) in changes {
            let slot = match *k {
                "region" => &mut v.region,
                "period" => &mut v.period,
                "level" => &mut v.level,
                "indicator" => &mut v.indicator,
                _ => &mut v.screen,
            };
            *slot = Some(val.to_string()).filter(|s| !s.is_empty());
        }
        serde_urlencoded::to_string(&v).unwrap_or_default()
    }
}

/// The indicators a units table shows, in this order.
pub const TABLE: &[&str] = &[
    "funds_rate",
    "start_rate",
    "industrial_share",
    "tax",
    "jobs",
    "signed_amount",
    "funds",
    "invest",
    "new_projects",
];

/// Where the figure comes from: the projects (or reports, or enterprises) behind it.
pub fn drill(code: &str, unit: &str, period: Period) -> String {
    let (d0, d1) = period.days();
    let (_, m1) = period.months();
    let signed = format!("/projects?region={unit}&signed_from={d0}&signed_to={d1}");
    match code {
        "start_rate" => format!("{signed}&due_by={d1}"),
        "industrial_share" | "industrial_share_count" => format!("{signed}&industrial=是"),
        "funds" | "invest" | "tax" | "jobs" => format!("/reports?region={unit}&month={}", m1.label()),
        "new_above_scale" => format!("/enterprises?region={unit}&tag=规上"),
        "new_hundred_billion" => format!("/enterprises?region={unit}&tag=百亿企业"),
        "new_little_giants" => format!("/enterprises?region={unit}&tag=小巨人"),
        _ => signed,
    }
}

pub struct Column {
    pub code: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub formula: &'static str,
}

pub struct Figure {
    pub text: String,
    pub href: String,
}

pub struct TableRow {
    pub code: String,
    pub name: String,
    pub figures: Vec<Figure>,
    pub score: Option<String>,
    pub rank: Option<usize>,
    pub is_own: bool,
}

pub fn columns(codes: &[&str]) -> Vec<Column> {
    codes
        .iter()
        .filter_map(|c| def(c))
        .map(|d| Column { code: d.code, name: d.name, unit: d.unit.label(), formula: d.formula })
        .collect()
}

fn figures(codes: &[&str], f: &Facts, unit: &str, period: Period) -> Vec<Figure> {
    codes
        .iter()
        .filter_map(|c| def(c))
        .map(|d| Figure { text: shown(d.unit, value(d.code, f)), href: drill(d.code, unit, period) })
        .collect()
}

/// Rows in ranking order (units without a place in the ranking last), then the scope's total.
pub fn rows(e: &Evaluation, period: Period) -> (Vec<TableRow>, TableRow) {
    let rank_of = |code: &str| e.ranked.iter().find(|r| r.code == code);
    let mut units: Vec<&UnitRow> = e.units.iter().collect();
    units.sort_by_key(|u| rank_of(&u.code).map(|r| r.rank).unwrap_or(usize::MAX));
    let rows = units
        .iter()
        .map(|u| {
            let r = rank_of(&u.code);
            TableRow {
                code: u.code.clone(),
                name: u.name.clone(),
                figures: figures(TABLE, &u.facts, &u.code, period),
                score: r.map(|r| format!("{:.2}", r.score)),
                rank: r.map(|r| r.rank),
                is_own: u.code == e.scope,
            }
        })
        .collect();
    let total = TableRow {
        code: e.scope.clone(),
        name: format!("{}合计", e.scope_name),
        figures: figures(TABLE, &e.total, &e.scope, period),
        score: None,
        rank: None,
        is_own: true,
    };
    (rows, total)
}

pub fn level_label(l: Level) -> &'static str {
    match l {
        Level::Children => "下辖单位",
        Level::Parks => "园区",
    }
}

/// The ranking as an Excel sheet's rows: rank, unit, score, then each weighted indicator's value and points.
pub fn ranking_cells(ranked: &[Ranked]) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut headers = vec!["排名".to_string(), "单位".to_string(), "综合得分".to_string()];
    if let Some(first) = ranked.first() {
        for (code, _, _) in &first.parts {
            let d = def(code).expect("weighted indicators are in the library");
            headers.push(format!("{}（{}）", d.name, d.unit.label()));
            headers.push(format!("{}得分", d.name));
        }
    }
    let rows = ranked
        .iter()
        .map(|r| {
            let mut v =
                vec![Cell::Int(r.rank as i64), Cell::Text(r.name.clone()), Cell::Text(format!("{:.2}", r.score))];
            for (code, val, points) in &r.parts {
                v.push(Cell::Text(shown(def(code).map(|d| d.unit).unwrap_or(super::indicators::Unit::Projects), *val)));
                v.push(Cell::Text(format!("{points:.2}")));
            }
            v
        })
        .collect();
    (headers, rows)
}

/// The units table, the ranking and the definitions, one sheet each.
pub fn workbook(e: &Evaluation, period: Period) -> Result<Vec<u8>, String> {
    let cols = columns(TABLE);
    let mut headers = vec!["代码".to_string(), "单位".to_string()];
    headers.extend(cols.iter().map(|c| format!("{}（{}）", c.name, c.unit)));
    let (units, total) = rows(e, period);
    let table: Vec<Vec<Cell>> = units
        .iter()
        .chain([&total])
        .map(|r| {
            let mut v = vec![Cell::Text(r.code.clone()), Cell::Text(r.name.clone())];
            v.extend(r.figures.iter().map(|f| Cell::Text(f.text.clone())));
            v
        })
        .collect();
    let (rank_headers, ranking) = ranking_cells(&e.ranked);
    let definitions: Vec<Vec<Cell>> = LIBRARY
        .iter()
        .map(|d| {
            let w = e.weights.iter().find(|(c, _)| c == d.code).map(|(_, w)| *w).unwrap_or(0);
            vec![
                Cell::Text(d.name.into()),
                Cell::Text(d.unit.label().into()),
                Cell::Int(w),
                Cell::Text(d.formula.into()),
            ]
        })
        .collect();
    let h1: Vec<&str> = headers.iter().map(String::as_str).collect();
    let h2: Vec<&str> = rank_headers.iter().map(String::as_str).collect();
    crate::imports::workbook(vec![
        ("指标", &h1, table),
        ("综合排名", &h2, ranking),
        ("指标说明", &["指标", "单位", "权重", "计算方法"], definitions),
    ])
}

/// Picker choices: (code, label) of periods around today.
pub fn period_choices() -> Vec<(String, String)> {
    Period::choices(crate::projects::service::today()).iter().map(|p| (p.code(), p.label())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_figure_links_to_what_is_behind_it() {
        let p = Period::parse("2026Q3").unwrap();
        assert_eq!(
            drill("start_rate", "4301", p),
            "/projects?region=4301&signed_from=2026-07-01&signed_to=2026-09-30&due_by=2026-09-30"
        );
        assert_eq!(drill("tax", "4301", p), "/reports?region=4301&month=2026-09");
        assert!(drill("industrial_share", "4301", p).ends_with("&industrial=是"));
    }

    #[test]
    fn a_view_changes_one_key_and_keeps_the_others() {
        let v = View { region: Some("4301".into()), period: Some("2026Q3".into()), ..Default::default() };
        assert_eq!(v.with(&[("region", "4303")]), "region=4303&period=2026Q3");
        assert_eq!(v.with(&[("period", "")]), "region=4301");
    }
}

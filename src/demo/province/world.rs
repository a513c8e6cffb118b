//! What the generator draws from: the counties and parks under the 14 市州, weighted by the
//! city's economy and by the kind of unit, and the GB/T 4754 小类 codes grouped by 门类.

use super::names::CITIES;
use crate::demo::rng::Rng;
use time::Date;

/// A county, park or city that owns records.
#[derive(Debug, Clone)]
pub struct Unit {
    pub code: String,
    /// Index into `CITIES`.
    pub city: usize,
    /// The 6-digit division a company registered here carries in its credit code.
    pub division: String,
    pub is_park: bool,
}

#[derive(Debug, Clone)]
pub struct Industry {
    pub code: String,
    pub name: String,
    pub section: String,
}

/// Draws an index with fixed weights by binary search over their running sums.
#[derive(Debug, Clone)]
pub struct Picker {
    cum: Vec<f64>,
}

impl Picker {
    pub fn new(weights: impl IntoIterator<Item = f64>) -> Picker {
        let mut total = 0.0;
        let cum = weights
            .into_iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        Picker { cum }
    }
    pub fn is_empty(&self) -> bool {
        self.cum.last().is_none_or(|t| *t <= 0.0)
    }
    pub fn pick(&self, rng: &mut Rng) -> usize {
        let x = rng.unit() * self.cum.last().copied().unwrap_or(0.0);
        self.cum.partition_point(|c| *c <= x).min(self.cum.len().saturating_sub(1))
    }
}

/// Enterprises by 门类: most are in manufacturing and trade, as in the provincial registry's larger firms.
const ENTERPRISE_SECTIONS: &[(&str, f64)] = &[
    ("C", 34.0),
    ("F", 14.0),
    ("I", 7.0),
    ("M", 7.0),
    ("L", 7.0),
    ("E", 6.0),
    ("G", 5.0),
    ("A", 4.0),
    ("K", 3.0),
    ("H", 3.0),
    ("D", 2.0),
    ("R", 2.0),
    ("N", 1.5),
    ("Q", 1.0),
    ("P", 1.0),
    ("B", 1.0),
    ("J", 1.5),
];

/// Projects by 门类: 招商 is mostly about industry.
const PROJECT_SECTIONS: &[(&str, f64)] = &[
    ("C", 61.0),
    ("D", 5.0),
    ("G", 5.0),
    ("I", 6.0),
    ("M", 4.0),
    ("A", 4.0),
    ("K", 3.0),
    ("R", 3.0),
    ("N", 2.0),
    ("F", 3.0),
    ("H", 1.5),
    ("Q", 1.5),
    ("L", 1.0),
];

pub struct World {
    pub today: Date,
    pub units: Vec<Unit>,
    pub industries: Vec<Industry>,
    /// Units by weight for enterprises, and for projects (parks weigh more: that is where projects land).
    pub enterprise_units: Picker,
    pub project_units: Picker,
    enterprise_sections: (Picker, Vec<Vec<usize>>),
    project_sections: (Picker, Vec<Vec<usize>>),
}

/// Weight of a unit within its city: parks and the NBS functional areas (codes xxxx7x) attract
/// more than a district, a district more than a rural county.
fn unit_weight(code: &str, level: &str, park_boost: f64) -> f64 {
    match level {
        "park" => 4.0 * park_boost,
        "city" => 1.0,
        _ => match code.get(4..5) {
            Some("7") => 3.0 * park_boost,
            Some("0") | Some("1") => 2.0,
            Some("8") => 1.5,
            _ => 1.0,
        },
    }
}

fn sections(industries: &[Industry], weights: &[(&str, f64)]) -> (Picker, Vec<Vec<usize>>) {
    let groups: Vec<Vec<usize>> = weights
        .iter()
        .map(|(s, _)| industries.iter().enumerate().filter(|(_, i)| i.section == *s).map(|(k, _)| k).collect())
        .collect();
    let picker = Picker::new(weights.iter().zip(&groups).map(|((_, w), g)| if g.is_empty() { 0.0 } else { *w }));
    (picker, groups)
}

impl World {
    /// `regions` are (code, level, path) of every region; `industries` the 小类 codes.
    pub fn new(today: Date, regions: &[(String, String, String)], mut industries: Vec<Industry>) -> World {
        industries.sort_by(|a, b| a.code.cmp(&b.code));
        let mut units = Vec::new();
        let (mut ew, mut pw) = (Vec::new(), Vec::new());
        for (city, (city_code, _, gdp)) in CITIES.iter().enumerate() {
            let prefix = format!("/43/{city_code}/");
            let members: Vec<&(String, String, String)> =
                regions.iter().filter(|(_, level, path)| path.starts_with(&prefix) && level != "province").collect();
            let e_sum: f64 = members.iter().map(|(c, l, _)| unit_weight(c, l, 1.0)).sum();
            let p_sum: f64 = members.iter().map(|(c, l, _)| unit_weight(c, l, 2.0)).sum();
            for (code, level, _) in members {
                let six = &code[..code.len().min(6)];
                units.push(Unit {
                    code: code.clone(),
                    city,
                    division: format!("{six:0<6}"),
                    is_park: level == "park" || code.get(4..5) == Some("7"),
                });
                ew.push(gdp * unit_weight(code, level, 1.0) / e_sum);
                pw.push(gdp * unit_weight(code, level, 2.0) / p_sum);
            }
        }
        World {
            today,
            units,
            enterprise_units: Picker::new(ew),
            project_units: Picker::new(pw),
            enterprise_sections: sections(&industries, ENTERPRISE_SECTIONS),
            project_sections: sections(&industries, PROJECT_SECTIONS),
            industries,
        }
    }

    fn industry_from(&self, rng: &mut Rng, (picker, groups): &(Picker, Vec<Vec<usize>>)) -> Option<&Industry> {
        if picker.is_empty() {
            return None;
        }
        let group = &groups[picker.pick(rng)];
        Some(&self.industries[*rng.pick(group)])
    }

    pub fn enterprise_industry(&self, rng: &mut Rng) -> Option<&Industry> {
        self.industry_from(rng, &self.enterprise_sections)
    }

    pub fn project_industry(&self, rng: &mut Rng) -> Option<&Industry> {
        self.industry_from(rng, &self.project_sections)
    }

    pub fn industry(&self, code: &str) -> Option<&Industry> {
        self.industries.binary_search_by(|i| i.code.as_str().cmp(code)).ok().map(|k| &self.industries[k])
    }
}

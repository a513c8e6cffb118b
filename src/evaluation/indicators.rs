//! The indicator library: every figure leaders judge the work by, defined once — its name, its
//! formula in words, unit, default weight and direction — and computed by pure functions from the
//! additive facts of a unit. A rate is the ratio of summed facts (never an average of rates), so a
//! province's figure is always consistent with its cities'.

use serde::{Deserialize, Serialize};

/// Additive facts of one unit (or a sum of units) for one evaluation window. Money is in 分.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// Projects signed in the window, and their contracted amount (总投资 where no amount was signed).
    pub signed: i64,
    pub signed_amount: i64,
    pub signed_industrial: i64,
    pub signed_industrial_amount: i64,
    /// Of the projects signed in the window: those due to start by the window's end (planned, or
    /// already started), and those of them that started by then.
    pub due_to_start: i64,
    pub started: i64,
    /// 到位资金 reported by the projects signed in the window, from their signing to the window's end.
    pub funds_of_signed: i64,
    /// Reported within the window by every project: 到位资金 (foreign converted to 元), 完成投资, 税收.
    pub funds: i64,
    pub invest: i64,
    pub tax: i64,
    /// 用工 reported for the window's last month.
    pub jobs: i64,
    /// Enterprises that gained the tag within the window.
    pub new_above_scale: i64,
    pub new_hundred_billion: i64,
    pub new_little_giants: i64,
}

impl std::ops::AddAssign for Facts {
    fn add_assign(&mut self, o: Facts) {
        self.signed += o.signed;
        self.signed_amount += o.signed_amount;
        self.signed_industrial += o.signed_industrial;
        self.signed_industrial_amount += o.signed_industrial_amount;
        self.due_to_start += o.due_to_start;
        self.started += o.started;
        self.funds_of_signed += o.funds_of_signed;
        self.funds += o.funds;
        self.invest += o.invest;
        self.tax += o.tax;
        self.jobs += o.jobs;
        self.new_above_scale += o.new_above_scale;
        self.new_hundred_billion += o.new_hundred_billion;
        self.new_little_giants += o.new_little_giants;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    Percent,
    /// Money shown in 亿元.
    Yi,
    /// Money shown in 万元.
    Wan,
    Projects,
    People,
    Companies,
}

impl Unit {
    pub fn label(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Yi => "亿元",
            Unit::Wan => "万元",
            Unit::Projects => "个",
            Unit::People => "人",
            Unit::Companies => "家",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Def {
    pub code: &'static str,
    pub name: &'static str,
    pub formula: &'static str,
    pub unit: Unit,
    /// Default weight in the composite score (0: shown, not scored).
    pub weight: i64,
    /// Higher is better (true for every indicator so far; kept so a lower-is-better one can join).
    pub higher_is_better: bool,
    /// Whether the target entered per region and year applies to it.
    pub has_target: bool,
}

macro_rules! def {
    ($code:literal, $name:literal, $formula:literal, $unit:ident, $weight:literal, $target:literal) => {
        Def {
            code: $code,
            name: $name,
            formula: $formula,
            unit: Unit::$unit,
            weight: $weight,
            higher_is_better: true,
            has_target: $target,
        }
    };
}

pub const LIBRARY: &[Def] = &[
    def!(
        "funds_rate",
        "资金到位率",
        "评价期内签约项目（含已退出的）自签约至期末的到位资金（外资按汇率折人民币）÷ 这些项目的合同投资（未填签约额的按总投资）",
        Percent,
        25,
        false
    ),
    def!(
        "start_rate",
        "项目开工率",
        "评价期内签约、且计划开工日期（或实际开工日期）不晚于期末的项目（含已退出的）中，期末前已开工的项目数 ÷ 这些项目数",
        Percent,
        25,
        false
    ),
    def!(
        "industrial_share",
        "产业项目占比（金额）",
        "评价期内签约的产业项目合同投资 ÷ 全部签约项目合同投资",
        Percent,
        15,
        false
    ),
    def!(
        "industrial_share_count",
        "产业项目占比（个数）",
        "评价期内签约的产业项目个数 ÷ 全部签约项目个数",
        Percent,
        0,
        false
    ),
    def!("tax", "税收贡献", "评价期内各项目月报填报的税收之和", Wan, 15, false),
    def!("jobs", "就业岗位带动", "评价期最后一个月各项目月报填报的用工人数之和", People, 10, false),
    def!("signed_amount", "签约额", "评价期内签约项目的合同投资之和", Yi, 0, true),
    def!("funds", "到位资金", "评价期内各项目月报填报的到位资金之和（省外境内资金＋外资折人民币）", Yi, 0, true),
    def!("invest", "完成投资", "评价期内各项目月报填报的当月完成投资之和", Yi, 0, false),
    def!("new_projects", "新签约项目", "评价期内实际签约的项目个数", Projects, 0, true),
    def!("new_above_scale", "新增规上企业", "评价期内新标注为“规上”的企业数", Companies, 0, true),
    def!("new_hundred_billion", "新增百亿企业", "评价期内新标注为“百亿企业”的企业数", Companies, 0, true),
    def!("new_little_giants", "新增小巨人企业", "评价期内新标注为“小巨人”的企业数", Companies, 0, true),
];

pub fn def(code: &str) -> Option<&'static Def> {
    LIBRARY.iter().find(|d| d.code == code)
}

fn ratio(num: i64, den: i64) -> Option<f64> {
    (den != 0).then(|| num as f64 * 100.0 / den as f64)
}

/// The indicator's value in its unit; None when it is undefined (a zero denominator), shown as "—".
pub fn value(code: &str, f: &Facts) -> Option<f64> {
    const FEN_PER_YI: f64 = 10_000_000_000.0;
    const FEN_PER_WAN: f64 = 1_000_000.0;
    match code {
        "funds_rate" => ratio(f.funds_of_signed, f.signed_amount),
        "start_rate" => ratio(f.started, f.due_to_start),
        "industrial_share" => ratio(f.signed_industrial_amount, f.signed_amount),
        "industrial_share_count" => ratio(f.signed_industrial, f.signed),
        "tax" => Some(f.tax as f64 / FEN_PER_WAN),
        "jobs" => Some(f.jobs as f64),
        "signed_amount" => Some(f.signed_amount as f64 / FEN_PER_YI),
        "funds" => Some(f.funds as f64 / FEN_PER_YI),
        "invest" => Some(f.invest as f64 / FEN_PER_YI),
        "new_projects" => Some(f.signed as f64),
        "new_above_scale" => Some(f.new_above_scale as f64),
        "new_hundred_billion" => Some(f.new_hundred_billion as f64),
        "new_little_giants" => Some(f.new_little_giants as f64),
        _ => None,
    }
}

/// A value as the page prints it: rates and money with two decimals, counts whole, "—" when undefined.
pub fn shown(unit: Unit, v: Option<f64>) -> String {
    match (unit, v) {
        (_, None) => "—".into(),
        (Unit::Percent | Unit::Yi | Unit::Wan, Some(x)) => format!("{x:.2}"),
        (_, Some(x)) => format!("{x:.0}"),
    }
}

/// Completion of an annual target, in per cent; None without a target (or a zero one).
pub fn completion(value: Option<f64>, target: Option<f64>) -> Option<f64> {
    match (value, target) {
        (Some(v), Some(t)) if t > 0.0 => Some(v * 100.0 / t),
        _ => None,
    }
}

/// Change against the same period a year earlier, in per cent; None when last year was zero or undefined.
pub fn change(now: Option<f64>, before: Option<f64>) -> Option<f64> {
    match (now, before) {
        (Some(n), Some(b)) if b != 0.0 => Some((n - b) * 100.0 / b.abs()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YI: i64 = 10_000_000_000;

    fn sample() -> Facts {
        // Four projects signed: 10 亿 and 30 亿 industrial, 20 亿 and 40 亿 not; 100 亿 in all.
        // Three were due to start, two did; 25 亿 arrived for them; 5000 万 of tax; 1200 jobs.
        Facts {
            signed: 4,
            signed_amount: 100 * YI,
            signed_industrial: 2,
            signed_industrial_amount: 40 * YI,
            due_to_start: 3,
            started: 2,
            funds_of_signed: 25 * YI,
            funds: 30 * YI,
            invest: 45 * YI,
            tax: 5000 * 1_000_000,
            jobs: 1200,
            ..Default::default()
        }
    }

    #[test]
    fn rates_are_ratios_of_the_facts_worked_out_by_hand() {
        let f = sample();
        assert_eq!(value("funds_rate", &f), Some(25.0));
        assert_eq!(shown(Unit::Percent, value("start_rate", &f)), "66.67");
        assert_eq!(value("industrial_share", &f), Some(40.0));
        assert_eq!(value("industrial_share_count", &f), Some(50.0));
        assert_eq!(value("tax", &f), Some(5000.0));
        assert_eq!(value("signed_amount", &f), Some(100.0));
        assert_eq!(value("new_projects", &f), Some(4.0));
    }

    #[test]
    fn a_zero_denominator_is_undefined_and_shown_as_a_dash_not_zero() {
        let f = Facts::default();
        for code in ["funds_rate", "start_rate", "industrial_share", "industrial_share_count"] {
            assert_eq!(value(code, &f), None, "{code}");
            assert_eq!(shown(def(code).unwrap().unit, value(code, &f)), "—");
        }
        assert_eq!(shown(Unit::Wan, value("tax", &f)), "0.00", "no tax is a real zero");
    }

    #[test]
    fn a_province_rate_is_the_ratio_of_its_cities_sums_not_their_average() {
        let a = Facts { signed_amount: 10 * YI, funds_of_signed: 10 * YI, ..Default::default() };
        let b = Facts { signed_amount: 90 * YI, funds_of_signed: 0, ..Default::default() };
        let mut sum = a;
        sum += b;
        assert_eq!(value("funds_rate", &sum), Some(10.0), "not (100% + 0%) / 2");
    }

    #[test]
    fn completion_and_change_need_a_base() {
        assert_eq!(completion(Some(80.0), Some(100.0)), Some(80.0));
        assert_eq!(completion(Some(80.0), None), None);
        assert_eq!(completion(Some(80.0), Some(0.0)), None);
        assert_eq!(change(Some(120.0), Some(100.0)), Some(20.0));
        assert_eq!(change(Some(120.0), Some(0.0)), None);
        assert_eq!(change(None, Some(3.0)), None);
    }

    #[test]
    fn every_indicator_in_the_library_has_a_value_function() {
        let f = sample();
        for d in LIBRARY {
            assert!(value(d.code, &f).is_some(), "{}", d.code);
        }
    }
}

//! Projects: the checked shape of a project record, its classifications, and its speed.

use super::stage::parse_date;
use crate::domain::money::{Money, parse_mu};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use time::Date;

/// 项目代码 from the investment-project approval platform: YYMM-区划(6)-行业(2)-类型(2)-序号(6),
/// e.g. "2305-430112-04-01-123456". Optional until the project is filed (备案).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectCode(String);

impl ProjectCode {
    pub fn parse(s: &str) -> Result<ProjectCode, String> {
        let s = s.trim();
        let parts: Vec<&str> = s.split('-').collect();
        let lens = [4, 6, 2, 2, 6];
        let shape_ok = parts.len() == 5
            && parts.iter().zip(lens).all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_digit()));
        if !shape_ok {
            return Err(format!("项目代码“{s}”格式应为 YYMM-区划代码-行业-类型-序号，如 2305-430112-04-01-123456"));
        }
        let month: u8 = parts[0][2..].parse().unwrap_or(0);
        if !(1..=12).contains(&month) {
            return Err(format!("项目代码“{s}”的前四位应为年月（月份 01–12）"));
        }
        Ok(ProjectCode(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Declares a closed list of labels (stored as the label) that parse from the label.
macro_rules! labels {
    ($name:ident, $what:literal, [$($v:ident = $l:literal),+ $(,)?]) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $l)] $v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn label(self) -> &'static str { match self { $($name::$v => $l),+ } }
            pub fn parse(s: &str) -> Result<$name, String> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.label() == s).ok_or_else(|| {
                    let all: Vec<_> = $name::ALL.iter().map(|v| v.label()).collect();
                    format!("{}“{s}”无效，可选：{}", $what, all.join("、"))
                })
            }
            pub fn labels() -> Vec<&'static str> { $name::ALL.iter().map(|v| v.label()).collect() }
        }
    };
}

labels!(Sector, "三产分类", [Primary = "一产", Secondary = "二产", Tertiary = "三产"]);
labels!(Nature, "建设性质", [New = "新建", Expansion = "扩建", Upgrade = "技改"]);
labels!(Capital, "资本来源", [State = "国资", Private = "民资", Foreign = "外资"]);
labels!(
    Channel,
    "招商方式",
    [Chain = "产业链招商", Platform = "平台招商", Fund = "基金招商", ByBusiness = "以商招商", Other = "其他"]
);
labels!(
    SourceTag,
    "来源地区",
    [
        OtherProvince = "省外",
        Abroad = "境外",
        GreaterBay = "粤港澳大湾区",
        YangtzeDelta = "长三角",
        JingJinJi = "京津冀",
        BeltRoad = "一带一路"
    ]
);
labels!(ProjectTag, "项目标签", [ProvinceTop10 = "省十大产业项目", Key = "重点项目", TenBillion = "百亿项目"]);

/// Bit masks over a label list, so that list filters are one integer test in SQL.
pub fn mask_of<T: Copy + PartialEq>(all: &[T], chosen: &[T]) -> i64 {
    all.iter().enumerate().filter(|(_, t)| chosen.contains(t)).fold(0, |m, (i, _)| m | (1 << i))
}

pub fn labels_of<T: Copy>(all: &[T], mask: i64, label: impl Fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, t)| label(*t)).collect()
}

fn parse_list<T: Copy + PartialEq>(s: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Vec<T>, String> {
    s.split(['、', ',', '，', ';', '；', ' ', '|']).map(str::trim).filter(|p| !p.is_empty()).map(parse).collect()
}

/// Raw input from a form, an API body or a spreadsheet row.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Input {
    pub code: String,
    pub name: String,
    pub region: String,
    pub industry: String,
    pub sector: String,
    pub industrial: String,
    pub nature: String,
    pub capital: String,
    pub sources: String,
    pub channel: String,
    pub total_investment: String,
    pub fixed_investment: String,
    pub foreign_usd: String,
    pub expected_output: String,
    pub expected_tax: String,
    pub expected_jobs: String,
    pub land_mu: String,
    pub tags: String,
    /// Credit codes of the investors, separated by 、 or commas.
    pub investors: String,
    pub planned_sign: String,
    pub planned_register: String,
    pub planned_land: String,
    pub planned_start: String,
    pub planned_produce: String,
    pub planned_full_produce: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub code: Option<String>,
    pub name: String,
    pub region: String,
    pub industry: Option<String>,
    pub sector: Option<Sector>,
    pub industrial: bool,
    pub nature: Option<Nature>,
    pub capital: Option<Capital>,
    pub sources: i64,
    pub channel: Option<Channel>,
    pub total_investment: Money,
    pub fixed_investment: Option<Money>,
    /// 合同外资, in US cents.
    pub foreign_usd: Option<Money>,
    pub expected_output: Option<Money>,
    pub expected_tax: Option<Money>,
    pub expected_jobs: Option<i64>,
    pub land_mu: Option<i64>,
    pub tags: i64,
    pub investors: Vec<String>,
    /// Planned dates, in `Milestone::ALL` order.
    pub planned: [Option<Date>; 6],
}

pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim() {
        "是" | "Y" | "y" | "true" | "1" | "on" => Ok(true),
        "否" | "N" | "n" | "false" | "0" | "" => Ok(false),
        o => Err(format!("“{o}”应为 是 或 否")),
    }
}

/// Checks every field's shape; all errors at once, each naming its field.
pub fn parse(i: &Input) -> Result<Parsed, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut err = |f: &str, m: String| errors.push(FieldError { field: f.into(), message: m });
    macro_rules! opt {
        ($field:literal, $s:expr, $parse:expr) => {
            match $s.trim() {
                "" => None,
                v => $parse(v).map_err(|e: String| err($field, e)).ok(),
            }
        };
    }
    let code = opt!("code", i.code, |v| ProjectCode::parse(v).map(|c| c.as_str().to_string()));
    let name = i.name.trim().to_string();
    if name.is_empty() {
        err("name", "项目名称不能为空".into());
    } else if name.chars().count() > 120 {
        err("name", "项目名称不能超过 120 个字".into());
    }
    let region = crate::regions::model::RegionCode::parse(&i.region).map_err(|e| err("region", e)).ok();
    let industry = opt!("industry", i.industry, |v| crate::industries::model::IndustryCode::parse(v)
        .map(|c| c.as_str().to_string()));
    let sector = opt!("sector", i.sector, Sector::parse);
    let industrial =
        parse_bool(&i.industrial).map_err(|e| err("industrial", format!("是否产业项目：{e}"))).unwrap_or(false);
    let nature = opt!("nature", i.nature, Nature::parse);
    let capital = opt!("capital", i.capital, Capital::parse);
    let sources = parse_list(&i.sources, SourceTag::parse)
        .map(|v| mask_of(SourceTag::ALL, &v))
        .map_err(|e| err("sources", e))
        .unwrap_or(0);
    let channel = opt!("channel", i.channel, Channel::parse);
    let total_investment = match i.total_investment.trim() {
        "" => {
            err("total_investment", "总投资不能为空（万元）".into());
            Money(0)
        }
        v => Money::parse(v).map_err(|e| err("total_investment", format!("总投资：{e}"))).unwrap_or_default(),
    };
    let fixed_investment =
        opt!("fixed_investment", i.fixed_investment, |v| Money::parse(v).map_err(|e| format!("固定资产投资：{e}")));
    if let Some(f) = fixed_investment {
        if f > total_investment && total_investment.0 > 0 {
            err("fixed_investment", "固定资产投资不能大于总投资".into());
        }
    }
    let foreign_usd =
        opt!("foreign_usd", i.foreign_usd, |v| Money::parse(v).map_err(|e| format!("合同外资（万美元）：{e}")));
    let expected_output =
        opt!("expected_output", i.expected_output, |v| Money::parse(v).map_err(|e| format!("预计年产值：{e}")));
    let expected_tax =
        opt!("expected_tax", i.expected_tax, |v| Money::parse(v).map_err(|e| format!("预计年税收：{e}")));
    let expected_jobs = opt!("expected_jobs", i.expected_jobs, |v: &str| v
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| format!("预计就业“{v}”应为非负整数")));
    let land_mu = opt!("land_mu", i.land_mu, parse_mu);
    let tags = parse_list(&i.tags, ProjectTag::parse)
        .map(|v| mask_of(ProjectTag::ALL, &v))
        .map_err(|e| err("tags", e))
        .unwrap_or(0);
    let mut investors = Vec::new();
    for part in i.investors.split(['、', ',', '，', ';', '；', ' ', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        match crate::enterprises::model::CreditCode::parse(part) {
            Ok(c) if !investors.contains(&c.to_string()) => investors.push(c.to_string()),
            Ok(_) => {}
            Err(e) => err("investors", format!("投资方“{part}”：{e}")),
        }
    }
    let raw_planned = [
        ("planned_sign", &i.planned_sign, "计划签约日期"),
        ("planned_register", &i.planned_register, "计划注册日期"),
        ("planned_land", &i.planned_land, "计划供地日期"),
        ("planned_start", &i.planned_start, "计划开工日期"),
        ("planned_produce", &i.planned_produce, "计划投产日期"),
        ("planned_full_produce", &i.planned_full_produce, "计划达产日期"),
    ];
    let mut planned = [None; 6];
    for (k, (field, raw, label)) in raw_planned.iter().enumerate() {
        if !raw.trim().is_empty() {
            planned[k] = parse_date(label, raw).map_err(|e| err(field, e)).ok();
        }
    }
    // Milestones come in order: a later one may not be planned before an earlier one.
    let mut last: Option<(Date, &str)> = None;
    for (k, d) in planned.iter().enumerate() {
        if let Some(d) = d {
            if let Some((prev, prev_label)) = last {
                if *d < prev {
                    err(raw_planned[k].0, format!("{}不能早于{prev_label}", raw_planned[k].2));
                }
            }
            last = Some((*d, raw_planned[k].2));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Parsed {
        code,
        name,
        region: region.expect("checked").to_string(),
        industry,
        sector,
        industrial,
        nature,
        capital,
        sources,
        channel,
        total_investment,
        fixed_investment,
        foreign_usd,
        expected_output,
        expected_tax,
        expected_jobs,
        land_mu,
        tags,
        investors,
        planned,
    })
}

/// Days from one milestone to another, when both happened.
pub fn days_between(from: Option<Date>, to: Option<Date>) -> Option<i64> {
    Some((to? - from?).whole_days())
}

/// The median of a set of durations (the "10 days to sign, 179 to production" figure); None when empty.
pub fn median(mut v: Vec<i64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] as f64 } else { (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn good() -> Input {
        Input {
            name: "德赛电池储能电芯项目".into(),
            region: "43011251".into(),
            total_investment: "75亿".into(),
            fixed_investment: "60亿".into(),
            land_mu: "863".into(),
            sources: "省外、粤港澳大湾区".into(),
            tags: "省十大产业项目".into(),
            planned_sign: "2022-06-01".into(),
            planned_start: "2022-08-01".into(),
            planned_produce: "2023-05-19".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_project_parses() {
        let p = parse(&good()).unwrap();
        assert_eq!(p.total_investment, Money::from_yi(75));
        assert_eq!(p.land_mu, Some(86300));
        assert_eq!(labels_of(SourceTag::ALL, p.sources, SourceTag::label), ["省外", "粤港澳大湾区"]);
        assert_eq!(p.planned[3], Some(date!(2022 - 08 - 01)));
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut i = good();
        i.name = "".into();
        i.total_investment = "很多".into();
        i.code = "2313-430112-04-01-123456".into();
        i.planned_produce = "2022-07-01".into();
        i.investors = "91350100M000100Y43、123".into();
        let errs = parse(&i).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["code", "name", "total_investment", "investors", "planned_produce"], "{errs:?}");
        assert!(errs[4].message.contains("计划投产日期不能早于计划开工日期"));
    }

    #[test]
    fn fixed_investment_may_not_exceed_total() {
        let mut i = good();
        i.fixed_investment = "80亿".into();
        assert_eq!(parse(&i).unwrap_err()[0].field, "fixed_investment");
    }

    #[test]
    fn project_codes_are_format_checked() {
        assert!(ProjectCode::parse("2305-430112-04-01-123456").is_ok());
        assert!(ProjectCode::parse("2305-430112-04-01-12345").is_err());
        assert!(ProjectCode::parse("2300-430112-04-01-123456").unwrap_err().contains("月份"));
    }

    #[test]
    fn speed_is_days_between_milestones_and_the_median_of_them() {
        assert_eq!(days_between(Some(date!(2023 - 06 - 08)), Some(date!(2023 - 06 - 18))), Some(10));
        assert_eq!(days_between(None, Some(date!(2023 - 06 - 18))), None);
        assert_eq!(median(vec![179, 10, 100]), Some(100.0));
        assert_eq!(median(vec![10, 20]), Some(15.0));
        assert_eq!(median(vec![]), None);
    }
}

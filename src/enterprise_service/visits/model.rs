//! Visits (走访): the checked shape of a visit, who went, what was found; enterprise tiers and the
//! visiting cadence that makes due and overdue lists. Pure.

use crate::enterprises::model::{Tag, Tags};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use time::Date;

/// How often an enterprise should be visited depends on its tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// 重点企业: a chain leader, listed, a 500-strong, a champion, a little giant, a central SOE…
    Key,
    /// 规上企业: above designated size, 专精特新, or large and medium enterprises.
    Scale,
    /// 一般企业: the rest.
    Other,
}

pub const KEY_TAGS: &[Tag] = &[
    Tag::ChainLeader,
    Tag::TenBillion,
    Tag::Listed,
    Tag::Global500,
    Tag::China500,
    Tag::Private500,
    Tag::SingleChampion,
    Tag::LittleGiant,
    Tag::CentralSoe,
    Tag::Multinational,
];
pub const SCALE_TAGS: &[Tag] = &[Tag::AboveScale, Tag::Specialized];

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Key, Tier::Scale, Tier::Other];

    pub fn of(tags: i64, size: Option<&str>) -> Tier {
        if tags & Tier::mask(KEY_TAGS) != 0 {
            Tier::Key
        } else if tags & Tier::mask(SCALE_TAGS) != 0 || matches!(size, Some("大型") | Some("中型")) {
            Tier::Scale
        } else {
            Tier::Other
        }
    }
    pub fn mask(tags: &[Tag]) -> i64 {
        Tags::from_tags(tags).0
    }
    pub fn code(self) -> &'static str {
        match self {
            Tier::Key => "key",
            Tier::Scale => "scale",
            Tier::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Tier::Key => "重点企业",
            Tier::Scale => "规上企业",
            Tier::Other => "一般企业",
        }
    }
    pub fn parse(s: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.code() == s || t.label() == s)
    }
    /// The tier as a SQL expression over an enterprises row aliased `e` (the same rule as `of`).
    pub fn sql() -> String {
        format!(
            "CASE WHEN (e.tags & {}) <> 0 THEN 'key' WHEN (e.tags & {}) <> 0 OR e.size IN ('大型', '中型') \
             THEN 'scale' ELSE 'other' END",
            Tier::mask(KEY_TAGS),
            Tier::mask(SCALE_TAGS)
        )
    }
}

/// A tier code's label ("key" → "重点企业").
pub fn tier_label(code: &str) -> &'static str {
    Tier::parse(code).map(Tier::label).unwrap_or("")
}

/// Days between visits for each tier (editable on the settings page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cadence {
    pub key: i64,
    pub scale: i64,
    pub other: i64,
}

impl Default for Cadence {
    /// Key enterprises every quarter, those above designated size every half year, the rest once a year.
    fn default() -> Self {
        Cadence { key: 90, scale: 180, other: 365 }
    }
}

impl Cadence {
    pub fn days(&self, t: Tier) -> i64 {
        match t {
            Tier::Key => self.key,
            Tier::Scale => self.scale,
            Tier::Other => self.other,
        }
    }
}

/// Where an enterprise stands against its cadence on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitDue {
    /// Never visited.
    Never,
    /// The next visit was due this many days ago.
    Overdue(i64),
    /// Due within the warning window (in this many days).
    DueSoon(i64),
    Fine(i64),
}

/// How many days ahead a coming visit is listed as due.
pub const DUE_WINDOW_DAYS: i64 = 30;

pub fn visit_due(last: Option<Date>, cadence_days: i64, today: Date) -> VisitDue {
    let Some(last) = last else { return VisitDue::Never };
    let next = last + time::Duration::days(cadence_days);
    let left = (next - today).whole_days();
    if left < 0 {
        VisitDue::Overdue(-left)
    } else if left <= DUE_WINDOW_DAYS {
        VisitDue::DueSoon(left)
    } else {
        VisitDue::Fine(left)
    }
}

impl VisitDue {
    pub fn label(self) -> String {
        match self {
            VisitDue::Never => "从未走访".into(),
            VisitDue::Overdue(d) => format!("超期 {d} 天"),
            VisitDue::DueSoon(0) => "今天到期".into(),
            VisitDue::DueSoon(d) => format!("{d} 天后到期"),
            VisitDue::Fine(d) => format!("{d} 天后"),
        }
    }
    pub fn css(self) -> &'static str {
        match self {
            VisitDue::Never | VisitDue::Overdue(_) => "bad",
            VisitDue::DueSoon(_) => "warn",
            VisitDue::Fine(_) => "ok",
        }
    }
}

macro_rules! choice {
    ($name:ident, $what:literal, [$($v:ident = $l:literal),+ $(,)?]) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        pub enum $name { $($v),+ }
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

choice!(Mode, "走访方式", [OnSite = "实地走访", Meeting = "座谈会", Phone = "电话", Video = "视频"]);
choice!(ExitRisk, "外迁或减产风险", [None = "无", Low = "低", Medium = "中", High = "高"]);

/// Raw input from the visit form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Input {
    pub enterprise: String,
    pub project: String,
    pub visited_on: String,
    pub mode: String,
    /// One per line or separated by 、: "张三（市工信局）" or just "张三" (the logger's unit).
    pub participants: String,
    pub topics: String,
    /// 扩产/增资计划 found, if any.
    pub expansion: String,
    pub exit_risk: String,
    pub exit_risk_note: String,
    pub problems: String,
    pub notes: String,
    /// Log even though another unit visited recently.
    pub confirm_overlap: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Participant {
    pub name: String,
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub visited_on: Date,
    pub mode: Mode,
    pub participants: Vec<Participant>,
    pub topics: String,
    pub expansion: Option<String>,
    pub exit_risk: ExitRisk,
    pub exit_risk_note: Option<String>,
    pub problems: Option<String>,
    pub notes: Option<String>,
    pub confirm_overlap: bool,
}

/// "张三（市工信局）、李四(望城经开区) 王五" → names with units; a name alone takes `my_unit`.
pub fn parse_participants(s: &str, my_unit: &str) -> Result<Vec<Participant>, String> {
    let mut out: Vec<Participant> = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    let mut parts = Vec::new();
    for c in s.chars() {
        match c {
            '（' | '(' => {
                depth += 1;
                current.push('(');
            }
            '）' | ')' => {
                depth -= 1;
                current.push(')');
            }
            '、' | ',' | '，' | ';' | '；' | '\n' | '\r' | ' ' | '\u{3000}' if depth <= 0 => {
                parts.push(std::mem::take(&mut current));
            }
            c => current.push(c),
        }
    }
    parts.push(current);
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let (name, unit) = match part.split_once('(') {
            Some((n, rest)) => {
                let unit = rest.strip_suffix(')').ok_or_else(|| format!("参加人员“{part}”的括号不完整"))?;
                (n.trim(), unit.trim())
            }
            None => (part, my_unit),
        };
        if name.is_empty() || unit.is_empty() {
            return Err(format!("参加人员“{part}”应写作 姓名（单位）"));
        }
        if name.chars().count() > 20 || unit.chars().count() > 60 {
            return Err(format!("参加人员“{part}”过长：姓名 20 字、单位 60 字以内"));
        }
        let p = Participant { name: name.to_string(), unit: unit.to_string() };
        if !out.contains(&p) {
            out.push(p);
        }
    }
    if out.is_empty() {
        return Err("请填写参加走访的人员（姓名，其他单位的写作 姓名（单位））".into());
    }
    if out.len() > 30 {
        return Err("参加人员不能超过 30 人".into());
    }
    Ok(out)
}

fn opt_text(field: &str, s: &str, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    let s = s.trim();
    if s.chars().count() > max {
        errors.push(FieldError { field: field.into(), message: format!("内容不能超过 {max} 个字") });
    }
    (!s.is_empty()).then(|| s.to_string())
}

/// Checks a visit's fields; all errors at once, each naming its field. `today` bounds the date.
pub fn parse(i: &Input, my_unit: &str, today: Date) -> Result<Parsed, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut err = |f: &str, m: String| errors.push(FieldError { field: f.into(), message: m });
    let visited_on = match i.visited_on.trim() {
        "" => {
            err("visited_on", "请填写走访日期".into());
            None
        }
        v => match crate::projects::stage::parse_date("走访日期", v) {
            Ok(d) if d > today => {
                err("visited_on", format!("走访日期 {d} 晚于今天，请登记已经发生的走访"));
                None
            }
            Ok(d) if (today - d).whole_days() > 366 => {
                err("visited_on", format!("走访日期 {d} 早于一年前，请核对"));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                err("visited_on", e);
                None
            }
        },
    };
    let mode = match i.mode.trim() {
        "" => Ok(Mode::OnSite),
        m => Mode::parse(m),
    }
    .map_err(|e| err("mode", e))
    .ok();
    let participants = parse_participants(&i.participants, my_unit).map_err(|e| err("participants", e)).ok();
    let topics = i.topics.trim().to_string();
    if topics.is_empty() {
        err("topics", "请填写走访主题（如：了解生产经营、用工需求）".into());
    } else if topics.chars().count() > 200 {
        err("topics", "走访主题不能超过 200 个字".into());
    }
    let exit_risk = match i.exit_risk.trim() {
        "" => Ok(ExitRisk::None),
        r => ExitRisk::parse(r),
    }
    .map_err(|e| err("exit_risk", e))
    .ok();
    let mut more = Vec::new();
    let expansion = opt_text("expansion", &i.expansion, 1000, &mut more);
    let exit_risk_note = opt_text("exit_risk_note", &i.exit_risk_note, 1000, &mut more);
    let problems = opt_text("problems", &i.problems, 2000, &mut more);
    let notes = opt_text("notes", &i.notes, 2000, &mut more);
    if matches!(exit_risk, Some(ExitRisk::Medium | ExitRisk::High)) && exit_risk_note.is_none() {
        more.push(FieldError {
            field: "exit_risk_note".into(), message: "外迁或减产风险为中、高时须说明情况".into()
        });
    }
    let confirm_overlap = crate::projects::model::parse_bool(&i.confirm_overlap).unwrap_or(false);
    errors.extend(more);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Parsed {
        visited_on: visited_on.expect("checked"),
        mode: mode.expect("checked"),
        participants: participants.expect("checked"),
        topics,
        expansion,
        exit_risk: exit_risk.expect("checked"),
        exit_risk_note,
        problems,
        notes,
        confirm_overlap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn tiers_follow_tags_and_size() {
        let tags = |s: &str| Tags::parse(s).unwrap().0;
        assert_eq!(Tier::of(tags("规上、链主"), None), Tier::Key);
        assert_eq!(Tier::of(tags("上市"), Some("小型")), Tier::Key);
        assert_eq!(Tier::of(tags("专精特新"), None), Tier::Scale);
        assert_eq!(Tier::of(0, Some("中型")), Tier::Scale);
        assert_eq!(Tier::of(0, Some("小型")), Tier::Other);
        assert_eq!(Tier::of(0, None), Tier::Other);
        assert!(Tier::sql().contains(&format!("e.tags & {}", Tier::mask(KEY_TAGS))));
    }

    #[test]
    fn the_cadence_makes_due_and_overdue() {
        let c = Cadence::default();
        let today = date!(2026 - 11 - 20);
        assert_eq!(visit_due(None, c.days(Tier::Key), today), VisitDue::Never);
        // Key: every 90 days. Last 2026-08-01 → next 2026-10-30: 21 days overdue.
        assert_eq!(visit_due(Some(date!(2026 - 08 - 01)), c.key, today), VisitDue::Overdue(21));
        // Last 2026-09-01 → next 2026-11-30: in 10 days.
        assert_eq!(visit_due(Some(date!(2026 - 09 - 01)), c.key, today), VisitDue::DueSoon(10));
        assert_eq!(visit_due(Some(date!(2026 - 08 - 22)), c.key, today), VisitDue::DueSoon(0));
        assert_eq!(visit_due(Some(date!(2026 - 11 - 01)), c.key, today), VisitDue::Fine(71));
        assert_eq!(VisitDue::Overdue(21).label(), "超期 21 天");
    }

    #[test]
    fn participants_are_names_with_units() {
        let p = parse_participants("张三、李四（望城经开区）\n王五(市人社局) 张三", "市工信局").unwrap();
        let pairs: Vec<(&str, &str)> = p.iter().map(|p| (p.name.as_str(), p.unit.as_str())).collect();
        assert_eq!(pairs, [("张三", "市工信局"), ("李四", "望城经开区"), ("王五", "市人社局")]);
        // A unit name with spaces inside the brackets stays one unit.
        let p = parse_participants("赵六（长沙县 经开区）", "x").unwrap();
        assert_eq!(p[0].unit, "长沙县 经开区");
        assert!(parse_participants("", "x").unwrap_err().contains("请填写"));
        assert!(parse_participants("（市工信局）", "x").unwrap_err().contains("姓名（单位）"));
        assert!(parse_participants("张三（市工信局", "x").unwrap_err().contains("括号不完整"));
    }

    #[test]
    fn a_visit_names_every_bad_field() {
        let today = date!(2026 - 11 - 20);
        let good = Input {
            visited_on: "2026-11-19".into(),
            participants: "张三".into(),
            topics: "了解用工需求".into(),
            exit_risk: "中".into(),
            exit_risk_note: "订单下滑，考虑将部分产线迁往东南亚".into(),
            ..Default::default()
        };
        let p = parse(&good, "市工信局", today).unwrap();
        assert_eq!((p.mode, p.exit_risk, p.confirm_overlap), (Mode::OnSite, ExitRisk::Medium, false));
        let bad = Input {
            visited_on: "2026-12-01".into(),
            mode: "上门".into(),
            participants: "".into(),
            topics: "".into(),
            exit_risk: "高".into(),
            ..Default::default()
        };
        let fields: Vec<String> = parse(&bad, "x", today).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["visited_on", "mode", "participants", "topics", "exit_risk_note"]);
        let old = Input { visited_on: "2025-01-01".into(), ..good };
        assert!(parse(&old, "x", today).unwrap_err()[0].message.contains("一年前"));
    }
}

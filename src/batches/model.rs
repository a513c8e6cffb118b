//! Batch events (集中开工 / 集中签约) and the summary a press release needs. Brackets are
//! counted cumulatively, as the press does: a 60 亿 project counts in 50, 10 and 5 亿元及以上.

use crate::domain::money::{FEN_PER_WAN, FEN_PER_YI, Money};
use serde::Serialize;

pub const KINDS: [&str; 2] = ["集中开工", "集中签约"];

pub fn parse_kind(s: &str) -> Result<&'static str, String> {
    KINDS
        .iter()
        .copied()
        .find(|k| *k == s.trim())
        .ok_or_else(|| format!("活动类型“{}”无效，可选：集中开工、集中签约", s.trim()))
}

/// One member project as the summary sees it.
#[derive(Debug, Clone)]
pub struct Member {
    pub total: Money,
    pub annual_plan: Money,
    pub region: String,
    pub industry: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bracket {
    pub label: &'static str,
    pub count: usize,
    pub total: Money,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    pub name: String,
    pub count: usize,
    pub total: Money,
    pub annual_plan: Money,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    pub count: usize,
    pub total: Money,
    pub annual_plan: Money,
    pub brackets: Vec<Bracket>,
    pub by_region: Vec<Group>,
    pub by_industry: Vec<Group>,
}

/// Thresholds, largest first; each bracket includes every project at or above it.
pub const BRACKETS: [(&str, i64); 4] = [
    ("50 亿元及以上", 50 * FEN_PER_YI),
    ("10 亿元及以上", 10 * FEN_PER_YI),
    ("5 亿元及以上", 5 * FEN_PER_YI),
    ("5000 万元及以上", 5000 * FEN_PER_WAN),
];

fn group(members: &[Member], key: impl Fn(&Member) -> &str) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for m in members {
        let k = key(m);
        let name = if k.is_empty() { "未填" } else { k };
        match groups.iter_mut().find(|g| g.name == name) {
            Some(g) => {
                g.count += 1;
                g.total.0 += m.total.0;
                g.annual_plan.0 += m.annual_plan.0;
            }
            None => groups.push(Group { name: name.to_string(), count: 1, total: m.total, annual_plan: m.annual_plan }),
        }
    }
    // Largest first, as a release lists them; names break ties so the order is stable.
    groups.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));
    groups
}

pub fn summarize(members: &[Member]) -> Summary {
    Summary {
        count: members.len(),
        total: Money(members.iter().map(|m| m.total.0).sum()),
        annual_plan: Money(members.iter().map(|m| m.annual_plan.0).sum()),
        brackets: BRACKETS
            .iter()
            .map(|(label, min)| {
                let inside: Vec<&Member> = members.iter().filter(|m| m.total.0 >= *min).collect();
                Bracket { label, count: inside.len(), total: Money(inside.iter().map(|m| m.total.0).sum()) }
            })
            .collect(),
        by_region: group(members, |m| &m.region),
        by_industry: group(members, |m| &m.industry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(yi_tenths: i64, plan_wan: i64, region: &str, industry: &str) -> Member {
        Member {
            total: Money(yi_tenths * FEN_PER_YI / 10),
            annual_plan: Money::from_wan(plan_wan),
            region: region.into(),
            industry: industry.into(),
        }
    }

    #[test]
    fn brackets_count_cumulatively_as_the_press_does() {
        // 60 亿, 12 亿, 7 亿, 0.6 亿 (6000 万), 0.3 亿 (3000 万)
        let members = vec![
            m(600, 100000, "望城区", "制造业"),
            m(120, 30000, "长沙县", "制造业"),
            m(70, 20000, "望城区", "建筑业"),
            m(6, 3000, "浏阳市", "制造业"),
            m(3, 1000, "长沙县", ""),
        ];
        let s = summarize(&members);
        assert_eq!(s.count, 5);
        assert_eq!(s.total, Money(799 * FEN_PER_YI / 10));
        assert_eq!(s.annual_plan, Money::from_wan(154000));
        let counts: Vec<usize> = s.brackets.iter().map(|b| b.count).collect();
        assert_eq!(counts, [1, 2, 3, 4], "50亿+: 1; 10亿+: 2; 5亿+: 3; 5000万+: 4");
        assert_eq!(s.brackets[1].total, Money(72 * FEN_PER_YI));
    }

    #[test]
    fn groups_are_by_region_and_industry_largest_first() {
        let s = summarize(&[m(600, 0, "望城区", "制造业"), m(70, 0, "望城区", "建筑业"), m(120, 0, "长沙县", "")]);
        assert_eq!(s.by_region[0].name, "望城区");
        assert_eq!(s.by_region[0].count, 2);
        assert_eq!(s.by_industry.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["制造业", "未填", "建筑业"]);
    }

    #[test]
    fn an_empty_event_sums_to_zero() {
        let s = summarize(&[]);
        assert_eq!((s.count, s.total, s.brackets[0].count), (0, Money(0), 0));
        assert!(s.by_region.is_empty());
    }

    #[test]
    fn the_kind_is_one_of_two() {
        assert_eq!(parse_kind("集中开工"), Ok("集中开工"));
        assert!(parse_kind("开工").is_err());
    }
}

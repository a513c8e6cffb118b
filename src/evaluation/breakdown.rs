//! Breakdowns leaders ask for: the projects signed in a period, counted and summed by 三资, 三企,
//! 三产, source, investor type (央企, 跨国公司, 三类500强), channel and industry. Where a project may
//! fall in several groups (two sources, two kinds of investor) it counts in each, as stated on the page.

use super::period::Period;
use crate::db::{Db, fetch_all_binds};
use crate::enterprises::model::{Tag, Tags};
use crate::error::AppResult;
use crate::projects::model::{SourceTag, labels_of};
use crate::regions::model::Region;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Signed {
    pub id: Uuid,
    pub capital: Option<String>,
    pub sector: Option<String>,
    pub sources: i64,
    pub channel: Option<String>,
    pub section_name: Option<String>,
    pub amount: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Investor {
    pub project_id: Uuid,
    pub size: Option<String>,
    pub tags: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    pub label: String,
    pub projects: i64,
    /// 合同投资 in 分.
    pub amount: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dimension {
    pub code: &'static str,
    pub name: &'static str,
    /// Whether one project can count in several groups.
    pub overlapping: bool,
    pub groups: Vec<Group>,
}

pub const DIMENSIONS: &[(&str, &str)] = &[
    ("capital", "三资（资本来源）"),
    ("size", "三企（投资方规模）"),
    ("sector", "三产"),
    ("source", "来源地区"),
    ("investor", "投资方类型"),
    ("channel", "招商方式"),
    ("industry", "行业门类"),
];

const SIZE_ORDER: &[&str] = &["大型", "中型", "小型", "微型"];
const INVESTOR_TAGS: &[Tag] = &[Tag::CentralSoe, Tag::Multinational, Tag::Global500, Tag::China500, Tag::Private500];

fn add(groups: &mut Vec<Group>, label: &str, amount: i64) {
    match groups.iter_mut().find(|g| g.label == label) {
        Some(g) => {
            g.projects += 1;
            g.amount += amount;
        }
        None => groups.push(Group { label: label.to_string(), projects: 1, amount }),
    }
}

/// Groups the signed projects by every dimension (a pure function of the rows).
pub fn group(signed: &[Signed], investors: &[Investor]) -> Vec<Dimension> {
    let mut by_project: HashMap<Uuid, Vec<&Investor>> = HashMap::new();
    for i in investors {
        by_project.entry(i.project_id).or_default().push(i);
    }
    let none = "未填";
    let mut dims: Vec<Dimension> = DIMENSIONS
        .iter()
        .map(|(code, name)| Dimension {
            code,
            name,
            overlapping: matches!(*code, "source" | "investor"),
            groups: vec![],
        })
        .collect();
    for p in signed {
        let inv = by_project.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
        add(&mut dims[0].groups, p.capital.as_deref().unwrap_or(none), p.amount);
        // A project's size is its largest investor's.
        let size =
            SIZE_ORDER.iter().find(|s| inv.iter().any(|i| i.size.as_deref() == Some(**s))).copied().unwrap_or(none);
        add(&mut dims[1].groups, size, p.amount);
        add(&mut dims[2].groups, p.sector.as_deref().unwrap_or(none), p.amount);
        let sources = labels_of(SourceTag::ALL, p.sources, SourceTag::label);
        if sources.is_empty() {
            add(&mut dims[3].groups, "本省", p.amount);
        }
        for s in sources {
            add(&mut dims[3].groups, s, p.amount);
        }
        let tags = Tags(inv.iter().fold(0, |m, i| m | i.tags));
        for t in INVESTOR_TAGS.iter().filter(|t| tags.contains(**t)) {
            add(&mut dims[4].groups, t.label(), p.amount);
        }
        add(&mut dims[5].groups, p.channel.as_deref().unwrap_or(none), p.amount);
        add(&mut dims[6].groups, p.section_name.as_deref().unwrap_or(none), p.amount);
    }
    for d in &mut dims {
        d.groups.sort_by(|a, b| b.amount.cmp(&a.amount).then_with(|| a.label.cmp(&b.label)));
    }
    dims
}

/// The breakdowns of the scope for the period (cached until a change).
pub async fn build(db: &Db, scope: &Region, period: Period) -> AppResult<Arc<(i64, i64, Vec<Dimension>)>> {
    let (d0, d1) = period.days();
    crate::cache::get_or(db, format!("breakdown:{}:{}", scope.code, period.code()), async move {
        let mut conn = db.conn().await?;
        let scope_bind = [format!("{}%", scope.path)];
        let window = format!("g.path LIKE $1 AND p.actual_sign >= '{d0}' AND p.actual_sign <= '{d1}'");
        let signed: Vec<Signed> = fetch_all_binds(
            &mut conn.ex(),
            &format!(
                "SELECT p.id, p.capital, p.sector, p.sources, p.channel, s.name AS section_name,
                   COALESCE(p.contracted_amount, p.total_investment) AS amount
                 FROM projects p JOIN regions g ON g.code = p.region
                 LEFT JOIN industries i ON i.code = p.industry LEFT JOIN industries s ON s.code = i.section
                 WHERE {window}"
            ),
            &scope_bind,
        )
        .await?;
        let investors: Vec<Investor> = fetch_all_binds(
            &mut conn.ex(),
            &format!(
                "SELECT pi.project_id, e.size, e.tags FROM project_investors pi
                 JOIN enterprises e ON e.id = pi.enterprise_id JOIN projects p ON p.id = pi.project_id
                 JOIN regions g ON g.code = p.region WHERE {window}"
            ),
            &scope_bind,
        )
        .await?;
        let total: i64 = signed.iter().map(|s| s.amount).sum();
        Ok((signed.len() as i64, total, group(&signed, &investors)))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    const YI: i64 = 10_000_000_000;

    fn p(capital: &str, sources: i64, amount_yi: i64) -> Signed {
        Signed {
            id: Uuid::now_v7(),
            capital: Some(capital.into()),
            sector: Some("二产".into()),
            sources,
            channel: None,
            section_name: Some("制造业".into()),
            amount: amount_yi * YI,
        }
    }

    #[test]
    fn projects_are_counted_and_summed_per_group_largest_first() {
        // 省外 = bit 0, 粤港澳大湾区 = bit 2.
        let a = p("民资", 1 | 4, 10);
        let b = p("外资", 0, 30);
        let c = p("民资", 1, 5);
        let investors = vec![
            Investor { project_id: a.id, size: Some("中型".into()), tags: Tags::bit(Tag::China500) },
            Investor { project_id: a.id, size: Some("大型".into()), tags: Tags::bit(Tag::CentralSoe) },
            Investor { project_id: b.id, size: Some("小型".into()), tags: Tags::bit(Tag::Multinational) },
        ];
        let d = group(&[a, b, c], &investors);
        let capital = &d[0].groups;
        assert_eq!(capital[0], Group { label: "外资".into(), projects: 1, amount: 30 * YI });
        assert_eq!(capital[1], Group { label: "民资".into(), projects: 2, amount: 15 * YI });
        let size = &d[1].groups;
        assert_eq!(
            size.iter().map(|g| (g.label.as_str(), g.projects)).collect::<Vec<_>>(),
            [("小型", 1), ("大型", 1), ("未填", 1)],
            "a project's size is its largest investor's"
        );
        let source = &d[3].groups;
        assert_eq!(
            source.iter().map(|g| (g.label.as_str(), g.projects)).collect::<Vec<_>>(),
            [("本省", 1), ("省外", 2), ("粤港澳大湾区", 1)]
        );
        let investor = &d[4].groups;
        assert_eq!(investor.len(), 3, "央企 and 中国500强 from one project's two investors, 跨国公司 from another");
        assert!(d[4].overlapping && !d[0].overlapping);
    }
}

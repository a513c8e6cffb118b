//! The event's summary as a workbook: the headline figures and brackets, the splits by region and
//! industry, and the member list — what the press office pastes into its release.

use super::model::{Group, Summary};
use super::store::{BatchRow, MemberRow};
use crate::imports::{Cell, workbook};

const GROUP_HEADERS: &[&str] = &["名称", "项目数", "总投资（万元）", "年度计划投资（万元）"];
const MEMBER_HEADERS: &[&str] =
    &["序号", "项目名称", "所属地区", "统计单位", "行业门类", "总投资（万元）", "年度计划投资（万元）"];

fn groups(v: &[Group]) -> Vec<Vec<Cell>> {
    v.iter()
        .map(|g| {
            vec![
                Cell::Text(g.name.clone()),
                Cell::Int(g.count as i64),
                Cell::Money(g.total.0),
                Cell::Money(g.annual_plan.0),
            ]
        })
        .collect()
}

pub fn render(b: &BatchRow, s: &Summary, members: &[MemberRow]) -> Result<Vec<u8>, String> {
    let mut summary = vec![
        vec![Cell::Text("活动".into()), Cell::Text(b.b.name.clone()), Cell::Empty],
        vec![Cell::Text("类型".into()), Cell::Text(b.b.kind.clone()), Cell::Empty],
        vec![Cell::Text("日期".into()), Cell::Date(b.b.held_on.to_string()), Cell::Empty],
        vec![Cell::Text("地点".into()), Cell::Text(b.b.place.clone()), Cell::Empty],
        vec![Cell::Text("项目数".into()), Cell::Int(s.count as i64), Cell::Empty],
        vec![Cell::Text("预估总投资（万元）".into()), Cell::Money(s.total.0), Cell::Empty],
        vec![Cell::Text("年度计划投资（万元）".into()), Cell::Money(s.annual_plan.0), Cell::Empty],
    ];
    for br in &s.brackets {
        summary.push(vec![
            Cell::Text(format!("{}项目（个，累计口径）", br.label)),
            Cell::Int(br.count as i64),
            Cell::Money(br.total.0),
        ]);
    }
    let list = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            vec![
                Cell::Int(i as i64 + 1),
                Cell::Text(m.name.clone()),
                Cell::Text(m.region_name.clone()),
                Cell::Text(m.unit_name.clone()),
                Cell::Text(m.section_name.clone().unwrap_or_default()),
                Cell::Money(m.total_investment),
                Cell::Money(m.annual_plan),
            ]
        })
        .collect();
    workbook(vec![
        ("汇总", &["项目", "数值", "其中总投资（万元）"], summary),
        ("按地区", GROUP_HEADERS, groups(&s.by_region)),
        ("按行业", GROUP_HEADERS, groups(&s.by_industry)),
        ("项目清单", MEMBER_HEADERS, list),
    ])
}

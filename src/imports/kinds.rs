//! What each import expects: its columns (keys are the fields of the kind's `Input`, so rows go
//! through the same parse gate as forms and the API).

use super::Column;

const SIZES: &[&str] = &["大型", "中型", "小型", "微型"];
const OWNERSHIPS: &[&str] = &["国有", "民营", "外资", "港澳台"];
const ORIGINS: &[&str] = &["本省", "省外", "境外"];
const YES_NO: &[&str] = &["是", "否"];

macro_rules! col {
    ($key:literal, $label:literal, $req:expr, $choices:expr, $note:literal $(, $alias:literal)*) => {
        Column { key: $key, label: $label, aliases: &[$($alias),*], required: $req, choices: $choices, note: $note }
    };
}

pub const ENTERPRISES: &[Column] = &[
    col!(
        "credit_code",
        "统一社会信用代码",
        true,
        &[],
        "18 位，含校验位；已登记的企业按此代码更新",
        "信用代码",
        "社会信用代码"
    ),
    col!("name", "企业名称", true, &[], "", "名称", "企业全称"),
    col!("region", "所在地区代码", true, &[], "区划或园区代码，如 430112、43011251", "区划代码", "地区代码"),
    col!("industry", "行业代码", false, &[], "GB/T 4754-2017，如 3841", "国民经济行业代码"),
    col!("size", "企业规模", false, SIZES, "", "规模"),
    col!("ownership", "所有制", false, OWNERSHIPS, "", "所有制性质"),
    col!(
        "tags",
        "企业标签",
        false,
        &[],
        "多个以“、”分隔：规上、专精特新、小巨人、单项冠军、百亿企业、上市、世界500强、中国500强、民营500强、央企、跨国公司、链主",
        "标签"
    ),
    col!("origin", "来源地", false, ORIGINS, ""),
    col!("origin_place", "来源省份或国家", false, &[], "", "来源地区"),
];

pub const PROJECTS: &[Column] = &[
    col!("id", "项目编号", false, &[], "系统导出的项目编号；有则按此更新", "编号", "ID"),
    col!("code", "项目代码", false, &[], "YYMM-区划-行业-类型-序号；有则按此更新", "备案代码"),
    col!("name", "项目名称", true, &[], "同一地区同名项目视为同一项目", "名称"),
    col!("region", "所属地区代码", true, &[], "区划或园区代码", "地区代码", "区划代码"),
    col!("industry", "行业代码", false, &[], "GB/T 4754-2017"),
    col!("total_investment", "总投资（万元）", true, &[], "可写“75亿”", "总投资", "计划总投资（万元）"),
    col!("fixed_investment", "固定资产投资（万元）", false, &[], "", "固定资产投资"),
    col!("foreign_usd", "合同外资（万美元）", false, &[], "", "合同外资"),
    col!("expected_output", "预计年产值（万元）", false, &[], "", "预计年产值"),
    col!("expected_tax", "预计年税收（万元）", false, &[], "", "预计年税收"),
    col!("expected_jobs", "预计带动就业（人）", false, &[], "", "预计就业"),
    col!("land_mu", "用地（亩）", false, &[], "", "用地面积（亩）", "用地"),
    col!("sector", "三产", false, &["一产", "二产", "三产"], "", "产业分类"),
    col!("industrial", "产业项目", false, YES_NO, "", "是否产业项目"),
    col!("nature", "建设性质", false, &["新建", "扩建", "技改"], ""),
    col!("capital", "资本来源", false, &["国资", "民资", "外资"], "", "三资"),
    col!("sources", "来源地区", false, &[], "多个以“、”分隔：省外、境外、粤港澳大湾区、长三角、京津冀、一带一路"),
    col!("channel", "招商方式", false, &["产业链招商", "平台招商", "基金招商", "以商招商", "其他"], ""),
    col!("tags", "项目标签", false, &[], "多个以“、”分隔：省十大产业项目、重点项目、百亿项目", "标签"),
    col!("investors", "投资方信用代码", false, &[], "多个以“、”分隔；须已在企业库登记", "投资方"),
    col!("planned_sign", "计划签约日期", false, &[], "YYYY-MM-DD"),
    col!("planned_register", "计划注册日期", false, &[], ""),
    col!("planned_land", "计划供地日期", false, &[], ""),
    col!("planned_start", "计划开工日期", false, &[], ""),
    col!("planned_produce", "计划投产日期", false, &[], ""),
    col!("planned_full_produce", "计划达产日期", false, &[], ""),
];

pub const REPORTS: &[Column] = &[
    col!("project_id", "项目编号", false, &[], "项目编号、项目代码、或“项目名称＋所属地区代码”三者任一", "编号"),
    col!("project_code", "项目代码", false, &[], ""),
    col!("project_name", "项目名称", false, &[], ""),
    col!("region", "所属地区代码", false, &[], "与项目名称一起用于找到项目"),
    col!("month", "月份", true, &[], "YYYY-MM", "填报月份"),
    col!("invest_month", "当月完成投资（万元）", false, &[], "", "当月完成投资"),
    col!("invest_cumulative", "累计完成投资（万元）", false, &[], "", "累计完成投资"),
    col!("funds_domestic", "到位资金省外境内（万元）", false, &[], "", "到位资金（省外境内）"),
    col!("funds_foreign_usd", "到位外资（万美元）", false, &[], "", "到位外资"),
    col!("tax", "税收（万元）", false, &[], "", "税收"),
    col!("jobs", "用工（人）", false, &[], "", "用工"),
    col!("output", "产值（万元）", false, &[], "", "产值"),
    col!("in_stats", "纳统", false, YES_NO, "", "是否纳统"),
    col!("progress", "进展", false, &[], ""),
    col!("problems", "问题", false, &[], ""),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Enterprises,
    Projects,
    Reports,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "enterprises" => Some(Kind::Enterprises),
            "projects" => Some(Kind::Projects),
            "reports" => Some(Kind::Reports),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Kind::Enterprises => "enterprises",
            Kind::Projects => "projects",
            Kind::Reports => "reports",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Kind::Enterprises => "企业",
            Kind::Projects => "项目",
            Kind::Reports => "月报",
        }
    }
    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Enterprises => ENTERPRISES,
            Kind::Projects => PROJECTS,
            Kind::Reports => REPORTS,
        }
    }
    /// An example row for the template, in column order.
    pub fn example(self) -> Vec<String> {
        let v: &[&str] = match self {
            Kind::Enterprises => &[
                "91350100M000100Y43",
                "示例科技有限公司",
                "430112",
                "3841",
                "中型",
                "民营",
                "规上、专精特新",
                "省外",
                "广东省",
            ],
            Kind::Projects => &[
                "",
                "",
                "示例储能电芯项目",
                "43011251",
                "3841",
                "750000",
                "600000",
                "",
                "1200000",
                "",
                "800",
                "863",
                "二产",
                "是",
                "新建",
                "民资",
                "省外、粤港澳大湾区",
                "产业链招商",
                "省十大产业项目",
                "91350100M000100Y43",
                "2026-01-10",
                "",
                "",
                "2026-03-01",
                "2027-05-01",
                "",
            ],
            Kind::Reports => &[
                "",
                "",
                "示例储能电芯项目",
                "43011251",
                "2026-10",
                "1000",
                "12000",
                "800",
                "0",
                "50",
                "320",
                "0",
                "是",
                "主体封顶",
                "",
            ],
        };
        v.iter().map(|s| s.to_string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_row_fits_its_columns() {
        for k in [Kind::Enterprises, Kind::Projects, Kind::Reports] {
            assert_eq!(k.example().len(), k.columns().len(), "{}", k.label());
        }
    }
}

//! Word lists for plausible names and reasons, and the weights that shape the province.

/// The 14 市州 with their 2023 GDP in 亿元 (湖南省统计公报, rounded): records are spread in
/// proportion, so 长沙 holds about a quarter and 张家界 about one per cent.
pub const CITIES: &[(&str, &str, f64)] = &[
    ("4301", "长沙", 14331.0),
    ("4302", "株洲", 3752.0),
    ("4303", "湘潭", 2837.0),
    ("4304", "衡阳", 4433.0),
    ("4305", "邵阳", 2670.0),
    ("4306", "岳阳", 5102.0),
    ("4307", "常德", 4738.0),
    ("4308", "张家界", 600.0),
    ("4309", "益阳", 2217.0),
    ("4310", "郴州", 3198.0),
    ("4311", "永州", 2602.0),
    ("4312", "怀化", 1965.0),
    ("4313", "娄底", 2087.0),
    ("4331", "湘西", 812.0),
];

/// Characters that brand names in Hunan's company registry are made of; two make a brand.
pub const SYLLABLES: &[&str] = &[
    "华", "泰", "鑫", "盛", "达", "兴", "宏", "瑞", "恒", "信", "德", "隆", "丰", "源", "嘉", "汇", "邦", "博", "创",
    "腾", "远", "新", "科", "智", "天", "宇", "正", "诚", "和", "安", "永", "广", "昌", "旭", "晟", "湘", "楚", "潇",
    "岳", "麓", "星", "辰", "凯", "明", "君", "豪", "福", "润", "金", "利", "通", "联", "合", "众", "中", "亿", "万",
    "康", "健", "美", "佳", "锦", "程", "航", "峰", "海", "瀚", "昊", "睿", "卓", "越", "铭", "浩", "晶", "光", "云",
    "雅", "思", "文", "弘", "立", "祥", "顺", "骏", "驰", "威", "翔", "宸", "鼎", "茂", "荣", "森", "旺", "春", "蓝",
    "芙", "蓉", "沅", "澧", "衡",
];

/// Business words by GB/T 4754 门类, with overrides for the 制造业 大类 that dominate 招商.
pub fn business_words(industry: &str, section: &str) -> &'static [&'static str] {
    let division: u32 = industry.get(..2).and_then(|d| d.parse().ok()).unwrap_or(0);
    match (section, division) {
        ("C", 13..=15) => &["食品", "农产品加工", "食品科技", "酒业"],
        ("C", 17..=19) => &["纺织", "服饰", "鞋业"],
        ("C", 25..=26) => &["化工", "新材料", "精细化工"],
        ("C", 27) => &["生物医药", "制药", "医药科技", "生物科技"],
        ("C", 29..=30) => &["建材", "新型建材", "陶瓷", "塑胶"],
        ("C", 31..=33) => &["新材料", "金属材料", "有色金属", "合金"],
        ("C", 34..=35) => &["机械", "智能装备", "重工", "精密机械", "装备制造"],
        ("C", 36..=37) => &["汽车零部件", "汽车", "轨道交通装备", "航空科技"],
        ("C", 38) => &["电气", "新能源", "电池", "储能科技", "电器"],
        ("C", 39..=40) => &["电子", "光电", "半导体", "智能科技", "信息技术"],
        ("C", _) => &["科技", "实业", "制造", "工业"],
        ("A", _) => &["农业", "生态农业", "农业科技", "茶业"],
        ("B", _) => &["矿业", "资源"],
        ("D", _) => &["能源", "新能源", "电力", "水务"],
        ("E", _) => &["建设", "建筑工程", "路桥", "建工"],
        ("F", _) => &["贸易", "商贸", "供应链", "电子商务"],
        ("G", _) => &["物流", "供应链管理", "运输"],
        ("H", _) => &["餐饮管理", "酒店管理"],
        ("I", _) => &["信息技术", "软件", "网络科技", "数据科技", "数字科技"],
        ("J", _) => &["投资", "金融服务"],
        ("K", _) => &["置业", "房地产开发"],
        ("L", _) => &["企业管理", "商务咨询", "人力资源"],
        ("M", _) => &["科技", "检测技术", "工程设计", "技术服务"],
        ("N", _) => &["环保科技", "环境工程", "生态环境"],
        ("R", _) => &["文化传媒", "文旅", "体育"],
        ("Q", _) => &["医疗", "健康管理", "康养"],
        ("P", _) => &["教育科技", "职业培训"],
        _ => &["实业", "发展"],
    }
}

/// Where a company from outside the province is registered: (place, name prefix, division code).
pub const OTHER_PROVINCES: &[(&str, &str, &str)] = &[
    ("广东省", "广东", "440000"),
    ("广东省", "深圳", "440300"),
    ("浙江省", "浙江", "330000"),
    ("江苏省", "江苏", "320000"),
    ("上海市", "上海", "310000"),
    ("北京市", "北京", "110000"),
    ("福建省", "福建", "350000"),
    ("湖北省", "湖北", "420000"),
    ("江西省", "江西", "360000"),
    ("四川省", "四川", "510000"),
    ("山东省", "山东", "370000"),
    ("天津市", "天津", "120000"),
    ("安徽省", "安徽", "340000"),
];

/// Places abroad that investors come from; the flag marks 港澳台.
pub const ABROAD: &[(&str, bool)] = &[
    ("香港", true),
    ("香港", true),
    ("台湾", true),
    ("澳门", true),
    ("新加坡", false),
    ("日本", false),
    ("韩国", false),
    ("德国", false),
    ("美国", false),
    ("马来西亚", false),
    ("泰国", false),
];

/// Countries on the 一带一路 among `ABROAD`.
pub const BELT_ROAD: &[&str] = &["新加坡", "马来西亚", "泰国"];

pub const BEHIND_REASONS: &[&str] = &[
    "用地报批手续办理滞后",
    "资金到位慢于计划",
    "环评审批周期延长",
    "施工许可办理中",
    "设备采购周期延长",
    "征拆工作未完成",
    "设计方案调整",
    "雨季施工进度受影响",
];

pub const STALLED_REASONS: &[&str] = &[
    "投资方资金链紧张，暂停建设",
    "市场环境变化，投资方暂缓建设",
    "用地纠纷尚未解决",
    "投资方股权调整中",
    "规划调整，项目待重新选址",
];

pub const EXIT_REASONS: &[&str] = &[
    "投资方战略调整，终止项目",
    "未能落实用地，双方解除协议",
    "投资方经营困难，退出项目",
    "项目不符合新的产业政策，终止",
];

pub const CONSTRUCTION_PROGRESS: &[&str] =
    &["场平及基础施工", "主体结构施工中", "厂房主体封顶", "钢结构安装", "设备采购与安装", "设备安装调试"];

pub const PRODUCING_PROGRESS: &[&str] = &["已投产，产能爬坡中", "一期投产，二期建设中", "试生产，产品送检中"];

pub const FULL_PROGRESS: &[&str] = &["已达产，生产经营正常", "满负荷生产", "达产运营，拓展市场"];

/// Endings of a project name by construction nature (新建/扩建/技改).
pub fn project_suffixes(nature: &str, industrial: bool) -> &'static [&'static str] {
    match (nature, industrial) {
        ("扩建", _) => &["扩建项目", "二期项目", "扩能项目"],
        ("技改", _) => &["技术改造项目", "智能化改造项目", "数字化改造项目"],
        (_, true) => &["项目", "生产基地项目", "产业园项目", "智能制造基地项目"],
        (_, false) => &["项目", "中心项目", "运营总部项目"],
    }
}

/// A short form of an industry name for a project name: "锂离子电池制造" → "锂离子电池";
/// names too generic to read well ("其他…") give None.
pub fn industry_phrase(name: &str) -> Option<&str> {
    if name.starts_with("其他") || name.contains("未列明") || name.chars().count() > 8 {
        return None;
    }
    let mut s = name;
    for suffix in ["制造", "加工", "生产", "服务", "业"] {
        if let Some(t) = s.strip_suffix(suffix) {
            s = t;
            break;
        }
    }
    (s.chars().count() >= 2).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn industry_phrases_drop_the_generic_endings_and_the_catch_alls() {
        assert_eq!(industry_phrase("锂离子电池制造"), Some("锂离子电池"));
        assert_eq!(industry_phrase("软件开发"), Some("软件开发"));
        assert_eq!(industry_phrase("其他电子设备制造"), None);
    }

    #[test]
    fn the_cities_are_the_fourteen_of_hunan_and_changsha_weighs_most() {
        assert_eq!(CITIES.len(), 14);
        let max = CITIES.iter().max_by(|a, b| a.2.total_cmp(&b.2)).unwrap();
        assert_eq!(max.0, "4301");
        assert!(SYLLABLES.len() >= 100);
    }
}

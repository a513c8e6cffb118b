//! Industry codes: 门类 (a letter A–T), 大类 (2 digits), 中类 (3), 小类 (4).

use serde::Serialize;

pub const CSV: &str = include_str!("../../data/gbt4754-2017.csv");
pub const SOURCE: &str = "GB/T 4754-2017 国民经济行业分类";
pub const AS_OF: &str = "2017-10-01";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndustryCode(String);

impl IndustryCode {
    pub fn parse(s: &str) -> Result<IndustryCode, String> {
        let s = s.trim();
        let ok = match s.len() {
            1 => s.as_bytes()[0].is_ascii_uppercase() && s.as_bytes()[0] <= b'T',
            2..=4 => s.bytes().all(|b| b.is_ascii_digit()),
            _ => false,
        };
        if ok {
            Ok(IndustryCode(s.to_string()))
        } else {
            Err(format!("行业代码“{s}”不符合 GB/T 4754-2017（门类为 A–T 字母，大/中/小类为 2/3/4 位数字）"))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Industry {
    pub code: String,
    pub section: String,
    pub level: i64,
    pub parent: Option<String>,
    pub name: String,
}

/// Parses the standard's CSV (`section,level,code,parent,name`), naming every bad row.
pub fn parse_csv(text: &str) -> Result<Vec<Industry>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 2;
        let Ok(rec) = rec else {
            errors.push(format!("第 {row} 行：无法读取"));
            continue;
        };
        let f = |n: usize| rec.get(n).unwrap_or("").trim().to_string();
        let level: Result<i64, _> = f(1).parse();
        match (IndustryCode::parse(&f(2)), level) {
            (Ok(code), Ok(level @ 1..=4)) if !f(4).is_empty() => out.push(Industry {
                code: code.0,
                section: f(0),
                level,
                parent: Some(f(3)).filter(|p| !p.is_empty()),
                name: f(4),
            }),
            (Err(e), _) => errors.push(format!("第 {row} 行，code 列：{e}")),
            (_, _) if f(4).is_empty() => errors.push(format!("第 {row} 行，name 列：名称不能为空")),
            _ => errors.push(format!("第 {row} 行，level 列：层级应为 1–4")),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_standard_has_every_level() {
        let rows = parse_csv(CSV).unwrap();
        let count = |l| rows.iter().filter(|r| r.level == l).count();
        assert_eq!((count(1), count(2), count(3), count(4)), (20, 97, 474, 1380));
    }

    #[test]
    fn industry_codes_are_checked() {
        assert!(IndustryCode::parse("C").is_ok());
        assert!(IndustryCode::parse("3841").is_ok());
        assert!(IndustryCode::parse("Z").is_err());
        assert!(IndustryCode::parse("38a").is_err());
        assert!(IndustryCode::parse("38411").is_err());
    }
}

//! The region tree: province → city (市州) → county (区县, including statistical functional areas)
//! → park (园区). A user's scope is one node and covers its whole subtree.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A division code from the national statistics codes (2, 4 or 6 digits), or a park code of
/// ours: 8 digits, the county code (or city code + "00") followed by a two-digit number ≥ 51,
/// so that it never collides with a statistics code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(s: &str) -> Result<RegionCode, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("区划代码不能为空".into());
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("区划代码“{s}”只能由数字组成"));
        }
        match s.len() {
            2 | 4 | 6 => Ok(RegionCode(s.to_string())),
            8 if s[6..] >= *"51" => Ok(RegionCode(s.to_string())),
            8 => Err(format!("园区代码“{s}”的末两位应在 51–99 之间")),
            _ => Err(format!("区划代码“{s}”应为 2、4、6 位（行政区划）或 8 位（园区）")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RegionCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        RegionCode::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.0
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Province,
    City,
    County,
    Park,
}

impl Level {
    pub fn parse(s: &str) -> Result<Level, String> {
        match s {
            "province" => Ok(Level::Province),
            "city" => Ok(Level::City),
            "county" => Ok(Level::County),
            "park" => Ok(Level::Park),
            _ => Err(format!("未知的区划层级“{s}”")),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::City => "city",
            Level::County => "county",
            Level::Park => "park",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Level::Province => "省级",
            Level::City => "市州",
            Level::County => "区县",
            Level::Park => "园区",
        }
    }
}

/// Statistics codes ending 71–79 at county level are functional areas (开发区、管理区).
pub fn kind_of(code: &str, level: Level) -> &'static str {
    match level {
        Level::Park => "园区",
        Level::County if code.len() == 6 && &code[4..5] == "7" => "功能区",
        _ => "行政区",
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub level: String,
    pub kind: String,
    pub parent: Option<String>,
    /// Materialised ancestry, "/43/4301/430121/": a subtree is a path prefix.
    pub path: String,
    pub is_demo: bool,
}

impl Region {
    pub fn level_label(&self) -> &'static str {
        Level::parse(&self.level).map(Level::label).unwrap_or("")
    }
    pub fn display_name(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.name)
    }
}

/// Whether `path` lies within the subtree whose root has `scope_path`.
pub fn within(path: &str, scope_path: &str) -> bool {
    path.starts_with(scope_path)
}

/// A path of the tree's top level (a province: "/43/").
pub fn is_top_level(path: &str) -> bool {
    path.len() > 2 && path.starts_with('/') && path.ends_with('/') && path[1..path.len() - 1].find('/').is_none()
}

pub fn child_path(parent_path: &str, code: &str) -> String {
    format!("{parent_path}{code}/")
}

/// The LIKE pattern of the subtree at `path` as an SQL literal ('/43/4301/%'), when the path is
/// digits and slashes, as every path the region tree makes is; else None, and the pattern is bound.
/// Written into the statement, SQLite (built with STAT4) keeps one plan per subtree; bound, it planned
/// the statement afresh at every run.
pub fn subtree_literal(path: &str) -> Option<String> {
    (!path.is_empty() && path.bytes().all(|b| b.is_ascii_digit() || b == b'/')).then(|| format!("'{path}%'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_province_path_is_top_level() {
        assert!(is_top_level("/43/"));
        assert!(!is_top_level("/43/4301/"));
        assert!(!is_top_level("/"));
        assert!(!is_top_level("43"));
    }

    #[test]
    fn statistics_codes_and_park_codes_parse() {
        for ok in ["43", "4301", "430121", "430371", "43012151"] {
            assert_eq!(RegionCode::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn malformed_codes_are_refused_with_a_reason() {
        assert!(RegionCode::parse("").unwrap_err().contains("不能为空"));
        assert!(RegionCode::parse("43a1").unwrap_err().contains("数字"));
        assert!(RegionCode::parse("431").unwrap_err().contains("2、4、6"));
        assert!(RegionCode::parse("43012101").unwrap_err().contains("51"));
    }

    #[test]
    fn functional_areas_are_told_apart_from_administrative_counties() {
        assert_eq!(kind_of("430371", Level::County), "功能区");
        assert_eq!(kind_of("430121", Level::County), "行政区");
        assert_eq!(kind_of("43012151", Level::Park), "园区");
    }

    #[test]
    fn a_subtree_is_a_path_prefix() {
        assert!(within("/43/4301/430121/", "/43/4301/"));
        assert!(within("/43/4301/", "/43/4301/"));
        assert!(!within("/43/4303/", "/43/4301/"));
        // 4301 must not contain 43010 by accident: paths end with a slash.
        assert!(!within("/43/43010/", "/43/4301/"));
    }
}

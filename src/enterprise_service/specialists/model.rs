//! What a specialist serves, and which records count as key ones.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Enterprise,
    Project,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Enterprise => "enterprise",
            Kind::Project => "project",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Kind::Enterprise => "企业服务专员",
            Kind::Project => "项目服务专员",
        }
    }
}

/// Projects count as key when tagged (省十大、重点、百亿) or of 10 亿元 and more.
pub const KEY_PROJECT_FEN: i64 = 10 * crate::domain::money::FEN_PER_YI;

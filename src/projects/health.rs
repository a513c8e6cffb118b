//! A project's health (正常/滞后/停滞/退出), beside its stage: what the 红旗/蜗牛 lists and the cockpit
//! read, and what an editor marks with a reason.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Normal,
    Behind,
    Stalled,
    Exited,
}

impl Health {
    pub const ALL: [Health; 4] = [Health::Normal, Health::Behind, Health::Stalled, Health::Exited];
    pub fn code(self) -> &'static str {
        match self {
            Health::Normal => "normal",
            Health::Behind => "behind",
            Health::Stalled => "stalled",
            Health::Exited => "exited",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Health::Normal => "正常",
            Health::Behind => "滞后",
            Health::Stalled => "停滞",
            Health::Exited => "退出",
        }
    }
    pub fn parse(s: &str) -> Result<Health, String> {
        let s = s.trim();
        Health::ALL
            .into_iter()
            .find(|h| h.code() == s || h.label() == s)
            .ok_or_else(|| format!("项目状态“{s}”无效，可选：正常、滞后、停滞、退出"))
    }
    /// The stored code back to the health; nothing for a code none has.
    pub fn parse_code(code: &str) -> Option<Health> {
        Health::ALL.into_iter().find(|h| h.code() == code)
    }
    /// Anything but 正常 needs a reason, so that a reader knows why.
    pub fn check_reason(self, reason: &str) -> Result<Option<String>, String> {
        let r = reason.trim();
        match (self, r.is_empty()) {
            (Health::Normal, _) => Ok(Some(r.to_string()).filter(|r| !r.is_empty())),
            (_, true) => Err(format!("标记为“{}”须说明原因", self.label())),
            (_, false) => Ok(Some(r.to_string())),
        }
    }
}

crate::text_code!(Health);

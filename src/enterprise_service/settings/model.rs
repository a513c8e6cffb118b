//! The service rules as values: cadence and overlap window with their defaults, the form's version,
//! and the check of a number of days typed into the settings form.

use super::store::TierRow;
use crate::enterprise_service::visits::model::Cadence;
use crate::error::FieldError;
use serde::Serialize;

/// Cadence and the overlap window, with defaults for what was never set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rules {
    pub cadence: Cadence,
    /// Warn before logging a visit when another unit visited within this many days.
    pub overlap_days: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { cadence: Cadence::default(), overlap_days: 7 }
    }
}

/// A short text that changes whenever the tiers or rules change (the form's version).
pub fn fingerprint(tiers: &[TierRow], rules: &Rules) -> String {
    let mut s: Vec<String> = tiers.iter().map(|t| format!("{}={}", t.code, t.days)).collect();
    s.push(format!("{}-{}-{}-{}", rules.cadence.key, rules.cadence.scale, rules.cadence.other, rules.overlap_days));
    s.join(",")
}

/// A whole number of days from 1 to `max` typed into the form; a bad one is added to `errors` (and 0 returned).
pub fn parse_days(field: &str, label: &str, s: &str, max: i64, errors: &mut Vec<FieldError>) -> i64 {
    match s.trim().parse::<i64>() {
        Ok(n) if (1..=max).contains(&n) => n,
        _ => {
            errors
                .push(FieldError {
                    field: field.into(), message: format!("{label}“{}”应为 1–{max} 的整数", s.trim())
                });
            0
        }
    }
}

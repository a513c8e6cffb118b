//! Money is an integer number of 分 — never a float. Officials type and read 万元 and 亿元.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Stored as a BIGINT of 分 and written to JSON as that integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize, sqlx::Type)]
#[serde(transparent)]
#[sqlx(transparent)]
pub struct Money(pub i64);

pub const FEN_PER_YUAN: i64 = 100;
pub const FEN_PER_WAN: i64 = 1_000_000;
pub const FEN_PER_YI: i64 = 10_000_000_000;

/// Parses a non-negative decimal with at most `scale_digits` decimals into an integer scaled by 10^scale_digits.
fn parse_decimal(s: &str, scale_digits: u32) -> Option<i64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() as u32 > scale_digits {
        return None;
    }
    let scale = 10i64.pow(scale_digits);
    let int_v: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac_v: i64 =
        if frac.is_empty() { 0 } else { frac.parse::<i64>().ok()? * 10i64.pow(scale_digits - frac.len() as u32) };
    int_v.checked_mul(scale)?.checked_add(frac_v)
}

impl Money {
    /// Parses an amount as written in forms and spreadsheets: a number of 万元 by default, or with
    /// its unit: "75亿", "75 亿元", "7500万元", "1,200.5万", "300元".
    pub fn parse(s: &str) -> Result<Money, String> {
        let t: String = s.trim().chars().filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{3000}')).collect();
        let t = t.trim_end_matches('元');
        let (num, fen_per_unit, decimals) = if let Some(n) = t.strip_suffix('亿') {
            (n, FEN_PER_YI, 8)
        } else if let Some(n) = t.strip_suffix('万') {
            (n, FEN_PER_WAN, 6)
        } else if s.trim().ends_with('元') {
            (t, FEN_PER_YUAN, 2)
        } else {
            (t, FEN_PER_WAN, 6)
        };
        let scaled = parse_decimal(num, decimals).ok_or_else(|| {
            if num.starts_with('-') {
                format!("金额“{}”不能为负数", s.trim())
            } else {
                format!(
                    "金额“{}”无法识别（填数字，单位默认为万元，可写“亿”“万”“元”，小数位不超过 {decimals} 位）",
                    s.trim()
                )
            }
        })?;
        // scaled is in units of 10^-decimals of the unit; convert to 分 exactly.
        let per = fen_per_unit / 10i64.pow(decimals);
        scaled.checked_mul(per).map(Money).ok_or_else(|| format!("金额“{}”过大", s.trim()))
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    pub fn from_wan(w: i64) -> Money {
        Money(w * FEN_PER_WAN)
    }

    pub fn from_yi(y: i64) -> Money {
        Money(y * FEN_PER_YI)
    }

    /// In 万元 with two decimals, rounded half up: "750000.00".
    pub fn wan(self) -> String {
        let cents_of_wan = (self.0 + FEN_PER_WAN / 200) / (FEN_PER_WAN / 100);
        format!("{}.{:02}", cents_of_wan / 100, cents_of_wan % 100)
    }

    /// In 亿元 with two decimals: "75.00".
    pub fn yi(self) -> String {
        let cents_of_yi = (self.0 + FEN_PER_YI / 200) / (FEN_PER_YI / 100);
        format!("{}.{:02}", cents_of_yi / 100, cents_of_yi % 100)
    }

    /// In 元 with two decimals: "300.00".
    pub fn yuan(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", (self.0 / 100).abs(), (self.0 % 100).abs())
    }

    /// The way a report writes it: 亿元 from one 亿 up, otherwise 万元.
    pub fn human(self) -> String {
        if self.0 >= FEN_PER_YI { format!("{} 亿元", self.yi()) } else { format!("{} 万元", self.wan()) }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.human())
    }
}

/// Land area in 1/100 亩, parsed from text like "863" or "863.5亩".
pub fn parse_mu(s: &str) -> Result<i64, String> {
    let t = s.trim().trim_end_matches('亩').trim();
    parse_decimal(t, 2).ok_or_else(|| format!("用地面积“{}”无法识别（填亩数，最多两位小数）", s.trim()))
}

pub fn format_mu(hundredths: i64) -> String {
    if hundredths % 100 == 0 {
        format!("{}", hundredths / 100)
    } else {
        format!("{}.{:02}", hundredths / 100, hundredths % 100).trim_end_matches('0').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_in_wan_by_default_and_with_units() {
        assert_eq!(Money::parse("75亿").unwrap(), Money::from_yi(75));
        assert_eq!(Money::parse("75 亿元").unwrap(), Money::from_yi(75));
        assert_eq!(Money::parse("750000").unwrap(), Money::from_yi(75));
        assert_eq!(Money::parse("7,500万元").unwrap(), Money::from_wan(7500));
        assert_eq!(Money::parse("0.5").unwrap(), Money(500_000), "0.5 万元 = 5000 元");
        assert_eq!(Money::parse("300元").unwrap(), Money(30_000));
        assert_eq!(Money::parse("12.345678").unwrap(), Money(12_345_678));
        assert_eq!(Money::parse("1.23456789亿").unwrap(), Money(12_345_678_900));
    }

    #[test]
    fn bad_amounts_say_what_is_wrong() {
        assert!(Money::parse("-5").unwrap_err().contains("负数"));
        assert!(Money::parse("五千万").unwrap_err().contains("无法识别"));
        assert!(Money::parse("1.1234567").unwrap_err().contains("小数位"));
        assert!(Money::parse("").is_err());
        assert!(
            Money::parse("99999999999999999").unwrap_err().contains("过大")
                || Money::parse("99999999999999999").is_err()
        );
    }

    #[test]
    fn amounts_print_in_wan_or_yi_with_two_decimals() {
        assert_eq!(Money::from_yi(75).human(), "75.00 亿元");
        assert_eq!(Money::from_wan(5000).human(), "5000.00 万元");
        assert_eq!(Money(12_345_678).wan(), "12.35");
        assert_eq!(Money(0).wan(), "0.00");
        assert_eq!(Money(30_005).yuan(), "300.05");
        assert_eq!(Money::from_yi(1).yi(), "1.00");
    }

    #[test]
    fn land_is_kept_in_hundredths_of_a_mu() {
        assert_eq!(parse_mu("863").unwrap(), 86300);
        assert_eq!(parse_mu("863.5亩").unwrap(), 86350);
        assert_eq!(format_mu(86350), "863.5");
        assert_eq!(format_mu(86300), "863");
        assert!(parse_mu("八百亩").is_err());
    }
}

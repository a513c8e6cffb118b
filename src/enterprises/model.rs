//! Enterprises: the unified social credit code, classifications, tags, and the search key
//! that finds Chinese names by substring or by pinyin initials.

use serde::{Deserialize, Serialize};
use std::fmt;

/// 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character set (no I, O, S, V, Z);
/// the last is a check character (weights 3^(i-1) mod 31), and characters 9–17 are an
/// organisation code (GB 11714) with its own mod-11 check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

fn value(c: char) -> Option<u32> {
    CHARSET.find(c).map(|i| i as u32)
}

impl CreditCode {
    pub fn parse(s: &str) -> Result<CreditCode, String> {
        let s: String = s.trim().chars().map(|c| c.to_ascii_uppercase()).collect();
        let n = s.chars().count();
        if n != 18 {
            return Err(format!("统一社会信用代码应为 18 位（现为 {n} 位）"));
        }
        let chars: Vec<char> = s.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            if value(*c).is_none() {
                return Err(format!("第 {} 位“{c}”不是有效字符（不含 I、O、S、V、Z）", i + 1));
            }
        }
        if !chars[2..8].iter().all(|c| c.is_ascii_digit()) {
            return Err("第 3–8 位应为登记机关行政区划码（6 位数字）".into());
        }
        let org: String = chars[8..17].iter().collect();
        if let Some(expected) = org_check(&org[..8]) {
            if chars[16] != expected {
                return Err(format!("第 9–17 位组织机构代码校验位错误（应为 {expected}）"));
            }
        }
        let sum: u32 = chars[..17].iter().enumerate().map(|(i, c)| value(*c).unwrap() * 3u32.pow(i as u32) % 31).sum();
        let check = (31 - sum % 31) % 31;
        let expected = CHARSET.chars().nth(check as usize).unwrap();
        if chars[17] != expected {
            return Err(format!("校验位错误（第 18 位应为 {expected}，请核对）"));
        }
        Ok(CreditCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A valid code for an enterprise registered in `region6` (a 6-digit division code) with an
    /// organisation-code body made from `serial`: for demo and test data only.
    pub fn synthesize(region6: &str, serial: u32) -> CreditCode {
        let body = format!("{:08}", serial % 100_000_000);
        let org = format!("{body}{}", org_check(&body).expect("digits"));
        let first17 = format!("91{region6:0<6}{org}");
        let sum: u32 = first17.chars().enumerate().map(|(i, c)| value(c).unwrap() * 3u32.pow(i as u32) % 31).sum();
        let check = CHARSET.chars().nth(((31 - sum % 31) % 31) as usize).unwrap();
        CreditCode::parse(&format!("{first17}{check}")).expect("synthesized codes are valid")
    }

    /// The registration authority's division code (characters 3–8).
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }
}

/// The GB 11714 check character for an 8-character organisation code body; `None` when the
/// body uses characters outside that standard (then only the overall check applies).
fn org_check(body: &str) -> Option<char> {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let mut sum = 0;
    for (c, w) in body.chars().zip(W) {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return None,
        };
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap(),
    })
}

impl TryFrom<String> for CreditCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        CreditCode::parse(&s)
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Declares a closed list of Chinese labels that parse from the label itself.
macro_rules! label_enum {
    ($name:ident, $what:literal, [$($v:ident = $l:literal),+ $(,)?]) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $l)] $v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn label(self) -> &'static str { match self { $($name::$v => $l),+ } }
            pub fn parse(s: &str) -> Result<$name, String> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.label() == s).ok_or_else(|| {
                    let all: Vec<_> = $name::ALL.iter().map(|v| v.label()).collect();
                    format!("{}“{s}”无效，可选：{}", $what, all.join("、"))
                })
            }
        }
    };
}

label_enum!(Size, "企业规模", [Large = "大型", Medium = "中型", Small = "小型", Micro = "微型"]);
label_enum!(Ownership, "所有制", [State = "国有", Private = "民营", Foreign = "外资", HkMoTw = "港澳台"]);
label_enum!(Origin, "来源地", [Local = "本省", OtherProvince = "省外", Abroad = "境外"]);
label_enum!(
    Tag,
    "企业标签",
    [
        AboveScale = "规上",
        Specialized = "专精特新",
        LittleGiant = "小巨人",
        SingleChampion = "单项冠军",
        TenBillion = "百亿企业",
        Listed = "上市",
        Global500 = "世界500强",
        China500 = "中国500强",
        Private500 = "民营500强",
        CentralSoe = "央企",
        Multinational = "跨国公司",
        ChainLeader = "链主",
    ]
);

/// A set of tags, stored as a bit mask so that filters are one integer test in SQL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tags(pub i64);

impl Tags {
    pub fn bit(t: Tag) -> i64 {
        1 << Tag::ALL.iter().position(|x| *x == t).expect("listed")
    }
    pub fn contains(self, t: Tag) -> bool {
        self.0 & Tags::bit(t) != 0
    }
    pub fn from_tags(tags: &[Tag]) -> Tags {
        Tags(tags.iter().fold(0, |m, t| m | Tags::bit(*t)))
    }
    pub fn list(self) -> Vec<Tag> {
        Tag::ALL.iter().copied().filter(|t| self.contains(*t)).collect()
    }
    /// Parses labels separated by 、 , ， ; or spaces (as spreadsheets write them).
    pub fn parse(s: &str) -> Result<Tags, String> {
        let mut tags = Vec::new();
        for part in s.split(['、', ',', '，', ';', '；', ' ', '|']).map(str::trim).filter(|p| !p.is_empty()) {
            tags.push(Tag::parse(part)?);
        }
        Ok(Tags::from_tags(&tags))
    }
    pub fn labels(self) -> String {
        self.list().iter().map(|t| t.label()).collect::<Vec<_>>().join("、")
    }

    /// The tags gained (true) and lost (false) going from `self` to `after`, for the tag history
    /// that "new 规上 enterprises this year" is counted from.
    pub fn changes(self, after: Tags) -> Vec<(Tag, bool)> {
        Tag::ALL
            .iter()
            .filter(|t| self.contains(**t) != after.contains(**t))
            .map(|t| (*t, after.contains(*t)))
            .collect()
    }
}

/// The text a search matches against: the name, its pinyin initials (every reading of a
/// character with several, up to 16 combinations) and its full pinyin, lower case.
pub fn search_key(name: &str) -> String {
    use pinyin::ToPinyinMulti;
    let mut initials: Vec<String> = vec![String::new()];
    let mut full = String::new();
    for c in name.chars() {
        match c.to_pinyin_multi() {
            Some(multi) => {
                let mut firsts: Vec<char> = multi.into_iter().filter_map(|p| p.plain().chars().next()).collect();
                firsts.dedup();
                if let Some(p) = c.to_pinyin_multi().and_then(|m| m.into_iter().next()) {
                    full.push_str(p.plain());
                }
                let mut next = Vec::new();
                for prefix in &initials {
                    for f in &firsts {
                        if next.len() < 16 {
                            next.push(format!("{prefix}{f}"));
                        }
                    }
                }
                initials = next;
            }
            None if c.is_ascii_alphanumeric() => {
                for i in initials.iter_mut() {
                    i.push(c.to_ascii_lowercase());
                }
                full.push(c.to_ascii_lowercase());
            }
            None => {}
        }
    }
    format!("{} {} {}", name.to_lowercase(), initials.join(" "), full)
}

/// What a search box holds, normalised the same way as the key.
pub fn search_needle(q: &str) -> String {
    q.trim().to_lowercase().replace(['%', '_', ' '], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_credit_codes_pass_both_checks() {
        for ok in ["91350100M000100Y43", "91430100MA4L12346D", "91430122740623457R", "92430103M000100061"] {
            assert_eq!(CreditCode::parse(ok).unwrap().as_str(), ok);
        }
        assert_eq!(CreditCode::parse(" 91430100ma4l12346d ").unwrap().as_str(), "91430100MA4L12346D");
        assert_eq!(CreditCode::parse("91430100MA4L12346D").unwrap().region_code(), "430100");
    }

    #[test]
    fn synthesized_codes_are_valid_and_distinct() {
        let a = CreditCode::synthesize("430112", 1);
        let b = CreditCode::synthesize("430112", 2);
        assert_ne!(a, b);
        assert_eq!(a.region_code(), "430112");
        assert_eq!(CreditCode::synthesize("4301", 7).region_code(), "430100");
    }

    #[test]
    fn a_wrong_check_character_says_which_one_is_expected() {
        let e = CreditCode::parse("91430100MA4L12346E").unwrap_err();
        assert!(e.contains("校验位错误") && e.contains("D"), "{e}");
    }

    #[test]
    fn a_wrong_organisation_code_check_is_named() {
        // Character 17 changed and character 18 recomputed: only the inner check can catch it.
        let e = CreditCode::parse("91430100MA4L12345X").unwrap_err();
        assert!(e.contains("组织机构代码"), "{e}");
    }

    #[test]
    fn length_and_forbidden_letters_are_reported() {
        assert!(CreditCode::parse("9143010").unwrap_err().contains("18 位"));
        let e = CreditCode::parse("91430100MA4L1234OD").unwrap_err();
        assert!(e.contains("第 17 位“O”"), "{e}");
        assert!(CreditCode::parse("9143A100MA4L12346D").unwrap_err().contains("3–8"));
    }

    #[test]
    fn tag_changes_name_what_was_gained_and_lost() {
        let before = Tags::parse("规上、专精特新").unwrap();
        let after = Tags::parse("规上、小巨人").unwrap();
        assert_eq!(before.changes(after), [(Tag::Specialized, false), (Tag::LittleGiant, true)]);
        assert!(after.changes(after).is_empty());
    }

    #[test]
    fn tags_round_trip_through_labels_and_bits() {
        let t = Tags::parse("规上、专精特新, 链主").unwrap();
        assert!(t.contains(Tag::AboveScale) && t.contains(Tag::ChainLeader) && !t.contains(Tag::Listed));
        assert_eq!(t.labels(), "规上、专精特新、链主");
        assert!(Tags::parse("规上、大企业").unwrap_err().contains("企业标签“大企业”无效"));
    }

    #[test]
    fn labels_parse_and_unknown_ones_list_the_choices() {
        assert_eq!(Size::parse("中型"), Ok(Size::Medium));
        assert!(Ownership::parse("集体").unwrap_err().contains("国有、民营、外资、港澳台"));
    }

    #[test]
    fn the_search_key_has_name_initials_and_full_pinyin() {
        let k = search_key("德赛电池");
        assert!(k.contains("德赛电池") && k.contains("dsdc") && k.contains("desaidianchi"), "{k}");
        // 长 reads chang or zhang: both initials are searchable.
        let k = search_key("长沙经开区");
        assert!(k.contains("csjkq"), "{k}");
        let k = search_key("TCL华星");
        assert!(k.contains("tclhx"), "{k}");
    }
}

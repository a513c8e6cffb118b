//! Generated enterprises: mostly small private firms, a few per cent 规上, about one in a hundred
//! 专精特新, with the rare 链主 and 500 强 among the large ones.

use super::names::{ABROAD, CITIES, OTHER_PROVINCES, SYLLABLES, business_words};
use super::world::World;
use crate::demo::rng::Rng;
use crate::enterprises::model::{CreditCode, Tag, Tags, search_key};
use crate::enterprises::store::Enterprise;
use time::OffsetDateTime;
use uuid::Uuid;

/// What projects need to know about an investor, kept for every generated enterprise.
#[derive(Debug, Clone)]
pub struct Brief {
    pub id: Uuid,
    pub city: usize,
    pub brand: String,
    pub industry: Option<String>,
    pub ownership: &'static str,
    pub origin: &'static str,
    pub place: Option<&'static str>,
    pub large: bool,
}

/// The organisation-code body of the `index`-th generated company: a scrambled bijection onto
/// 2 000 000…99 999 999, so codes look issued rather than counted, stay distinct, and keep clear
/// of the sources' records (900 000+) and of what tests register. `offset` keeps investors and
/// project companies apart.
pub fn serial(index: u32, offset: u32) -> u32 {
    const SPACE: u64 = 98_000_000;
    // 7919 is prime and shares no factor with SPACE, so multiplication permutes 0..SPACE.
    2_000_000 + ((index as u64 + offset as u64) * 7919 % SPACE) as u32
}

pub fn brand(rng: &mut Rng) -> String {
    let a = rng.pick(SYLLABLES);
    let mut b = rng.pick(SYLLABLES);
    while b == a {
        b = rng.pick(SYLLABLES);
    }
    format!("{a}{b}")
}

const SIZES: [(&str, f64); 4] = [("大型", 1.5), ("中型", 8.0), ("小型", 35.0), ("微型", 55.5)];

pub fn enterprise(w: &World, rng: &mut Rng, index: u32, now: OffsetDateTime) -> (Enterprise, Brief) {
    let registered = w.today - time::Duration::days(rng.range(0, 3650));
    let created_at = super::projects::at(registered, rng, now);
    let unit = &w.units[w.enterprise_units.pick(rng)];
    let industry = w.enterprise_industry(rng);
    let size = SIZES[rng.weighted(&SIZES.map(|s| s.1))].0;
    let large = size == "大型";
    let (origin, place, division, prefix) = match rng.range(0, 100) {
        0..80 => {
            let prefix = if rng.chance(60) { "湖南" } else { CITIES[unit.city].1 };
            ("本省", None, unit.division.clone(), prefix.to_string())
        }
        80..96 => {
            let (place, prefix, division) = *rng.pick(OTHER_PROVINCES);
            ("省外", Some(place), division.to_string(), prefix.to_string())
        }
        _ => {
            let (place, _) = *rng.pick(ABROAD);
            ("境外", Some(place), unit.division.clone(), CITIES[unit.city].1.to_string())
        }
    };
    let ownership = match origin {
        "境外" if ABROAD.iter().any(|(p, hk)| Some(*p) == place && *hk) => "港澳台",
        "境外" => "外资",
        _ if rng.chance(if large { 30 } else { 6 }) => "国有",
        _ => "民营",
    };
    let brand = brand(rng);
    let (ind_code, section) = industry.map(|i| (i.code.as_str(), i.section.as_str())).unwrap_or(("", ""));
    let word = rng.pick(business_words(ind_code, section));
    let tags = tags(rng, size, ownership, section);
    let listed = Tags(tags).contains(Tag::Listed);
    let suffix = match (large, listed) {
        (_, true) => "股份有限公司",
        (true, false) if rng.chance(30) => "集团有限公司",
        _ if rng.chance(10) => "有限责任公司",
        _ => "有限公司",
    };
    let name = match origin {
        "境外" => format!("{prefix}{brand}{word}（{}）{suffix}", place.unwrap_or_default()),
        _ => format!("{prefix}{brand}{word}{suffix}"),
    };
    let credit_code = CreditCode::synthesize(&division, serial(index, 0)).to_string();
    let e = Enterprise {
        id: Uuid::now_v7(),
        credit_code,
        search_key: search_key(&name),
        name,
        region: unit.code.clone(),
        industry: industry.map(|i| i.code.clone()),
        size: Some(size.into()),
        ownership: Some(ownership.into()),
        tags,
        origin: Some(origin.into()),
        origin_place: place.map(str::to_string),
        is_demo: true,
        created_at,
        updated_at: created_at,
        version: 1,
    };
    let brief =
        Brief { id: e.id, city: unit.city, brand, industry: e.industry.clone(), ownership, origin, place, large };
    (e, brief)
}

/// Tags follow size: every large firm is 规上, a micro one almost never; 专精特新 are in
/// manufacturing, software and technical services.
fn tags(rng: &mut Rng, size: &str, ownership: &str, section: &str) -> i64 {
    let mut t = Vec::new();
    let pct = |rng: &mut Rng, p: f64| rng.unit() * 100.0 < p;
    let above = match size {
        "大型" => 100.0,
        "中型" => 40.0,
        "小型" => 3.0,
        _ => 0.05,
    };
    if pct(rng, above) {
        t.push(Tag::AboveScale);
    }
    let tech = matches!(section, "C" | "I" | "M");
    let specialised = match size {
        "中型" => 10.0,
        "小型" => 3.0,
        "微型" => 0.3,
        _ => 0.0,
    };
    if tech && pct(rng, specialised) {
        t.push(Tag::Specialized);
        if pct(rng, 15.0) {
            t.push(Tag::LittleGiant);
        }
    }
    if matches!(size, "大型" | "中型") && section == "C" && pct(rng, 1.0) {
        t.push(Tag::SingleChampion);
    }
    match size {
        "大型" => {
            if pct(rng, 15.0) {
                t.push(Tag::Listed);
            }
            if pct(rng, 5.0) {
                t.push(Tag::TenBillion);
            }
            if section == "C" && pct(rng, 8.0) {
                t.push(Tag::ChainLeader);
            }
            match ownership {
                "国有" if pct(rng, 25.0) => t.extend([Tag::CentralSoe, Tag::China500]),
                "国有" | "民营" if pct(rng, 4.0) => t.push(Tag::China500),
                _ => {}
            }
            if ownership == "民营" && pct(rng, 4.0) {
                t.push(Tag::Private500);
            }
            if matches!(ownership, "外资" | "港澳台") {
                t.push(Tag::Multinational);
                if pct(rng, 10.0) {
                    t.push(Tag::Global500);
                }
            }
        }
        "中型" => {
            if pct(rng, 2.0) {
                t.push(Tag::Listed);
            }
            if matches!(ownership, "外资" | "港澳台") && pct(rng, 30.0) {
                t.push(Tag::Multinational);
            }
        }
        _ => {}
    }
    Tags::from_tags(&t).0
}

//! Generated projects: investors, classification, a log-normal total investment, and a
//! lifecycle whose actual milestones come in order, with plans that some projects fall behind.

use super::enterprises::{Brief, brand};
use super::names::{
    BEHIND_REASONS, BELT_ROAD, EXIT_REASONS, STALLED_REASONS, business_words, industry_phrase, project_suffixes,
};
use super::world::World;
use crate::demo::rng::Rng;
use crate::domain::Money;
use crate::domain::money::{FEN_PER_WAN, FEN_PER_YI};
use crate::enterprises::model::CreditCode;
use crate::projects::service::blank;
use crate::projects::stage::{Health, Stage};
use crate::projects::store::Project;
use time::{Date, Duration, OffsetDateTime, UtcOffset};
use uuid::Uuid;

/// Stage mix of a provincial project library: most of it is built or building.
pub const STAGES: [(Stage, f64); 8] = [
    (Stage::Lead, 4.0),
    (Stage::Negotiating, 6.0),
    (Stage::Signed, 8.0),
    (Stage::Registered, 5.0),
    (Stage::LandSupplied, 5.0),
    (Stage::Started, 23.0),
    (Stage::Producing, 29.0),
    (Stage::FullProduction, 20.0),
];

/// Project companies (注册 step) take organisation codes after the investors'.
const PROJECT_COMPANY_OFFSET: u32 = 50_000_000;

/// A step of the stage log.
#[derive(Debug, Clone)]
pub struct Step {
    pub from: Option<Stage>,
    pub to: Stage,
    pub on: Date,
}

/// The facts behind a project's monthly figures, beyond what the project row holds.
#[derive(Debug, Clone)]
pub struct Sim {
    /// Start, production and full production as the investment curve sees them (planned ones
    /// pushed past today when not reached yet); None before 开工.
    pub curve: Option<(Date, Date, Date)>,
    /// Shares of the total completed before start, by production and by full production.
    pub shares: (f64, f64, f64),
    pub stalled_from: Option<Date>,
    pub exited_on: Option<Date>,
}

#[derive(Debug, Clone)]
pub struct Generated {
    pub p: Project,
    pub investors: Vec<Uuid>,
    pub log: Vec<Step>,
    pub sim: Sim,
}

/// A moment on `d` during office hours in Beijing time, never after `now`.
pub fn at(d: Date, rng: &mut Rng, now: OffsetDateTime) -> OffsetDateTime {
    let t = d
        .with_hms(rng.range(8, 18) as u8, rng.range(0, 60) as u8, rng.range(0, 60) as u8)
        .expect("valid time")
        .assume_offset(UtcOffset::from_hms(8, 0, 0).expect("UTC+8"));
    t.min(now)
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

/// 万元, log-normal around 1.5 亿 and clipped to 500 万 … 300 亿; large investors bring larger projects.
pub fn total_wan(rng: &mut Rng, large: bool) -> i64 {
    let x = (15_000f64.ln() + 1.25 * rng.normal()).exp() * if large { 2.0 } else { 1.0 };
    let x = x.clamp(500.0, 3_000_000.0) as i64;
    if x >= 10_000 { x / 100 * 100 } else { x / 10 * 10 }
}

fn source_mask(inv: &Brief) -> i64 {
    // Bits in SourceTag order: 省外, 境外, 粤港澳大湾区, 长三角, 京津冀, 一带一路.
    let place = inv.place.unwrap_or_default();
    match inv.origin {
        "省外" => {
            1 | match place {
                "广东省" => 4,
                "浙江省" | "江苏省" | "上海市" | "安徽省" => 8,
                "北京市" | "天津市" => 16,
                _ => 0,
            }
        }
        "境外" => {
            2 | if matches!(place, "香港" | "澳门") { 4 } else { 0 } | if BELT_ROAD.contains(&place) { 32 } else { 0 }
        }
        _ => 0,
    }
}

pub fn project(w: &World, rng: &mut Rng, index: u32, briefs: &[Brief], by_city: &[Vec<u32>]) -> Generated {
    let today = w.today;
    let now = OffsetDateTime::now_utc();
    let unit = &w.units[w.project_units.pick(rng)];
    let local = &by_city[unit.city];
    let pick = |rng: &mut Rng| -> usize {
        if !local.is_empty() && rng.chance(50) {
            *rng.pick(local) as usize
        } else {
            rng.range(0, briefs.len() as i64) as usize
        }
    };
    let inv = &briefs[pick(rng)];
    let mut investors = vec![inv.id];
    if rng.chance(15) {
        let other = &briefs[pick(rng)];
        if other.id != inv.id {
            investors.push(other.id);
        }
    }
    let industry = if rng.chance(65) { inv.industry.as_deref().and_then(|c| w.industry(c)) } else { None };
    let industry = industry.or_else(|| w.project_industry(rng));
    let division: i64 = industry.and_then(|i| i.code.get(..2)?.parse().ok()).unwrap_or(30);
    let sector = match division {
        1..=5 => "一产",
        6..=50 => "二产",
        _ => "三产",
    };
    // 产业项目: mining, manufacturing and utilities (大类 06–46), not construction.
    let industrial = (6..=46).contains(&division);
    let nature = match rng.range(0, 100) {
        0..60 => "新建",
        60..85 => "扩建",
        _ if industrial => "技改",
        _ => "扩建",
    };
    let total_wan = total_wan(rng, inv.large);
    let total = total_wan * FEN_PER_WAN;
    let total_yi = total as f64 / FEN_PER_YI as f64;

    let mut p = blank(now);
    p.is_demo = true;
    p.region = unit.code.clone();
    p.industry = industry.map(|i| i.code.clone());
    p.sector = Some(sector.into());
    p.industrial = industrial;
    p.nature = Some(nature.into());
    p.capital = Some(
        match inv.ownership {
            "国有" => "国资",
            "外资" | "港澳台" => "外资",
            _ => "民资",
        }
        .into(),
    );
    p.sources = source_mask(inv);
    p.channel = Some(
        ["产业链招商", "以商招商", "平台招商", "基金招商", "其他"][rng.weighted(&[35.0, 25.0, 20.0, 10.0, 10.0])]
            .into(),
    );
    let phrase = industry.and_then(|i| industry_phrase(&i.name)).map(str::to_string).unwrap_or_else(|| {
        let (code, section) = industry.map(|i| (i.code.as_str(), i.section.as_str())).unwrap_or(("", "C"));
        rng.pick(business_words(code, section)).to_string()
    });
    let who = if rng.chance(80) { inv.brand.clone() } else { brand(rng) };
    p.name = format!("{who}{phrase}{}", rng.pick(project_suffixes(nature, industrial)));
    p.total_investment = Money(total);
    let fixed_share = if industrial { rng.between(0.7, 0.95) } else { rng.between(0.5, 0.9) };
    p.fixed_investment = Some(Money((total as f64 * fixed_share) as i64 / FEN_PER_WAN * FEN_PER_WAN));
    if p.capital.as_deref() == Some("外资") {
        // 合同外资 in US cents at about 7.1 yuan to the dollar.
        p.foreign_usd = Some((total as f64 / 7.1 * rng.between(0.3, 1.0)) as i64 / FEN_PER_WAN * FEN_PER_WAN);
    }
    let output = if industrial {
        Some(total as f64 * rng.between(0.8, 2.5))
    } else if rng.chance(70) {
        Some(total as f64 * rng.between(0.3, 1.0))
    } else {
        None
    };
    p.expected_output = output.map(|o| Money(o as i64 / FEN_PER_WAN * FEN_PER_WAN));
    p.expected_tax = output.map(|o| Money((o * rng.between(0.03, 0.08)) as i64 / FEN_PER_WAN * FEN_PER_WAN));
    p.expected_jobs = Some(((total_yi * rng.between(30.0, 120.0)) as i64).clamp(10, 20_000));
    if industrial || rng.chance(40) {
        let per_yi = if industrial { rng.between(15.0, 60.0) } else { rng.between(5.0, 20.0) };
        p.land_mu = Some(((total_yi * per_yi * 100.0) as i64).max(500));
    }
    p.tags = {
        let key = if total_yi >= 10.0 {
            60
        } else if total_yi >= 1.0 {
            15
        } else {
            2
        };
        let top10 = industrial && total_yi >= 50.0 && rng.chance(30);
        let hundred = total_yi >= 100.0 || p.expected_output.is_some_and(|o| o.fen() >= 100 * FEN_PER_YI);
        (top10 as i64) | if rng.chance(key) { 2 } else { 0 } | if hundred { 4 } else { 0 }
    };

    let stage = STAGES[rng.weighted(&STAGES.map(|s| s.1))].0;
    let reached = if stage.index() >= 2 { stage.index() - 1 } else { 0 };
    let health = if reached == 6 {
        if rng.chance(2) { Health::Exited } else { Health::Normal }
    } else {
        [Health::Normal, Health::Behind, Health::Stalled, Health::Exited][rng.weighted(&[85.0, 9.0, 4.0, 2.0])]
    };
    let mut gaps = [rng.range(30, 300), rng.range(10, 90), rng.range(20, 200), rng.range(10, 150), 0, 0];
    gaps[4] = rng.range(300, 700) + (80.0 * (1.0 + total_yi).ln()) as i64;
    gaps[5] = rng.range(180, 720);
    let actual_gaps: Vec<i64> = gaps.iter().map(|g| (*g as f64 * rng.between(0.7, 1.4)) as i64 + 1).collect();
    let age = if reached == 6 {
        rng.range(0, 1300)
    } else {
        let next = gaps[reached];
        match health {
            Health::Normal => rng.range(0, next + 10),
            Health::Behind => next + rng.range(15, 240),
            Health::Stalled => next + rng.range(60, 500),
            Health::Exited => rng.range(30, next + 400),
        }
    };
    let anchor = today - days(age);
    let mut actual: [Option<Date>; 6] = [None; 6];
    if reached >= 1 {
        actual[reached - 1] = Some(anchor);
        for m in (0..reached - 1).rev() {
            actual[m] = actual[m + 1].map(|d| d - days(actual_gaps[m + 1]));
        }
    }
    let created = actual[0].map(|d| d - days(actual_gaps[0])).unwrap_or(anchor);
    let mut planned: [Option<Date>; 6] = [None; 6];
    let mut next_plan = anchor;
    for m in 0..6 {
        planned[m] = Some(match actual[m] {
            Some(a) if rng.chance(65) => a + days(rng.range(0, 30)),
            Some(a) => a - days(rng.range(1, 120)),
            None => {
                next_plan += days(gaps[m]);
                next_plan
            }
        });
        if m > 0 && planned[m] < planned[m - 1] {
            planned[m] = planned[m - 1];
        }
    }
    let plans_kept = match stage {
        Stage::Lead if rng.chance(50) => 1,
        Stage::Negotiating if rng.chance(30) => 1,
        _ => 6,
    };
    for slot in planned.iter_mut().skip(plans_kept) {
        *slot = None;
    }
    [p.planned_sign, p.planned_register, p.planned_land, p.planned_start, p.planned_produce, p.planned_full_produce] =
        planned;
    [p.actual_sign, p.actual_register, p.actual_land, p.actual_start, p.actual_produce, p.actual_full_produce] = actual;
    p.stage = stage;
    p.health = health;
    let mut sim = Sim { curve: None, shares: (0.0, 0.0, 0.0), stalled_from: None, exited_on: None };
    match health {
        Health::Normal => {}
        Health::Behind => p.health_reason = Some(rng.pick(BEHIND_REASONS).to_string()),
        Health::Stalled => {
            p.health_reason = Some(rng.pick(STALLED_REASONS).to_string());
            sim.stalled_from = Some((today - days(rng.range(60, age.clamp(61, 500)))).max(anchor));
        }
        Health::Exited => {
            p.health_reason = Some(rng.pick(EXIT_REASONS).to_string());
            sim.exited_on = Some((anchor + days(rng.range(15, age.max(16)))).min(today));
        }
    }

    // What each step recorded when it happened.
    if reached >= 1 {
        p.contracted_amount = Some(Money((total as f64 * rng.between(0.9, 1.0)) as i64 / FEN_PER_WAN * FEN_PER_WAN));
    }
    if reached >= 2 {
        p.local_credit_code = Some(
            CreditCode::synthesize(&unit.division, super::enterprises::serial(index, PROJECT_COMPANY_OFFSET))
                .to_string(),
        );
    }
    if let Some(land) = actual[2] {
        p.parcel = Some(format!("{}-{}-{:03}号", land.year(), unit.division, index % 1000));
        let area = *p.land_mu.get_or_insert(((total_yi * 20.0 * 100.0) as i64).max(500));
        p.supplied_mu = Some(area);
    }
    if let Some(start) = actual[3] {
        p.permit = Some(format!(
            "{}{:04}{:02}{:02}{:04}",
            unit.division,
            start.year(),
            start.month() as u8,
            start.day(),
            rng.range(1, 10_000)
        ));
        let produce = actual[4].unwrap_or_else(|| planned[4].unwrap_or(today).max(today + days(30)));
        let full =
            actual[5].unwrap_or_else(|| planned[5].unwrap_or(today).max(produce + days(90)).max(today + days(30)));
        sim.curve = Some((start, produce, full));
        sim.shares = (rng.between(0.02, 0.12), rng.between(0.7, 0.9), rng.between(0.92, 1.0));
    }
    let filed = reached >= 2 && rng.chance(95) || reached == 1 && rng.chance(50);
    if filed && index < 1_000_000 {
        let on = actual[0].unwrap_or(created);
        let kind = ["03", "02", "01"][rng.weighted(&[80.0, 15.0, 5.0])];
        // 序号 permuted like credit codes (7919 is coprime to 10^6), distinct for distinct indexes.
        let seq = (index as u64 * 7919 + 100_003) % 1_000_000;
        p.code = Some(format!(
            "{:02}{:02}-{}-{division:02}-{kind}-{seq:06}",
            on.year() % 100,
            on.month() as u8,
            unit.division
        ));
    }

    let mut log = vec![Step { from: None, to: Stage::Lead, on: created }];
    if stage >= Stage::Negotiating {
        let until = actual[0].unwrap_or(today);
        let span = (until - created).whole_days().max(1);
        log.push(Step {
            from: Some(Stage::Lead),
            to: Stage::Negotiating,
            on: created + days(rng.range(0, span.min(60))),
        });
    }
    for (m, d) in actual.iter().enumerate().take(reached) {
        let to = Stage::ALL[m + 2];
        log.push(Step { from: Some(Stage::ALL[m + 1]), to, on: d.expect("reached") });
    }
    p.created_at = at(created, rng, now);
    p.updated_at = at(log.last().expect("one step").on, rng, now).max(p.created_at);
    Generated { p, investors, log, sim }
}

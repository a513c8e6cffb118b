//! Recent demo projects in all 14 市州 — signed over the last two years, with plans, starts,
//! monthly reports and a few late or stalled — plus this year's targets and some enterprises newly
//! tagged 规上 or 小巨人, so that the cockpit, rankings and 红旗/蜗牛 lists have something to show.

use super::rng::Rng;
use crate::db::Ex;
use crate::domain::Money;
use crate::domain::money::FEN_PER_WAN;
use crate::projects::service::blank;
use crate::projects::store::Project;
use crate::reports::model::{YearMonth, is_late};
use crate::reports::store::Report;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

pub const CITIES: &[&str] =
    &["4301", "4302", "4303", "4304", "4305", "4306", "4307", "4308", "4309", "4310", "4311", "4312", "4313", "4331"];

/// Projects per city, larger cities first in the list get more.
pub fn per_city(i: usize) -> i64 {
    if i == 0 {
        14
    } else if i < 4 {
        8
    } else {
        5
    }
}

const KINDS: &[(&str, &str, bool)] = &[
    ("新能源汽车零部件", "3670", true),
    ("先进储能材料", "3985", true),
    ("智能装备制造", "3499", true),
    ("电子信息产业园", "3976", true),
    ("生物医药", "2720", true),
    ("绿色食品加工", "1469", true),
    ("现代物流中心", "5990", false),
    ("文旅综合体", "7850", false),
];

/// (名称, 总投资 in 万元, …) drawn so that a few large projects stand among many small ones.
fn amount_wan(rng: &mut Rng) -> i64 {
    *rng.pick(&[5_000, 8_000, 12_000, 20_000, 30_000, 50_000, 80_000, 100_000, 200_000, 500_000])
}

/// The units of a city: its counties and districts, and the demo parks under it.
pub async fn units(ex: &mut Ex<'_>, city: &str) -> Result<Vec<String>, sqlx::Error> {
    let mut v: Vec<String> = crate::q_scalar!(
        ex,
        fetch_all,
        String,
        "SELECT code FROM regions WHERE path LIKE $1 AND level IN ('county', 'park') ORDER BY code",
        format!("/43/{city}/%")
    )?;
    if v.is_empty() {
        v.push(city.to_string());
    }
    Ok(v)
}

/// Reports from the month of `start` to last month: investment rising towards the total at a pace
/// the project's health allows, funds arriving behind it.
pub fn reports(p: &Project, start: Date, today: Date, rng: &mut Rng) -> Vec<Report> {
    let now = OffsetDateTime::now_utc();
    let last = YearMonth::of(today).prev();
    let mut month = YearMonth::of(start);
    let pace = match p.health {
        crate::projects::stage::Health::Stalled => 2,
        crate::projects::stage::Health::Behind => 4,
        _ => 7,
    };
    let mut cumulative = 0;
    let mut out = Vec::new();
    while month <= last {
        let this = (p.total_investment.fen() * pace / 100 * rng.range(6, 14) / 10)
            .min(p.total_investment.fen() - cumulative)
            .max(0);
        cumulative += this;
        let filed_on = (month.due(crate::reports::model::DUE_DAY) - Duration::days(rng.range(-3, 9))).min(today);
        out.push(Report {
            id: Uuid::now_v7(),
            project_id: p.id,
            month: month.label(),
            invest_month: this,
            invest_cumulative: cumulative,
            funds_domestic: this * rng.range(5, 10) / 10,
            funds_foreign_usd: if p.capital.as_deref() == Some("外资") { this / 7 / 10 } else { 0 },
            tax: this / rng.range(30, 80),
            jobs: rng.range(30, 600),
            output: if p.stage == crate::projects::stage::Stage::Producing { p.total_investment.fen() / 30 } else { 0 },
            progress: "按计划推进".into(),
            problems: if p.health == crate::projects::stage::Health::Normal {
                String::new()
            } else {
                p.health_reason.clone().unwrap_or_default()
            },
            in_stats: true,
            late: is_late(month, filed_on),
            filed_on,
            filed_by: "demo".into(),
            created_at: now,
            updated_at: now,
            version: 1,
        });
        month = month.next();
    }
    out
}

/// One recent project of a city's unit, signed `days_ago` days before `today`.
pub fn project(region: &str, serial: usize, days_ago: i64, today: Date, rng: &mut Rng) -> (Project, Vec<Report>) {
    let (kind, industry, industrial) = *rng.pick(KINDS);
    let mut p = blank(OffsetDateTime::now_utc());
    p.name = format!("{kind}项目（演示 {serial:03}）");
    p.region = region.into();
    p.industry = Some(industry.into());
    p.industrial = industrial;
    p.sector = Some(if industrial { "二产" } else { "三产" }.into());
    p.nature = Some(rng.pick(&["新建", "新建", "扩建", "技改"]).to_string());
    p.capital = Some(rng.pick(&["民资", "民资", "民资", "国资", "外资"]).to_string());
    p.channel = Some(rng.pick(&["产业链招商", "产业链招商", "平台招商", "以商招商", "基金招商"]).to_string());
    p.sources = *rng.pick(&[0, 1, 1 | 4, 1 | 8, 2, 1 | 16, 1 | 32]);
    p.total_investment = Money(amount_wan(rng) * FEN_PER_WAN);
    p.contracted_amount = Some(p.total_investment);
    p.fixed_investment = Some(Money(p.total_investment.fen() * 8 / 10));
    p.expected_jobs = Some(rng.range(50, 2000));
    let sign = today - Duration::days(days_ago);
    p.planned_sign = Some(sign - Duration::days(rng.range(0, 20)));
    p.actual_sign = Some(sign);
    let planned_start = sign + Duration::days(rng.range(30, 120));
    p.planned_start = Some(planned_start);
    p.planned_produce = Some(planned_start + Duration::days(rng.range(300, 540)));
    p.stage = crate::projects::stage::Stage::Signed;
    if rng.chance(15) {
        p.health = crate::projects::stage::Health::Behind;
        p.health_reason = Some(rng.pick(&["设备到货延迟", "施工许可办理中", "用地报批未完成"]).to_string());
    } else if rng.chance(6) {
        p.health = crate::projects::stage::Health::Stalled;
        p.health_reason = Some(rng.pick(&["投资方资金未到位", "规划调整待批复"]).to_string());
    }
    let lag = match p.health {
        crate::projects::stage::Health::Normal => rng.range(-25, 30),
        _ => rng.range(40, 150),
    };
    let start = planned_start + Duration::days(lag);
    let mut reports = vec![];
    if start < today && (p.health != crate::projects::stage::Health::Stalled || rng.chance(50)) {
        p.stage = crate::projects::stage::Stage::Started;
        p.actual_start = Some(start);
        let produce = p.planned_produce.expect("planned") + Duration::days(lag);
        if produce < today && p.health == crate::projects::stage::Health::Normal {
            p.stage = crate::projects::stage::Stage::Producing;
            p.actual_produce = Some(produce);
        }
        reports = self::reports(&p, start, today, rng);
    }
    p.is_demo = true;
    (p, reports)
}

/// This year's targets: (region, indicator, value in its base unit), a little above what the demo
/// data reaches, so completion reads as work in progress.
pub fn targets(projects: &[Project], year: i32) -> Vec<(String, &'static str, i64)> {
    let mut out = Vec::new();
    for city in CITIES.iter().map(|c| c.to_string()).chain(["43".to_string()]) {
        let this_year: Vec<&Project> = projects
            .iter()
            .filter(|p| p.actual_sign.is_some_and(|d| d.year() == year))
            .filter(|p| city == "43" || p.region.starts_with(&city))
            .collect();
        let amount: i64 = this_year.iter().map(|p| p.total_investment.fen()).sum();
        let count = this_year.len() as i64;
        out.push((city.clone(), "signed_amount", (amount * 13 / 10).max(10 * crate::domain::money::FEN_PER_YI)));
        out.push((city.clone(), "new_projects", (count * 12 / 10).max(3)));
        out.push((city.clone(), "funds", (amount * 4 / 10).max(2 * crate::domain::money::FEN_PER_YI)));
        out.push((city, "new_above_scale", 5));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn recent_projects_have_plans_in_order_and_consistent_reports() {
        let today = date!(2026 - 11 - 22);
        let mut rng = Rng::new(7);
        for i in 0..200 {
            let (p, reports) = project("430104", i, rng.range(20, 680), today, &mut rng);
            assert!(p.actual_sign <= Some(today) && p.planned_start < p.planned_produce);
            let started_before_this_month = p.actual_start.is_some_and(|d| YearMonth::of(d) < YearMonth::of(today));
            assert_eq!(started_before_this_month, !reports.is_empty(), "{}", p.name);
            assert!(p.actual_start.is_none_or(|d| d < today) && p.actual_produce.is_none_or(|d| d < today));
            let mut last = 0;
            for r in &reports {
                assert!(r.invest_cumulative >= last && r.invest_cumulative <= p.total_investment.fen());
                assert_eq!(r.invest_cumulative - last, r.invest_month);
                last = r.invest_cumulative;
            }
        }
    }
}

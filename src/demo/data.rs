//! Demo records from the sources: 德赛电池储能电芯项目 (望城经开区, 75 亿元, 863 亩, 投产 2023-05-19),
//! 浙江吉成先进陶瓷材料产业基地 (12 亿元, 签约 2023-06-08), and 长沙's 集中开工 of 2022-02-07 —
//! 188 projects whose amounts reproduce the published figures (预估总投资 1502 亿元, 年度投资 345 亿元;
//! 50/10/5 亿元及以上: 6/35/54). Everything is marked as demo data.

use super::rng::Rng;
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::domain::money::{FEN_PER_YI, Money};
use crate::enterprises::model::{CreditCode, search_key};
use crate::enterprises::store::{self as estore, Enterprise};
use crate::projects::service::blank;
use crate::projects::store::{self as pstore, Project};
use crate::reports::model::YearMonth;
use crate::reports::store::{self as rstore, Report};
use time::macros::date;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

pub const BATCH_NAME: &str = "2022 年长沙市推动高质量发展重大项目集中开工（正月初七）";

/// The 188 amounts in 百万元 (0.01 亿): six of 50 亿 and more (德赛 first), 29 more of 10 亿 and more,
/// 19 more of 5 亿 and more, 134 below; summing to exactly 1502 亿.
pub fn batch_amounts() -> Vec<i64> {
    let t1 = [7500, 6000, 5500, 5200, 5000, 5000];
    let t3: Vec<i64> = (0..19).map(|i| 500 + (i * 53) % 490).collect();
    let t4: Vec<i64> = (0..134).map(|i| 50 + (i * 37) % 440).collect();
    let mut t2: Vec<i64> = (0..29).map(|i| 1300 + (i * 211) % 2000).collect();
    let sum: i64 = t1.iter().sum::<i64>() + t2.iter().sum::<i64>() + t3.iter().sum::<i64>() + t4.iter().sum::<i64>();
    let diff = 150_200 - sum;
    for x in t2.iter_mut() {
        *x += diff / 29;
    }
    t2[0] += diff - diff / 29 * 29;
    t1.iter().copied().chain(t2).chain(t3).chain(t4).collect()
}

/// Annual plans: 23% of each total, the remainder on the first, summing to exactly 345 亿.
pub fn batch_plans(amounts: &[i64]) -> Vec<i64> {
    let mut plans: Vec<i64> = amounts.iter().map(|a| a * 23 / 100).collect();
    plans[0] += 34_500 - plans.iter().sum::<i64>();
    plans
}

/// (name, registration division, unit region, GB/T 4754 code, size, ownership, tags, origin, origin place)
const ENTERPRISES: &[(&str, &str, &str, &str, &str, &str, &str, &str, &str)] = &[
    ("惠州市德赛电池有限公司", "441300", "4301", "3841", "大型", "民营", "规上、上市", "省外", "广东省"),
    ("湖南德赛电池有限公司", "430112", "43011251", "3841", "大型", "民营", "规上、链主", "本省", ""),
    ("浙江吉成新材股份有限公司", "330700", "4301", "3073", "中型", "民营", "规上、专精特新", "省外", "浙江省"),
    ("三一集团有限公司", "430100", "43012151", "3431", "大型", "民营", "规上、链主、中国500强、民营500强", "本省", ""),
    ("中联重科股份有限公司", "430100", "4301", "3431", "大型", "国有", "规上、上市、链主、中国500强", "本省", ""),
    ("蓝思科技股份有限公司", "430181", "43018151", "3976", "大型", "民营", "规上、上市、民营500强", "本省", ""),
    ("长沙惠科光电有限公司", "430121", "43012151", "3974", "大型", "民营", "规上", "省外", "广东省"),
    ("湖南中伟新能源科技有限公司", "430182", "43018251", "2613", "大型", "民营", "规上、单项冠军", "本省", ""),
    ("楚天科技股份有限公司", "430182", "43018251", "3544", "大型", "民营", "规上、上市、专精特新", "本省", ""),
    ("山河智能装备股份有限公司", "430121", "43012151", "3511", "大型", "国有", "规上、上市", "本省", ""),
    ("比亚迪汽车工业有限公司", "440300", "4301", "3611", "大型", "民营", "规上、上市、世界500强", "省外", "广东省"),
    ("湖南湘江新区发展集团有限公司", "430100", "43010051", "7212", "大型", "国有", "", "本省", ""),
];

pub struct Loaded {
    pub enterprises: usize,
    pub projects: usize,
    pub reports: usize,
}

fn enterprise(
    name: &str,
    division: &str,
    region: &str,
    industry: &str,
    size: &str,
    ownership: &str,
    tags: &str,
    origin: &str,
    place: &str,
    serial: u32,
) -> Enterprise {
    let now = OffsetDateTime::now_utc();
    Enterprise {
        id: Uuid::now_v7(),
        credit_code: CreditCode::synthesize(division, serial).to_string(),
        name: name.into(),
        search_key: search_key(name),
        region: region.into(),
        industry: Some(industry.into()),
        size: Some(size.into()).filter(|s: &String| !s.is_empty()),
        ownership: Some(ownership.into()).filter(|s: &String| !s.is_empty()),
        tags: crate::enterprises::model::Tags::parse(tags).unwrap_or_default().0,
        origin: Some(origin.into()).filter(|s: &String| !s.is_empty()),
        origin_place: Some(place.into()).filter(|s: &String| !s.is_empty()),
        is_demo: true,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// Reports for the last `months` months, with cumulative figures that rise consistently.
pub fn reports_for(p: &Project, months: i64, today: Date, rng: &mut Rng) -> Vec<Report> {
    let mut out = Vec::new();
    let mut month = YearMonth::of(today);
    for _ in 0..months {
        month = month.prev();
    }
    let total = p.total_investment.fen();
    let mut cumulative = total / 5;
    let now = OffsetDateTime::now_utc();
    for _ in 0..months {
        month = month.next();
        let this = (total / 60).max(0) * rng.range(5, 15) / 10;
        let this = this.min(total - cumulative).max(0);
        cumulative += this;
        let filed_on = month.due(crate::reports::model::DUE_DAY) - time::Duration::days(rng.range(0, 12));
        out.push(Report {
            id: Uuid::now_v7(),
            project_id: p.id,
            month: month.label(),
            invest_month: this,
            invest_cumulative: cumulative,
            funds_domestic: this * rng.range(3, 9) / 10,
            funds_foreign_usd: 0,
            tax: this / 50,
            jobs: rng.range(50, 800),
            output: if p.stage == crate::projects::stage::Stage::Producing { total / 40 } else { 0 },
            progress: "按计划推进".into(),
            problems: String::new(),
            in_stats: true,
            late: crate::reports::model::is_late(month, filed_on.min(today)),
            filed_on: filed_on.min(today),
            filed_by: "demo".into(),
            created_at: now,
            updated_at: now,
            version: 1,
        });
        if month == YearMonth::of(today).prev() {
            break;
        }
    }
    out
}

/// Loads the demo records once; a second run finds the event and changes nothing.
pub async fn load(db: &Db) -> anyhow::Result<Option<Loaded>> {
    let mut conn = db.conn().await?;
    let exists: Option<Uuid> =
        crate::q_scalar!(&mut conn.ex(), fetch_optional, Uuid, "SELECT id FROM batches WHERE name = $1", BATCH_NAME)?;
    drop(conn);
    if exists.is_some() {
        return Ok(None);
    }
    let today = crate::projects::service::today();
    let mut rng = Rng::new(20220207);
    let mut tx = db.begin().await?;
    let mut ents = Vec::new();
    for (i, (name, div, region, industry, size, own, tags, origin, place)) in ENTERPRISES.iter().enumerate() {
        let e = enterprise(name, div, region, industry, size, own, tags, origin, place, 900_000 + i as u32);
        if estore::by_credit_code(&mut tx.ex(), &e.credit_code).await?.is_none() {
            estore::insert(&mut tx.ex(), &e).await?;
        }
        ents.push(e);
    }
    let now = OffsetDateTime::now_utc();
    let mut projects: Vec<(Project, Vec<Uuid>)> = Vec::new();

    let mut desay = blank(now);
    desay.name = "德赛电池储能电芯项目".into();
    desay.region = "43011251".into();
    desay.industry = Some("3841".into());
    desay.sector = Some("二产".into());
    desay.industrial = true;
    desay.nature = Some("扩建".into());
    desay.capital = Some("民资".into());
    desay.sources = 1 | 4; // 省外, 粤港澳大湾区
    desay.channel = Some("产业链招商".into());
    desay.total_investment = Money::from_yi(75);
    desay.fixed_investment = Some(Money::from_yi(75));
    desay.expected_output = Some(Money::from_yi(120));
    desay.land_mu = Some(86300);
    desay.supplied_mu = Some(86300);
    desay.tags = 1 | 4; // 省十大产业项目, 百亿项目 (年产值 120 亿)
    desay.stage = crate::projects::stage::Stage::Producing;
    desay.actual_start = Some(date!(2022 - 02 - 07));
    desay.planned_produce = Some(date!(2023 - 05 - 01));
    desay.actual_produce = Some(date!(2023 - 05 - 19));
    desay.is_demo = true;
    projects.push((desay, vec![ents[0].id, ents[1].id]));

    let mut jicheng = blank(now);
    jicheng.name = "浙江吉成先进陶瓷材料产业基地项目".into();
    jicheng.region = "43011251".into();
    jicheng.industry = Some("3073".into());
    jicheng.sector = Some("二产".into());
    jicheng.industrial = true;
    jicheng.nature = Some("新建".into());
    jicheng.capital = Some("民资".into());
    jicheng.sources = 1 | 8; // 省外, 长三角
    jicheng.channel = Some("产业链招商".into());
    jicheng.total_investment = Money::from_yi(12);
    jicheng.contracted_amount = Some(Money::from_yi(12));
    jicheng.stage = crate::projects::stage::Stage::Signed;
    jicheng.actual_sign = Some(date!(2023 - 06 - 08));
    jicheng.is_demo = true;
    projects.push((jicheng, vec![ents[2].id]));

    // The 187 other projects of the 2022-02-07 event, across 长沙's counties and parks.
    const UNITS: &[&str] = &[
        "430102", "430103", "430104", "430105", "430111", "430112", "430121", "430181", "430182", "43010051",
        "43012151", "43011251", "43010551", "43018151", "43018251",
    ];
    const KINDS: &[(&str, &str)] = &[
        ("智能制造产业园", "3499"),
        ("新能源材料", "3985"),
        ("工程机械配套", "3431"),
        ("生物医药产业基地", "2720"),
        ("电子信息产业园", "3976"),
        ("现代物流园", "5990"),
        ("城市更新", "4710"),
        ("数字经济总部", "6513"),
        ("新型显示", "3974"),
        ("食品加工", "1469"),
    ];
    let amounts = batch_amounts();
    let plans = batch_plans(&amounts);
    for (i, amount) in amounts.iter().enumerate().skip(1) {
        let unit = UNITS[i % UNITS.len()];
        let (kind, industry) = KINDS[(i * 7) % KINDS.len()];
        let mut p = blank(now);
        p.name =
            if i == 1 { "湖南超精密制造产业园项目".into() } else { format!("{kind}项目（{i:03}）") };
        p.region = if i == 1 { "43010551".into() } else { unit.into() };
        p.industry = Some(industry.into());
        // GB/T 4754 大类 06–50 (采矿、制造、电热燃水、建筑) are 二产; 51 and above 三产.
        let division: i64 = industry[..2].parse().unwrap_or(0);
        p.sector = Some(if (6..=50).contains(&division) { "二产" } else { "三产" }.into());
        p.industrial = p.sector.as_deref() == Some("二产");
        p.total_investment = Money(amount * (FEN_PER_YI / 100));
        p.capital = Some(rng.pick(&["国资", "民资", "民资", "外资"]).to_string());
        p.channel = Some(rng.pick(&["产业链招商", "平台招商", "以商招商", "基金招商"]).to_string());
        p.stage = if rng.chance(30) {
            crate::projects::stage::Stage::Producing
        } else {
            crate::projects::stage::Stage::Started
        };
        p.actual_start = Some(date!(2022 - 02 - 07));
        p.actual_sign = Some(date!(2022 - 02 - 07) - time::Duration::days(rng.range(30, 400)));
        if p.stage == crate::projects::stage::Stage::Producing {
            p.actual_produce = Some(date!(2022 - 02 - 07) + time::Duration::days(rng.range(120, 500)));
        }
        p.is_demo = true;
        projects.push((p, vec![]));
    }
    // Recent projects in all 14 市州, with their own reports.
    let mut recent_reports = Vec::new();
    let mut serial = 0;
    for (ci, city) in super::recent::CITIES.iter().enumerate() {
        let units = super::recent::units(&mut tx.ex(), city).await?;
        for _ in 0..super::recent::per_city(ci) {
            serial += 1;
            let region = rng.pick(&units).clone();
            let (p, r) = super::recent::project(&region, serial, rng.range(20, 680), today, &mut rng);
            let investors = if rng.chance(40) { vec![rng.pick(&ents).id] } else { vec![] };
            recent_reports.extend(r);
            projects.push((p, investors));
        }
    }
    let mut reports = 0;
    for (p, investors) in &projects {
        pstore::insert(&mut tx.ex(), p).await?;
        pstore::set_investors(&mut tx.ex(), p.id, investors).await?;
        pstore::log_stage(&mut tx.ex(), p.id, None, p.stage, today, None, Some("演示数据"), None, "demo").await?;
        if p.stage != crate::projects::stage::Stage::Signed && !p.name.contains("（演示 ") {
            for r in reports_for(p, 6, today, &mut rng) {
                rstore::insert(&mut tx.ex(), &r).await?;
                reports += 1;
            }
        }
    }
    for r in &recent_reports {
        rstore::insert(&mut tx.ex(), r).await?;
    }
    reports += recent_reports.len();
    // This year's targets, and a few enterprises newly counted as 规上 or 小巨人 this year.
    let all: Vec<Project> = projects.iter().map(|(p, _)| p.clone()).collect();
    for (region, indicator, value) in super::recent::targets(&all, today.year()) {
        crate::evaluation::store::set_target(&mut tx.ex(), &region, today.year(), indicator, Some(value), "demo")
            .await?;
    }
    for (i, e) in ents.iter().enumerate().filter(|(_, e)| e.tags != 0) {
        let on = today - time::Duration::days(20 + 37 * i as i64);
        estore::log_tag_changes(&mut tx.ex(), &[(e.id, 0, e.tags)], on).await?;
    }
    let batch = crate::batches::store::Batch {
        id: Uuid::now_v7(),
        kind: "集中开工".into(),
        name: BATCH_NAME.into(),
        held_on: date!(2022 - 02 - 07),
        place: "主会场：望城区德赛电池储能电芯项目现场".into(),
        region: "4301".into(),
        is_demo: true,
        created_at: now,
        version: 1,
    };
    crate::batches::store::insert(&mut tx.ex(), &batch).await?;
    let members: Vec<&Project> =
        projects.iter().map(|(p, _)| p).filter(|p| p.actual_start == Some(date!(2022 - 02 - 07))).collect();
    for (p, plan) in members.iter().zip(&plans) {
        crate::batches::store::add_member(&mut tx.ex(), batch.id, p.id, plan * (FEN_PER_YI / 100)).await?;
    }
    audit::record(&mut tx.ex(), &Actor::cli(), Change {
        action: "demo.load",
        entity: "demo",
        entity_id: "sources".into(),
        region: None,
        before: None,
        after: Some(serde_json::json!({"enterprises": ents.len(), "projects": projects.len(), "reports": reports, "batch": batch.id})),
    })
    .await?;
    tx.commit().await?;
    Ok(Some(Loaded { enterprises: ents.len(), projects: projects.len(), reports }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_188_amounts_reproduce_the_published_figures() {
        let a = batch_amounts();
        assert_eq!(a.len(), 188);
        assert_eq!(a.iter().sum::<i64>(), 150_200, "1502 亿元");
        assert_eq!(a.iter().filter(|x| **x >= 5000).count(), 6);
        assert_eq!(a.iter().filter(|x| **x >= 1000).count(), 35);
        assert_eq!(a.iter().filter(|x| **x >= 500).count(), 54);
        assert!(a.iter().all(|x| *x >= 50), "all 5000 万元 and above");
        let p = batch_plans(&a);
        assert_eq!(p.iter().sum::<i64>(), 34_500, "345 亿元");
        assert!(p.iter().zip(&a).all(|(p, a)| p <= a));
    }
}

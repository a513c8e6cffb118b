//! Demo enterprise service: departments that handle appeals, specialists for the demo enterprises
//! and key projects (with a handover), and about a year of visits and appeals — most answered on
//! time and rated 满意, some late, returned, extended or reopened, and a few overdue and escalated.
//! Everything is marked as demo data; a second run finds the appeals and changes nothing.

use super::rng::Rng;
use super::service_appeals::AppealSeed;
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Ex};
use crate::enterprise_service::appeals::model::State;
use crate::enterprise_service::calendar::{Calendar, beijing, beijing_date};
use crate::enterprise_service::notifications::store as notify;
use crate::enterprise_service::specialists::{self, model::Kind};
use crate::enterprise_service::visits::model::{Participant, Tier};
use crate::enterprise_service::visits::store::{self as vstore, Visit};
use crate::enterprise_service::{departments, settings};
use crate::enterprises::model::{CreditCode, search_key};
use crate::enterprises::store::{self as estore, Enterprise};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

pub struct Loaded {
    pub enterprises: usize,
    pub visits: usize,
    pub appeals: usize,
}

/// More demo enterprises around 长沙, so that visits and cadence lists look like a city's:
/// (name, unit region, tags, size).
const MORE: &[(&str, &str, &str, &str)] = &[
    ("湖南星沙精密机械有限公司", "43012151", "规上、专精特新", "中型"),
    ("长沙经开区汽车零部件有限公司", "43012151", "规上", "中型"),
    ("湖南望城新材料科技有限公司", "43011251", "规上、专精特新、小巨人", "中型"),
    ("长沙铜官食品有限公司", "43011251", "规上", "小型"),
    ("湖南湘江智能装备有限公司", "43011251", "", "小型"),
    ("望城经开区储能科技有限公司", "43011251", "专精特新", "小型"),
    ("浏阳生物医药有限公司", "43018151", "规上、上市", "大型"),
    ("浏阳电子信息材料有限公司", "43018151", "规上", "中型"),
    ("宁乡新能源电池材料有限公司", "43018251", "规上、专精特新", "中型"),
    ("宁乡食品加工有限公司", "43018251", "", "小型"),
    ("湖南金霞现代物流有限公司", "43010551", "规上", "中型"),
    ("湘江新区数字科技有限公司", "43010051", "专精特新", "小型"),
    ("湘江新区人工智能研究院有限公司", "43010051", "", "微型"),
    ("长沙岳麓检验检测有限公司", "430104", "", "小型"),
    ("长沙开福文化创意有限公司", "430105", "", "微型"),
    ("长沙雨花环保科技有限公司", "430111", "规上", "中型"),
    ("长沙天心建材有限公司", "430103", "", "小型"),
    ("长沙芙蓉商贸有限公司", "430102", "", "小型"),
    ("长沙县机器人有限公司", "430121", "规上、专精特新", "中型"),
    ("长沙县工程机械配件有限公司", "430121", "规上", "小型"),
    ("望城区光电显示有限公司", "430112", "规上", "中型"),
    ("望城区农产品加工有限公司", "430112", "", "小型"),
    ("湖南浏阳烟花科技有限公司", "430181", "规上", "中型"),
    ("宁乡市节能材料有限公司", "430182", "", "小型"),
];

/// (category, titles): what enterprises ask for, by category code.
const ASKS: &[(&str, &[&str])] = &[
    ("01", &["二期扩建用地指标尚未落实", "厂房不动产权证办理缓慢", "希望协调相邻地块用于仓储", "工业用地容积率调整"]),
    ("01", &["新购地块规划条件尚未明确", "项目用地红线调整", "标准厂房租赁面积不足"]),
    ("02", &["流动资金贷款续贷困难", "希望对接产业基金股权融资", "设备融资租赁贴息申请"]),
    ("03", &["一线技工招聘困难", "员工子女入学需要协调", "希望对接职业院校订单培养"]),
    ("04", &["环评批复办理进度", "施工许可证办理材料反复补正", "消防验收时间较长"]),
    ("05", &["新增产线需扩容变压器", "园区天然气管道尚未接通", "厂区周边供水压力不足"]),
    ("06", &["大件运输通行证办理", "希望增加园区至货运站的班线"]),
    ("07", &["技改奖补资金尚未兑现", "研发费用补贴申报指导", "首台套保险补偿尚未拨付"]),
    ("08", &["希望对接本地整车企业配套", "参加展会补贴政策咨询"]),
    ("99", &["周边道路施工影响出入", "企业门口公交站点设置"]),
];

/// A department for a category, near the enterprise (county departments where there are some).
fn department_for(category: &str, region: &str, depts: &[(String, String, Uuid)]) -> Option<Uuid> {
    let name = match category {
        "01" if region == "430112" => "区自然资源局",
        "01" if region == "430121" => "县自然资源局",
        "01" => "市自然资源和规划局",
        "02" => "市地方金融管理局",
        "03" if region.starts_with("430112") => "区人社局",
        "03" => "市人社局",
        "04" => "市政务服务局",
        "05" => "市住建局",
        "06" => "市交通运输局",
        "07" => "市工信局",
        "08" => "市商务局",
        _ => "市发改委",
    };
    depts.iter().find(|(_, n, _)| n == name).map(|(_, _, id)| *id)
}

const NAMES: &[&str] =
    &["王磊", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄涛", "周洁", "吴刚", "徐丽", "孙强"];
const TOPICS: &[&str] = &[
    "了解生产经营情况",
    "宣讲惠企政策",
    "了解扩产计划和用地需求",
    "了解用工和人才需求",
    "回访诉求办理情况",
    "了解订单和上下游配套",
];

/// At about 10:00 Beijing time on `d`, give or take.
pub fn at(d: Date, rng: &mut Rng) -> OffsetDateTime {
    d.with_hms(9 + rng.range(0, 8) as u8, rng.range(0, 60) as u8, 0)
        .expect("valid")
        .assume_offset(beijing())
        .to_offset(time::UtcOffset::UTC)
}

/// The instant `n` working days after `t`'s day, at a working hour.
pub fn after_days(t: OffsetDateTime, n: u32, cal: &Calendar, rng: &mut Rng) -> OffsetDateTime {
    at(cal.add_working_days(beijing_date(t), n), rng)
}

/// Loads the demo service records once.
pub async fn load(db: &Db) -> anyhow::Result<Option<Loaded>> {
    let mut conn = db.conn().await?;
    let exists: Option<Uuid> =
        crate::q_scalar!(&mut conn.ex(), fetch_optional, Uuid, "SELECT id FROM appeals WHERE is_demo LIMIT 1")?;
    drop(conn);
    if exists.is_some() {
        return Ok(None);
    }
    let today = crate::projects::service::today();
    let now = OffsetDateTime::now_utc();
    let mut rng = Rng::new(20261120);
    let mut tx = db.begin().await?;
    let cal = settings::store::calendar(&mut tx.ex()).await?;
    let ex = &mut tx.ex();
    let cs = user_id(ex, "cs.service").await?;
    let wc = user_id(ex, "wc.service").await?;
    let leader = user_id(ex, "cs.leader").await?;
    let depts: Vec<(String, String, Uuid)> =
        crate::q_as!(ex, fetch_all, (String, String, Uuid), "SELECT region, name, id FROM departments WHERE is_demo")?;

    // Enterprises: the sources' twelve (loaded before this) and two dozen more.
    let mut added = 0;
    for (i, (name, region, tags, size)) in MORE.iter().enumerate() {
        let e = Enterprise {
            id: Uuid::now_v7(),
            credit_code: CreditCode::synthesize(&format!("{:0<6}", &region[..6.min(region.len())]), 910_000 + i as u32)
                .to_string(),
            name: name.to_string(),
            search_key: search_key(name),
            region: region.to_string(),
            industry: None,
            size: Some(size.to_string()),
            ownership: Some("民营".into()),
            tags: crate::enterprises::model::Tags::parse(tags).unwrap_or_default().0,
            origin: Some("本省".into()),
            origin_place: None,
            is_demo: true,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        if estore::by_credit_code(ex, &e.credit_code).await?.is_none() {
            estore::insert(ex, &e).await?;
            added += 1;
        }
    }
    let ents: Vec<(Uuid, String, String, i64, Option<String>, String)> = crate::q_as!(
        ex,
        fetch_all,
        (Uuid, String, String, i64, Option<String>, String),
        "SELECT e.id, e.name, e.region, e.tags, e.size, g.level FROM enterprises e JOIN regions g ON g.code = e.region
         WHERE e.is_demo AND g.path LIKE '/43/4301/%' ORDER BY e.name"
    )?;

    // Specialists: 望城经开区's enterprises to wc.service, the rest to cs.service, except two key
    // enterprises left without one (the coverage page lists them); one handover three months ago.
    let mut served = Vec::new();
    for (k, (id, name, region, tags, size, _)) in ents.iter().enumerate() {
        let tier = Tier::of(*tags, size.as_deref());
        if name.contains("比亚迪") || name.contains("湘江新区发展集团") {
            continue;
        }
        let who = if region == "43011251" { wc } else { cs };
        if tier == Tier::Other && k % 3 == 0 {
            continue;
        }
        let start = now - Duration::days(300 + rng.range(0, 40));
        if k == 2 {
            specialists::store::put(ex, Kind::Enterprise, *id, wc, "demo", None, start, true).await?;
            specialists::store::put(
                ex,
                Kind::Enterprise,
                *id,
                who,
                "demo",
                Some("工作调整，已当面交接"),
                now - Duration::days(90),
                true,
            )
            .await?;
        } else {
            specialists::store::put(ex, Kind::Enterprise, *id, who, "demo", None, start, true).await?;
        }
        served.push(*id);
    }
    let key_projects: Vec<(Uuid, String)> = crate::q_as!(
        ex,
        fetch_all,
        (Uuid, String),
        "SELECT p.id, p.region FROM projects p JOIN regions g ON g.code = p.region
         WHERE p.is_demo AND p.specialist_id IS NULL AND g.path LIKE '/43/4301/%'
         ORDER BY p.total_investment DESC LIMIT 12"
    )?;
    for (i, (id, region)) in key_projects.iter().enumerate() {
        if i % 4 == 3 {
            continue; // left for the coverage page
        }
        let who = if region == "43011251" { wc } else { cs };
        specialists::store::put(ex, Kind::Project, *id, who, "demo", None, now - Duration::days(200), true).await?;
    }

    // A year of visits and the appeals they raised.
    let cs_unit = ("4301", "市工信局");
    let wc_unit = ("43011251", "企业服务局");
    let others = [("4301", "市商务局"), ("430112", "望城区工信局"), ("430121", "长沙县工信局")];
    let mut visits = 0;
    let mut appeals = 0;
    let year_ago = today - Duration::days(365);
    for (id, name, region, tags, size, level) in &ents {
        let tier = Tier::of(*tags, size.as_deref());
        let gap = match tier {
            Tier::Key => (25, 75),
            Tier::Scale => (45, 130),
            Tier::Other => (90, 260),
        };
        let mut day = year_ago + Duration::days(rng.range(0, gap.0));
        let (who, unit, who_name) =
            if region == "43011251" { (wc, wc_unit, "wc.service") } else { (cs, cs_unit, "cs.service") };
        while day <= today - Duration::days(2) {
            let (unit, by) = if rng.chance(12) { (*rng.pick(&others), None) } else { (unit, Some(who)) };
            let v = Visit {
                id: Uuid::now_v7(),
                enterprise_id: *id,
                project_id: None,
                region: region.clone(),
                visited_on: day,
                mode: if rng.chance(85) { "实地走访" } else { "座谈会" }.into(),
                unit_region: unit.0.into(),
                unit_name: unit.1.into(),
                topics: rng.pick(TOPICS).to_string(),
                expansion: rng.chance(15).then(|| "计划明年新增一条生产线，需新增用地约 30 亩".to_string()),
                exit_risk: if rng.chance(4) {
                    "中"
                } else if rng.chance(10) {
                    "低"
                } else {
                    "无"
                }
                .into(),
                exit_risk_note: None,
                problems: None,
                notes: None,
                created_by: by,
                created_by_name: by.map(|_| who_name).unwrap_or("demo").into(),
                is_demo: true,
                created_at: at(day, &mut rng),
                version: 1,
            };
            let mut v = v;
            if v.exit_risk == "中" {
                v.exit_risk_note = Some("主要客户订单转移，企业考虑压减本地产能".into());
            }
            let raise = by.is_some() && rng.chance(55);
            if raise {
                v.problems = Some("企业反映的问题已登记为诉求".into());
            }
            let people = vec![
                Participant { name: rng.pick(NAMES).to_string(), unit: unit.1.into() },
                Participant { name: rng.pick(NAMES).to_string(), unit: unit.1.into() },
            ];
            let mut people = people;
            people.dedup();
            vstore::insert(ex, &v, &people).await?;
            visits += 1;
            if raise {
                let (category, titles) = *rng.pick(ASKS);
                let title = rng.pick(titles).to_string();
                let dept = department_for(category, region, &depts);
                let a = super::service_appeals::appeal(
                    ex,
                    &cal,
                    &mut rng,
                    AppealSeed {
                        visit: Some(v.id),
                        project: None,
                        enterprise: Some(*id),
                        enterprise_name: name,
                        region,
                        level,
                        category,
                        title,
                        department: dept,
                        received: v.created_at + Duration::hours(1),
                        by: who,
                        by_name: who_name,
                        leader,
                        today,
                    },
                )
                .await?;
                if a.state == State::Dispatched.code() && a.department_id.is_some() {
                    let hs = departments::store::handlers(ex, a.department_id.unwrap_or_default()).await?;
                    notify::send(
                        ex,
                        &hs,
                        "assigned",
                        Some(a.id),
                        &format!("新交办诉求 {}：{}（{} 前办结）", a.number, a.title, a.due_on),
                        &crate::enterprise_service::appeals::act::link(a.id),
                        &format!("assigned:{}:demo", a.id),
                    )
                    .await?;
                }
                appeals += 1;
            }
            day += Duration::days(rng.range(gap.0, gap.1));
        }
    }
    // Appeals raised for the served key projects, through the year.
    let served_projects: Vec<(Uuid, String, String, String, Uuid)> = crate::q_as!(
        ex,
        fetch_all,
        (Uuid, String, String, String, Uuid),
        "SELECT p.id, p.name, p.region, g.level, p.specialist_id FROM projects p JOIN regions g ON g.code = p.region
         WHERE p.is_demo AND p.specialist_id IS NOT NULL ORDER BY p.total_investment DESC"
    )?;
    for (id, name, region, level, who) in &served_projects {
        let who_name = if *who == wc { "wc.service" } else { "cs.service" };
        for _ in 0..rng.range(2, 6) {
            let day = today - Duration::days(rng.range(3, 360));
            if !cal.is_working_day(day) {
                continue;
            }
            let (category, titles) = *rng.pick(&ASKS[..5]);
            let dept = department_for(category, region, &depts);
            let investor: Option<Uuid> = crate::q_scalar!(
                ex,
                fetch_optional,
                Uuid,
                "SELECT enterprise_id FROM project_investors WHERE project_id = $1 LIMIT 1",
                *id
            )?;
            let title = rng.pick(titles).to_string();
            let received = at(day, &mut rng);
            super::service_appeals::appeal(
                ex,
                &cal,
                &mut rng,
                AppealSeed {
                    visit: None,
                    project: Some(*id),
                    enterprise: investor,
                    enterprise_name: name,
                    region,
                    level,
                    category,
                    title,
                    department: dept,
                    received,
                    by: *who,
                    by_name: who_name,
                    leader,
                    today,
                },
            )
            .await?;
            appeals += 1;
        }
    }
    audit::record(
        ex,
        &Actor::cli(),
        Change {
            action: "demo.service",
            entity: "demo",
            entity_id: "service".into(),
            region: Some("4301".into()),
            before: None,
            after: Some(
                serde_json::json!({"enterprises": added, "visits": visits, "appeals": appeals, "served": served.len()}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(Loaded { enterprises: added, visits, appeals }))
}

async fn user_id(ex: &mut Ex<'_>, username: &str) -> anyhow::Result<Uuid> {
    crate::accounts::store::user_by_name(ex, username)
        .await?
        .map(|u| u.id)
        .ok_or_else(|| anyhow::anyhow!("演示账号 {username} 不存在"))
}

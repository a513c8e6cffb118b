//! Invariants of the generated distributions, on samples small enough for a unit test.

use super::enterprises::{Brief, enterprise};
use super::names::CITIES;
use super::projects::{Generated, STAGES, project};
use super::reports::reports;
use super::world::{Industry, World};
use super::{SEED, WINDOW};
use crate::demo::rng::Rng;
use crate::domain::money::{FEN_PER_WAN, FEN_PER_YI};
use crate::enterprises::model::{CreditCode, Tag, Tags};
use crate::enterprises::store::Enterprise;
use crate::projects::model::ProjectCode;
use crate::projects::stage::Stage;
use crate::reports::model::{Context, Input, YearMonth, check, is_late};
use crate::reports::store::Report;
use std::collections::{HashMap, HashSet};
use time::macros::date;
use time::{Date, OffsetDateTime};

const TODAY: Date = date!(2026 - 11 - 22);

/// The world as a freshly loaded database holds it: the embedded division codes, the demo parks
/// and the 小类 of GB/T 4754.
fn world() -> World {
    let mut paths: HashMap<String, String> = HashMap::new();
    let mut regions = Vec::new();
    for r in crate::regions::load::parse_csv(crate::regions::load::REGIONS_CSV).unwrap() {
        let parent = r.parent.map(|p| paths[p.as_str()].clone()).unwrap_or_else(|| "/".into());
        let path = format!("{parent}{}/", r.code);
        paths.insert(r.code.to_string(), path.clone());
        regions.push((r.code.to_string(), r.level.as_str().to_string(), path));
    }
    for (code, _, _, parent) in crate::regions::load::DEMO_PARKS {
        regions.push((code.to_string(), "park".into(), format!("{}{code}/", paths[*parent])));
    }
    let industries = crate::industries::model::parse_csv(crate::industries::model::CSV)
        .unwrap()
        .into_iter()
        .filter(|i| i.level == 4)
        .map(|i| Industry { code: i.code, name: i.name, section: i.section })
        .collect();
    World::new(TODAY, &regions, industries)
}

fn sample(n_ent: u32, n_proj: u32) -> (World, Vec<Enterprise>, Vec<(Generated, Vec<Report>)>) {
    let w = world();
    let mut rng = Rng::new(SEED);
    let now = OffsetDateTime::now_utc();
    let (ents, briefs): (Vec<Enterprise>, Vec<Brief>) = (0..n_ent).map(|i| enterprise(&w, &mut rng, i, now)).unzip();
    let mut by_city = vec![Vec::new(); CITIES.len()];
    for (i, b) in briefs.iter().enumerate() {
        by_city[b.city].push(i as u32);
    }
    let projects = (0..n_proj)
        .map(|i| {
            let mut g = project(&w, &mut rng, i, &briefs, &by_city);
            let r = reports(&mut g, TODAY, WINDOW, &mut rng);
            (g, r)
        })
        .collect();
    (w, ents, projects)
}

fn share(n: usize, of: usize) -> f64 {
    n as f64 / of as f64 * 100.0
}

#[test]
fn enterprises_have_valid_distinct_codes_and_a_plausible_mix_of_size_ownership_and_tags() {
    let (w, ents, _) = sample(20_000, 0);
    let codes: HashSet<&str> = ents.iter().map(|e| e.credit_code.as_str()).collect();
    assert_eq!(codes.len(), ents.len(), "credit codes are unique");
    for e in &ents {
        CreditCode::parse(&e.credit_code).unwrap();
        assert!(e.name.ends_with("公司") && e.is_demo, "{}", e.name);
        assert!(w.industry(e.industry.as_deref().unwrap()).is_some(), "a 小类 code");
        assert!(e.search_key.contains(&e.name.to_lowercase()));
    }
    let n = ents.len();
    let count = |f: &dyn Fn(&Enterprise) -> bool| ents.iter().filter(|e| f(e)).count();
    let small = share(count(&|e| matches!(e.size.as_deref(), Some("小型" | "微型"))), n);
    let private = share(count(&|e| e.ownership.as_deref() == Some("民营")), n);
    let above = share(count(&|e| Tags(e.tags).contains(Tag::AboveScale)), n);
    let specialised = share(count(&|e| Tags(e.tags).contains(Tag::Specialized)), n);
    let leaders = share(count(&|e| Tags(e.tags).contains(Tag::ChainLeader)), n);
    assert!(small > 85.0, "most are small or micro: {small}");
    assert!(private > 70.0, "most are private: {private}");
    assert!((3.0..12.0).contains(&above), "a few per cent 规上: {above}");
    assert!((0.5..2.0).contains(&specialised), "about 1% 专精特新: {specialised}");
    assert!(leaders < 0.2, "链主 are rare: {leaders}");
    let foreign = count(&|e| matches!(e.ownership.as_deref(), Some("外资" | "港澳台")));
    assert_eq!(foreign, count(&|e| e.origin.as_deref() == Some("境外")), "foreign ownership means a foreign origin");
}

#[test]
fn every_city_has_records_and_changsha_has_the_most() {
    let (w, ents, projects) = sample(20_000, 5_000);
    let city = |region: &str| w.units.iter().find(|u| u.code == region).map(|u| u.city).unwrap();
    let mut per_city = vec![0usize; CITIES.len()];
    for (g, _) in &projects {
        per_city[city(&g.p.region)] += 1;
    }
    assert!(per_city.iter().all(|n| *n > 0), "{per_city:?}");
    let changsha = share(per_city[0], projects.len());
    assert!((20.0..35.0).contains(&changsha), "长沙 {changsha}%");
    assert_eq!(per_city.iter().max(), Some(&per_city[0]));
    let in_parks = projects.iter().filter(|(g, _)| w.units.iter().any(|u| u.code == g.p.region && u.is_park)).count();
    assert!(share(in_parks, projects.len()) > 15.0, "parks attract projects: {in_parks}");
    let mut ent_cities: HashSet<usize> = HashSet::new();
    ent_cities.extend(ents.iter().map(|e| city(&e.region)));
    assert_eq!(ent_cities.len(), 14);
}

#[test]
fn projects_reach_their_milestones_in_order_and_plan_them_in_order() {
    let (_, ents, projects) = sample(5_000, 5_000);
    let ids: HashSet<_> = ents.iter().map(|e| e.id).collect();
    let mut codes = HashSet::new();
    let mut stages: HashMap<&str, usize> = HashMap::new();
    for (g, _) in &projects {
        let p = &g.p;
        let stage = p.stage;
        *stages.entry(stage.label()).or_default() += 1;
        let actual =
            [p.actual_sign, p.actual_register, p.actual_land, p.actual_start, p.actual_produce, p.actual_full_produce];
        let reached = stage.index().saturating_sub(1);
        for (m, d) in actual.iter().enumerate() {
            assert_eq!(d.is_some(), m < reached, "{} at {}: milestone {m}", p.name, p.stage.code());
        }
        let dates: Vec<Date> = actual.iter().flatten().copied().collect();
        assert!(dates.windows(2).all(|w| w[0] <= w[1]), "actual in order: {dates:?}");
        assert!(dates.iter().all(|d| *d <= TODAY));
        let planned: Vec<Date> =
            [p.planned_sign, p.planned_register, p.planned_land, p.planned_start, p.planned_produce]
                .iter()
                .flatten()
                .copied()
                .collect();
        assert!(planned.windows(2).all(|w| w[0] <= w[1]), "planned in order: {planned:?}");
        assert!((500 * FEN_PER_WAN..=300 * FEN_PER_YI).contains(&p.total_investment.fen()));
        assert!(p.fixed_investment.unwrap() <= p.total_investment);
        assert_eq!(
            p.health == crate::projects::stage::Health::Normal,
            p.health_reason.is_none(),
            "a reason exactly when not 正常"
        );
        assert!((1..=2).contains(&g.investors.len()) && g.investors.iter().all(|i| ids.contains(i)));
        if let Some(c) = &p.code {
            ProjectCode::parse(c).unwrap();
            assert!(codes.insert(c.clone()), "项目代码 unique");
        }
        let log: Vec<Date> = g.log.iter().map(|s| s.on).collect();
        assert!(log.windows(2).all(|w| w[0] <= w[1]), "stage log in order");
        assert_eq!(g.log.last().unwrap().to, stage);
        assert!(p.created_at <= p.updated_at);
    }
    for (stage, weight) in STAGES {
        let got = share(stages.get(stage.label()).copied().unwrap_or(0), projects.len());
        assert!((got - weight).abs() < 3.0, "{}: {got}% for {weight}%", stage.label());
    }
    let mut totals: Vec<i64> = projects.iter().map(|(g, _)| g.p.total_investment.fen()).collect();
    totals.sort();
    let median = totals[totals.len() / 2] as f64 / FEN_PER_YI as f64;
    assert!((1.0..3.0).contains(&median), "median total {median} 亿");
    let health_normal = share(
        projects.iter().filter(|(g, _)| g.p.health == crate::projects::stage::Health::Normal).count(),
        projects.len(),
    );
    assert!(health_normal > 80.0, "{health_normal}");
}

fn wan(fen: i64) -> String {
    format!("{}.{:06}", fen / FEN_PER_WAN, fen % FEN_PER_WAN)
}

#[test]
fn every_report_passes_the_checks_a_filing_would_face() {
    let (_, _, projects) = sample(2_000, 3_000);
    let last = YearMonth::of(TODAY).prev();
    let mut total = 0;
    for (g, reps) in &projects {
        let stage = g.p.stage;
        if stage < Stage::Started {
            assert!(reps.is_empty(), "no reports before 开工");
        } else if g.sim.exited_on.is_none() && YearMonth::of(g.p.actual_start.unwrap()) <= last {
            assert_eq!(reps.last().map(|r| r.month.clone()), Some(last.label()), "reports up to last month");
        }
        let mut previous: Option<(YearMonth, crate::domain::money::Money)> = None;
        for r in reps {
            let month = YearMonth::parse(&r.month).unwrap();
            assert!(month <= last && month >= YearMonth::of(date!(2024 - 05 - 01)), "within the 30 months");
            assert!(month >= YearMonth::of(g.p.actual_start.unwrap()));
            if let Some((pm, _)) = previous {
                assert_eq!(pm.next(), month, "one report a month, none missing");
            }
            let input = Input {
                month: r.month.clone(),
                invest_month: wan(r.invest_month),
                invest_cumulative: wan(r.invest_cumulative),
                jobs: r.jobs.to_string(),
                tax: wan(r.tax),
                output: wan(r.output),
                in_stats: if r.in_stats { "是" } else { "否" }.into(),
                ..Default::default()
            };
            let ctx = Context { today: TODAY, total_investment: g.p.total_investment, previous, following: None };
            check(&input, &ctx).unwrap_or_else(|e| panic!("{} {}: {e:?}", g.p.name, r.month));
            assert_eq!(r.late, is_late(month, r.filed_on));
            assert!(r.filed_on <= TODAY && r.filed_on >= month.next().first_day());
            previous = Some((month, crate::domain::money::Money(r.invest_cumulative)));
        }
        if let (Some(exit), Some(r)) = (g.sim.exited_on, reps.last()) {
            assert!(YearMonth::parse(&r.month).unwrap() <= YearMonth::of(exit), "no reports after exit");
        }
        total += reps.len();
    }
    let per_project = total as f64 / projects.len() as f64;
    assert!((15.0..30.0).contains(&per_project), "{per_project} reports per project: 1.5–3M for 100k");
    let late = share(projects.iter().flat_map(|(_, r)| r).filter(|r| r.late).count(), total);
    assert!((1.0..10.0).contains(&late), "a few late: {late}%");
}

#[test]
fn the_same_seed_generates_the_same_records() {
    let (_, a, pa) = sample(500, 300);
    let (_, b, pb) = sample(500, 300);
    let names = |e: &[Enterprise]| e.iter().map(|e| e.credit_code.clone() + &e.name).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    let totals = |p: &[(Generated, Vec<Report>)]| {
        p.iter().map(|(g, r)| (g.p.name.clone(), g.p.total_investment, r.len())).collect::<Vec<_>>()
    };
    assert_eq!(totals(&pa), totals(&pb));
}

//! Importing a 100 000-row projects file through the API (check, then commit) while sampling the
//! server's memory; and the statements such an import ends in, run directly.

use crate::setup::status_kb;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use zhaoshang::audit::{self, Actor, Change};
use zhaoshang::db::Db;
use zhaoshang::projects::store::{self as pstore, Project};

const INDUSTRIES: &[&str] = &["3841", "3976", "3431", "2720", "3670", "1469", "3985"];

pub struct Rows {
    pub names: Vec<String>,
    pub regions: Vec<String>,
    pub totals_wan: Vec<i64>,
    pub industries: Vec<&'static str>,
    pub investors: Vec<Option<String>>,
}

/// `n` new projects in the units under 长沙, a third with a registered investor.
pub async fn rows(db: &Db, n: usize, prefix: &str) -> Rows {
    let mut c = db.conn().await.unwrap();
    let units: Vec<String> = zhaoshang::q_scalar!(
        &mut c.ex(),
        fetch_all,
        String,
        "SELECT code FROM regions WHERE path LIKE '/43/4301/%' ORDER BY code"
    )
    .unwrap();
    let codes: Vec<String> = zhaoshang::q_scalar!(
        &mut c.ex(),
        fetch_all,
        String,
        "SELECT credit_code FROM enterprises WHERE region LIKE '4301%' ORDER BY credit_code LIMIT 2000"
    )
    .unwrap();
    Rows {
        names: (0..n).map(|k| format!("{prefix}{k:06}")).collect(),
        regions: (0..n).map(|k| units[k * 7 % units.len()].clone()).collect(),
        totals_wan: (0..n).map(|k| 5_000 + (k as i64 * 7919) % 200_000).collect(),
        industries: (0..n).map(|k| INDUSTRIES[k % INDUSTRIES.len()]).collect(),
        investors: (0..n).map(|k| (k % 3 == 0).then(|| codes[k % codes.len()].clone())).collect(),
    }
}

pub fn csv(r: &Rows) -> Vec<u8> {
    let mut out = String::from(
        "项目名称,所属地区代码,行业代码,总投资（万元）,固定资产投资（万元）,三产,产业项目,建设性质,资本来源,来源地区,招商方式,投资方信用代码,计划签约日期,计划开工日期,计划投产日期\n",
    );
    for k in 0..r.names.len() {
        let t = r.totals_wan[k];
        out += &format!(
            "{},{},{},{t},{},二产,是,新建,民资,省外、长三角,产业链招商,{},2027-01-15,2027-06-01,2028-06-30\n",
            r.names[k],
            r.regions[k],
            r.industries[k],
            t * 8 / 10,
            r.investors[k].as_deref().unwrap_or("")
        );
    }
    out.into_bytes()
}

pub struct ImportResult {
    pub check_s: f64,
    pub commit_s: f64,
    pub creates: i64,
    pub peak_rss_mb: f64,
    /// The anonymous part (heap) of the peak; the rest is file pages (SQLite's memory map).
    pub peak_anon_mb: f64,
    pub error: Option<String>,
}

/// Uploads the file (the check) and commits it over the API, sampling the server's RSS.
pub async fn http(base: &str, token: &str, pid: u32, file: Vec<u8>) -> ImportResult {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(3600)).build().unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(0));
    let anon = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (done, peak, anon) = (done.clone(), peak.clone(), anon.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(status_kb(pid, "VmRSS:").unwrap_or(0), Ordering::Relaxed);
                anon.fetch_max(status_kb(pid, "RssAnon:").unwrap_or(0), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let mut res =
        ImportResult { check_s: 0.0, commit_s: 0.0, creates: 0, peak_rss_mb: 0.0, peak_anon_mb: 0.0, error: None };
    let t = Instant::now();
    let up = client
        .post(format!("{base}/api/v1/imports?kind=projects&filename=bench.csv"))
        .bearer_auth(token)
        .body(file)
        .send()
        .await;
    res.check_s = t.elapsed().as_secs_f64();
    let job: serde_json::Value = match up {
        Ok(r) if r.status() == 201 => r.json().await.unwrap_or_default(),
        Ok(r) => {
            res.error = Some(format!("{}: {}", r.status(), r.text().await.unwrap_or_default()));
            serde_json::Value::Null
        }
        Err(e) => {
            res.error = Some(e.to_string());
            serde_json::Value::Null
        }
    };
    if job["error_count"].as_i64().unwrap_or(0) > 0 {
        res.error = Some(format!("{} errors: {}", job["error_count"], job["errors"]));
    }
    if let (None, Some(id)) = (&res.error, job["id"].as_str()) {
        let t = Instant::now();
        let r = client.post(format!("{base}/api/v1/imports/{id}/commit")).bearer_auth(token).send().await;
        res.commit_s = t.elapsed().as_secs_f64();
        match r {
            Ok(r) if r.status() == 200 => {
                let v: serde_json::Value = r.json().await.unwrap_or_default();
                res.creates = v["creates"].as_i64().unwrap_or(0);
            }
            Ok(r) => res.error = Some(format!("{}: {}", r.status(), r.text().await.unwrap_or_default())),
            Err(e) => res.error = Some(e.to_string()),
        }
    }
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    res.peak_rss_mb = peak.load(Ordering::Relaxed) as f64 / 1024.0;
    res.peak_anon_mb = anon.load(Ordering::Relaxed) as f64 / 1024.0;
    res
}

fn project(r: &Rows, k: usize) -> Project {
    let mut p = zhaoshang::projects::service::blank(time::OffsetDateTime::now_utc());
    p.name = r.names[k].clone();
    p.region = r.regions[k].clone();
    p.industry = Some(r.industries[k].into());
    p.total_investment = zhaoshang::domain::Money::from_wan(r.totals_wan[k]);
    p.fixed_investment = Some(zhaoshang::domain::Money(p.total_investment.fen() * 8 / 10));
    p
}

/// What the import's commit writes for each new row — the project, its first stage-log entry,
/// its investors and an audit record — as single statements in one transaction.
pub async fn bare_rows(db: &Db, r: &Rows) -> anyhow::Result<f64> {
    let t = Instant::now();
    let mut c = db.conn().await?;
    let mut investor_ids = Vec::new();
    for code in &r.investors {
        investor_ids.push(match code {
            Some(code) => zhaoshang::enterprises::store::by_credit_code(&mut c.ex(), code).await?.map(|e| e.e.id),
            None => None,
        });
    }
    drop(c);
    let mut tx = db.begin().await?;
    let actor = Actor::cli();
    for k in 0..r.names.len() {
        // A commit per 500 rows, as the import's chunks: on PostgreSQL, bumping the audit head
        // 100,000 times in one transaction walks an ever longer chain of the row's versions.
        if k > 0 && k % 500 == 0 {
            tx.commit().await?;
            tx = db.begin().await?;
        }
        let p = project(r, k);
        pstore::insert(&mut tx.ex(), &p).await?;
        pstore::log_stage(
            &mut tx.ex(),
            p.id,
            None,
            zhaoshang::projects::stage::Stage::Lead,
            p.created_at.date(),
            None,
            None,
            None,
            "bench",
        )
        .await?;
        pstore::set_investors(&mut tx.ex(), p.id, &investor_ids[k].into_iter().collect::<Vec<_>>()).await?;
        audit::record(
            &mut tx.ex(),
            &actor,
            Change {
                action: "project.create",
                entity: "project",
                entity_id: p.id.to_string(),
                region: Some(p.region.clone()),
                before: None,
                after: Some(serde_json::to_value(&p)?),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(t.elapsed().as_secs_f64())
}

/// The floor: the same projects through the bulk writer the demo loader uses.
pub async fn bare_bulk(db: &Db, r: &Rows) -> anyhow::Result<f64> {
    let t = Instant::now();
    let ps: Vec<Project> = (0..r.names.len()).map(|k| project(r, k)).collect();
    let mut tx = db.begin().await?;
    for chunk in ps.chunks(5_000) {
        zhaoshang::demo::bulk::insert(&mut tx.ex(), chunk).await?;
    }
    tx.commit().await?;
    Ok(t.elapsed().as_secs_f64())
}

//! Queries on visits, their participants and photos; the due list by cadence.

use super::model::{Participant, Tier};
use crate::db::Ex;
use crate::db::binds::{Bind, Binds, contains, fetch_all, fetch_count, in_subtrees};
use crate::{q_as, q_exec};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Visit {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub project_id: Option<Uuid>,
    pub region: String,
    pub visited_on: Date,
    pub mode: String,
    pub unit_region: String,
    pub unit_name: String,
    pub topics: String,
    pub expansion: Option<String>,
    pub exit_risk: String,
    pub exit_risk_note: Option<String>,
    pub problems: Option<String>,
    pub notes: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_by_name: String,
    pub is_demo: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Row {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub v: Visit,
    pub enterprise_name: String,
    pub region_name: String,
    pub region_path: String,
    pub project_name: Option<String>,
    pub unit_region_name: String,
}

impl Row {
    /// "长沙市 · 市工信局".
    pub fn unit_label(&self) -> String {
        format!("{} · {}", self.unit_region_name, self.v.unit_name)
    }
}

const COLS: &str = "v.id, v.enterprise_id, v.project_id, v.region, v.visited_on, v.mode, v.unit_region, v.unit_name,
    v.topics, v.expansion, v.exit_risk, v.exit_risk_note, v.problems, v.notes, v.created_by, v.created_by_name,
    v.is_demo, v.created_at, v.version";

fn select() -> String {
    format!(
        "SELECT {COLS}, e.name AS enterprise_name, g.name AS region_name, g.path AS region_path,
           p.name AS project_name, ug.name AS unit_region_name
         FROM visits v JOIN enterprises e ON e.id = v.enterprise_id JOIN regions g ON g.code = v.region
         JOIN regions ug ON ug.code = v.unit_region LEFT JOIN projects p ON p.id = v.project_id"
    )
}

pub async fn get(ex: &mut Ex<'_>, id: Uuid) -> Result<Option<Row>, sqlx::Error> {
    let sql = format!("{} WHERE v.id = $1", select());
    q_as!(ex, fetch_optional, Row, sqlx::AssertSqlSafe(sql.as_str()), id)
}

pub async fn insert(ex: &mut Ex<'_>, v: &Visit, participants: &[Participant]) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO visits (id, enterprise_id, project_id, region, visited_on, mode, unit_region, unit_name, topics,
           expansion, exit_risk, exit_risk_note, problems, notes, created_by, created_by_name, is_demo, created_at,
           version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        v.id,
        v.enterprise_id,
        v.project_id,
        &v.region,
        v.visited_on,
        &v.mode,
        &v.unit_region,
        &v.unit_name,
        &v.topics,
        &v.expansion,
        &v.exit_risk,
        &v.exit_risk_note,
        &v.problems,
        &v.notes,
        v.created_by,
        &v.created_by_name,
        v.is_demo,
        v.created_at,
        v.version
    )?;
    for (i, p) in participants.iter().enumerate() {
        q_exec!(
            ex,
            "INSERT INTO visit_participants (visit_id, seq, name, unit) VALUES ($1, $2, $3, $4)",
            v.id,
            i as i64 + 1,
            &p.name,
            &p.unit
        )?;
    }
    Ok(())
}

pub async fn participants(ex: &mut Ex<'_>, visit: Uuid) -> Result<Vec<Participant>, sqlx::Error> {
    let rows: Vec<(String, String)> = q_as!(
        ex,
        fetch_all,
        (String, String),
        "SELECT name, unit FROM visit_participants WHERE visit_id = $1 ORDER BY seq",
        visit
    )?;
    Ok(rows.into_iter().map(|(name, unit)| Participant { name, unit }).collect())
}

/// Visits of an enterprise since `since` by units other than (`unit_region`, `unit_name`).
pub async fn recent_by_others(
    ex: &mut Ex<'_>,
    enterprise: Uuid,
    since: Date,
    unit_region: &str,
    unit_name: &str,
) -> Result<Vec<Row>, sqlx::Error> {
    let sql = format!(
        "{} WHERE v.enterprise_id = $1 AND v.visited_on >= $2 AND NOT (v.unit_region = $3 AND v.unit_name = $4)
         ORDER BY v.visited_on DESC",
        select()
    );
    q_as!(ex, fetch_all, Row, sqlx::AssertSqlSafe(sql.as_str()), enterprise, since, unit_region, unit_name)
}

/// Visit list filters.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Filter {
    pub q: Option<String>,
    pub region: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub risk: Option<String>,
    pub enterprise: Option<String>,
    pub page: Option<i64>,
}

pub const PAGE_SIZE: i64 = 50;

/// A page of visits within `paths` (region prefixes), newest first, and the total.
#[allow(clippy::too_many_arguments)]
pub async fn page(
    ex: &mut Ex<'_>,
    paths: &[String],
    region_path: Option<&str>,
    q: Option<&str>,
    from: Option<Date>,
    to: Option<Date>,
    risk: Option<&str>,
    enterprise: Option<Uuid>,
    page: i64,
) -> Result<(Vec<Row>, i64), sqlx::Error> {
    let mut b = Binds::default();
    let mut w = vec![in_subtrees("g.path", paths, &mut b)];
    if let Some(p) = region_path {
        w.push(format!("g.path LIKE {}", b.text(format!("{p}%"))));
    }
    if let Some(q) = q {
        let n = b.text(crate::db::binds::contains(q));
        w.push(format!("(e.name LIKE {n} OR v.topics LIKE {n} OR v.unit_name LIKE {n})"));
    }
    if let Some(d) = from {
        w.push(format!("v.visited_on >= {}", b.push(Bind::Date(d))));
    }
    if let Some(d) = to {
        w.push(format!("v.visited_on <= {}", b.push(Bind::Date(d))));
    }
    if let Some(r) = risk {
        w.push(format!("v.exit_risk = {}", b.text(r)));
    }
    if let Some(e) = enterprise {
        w.push(format!("v.enterprise_id = {}", b.push(Bind::Uuid(e))));
    }
    let w = w.join(" AND ");
    let offset = crate::db::offset(Some(page), PAGE_SIZE);
    let list = format!(
        "{} WHERE {w} ORDER BY v.visited_on DESC, v.created_at DESC LIMIT {PAGE_SIZE} OFFSET {offset}",
        select()
    );
    let count = format!(
        "SELECT count(*) FROM visits v JOIN enterprises e ON e.id = v.enterprise_id JOIN regions g ON g.code = v.region WHERE {w}"
    );
    Ok((fetch_all(ex, &list, &b).await?, fetch_count(ex, &count, &b).await?))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PhotoMeta {
    pub id: Uuid,
    pub visit_id: Uuid,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
}

pub async fn insert_photo(ex: &mut Ex<'_>, m: &PhotoMeta, data: &[u8]) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO visit_photos (id, visit_id, filename, content_type, size, sha256, data, uploaded_by, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        m.id,
        m.visit_id,
        &m.filename,
        &m.content_type,
        m.size,
        &m.sha256,
        data,
        &m.uploaded_by,
        m.uploaded_at
    )?;
    Ok(())
}

pub async fn photos(ex: &mut Ex<'_>, visit: Uuid) -> Result<Vec<PhotoMeta>, sqlx::Error> {
    q_as!(
        ex,
        fetch_all,
        PhotoMeta,
        "SELECT id, visit_id, filename, content_type, size, sha256, uploaded_by, uploaded_at FROM visit_photos
         WHERE visit_id = $1 ORDER BY uploaded_at",
        visit
    )
}

pub async fn photo_data(ex: &mut Ex<'_>, id: Uuid) -> Result<Option<(PhotoMeta, Vec<u8>)>, sqlx::Error> {
    let meta: Option<PhotoMeta> = q_as!(
        ex,
        fetch_optional,
        PhotoMeta,
        "SELECT id, visit_id, filename, content_type, size, sha256, uploaded_by, uploaded_at FROM visit_photos
         WHERE id = $1",
        id
    )?;
    let Some(meta) = meta else { return Ok(None) };
    let data: Vec<u8> = crate::q_scalar!(ex, fetch_one, Vec<u8>, "SELECT data FROM visit_photos WHERE id = $1", id)?;
    Ok(Some((meta, data)))
}

/// An enterprise against its cadence: tier, last visit, specialist.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DueRow {
    pub id: Uuid,
    pub name: String,
    pub region: String,
    pub region_name: String,
    pub tier: String,
    pub last_on: Option<Date>,
    pub specialist: Option<String>,
}

impl DueRow {
    pub fn tier(&self) -> Tier {
        Tier::parse(&self.tier).unwrap_or(Tier::Other)
    }
}

/// Enterprises within `paths` whose next visit is due on or before `horizon` (never visited, or last
/// visited before `horizon - cadence`), never-visited and longest-waiting first.
pub async fn due(
    ex: &mut Ex<'_>,
    paths: &[String],
    region_path: Option<&str>,
    cadence: &super::model::Cadence,
    horizon: Date,
    only_tier: Option<Tier>,
    page: i64,
) -> Result<(Vec<DueRow>, i64), sqlx::Error> {
    let mut b = Binds::default();
    let mut w = vec![in_subtrees("g.path", paths, &mut b)];
    if let Some(p) = region_path {
        w.push(format!("g.path LIKE {}", b.text(format!("{p}%"))));
    }
    let mut due = Vec::new();
    for t in Tier::ALL {
        if only_tier.is_some_and(|o| o != t) {
            continue;
        }
        let before = horizon - time::Duration::days(cadence.days(t));
        let d = b.push(Bind::Date(before));
        due.push(format!("(x.tier = '{}' AND (x.last_on IS NULL OR x.last_on < {d}))", t.code()));
    }
    let inner = format!(
        "SELECT e.id, e.name, e.region, g.name AS region_name, {} AS tier,
           (SELECT max(v.visited_on) FROM visits v WHERE v.enterprise_id = e.id) AS last_on,
           (SELECT u.display_name FROM specialist_assignments a JOIN users u ON u.id = a.specialist_id
              WHERE a.target_kind = 'enterprise' AND a.target_id = e.id AND a.ended_at IS NULL) AS specialist
         FROM enterprises e JOIN regions g ON g.code = e.region WHERE {}",
        Tier::sql(),
        w.join(" AND ")
    );
    let cond = format!("({})", due.join(" OR "));
    let offset = crate::db::offset(Some(page), PAGE_SIZE);
    let list = format!(
        "SELECT * FROM ({inner}) x WHERE {cond}
         ORDER BY CASE WHEN x.last_on IS NULL THEN 0 ELSE 1 END, x.tier, x.last_on, x.name LIMIT {PAGE_SIZE} OFFSET {offset}"
    );
    let count = format!("SELECT count(*) FROM ({inner}) x WHERE {cond}");
    Ok((fetch_all(ex, &list, &b).await?, fetch_count(ex, &count, &b).await?))
}

/// Enterprises within `paths` to pick for a visit: matching `q` (search key, name or 统一社会信用代码),
/// or with `q` blank those `me` currently serves — (id, name, region name).
pub async fn picks(
    ex: &mut Ex<'_>,
    paths: &[String],
    me: Uuid,
    q: &str,
) -> Result<Vec<(Uuid, String, String)>, sqlx::Error> {
    let mut b = Binds::default();
    let scope = in_subtrees("g.path", paths, &mut b);
    let sql = if q.trim().is_empty() {
        let me = b.push(Bind::Uuid(me));
        format!(
            "SELECT e.id, e.name, g.name FROM enterprises e JOIN regions g ON g.code = e.region
             JOIN specialist_assignments a ON a.target_kind = 'enterprise' AND a.target_id = e.id AND a.ended_at IS NULL
             WHERE {scope} AND a.specialist_id = {me} ORDER BY e.name LIMIT 50"
        )
    } else {
        let like = b.text(contains(&q.to_lowercase()));
        let code = b.text(q.trim().to_uppercase());
        format!(
            "SELECT e.id, e.name, g.name FROM enterprises e JOIN regions g ON g.code = e.region
             WHERE {scope} AND (e.search_key LIKE {like} OR e.name LIKE {like} OR e.credit_code = {code})
             ORDER BY e.name LIMIT 30"
        )
    };
    fetch_all(ex, &sql, &b).await
}

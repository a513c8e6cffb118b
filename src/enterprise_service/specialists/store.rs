//! Queries on `specialist_assignments`: the current specialist and the history of a record, who may
//! be assigned, the loads and the coverage lists. Each takes an executor.

use super::model::{KEY_PROJECT_FEN, Kind};
use crate::accounts::model::Role;
use crate::db::Ex;
use crate::db::binds::{Bind, Binds, fetch_all, in_subtrees};
use crate::enterprise_service::visits::model::Tier;
use crate::{q_as, q_exec};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Assignment {
    pub id: Uuid,
    pub target_kind: String,
    pub target_id: Uuid,
    pub specialist_id: Uuid,
    pub specialist_name: String,
    pub specialist_username: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    pub assigned_by: String,
    pub note: Option<String>,
}

const SELECT: &str = "SELECT a.id, a.target_kind, a.target_id, a.specialist_id, u.display_name AS specialist_name,
    u.username AS specialist_username, a.started_at, a.ended_at, a.assigned_by, a.note
    FROM specialist_assignments a JOIN users u ON u.id = a.specialist_id";

/// The current specialist and the earlier ones, newest first.
pub async fn history(ex: &mut Ex<'_>, kind: Kind, target: Uuid) -> Result<Vec<Assignment>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE a.target_kind = $1 AND a.target_id = $2 ORDER BY a.started_at DESC, a.id DESC");
    q_as!(ex, fetch_all, Assignment, sqlx::AssertSqlSafe(sql.as_str()), kind.code(), target)
}

pub async fn current(ex: &mut Ex<'_>, kind: Kind, target: Uuid) -> Result<Option<Assignment>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE a.target_kind = $1 AND a.target_id = $2 AND a.ended_at IS NULL");
    q_as!(ex, fetch_optional, Assignment, sqlx::AssertSqlSafe(sql.as_str()), kind.code(), target)
}

/// A user who can serve the record: holds the 服务专员 role with a scope covering it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Candidate {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub department: Option<String>,
    pub scope_path: String,
}

/// Specialists whose grant covers the region at `region_path`.
pub async fn candidates(ex: &mut Ex<'_>, region_path: &str) -> Result<Vec<Candidate>, sqlx::Error> {
    let all: Vec<Candidate> = q_as!(
        ex,
        fetch_all,
        Candidate,
        "SELECT u.id, u.username, u.display_name, u.department, g.path AS scope_path
         FROM users u JOIN grants gr ON gr.user_id = u.id JOIN regions g ON g.code = gr.scope
         WHERE gr.role = $1 AND NOT u.disabled AND $2 LIKE (g.path || '%') ORDER BY u.username",
        Role::ServiceSpecialist.code(),
        region_path
    )?;
    let mut out: Vec<Candidate> = Vec::new();
    for c in all {
        if !out.iter().any(|o| o.id == c.id) {
            out.push(c);
        }
    }
    Ok(out)
}

/// Inserts a current assignment, ending the one before; both in the caller's transaction.
pub async fn put(
    ex: &mut Ex<'_>,
    kind: Kind,
    target: Uuid,
    specialist: Uuid,
    by: &str,
    note: Option<&str>,
    at: OffsetDateTime,
    is_demo: bool,
) -> Result<Uuid, sqlx::Error> {
    q_exec!(
        ex,
        "UPDATE specialist_assignments SET ended_at = $1 WHERE target_kind = $2 AND target_id = $3 AND ended_at IS NULL",
        at,
        kind.code(),
        target
    )?;
    let id = Uuid::now_v7();
    q_exec!(
        ex,
        "INSERT INTO specialist_assignments (id, target_kind, target_id, specialist_id, started_at, ended_at,
           assigned_by, note, is_demo) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8)",
        id,
        kind.code(),
        target,
        specialist,
        at,
        by,
        note,
        is_demo
    )?;
    if kind == Kind::Project {
        // The project row carries its specialist too; bumping its version makes a concurrent edit of the
        // project (which would write the old specialist back) fail with a conflict instead.
        q_exec!(
            ex,
            "UPDATE projects SET specialist_id = $1, version = version + 1, updated_at = $2 WHERE id = $3",
            specialist,
            at,
            target
        )?;
    }
    Ok(id)
}

/// The record's owning region (code, path) and name, if it exists.
pub async fn target(ex: &mut Ex<'_>, kind: Kind, id: Uuid) -> Result<Option<(String, String, String)>, sqlx::Error> {
    let sql = match kind {
        Kind::Enterprise => {
            "SELECT t.region, g.path, t.name FROM enterprises t JOIN regions g ON g.code = t.region WHERE t.id = $1"
        }
        Kind::Project => {
            "SELECT t.region, g.path, t.name FROM projects t JOIN regions g ON g.code = t.region WHERE t.id = $1"
        }
    };
    q_as!(ex, fetch_optional, (String, String, String), sql, id)
}

/// A specialist's load: records served, visits in the last 90 days, open appeals raised.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Workload {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub department: Option<String>,
    pub enterprises: i64,
    pub projects: i64,
    pub visits_90: i64,
    pub open_appeals: i64,
}

/// Specialists whose unit lies within `scope_path`, with their loads.
pub async fn workloads(ex: &mut Ex<'_>, scope_path: &str, since: time::Date) -> Result<Vec<Workload>, sqlx::Error> {
    q_as!(
        ex,
        fetch_all,
        Workload,
        "SELECT u.id, u.username, u.display_name, u.department,
           (SELECT count(*) FROM specialist_assignments a WHERE a.specialist_id = u.id AND a.ended_at IS NULL
              AND a.target_kind = 'enterprise') AS enterprises,
           (SELECT count(*) FROM specialist_assignments a WHERE a.specialist_id = u.id AND a.ended_at IS NULL
              AND a.target_kind = 'project') AS projects,
           (SELECT count(*) FROM visits v WHERE v.created_by = u.id AND v.visited_on >= $2) AS visits_90,
           (SELECT count(*) FROM appeals p WHERE p.created_by = u.id AND p.state NOT IN ('resolved', 'evaluated')) AS open_appeals
         FROM users u JOIN regions g ON g.code = u.region
         WHERE g.path LIKE $1 AND NOT u.disabled
           AND EXISTS (SELECT 1 FROM grants gr WHERE gr.user_id = u.id AND gr.role = 'service_specialist')
         ORDER BY u.username",
        format!("{scope_path}%"),
        since
    )
}

/// A record on a coverage list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Covered {
    pub id: Uuid,
    pub name: String,
    pub region_name: String,
    /// Tier (enterprises) or stage (projects).
    pub kind: String,
    pub specialist: Option<String>,
}

impl Covered {
    /// The stage's name, for a project on the list.
    pub fn stage_label(&self) -> &'static str {
        crate::projects::stage::Stage::parse_code(&self.kind).map_or("未知阶段", |s| s.label())
    }
}

/// Key enterprises (tier 重点) with no current specialist, or — with `mine` — the ones `mine` serves.
pub async fn enterprises(
    ex: &mut Ex<'_>,
    paths: &[String],
    mine: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Covered>, sqlx::Error> {
    let mut b = Binds::default();
    let scope = in_subtrees("g.path", paths, &mut b);
    let who = "(SELECT u.display_name FROM specialist_assignments a JOIN users u ON u.id = a.specialist_id
        WHERE a.target_kind = 'enterprise' AND a.target_id = e.id AND a.ended_at IS NULL)";
    let cond = match mine {
        Some(me) => format!(
            "EXISTS (SELECT 1 FROM specialist_assignments a WHERE a.target_kind = 'enterprise' AND a.target_id = e.id
               AND a.ended_at IS NULL AND a.specialist_id = {})",
            b.push(Bind::Uuid(me))
        ),
        None => format!("{} = 'key' AND {who} IS NULL", Tier::sql()),
    };
    let sql = format!(
        "SELECT e.id, e.name, g.name AS region_name, {} AS kind, {who} AS specialist
         FROM enterprises e JOIN regions g ON g.code = e.region WHERE {scope} AND {cond} ORDER BY g.path, e.name LIMIT {limit}",
        Tier::sql()
    );
    fetch_all(ex, &sql, &b).await
}

/// Key projects with no current specialist, or — with `mine` — the ones `mine` serves.
pub async fn projects(
    ex: &mut Ex<'_>,
    paths: &[String],
    mine: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Covered>, sqlx::Error> {
    let mut b = Binds::default();
    let scope = in_subtrees("g.path", paths, &mut b);
    let cond = match mine {
        Some(me) => format!("t.specialist_id = {}", b.push(Bind::Uuid(me))),
        None => format!(
            "t.specialist_id IS NULL AND (t.tags <> 0 OR t.total_investment >= {}) AND t.health <> 'exited'",
            b.push(Bind::Int(KEY_PROJECT_FEN))
        ),
    };
    let sql = format!(
        "SELECT t.id, t.name, g.name AS region_name, t.stage AS kind, u.display_name AS specialist
         FROM projects t JOIN regions g ON g.code = t.region LEFT JOIN users u ON u.id = t.specialist_id
         WHERE {scope} AND {cond} ORDER BY t.total_investment DESC, t.name LIMIT {limit}"
    );
    fetch_all(ex, &sql, &b).await
}

/// How many records of `kind` the user currently serves.
pub async fn serving(ex: &mut Ex<'_>, user: Uuid, kind: Kind) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "SELECT count(*) FROM specialist_assignments WHERE specialist_id = $1 AND ended_at IS NULL AND target_kind = '{}'",
        kind.code()
    );
    crate::q_scalar!(ex, fetch_one, i64, sqlx::AssertSqlSafe(sql.as_str()), user)
}

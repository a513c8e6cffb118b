//! Queries on appeals, their events, and the facts the figures are computed from.

use super::model::State;
use crate::db::Ex;
use crate::db::binds::{Bind, Binds, fetch_all, fetch_count};
use crate::{q_as, q_exec};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Appeal {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub detail: String,
    pub category: String,
    pub tier: String,
    pub tier_days: i64,
    pub source: String,
    pub visit_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub enterprise_id: Option<Uuid>,
    pub region: String,
    pub level: String,
    pub department_id: Option<Uuid>,
    pub state: String,
    pub contact: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    pub due_on: Date,
    #[serde(with = "time::serde::rfc3339::option")]
    pub dispatched_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub accepted_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
    pub answer: Option<String>,
    pub satisfaction: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub evaluated_at: Option<OffsetDateTime>,
    pub evaluation_note: Option<String>,
    pub reopen_count: i64,
    pub return_reason: Option<String>,
    pub extension_days: Option<i64>,
    pub extension_reason: Option<String>,
    pub extended: bool,
    pub supervision: Option<String>,
    pub supervisor_id: Option<Uuid>,
    pub supervisor_name: Option<String>,
    pub escalations: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub escalated_at: Option<OffsetDateTime>,
    pub auto_escalated_due: Option<Date>,
    pub created_by: Option<Uuid>,
    pub created_by_name: String,
    pub is_demo: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

pub const COLS: &str = "a.id, a.number, a.title, a.detail, a.category, a.tier, a.tier_days, a.source, a.visit_id,
    a.project_id, a.enterprise_id, a.region, a.level, a.department_id, a.state, a.contact, a.received_at, a.due_on,
    a.dispatched_at, a.accepted_at, a.resolved_at, a.answer, a.satisfaction, a.evaluated_at, a.evaluation_note,
    a.reopen_count, a.return_reason, a.extension_days, a.extension_reason, a.extended, a.supervision,
    a.supervisor_id, a.supervisor_name, a.escalations, a.escalated_at, a.auto_escalated_due, a.created_by,
    a.created_by_name, a.is_demo, a.created_at, a.updated_at, a.version";

/// An appeal with the names a page shows beside it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Row {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub a: Appeal,
    pub region_name: String,
    pub region_path: String,
    pub category_name: String,
    pub tier_name: String,
    pub enterprise_name: Option<String>,
    pub project_name: Option<String>,
    pub department_name: Option<String>,
    pub department_region_name: Option<String>,
}

impl Row {
    pub fn state(&self) -> State {
        State::parse(&self.a.state).unwrap_or(State::Pending)
    }
    pub fn department_label(&self) -> String {
        match (&self.department_region_name, &self.department_name) {
            (Some(r), Some(d)) => format!("{r} · {d}"),
            _ => "—".into(),
        }
    }
    /// "企业名" or "项目名" or both, for lists.
    pub fn subject(&self) -> String {
        match (&self.enterprise_name, &self.project_name) {
            (Some(e), Some(p)) => format!("{e}（{p}）"),
            (Some(e), None) => e.clone(),
            (None, Some(p)) => p.clone(),
            (None, None) => "—".into(),
        }
    }
}

pub fn select() -> String {
    format!(
        "SELECT {COLS}, g.name AS region_name, g.path AS region_path, c.name AS category_name, t.name AS tier_name,
           e.name AS enterprise_name, p.name AS project_name, d.name AS department_name,
           dg.name AS department_region_name
         FROM appeals a JOIN regions g ON g.code = a.region
         JOIN appeal_categories c ON c.code = a.category JOIN appeal_tiers t ON t.code = a.tier
         LEFT JOIN enterprises e ON e.id = a.enterprise_id LEFT JOIN projects p ON p.id = a.project_id
         LEFT JOIN departments d ON d.id = a.department_id LEFT JOIN regions dg ON dg.code = d.region"
    )
}

pub async fn get(ex: &mut Ex<'_>, id: Uuid) -> Result<Option<Row>, sqlx::Error> {
    let sql = format!("{} WHERE a.id = $1", select());
    q_as!(ex, fetch_optional, Row, sqlx::AssertSqlSafe(sql.as_str()), id)
}

/// Binds every column of an appeal in `COLS` order.
macro_rules! bind_appeal {
    ($q:expr, $a:expr) => {
        $q.bind($a.id)
            .bind(&$a.number)
            .bind(&$a.title)
            .bind(&$a.detail)
            .bind(&$a.category)
            .bind(&$a.tier)
            .bind($a.tier_days)
            .bind(&$a.source)
            .bind($a.visit_id)
            .bind($a.project_id)
            .bind($a.enterprise_id)
            .bind(&$a.region)
            .bind(&$a.level)
            .bind($a.department_id)
            .bind(&$a.state)
            .bind(&$a.contact)
            .bind($a.received_at)
            .bind($a.due_on)
            .bind($a.dispatched_at)
            .bind($a.accepted_at)
            .bind($a.resolved_at)
            .bind(&$a.answer)
            .bind(&$a.satisfaction)
            .bind($a.evaluated_at)
            .bind(&$a.evaluation_note)
            .bind($a.reopen_count)
            .bind(&$a.return_reason)
            .bind($a.extension_days)
            .bind(&$a.extension_reason)
            .bind($a.extended)
            .bind(&$a.supervision)
            .bind($a.supervisor_id)
            .bind(&$a.supervisor_name)
            .bind($a.escalations)
            .bind($a.escalated_at)
            .bind($a.auto_escalated_due)
            .bind($a.created_by)
            .bind(&$a.created_by_name)
            .bind($a.is_demo)
            .bind($a.created_at)
            .bind($a.updated_at)
            .bind($a.version)
    };
}

const N_COLS: usize = 42;

fn column_names() -> Vec<&'static str> {
    COLS.split(',').map(|c| c.trim().trim_start_matches("a.")).collect()
}

pub async fn insert(ex: &mut Ex<'_>, a: &Appeal) -> Result<(), sqlx::Error> {
    let cols = column_names();
    debug_assert_eq!(cols.len(), N_COLS);
    let marks: Vec<String> = (1..=N_COLS).map(|i| format!("${i}")).collect();
    let sql = format!("INSERT INTO appeals ({}) VALUES ({})", cols.join(", "), marks.join(", "));
    match ex {
        Ex::Sqlite(c) => {
            bind_appeal!(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), a).execute(&mut **c).await?.rows_affected()
        }
        Ex::Postgres(c) => {
            bind_appeal!(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), a).execute(&mut **c).await?.rows_affected()
        }
    };
    Ok(())
}

/// Writes every column if the row is still at `a.version - 1`; false when someone else saved first.
pub async fn update(ex: &mut Ex<'_>, a: &Appeal) -> Result<bool, sqlx::Error> {
    let sets: Vec<String> =
        column_names().iter().enumerate().skip(1).map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    let sql = format!("UPDATE appeals SET {} WHERE id = $1 AND version = ${}", sets.join(", "), N_COLS + 1);
    let n = match ex {
        Ex::Sqlite(c) => bind_appeal!(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), a)
            .bind(a.version - 1)
            .execute(&mut **c)
            .await?
            .rows_affected(),
        Ex::Postgres(c) => bind_appeal!(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), a)
            .bind(a.version - 1)
            .execute(&mut **c)
            .await?
            .rows_affected(),
    };
    Ok(n == 1)
}

/// The next appeal number of a year: "SQ2026-000123". The counter row's lock serialises numbering.
pub async fn next_number(ex: &mut Ex<'_>, year: i32) -> Result<String, sqlx::Error> {
    let name = format!("appeal.{year}");
    let n: i64 = crate::q_scalar!(
        ex,
        fetch_one,
        i64,
        "INSERT INTO service_counters (name, value) VALUES ($1, 1)
         ON CONFLICT (name) DO UPDATE SET value = service_counters.value + 1 RETURNING value",
        &name
    )?;
    Ok(format!("SQ{year}-{n:06}"))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Event {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_name: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub note: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub async fn log(
    ex: &mut Ex<'_>,
    appeal: Uuid,
    at: OffsetDateTime,
    actor: &str,
    action: &str,
    from: Option<&str>,
    to: &str,
    note: Option<&str>,
) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO appeal_events (id, appeal_id, at, actor_name, action, from_state, to_state, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        Uuid::now_v7(),
        appeal,
        at,
        actor,
        action,
        from,
        to,
        note
    )?;
    Ok(())
}

pub async fn events(ex: &mut Ex<'_>, appeal: Uuid) -> Result<Vec<Event>, sqlx::Error> {
    q_as!(
        ex,
        fetch_all,
        Event,
        "SELECT id, at, actor_name, action, from_state, to_state, note FROM appeal_events
         WHERE appeal_id = $1 ORDER BY at, id",
        appeal
    )
}

/// Which record a list of appeals belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Of {
    Enterprise(Uuid),
    Project(Uuid),
    Visit(Uuid),
}

/// The appeals raised for an enterprise or a project (newest first, the last 100), or at a visit
/// (in the order received).
pub async fn of_record(ex: &mut Ex<'_>, of: Of) -> Result<Vec<Row>, sqlx::Error> {
    let (cond, order, id) = match of {
        Of::Enterprise(id) => ("a.enterprise_id = $1", "ORDER BY a.received_at DESC LIMIT 100", id),
        Of::Project(id) => ("a.project_id = $1", "ORDER BY a.received_at DESC LIMIT 100", id),
        Of::Visit(id) => ("a.visit_id = $1", "ORDER BY a.received_at", id),
    };
    let sql = format!("{} WHERE {cond} {order}", select());
    q_as!(ex, fetch_all, Row, sqlx::AssertSqlSafe(sql.as_str()), id)
}

/// The ids of the appeals raised at a visit (the API's visit detail lists them).
pub async fn ids_of_visit(ex: &mut Ex<'_>, visit: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    crate::q_scalar!(ex, fetch_all, Uuid, "SELECT id FROM appeals WHERE visit_id = $1", visit)
}

/// Leaders and service specialists whose grant is on the region `code` (told of an escalation to it).
pub async fn coordinators(ex: &mut Ex<'_>, code: &str) -> Result<Vec<Uuid>, sqlx::Error> {
    crate::q_scalar!(
        ex,
        fetch_all,
        Uuid,
        "SELECT DISTINCT u.id FROM users u JOIN grants gr ON gr.user_id = u.id
         WHERE gr.scope = $1 AND gr.role IN ('leader', 'service_specialist') AND NOT u.disabled",
        code
    )
}

/// Leaders whose scope covers the region at `region_path`: (id, username, name).
pub async fn leaders(ex: &mut Ex<'_>, region_path: &str) -> Result<Vec<(Uuid, String, String)>, sqlx::Error> {
    q_as!(
        ex,
        fetch_all,
        (Uuid, String, String),
        "SELECT DISTINCT u.id, u.username, u.display_name FROM users u JOIN grants gr ON gr.user_id = u.id
         JOIN regions g ON g.code = gr.scope
         WHERE gr.role = 'leader' AND NOT u.disabled AND $1 LIKE (g.path || '%') ORDER BY u.username",
        region_path
    )
}

// The sweep's queries: open appeals by due date, and remembering which due date a pass saw to.
const OPEN: &str = "a.state NOT IN ('resolved', 'evaluated')";

async fn open_rows(ex: &mut Ex<'_>, cond: &str, b: &Binds) -> Result<Vec<Row>, sqlx::Error> {
    let sql = format!("{} WHERE {OPEN} AND {cond} ORDER BY a.due_on", select());
    fetch_all(ex, &sql, b).await
}

/// Open appeals past their due date (before `today`) that no sweep has seen to for that due date.
pub async fn overdue_unseen(ex: &mut Ex<'_>, today: Date) -> Result<Vec<Row>, sqlx::Error> {
    let mut b = Binds::default();
    let cond = format!(
        "a.due_on < {} AND (a.auto_escalated_due IS NULL OR a.auto_escalated_due <> a.due_on)",
        b.push(Bind::Date(today))
    );
    open_rows(ex, &cond, &b).await
}

/// Open appeals due from `from` to `to`, both included.
pub async fn open_due_between(ex: &mut Ex<'_>, from: Date, to: Date) -> Result<Vec<Row>, sqlx::Error> {
    let mut b = Binds::default();
    let cond = format!("a.due_on >= {} AND a.due_on <= {}", b.push(Bind::Date(from)), b.push(Bind::Date(to)));
    open_rows(ex, &cond, &b).await
}

/// Remembers that a sweep saw to the appeal's current due date `due_on`; 0 when another pass did first
/// (or the due date moved meanwhile).
pub async fn mark_due_seen(ex: &mut Ex<'_>, id: Uuid, due_on: Date) -> Result<u64, sqlx::Error> {
    q_exec!(
        ex,
        "UPDATE appeals SET auto_escalated_due = due_on WHERE id = $1 AND due_on = $2
           AND (auto_escalated_due IS NULL OR auto_escalated_due <> due_on)",
        id,
        due_on
    )
}

/// How many open appeals are past their due date.
pub async fn count_overdue(ex: &mut Ex<'_>, today: Date) -> Result<i64, sqlx::Error> {
    let mut b = Binds::default();
    let count = format!("SELECT count(*) FROM appeals a WHERE {OPEN} AND a.due_on < {}", b.push(Bind::Date(today)));
    fetch_count(ex, &count, &b).await
}

pub use super::list::{Checked, FactRow, Filter, ORDER, PAGE_SIZE, Reach, facts, page, some, where_sql};

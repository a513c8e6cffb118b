//! Which appeals a user reaches, the list filters, and the facts the figures are computed from.

use super::model::{Satisfaction, State};
use super::store::{Row, select};
use crate::db::Ex;
use crate::db::binds::{Bind, Binds, fetch_all, fetch_count};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Who may see which appeals: regions (by path prefix) and/or one department's.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    pub paths: Vec<String>,
    pub department: Option<Uuid>,
}

impl Reach {
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.department.is_none()
    }
    /// The SQL condition (over `g` = the appeal's region, `a` = the appeal), its binds added to `b`.
    pub fn sql(&self, b: &mut Binds) -> String {
        let mut parts = Vec::new();
        for p in &self.paths {
            parts.push(format!("g.path LIKE {}", b.text(format!("{p}%"))));
        }
        if let Some(d) = self.department {
            parts.push(format!("a.department_id = {}", b.push(Bind::Uuid(d))));
        }
        if parts.is_empty() { "1 = 0".into() } else { format!("({})", parts.join(" OR ")) }
    }
}

/// List filters, from the URL or the API's query string.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Filter {
    pub q: Option<String>,
    pub state: Option<String>,
    pub category: Option<String>,
    pub region: Option<String>,
    pub department: Option<String>,
    pub level: Option<String>,
    /// "overdue", "due_soon", "open", "escalated", "supervised"
    pub flag: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub enterprise: Option<String>,
    pub mine: Option<String>,
    pub page: Option<i64>,
}

pub const PAGE_SIZE: i64 = 50;

pub fn some(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A filter checked by the caller: ids and dates parsed, the region resolved and in scope.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub region_path: Option<String>,
    pub department: Option<Uuid>,
    pub enterprise: Option<Uuid>,
    pub states: Vec<State>,
    pub level: Option<super::model::Level>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
    pub created_by: Option<Uuid>,
    pub today: Option<Date>,
    pub soon: Option<Date>,
    /// Most recently changed first, instead of by due date.
    pub newest_first: bool,
}

/// The WHERE clause over `select()` for a filter; its binds in `b`.
pub fn where_sql(reach: &Reach, f: &Filter, c: &Checked, b: &mut Binds) -> String {
    let mut w = vec![reach.sql(b)];
    if let Some(q) = some(&f.q) {
        let n = b.text(crate::db::binds::contains(q));
        w.push(format!("(a.title LIKE {n} OR a.number LIKE {n} OR e.name LIKE {n} OR p.name LIKE {n})"));
    }
    if !c.states.is_empty() {
        let list: Vec<String> = c.states.iter().map(|s| format!("'{}'", s.code())).collect();
        w.push(format!("a.state IN ({})", list.join(", ")));
    }
    if let Some(cat) = some(&f.category) {
        let n = b.text(cat);
        w.push(format!("(a.category = {n} OR c.name = {n})"));
    }
    if let Some(p) = &c.region_path {
        w.push(format!("g.path LIKE {}", b.text(format!("{p}%"))));
    }
    if let Some(d) = c.department {
        w.push(format!("a.department_id = {}", b.push(Bind::Uuid(d))));
    }
    if let Some(l) = c.level {
        w.push(format!("a.level = '{}'", l.code()));
    }
    if let Some(e) = c.enterprise {
        w.push(format!("a.enterprise_id = {}", b.push(Bind::Uuid(e))));
    }
    if let Some(me) = c.created_by {
        w.push(format!("a.created_by = {}", b.push(Bind::Uuid(me))));
    }
    let open = "a.state NOT IN ('resolved', 'evaluated')";
    let today = c.today.unwrap_or_else(crate::projects::service::today);
    match some(&f.flag) {
        Some("overdue") => w.push(format!("{open} AND a.due_on < {}", b.push(Bind::Date(today)))),
        Some("due_soon") => {
            let (t, s) = (b.push(Bind::Date(today)), b.push(Bind::Date(c.soon.unwrap_or(today))));
            w.push(format!("{open} AND a.due_on >= {t} AND a.due_on <= {s}"));
        }
        Some("open") => w.push(open.into()),
        Some("escalated") => w.push("a.escalations > 0".into()),
        Some("supervised") => w.push("a.supervision IS NOT NULL".into()),
        _ => {}
    }
    if let Some(t) = c.from {
        w.push(format!("a.received_at >= {}", b.push(Bind::Time(t))));
    }
    if let Some(t) = c.to {
        w.push(format!("a.received_at < {}", b.push(Bind::Time(t))));
    }
    w.join(" AND ")
}

pub const ORDER: &str =
    " ORDER BY CASE WHEN a.state IN ('resolved', 'evaluated') THEN 1 ELSE 0 END, a.due_on, a.received_at DESC";

/// A page of appeals and the total.
pub async fn page(
    ex: &mut Ex<'_>,
    reach: &Reach,
    f: &Filter,
    c: &Checked,
    limit: i64,
) -> Result<(Vec<Row>, i64), sqlx::Error> {
    let mut b = Binds::default();
    let w = where_sql(reach, f, c, &mut b);
    let offset = crate::db::offset(f.page, limit);
    let order = if c.newest_first { " ORDER BY a.updated_at DESC" } else { ORDER };
    let list = format!("{} WHERE {w}{order} LIMIT {limit} OFFSET {offset}", select());
    let count = format!(
        "SELECT count(*) FROM appeals a JOIN regions g ON g.code = a.region
         JOIN appeal_categories c ON c.code = a.category
         LEFT JOIN enterprises e ON e.id = a.enterprise_id LEFT JOIN projects p ON p.id = a.project_id WHERE {w}"
    );
    let rows = fetch_all(ex, &list, &b).await?;
    let total = fetch_count(ex, &count, &b).await?;
    Ok((rows, total))
}

/// The facts the figures need, for appeals received in `[from, to]` (Beijing days) within `paths`
/// or given to `department`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FactRow {
    pub region_path: String,
    pub department_id: Option<Uuid>,
    pub received_at: OffsetDateTime,
    pub due_on: Date,
    pub state: String,
    pub accepted_at: Option<OffsetDateTime>,
    pub resolved_at: Option<OffsetDateTime>,
    pub satisfaction: Option<String>,
    pub category_name: String,
    pub escalations: i64,
}

impl FactRow {
    pub fn fact(&self) -> crate::enterprise_service::figures::model::Fact {
        crate::enterprise_service::figures::model::Fact {
            received_at: self.received_at,
            due_on: self.due_on,
            state: State::parse(&self.state).unwrap_or(State::Pending),
            accepted: self.accepted_at.is_some(),
            resolved_at: self.resolved_at,
            satisfaction: self.satisfaction.as_deref().and_then(|s| Satisfaction::parse(s).ok()),
            category: self.category_name.clone(),
            escalations: self.escalations,
        }
    }
}

pub async fn facts(
    ex: &mut Ex<'_>,
    paths: &[String],
    department: Option<Uuid>,
    from: Date,
    to: Date,
) -> Result<Vec<FactRow>, sqlx::Error> {
    let reach = Reach { paths: paths.to_vec(), department };
    let mut b = Binds::default();
    let cond = reach.sql(&mut b);
    let start = from.midnight().assume_offset(crate::enterprise_service::calendar::beijing());
    let end = to.next_day().unwrap_or(to).midnight().assume_offset(crate::enterprise_service::calendar::beijing());
    let (s, e) = (
        b.push(Bind::Time(start.to_offset(time::UtcOffset::UTC))),
        b.push(Bind::Time(end.to_offset(time::UtcOffset::UTC))),
    );
    let sql = format!(
        "SELECT g.path AS region_path, a.department_id, a.received_at, a.due_on, a.state, a.accepted_at,
           a.resolved_at, a.satisfaction, c.name AS category_name, a.escalations
         FROM appeals a JOIN regions g ON g.code = a.region JOIN appeal_categories c ON c.code = a.category
         WHERE {cond} AND a.received_at >= {s} AND a.received_at < {e}"
    );
    fetch_all(ex, &sql, &b).await
}

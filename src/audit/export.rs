//! Exports are audited: who took which data out of the system — the filter as they gave it, their
//! scope, the region the data belongs to, the format and how many rows. The record is written in its
//! own small transaction before the file is handed over, so an export whose record cannot be written
//! does not happen. An export writes no business data, so it moves no version of kept results.

use super::{Actor, Change};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::db::Db;
use crate::error::AppResult;
use serde_json::{Map, Value, json};

/// One export, built by the handler that makes the file.
#[derive(Debug, Clone)]
pub struct Export {
    /// What was exported; the action is `export.{what}`.
    what: &'static str,
    /// The audit entity: the kind of record exported (`project`, `batch`…).
    entity: &'static str,
    /// The record exported (a batch, a list, a ranking) or, for a list of records, its region's code.
    entity_id: Option<String>,
    /// The region the data belongs to, by which the audit page filters; `None`: the whole province.
    region: Option<String>,
    format: &'static str,
    filter: Value,
    scope: Vec<String>,
    rows: usize,
}

impl Export {
    /// An export by `user` under `perm`: their scope is recorded, and the region covering it all is
    /// the data's region unless the handler names a narrower one.
    pub fn of(user: &CurrentUser, perm: Permission, what: &'static str, entity: &'static str) -> Export {
        let paths: Vec<&str> = user.grants.iter().filter(|g| g.role.has(perm)).map(|g| g.scope_path.as_str()).collect();
        let mut scope: Vec<String> = user.grants.iter().filter(|g| g.role.has(perm)).map(|g| g.scope.clone()).collect();
        scope.sort();
        scope.dedup();
        Export::new(what, entity, scope, covering(&paths))
    }

    /// An export from the command line, which sees everything.
    pub fn cli(what: &'static str, entity: &'static str) -> Export {
        Export::new(what, entity, vec!["*".into()], None)
    }

    fn new(what: &'static str, entity: &'static str, scope: Vec<String>, region: Option<String>) -> Export {
        Export { what, entity, entity_id: None, region, format: "xlsx", filter: json!({}), scope, rows: 0 }
    }

    /// The region the exported data belongs to (the filter's region, the cockpit's unit…).
    pub fn region(mut self, code: Option<&str>) -> Export {
        if let Some(c) = code.map(str::trim).filter(|c| !c.is_empty()) {
            self.region = Some(c.to_string());
        }
        self
    }

    /// The one record exported (a batch, a list, a ranking).
    pub fn record_id(mut self, id: impl ToString) -> Export {
        self.entity_id = Some(id.to_string());
        self
    }

    pub fn format(mut self, f: &'static str) -> Export {
        self.format = f;
        self
    }

    /// The filter as given: the request's query string (or the command line's KEY=VALUE pairs).
    pub fn query(mut self, query: Option<&str>) -> Export {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
        self.filter = filter_of(pairs);
        self
    }

    pub fn filter(mut self, pairs: Vec<(String, String)>) -> Export {
        self.filter = filter_of(pairs);
        self
    }

    pub fn rows(mut self, n: usize) -> Export {
        self.rows = n;
        self
    }

    pub fn action(&self) -> String {
        format!("export.{}", self.what)
    }

    /// Writes the audit record in a transaction of its own.
    pub async fn record(self, db: &Db, actor: &Actor) -> AppResult<()> {
        let action = self.action();
        let mut tx = db.begin().await?;
        super::record(
            &mut tx.ex(),
            actor,
            Change {
                action: &action,
                entity: self.entity,
                entity_id: self.entity_id.or_else(|| self.region.clone()).unwrap_or_else(|| "*".into()),
                region: self.region,
                before: None,
                after: Some(json!({"format": self.format, "filter": self.filter, "scope": self.scope,
                    "rows": self.rows})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Non-empty pairs as a JSON object; a key given twice keeps every value.
fn filter_of(pairs: Vec<(String, String)>) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs.into_iter().filter(|(_, v)| !v.trim().is_empty()) {
        match m.get_mut(&k) {
            Some(Value::Array(a)) => a.push(Value::String(v)),
            Some(old) => *old = Value::Array(vec![old.take(), Value::String(v)]),
            None => {
                m.insert(k, Value::String(v));
            }
        }
    }
    Value::Object(m)
}

/// The code of the deepest region whose subtree holds every path (`/43/4301/` and `/43/4303/` → `43`);
/// `None` when there is none below the root, or no path.
fn covering(paths: &[&str]) -> Option<String> {
    let mut common: Option<Vec<&str>> = None;
    for p in paths {
        let segs: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
        common = Some(match common {
            None => segs,
            Some(c) => c.iter().zip(&segs).take_while(|(a, b)| a == b).map(|(a, _)| *a).collect(),
        });
    }
    common?.last().map(|c| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_covering_a_scope_is_the_deepest_common_ancestor() {
        assert_eq!(covering(&["/43/4301/"]), Some("4301".into()));
        assert_eq!(covering(&["/43/4301/430104/", "/43/4301/430121/"]), Some("4301".into()));
        assert_eq!(covering(&["/43/4301/", "/43/4303/"]), Some("43".into()));
        assert_eq!(covering(&["/"]), None);
        assert_eq!(covering(&[]), None);
    }

    #[test]
    fn the_filter_keeps_what_was_given_and_drops_empty_fields() {
        let f = |q: &str| Export::cli("projects", "project").query(Some(q)).filter;
        assert_eq!(f("region=4301&stage=&q=%E5%82%A8%E8%83%BD"), json!({"region": "4301", "q": "储能"}));
        assert_eq!(f("tag=a&tag=b&tag=c"), json!({"tag": ["a", "b", "c"]}));
        assert_eq!(f(""), json!({}));
    }
}

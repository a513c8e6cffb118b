//! Audit records and their hash chain. Each record's hash covers its own fields and the hash
//! of the record before it, so altering, deleting or re-ordering any record breaks the chain
//! from that point on.

use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who makes a change and from where.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<Uuid>,
    pub name: String,
    pub ip: Option<String>,
}

impl Actor {
    /// An operator at the command line of the server.
    pub fn cli() -> Actor {
        let who = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
        Actor { id: None, name: format!("命令行:{who}"), ip: None }
    }
    pub fn system() -> Actor {
        Actor { id: None, name: "系统".into(), ip: None }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditRecord {
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub ip: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub region: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The record's hash: SHA-256 over its fields, each length-prefixed so that no two
/// different records serialise alike, and the previous hash.
pub fn compute_hash(r: &AuditRecord) -> String {
    let at = r.at.unix_timestamp_nanos() / 1_000; // microseconds: what both databases keep
    let actor = r.actor_id.map(|u| u.to_string());
    let (seq, at) = (r.seq.to_string(), at.to_string());
    let fields: [Option<&str>; 11] = [
        Some(&r.prev_hash),
        Some(&seq),
        Some(&at),
        actor.as_deref(),
        Some(&r.actor_name),
        r.ip.as_deref(),
        Some(&r.action),
        Some(&r.entity),
        Some(&r.entity_id),
        r.region.as_deref(),
        r.before_json.as_deref(),
    ];
    let mut h = Sha256::new();
    for f in fields.iter().chain([&r.after_json.as_deref()]) {
        match f {
            None => h.update(b"-"),
            Some(s) => {
                h.update(s.len().to_string().as_bytes());
                h.update(b":");
                h.update(s.as_bytes());
            }
        }
        h.update(b"|");
    }
    hex::encode(h.finalize())
}

/// Where the chain first goes wrong, if anywhere.
#[derive(Debug, PartialEq, Eq)]
pub enum Break {
    /// A sequence number is missing: a record was deleted (or the chain re-ordered).
    Gap { expected: i64, found: i64 },
    /// The record does not link to its predecessor: re-ordered or its predecessor replaced.
    Link { seq: i64 },
    /// The record's content no longer matches its hash: altered.
    Altered { seq: i64 },
    /// Records after `last` are gone.
    Truncated { last: i64, head: i64 },
}

impl Break {
    pub fn describe(&self) -> String {
        match self {
            Break::Gap { expected, found } => {
                format!("审计记录 #{expected} 缺失（下一条为 #{found}）：记录被删除或顺序被改动")
            }
            Break::Link { seq } => {
                format!("审计记录 #{seq} 与前一条记录的链接不符：记录被替换或顺序被改动")
            }
            Break::Altered { seq } => format!("审计记录 #{seq} 的内容与其哈希不符：记录被篡改"),
            Break::Truncated { last, head } => {
                format!("审计记录 #{} 至 #{head} 缺失：末尾记录被删除", last + 1)
            }
        }
    }
}

/// Checks a run of records in `seq` order, starting after `prev` = (seq, hash) of the record
/// before the run. Returns the (seq, hash) reached, or the first break.
pub fn verify_run(prev: (i64, &str), records: &[AuditRecord]) -> Result<(i64, String), Break> {
    let (mut seq, mut hash) = (prev.0, prev.1.to_string());
    for r in records {
        if r.seq != seq + 1 {
            return Err(Break::Gap { expected: seq + 1, found: r.seq });
        }
        if r.prev_hash != hash {
            return Err(Break::Link { seq: r.seq });
        }
        if compute_hash(r) != r.hash {
            return Err(Break::Altered { seq: r.seq });
        }
        seq = r.seq;
        hash = r.hash.clone();
    }
    Ok((seq, hash))
}

/// Actions (or their prefixes) known to leave what a project list shows — projects, their regions
/// and industries — alone. Anything else moves the list's version, an action added later and not
/// listed here included: forgetting one costs a recomputed list, never a stale one.
const LEAVE_PROJECT_LIST: &[&str] = &[
    "report.",
    "import.report.",
    "login",
    "logout",
    "appeal.",
    "dispatch",
    "evaluate",
    "visit.",
    "token.",
    "grant.",
    "user.",
    "evaluation.",
    "batch.",
    "calendar.",
    "department.",
    "service.settings",
    // An export reads; it must not throw away the list views it was made from.
    "export.",
];

/// Whether an audited action may change a project list (see `audit_head.projects_version`).
pub fn may_change_project_list(action: &str) -> bool {
    !LEAVE_PROJECT_LIST.iter().any(|p| action.starts_with(p))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reports_sign_ins_and_appeals_leave_the_project_list_alone_and_anything_else_moves_it() {
        use super::may_change_project_list as moves;
        for leaves in [
            "report.file",
            "import.report.correct",
            "login.failed",
            "logout",
            "appeal.create",
            "grant.add",
            "export.projects",
        ] {
            assert!(!moves(leaves), "{leaves}");
        }
        for changes in ["project.update", "import.project.create", "import.commit", "reference.load", "demo.load"] {
            assert!(moves(changes), "{changes}");
        }
        assert!(moves("something.new"), "an action nobody listed is taken to change the list");
    }

    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut r = AuditRecord {
                    seq,
                    at: OffsetDateTime::from_unix_timestamp(1_700_000_000 + seq).unwrap(),
                    actor_id: None,
                    actor_name: "张三".into(),
                    ip: Some("10.0.0.1".into()),
                    action: "user.create".into(),
                    entity: "user".into(),
                    entity_id: format!("u{seq}"),
                    region: Some("4301".into()),
                    before_json: None,
                    after_json: Some(format!("{{\"n\":{seq}}}")),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                r.hash = compute_hash(&r);
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify_run((0, GENESIS), &c).unwrap().0, 5);
    }

    #[test]
    fn an_altered_record_is_named() {
        let mut c = chain(5);
        c[2].after_json = Some("{\"n\":99}".into());
        assert_eq!(verify_run((0, GENESIS), &c), Err(Break::Altered { seq: 3 }));
    }

    #[test]
    fn a_deleted_record_is_named() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify_run((0, GENESIS), &c), Err(Break::Gap { expected: 2, found: 3 }));
    }

    #[test]
    fn a_record_rehashed_after_alteration_still_breaks_the_next_link() {
        let mut c = chain(5);
        c[2].actor_name = "李四".into();
        c[2].hash = compute_hash(&c[2]);
        assert_eq!(verify_run((0, GENESIS), &c), Err(Break::Link { seq: 4 }));
    }

    #[test]
    fn swapped_records_are_detected() {
        let mut c = chain(5);
        let (a, b) = (c[1].seq, c[2].seq);
        c.swap(1, 2);
        c[1].seq = a;
        c[2].seq = b;
        assert!(verify_run((0, GENESIS), &c).is_err());
    }

    #[test]
    fn a_field_moved_between_columns_changes_the_hash() {
        let c = chain(1);
        let mut moved = c[0].clone();
        moved.before_json = moved.after_json.take();
        assert_ne!(compute_hash(&moved), c[0].hash);
    }
}

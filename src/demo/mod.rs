//! The demo organisation: parks named in the sources and a user for every role, so that a
//! newcomer can sign in at once. Re-running it creates what is missing and changes nothing else.

use crate::accounts::model::Role;
use crate::accounts::{service, store};
use crate::audit::Actor;
use crate::db::Db;
use crate::regions::load;

pub mod bulk;
pub mod data;
pub mod province;
pub mod recent;
pub mod rng;
pub mod service_appeals;
pub mod service_data;
pub mod service_departments;

/// The one password of every demo account (documented in README; demo data only).
pub const DEMO_PASSWORD: &str = "Zhaoshang@2026";

/// (username, name, unit region, department, role, scope)
pub const DEMO_USERS: &[(&str, &str, &str, Option<&str>, Role, &str)] = &[
    ("hn.leader", "湖南省领导（演示）", "43", None, Role::Leader, "43"),
    ("hn.sysadmin", "省系统管理员（演示）", "43", Some("省商务厅信息中心"), Role::SysAdmin, "43"),
    ("hn.secadmin", "省安全管理员（演示）", "43", Some("省商务厅信息中心"), Role::SecurityAdmin, "43"),
    ("hn.auditor", "省审计员（演示）", "43", Some("省商务厅信息中心"), Role::Auditor, "43"),
    ("cs.leader", "长沙市领导（演示）", "4301", None, Role::Leader, "4301"),
    ("cs.invest", "长沙市招商专员（演示）", "4301", Some("市商务局"), Role::InvestmentOfficer, "4301"),
    ("cs.service", "长沙市服务专员（演示）", "4301", Some("市工信局"), Role::ServiceSpecialist, "4301"),
    ("wc.service", "望城经开区服务专员（演示）", "43011251", Some("企业服务局"), Role::ServiceSpecialist, "43011251"),
    ("cs.handler", "长沙市部门办理人（演示）", "4301", Some("市自然资源和规划局"), Role::DepartmentHandler, "4301"),
    ("cs.reporter", "长沙市填报员（演示）", "4301", Some("市发改委"), Role::Reporter, "4301"),
    ("cs.sysadmin", "长沙市系统管理员（演示）", "4301", Some("市数据资源局"), Role::SysAdmin, "4301"),
    ("wc.invest", "望城经开区招商专员（演示）", "43011251", Some("招商合作局"), Role::InvestmentOfficer, "43011251"),
    ("xt.leader", "湘潭市领导（演示）", "4303", None, Role::Leader, "4303"),
    ("cz.invest", "郴州市招商专员（演示）", "4310", Some("市商务局"), Role::InvestmentOfficer, "4310"),
];

pub struct DemoResult {
    pub created: Vec<(String, String, String)>,
    pub existing: Vec<String>,
    /// What the sources' records added, or None when they were there already.
    pub records: Option<data::Loaded>,
    /// The year of visits and appeals, or None when it was there already.
    pub service: Option<service_data::Loaded>,
}

/// The organisation, then the records from the sources.
pub async fn load(db: &Db) -> anyhow::Result<DemoResult> {
    let mut r = load_org(db).await?;
    r.records = data::load(db).await?;
    r.service = service_data::load(db).await?;
    Ok(r)
}

/// Reference data, the demo parks and a user for every role — no business records.
pub async fn load_org(db: &Db) -> anyhow::Result<DemoResult> {
    crate::reference::ensure_loaded(db).await?;
    let mut tx = db.begin().await?;
    let parks = load::load_demo_parks(&mut tx.ex()).await?;
    crate::audit::record(
        &mut tx.ex(),
        &Actor::cli(),
        crate::audit::Change {
            action: "reference.load_parks",
            entity: "reference_data",
            entity_id: "parks".into(),
            region: None,
            before: None,
            after: Some(serde_json::json!({"parks": parks, "demo": true})),
        },
    )
    .await?;
    tx.commit().await?;
    let actor = Actor::cli();
    let mut created = Vec::new();
    let mut existing = Vec::new();
    for (username, name, region, dept, role, scope) in DEMO_USERS {
        let mut conn = db.conn().await?;
        let found = store::user_by_name(&mut conn.ex(), username).await?;
        drop(conn);
        if found.is_some() {
            existing.push(username.to_string());
            continue;
        }
        let n = service::NewUser {
            username: username.to_string(),
            display_name: name.to_string(),
            region: region.to_string(),
            department: dept.map(str::to_string),
            password: Some(DEMO_PASSWORD.to_string()),
            is_demo: true,
            // The demo's accounts share a published password on purpose (demo data only).
            must_change_password: false,
        };
        let (u, password) = service::create_user(db, &actor, None, n).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        service::add_grant(db, &actor, None, u.id, *role, scope).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        created.push((username.to_string(), format!("{}（{}）", role.label(), name), password));
    }
    service_departments::load_departments(db).await?;
    Ok(DemoResult { created, existing, records: None, service: None })
}

//! Demo departments that handle appeals: 长沙's, some of its counties' and parks', the province's,
//! and one of 湘潭's. Created when missing, with one audit record for the batch.

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::enterprise_service::departments;
use uuid::Uuid;

/// (region, department): 长沙's departments, some of its counties' and parks', the province's, and
/// one of 湘潭's (outside 长沙's scope).
pub const DEPARTMENTS: &[(&str, &str)] = &[
    ("43", "省自然资源厅"),
    ("43", "省工业和信息化厅"),
    ("43", "省人力资源和社会保障厅"),
    ("4301", "市自然资源和规划局"),
    ("4301", "市工信局"),
    ("4301", "市人社局"),
    ("4301", "市住建局"),
    ("4301", "市发改委"),
    ("4301", "市商务局"),
    ("4301", "市市场监管局"),
    ("4301", "市财政局"),
    ("4301", "市地方金融管理局"),
    ("4301", "市交通运输局"),
    ("4301", "市政务服务局"),
    ("430112", "区自然资源局"),
    ("430112", "区人社局"),
    ("430121", "县自然资源局"),
    ("43011251", "企业服务局"),
    ("4303", "市自然资源和规划局"),
];

/// Creates the demo departments that are missing.
pub async fn load_departments(db: &Db) -> anyhow::Result<usize> {
    let mut tx = db.begin().await?;
    let mut n = 0;
    for (region, name) in DEPARTMENTS {
        let exists: Option<Uuid> = crate::q_scalar!(
            &mut tx.ex(),
            fetch_optional,
            Uuid,
            "SELECT id FROM departments WHERE region = $1 AND name = $2",
            *region,
            *name
        )?;
        if exists.is_none() {
            departments::store::insert(&mut tx.ex(), region, name, true).await?;
            n += 1;
        }
    }
    if n > 0 {
        audit::record(
            &mut tx.ex(),
            &Actor::cli(),
            Change {
                action: "demo.departments",
                entity: "department",
                entity_id: "demo".into(),
                region: None,
                before: None,
                after: Some(serde_json::json!({"departments": n, "demo": true})),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n)
}

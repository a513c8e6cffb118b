//! Setting what evaluation measures against: a region's yearly targets and the indicators' weights,
//! each with its audit record.

use super::indicators::{Unit, def};
use super::store;
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::regions::model::Region;

/// Sets a region's targets for a year from text in display units ("300" 亿元, "12" 家); empty clears.
pub async fn set_targets(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    region: &Region,
    year: i32,
    values: &[(String, String)],
) -> AppResult<()> {
    authz::check(user, Permission::ManageEvaluation, Some(&region.path))?;
    let mut parsed = Vec::new();
    let mut errors = Vec::new();
    for (code, text) in values {
        let Some(d) = def(code).filter(|d| d.has_target) else {
            errors.push(crate::error::FieldError {
                field: code.clone(), message: format!("指标“{code}”没有年度目标")
            });
            continue;
        };
        match parse_target(d.unit, text) {
            Ok(v) => parsed.push((d.code, v)),
            Err(m) => {
                errors.push(crate::error::FieldError { field: code.clone(), message: format!("{}：{m}", d.name) })
            }
        }
    }
    if !(2000..=2100).contains(&year) {
        errors.push(crate::error::FieldError { field: "year".into(), message: format!("年份“{year}”无效") });
    }
    if !errors.is_empty() {
        return Err(crate::projects::service::invalid(errors));
    }
    let mut tx = db.begin().await?;
    let before = store::targets(&mut tx.ex(), &region.code, year).await?;
    for (code, v) in &parsed {
        store::set_target(&mut tx.ex(), &region.code, year, code, *v, &actor.name).await?;
    }
    let after = store::targets(&mut tx.ex(), &region.code, year).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "evaluation.targets",
            entity: "region",
            entity_id: region.code.clone(),
            region: Some(region.code.clone()),
            before: Some(serde_json::json!({"year": year, "targets": before})),
            after: Some(serde_json::json!({"year": year, "targets": after})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A target typed in the indicator's display unit, into its base unit; empty means no target.
pub fn parse_target(unit: Unit, text: &str) -> Result<Option<i64>, String> {
    let t = text.trim().trim_end_matches(unit.label()).trim();
    if t.is_empty() {
        return Ok(None);
    }
    match unit {
        Unit::Yi => crate::domain::money::Money::parse(&format!("{t}亿")).map(|m| Some(m.0)),
        Unit::Wan => crate::domain::money::Money::parse(t).map(|m| Some(m.0)),
        _ => t.parse::<i64>().ok().filter(|n| *n >= 0).map(Some).ok_or_else(|| format!("“{t}”应为非负整数")),
    }
}

/// Sets the composite weights (whole numbers 0–100).
pub async fn set_weights(db: &Db, user: &CurrentUser, actor: &Actor, values: &[(String, String)]) -> AppResult<()> {
    authz::check(user, Permission::ManageEvaluation, None)?;
    // Weights apply to every ranking in the installation, so only a province-wide scope sets them.
    if !user.scopes(Permission::ManageEvaluation).iter().any(|(_, top)| *top) {
        return Err(AppError::Forbidden);
    }
    let mut parsed = Vec::new();
    for (code, text) in values {
        let d = def(code).ok_or_else(|| AppError::field(code, format!("未知的指标“{code}”")))?;
        let w: i64 = text
            .trim()
            .parse()
            .ok()
            .filter(|w| (0..=100).contains(w))
            .ok_or_else(|| AppError::field(code, format!("{}的权重“{}”应为 0–100 的整数", d.name, text.trim())))?;
        parsed.push((d.code, w));
    }
    let mut tx = db.begin().await?;
    let before = store::weights(&mut tx.ex()).await?;
    for (code, w) in &parsed {
        store::set_weight(&mut tx.ex(), code, *w, &actor.name).await?;
    }
    let after = store::weights(&mut tx.ex()).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "evaluation.weights",
            entity: "indicator_weights",
            entity_id: "all".into(),
            region: None,
            before: Some(serde_json::json!(before)),
            after: Some(serde_json::json!(after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

//! Settings use cases: saving the deadline tiers and visiting rules, the category code list and a
//! year's working-day calendar, each in one transaction with its audit record and refused when
//! someone else changed the same settings since the form was shown.
//! They apply to everyone, so changing them needs the settings permission on a province-level grant.

use super::model::{Rules, fingerprint, parse_days};
use super::store::{self, Category};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::enterprise_service::visits::model::Cadence;
use crate::error::{AppError, AppResult, FieldError};
use serde_json::json;

/// Province-wide settings need the permission on a top-level (province) grant.
pub fn check_province_wide(user: &CurrentUser) -> AppResult<()> {
    if !user.can(Permission::ConfigureService) {
        return Err(AppError::Forbidden);
    }
    if user.scopes(Permission::ConfigureService).iter().any(|(_, top)| *top) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn invalid(errors: Vec<FieldError>) -> AppError {
    crate::projects::service::invalid(errors)
}

/// Saves the tiers' working days, and cadence and overlap window, from what the form shows.
/// `seen` is the settings as the administrator saw them; if they changed meanwhile, nothing is saved.
pub async fn save_rules(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    seen: &str,
    form: &std::collections::HashMap<String, String>,
) -> AppResult<()> {
    check_province_wide(user)?;
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let mut errors = Vec::new();
    let mut tx = db.begin().await?;
    let tiers_now = store::tiers(&mut tx.ex()).await?;
    let rules_now = store::rules(&mut tx.ex()).await?;
    if fingerprint(&tiers_now, &rules_now) != seen {
        return Err(AppError::Conflict("期限与走访设置刚被他人修改，您的修改未保存，请刷新后重试".into()));
    }
    let mut new_days = Vec::new();
    for t in &tiers_now {
        new_days.push(parse_days(
            &format!("tier_{}", t.code),
            &format!("{}期限", t.name),
            get(&format!("tier_{}", t.code)),
            60,
            &mut errors,
        ));
    }
    let key = parse_days("cadence_key", "重点企业走访周期", get("cadence_key"), 730, &mut errors);
    let scale = parse_days("cadence_scale", "规上企业走访周期", get("cadence_scale"), 730, &mut errors);
    let other = parse_days("cadence_other", "一般企业走访周期", get("cadence_other"), 730, &mut errors);
    let overlap = parse_days("overlap_days", "重复走访提醒天数", get("overlap_days"), 90, &mut errors);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    for (t, days) in tiers_now.iter().zip(&new_days) {
        store::set_tier_days(&mut tx.ex(), &t.code, *days).await?;
    }
    store::set_rules(&mut tx.ex(), &Rules { cadence: Cadence { key, scale, other }, overlap_days: overlap }).await?;
    let before = json!({"tiers": tiers_now, "rules": rules_now});
    let after = json!({"tiers": store::tiers(&mut tx.ex()).await?, "rules": store::rules(&mut tx.ex()).await?});
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "service.settings",
            entity: "settings",
            entity_id: "service".into(),
            region: None,
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a category or changes one (name, default tier, order, in use or not). Codes never change:
/// appeals keep theirs, and a category that is no longer wanted is switched off, not deleted.
pub async fn save_category(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    code: &str,
    name: &str,
    tier: &str,
    sort: &str,
    active: bool,
) -> AppResult<Category> {
    check_province_wide(user)?;
    let mut errors = Vec::new();
    let code = code.trim().to_string();
    if code.is_empty() || code.chars().count() > 8 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        errors.push(FieldError {
            field: "code".into(), message: format!("分类代码“{code}”应为 1–8 位字母或数字")
        });
    }
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 20 {
        errors.push(FieldError { field: "name".into(), message: "分类名称须为 1–20 个字".into() });
    }
    let sort = parse_days("sort", "排序", if sort.trim().is_empty() { "50" } else { sort }, 999, &mut errors);
    let mut tx = db.begin().await?;
    let tiers_now = store::tiers(&mut tx.ex()).await?;
    let tier = match tiers_now.iter().find(|t| t.code == tier.trim() || t.name == tier.trim()) {
        Some(t) => t.code.clone(),
        None => {
            let names: Vec<_> = tiers_now.iter().map(|t| t.name.as_str()).collect();
            errors.push(FieldError {
                field: "tier".into(),
                message: format!("期限档次“{}”无效，可选：{}", tier.trim(), names.join("、")),
            });
            String::new()
        }
    };
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let before = store::category_by_code(&mut tx.ex(), &code).await?;
    let clash = store::category_named(&mut tx.ex(), &name, &code).await?;
    if let Some(other) = clash {
        return Err(AppError::field("name", format!("分类名称“{name}”已被代码 {other} 使用")));
    }
    let after = Category { code: code.clone(), name, tier, sort, active };
    store::put_category(&mut tx.ex(), &after, before.is_some()).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: if before.is_some() { "appeal_category.update" } else { "appeal_category.create" },
            entity: "appeal_category",
            entity_id: code,
            region: None,
            before: before.map(|b| serde_json::to_value(b).unwrap_or_default()),
            after: Some(serde_json::to_value(&after).unwrap_or_default()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Replaces a year's holidays and make-up days with the typed schedule, if nobody changed the year
/// since the form was shown (`seen`, the fingerprint of the year then).
pub async fn save_calendar_year(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    year: i32,
    seen: &str,
    text: &str,
) -> AppResult<usize> {
    check_province_wide(user)?;
    if !(2000..=2100).contains(&year) {
        return Err(AppError::NotFound);
    }
    let days = crate::enterprise_service::calendar::parse_year(year, text).map_err(|errs| AppError::Invalid {
        message: errs.join("；"),
        fields: errs.into_iter().map(|m| FieldError { field: "days".into(), message: m }).collect(),
    })?;
    let mut tx = db.begin().await?;
    let (before, print) = store::calendar_year(&mut tx.ex(), year).await?;
    if print != seen {
        return Err(AppError::Conflict(format!(
            "{year} 年的工作日历刚被他人修改，您的修改未保存。当前内容：\n{before}请刷新后重新修改。"
        )));
    }
    store::replace_calendar_year(&mut tx.ex(), year, &days).await?;
    let (after, _) = store::calendar_year(&mut tx.ex(), year).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "calendar.update",
            entity: "calendar",
            entity_id: year.to_string(),
            region: None,
            before: Some(json!({"days": before})),
            after: Some(json!({"days": after})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(days.len())
}

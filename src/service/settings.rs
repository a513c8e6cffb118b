//! Province-wide service settings: the deadline tiers, the appeal category code list, the visiting
//! cadence and the "visited by another unit within N days" window; and the working-day calendar.
//! They apply to everyone, so changing them needs the settings permission on a province-level grant.

use super::calendar::{Calendar, DayKind};
use super::visits_model::Cadence;
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Ex};
use crate::error::{AppError, AppResult, FieldError};
use crate::{q_as, q_exec};
use serde::Serialize;
use serde_json::json;
use time::Date;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TierRow {
    pub code: String,
    pub name: String,
    pub days: i64,
    pub sort: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub tier: String,
    pub sort: i64,
    pub active: bool,
}

pub async fn tiers(ex: &mut Ex<'_>) -> Result<Vec<TierRow>, sqlx::Error> {
    q_as!(ex, fetch_all, TierRow, "SELECT code, name, days, sort FROM appeal_tiers ORDER BY sort")
}

pub async fn categories(ex: &mut Ex<'_>) -> Result<Vec<Category>, sqlx::Error> {
    q_as!(ex, fetch_all, Category, "SELECT code, name, tier, sort, active FROM appeal_categories ORDER BY sort, code")
}

pub async fn category(ex: &mut Ex<'_>, code: &str) -> Result<Option<Category>, sqlx::Error> {
    q_as!(
        ex,
        fetch_optional,
        Category,
        "SELECT code, name, tier, sort, active FROM appeal_categories WHERE code = $1 OR name = $1",
        code.trim()
    )
}

/// The whole calendar (a few dozen rows a year).
pub async fn calendar(ex: &mut Ex<'_>) -> Result<Calendar, sqlx::Error> {
    let rows: Vec<(Date, String, String)> =
        q_as!(ex, fetch_all, (Date, String, String), "SELECT day, kind, name FROM calendar_days ORDER BY day")?;
    Ok(Calendar::new(rows.into_iter().filter_map(|(d, k, n)| Some((d, DayKind::parse(&k).ok()?, n)))))
}

pub async fn calendar_years(ex: &mut Ex<'_>) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    q_as!(ex, fetch_all, (i64, i64), "SELECT year, count(*) FROM calendar_days GROUP BY year ORDER BY year")
}

const SETTING_KEYS: [&str; 4] =
    ["service.cadence.key", "service.cadence.scale", "service.cadence.other", "service.overlap_days"];

/// Cadence and the overlap window, with defaults for what was never set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rules {
    pub cadence: Cadence,
    /// Warn before logging a visit when another unit visited within this many days.
    pub overlap_days: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { cadence: Cadence::default(), overlap_days: 7 }
    }
}

pub async fn rules(ex: &mut Ex<'_>) -> Result<Rules, sqlx::Error> {
    let mut r = Rules::default();
    let mut v = [r.cadence.key, r.cadence.scale, r.cadence.other, r.overlap_days];
    for (i, key) in SETTING_KEYS.iter().enumerate() {
        if let Some(s) = crate::accounts::store::get_setting(ex, key).await? {
            if let Ok(n) = s.parse() {
                v[i] = n;
            }
        }
    }
    r.cadence = Cadence { key: v[0], scale: v[1], other: v[2] };
    r.overlap_days = v[3];
    Ok(r)
}

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

fn parse_days(field: &str, label: &str, s: &str, max: i64, errors: &mut Vec<FieldError>) -> i64 {
    match s.trim().parse::<i64>() {
        Ok(n) if (1..=max).contains(&n) => n,
        _ => {
            errors
                .push(FieldError {
                    field: field.into(), message: format!("{label}“{}”应为 1–{max} 的整数", s.trim())
                });
            0
        }
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
    let tiers_now = tiers(&mut tx.ex()).await?;
    let rules_now = rules(&mut tx.ex()).await?;
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
        q_exec!(&mut tx.ex(), "UPDATE appeal_tiers SET days = $1 WHERE code = $2", *days, &t.code)?;
    }
    for (k, v) in SETTING_KEYS.iter().zip([key, scale, other, overlap]) {
        crate::accounts::store::set_setting(&mut tx.ex(), k, &v.to_string()).await?;
    }
    let before = json!({"tiers": tiers_now, "rules": rules_now});
    let after = json!({"tiers": tiers(&mut tx.ex()).await?, "rules": rules(&mut tx.ex()).await?});
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

/// A short text that changes whenever the tiers or rules change (the form's version).
pub fn fingerprint(tiers: &[TierRow], rules: &Rules) -> String {
    let mut s: Vec<String> = tiers.iter().map(|t| format!("{}={}", t.code, t.days)).collect();
    s.push(format!("{}-{}-{}-{}", rules.cadence.key, rules.cadence.scale, rules.cadence.other, rules.overlap_days));
    s.join(",")
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
    let tiers_now = tiers(&mut tx.ex()).await?;
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
    let before: Option<Category> = q_as!(
        &mut tx.ex(),
        fetch_optional,
        Category,
        "SELECT code, name, tier, sort, active FROM appeal_categories WHERE code = $1",
        &code
    )?;
    let clash: Option<String> = crate::q_scalar!(
        &mut tx.ex(),
        fetch_optional,
        String,
        "SELECT code FROM appeal_categories WHERE name = $1 AND code <> $2",
        &name,
        &code
    )?;
    if let Some(other) = clash {
        return Err(AppError::field("name", format!("分类名称“{name}”已被代码 {other} 使用")));
    }
    if before.is_some() {
        q_exec!(
            &mut tx.ex(),
            "UPDATE appeal_categories SET name = $1, tier = $2, sort = $3, active = $4 WHERE code = $5",
            &name,
            &tier,
            sort,
            active,
            &code
        )?;
    } else {
        q_exec!(
            &mut tx.ex(),
            "INSERT INTO appeal_categories (code, name, tier, sort, active) VALUES ($1, $2, $3, $4, $5)",
            &code,
            &name,
            &tier,
            sort,
            active
        )?;
    }
    let after = Category { code: code.clone(), name, tier, sort, active };
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

/// A year's listed days, as text, with the fingerprint the edit form carries.
pub async fn calendar_year(ex: &mut Ex<'_>, year: i32) -> Result<(String, String), sqlx::Error> {
    let cal = calendar(ex).await?;
    let text = super::calendar::format_year(&cal.year(year));
    let print = crate::accounts::secrets::sha256_hex(&text);
    Ok((text, print))
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
    let days = super::calendar::parse_year(year, text).map_err(|errs| AppError::Invalid {
        message: errs.join("；"),
        fields: errs.into_iter().map(|m| FieldError { field: "days".into(), message: m }).collect(),
    })?;
    let mut tx = db.begin().await?;
    let (before, print) = calendar_year(&mut tx.ex(), year).await?;
    if print != seen {
        return Err(AppError::Conflict(format!(
            "{year} 年的工作日历刚被他人修改，您的修改未保存。当前内容：\n{before}请刷新后重新修改。"
        )));
    }
    q_exec!(&mut tx.ex(), "DELETE FROM calendar_days WHERE year = $1", year as i64)?;
    for (d, k, n) in &days {
        q_exec!(
            &mut tx.ex(),
            "INSERT INTO calendar_days (day, year, kind, name) VALUES ($1, $2, $3, $4)",
            *d,
            year as i64,
            k.code(),
            n
        )?;
    }
    let (after, _) = calendar_year(&mut tx.ex(), year).await?;
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

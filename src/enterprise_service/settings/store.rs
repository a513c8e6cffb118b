//! Queries on the service settings: `appeal_tiers`, `appeal_categories`, `calendar_days` and the
//! `service.*` keys of `settings`. Each takes an executor, so it runs inside the caller's transaction.

use super::model::Rules;
use crate::db::Ex;
use crate::enterprise_service::calendar::{Calendar, DayKind};
use crate::enterprise_service::visits::model::Cadence;
use crate::{q_as, q_exec};
use serde::Serialize;
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

pub async fn set_rules(ex: &mut Ex<'_>, r: &Rules) -> Result<(), sqlx::Error> {
    let values = [r.cadence.key, r.cadence.scale, r.cadence.other, r.overlap_days];
    for (k, v) in SETTING_KEYS.iter().zip(values) {
        crate::accounts::store::set_setting(ex, k, &v.to_string()).await?;
    }
    Ok(())
}

pub async fn set_tier_days(ex: &mut Ex<'_>, code: &str, days: i64) -> Result<(), sqlx::Error> {
    q_exec!(ex, "UPDATE appeal_tiers SET days = $1 WHERE code = $2", days, code)?;
    Ok(())
}

/// The category with this code (not name: codes never change).
pub async fn category_by_code(ex: &mut Ex<'_>, code: &str) -> Result<Option<Category>, sqlx::Error> {
    q_as!(
        ex,
        fetch_optional,
        Category,
        "SELECT code, name, tier, sort, active FROM appeal_categories WHERE code = $1",
        code
    )
}

/// The code of another category already called `name`, if any.
pub async fn category_named(ex: &mut Ex<'_>, name: &str, code: &str) -> Result<Option<String>, sqlx::Error> {
    crate::q_scalar!(
        ex,
        fetch_optional,
        String,
        "SELECT code FROM appeal_categories WHERE name = $1 AND code <> $2",
        name,
        code
    )
}

/// Writes a category: an update of the one with its code when `exists`, else a new one.
pub async fn put_category(ex: &mut Ex<'_>, c: &Category, exists: bool) -> Result<(), sqlx::Error> {
    if exists {
        q_exec!(
            ex,
            "UPDATE appeal_categories SET name = $1, tier = $2, sort = $3, active = $4 WHERE code = $5",
            &c.name,
            &c.tier,
            c.sort,
            c.active,
            &c.code
        )?;
    } else {
        q_exec!(
            ex,
            "INSERT INTO appeal_categories (code, name, tier, sort, active) VALUES ($1, $2, $3, $4, $5)",
            &c.code,
            &c.name,
            &c.tier,
            c.sort,
            c.active
        )?;
    }
    Ok(())
}

/// A year's listed days, as text, with the fingerprint the edit form carries.
pub async fn calendar_year(ex: &mut Ex<'_>, year: i32) -> Result<(String, String), sqlx::Error> {
    let cal = calendar(ex).await?;
    let text = crate::enterprise_service::calendar::format_year(&cal.year(year));
    let print = crate::accounts::secrets::sha256_hex(&text);
    Ok((text, print))
}

/// Replaces a year's listed days (holidays on weekdays, make-up working days on weekends).
pub async fn replace_calendar_year(
    ex: &mut Ex<'_>,
    year: i32,
    days: &[(Date, DayKind, String)],
) -> Result<(), sqlx::Error> {
    q_exec!(ex, "DELETE FROM calendar_days WHERE year = $1", year as i64)?;
    for (d, k, n) in days {
        q_exec!(
            ex,
            "INSERT INTO calendar_days (day, year, kind, name) VALUES ($1, $2, $3, $4)",
            *d,
            year as i64,
            k.code(),
            n
        )?;
    }
    Ok(())
}

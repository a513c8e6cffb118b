//! Queries on the industry classification.

use super::model::Industry;
use crate::db::Ex;
use crate::{q_as, q_exec};

pub async fn children(ex: &mut Ex<'_>, parent: Option<&str>) -> Result<Vec<Industry>, sqlx::Error> {
    match parent {
        None => q_as!(
            ex,
            fetch_all,
            Industry,
            "SELECT code, section, level, parent, name FROM industries WHERE parent IS NULL ORDER BY code"
        ),
        Some(p) => q_as!(
            ex,
            fetch_all,
            Industry,
            "SELECT code, section, level, parent, name FROM industries WHERE parent = $1 ORDER BY code",
            p
        ),
    }
}

pub async fn get(ex: &mut Ex<'_>, code: &str) -> Result<Option<Industry>, sqlx::Error> {
    q_as!(
        ex,
        fetch_optional,
        Industry,
        "SELECT code, section, level, parent, name FROM industries WHERE code = $1",
        code
    )
}

pub async fn upsert(ex: &mut Ex<'_>, i: &Industry) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO industries (code, section, level, parent, name) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code) DO UPDATE SET section = excluded.section, level = excluded.level,
           parent = excluded.parent, name = excluded.name",
        &i.code,
        &i.section,
        i.level,
        &i.parent,
        &i.name
    )?;
    Ok(())
}

//! Projects many at a time, for imports and the demo generator: one statement per few hundred
//! rows instead of one per row, which is what makes a 100,000-row file a matter of seconds.

use super::store::{Project, Row, WRITE_COLUMN_COUNT, WRITE_COLUMNS, bind_project, select};
use crate::db::{Ex, fetch_in};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

pub async fn get_many(ex: &mut Ex<'_>, ids: &[Uuid]) -> Result<Vec<Row>, sqlx::Error> {
    fetch_in(ex, &format!("{} WHERE p.id IN ({{in}})", select()), ids).await
}

pub async fn by_codes(ex: &mut Ex<'_>, codes: &[String]) -> Result<Vec<Row>, sqlx::Error> {
    fetch_in(ex, &format!("{} WHERE p.code IN ({{in}})", select()), codes).await
}

/// (id, name, region) of the projects with any of these names: rows name a project by name and region.
pub async fn ids_by_names(ex: &mut Ex<'_>, names: &[String]) -> Result<Vec<(Uuid, String, String)>, sqlx::Error> {
    fetch_in(ex, "SELECT id, name, region FROM projects WHERE name IN ({in})", names).await
}

/// (project, enterprise) pairs of these projects' investors.
pub async fn investors_of(ex: &mut Ex<'_>, projects: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>, sqlx::Error> {
    fetch_in(ex, "SELECT project_id, enterprise_id FROM project_investors WHERE project_id IN ({in})", projects).await
}

pub async fn insert_many(ex: &mut Ex<'_>, projects: &[&Project]) -> Result<(), sqlx::Error> {
    let head = format!("INSERT INTO projects ({WRITE_COLUMNS})");
    crate::q_insert_many!(ex, head, WRITE_COLUMN_COUNT, projects, |q, p| bind_project!(q, p))?;
    Ok(())
}

pub async fn add_investors(ex: &mut Ex<'_>, pairs: &[(Uuid, Uuid)]) -> Result<(), sqlx::Error> {
    crate::q_insert_many!(ex, "INSERT INTO project_investors (project_id, enterprise_id)", 2, pairs, |q, p| q
        .bind(p.0)
        .bind(p.1))?;
    Ok(())
}

/// A first stage-log entry: how the project came to be in the library.
pub struct Entry<'a> {
    pub project: Uuid,
    pub stage: super::stage::Stage,
    pub on: Date,
    pub note: &'a str,
    pub actor: &'a str,
}

pub async fn log_entries(ex: &mut Ex<'_>, entries: &[Entry<'_>]) -> Result<(), sqlx::Error> {
    let at = OffsetDateTime::now_utc();
    crate::q_insert_many!(
        ex,
        "INSERT INTO project_stage_log (id, project_id, from_stage, to_stage, happened_on, note, actor_name, at)",
        8,
        entries,
        |q, e| q
            .bind(Uuid::now_v7())
            .bind(e.project)
            .bind(None::<String>)
            .bind(e.stage)
            .bind(e.on)
            .bind(e.note)
            .bind(e.actor)
            .bind(at)
    )?;
    Ok(())
}

//! Filing a monthly report: checked against the project and its neighbouring months, late
//! when after the window, replacing an earlier filing of the same month only from its version.

use super::model::{Context, Input, YearMonth, check, is_late};
use super::store::{self, Report};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::domain::money::Money;
use crate::error::{AppError, AppResult};
use crate::projects::service::{invalid, today, visible};
use time::OffsetDateTime;
use uuid::Uuid;

pub async fn file(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    project_id: &str,
    version: Option<i64>,
    input: &Input,
) -> AppResult<Report> {
    let row = visible(db, user, Permission::FileReports, project_id).await?;
    let month = YearMonth::parse(&input.month).map_err(|e| AppError::field("month", e))?;
    let mut tx = db.begin().await?;
    let key = month.label();
    let existing = store::get(&mut tx.ex(), row.p.id, &key).await?;
    if let Some(e) = &existing {
        match version {
            Some(v) if v == e.version => {}
            Some(v) => {
                return Err(AppError::Conflict(format!(
                    "{key} 月的报表已被他人更新（您看到的是第 {v} 版，现为第 {} 版，由 {} 填报），请刷新后再改",
                    e.version, e.filed_by
                )));
            }
            None => {
                return Err(AppError::Conflict(format!(
                    "{key} 月的报表已由 {} 填报；如需更正请在该月报表上修改",
                    e.filed_by
                )));
            }
        }
    }
    let prev = store::neighbour(&mut tx.ex(), row.p.id, &key, true).await?;
    let next = store::neighbour(&mut tx.ex(), row.p.id, &key, false).await?;
    let ctx = Context {
        today: today(),
        total_investment: row.p.total_investment,
        previous: prev.and_then(|r| Some((YearMonth::parse(&r.month).ok()?, Money(r.invest_cumulative)))),
        following: next.and_then(|r| Some((YearMonth::parse(&r.month).ok()?, Money(r.invest_cumulative)))),
    };
    let p = check(input, &ctx).map_err(invalid)?;
    let now = OffsetDateTime::now_utc();
    let filed_on = today();
    let mut r = Report {
        id: existing.as_ref().map(|e| e.id).unwrap_or_else(Uuid::now_v7),
        project_id: row.p.id,
        month: key.clone(),
        invest_month: p.invest_month.0,
        invest_cumulative: p.invest_cumulative.0,
        funds_domestic: p.funds_domestic.0,
        funds_foreign_usd: p.funds_foreign_usd.0,
        tax: p.tax.0,
        jobs: p.jobs,
        output: p.output.0,
        progress: p.progress,
        problems: p.problems,
        in_stats: p.in_stats,
        late: is_late(month, filed_on),
        filed_on,
        filed_by: actor.name.clone(),
        created_at: existing.as_ref().map(|e| e.created_at).unwrap_or(now),
        updated_at: now,
        version: existing.as_ref().map(|e| e.version + 1).unwrap_or(1),
    };
    let before = existing.as_ref().map(|e| serde_json::to_value(e).unwrap_or_default());
    match &existing {
        Some(e) => {
            // A correction keeps the original lateness: filing on time and correcting later is not late.
            r.late = e.late;
            if !store::update(&mut tx.ex(), &r).await? {
                return Err(AppError::Conflict("该月报表刚被他人更新，请刷新后重试".into()));
            }
        }
        None => store::insert(&mut tx.ex(), &r).await?,
    }
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: if existing.is_some() { "report.correct" } else { "report.file" },
            entity: "project",
            entity_id: row.p.id.to_string(),
            region: Some(row.p.region.clone()),
            before,
            after: Some(serde_json::to_value(&r).unwrap_or_default()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(r)
}

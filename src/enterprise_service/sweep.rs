//! The overdue sweep: escalates every overdue open appeal one level (once per due date), and tells
//! handlers, raisers and supervising leaders about appeals due soon or overdue.
//!
//! It holds no state in memory and may run on every instance at once, as often as it likes: an
//! escalation is a conditional UPDATE on the appeal's version, `auto_escalated_due` remembers the due date
//! a pass has seen to (so an appeal is escalated and announced once per deadline), and every
//! notification has a per-user dedupe key. `serve` runs it on
//! a timer; `zhaoshang appeals sweep` runs it on demand. Every escalation is audited as 系统.

use super::appeals::act::{escalate, escalation_recipients, level_label, link, persist};
use super::appeals::model::{Action, Level, State};
use super::appeals::store;
use super::calendar::beijing_date;
use super::notifications::store as notify;
use super::{departments, settings};
use crate::audit::Actor;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Appeals escalated by this run.
    pub escalated: usize,
    /// Open appeals past their due date, after this pass.
    pub overdue: usize,
    /// Notifications newly sent (due soon and overdue).
    pub notified: u64,
}

/// Who hears about an overdue or due-soon appeal: the department's handlers, whoever raised it, and
/// the supervising leader.
async fn concerned(tx: &mut crate::db::Tx, a: &store::Appeal) -> AppResult<Vec<Uuid>> {
    let mut users = match a.department_id {
        Some(d) if State::parse(&a.state).is_ok_and(|s| s.with_department()) => {
            departments::store::handlers(&mut tx.ex(), d).await?
        }
        _ => vec![],
    };
    users.extend(a.created_by);
    users.extend(a.supervisor_id);
    Ok(users)
}

/// One pass as of `now`.
pub async fn run(db: &Db, now: OffsetDateTime) -> AppResult<Report> {
    let mut report = Report::default();
    let cal = {
        let mut conn = db.conn().await?;
        settings::store::calendar(&mut conn.ex()).await?
    };
    let today = beijing_date(now);
    let soon = cal.add_working_days(today, 1);
    let system = Actor::system();

    // Overdue appeals not yet handled for their current due date (`auto_escalated_due` remembers it), so
    // each is escalated and announced once per deadline and later passes cost nothing.
    let overdue = {
        let mut conn = db.conn().await?;
        store::overdue_unseen(&mut conn.ex(), today).await?
    };
    for row in overdue {
        let mut tx = db.begin().await?;
        let Some(current) = store::get(&mut tx.ex(), row.a.id).await? else { continue };
        let a = current.a.clone();
        if !current.state().is_open() || a.due_on >= today || a.auto_escalated_due == Some(a.due_on) {
            continue;
        }
        let days = (today - a.due_on).whole_days();
        let users = concerned(&mut tx, &a).await?;
        let can_rise = Level::parse(&a.level).ok().and_then(Level::above).is_some();
        if can_rise {
            let before = serde_json::to_value(&a).unwrap_or_default();
            let mut up = a.clone();
            up.auto_escalated_due = Some(a.due_on);
            let note = escalate(&mut up, now, &format!("逾期 {days} 天未办结，系统自动提级"))?;
            let tell = vec![(
                escalation_recipients(&mut tx.ex(), &current.region_path, &up.level).await?,
                "escalated",
                format!("诉求 {} 逾期未办结，已自动提级至{}：{}", up.number, level_label(&up.level), up.title),
            )];
            let state = current.state();
            match persist(&mut tx, &system, before, up, Action::Escalate, state, state, Some(note), tell, now).await {
                Ok(_) => report.escalated += 1,
                // Another instance escalated it first: this pass leaves it to that one.
                Err(AppError::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
        } else {
            // Already at the province: nothing to climb to; remember that this deadline was seen to.
            if store::mark_due_seen(&mut tx.ex(), a.id, a.due_on).await? == 0 {
                continue;
            }
        }
        let title = format!("诉求 {} 已逾期 {days} 天（期限 {}）：{}", a.number, a.due_on, a.title);
        report.notified += notify::send(
            &mut tx.ex(),
            &users,
            "overdue",
            Some(a.id),
            &title,
            &link(a.id),
            &format!("overdue:{}:{}", a.id, a.due_on),
        )
        .await?;
        tx.commit().await?;
    }

    let rows = {
        let mut conn = db.conn().await?;
        store::open_due_between(&mut conn.ex(), today, soon).await?
    };
    if !rows.is_empty() {
        let mut tx = db.begin().await?;
        for row in rows {
            let users = concerned(&mut tx, &row.a).await?;
            let when = if row.a.due_on == today { "今天".to_string() } else { row.a.due_on.to_string() };
            let title = format!("诉求 {} 将于{when}到期：{}", row.a.number, row.a.title);
            let key = format!("due_soon:{}:{}", row.a.id, row.a.due_on);
            report.notified +=
                notify::send(&mut tx.ex(), &users, "due_soon", Some(row.a.id), &title, &link(row.a.id), &key).await?;
        }
        tx.commit().await?;
    }
    report.overdue = {
        let mut conn = db.conn().await?;
        store::count_overdue(&mut conn.ex(), today).await? as usize
    };
    if report.escalated > 0 || report.notified > 0 {
        tracing::info!(
            escalated = report.escalated,
            overdue = report.overdue,
            notified = report.notified,
            "appeal sweep"
        );
    }
    Ok(report)
}

/// Runs the sweep every `minutes` until the process ends (errors are logged, the timer goes on).
pub fn spawn_timer(db: Db, minutes: u64) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(minutes.max(1) * 60));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(e) = run(&db, crate::audit::store::now_micros()).await {
                tracing::error!(error = %e, "appeal sweep failed");
            }
        }
    })
}

//! Moving an appeal: dispatch, sign, return, extend, resolve, evaluate, escalate, supervise. Each
//! move is checked by the state machine, made from the version the user saw, logged as an event,
//! audited, and tells the people concerned — all in one transaction.

use super::model::{
    ActInput, Action, Facts, Level, Satisfaction, Side, State, Supervision, check_input, may, next_state,
};
use super::service::visible;
use super::store::{self as store, Appeal};
use crate::accounts::authz::CurrentUser;
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Ex, Tx};
use crate::enterprise_service::calendar::{Calendar, due_date};
use crate::enterprise_service::notifications::store as notify;
use crate::enterprise_service::{departments, settings};
use crate::error::{AppError, AppResult, FieldError};
use time::OffsetDateTime;
use uuid::Uuid;

fn fields(errs: Vec<(String, String)>) -> AppError {
    crate::projects::service::invalid(errs.into_iter().map(|(field, message)| FieldError { field, message }).collect())
}

pub fn link(id: Uuid) -> String {
    format!("/service/appeals/{id}")
}

/// Makes a move on an appeal for a signed-in user. `version`: the one the user saw, if known.
pub async fn act(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: &str,
    version: Option<i64>,
    i: &ActInput,
) -> AppResult<Appeal> {
    let (row, access) = visible(db, user, id).await?;
    let action = Action::parse(&i.action).map_err(|e| AppError::field("action", e))?;
    let state = row.state();
    let side = if access.service && may(Side::Service, action, state) {
        Side::Service
    } else if access.department && may(Side::Department, action, state) {
        Side::Department
    } else if (action.side() == Side::Service && !access.service)
        || (action.side() == Side::Department && !access.department)
    {
        // Not this user's move at all: the other side's, or another department's appeal.
        return Err(AppError::Forbidden);
    } else {
        action.side()
    };
    let mut tx = db.begin().await?;
    let current = store::get(&mut tx.ex(), row.a.id).await?.ok_or(AppError::NotFound)?;
    if let Some(v) = version.filter(|v| *v != current.a.version) {
        return Err(AppError::Conflict(format!(
            "诉求 {} 已被他人处理（您看到的是第 {v} 版，现为第 {} 版，状态“{}”），您的操作未执行，请刷新后再操作",
            current.a.number,
            current.a.version,
            current.state().label()
        )));
    }
    let facts = Facts {
        satisfaction: Satisfaction::parse(&i.satisfaction).ok(),
        has_department: current.a.department_id.is_some(),
        on_the_spot: side == Side::Service,
    };
    let to = next_state(current.state(), action, facts).map_err(|e| AppError::field("action", e))?;
    check_input(action, i).map_err(fields)?;
    let cal = settings::store::calendar(&mut tx.ex()).await?;
    let a = apply(&mut tx, actor, current, action, to, i, &cal, crate::audit::store::now_micros()).await?;
    tx.commit().await?;
    Ok(a)
}

/// Dispatches a just-created appeal within its creating transaction.
pub async fn dispatch_in(tx: &mut Tx, actor: &Actor, a: Appeal, department: Uuid, cal: &Calendar) -> AppResult<Appeal> {
    let row = store::get(&mut tx.ex(), a.id).await?.ok_or(AppError::NotFound)?;
    let i = ActInput { action: "dispatch".into(), department: department.to_string(), ..Default::default() };
    apply(tx, actor, row, Action::Dispatch, State::Dispatched, &i, cal, a.updated_at).await
}

/// Applies a checked move to the appeal as it is in the database now.
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    tx: &mut Tx,
    actor: &Actor,
    row: store::Row,
    action: Action,
    to: State,
    i: &ActInput,
    cal: &Calendar,
    now: OffsetDateTime,
) -> AppResult<Appeal> {
    let from = row.state();
    let before = serde_json::to_value(&row.a).unwrap_or_default();
    let mut a = row.a.clone();
    let mut note: Option<String> = None;
    let mut tell: Vec<(Vec<Uuid>, &str, String)> = Vec::new();
    let creator: Vec<Uuid> = a.created_by.into_iter().collect();
    match action {
        Action::Dispatch => {
            let d =
                Uuid::parse_str(i.department.trim()).map_err(|_| AppError::field("department", "请选择承办部门"))?;
            let options = departments::store::for_region_chain(&mut tx.ex(), &row.region_path).await?;
            let dept = options.into_iter().find(|x| x.id == d).ok_or_else(|| {
                AppError::field("department", "所选部门不能承办该诉求：须是诉求所在地区或其上级地区的在用部门")
            })?;
            if from == State::Dispatched && a.department_id == Some(d) {
                return Err(AppError::field("department", format!("诉求已交办给{}，无须重复交办", dept.label())));
            }
            a.department_id = Some(d);
            a.dispatched_at = Some(now);
            note = Some(format!("交办{}", dept.label()));
            tell.push((
                departments::store::handlers(&mut tx.ex(), d).await?,
                "assigned",
                format!("新交办诉求 {}：{}（{} 前办结）", a.number, a.title, a.due_on),
            ));
        }
        Action::Accept => {
            a.accepted_at = a.accepted_at.or(Some(now));
        }
        Action::Return => {
            let reason = i.reason.trim().to_string();
            note = Some(format!("退回：{reason}"));
            a.return_reason = Some(reason);
            tell.push((creator.clone(), "returned", format!("诉求 {} 被{}退回，请改派", a.number, dept_name(&row))));
        }
        Action::RequestExtension => {
            let days: i64 = i.days.trim().parse().unwrap_or(0);
            a.extension_days = Some(days);
            a.extension_reason = Some(i.reason.trim().to_string());
            note = Some(format!("申请延期 {days} 个工作日：{}", i.reason.trim()));
            tell.push((creator.clone(), "extension", format!("诉求 {} 申请延期 {days} 个工作日，待审批", a.number)));
        }
        Action::ApproveExtension => {
            let days = a.extension_days.unwrap_or(0).clamp(0, 365) as u32;
            let old = a.due_on;
            a.due_on = cal.add_working_days(a.due_on, days);
            a.extended = true;
            a.extension_days = None;
            note = Some(format!("批准延期 {days} 个工作日：期限由 {old} 延至 {}", a.due_on));
            if let Some(d) = a.department_id {
                tell.push((
                    departments::store::handlers(&mut tx.ex(), d).await?,
                    "extension",
                    format!("诉求 {} 延期已批准，新期限 {}", a.number, a.due_on),
                ));
            }
        }
        Action::RejectExtension => {
            a.extension_days = None;
            note = Some(format!("不批准延期：{}", i.reason.trim()));
            if let Some(d) = a.department_id {
                tell.push((
                    departments::store::handlers(&mut tx.ex(), d).await?,
                    "extension",
                    format!("诉求 {} 延期未获批准，期限仍为 {}", a.number, a.due_on),
                ));
            }
        }
        Action::Resolve => {
            a.answer = Some(i.answer.trim().to_string());
            a.resolved_at = Some(now);
            a.extension_days = None;
            if from == State::Pending {
                a.accepted_at = a.accepted_at.or(Some(now));
                note = Some("当场答复".into());
            }
            tell.push((creator.clone(), "resolved", format!("诉求 {} 已办结，请回访企业并录入评价", a.number)));
        }
        Action::Evaluate => {
            let s = Satisfaction::parse(&i.satisfaction).map_err(|e| AppError::field("satisfaction", e))?;
            a.satisfaction = Some(s.label().into());
            a.evaluated_at = Some(now);
            a.evaluation_note = Some(i.note.trim().to_string()).filter(|n| !n.is_empty());
            note = Some(match &a.evaluation_note {
                Some(n) => format!("企业评价：{}（{n}）", s.label()),
                None => format!("企业评价：{}", s.label()),
            });
            if s == Satisfaction::Unsatisfied {
                // Reopened: handled again, on a fresh deadline from today.
                let previous = a.answer.take().unwrap_or_default();
                note = Some(format!("企业评价：不满意（{}），重新办理；原答复：{previous}", i.note.trim()));
                a.reopen_count += 1;
                a.resolved_at = None;
                a.due_on = due_date(now, a.tier_days.clamp(1, 365) as u32, cal);
                a.auto_escalated_due = None;
                if let Some(d) = a.department_id {
                    tell.push((
                        departments::store::handlers(&mut tx.ex(), d).await?,
                        "reopened",
                        format!("诉求 {} 企业不满意，重新办理，{} 前办结", a.number, a.due_on),
                    ));
                }
            }
        }
        Action::Escalate => {
            let reason = i.reason.trim().to_string();
            note = Some(escalate(&mut a, now, &reason)?);
            tell.push((
                escalation_recipients(&mut tx.ex(), &row.region_path, &a.level).await?,
                "escalated",
                format!("诉求 {} 已提级至{}：{}", a.number, level_label(&a.level), a.title),
            ));
        }
        Action::Supervise => {
            let level = Supervision::parse(&i.supervision).map_err(|e| AppError::field("supervision", e))?;
            let leaders = store::leaders(&mut tx.ex(), &row.region_path).await?;
            let who = i.supervisor.trim();
            let (uid, name) = leaders
                .into_iter()
                .find(|(id, username, _)| id.to_string() == who || username == who)
                .map(|(id, _, name)| (id, name))
                .ok_or_else(|| AppError::field("supervisor", format!("“{who}”不是管辖该诉求的领导")))?;
            a.supervision = Some(level.label().into());
            a.supervisor_id = Some(uid);
            a.supervisor_name = Some(name.clone());
            note = Some(format!("{}督办，督办领导：{name}", level.label()));
            tell.push((
                vec![uid],
                "supervised",
                format!("请督办诉求 {}（{}督办）：{}", a.number, level.label(), a.title),
            ));
        }
    }
    persist(tx, actor, before, a, action, from, to, note, tell, now).await
}

/// Writes a moved appeal if nobody moved it first, with its event, audit record and notifications.
#[allow(clippy::too_many_arguments)]
pub async fn persist(
    tx: &mut Tx,
    actor: &Actor,
    before: serde_json::Value,
    mut a: Appeal,
    action: Action,
    from: State,
    to: State,
    note: Option<String>,
    tell: Vec<(Vec<Uuid>, &str, String)>,
    now: OffsetDateTime,
) -> AppResult<Appeal> {
    a.state = to.code().into();
    a.updated_at = now;
    a.version += 1;
    if !store::update(&mut tx.ex(), &a).await? {
        return Err(AppError::Conflict(format!("诉求 {} 刚被他人处理，您的操作未执行，请刷新后重试", a.number)));
    }
    store::log(&mut tx.ex(), a.id, now, &actor.name, action.code(), Some(from.code()), to.code(), note.as_deref())
        .await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: audit_action(action),
            entity: "appeal",
            entity_id: a.id.to_string(),
            region: Some(a.region.clone()),
            before: Some(before),
            after: Some(serde_json::to_value(&a).unwrap_or_default()),
        },
    )
    .await?;
    for (users, kind, title) in tell {
        let key = format!("{kind}:{}:{}", a.id, a.version);
        notify::send(&mut tx.ex(), &users, kind, Some(a.id), &title, &link(a.id), &key).await?;
    }
    Ok(a)
}

fn audit_action(a: Action) -> &'static str {
    match a {
        Action::Dispatch => "appeal.dispatch",
        Action::Accept => "appeal.accept",
        Action::Return => "appeal.return",
        Action::RequestExtension => "appeal.request_extension",
        Action::ApproveExtension => "appeal.approve_extension",
        Action::RejectExtension => "appeal.reject_extension",
        Action::Resolve => "appeal.resolve",
        Action::Evaluate => "appeal.evaluate",
        Action::Escalate => "appeal.escalate",
        Action::Supervise => "appeal.supervise",
    }
}

fn dept_name(row: &store::Row) -> String {
    row.department_name.clone().unwrap_or_else(|| "承办部门".into())
}

pub fn level_label(code: &str) -> &'static str {
    Level::parse(code).map(|l| l.label()).unwrap_or("")
}

/// Raises the appeal one level; the event's note.
pub fn escalate(a: &mut Appeal, now: OffsetDateTime, reason: &str) -> AppResult<String> {
    let level = Level::parse(&a.level).unwrap_or(Level::County);
    let up = level.above().ok_or_else(|| AppError::field("action", "诉求已在省级协调，不能再提级"))?;
    a.level = up.code().into();
    a.escalations += 1;
    a.escalated_at = Some(now);
    Ok(format!("由{}提级至{}：{reason}", level.label(), up.label()))
}

/// The region code at a coordinating level on the appeal region's path ("/43/4301/430112/…").
pub fn level_region(region_path: &str, level: &str) -> Option<String> {
    let codes: Vec<&str> = region_path.split('/').filter(|c| !c.is_empty()).collect();
    let i = match level {
        "province" => 0,
        "city" => 1,
        _ => 2,
    };
    codes.get(i).map(|c| c.to_string())
}

/// Leaders and specialists whose scope is the region at `level` above the appeal.
pub async fn escalation_recipients(ex: &mut Ex<'_>, region_path: &str, level: &str) -> Result<Vec<Uuid>, sqlx::Error> {
    let Some(code) = level_region(region_path, level) else { return Ok(vec![]) };
    store::coordinators(ex, &code).await
}

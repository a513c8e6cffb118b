//! One demo appeal and its history as far as it got by today: dispatched (sometimes first to the
//! wrong department and returned), signed for, sometimes extended, answered mostly on time, rated —
//! now and then 不满意 and reopened — or, for a few, overdue and escalated by the sweep.

use super::rng::Rng;
use super::service_data::after_days as after;
use super::service_data::at;
use crate::db::Ex;
use crate::enterprise_service::appeals::model::{Level, State};
use crate::enterprise_service::appeals::store::{self as astore, Appeal};
use crate::enterprise_service::calendar::{Calendar, beijing_date, due_date};
use crate::enterprise_service::departments;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

pub struct AppealSeed<'a> {
    pub visit: Option<Uuid>,
    pub project: Option<Uuid>,
    pub enterprise: Option<Uuid>,
    pub enterprise_name: &'a str,
    pub region: &'a str,
    pub level: &'a str,
    pub category: &'a str,
    pub title: String,
    pub department: Option<Uuid>,
    pub received: OffsetDateTime,
    pub by: Uuid,
    pub by_name: &'a str,
    pub leader: Uuid,
    pub today: Date,
}

/// One appeal and its history, as far as it got by today.
pub async fn appeal(ex: &mut Ex<'_>, cal: &Calendar, rng: &mut Rng, s: AppealSeed<'_>) -> anyhow::Result<Appeal> {
    let (tier, tier_days): (&str, i64) = match s.category {
        "01" => ("complex", 15),
        "05" => ("urgent", 2),
        _ => ("normal", 7),
    };
    let received_day = beijing_date(s.received);
    let age = cal.working_days_between(received_day, s.today);
    let mut a = Appeal {
        id: Uuid::now_v7(),
        number: astore::next_number(ex, received_day.year()).await?,
        title: s.title.clone(),
        detail: format!("{}反映：{}。请相关部门协调解决。", s.enterprise_name, s.title),
        category: s.category.into(),
        tier: tier.into(),
        tier_days,
        source: if s.visit.is_some() {
            "visit"
        } else if s.project.is_some() {
            "project"
        } else {
            "direct"
        }
        .into(),
        visit_id: s.visit,
        project_id: s.project,
        enterprise_id: s.enterprise,
        region: s.region.into(),
        level: Level::of_region_level(s.level).code().into(),
        department_id: None,
        state: State::Pending.code().into(),
        contact: Some(format!("{}经理 0731-8{:07}", rng.pick(&["王", "李", "张", "刘"]), rng.range(0, 9_999_999))),
        received_at: s.received,
        due_on: due_date(s.received, tier_days as u32, cal),
        dispatched_at: None,
        accepted_at: None,
        resolved_at: None,
        answer: None,
        satisfaction: None,
        evaluated_at: None,
        evaluation_note: None,
        reopen_count: 0,
        return_reason: None,
        extension_days: None,
        extension_reason: None,
        extended: false,
        supervision: None,
        supervisor_id: None,
        supervisor_name: None,
        escalations: 0,
        escalated_at: None,
        auto_escalated_due: None,
        created_by: Some(s.by),
        created_by_name: s.by_name.into(),
        is_demo: true,
        created_at: s.received,
        updated_at: s.received,
        version: 1,
    };
    let mut events: Vec<(OffsetDateTime, String, &str, Option<State>, State, Option<String>)> =
        vec![(s.received, s.by_name.into(), "create", None, State::Pending, Some(a.title.clone()))];
    let Some(dept) = s.department.filter(|_| age >= 2 || rng.chance(50)) else {
        return finish(ex, a, events).await;
    };
    let dept_name = departments::store::get(ex, dept).await?.map(|d| d.label()).unwrap_or_default();
    let handler_name = format!("演示：{dept_name}");
    // Dispatched the day it came in, or the next working day.
    let dispatched = after(s.received, rng.range(0, 2) as u32, cal, rng).max(s.received + Duration::minutes(30));
    if beijing_date(dispatched) > s.today {
        return finish(ex, a, events).await;
    }
    a.department_id = Some(dept);
    a.dispatched_at = Some(dispatched);
    a.state = State::Dispatched.code().into();
    events.push((
        dispatched,
        s.by_name.into(),
        "dispatch",
        Some(State::Pending),
        State::Dispatched,
        Some(format!("交办{dept_name}")),
    ));
    // Now and then the first department is the wrong one: returned, then given to the right one.
    let mut dispatched = dispatched;
    if rng.chance(6) {
        let wrong = departments::store::for_region_chain(ex, "/43/4301/")
            .await?
            .into_iter()
            .find(|d| d.id != dept && d.region == "4301");
        if let Some(w) = wrong {
            events.pop();
            let t0 = dispatched;
            events.push((
                t0,
                s.by_name.into(),
                "dispatch",
                Some(State::Pending),
                State::Dispatched,
                Some(format!("交办{}", w.label())),
            ));
            let why = format!("不属本部门职责，建议交{dept_name}");
            events.push((
                t0 + Duration::hours(1),
                format!("演示：{}", w.label()),
                "return",
                Some(State::Dispatched),
                State::Returned,
                Some(format!("退回：{why}")),
            ));
            let redo = t0 + Duration::hours(4);
            events.push((
                redo,
                s.by_name.into(),
                "dispatch",
                Some(State::Returned),
                State::Dispatched,
                Some(format!("交办{dept_name}")),
            ));
            a.return_reason = Some(why);
            a.dispatched_at = Some(redo);
            dispatched = redo;
        }
    }
    let accepted = after(dispatched, rng.range(0, 2) as u32, cal, rng).max(dispatched + Duration::minutes(20));
    if age < 1 || beijing_date(accepted) > s.today {
        return finish(ex, a, events).await;
    }
    a.accepted_at = Some(accepted);
    a.state = State::Handling.code().into();
    events.push((accepted, handler_name.clone(), "accept", Some(State::Dispatched), State::Handling, None));
    // A few are overdue and still open: escalated by the sweep, one with 重点督办.
    let roll = rng.range(0, 100);
    if roll < 5 && age > tier_days + 1 {
        let overdue_on = cal.add_working_days(a.due_on, 1);
        let esc = at(overdue_on, rng);
        if let Some(up) = Level::parse(&a.level).ok().and_then(Level::above) {
            events.push((
                esc,
                "系统".into(),
                "escalate",
                Some(State::Handling),
                State::Handling,
                Some(format!(
                    "由{}提级至{}：逾期未办结，系统自动提级",
                    Level::parse(&a.level).map(|l| l.label()).unwrap_or(""),
                    up.label()
                )),
            ));
            a.level = up.code().into();
            a.escalations = 1;
            a.escalated_at = Some(esc);
            a.auto_escalated_due = Some(a.due_on);
        }
        if roll < 3 {
            a.supervision = Some("重点".into());
            a.supervisor_id = Some(s.leader);
            a.supervisor_name = Some("长沙市领导（演示）".into());
            events.push((
                esc + Duration::hours(2),
                s.by_name.into(),
                "supervise",
                Some(State::Handling),
                State::Handling,
                Some("重点督办，督办领导：长沙市领导（演示）".into()),
            ));
        }
        return finish(ex, a, events).await;
    }
    // Some ask for more time, and get it.
    if roll < 14 {
        let ask = after(accepted, 1, cal, rng);
        let approved = ask + Duration::hours(3);
        if beijing_date(approved) <= s.today {
            events.push((
                ask,
                handler_name.clone(),
                "request_extension",
                Some(State::Handling),
                State::ExtensionRequested,
                Some("申请延期 5 个工作日：需现场勘测".into()),
            ));
            let old = a.due_on;
            a.due_on = cal.add_working_days(a.due_on, 5);
            a.extended = true;
            events.push((
                approved,
                s.by_name.into(),
                "approve_extension",
                Some(State::ExtensionRequested),
                State::Handling,
                Some(format!("批准延期 5 个工作日：期限由 {old} 延至 {}", a.due_on)),
            ));
        }
    }
    // Answered after some working days: mostly within the deadline, one in ten late.
    let days = if rng.chance(90) { rng.range(1, tier_days + 1) } else { tier_days + rng.range(1, 6) };
    let resolved = after(accepted, days as u32, cal, rng).max(accepted + Duration::hours(1));
    if beijing_date(resolved) >= s.today {
        return finish(ex, a, events).await;
    }
    a.resolved_at = Some(resolved);
    a.answer = Some(format!("经{dept_name}协调，已就“{}”提出解决方案并落实，已电话告知企业。", a.title));
    a.state = State::Resolved.code().into();
    events.push((resolved, handler_name.clone(), "resolve", Some(State::Handling), State::Resolved, None));
    let evaluated = resolved + Duration::days(rng.range(1, 11));
    if beijing_date(evaluated) >= s.today {
        return finish(ex, a, events).await;
    }
    let sat = match rng.range(0, 100) {
        0..=71 => "满意",
        72..=91 => "基本满意",
        _ => "不满意",
    };
    a.satisfaction = Some(sat.into());
    a.evaluated_at = Some(evaluated);
    if sat == "不满意" {
        // Reopened, then answered again and rated 基本满意 when there was time.
        a.reopen_count = 1;
        a.evaluation_note = Some("问题仅部分解决".into());
        events.push((
            evaluated,
            s.by_name.into(),
            "evaluate",
            Some(State::Resolved),
            State::Handling,
            Some("企业评价：不满意（问题仅部分解决），重新办理".into()),
        ));
        a.due_on = due_date(evaluated, tier_days as u32, cal);
        a.resolved_at = None;
        a.state = State::Handling.code().into();
        let again = after(evaluated, rng.range(2, tier_days.max(3)) as u32, cal, rng);
        if beijing_date(again) + Duration::days(3) < s.today {
            a.resolved_at = Some(again);
            events.push((again, handler_name, "resolve", Some(State::Handling), State::Resolved, None));
            let eval2 = again + Duration::days(2);
            a.satisfaction = Some("基本满意".into());
            a.evaluation_note = None;
            a.evaluated_at = Some(eval2);
            a.state = State::Evaluated.code().into();
            events.push((
                eval2,
                s.by_name.into(),
                "evaluate",
                Some(State::Resolved),
                State::Evaluated,
                Some("企业评价：基本满意".into()),
            ));
        }
    } else {
        a.state = State::Evaluated.code().into();
        events.push((
            evaluated,
            s.by_name.into(),
            "evaluate",
            Some(State::Resolved),
            State::Evaluated,
            Some(format!("企业评价：{sat}")),
        ));
    }
    finish(ex, a, events).await
}

async fn finish(
    ex: &mut Ex<'_>,
    mut a: Appeal,
    events: Vec<(OffsetDateTime, String, &str, Option<State>, State, Option<String>)>,
) -> anyhow::Result<Appeal> {
    a.version = events.len() as i64;
    a.updated_at = events.last().map(|e| e.0).unwrap_or(a.received_at);
    astore::insert(ex, &a).await?;
    for (t, who, action, from, to, note) in events {
        astore::log(ex, a.id, t, &who, action, from.map(|s| s.code()), to.code(), note.as_deref()).await?;
    }
    Ok(a)
}

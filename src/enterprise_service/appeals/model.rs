//! Appeals (诉求): their states, the moves between them and who makes each move. Pure.
//!
//! ```text
//! 待受理 ──交办──▶ 已交办 ──签收──▶ 办理中 ──办结（书面答复）──▶ 已办结 ──评价 满意/基本满意──▶ 已评价
//!   │  ▲            │  ▲  │          │  ▲  │                        │
//!   │  └──改派──────┘  │  └─退回──▶ 已退回 ◀─退回─┘  │                        └──评价 不满意──▶ 办理中（重办）
//!   │                  │                              └──申请延期──▶ 延期待批 ──批准/不批准──▶ 办理中
//!   └──当场答复（办结）──▶ 已办结
//! ```
//! Escalation (提级, county → city → province) and 督办 (普通/重点, with a supervising leader) change
//! no state; they apply to any open appeal.

use serde::Serialize;

macro_rules! coded {
    ($name:ident, $what:literal, [$($v:ident = $code:literal / $label:literal),+ $(,)?]) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn code(self) -> &'static str { match self { $($name::$v => $code),+ } }
            pub fn label(self) -> &'static str { match self { $($name::$v => $label),+ } }
            /// From the code or the Chinese label.
            pub fn parse(s: &str) -> Result<$name, String> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.code() == s || v.label() == s).ok_or_else(|| {
                    let all: Vec<_> = $name::ALL.iter().map(|v| v.label()).collect();
                    format!("{}“{s}”无效，可选：{}", $what, all.join("、"))
                })
            }
        }
    };
}

coded!(
    State,
    "诉求状态",
    [
        Pending = "pending" / "待受理",
        Dispatched = "dispatched" / "已交办",
        Handling = "handling" / "办理中",
        ExtensionRequested = "extension_requested" / "延期待批",
        Returned = "returned" / "已退回",
        Resolved = "resolved" / "已办结",
        Evaluated = "evaluated" / "已评价",
    ]
);

coded!(
    Action,
    "操作",
    [
        Dispatch = "dispatch" / "交办",
        Accept = "accept" / "签收",
        Return = "return" / "退回",
        RequestExtension = "request_extension" / "申请延期",
        ApproveExtension = "approve_extension" / "批准延期",
        RejectExtension = "reject_extension" / "不批准延期",
        Resolve = "resolve" / "办结",
        Evaluate = "evaluate" / "评价",
        Escalate = "escalate" / "提级",
        Supervise = "supervise" / "督办",
    ]
);

coded!(
    Satisfaction,
    "满意度",
    [Satisfied = "satisfied" / "满意", Basic = "basic" / "基本满意", Unsatisfied = "unsatisfied" / "不满意",]
);

coded!(Source, "诉求来源", [Visit = "visit" / "走访", Project = "project" / "项目", Direct = "direct" / "直接受理"]);

coded!(Level, "办理层级", [County = "county" / "县级", City = "city" / "市级", Province = "province" / "省级"]);

coded!(Supervision, "督办级别", [Normal = "normal" / "普通", Key = "key" / "重点"]);

impl State {
    /// Still to be solved: counted as open, can go overdue and be escalated.
    pub fn is_open(self) -> bool {
        !matches!(self, State::Resolved | State::Evaluated)
    }
    /// The department is working on it (its inbox shows these).
    pub fn with_department(self) -> bool {
        matches!(self, State::Dispatched | State::Handling | State::ExtensionRequested)
    }
}

impl Level {
    /// The coordinating level an appeal starts at: its owning region's (a park counts as its county).
    pub fn of_region_level(level: &str) -> Level {
        match level {
            "province" => Level::Province,
            "city" => Level::City,
            _ => Level::County,
        }
    }
    pub fn above(self) -> Option<Level> {
        match self {
            Level::County => Some(Level::City),
            Level::City => Some(Level::Province),
            Level::Province => None,
        }
    }
    /// The region-tree level (as stored on regions) this coordinating level sits at.
    pub fn region_level(self) -> &'static str {
        match self {
            Level::County => "county",
            Level::City => "city",
            Level::Province => "province",
        }
    }
}

/// Who makes a move: the service side (服务专员, who raise, dispatch, approve and record the
/// evaluation) or the department (部门办理人). The overdue sweep escalates as the service side would,
/// audited as 系统.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Service,
    Department,
}

impl Action {
    pub fn side(self) -> Side {
        match self {
            Action::Accept | Action::Return | Action::RequestExtension | Action::Resolve => Side::Department,
            _ => Side::Service,
        }
    }

    /// The states this move starts from.
    pub fn from_states(self) -> &'static [State] {
        use State::*;
        match self {
            Action::Dispatch => &[Pending, Dispatched, Returned],
            Action::Accept => &[Dispatched],
            Action::Return => &[Dispatched, Handling],
            Action::RequestExtension => &[Handling],
            Action::ApproveExtension | Action::RejectExtension => &[ExtensionRequested],
            Action::Resolve => &[Handling, ExtensionRequested],
            Action::Evaluate => &[Resolved],
            Action::Escalate | Action::Supervise => &[Pending, Dispatched, Handling, ExtensionRequested, Returned],
        }
    }
}

/// What a move needs to know besides the state.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts {
    /// The evaluation given (for `Evaluate`).
    pub satisfaction: Option<Satisfaction>,
    /// Whether a department has the appeal (a reopened appeal goes back to it).
    pub has_department: bool,
    /// The service side answering on the spot, without a department.
    pub on_the_spot: bool,
}

/// The state after `action` from `from`, or why the move is not allowed — in words an official reads.
pub fn next_state(from: State, action: Action, f: Facts) -> Result<State, String> {
    // The service side may answer a pending appeal on the spot (当场答复): resolving without a department.
    let on_the_spot = action == Action::Resolve && from == State::Pending && f.on_the_spot;
    if !action.from_states().contains(&from) && !on_the_spot {
        let allowed: Vec<String> = action.from_states().iter().map(|s| format!("“{}”", s.label())).collect();
        let mut msg = format!(
            "诉求当前为“{}”，不能{}：{}只适用于{}的诉求",
            from.label(),
            action.label(),
            action.label(),
            allowed.join("、")
        );
        if let Some(hint) = hint(from) {
            msg.push('；');
            msg.push_str(hint);
        }
        return Err(msg);
    }
    Ok(match action {
        Action::Dispatch => State::Dispatched,
        Action::Accept => State::Handling,
        Action::Return => State::Returned,
        Action::RequestExtension => State::ExtensionRequested,
        Action::ApproveExtension | Action::RejectExtension => State::Handling,
        Action::Resolve => State::Resolved,
        Action::Evaluate => match f.satisfaction {
            None => return Err("评价须选择满意、基本满意或不满意".into()),
            Some(Satisfaction::Unsatisfied) if f.has_department => State::Handling,
            Some(Satisfaction::Unsatisfied) => State::Pending,
            Some(_) => State::Evaluated,
        },
        Action::Escalate | Action::Supervise => from,
    })
}

/// What can be done next, said plainly.
fn hint(from: State) -> Option<&'static str> {
    Some(match from {
        State::Pending => "请先交办给承办部门",
        State::Dispatched => "请承办部门先签收",
        State::Returned => "请改派其他部门",
        State::Resolved => "请回访企业并录入评价",
        State::Evaluated => "诉求已评价完结；企业不满意时评价会自动重新打开诉求",
        _ => return None,
    })
}

/// Whether `side` makes `action` from `from`: the department's moves are the department's, except that
/// the service side answers a pending appeal on the spot (当场答复).
pub fn may(side: Side, action: Action, from: State) -> bool {
    if action == Action::Resolve && from == State::Pending {
        return side == Side::Service;
    }
    action.side() == side && action.from_states().contains(&from)
}

/// The moves `side` could make now, for the buttons a page shows.
pub fn available(from: State, side: Side) -> Vec<Action> {
    Action::ALL.iter().copied().filter(|a| may(side, *a, from)).collect()
}

/// Limits on typed text.
pub const MIN_ANSWER_CHARS: usize = 10;
pub const MAX_EXTENSION_DAYS: i64 = 30;

/// Checks what a move needs typed in: all errors at once as (field, message).
pub fn check_input(action: Action, i: &ActInput) -> Result<(), Vec<(String, String)>> {
    let mut errs: Vec<(String, String)> = Vec::new();
    fn need(errs: &mut Vec<(String, String)>, field: &str, value: &str, what: &str) {
        if value.trim().is_empty() {
            errs.push((field.to_string(), what.to_string()));
        }
    }
    match action {
        Action::Dispatch => need(&mut errs, "department", &i.department, "交办须选择承办部门"),
        Action::Return => need(&mut errs, "reason", &i.reason, "退回须说明原因（如：不属于本部门职责，建议交某部门）"),
        Action::RequestExtension => {
            need(&mut errs, "reason", &i.reason, "申请延期须说明原因");
            match i.days.trim().parse::<i64>() {
                Ok(d) if (1..=MAX_EXTENSION_DAYS).contains(&d) => {}
                _ => errs
                    .push(("days".into(), format!("延期天数“{}”应为 1–{MAX_EXTENSION_DAYS} 个工作日", i.days.trim()))),
            }
        }
        Action::RejectExtension => need(&mut errs, "reason", &i.reason, "不批准延期须说明理由"),
        Action::Resolve => {
            let n = i.answer.trim().chars().count();
            if n < MIN_ANSWER_CHARS {
                errs.push((
                    "answer".into(),
                    format!("办结须填写书面答复（至少 {MIN_ANSWER_CHARS} 个字，说明办理结果；现为 {n} 个字）"),
                ));
            }
        }
        Action::Evaluate => match Satisfaction::parse(&i.satisfaction) {
            Ok(Satisfaction::Unsatisfied) => need(&mut errs, "note", &i.note, "企业不满意时须记录原因，诉求将重新办理"),
            Ok(_) => {}
            Err(e) => errs.push(("satisfaction".into(), e)),
        },
        Action::Escalate => need(&mut errs, "reason", &i.reason, "提级须说明原因"),
        Action::Supervise => {
            if let Err(e) = Supervision::parse(&i.supervision) {
                errs.push(("supervision".into(), e));
            }
            need(&mut errs, "supervisor", &i.supervisor, "督办须选择督办领导");
        }
        Action::Accept | Action::ApproveExtension => {}
    }
    for (field, value, max) in [("reason", &i.reason, 500), ("note", &i.note, 500), ("answer", &i.answer, 4000)] {
        if value.chars().count() > max {
            errs.push((field.into(), format!("内容不能超过 {max} 个字")));
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

/// What a form or an API body carries for a move.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActInput {
    pub action: String,
    pub department: String,
    pub reason: String,
    pub days: String,
    pub answer: String,
    pub satisfaction: String,
    pub note: String,
    pub supervision: String,
    pub supervisor: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use State::*;

    fn go(from: State, a: Action) -> Result<State, String> {
        next_state(from, a, Facts { has_department: true, ..Default::default() })
    }

    #[test]
    fn the_main_line_runs_from_pending_to_evaluated() {
        assert_eq!(go(Pending, Dispatch), Ok(Dispatched));
        assert_eq!(go(Dispatched, Accept), Ok(Handling));
        assert_eq!(go(Handling, Resolve), Ok(Resolved));
        let f = Facts { satisfaction: Some(Satisfaction::Satisfied), has_department: true, on_the_spot: false };
        assert_eq!(next_state(Resolved, Evaluate, f), Ok(Evaluated));
        let f = Facts { satisfaction: Some(Satisfaction::Basic), ..f };
        assert_eq!(next_state(Resolved, Evaluate, f), Ok(Evaluated));
    }

    #[test]
    fn returns_extensions_and_redispatch() {
        assert_eq!(go(Dispatched, Return), Ok(Returned));
        assert_eq!(go(Handling, Return), Ok(Returned));
        assert_eq!(go(Returned, Dispatch), Ok(Dispatched));
        assert_eq!(go(Dispatched, Dispatch), Ok(Dispatched), "改派 before the department signs");
        assert_eq!(go(Handling, RequestExtension), Ok(ExtensionRequested));
        assert_eq!(go(ExtensionRequested, ApproveExtension), Ok(Handling));
        assert_eq!(go(ExtensionRequested, RejectExtension), Ok(Handling));
        assert_eq!(go(ExtensionRequested, Resolve), Ok(Resolved));
    }

    #[test]
    fn dissatisfaction_reopens_the_appeal() {
        let f = Facts { satisfaction: Some(Satisfaction::Unsatisfied), has_department: true, on_the_spot: false };
        assert_eq!(next_state(Resolved, Evaluate, f), Ok(Handling));
        let f = Facts { has_department: false, ..f };
        assert_eq!(next_state(Resolved, Evaluate, f), Ok(Pending), "answered on the spot: back to the service side");
        let none = Facts { has_department: true, ..Default::default() };
        assert!(next_state(Resolved, Evaluate, none).unwrap_err().contains("须选择"));
    }

    #[test]
    fn escalation_and_supervision_keep_the_state_of_any_open_appeal() {
        for s in [Pending, Dispatched, Handling, ExtensionRequested, Returned] {
            assert_eq!(go(s, Escalate), Ok(s));
            assert_eq!(go(s, Supervise), Ok(s));
        }
        assert!(go(Resolved, Escalate).is_err());
        assert!(go(Evaluated, Supervise).is_err());
    }

    #[test]
    fn an_illegal_move_is_refused_with_a_clear_message() {
        let e = go(Evaluated, Return).unwrap_err();
        assert_eq!(
            e,
            "诉求当前为“已评价”，不能退回：退回只适用于“已交办”、“办理中”的诉求；诉求已评价完结；企业不满意时评价会自动重新打开诉求"
        );
        let e = go(Pending, Accept).unwrap_err();
        assert!(e.contains("不能签收") && e.contains("请先交办给承办部门"), "{e}");
        let e = go(Dispatched, Resolve).unwrap_err();
        assert!(e.contains("请承办部门先签收"), "{e}");
        assert!(go(Pending, Resolve).is_err(), "only the service side answers on the spot");
        let spot = Facts { on_the_spot: true, ..Default::default() };
        assert_eq!(next_state(Pending, Resolve, spot), Ok(Resolved));
        assert!(go(Handling, Evaluate).unwrap_err().ends_with("评价只适用于“已办结”的诉求"));
    }

    #[test]
    fn each_side_sees_only_its_own_moves() {
        assert_eq!(available(Dispatched, Side::Department), vec![Accept, Return]);
        assert_eq!(available(Handling, Side::Department), vec![Return, RequestExtension, Resolve]);
        assert_eq!(available(Pending, Side::Service), vec![Dispatch, Resolve, Escalate, Supervise]);
        assert!(!may(Side::Department, Resolve, Pending) && may(Side::Department, Resolve, Handling));
        assert_eq!(
            available(ExtensionRequested, Side::Service),
            vec![ApproveExtension, RejectExtension, Escalate, Supervise]
        );
        assert_eq!(available(Resolved, Side::Service), vec![Evaluate]);
        assert!(available(Evaluated, Side::Service).is_empty());
    }

    #[test]
    fn levels_climb_from_county_to_province() {
        assert_eq!(Level::of_region_level("park"), Level::County);
        assert_eq!(Level::of_region_level("city"), Level::City);
        assert_eq!(Level::County.above(), Some(Level::City));
        assert_eq!(Level::City.above(), Some(Level::Province));
        assert_eq!(Level::Province.above(), None);
    }

    #[test]
    fn each_move_asks_for_what_it_needs() {
        let empty = ActInput::default();
        let fields = |a| check_input(a, &empty).unwrap_err().into_iter().map(|(f, _)| f).collect::<Vec<_>>();
        assert_eq!(fields(Dispatch), ["department"]);
        assert_eq!(fields(Return), ["reason"]);
        assert_eq!(fields(RequestExtension), ["reason", "days"]);
        assert_eq!(fields(Resolve), ["answer"]);
        assert_eq!(fields(Evaluate), ["satisfaction"]);
        assert_eq!(fields(Supervise), ["supervision", "supervisor"]);
        assert!(check_input(Accept, &empty).is_ok());
        let short = ActInput { answer: "已解决".into(), ..Default::default() };
        let e = check_input(Resolve, &short).unwrap_err();
        assert!(e[0].1.contains("至少 10 个字") && e[0].1.contains("现为 3 个字"), "{e:?}");
        let unhappy = ActInput { satisfaction: "不满意".into(), ..Default::default() };
        assert_eq!(check_input(Evaluate, &unhappy).unwrap_err()[0].0, "note");
        let days = ActInput { reason: "需现场勘测".into(), days: "45".into(), ..Default::default() };
        assert!(check_input(RequestExtension, &days).unwrap_err()[0].1.contains("1–30"));
    }

    #[test]
    fn codes_and_labels_both_parse() {
        assert_eq!(State::parse("办理中"), Ok(Handling));
        assert_eq!(Action::parse("resolve"), Ok(Resolve));
        assert_eq!(Satisfaction::parse("基本满意"), Ok(Satisfaction::Basic));
        assert!(Action::parse("delete").unwrap_err().contains("可选"));
    }
}

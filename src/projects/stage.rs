//! The lifecycle: stages move by named transitions, each asking for what that step means.
//! Health (正常/滞后/停滞/退出) is kept apart from stage, in health.rs.

pub use super::health::Health;
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Lead,
    Negotiating,
    Signed,
    Registered,
    LandSupplied,
    Started,
    Producing,
    FullProduction,
}

impl Stage {
    pub const ALL: [Stage; 8] = [
        Stage::Lead,
        Stage::Negotiating,
        Stage::Signed,
        Stage::Registered,
        Stage::LandSupplied,
        Stage::Started,
        Stage::Producing,
        Stage::FullProduction,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Stage::Lead => "lead",
            Stage::Negotiating => "negotiating",
            Stage::Signed => "signed",
            Stage::Registered => "registered",
            Stage::LandSupplied => "land_supplied",
            Stage::Started => "started",
            Stage::Producing => "producing",
            Stage::FullProduction => "full_production",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Lead => "线索",
            Stage::Negotiating => "洽谈",
            Stage::Signed => "签约",
            Stage::Registered => "注册",
            Stage::LandSupplied => "供地",
            Stage::Started => "开工",
            Stage::Producing => "投产",
            Stage::FullProduction => "达产",
        }
    }

    pub fn parse(s: &str) -> Result<Stage, String> {
        let s = s.trim();
        Stage::ALL.into_iter().find(|x| x.code() == s || x.label() == s).ok_or_else(|| {
            let all: Vec<_> = Stage::ALL.iter().map(|x| x.label()).collect();
            format!("项目阶段“{s}”无效，可选：{}", all.join("、"))
        })
    }

    /// The stored code back to the stage; nothing for a code no stage has.
    pub fn parse_code(code: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|x| x.code() == code)
    }

    pub fn index(self) -> usize {
        Stage::ALL.iter().position(|x| *x == self).expect("listed")
    }

    pub fn next(self) -> Option<Stage> {
        Stage::ALL.get(self.index() + 1).copied()
    }

    /// The milestone reached on entering this stage (every stage after 洽谈 has one).
    pub fn milestone(self) -> Option<Milestone> {
        match self {
            Stage::Signed => Some(Milestone::Sign),
            Stage::Registered => Some(Milestone::Register),
            Stage::LandSupplied => Some(Milestone::Land),
            Stage::Started => Some(Milestone::Start),
            Stage::Producing => Some(Milestone::Produce),
            Stage::FullProduction => Some(Milestone::FullProduce),
            Stage::Lead | Stage::Negotiating => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    Sign,
    Register,
    Land,
    Start,
    Produce,
    FullProduce,
}

impl Milestone {
    pub const ALL: [Milestone; 6] = [
        Milestone::Sign,
        Milestone::Register,
        Milestone::Land,
        Milestone::Start,
        Milestone::Produce,
        Milestone::FullProduce,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Milestone::Sign => "签约",
            Milestone::Register => "注册",
            Milestone::Land => "供地",
            Milestone::Start => "开工",
            Milestone::Produce => "投产",
            Milestone::FullProduce => "达产",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Milestone::Sign => "sign",
            Milestone::Register => "register",
            Milestone::Land => "land",
            Milestone::Start => "start",
            Milestone::Produce => "produce",
            Milestone::FullProduce => "full_produce",
        }
    }
}

/// Days late for a milestone: reached late → actual − planned; not reached and overdue → today − planned.
/// `None` when there is no plan, or when it is (or was) on time.
pub fn days_late(planned: Option<Date>, actual: Option<Date>, today: Date) -> Option<i64> {
    let planned = planned?;
    let late = (actual.unwrap_or(today) - planned).whole_days();
    (late > 0).then_some(late)
}

/// What a move to the next stage requires, as typed by the user.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TransitionInput {
    /// The date the step happened (签约日期, 开工日期, …).
    pub date: String,
    /// 签约: the contracted amount (万元 by default).
    pub amount: String,
    /// 注册: the local company's credit code.
    pub credit_code: String,
    /// 供地: parcel number and area in 亩.
    pub parcel: String,
    pub area_mu: String,
    /// 开工: construction permit number.
    pub permit: String,
    /// Going backwards or skipping a stage: the reason (required then).
    pub override_reason: String,
    pub note: String,
}

/// A checked transition, ready to apply.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub from: Stage,
    pub to: Stage,
    pub date: Date,
    pub amount: Option<crate::domain::money::Money>,
    pub credit_code: Option<String>,
    pub parcel: Option<String>,
    pub area_mu: Option<i64>,
    pub permit: Option<String>,
    /// Present when the move goes backwards or skips a stage.
    pub override_reason: Option<String>,
    pub note: Option<String>,
}

/// The years a business date may fall in: a project, a report, an appeal or a filter of them. Beyond
/// them a date is a typing slip, and the day after 9999-12-31 does not exist to compute.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2100;

pub fn parse_date(field: &str, s: &str) -> Result<Date, String> {
    let t = s.trim().replace(['/', '.', '年', '月'], "-").replace('日', "");
    let parts: Vec<&str> = t.split('-').filter(|p| !p.is_empty()).collect();
    let parsed = match parts.as_slice() {
        [y, m, d] => {
            y.parse::<i32>().ok().zip(m.parse::<u8>().ok()).zip(d.parse::<u8>().ok()).and_then(|((y, m), d)| {
                let month = time::Month::try_from(m).ok()?;
                Date::from_calendar_date(y, month, d).ok().filter(|_| (MIN_YEAR..=MAX_YEAR).contains(&y))
            })
        }
        _ => None,
    };
    parsed.ok_or_else(|| {
        if s.trim().is_empty() {
            format!("{field}不能为空")
        } else {
            format!("{field}“{}”不是有效日期（格式如 2023-05-19，{MIN_YEAR}—{MAX_YEAR} 年）", s.trim())
        }
    })
}

/// Checks a move from `from` to `to`: each step's own requirements, a date not in the future,
/// and an override reason whenever the move is not the single next step.
pub fn check_transition(
    from: Stage,
    to: Stage,
    i: &TransitionInput,
    today: Date,
) -> Result<Transition, Vec<(String, String)>> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut err = |f: &str, m: String| errors.push((f.to_string(), m));
    if from == to {
        err("to", format!("项目已处于“{}”阶段", to.label()));
    }
    let reason = Some(i.override_reason.trim().to_string()).filter(|r| !r.is_empty());
    let is_next = from.next() == Some(to);
    if !is_next && from != to && reason.is_none() {
        let what = if to < from { "回退" } else { "跨阶段推进" };
        err("override_reason", format!("从“{}”{what}到“{}”须填写原因", from.label(), to.label()));
    }
    let date_label = match to.milestone() {
        Some(m) => format!("{}日期", m.label()),
        None => "日期".to_string(),
    };
    let date = match parse_date(&date_label, &i.date) {
        Ok(d) if d > today => {
            err("date", format!("{date_label}不能晚于今天"));
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            err("date", e);
            None
        }
    };
    let mut t = Transition {
        from,
        to,
        date: date.unwrap_or(today),
        amount: None,
        credit_code: None,
        parcel: None,
        area_mu: None,
        permit: None,
        override_reason: if is_next { None } else { reason },
        note: Some(i.note.trim().to_string()).filter(|n| !n.is_empty()),
    };
    // Requirements apply when moving forwards into the stage; moving back needs only the reason.
    if to > from {
        match to {
            Stage::Signed if i.amount.trim().is_empty() => err("amount", "签约须填写签约金额（万元）".into()),
            Stage::Signed => match crate::domain::money::Money::parse(&i.amount) {
                Ok(m) if m.0 > 0 => t.amount = Some(m),
                Ok(_) => err("amount", "签约金额须大于 0".into()),
                Err(e) => err("amount", e),
            },
            Stage::Registered => match crate::enterprises::model::CreditCode::parse(&i.credit_code) {
                Ok(c) => t.credit_code = Some(c.to_string()),
                Err(e) => err("credit_code", format!("注册须填写项目公司的统一社会信用代码：{e}")),
            },
            Stage::LandSupplied => {
                let parcel = i.parcel.trim();
                if parcel.is_empty() {
                    err("parcel", "供地须填写地块编号".into());
                } else {
                    t.parcel = Some(parcel.to_string());
                }
                match crate::domain::money::parse_mu(&i.area_mu) {
                    Ok(a) if a > 0 => t.area_mu = Some(a),
                    Ok(_) => err("area_mu", "供地面积须大于 0 亩".into()),
                    Err(e) => err("area_mu", e),
                }
            }
            Stage::Started => {
                let permit = i.permit.trim();
                if permit.is_empty() {
                    err("permit", "开工须填写施工许可证号".into());
                } else {
                    t.permit = Some(permit.to_string());
                }
            }
            _ => {}
        }
    }
    if errors.is_empty() { Ok(t) } else { Err(errors) }
}

crate::text_code!(Stage);

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn input(f: impl FnOnce(&mut TransitionInput)) -> TransitionInput {
        let mut i = TransitionInput { date: "2026-11-01".into(), ..Default::default() };
        f(&mut i);
        i
    }

    #[test]
    fn signing_needs_a_date_and_a_contracted_amount() {
        let errs = check_transition(Stage::Negotiating, Stage::Signed, &input(|_| {}), TODAY).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].0, "amount");
        assert!(errs[0].1.contains("签约金额"), "{}", errs[0].1);
        let t =
            check_transition(Stage::Negotiating, Stage::Signed, &input(|i| i.amount = "12亿".into()), TODAY).unwrap();
        assert_eq!(t.amount, Some(crate::domain::money::Money::from_yi(12)));
        assert_eq!(t.date, date!(2026 - 11 - 01));
    }

    #[test]
    fn registering_needs_a_valid_credit_code() {
        let errs = check_transition(Stage::Signed, Stage::Registered, &input(|i| i.credit_code = "123".into()), TODAY)
            .unwrap_err();
        assert!(errs[0].1.contains("统一社会信用代码"));
        assert!(
            check_transition(
                Stage::Signed,
                Stage::Registered,
                &input(|i| i.credit_code = "91350100M000100Y43".into()),
                TODAY
            )
            .is_ok()
        );
    }

    #[test]
    fn land_needs_a_parcel_and_an_area_and_starting_needs_a_permit() {
        let errs = check_transition(Stage::Registered, Stage::LandSupplied, &input(|_| {}), TODAY).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(fields, ["parcel", "area_mu"]);
        let t = check_transition(
            Stage::Registered,
            Stage::LandSupplied,
            &input(|i| {
                i.parcel = "望城经开区 2023-05 号".into();
                i.area_mu = "863".into();
            }),
            TODAY,
        )
        .unwrap();
        assert_eq!(t.area_mu, Some(86300));
        let errs = check_transition(Stage::LandSupplied, Stage::Started, &input(|_| {}), TODAY).unwrap_err();
        assert_eq!(errs[0].0, "permit");
    }

    #[test]
    fn skipping_or_going_back_needs_a_reason_which_is_kept() {
        let errs =
            check_transition(Stage::Negotiating, Stage::Started, &input(|i| i.permit = "x".into()), TODAY).unwrap_err();
        assert!(errs.iter().any(|e| e.0 == "override_reason" && e.1.contains("跨阶段")));
        let t = check_transition(
            Stage::Started,
            Stage::Signed,
            &input(|i| i.override_reason = "土地未落实，退回签约".into()),
            TODAY,
        )
        .unwrap();
        assert_eq!(t.override_reason.as_deref(), Some("土地未落实，退回签约"));
        let errs = check_transition(Stage::Started, Stage::Signed, &input(|_| {}), TODAY).unwrap_err();
        assert!(errs[0].1.contains("回退"));
    }

    #[test]
    fn a_date_in_the_future_or_malformed_is_refused() {
        let errs = check_transition(Stage::Lead, Stage::Negotiating, &input(|i| i.date = "2027-01-01".into()), TODAY)
            .unwrap_err();
        assert!(errs[0].1.contains("不能晚于今天"));
        let errs = check_transition(Stage::Lead, Stage::Negotiating, &input(|i| i.date = "2026-02-30".into()), TODAY)
            .unwrap_err();
        assert!(errs[0].1.contains("不是有效日期"));
        assert_eq!(parse_date("日期", "2023年5月19日").unwrap(), date!(2023 - 05 - 19));
        assert_eq!(parse_date("日期", "2023/05/19").unwrap(), date!(2023 - 05 - 19));
    }

    #[test]
    fn days_late_counts_from_the_plan() {
        assert_eq!(days_late(Some(date!(2026 - 11 - 01)), None, TODAY), Some(21));
        assert_eq!(days_late(Some(date!(2026 - 11 - 01)), Some(date!(2026 - 11 - 11)), TODAY), Some(10));
        assert_eq!(days_late(Some(date!(2026 - 11 - 30)), None, TODAY), None);
        assert_eq!(days_late(Some(date!(2026 - 11 - 10)), Some(date!(2026 - 11 - 05)), TODAY), None);
        assert_eq!(days_late(None, None, TODAY), None);
    }

    #[test]
    fn health_other_than_normal_needs_a_reason() {
        assert!(Health::Stalled.check_reason("").unwrap_err().contains("停滞"));
        assert_eq!(Health::Exited.check_reason("企业战略调整").unwrap().as_deref(), Some("企业战略调整"));
        assert_eq!(Health::parse("滞后"), Ok(Health::Behind));
    }
}

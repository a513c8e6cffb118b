//! Template filters for amounts: `{{ p.total_investment|wan }}` → "7500.00",
//! `{{ p.total_investment|money }}` → "7500.00 万元" or "75.00 亿元", an absent amount as "—".
//! A page module brings them in with `use crate::domain::filters;`.

use super::Money;

/// An amount or none, as templates hand them over.
pub trait Amount {
    fn amount(&self) -> Option<Money>;
}

impl Amount for Money {
    fn amount(&self) -> Option<Money> {
        Some(*self)
    }
}

impl Amount for Option<Money> {
    fn amount(&self) -> Option<Money> {
        *self
    }
}

impl Amount for i64 {
    fn amount(&self) -> Option<Money> {
        Some(Money(*self))
    }
}

impl Amount for Option<i64> {
    fn amount(&self) -> Option<Money> {
        self.map(Money)
    }
}

impl<T: Amount + ?Sized> Amount for &T {
    fn amount(&self) -> Option<Money> {
        (**self).amount()
    }
}

const NONE: &str = "—";

/// 万元 with two decimals, or 亿元 from one 亿 up, with the unit.
#[askama::filter_fn]
pub fn money(v: impl Amount, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(v.amount().map_or_else(|| NONE.into(), Money::human))
}

/// 万元 with two decimals, without the unit (tables say it in the header).
#[askama::filter_fn]
pub fn wan(v: impl Amount, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(v.amount().map_or_else(|| NONE.into(), Money::wan))
}

/// 亿元 with two decimals, without the unit.
#[askama::filter_fn]
pub fn yi(v: impl Amount, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(v.amount().map_or_else(|| NONE.into(), Money::yi))
}

/// 元 with two decimals, without the unit.
#[askama::filter_fn]
pub fn yuan(v: impl Amount, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(v.amount().map_or_else(|| NONE.into(), Money::yuan))
}

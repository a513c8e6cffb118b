//! Values every context shares, parsed once at the edge and kept typed in records: amounts of
//! money in 分 ([`Money`]), and the closed sets of codes a column may hold ([`text_code!`]).
//! No SQL beyond how a value is stored, no HTTP.

pub mod code;
pub mod filters;
pub mod money;

pub use money::Money;

//! Appeals (诉求): raised from a visit, a project or directly; a coded category and a deadline tier;
//! dispatched to a department; moved through 待受理 → 已交办 → 办理中 → 已办结 → 已评价 by the
//! state machine in `model`, each move made by `act`; lists and figures' facts read by `list`.

pub mod act;
pub mod api;
pub mod list;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

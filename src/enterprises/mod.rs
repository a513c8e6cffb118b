//! Enterprises: the companies behind projects, found by name, pinyin initials or credit code.
pub mod api;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

use crate::accounts::model::Permission;
use crate::web::routes::Rule;

/// Editing an existing enterprise: the editors in scope, and the record's own 服务专员 (the service
/// checks which; DESIGN §4). Creating stays with the editors.
pub const EDIT: Rule = Rule::AnyOf(&[Permission::EditEnterprises, Permission::ServeEnterprises]);

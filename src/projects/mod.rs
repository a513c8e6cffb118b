//! The project library: projects through their lifecycle, with investors, milestones, health,
//! a stage log and evidence.
pub mod api;
pub mod evidence;
pub mod export;
pub mod health;
pub mod keyset;
pub mod list;
pub mod model;
pub mod pages;
pub mod pages_form;
pub mod pages_speed;
pub mod pages_stage;
pub mod plan;
pub mod service;
pub mod speed;
pub mod stage;
pub mod store;
pub mod store_bulk;

use crate::accounts::model::Permission;
use crate::web::routes::Rule;

/// Editing an existing project: the editors in scope, and the record's own 服务专员 (the service
/// checks which; DESIGN §4). Creating stays with the editors.
pub const EDIT: Rule = Rule::AnyOf(&[Permission::EditProjects, Permission::ServeEnterprises]);

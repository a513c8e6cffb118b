//! The one authorization function. Every route and every record goes through `check`:
//! no permission → 403; a record outside every scope that carries the permission → 404.

use super::model::{Permission, Role};
use crate::error::AppError;
use crate::regions::model::within;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct Grant {
    pub role: Role,
    pub scope: String,
    pub scope_name: String,
    pub scope_path: String,
    pub scope_level: String,
}

/// The signed-in user, as every handler sees them.
#[derive(Debug, Clone, Serialize)]
pub struct CurrentUser {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub region: String,
    pub grants: Vec<Grant>,
    /// The session's CSRF token; `None` for API tokens, which need none.
    #[serde(skip)]
    pub csrf: Option<String>,
    /// Signed in with a password an administrator set: only changing it (or signing out) is allowed.
    #[serde(skip)]
    pub must_change_password: bool,
}

impl CurrentUser {
    pub fn can(&self, p: Permission) -> bool {
        self.grants.iter().any(|g| g.role.has(p))
    }

    pub fn has_role(&self, r: Role) -> bool {
        self.grants.iter().any(|g| g.role == r)
    }

    /// Scope roots (path, is a top-level node) under which `p` holds.
    pub fn scopes(&self, p: Permission) -> Vec<(String, bool)> {
        self.grants
            .iter()
            .filter(|g| g.role.has(p))
            .map(|g| (g.scope_path.clone(), g.scope_level == "province"))
            .collect()
    }

    pub fn roles_label(&self) -> String {
        let labels: Vec<_> = self.grants.iter().map(|g| format!("{}（{}）", g.role.label(), g.scope_name)).collect();
        labels.join("、")
    }
}

/// Decides an access: may `user` do `p`, to a record owned by the region at `record_path`?
pub fn check(user: &CurrentUser, p: Permission, record_path: Option<&str>) -> Result<(), AppError> {
    let mut granted = user.grants.iter().filter(|g| g.role.has(p)).peekable();
    if granted.peek().is_none() {
        return Err(AppError::Forbidden);
    }
    match record_path {
        None => Ok(()),
        Some(path) if granted.any(|g| within(path, &g.scope_path)) => Ok(()),
        Some(_) => Err(AppError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, scope_path: &str) -> CurrentUser {
        CurrentUser {
            id: Uuid::nil(),
            username: "u".into(),
            display_name: "U".into(),
            region: "4301".into(),
            grants: vec![Grant {
                role,
                scope: "4301".into(),
                scope_name: "长沙市".into(),
                scope_path: scope_path.into(),
                scope_level: "city".into(),
            }],
            csrf: None,
            must_change_password: false,
        }
    }

    #[test]
    fn a_record_inside_the_scope_is_allowed() {
        let u = user(Role::Leader, "/43/4301/");
        assert!(check(&u, Permission::ViewBusiness, Some("/43/4301/430121/")).is_ok());
    }

    #[test]
    fn a_record_outside_the_scope_is_not_found_rather_than_forbidden() {
        let u = user(Role::Leader, "/43/4301/");
        assert!(matches!(check(&u, Permission::ViewBusiness, Some("/43/4303/")), Err(AppError::NotFound)));
    }

    #[test]
    fn a_role_without_the_permission_is_forbidden_wherever_the_record_is() {
        let u = user(Role::Auditor, "/43/");
        assert!(matches!(check(&u, Permission::ManageUsers, Some("/43/4301/")), Err(AppError::Forbidden)));
        assert!(matches!(check(&u, Permission::ViewReference, None), Err(AppError::Forbidden)));
    }
}

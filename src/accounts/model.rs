//! Users, roles and the rules about them. No SQL, no HTTP.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Leader,
    InvestmentOfficer,
    ServiceSpecialist,
    DepartmentHandler,
    Reporter,
    SysAdmin,
    SecurityAdmin,
    Auditor,
}

/// What a role may do; routes and records ask for one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Permission {
    /// Reference data: the region tree, industries (needed to pick scopes too).
    ViewReference,
    /// Business data in scope: projects, enterprises, figures.
    ViewBusiness,
    /// Create and edit enterprises in scope.
    EditEnterprises,
    /// Create projects, edit them, move their stage, mark their health, attach evidence.
    EditProjects,
    /// File monthly reports for projects in scope.
    FileReports,
    /// Upload spreadsheets (each kind also needs its own edit permission).
    Import,
    /// Enter targets, freeze rankings, choose and publish the quarterly 红旗/蜗牛 lists (weights: at a
    /// province-wide scope).
    ManageEvaluation,
    /// Serve enterprises and projects in scope: log visits, raise appeals, dispatch them, approve
    /// extensions, escalate, 督办, and record the enterprise's evaluation.
    ServeEnterprises,
    /// Choose the 服务专员 of an enterprise or project in scope. Not the specialists' own: being
    /// assigned gives edit rights over the record, so the assignee never decides it.
    AssignSpecialists,
    /// Handle the appeals dispatched to one's own department (sign, return, ask for more time, answer).
    HandleAppeals,
    /// Service settings: departments in scope; province-wide (on a province-level grant) the deadline
    /// tiers, the appeal categories, the visiting cadence and the working-day calendar. No business data.
    ConfigureService,
    ManageUsers,
    ManageGrants,
    ReadAudit,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Leader,
        Role::InvestmentOfficer,
        Role::ServiceSpecialist,
        Role::DepartmentHandler,
        Role::Reporter,
        Role::SysAdmin,
        Role::SecurityAdmin,
        Role::Auditor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Leader => "leader",
            Role::InvestmentOfficer => "investment_officer",
            Role::ServiceSpecialist => "service_specialist",
            Role::DepartmentHandler => "department_handler",
            Role::Reporter => "reporter",
            Role::SysAdmin => "sys_admin",
            Role::SecurityAdmin => "security_admin",
            Role::Auditor => "auditor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Leader => "领导",
            Role::InvestmentOfficer => "招商专员",
            Role::ServiceSpecialist => "服务专员",
            Role::DepartmentHandler => "部门办理人",
            Role::Reporter => "填报员",
            Role::SysAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::Auditor => "审计员",
        }
    }

    pub fn parse(s: &str) -> Result<Role, String> {
        Role::ALL.into_iter().find(|r| r.code() == s || r.label() == s).ok_or_else(|| {
            let names: Vec<_> = Role::ALL.iter().map(|r| r.code()).collect();
            format!("未知的角色“{s}”，可选：{}", names.join("、"))
        })
    }

    /// The stored code back to the role; nothing for a code no role has.
    pub fn parse_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The three administrators that 等保 keeps apart.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::SysAdmin | Role::SecurityAdmin | Role::Auditor)
    }

    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Leader => &[ViewReference, ViewBusiness, ManageEvaluation, AssignSpecialists],
            Role::ServiceSpecialist => &[ViewReference, ViewBusiness, ServeEnterprises],
            Role::InvestmentOfficer => &[
                ViewReference,
                ViewBusiness,
                EditEnterprises,
                EditProjects,
                FileReports,
                Import,
                ManageEvaluation,
                AssignSpecialists,
            ],
            Role::Reporter => &[ViewReference, ViewBusiness, FileReports, Import],
            Role::DepartmentHandler => &[ViewReference, HandleAppeals],
            Role::SysAdmin => &[ViewReference, ManageUsers, ConfigureService],
            Role::SecurityAdmin => &[ViewReference, ManageGrants],
            // The auditor reads the audit log and nothing else.
            Role::Auditor => &[ReadAudit],
        }
    }

    pub fn has(self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }
}

/// Checks a new set of roles for one person: an administrator role is held alone, so no one
/// person is two of 系统管理员 / 安全管理员 / 审计员, nor an administrator and a business user.
pub fn check_role_combination(existing: &[Role], new: Role) -> Result<(), String> {
    if existing.contains(&new) {
        return Ok(());
    }
    if let Some(admin) = existing.iter().find(|r| r.is_admin()) {
        return Err(format!(
            "该用户已是{}，三员（系统管理员、安全管理员、审计员）须由不同人员担任，且不兼任业务角色",
            admin.label()
        ));
    }
    if new.is_admin() && !existing.is_empty() {
        return Err(format!("{}须由专人担任，该用户已有业务角色", new.label()));
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub min_length: usize,
    /// Of: lower case, upper case, digits, other characters.
    pub min_classes: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy { min_length: 8, min_classes: 3 }
    }
}

impl PasswordPolicy {
    pub fn check(&self, password: &str) -> Result<(), String> {
        let len = password.chars().count();
        if len < self.min_length {
            return Err(format!("密码至少 {} 位（现为 {len} 位）", self.min_length));
        }
        if len > 128 {
            return Err("密码不能超过 128 位".into());
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if classes < self.min_classes {
            return Err(format!(
                "密码须包含小写字母、大写字母、数字、符号中的至少 {} 类（现为 {classes} 类）",
                self.min_classes
            ));
        }
        Ok(())
    }
}

pub fn parse_username(s: &str) -> Result<String, String> {
    let s = s.trim();
    let ok = (3..=32).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        && s.as_bytes()[0].is_ascii_lowercase();
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!("用户名“{s}”须为 3–32 位，以小写字母开头，只含小写字母、数字和 . _ -"))
    }
}

pub fn parse_display_name(s: &str) -> Result<String, String> {
    let s = s.trim();
    match s.chars().count() {
        0 => Err("姓名不能为空".into()),
        1..=40 => Ok(s.to_string()),
        _ => Err("姓名不能超过 40 个字".into()),
    }
}

/// One role held over a scope (its materialised path), as the rules below need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub role: Role,
    pub scope_path: String,
    /// The scope is the province (a top-level node).
    pub province: bool,
}

/// Who may lock, unlock, reset, disable or enable an account (三员分立).
/// - Nobody acts on their own account here (their own password is changed on its own page).
/// - A user who holds an administrator role, or any grant outside every scope the acting 系统管理员
///   manages users in, is managed only by a province-level 安全管理员: otherwise a 系统管理员 could
///   reset the 审计员's password and sign in as them, or take over a leader of another city.
/// - Everyone else is managed by a 系统管理员 whose scope holds the user's unit (the caller has
///   checked that scope; out of it the user does not exist for them).
pub fn may_administer(actor_is_target: bool, actor: &[Held], target_path: &str, target: &[Held]) -> Result<(), String> {
    if actor_is_target {
        return Err("不能对本人账号执行此操作；修改本人密码请用“修改密码”".into());
    }
    let actor_scopes: Vec<&str> = actor
        .iter()
        .filter(|h| h.role.has(Permission::ManageUsers) || h.role.has(Permission::ManageGrants))
        .map(|h| h.scope_path.as_str())
        .collect();
    let protected = target.iter().any(|t| t.role.is_admin())
        || target.iter().any(|t| !actor_scopes.iter().any(|s| t.scope_path.starts_with(s)));
    let province_security = actor.iter().any(|h| h.role == Role::SecurityAdmin && h.province);
    if protected {
        return if province_security {
            Ok(())
        } else {
            Err("该用户持有管理员角色或本辖区以外的授权，其账号只能由省级安全管理员管理".into())
        };
    }
    let user_scopes = actor.iter().filter(|h| h.role.has(Permission::ManageUsers));
    if user_scopes.into_iter().any(|h| target_path.starts_with(&h.scope_path)) {
        Ok(())
    } else {
        Err("普通用户的账号由其所在辖区的系统管理员管理".into())
    }
}

/// After this many wrong passwords in a row the account locks.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_MINUTES: i64 = 30;
pub const IDLE_TIMEOUT_MINUTES: i64 = 30;
pub const ABSOLUTE_TIMEOUT_HOURS: i64 = 12;

crate::text_code!(Role);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_policy_counts_length_and_character_classes() {
        let p = PasswordPolicy::default();
        assert!(p.check("Abcdef12").is_ok());
        assert!(p.check("abcdef1!").is_ok());
        assert!(p.check("Abc12").unwrap_err().contains("至少 8 位"));
        assert!(p.check("abcdefgh1").unwrap_err().contains("至少 3 类"));
        let lax = PasswordPolicy { min_length: 4, min_classes: 1 };
        assert!(lax.check("abcd").is_ok());
    }

    #[test]
    fn an_administrator_role_is_held_alone() {
        use Role::*;
        assert!(check_role_combination(&[], SysAdmin).is_ok());
        assert!(check_role_combination(&[SysAdmin], Auditor).is_err());
        assert!(check_role_combination(&[SecurityAdmin], SysAdmin).is_err());
        assert!(check_role_combination(&[Leader], Auditor).is_err());
        assert!(check_role_combination(&[Auditor], Leader).is_err());
        assert!(check_role_combination(&[Leader], InvestmentOfficer).is_ok());
        assert!(check_role_combination(&[SysAdmin], SysAdmin).is_ok());
    }

    #[test]
    fn the_system_administrator_sees_no_business_data_and_the_auditor_only_the_log() {
        assert!(!Role::SysAdmin.has(Permission::ViewBusiness));
        assert!(!Role::SecurityAdmin.has(Permission::ViewBusiness));
        assert_eq!(Role::Auditor.permissions(), &[Permission::ReadAudit]);
    }

    fn held(role: Role, scope_path: &str) -> Held {
        Held { role, scope_path: scope_path.into(), province: scope_path.matches('/').count() == 2 }
    }

    #[test]
    fn a_system_administrator_manages_ordinary_users_of_their_scope_only() {
        use Role::*;
        let city_admin = [held(SysAdmin, "/43/4301/")];
        let clerk = [held(Reporter, "/43/4301/430121/")];
        assert!(may_administer(false, &city_admin, "/43/4301/430121/", &clerk).is_ok());
        assert!(may_administer(false, &city_admin, "/43/4301/", &[]).is_ok(), "a user with no grant yet");
        // A user of the city who also holds a grant over another city is not the city's to manage.
        let both = [held(Leader, "/43/4301/"), held(Leader, "/43/4303/")];
        assert!(may_administer(false, &city_admin, "/43/4301/", &both).unwrap_err().contains("省级安全管理员"));
        let province_admin = [held(SysAdmin, "/43/")];
        assert!(may_administer(false, &province_admin, "/43/4301/", &both).is_ok());
    }

    #[test]
    fn administrators_are_managed_only_by_a_province_security_administrator_and_never_by_themselves() {
        use Role::*;
        let sys = [held(SysAdmin, "/43/")];
        let auditor = [held(Auditor, "/43/")];
        let err = may_administer(false, &sys, "/43/", &auditor).unwrap_err();
        assert!(err.contains("只能由省级安全管理员管理"), "{err}");
        assert!(may_administer(false, &sys, "/43/", &[held(SysAdmin, "/43/4301/")]).is_err());
        let sec = [held(SecurityAdmin, "/43/")];
        assert!(may_administer(false, &sec, "/43/", &auditor).is_ok());
        assert!(may_administer(false, &[held(SecurityAdmin, "/43/4301/")], "/43/4301/", &auditor).is_err());
        assert!(may_administer(true, &sec, "/43/", &[held(SecurityAdmin, "/43/")]).unwrap_err().contains("本人"));
        assert!(may_administer(true, &sys, "/43/", &sys).is_err());
        // The 安全管理员 grants roles; ordinary accounts stay with the 系统管理员.
        assert!(may_administer(false, &sec, "/43/4301/", &[held(Leader, "/43/4301/")]).is_err());
    }

    #[test]
    fn roles_parse_from_code_or_chinese_name() {
        assert_eq!(Role::parse("leader"), Ok(Role::Leader));
        assert_eq!(Role::parse("审计员"), Ok(Role::Auditor));
        assert!(Role::parse("boss").unwrap_err().contains("未知的角色"));
    }

    #[test]
    fn usernames_are_checked() {
        assert!(parse_username("zhang.san").is_ok());
        assert!(parse_username("Zhang").is_err());
        assert!(parse_username("ab").is_err());
        assert!(parse_username("1abc").is_err());
    }
}

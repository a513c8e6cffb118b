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

/// After this many wrong passwords in a row the account locks.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_MINUTES: i64 = 30;
pub const IDLE_TIMEOUT_MINUTES: i64 = 30;
pub const ABSOLUTE_TIMEOUT_HOURS: i64 = 12;

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

//! The areas of business data, each with a version bumped by triggers in the writing transaction,
//! and what each cached kind reads.

/// An area of business data with a version of its own (the `area` of `data_versions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Projects, their investors, stage log, evidence, batches (and the sums kept from them).
    Projects,
    /// Monthly reports (and the sums kept from them).
    Reports,
    /// Enterprises and their tag history.
    Enterprises,
    /// Regions, industries, reference data.
    Reference,
    /// Targets, weights, frozen rankings, 红旗/蜗牛 lists.
    Evaluation,
    /// Appeals, their events, tiers, categories, departments, the calendar, settings.
    Service,
    /// Visits, their participants and photos, specialists' assignments.
    Visits,
    /// Users (who they are, whether they may sign in), grants, API tokens.
    Accounts,
}

impl Area {
    pub const ALL: [Area; 8] = [
        Area::Projects,
        Area::Reports,
        Area::Enterprises,
        Area::Reference,
        Area::Evaluation,
        Area::Service,
        Area::Visits,
        Area::Accounts,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Area::Projects => "projects",
            Area::Reports => "reports",
            Area::Enterprises => "enterprises",
            Area::Reference => "reference",
            Area::Evaluation => "evaluation",
            Area::Service => "service",
            Area::Visits => "visits",
            Area::Accounts => "accounts",
        }
    }
}

/// What the figures read: indicators, rankings, 红旗/蜗牛, breakdowns, the cockpit and its service
/// figures.
pub const FIGURES: &[Area] =
    &[Area::Projects, Area::Reports, Area::Enterprises, Area::Reference, Area::Evaluation, Area::Service];
/// What a project list view reads: projects, their regions and industries.
pub const PROJECT_LIST: &[Area] = &[Area::Projects, Area::Reference];
/// What signing a user in reads: the user, their grants and tokens, the names of their scopes.
pub const SIGN_IN: &[Area] = &[Area::Accounts, Area::Reference];

/// The versions of every area, as read at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Versions {
    /// Tells two databases apart (a random number chosen when the database was created).
    pub database: i64,
    pub areas: [i64; Area::ALL.len()],
}

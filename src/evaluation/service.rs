//! Evaluation use cases: the figures of a scope's units for a period (cached until anything
//! changes), the ranking, targets and weights, and freezing a ranking so it never changes.

use super::facts::{self, Units};
use super::indicators::{Facts, LIBRARY, Unit, def, value};
use super::period::Period;
use super::score::{self, Ranked};
use super::store;
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Ex};
use crate::error::{AppError, AppResult};
use crate::regions::model::Region;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

// Targets and weights are set in `settings`.
pub use super::settings::{parse_target, set_targets, set_weights};

/// Which units a ranking compares: the scope's children (cities under the province, counties and
/// parks under a city), or every park and 功能区 in the scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    Children,
    Parks,
}

impl Level {
    pub fn parse(s: &str) -> Level {
        if s == "parks" { Level::Parks } else { Level::Children }
    }
    pub fn code(self) -> &'static str {
        match self {
            Level::Children => "children",
            Level::Parks => "parks",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub facts: Facts,
    pub last_year: Facts,
    /// (indicator, target in its base unit) for the period's year.
    pub targets: Vec<(String, i64)>,
}

/// Everything the evaluation pages show for a scope and period.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Evaluation {
    pub scope: String,
    pub scope_name: String,
    pub period: String,
    pub level: Level,
    pub units: Vec<UnitRow>,
    pub total: Facts,
    pub total_last_year: Facts,
    pub targets: Vec<(String, i64)>,
    pub weights: Vec<(String, i64)>,
    pub ranked: Vec<Ranked>,
}

/// A target in display units (亿元 for money shown in 亿, counts as they are).
pub fn target_value(code: &str, targets: &[(String, i64)]) -> Option<f64> {
    let t = targets.iter().find(|(c, _)| c == code)?.1;
    Some(match def(code)?.unit {
        Unit::Yi => t as f64 / 10_000_000_000.0,
        Unit::Wan => t as f64 / 1_000_000.0,
        _ => t as f64,
    })
}

/// The region of `code` if `user` may see evaluation figures for it (otherwise 404), else their scope.
pub async fn scope(db: &Db, user: &CurrentUser, code: Option<&str>) -> AppResult<Region> {
    let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => c.to_string(),
        None => user
            .grants
            .iter()
            .find(|g| g.role.has(Permission::ViewBusiness))
            .map(|g| g.scope.clone())
            .ok_or(AppError::Forbidden)?,
    };
    let r = crate::regions::service::get(db, &code).await?.ok_or(AppError::NotFound)?;
    authz::check(user, Permission::ViewBusiness, Some(&r.path))?;
    Ok(r.as_ref().clone())
}

async fn units_of(ex: &mut Ex<'_>, scope: &Region, level: Level) -> Result<(Units, Vec<Region>), sqlx::Error> {
    match level {
        Level::Children => {
            let depth = scope.path.split('/').filter(|s| !s.is_empty()).count() + 1;
            let mut regions = crate::regions::store::children(ex, &scope.code).await?;
            regions.push(scope.clone());
            Ok((Units::Depth(depth), regions))
        }
        Level::Parks => {
            let parks: Vec<Region> = crate::q_as!(
                ex,
                fetch_all,
                Region,
                "SELECT code, name, short_name, level, kind, parent, path, is_demo FROM regions
                 WHERE path LIKE $1 AND (level = 'park' OR kind = '功能区') ORDER BY path",
                format!("{}%", scope.path)
            )?;
            Ok((Units::Parks(parks.iter().map(|r| r.path.clone()).collect()), parks))
        }
    }
}

/// What an evaluation of a scope compares, against what and how: its units, their targets for the
/// year, the indicators' weights. Kept until regions, targets or weights change — a report filed or a
/// project saved recomputes the figures, not this.
struct Frame {
    units: Units,
    regions: Vec<Region>,
    targets: HashMap<String, Vec<(String, i64)>>,
    weights: Vec<(String, i64)>,
}

async fn frame(db: &Db, scope: &Region, level: Level, year: i32) -> AppResult<Arc<Frame>> {
    let reads = &[crate::cache::Area::Evaluation, crate::cache::Area::Reference];
    let key = format!("eval-frame:{}:{}:{year}", scope.code, level.code());
    crate::cache::FIGURE_CACHE
        .get_or(db, reads, key, async {
            let mut conn = db.conn().await?;
            let ex = &mut conn.ex();
            let (units, regions) = units_of(ex, scope, level).await?;
            let codes: Vec<String> = regions.iter().map(|r| r.code.clone()).chain([scope.code.clone()]).collect();
            let mut targets: HashMap<String, Vec<(String, i64)>> = HashMap::new();
            for (region, indicator, v) in store::targets_of(ex, &codes, year).await? {
                targets.entry(region).or_default().push((indicator, v));
            }
            let weights = store::weights(ex).await?;
            Ok::<_, AppError>(Frame { units, regions, targets, weights })
        })
        .await
}

/// The figures of every unit under `scope` for `period`, ranked with the current weights.
pub async fn evaluate(db: &Db, scope: &Region, period: Period, level: Level) -> AppResult<Arc<Evaluation>> {
    let key = format!("eval:{}:{}:{}", scope.code, period.code(), level.code());
    crate::cache::get_or(db, key, async {
        let rate = facts::DEFAULT_USD_RATE_PER_MILLE;
        // No connection is held while the facts are gathered: each part takes its own from the pool,
        // and a request holding one while waiting for another would, under load, wait for ever.
        let frame = frame(db, scope, level, period.year()).await?;
        let Frame { units, regions, targets, weights } = frame.as_ref();
        let (now, before) = tokio::try_join!(
            Box::pin(facts::by_unit(db, &scope.path, units, period, rate)),
            Box::pin(facts::by_unit(db, &scope.path, units, period.year_before(), rate)),
        )?;
        let mut rows: Vec<UnitRow> = regions
            .iter()
            .filter(|r| level == Level::Parks || r.code != scope.code || now.contains_key(&r.path))
            .map(|r| UnitRow {
                code: r.code.clone(),
                name: if r.code == scope.code {
                    format!("{}（本级）", r.display_name())
                } else {
                    r.display_name().into()
                },
                facts: now.get(&r.path).copied().unwrap_or_default(),
                last_year: before.get(&r.path).copied().unwrap_or_default(),
                targets: targets.get(&r.code).cloned().unwrap_or_default(),
            })
            .collect();
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        // Children cover every project in the scope; parks do not, so the scope's total is its own sum then.
        let (total, total_last_year) = match level {
            Level::Children => (sum(now.values()), sum(before.values())),
            Level::Parks => {
                let own = Units::Depth(scope.path.split('/').filter(|s| !s.is_empty()).count());
                let (a, b) = tokio::try_join!(
                    Box::pin(facts::by_unit(db, &scope.path, &own, period, rate)),
                    Box::pin(facts::by_unit(db, &scope.path, &own, period.year_before(), rate)),
                )?;
                (sum(a.values()), sum(b.values()))
            }
        };
        let ranked = score::rank(
            &rows
                .iter()
                .map(|u| score::Unit { code: u.code.clone(), name: u.name.clone(), facts: u.facts })
                .collect::<Vec<_>>(),
            weights,
        );
        Ok(Evaluation {
            scope: scope.code.clone(),
            scope_name: scope.display_name().into(),
            period: period.code(),
            level,
            units: rows,
            total,
            total_last_year,
            targets: targets.get(&scope.code).cloned().unwrap_or_default(),
            weights: weights.clone(),
            ranked,
        })
    })
    .await
}

fn sum<'a>(v: impl Iterator<Item = &'a Facts>) -> Facts {
    let mut t = Facts::default();
    for f in v {
        t += *f;
    }
    t
}

/// Figures of one indicator for display: the value, its text, and the change against last year.
pub fn figure(code: &str, now: &Facts, before: &Facts) -> (Option<f64>, String, Option<f64>) {
    let d = def(code).expect("library indicator");
    let v = value(code, now);
    (v, super::indicators::shown(d.unit, v), super::indicators::change(v, value(code, before)))
}

/// A frozen ranking: the figures and weights as they were, kept so the published order never changes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Frozen {
    pub level: Level,
    pub weights: Vec<(String, i64)>,
    pub ranked: Vec<Ranked>,
    pub total: Facts,
}

pub async fn freeze(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    scope: &Region,
    period: Period,
    level: Level,
) -> AppResult<Uuid> {
    authz::check(user, Permission::ManageEvaluation, Some(&scope.path))?;
    let e = evaluate(db, scope, period, level).await?;
    let frozen = Frozen { level, weights: e.weights.clone(), ranked: e.ranked.clone(), total: e.total };
    let what = if level == Level::Parks { "园区" } else { "下辖单位" };
    let s = store::Snapshot {
        id: Uuid::now_v7(),
        region: scope.code.clone(),
        period: period.code(),
        title: format!("{}{}{}综合排名", scope.display_name(), period.label(), what),
        weights_json: serde_json::to_string(&e.weights).map_err(anyhow::Error::from)?,
        rows_json: serde_json::to_string(&frozen).map_err(anyhow::Error::from)?,
        created_by: actor.name.clone(),
        created_at: OffsetDateTime::now_utc(),
    };
    let mut tx = db.begin().await?;
    store::insert_snapshot(&mut tx.ex(), &s).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "evaluation.freeze_ranking",
            entity: "ranking_snapshot",
            entity_id: s.id.to_string(),
            region: Some(scope.code.clone()),
            before: None,
            after: Some(
                serde_json::json!({"title": s.title, "period": s.period, "level": level.code(), "weights": e.weights}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(s.id)
}

/// A frozen ranking the user may see (404 otherwise), with its figures.
pub async fn snapshot(db: &Db, user: &CurrentUser, id: &str) -> AppResult<Arc<Published>> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    // A published ranking never changes, but is read often (a link in a bulletin): kept, it costs the
    // versions instead of two reads and a parse. Only its region's path could move.
    let reads = &[crate::cache::Area::Reference];
    let found = crate::cache::found_or(db, reads, format!("snapshot:{id}"), async {
        let mut conn = db.conn().await?;
        let Some(snapshot) = store::snapshot(&mut conn.ex(), id).await? else {
            return Ok(None);
        };
        let region = crate::regions::store::get(&mut conn.ex(), &snapshot.region).await?.ok_or(AppError::NotFound)?;
        let frozen: Frozen = serde_json::from_str(&snapshot.rows_json).map_err(anyhow::Error::from)?;
        Ok(Some(Published { snapshot, frozen, region_path: region.path }))
    })
    .await?
    .ok_or(AppError::NotFound)?;
    authz::check(user, Permission::ViewBusiness, Some(&found.region_path))?;
    Ok(found)
}

/// A frozen ranking as read back: the record, its figures, and where it belongs.
pub struct Published {
    pub snapshot: store::Snapshot,
    pub frozen: Frozen,
    pub region_path: String,
}

/// The library with the weights in force, for the definitions page.
pub async fn library(db: &Db) -> AppResult<Vec<(&'static super::indicators::Def, i64)>> {
    let mut conn = db.conn().await?;
    let w = store::weights(&mut conn.ex()).await?;
    Ok(LIBRARY.iter().map(|d| (d, w.iter().find(|(c, _)| c == d.code).map(|(_, w)| *w).unwrap_or(0))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_typed_in_the_units_the_page_shows() {
        assert_eq!(parse_target(Unit::Yi, "300"), Ok(Some(300 * 10_000_000_000)));
        assert_eq!(parse_target(Unit::Yi, "12.5 亿元"), Ok(Some(125 * 1_000_000_000)));
        assert_eq!(parse_target(Unit::Companies, "12家"), Ok(Some(12)));
        assert_eq!(parse_target(Unit::Companies, ""), Ok(None));
        assert!(parse_target(Unit::Projects, "-3").is_err());
        assert_eq!(target_value("signed_amount", &[("signed_amount".into(), 300 * 10_000_000_000)]), Some(300.0));
    }
}

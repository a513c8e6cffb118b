//! Enterprise use cases: every bad field named, duplicates pointed at, edits versioned and audited.

use super::model::{CreditCode, Origin, Ownership, Size, Tags, search_key};
use super::store::{self, Enterprise, Row};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldError};
use crate::regions;
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

/// Raw input from a form, an API body or a spreadsheet row; every field is text.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Input {
    pub credit_code: String,
    pub name: String,
    pub region: String,
    pub industry: String,
    pub size: String,
    pub ownership: String,
    pub tags: String,
    pub origin: String,
    pub origin_place: String,
}

/// The checked values.
pub struct Parsed {
    pub credit_code: CreditCode,
    pub name: String,
    pub region: String,
    pub industry: Option<String>,
    pub size: Option<Size>,
    pub ownership: Option<Ownership>,
    pub tags: Tags,
    pub origin: Option<Origin>,
    pub origin_place: Option<String>,
}

fn opt<T>(s: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    match s.trim() {
        "" => Ok(None),
        v => parse(v).map(Some),
    }
}

/// Checks the shape of every field (no database); all errors at once, each with its field.
pub fn parse(i: &Input) -> Result<Parsed, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });
    let credit_code = CreditCode::parse(&i.credit_code).map_err(|e| err("credit_code", e)).ok();
    let name = i.name.trim().to_string();
    if name.is_empty() {
        err("name", "企业名称不能为空".into());
    } else if name.chars().count() > 100 {
        err("name", "企业名称不能超过 100 个字".into());
    }
    let region = regions::model::RegionCode::parse(&i.region).map_err(|e| err("region", e)).ok();
    let industry =
        opt(&i.industry, |s| crate::industries::model::IndustryCode::parse(s).map(|c| c.as_str().to_string()))
            .map_err(|e| err("industry", e))
            .ok()
            .flatten();
    let size = opt(&i.size, Size::parse).map_err(|e| err("size", e)).ok().flatten();
    let ownership = opt(&i.ownership, Ownership::parse).map_err(|e| err("ownership", e)).ok().flatten();
    let tags = Tags::parse(&i.tags).map_err(|e| err("tags", e)).unwrap_or_default();
    let origin = opt(&i.origin, Origin::parse).map_err(|e| err("origin", e)).ok().flatten();
    let origin_place = Some(i.origin_place.trim().to_string()).filter(|s| !s.is_empty());
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Parsed {
        credit_code: credit_code.expect("checked"),
        name,
        region: region.expect("checked").to_string(),
        industry,
        size,
        ownership,
        tags,
        origin,
        origin_place,
    })
}

fn invalid(fields: Vec<FieldError>) -> AppError {
    let message = fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("；");
    AppError::Invalid { message, fields }
}

fn snapshot(e: &Enterprise) -> serde_json::Value {
    json!({"credit_code": e.credit_code, "name": e.name, "region": e.region, "industry": e.industry,
        "size": e.size, "ownership": e.ownership, "tags": Tags(e.tags).labels(), "origin": e.origin,
        "origin_place": e.origin_place, "version": e.version})
}

/// Checks the references that need the database: the region is in the editor's scope, the industry exists.
/// `own_region`: on an edit, the enterprise's region, which its 服务专员 may keep but not leave.
async fn check_refs(
    ex: &mut crate::db::Ex<'_>,
    user: &CurrentUser,
    p: &Parsed,
    own_region: Option<&str>,
) -> AppResult<()> {
    let region = regions::store::get(ex, &p.region)
        .await?
        .ok_or_else(|| AppError::field("region", format!("所在地区“{}”不存在", p.region)))?;
    if own_region != Some(region.code.as_str())
        && authz::check(user, Permission::EditEnterprises, Some(&region.path)).is_err()
    {
        return Err(AppError::field("region", format!("所在地区“{}”不在您的管辖范围内", region.name)));
    }
    if let Some(code) = &p.industry {
        if crate::industries::store::get(ex, code).await?.is_none() {
            return Err(AppError::field("industry", format!("行业代码“{code}”不在 GB/T 4754-2017 中")));
        }
    }
    Ok(())
}

/// The message for a credit code already registered: named and linked only if the user may see it.
pub fn duplicate_message(user: &CurrentUser, existing: &Row) -> String {
    if authz::check(user, Permission::ViewBusiness, Some(&existing.region_path)).is_ok() {
        format!("该统一社会信用代码已登记为“{}”（/enterprises/{}），请勿重复录入", existing.e.name, existing.e.id)
    } else {
        "该统一社会信用代码已由其他地区登记，请勿重复录入".into()
    }
}

pub async fn create(db: &Db, user: &CurrentUser, actor: &Actor, input: &Input, is_demo: bool) -> AppResult<Enterprise> {
    let p = parse(input).map_err(invalid)?;
    let mut tx = db.begin().await?;
    check_refs(&mut tx.ex(), user, &p, None).await?;
    if let Some(existing) = store::by_credit_code(&mut tx.ex(), p.credit_code.as_str()).await? {
        return Err(AppError::field("credit_code", duplicate_message(user, &existing)));
    }
    let now = OffsetDateTime::now_utc();
    let e = Enterprise {
        id: Uuid::now_v7(),
        credit_code: p.credit_code.to_string(),
        search_key: search_key(&p.name),
        name: p.name,
        region: p.region,
        industry: p.industry,
        size: p.size.map(|s| s.label().into()),
        ownership: p.ownership.map(|s| s.label().into()),
        tags: p.tags.0,
        origin: p.origin.map(|s| s.label().into()),
        origin_place: p.origin_place,
        is_demo,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    store::insert(&mut tx.ex(), &e).await?;
    store::log_tag_changes(&mut tx.ex(), &[(e.id, 0, e.tags)], crate::projects::service::today()).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "enterprise.create",
            entity: "enterprise",
            entity_id: e.id.to_string(),
            region: Some(e.region.clone()),
            before: None,
            after: Some(snapshot(&e)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

/// An enterprise the user may see with `perm`, or 404.
pub async fn visible(db: &Db, user: &CurrentUser, perm: Permission, id: &str) -> AppResult<Row> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let mut conn = db.conn().await?;
    let row = store::get(&mut conn.ex(), id).await?.ok_or(AppError::NotFound)?;
    use crate::enterprise_service::specialists::{self, model::Kind};
    specialists::service::check(&mut conn.ex(), user, perm, Kind::Enterprise, row.e.id, &row.region_path).await?;
    Ok(row)
}

/// Applies an edit made from `version`. A stale version is refused, naming what the other person changed.
pub async fn update(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: &str,
    version: i64,
    input: &Input,
) -> AppResult<Enterprise> {
    let current = visible(db, user, Permission::EditEnterprises, id).await?;
    let p = parse(input).map_err(invalid)?;
    let mut tx = db.begin().await?;
    let row = store::get(&mut tx.ex(), current.e.id).await?.ok_or(AppError::NotFound)?;
    if row.e.version != version {
        return Err(AppError::Conflict(conflict_message(&row.e, version, input)));
    }
    check_refs(&mut tx.ex(), user, &p, Some(&row.e.region)).await?;
    if p.credit_code.as_str() != row.e.credit_code {
        if let Some(existing) = store::by_credit_code(&mut tx.ex(), p.credit_code.as_str()).await? {
            return Err(AppError::field("credit_code", duplicate_message(user, &existing)));
        }
    }
    let before = snapshot(&row.e);
    let e = Enterprise {
        credit_code: p.credit_code.to_string(),
        search_key: search_key(&p.name),
        name: p.name,
        region: p.region,
        industry: p.industry,
        size: p.size.map(|s| s.label().into()),
        ownership: p.ownership.map(|s| s.label().into()),
        tags: p.tags.0,
        origin: p.origin.map(|s| s.label().into()),
        origin_place: p.origin_place,
        updated_at: OffsetDateTime::now_utc(),
        version: row.e.version + 1,
        ..row.e
    };
    if !store::update(&mut tx.ex(), &e).await? {
        return Err(AppError::Conflict("该企业信息刚被他人修改，请刷新后重试".into()));
    }
    store::log_tag_changes(&mut tx.ex(), &[(e.id, row.e.tags, e.tags)], crate::projects::service::today()).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "enterprise.update",
            entity: "enterprise",
            entity_id: e.id.to_string(),
            region: Some(e.region.clone()),
            before: Some(before),
            after: Some(snapshot(&e)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

/// "Someone else saved version N; these fields now hold …" — so the second editor sees what changed.
fn conflict_message(current: &Enterprise, version: i64, mine: &Input) -> String {
    let theirs = [
        ("名称", current.name.as_str(), mine.name.trim()),
        ("统一社会信用代码", current.credit_code.as_str(), mine.credit_code.trim()),
        ("所在地区", current.region.as_str(), mine.region.trim()),
        ("行业", current.industry.as_deref().unwrap_or(""), mine.industry.trim()),
        ("规模", current.size.as_deref().unwrap_or(""), mine.size.trim()),
        ("所有制", current.ownership.as_deref().unwrap_or(""), mine.ownership.trim()),
        ("来源地", current.origin.as_deref().unwrap_or(""), mine.origin.trim()),
    ];
    let changed: Vec<String> = theirs
        .iter()
        .filter(|(_, now, yours)| now != yours)
        .map(|(label, now, _)| format!("{label}现为“{now}”"))
        .collect();
    let detail = if changed.is_empty() { String::new() } else { format!("：{}", changed.join("，")) };
    format!(
        "您编辑的是第 {version} 版，期间已被他人保存为第 {} 版{detail}。您的修改未保存，请刷新后重新修改。",
        current.version
    )
}

/// The list within the user's scope, optionally narrowed to a region subtree (out of scope: 404).
pub async fn search(db: &Db, user: &CurrentUser, f: &store::Filter) -> AppResult<(Vec<Row>, i64)> {
    let region_path = regions::service::filter_path(db, user, Permission::ViewBusiness, f.region.as_deref()).await?;
    let scopes = crate::accounts::service::scope_paths(user, Permission::ViewBusiness);
    let mut conn = db.conn().await?;
    Ok(store::list(&mut conn.ex(), &scopes, f, region_path.as_deref()).await?)
}

//! Visit use cases: the list (pages and API alike), a visit's parts, the enterprises to pick from,
//! log a visit (warning first when another unit was there lately), add photos.

use super::model::{ExitRisk, Participant};
use super::model::{Input, parse};
use super::store::{self as store, Filter, PhotoMeta, Row, Visit};
use crate::accounts::authz::{self, CurrentUser};
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Ex};
use crate::enterprise_service::appeals::store::some;
use crate::enterprise_service::filters::{date_opt, region_path};
use crate::enterprise_service::settings;
use crate::error::{AppError, AppResult};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The unit a user logs visits for: their unit region and department (or the region's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub region: String,
    pub name: String,
}

pub async fn unit_of(ex: &mut Ex<'_>, user: &CurrentUser) -> Result<Unit, sqlx::Error> {
    let dept = crate::accounts::store::user_by_id(ex, user.id)
        .await?
        .and_then(|u| u.department)
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    let name = match dept {
        Some(d) => d,
        None => {
            crate::regions::store::get(ex, &user.region).await?.map(|r| r.name).unwrap_or_else(|| user.region.clone())
        }
    };
    Ok(Unit { region: user.region.clone(), name })
}

/// A visit the user may see (404 otherwise).
pub async fn visible(db: &Db, user: &CurrentUser, perm: Permission, id: &str) -> AppResult<Row> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let mut conn = db.conn().await?;
    let row = store::get(&mut conn.ex(), id).await?.ok_or(AppError::NotFound)?;
    authz::check(user, perm, Some(&row.region_path))?;
    Ok(row)
}

/// A page of the visits in the user's scope matching the list's filter (checked: region in scope,
/// dates, enterprise id, risk), with the total and the page number shown.
pub async fn list(db: &Db, user: &CurrentUser, f: &Filter) -> AppResult<(Vec<Row>, i64, i64)> {
    let rp = region_path(db, user, Permission::ViewBusiness, &f.region).await?;
    let from = date_opt("from", "走访日期起", &f.from)?;
    let to = date_opt("to", "走访日期止", &f.to)?;
    let enterprise = match some(&f.enterprise) {
        None => None,
        Some(e) => Some(Uuid::parse_str(e).map_err(|_| AppError::field("enterprise", "企业编号无效"))?),
    };
    let risk = some(&f.risk);
    if let Some(r) = risk {
        ExitRisk::parse(r).map_err(|e| AppError::field("risk", e))?;
    }
    let paths = crate::accounts::service::scope_paths(user, Permission::ViewBusiness);
    let page = f.page.unwrap_or(1).max(1);
    let mut conn = db.conn().await?;
    let (rows, total) =
        store::page(&mut conn.ex(), &paths, rp.as_deref(), some(&f.q), from, to, risk, enterprise, page).await?;
    Ok((rows, total, page))
}

/// How many enterprises in the user's scope are due a visit today (the hub's count).
pub async fn due_count(db: &Db, user: &CurrentUser) -> AppResult<i64> {
    let mut conn = db.conn().await?;
    let rules = settings::store::rules(&mut conn.ex()).await?;
    let paths = crate::accounts::service::scope_paths(user, Permission::ViewBusiness);
    let today = crate::projects::service::today();
    Ok(store::due(&mut conn.ex(), &paths, None, &rules.cadence, today, None, 1).await?.1)
}

/// A visit's participants and photos.
pub async fn parts(db: &Db, visit: &Row) -> AppResult<(Vec<Participant>, Vec<PhotoMeta>)> {
    let mut conn = db.conn().await?;
    Ok((store::participants(&mut conn.ex(), visit.v.id).await?, store::photos(&mut conn.ex(), visit.v.id).await?))
}

/// The ids of the appeals raised at a visit.
pub async fn appeal_ids(db: &Db, visit: &Row) -> AppResult<Vec<Uuid>> {
    let mut conn = db.conn().await?;
    Ok(crate::enterprise_service::appeals::store::ids_of_visit(&mut conn.ex(), visit.v.id).await?)
}

/// Enterprises to log a visit for: those matching `q` (name, pinyin key or 统一社会信用代码) or,
/// with nothing typed, the ones the user serves as their specialist — within the user's service scope.
pub async fn picks(db: &Db, user: &CurrentUser, q: &str) -> AppResult<Vec<(Uuid, String, String)>> {
    let paths = crate::accounts::service::scope_paths(user, Permission::ServeEnterprises);
    let mut conn = db.conn().await?;
    Ok(store::picks(&mut conn.ex(), &paths, user.id, q).await?)
}

/// The enterprise a visit is about, in the user's service scope.
pub async fn enterprise(ex: &mut Ex<'_>, user: &CurrentUser, s: &str) -> AppResult<crate::enterprises::store::Row> {
    let s = s.trim();
    if s.is_empty() {
        return Err(AppError::field("enterprise", "请选择走访的企业"));
    }
    let found = match Uuid::parse_str(s) {
        Ok(id) => crate::enterprises::store::get(ex, id).await?,
        Err(_) => crate::enterprises::store::by_credit_code(ex, &s.to_uppercase()).await?,
    };
    let row = found.ok_or_else(|| AppError::field("enterprise", format!("企业“{s}”未在企业库登记")))?;
    // Out of scope reads exactly like unknown: neither its name nor that it exists elsewhere is told.
    if authz::check(user, Permission::ServeEnterprises, Some(&row.region_path)).is_err() {
        return Err(AppError::field("enterprise", format!("企业“{s}”未在企业库登记")));
    }
    Ok(row)
}

/// Visits of the enterprise by other units within the configured window before `on`.
pub async fn overlaps(
    ex: &mut Ex<'_>,
    enterprise: Uuid,
    unit: &Unit,
    on: time::Date,
) -> Result<(i64, Vec<Row>), sqlx::Error> {
    let days = settings::store::rules(ex).await?.overlap_days;
    let since = on - time::Duration::days(days);
    Ok((days, store::recent_by_others(ex, enterprise, since, &unit.region, &unit.name).await?))
}

/// The warning shown before logging, naming who was there and when.
pub fn overlap_message(days: i64, others: &[Row]) -> String {
    let list: Vec<String> =
        others.iter().map(|r| format!("{} {}（{}）", r.v.visited_on, r.unit_label(), r.v.topics)).collect();
    format!(
        "近 {days} 天内已有其他单位走访过该企业：{}。为免多头重复走访，请先与对方沟通；确需登记，请勾选“仍然登记”后再提交",
        list.join("；")
    )
}

/// Logs a visit. Refused (422, field `confirm_overlap`) when another unit visited within the window,
/// unless the user confirmed.
pub async fn create(db: &Db, user: &CurrentUser, actor: &Actor, i: &Input) -> AppResult<Visit> {
    let mut tx = db.begin().await?;
    let unit = unit_of(&mut tx.ex(), user).await?;
    let today = crate::projects::service::today();
    let ent = enterprise(&mut tx.ex(), user, &i.enterprise).await;
    let p = parse(i, &unit.name, today);
    let (ent, p) = match (ent, p) {
        (Ok(e), Ok(p)) => (e, p),
        (e, p) => {
            let mut fields = Vec::new();
            if let Err(AppError::Invalid { fields: f, .. }) = e {
                fields.extend(f);
            } else if let Err(other) = e {
                return Err(other);
            }
            if let Err(f) = p {
                fields.extend(f);
            }
            return Err(crate::projects::service::invalid(fields));
        }
    };
    let project_id = match i.project.trim() {
        "" => None,
        s => {
            let id = Uuid::parse_str(s).map_err(|_| AppError::field("project", format!("项目“{s}”不是有效的编号")))?;
            let investors = crate::projects::store::investors(&mut tx.ex(), id).await?;
            let pr = crate::projects::store::get(&mut tx.ex(), id).await?;
            match pr {
                Some(pr) if investors.iter().any(|x| x.id == ent.e.id) || pr.p.region == ent.e.region => Some(id),
                // Named only when the user may see it; otherwise it reads like an unknown project.
                Some(pr) if authz::check(user, Permission::ViewBusiness, Some(&pr.region_path)).is_ok() => {
                    return Err(AppError::field("project", format!("项目“{}”与企业“{}”无关", pr.p.name, ent.e.name)));
                }
                _ => return Err(AppError::field("project", "项目不存在")),
            }
        }
    };
    if !p.confirm_overlap {
        let (days, others) = overlaps(&mut tx.ex(), ent.e.id, &unit, p.visited_on).await?;
        if !others.is_empty() {
            return Err(AppError::field("confirm_overlap", overlap_message(days, &others)));
        }
    }
    let now = crate::audit::store::now_micros();
    let v = Visit {
        id: Uuid::now_v7(),
        enterprise_id: ent.e.id,
        project_id,
        region: ent.e.region.clone(),
        visited_on: p.visited_on,
        mode: p.mode.label().into(),
        unit_region: unit.region.clone(),
        unit_name: unit.name.clone(),
        topics: p.topics,
        expansion: p.expansion,
        exit_risk: p.exit_risk.label().into(),
        exit_risk_note: p.exit_risk_note,
        problems: p.problems,
        notes: p.notes,
        created_by: actor.id,
        created_by_name: actor.name.clone(),
        is_demo: false,
        created_at: now,
        version: 1,
    };
    store::insert(&mut tx.ex(), &v, &p.participants).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "visit.create",
            entity: "visit",
            entity_id: v.id.to_string(),
            region: Some(v.region.clone()),
            before: None,
            after: Some(json!({"visit": v, "participants": p.participants})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// Photos: JPG or PNG (checked by name and content like evidence files), kept in the database.
pub async fn add_photo(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    visit_id: &str,
    filename: &str,
    data: &[u8],
) -> AppResult<PhotoMeta> {
    let row = visible(db, user, Permission::ServeEnterprises, visit_id).await?;
    let filename = crate::projects::evidence::clean_name(filename);
    let content_type =
        crate::projects::evidence::check_file(&filename, data).map_err(|e| AppError::field("file", e))?;
    if !content_type.starts_with("image/") {
        return Err(AppError::field("file", format!("“{filename}”不是照片：走访照片请上传 JPG 或 PNG")));
    }
    let meta = PhotoMeta {
        id: Uuid::now_v7(),
        visit_id: row.v.id,
        filename,
        content_type: content_type.into(),
        size: data.len() as i64,
        sha256: hex::encode(Sha256::digest(data)),
        uploaded_by: actor.name.clone(),
        uploaded_at: crate::audit::store::now_micros(),
    };
    let mut tx = db.begin().await?;
    store::insert_photo(&mut tx.ex(), &meta, data).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "visit.photo",
            entity: "visit",
            entity_id: row.v.id.to_string(),
            region: Some(row.v.region.clone()),
            before: None,
            after: Some(json!({"photo": meta.id, "filename": meta.filename, "size": meta.size, "sha256": meta.sha256})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(meta)
}

/// A photo of a visit the user may see.
pub async fn photo(db: &Db, user: &CurrentUser, visit_id: &str, photo_id: &str) -> AppResult<(PhotoMeta, Vec<u8>)> {
    let row = visible(db, user, Permission::ViewBusiness, visit_id).await?;
    let id = Uuid::parse_str(photo_id).map_err(|_| AppError::NotFound)?;
    let mut conn = db.conn().await?;
    let (meta, data) = store::photo_data(&mut conn.ex(), id).await?.ok_or(AppError::NotFound)?;
    if meta.visit_id != row.v.id {
        return Err(AppError::NotFound);
    }
    Ok((meta, data))
}

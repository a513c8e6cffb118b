//! Evidence files per stage (agreements, licences, photos): type checked by name and content,
//! size limited, kept in the database with their SHA-256.

use super::service::visible;
use super::stage::Stage;
use super::store::{self, EvidenceMeta};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

pub const MAX_SIZE: usize = 20 * 1024 * 1024;

/// (extension, content type, leading bytes the content must start with)
const KINDS: &[(&str, &str, &[u8])] = &[
    ("pdf", "application/pdf", b"%PDF"),
    ("ofd", "application/ofd", b"PK\x03\x04"),
    ("jpg", "image/jpeg", b"\xFF\xD8\xFF"),
    ("jpeg", "image/jpeg", b"\xFF\xD8\xFF"),
    ("png", "image/png", b"\x89PNG"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    ("doc", "application/msword", b"\xD0\xCF\x11\xE0"),
    ("xls", "application/vnd.ms-excel", b"\xD0\xCF\x11\xE0"),
];

/// The content type for an acceptable file, or why it is refused.
pub fn check_file(filename: &str, data: &[u8]) -> Result<&'static str, String> {
    if data.is_empty() {
        return Err(format!("文件“{filename}”是空的"));
    }
    if data.len() > MAX_SIZE {
        return Err(format!("文件“{filename}”超过 {} MB", MAX_SIZE / 1024 / 1024));
    }
    let ext = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let Some((_, ct, magic)) = KINDS.iter().find(|(e, ..)| *e == ext) else {
        return Err(format!("文件“{filename}”的类型不受支持，可上传 PDF、OFD、JPG、PNG、Word、Excel"));
    };
    if !data.starts_with(magic) {
        return Err(format!("文件“{filename}”的内容与扩展名 .{ext} 不符"));
    }
    Ok(ct)
}

/// Keeps only a file name's last path part and drops control characters.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let s: String = base.chars().filter(|c| !c.is_control() && *c != '"').take(120).collect();
    if s.trim().is_empty() { "未命名".into() } else { s }
}

pub async fn add(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    project_id: &str,
    stage: &str,
    filename: &str,
    data: &[u8],
) -> AppResult<EvidenceMeta> {
    let row = visible(db, user, Permission::EditProjects, project_id).await?;
    let stage = Stage::parse(stage).map_err(|e| AppError::field("stage", e))?;
    let filename = clean_name(filename);
    let content_type = check_file(&filename, data).map_err(|e| AppError::field("file", e))?;
    let meta = EvidenceMeta {
        id: Uuid::now_v7(),
        project_id: row.p.id,
        stage: stage.code().into(),
        filename,
        content_type: content_type.into(),
        size: data.len() as i64,
        sha256: hex::encode(Sha256::digest(data)),
        uploaded_by: actor.name.clone(),
        uploaded_at: OffsetDateTime::now_utc(),
    };
    let mut tx = db.begin().await?;
    store::insert_evidence(&mut tx.ex(), &meta, data).await?;
    audit::record(
        &mut tx.ex(),
        actor,
        Change {
            action: "project.evidence",
            entity: "project",
            entity_id: row.p.id.to_string(),
            region: Some(row.p.region.clone()),
            before: None,
            after: Some(serde_json::json!({"evidence": meta.id, "stage": meta.stage, "filename": meta.filename,
            "size": meta.size, "sha256": meta.sha256})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(meta)
}

/// A file of a project the user may see.
pub async fn get(
    db: &Db,
    user: &CurrentUser,
    project_id: &str,
    evidence_id: &str,
) -> AppResult<(EvidenceMeta, Vec<u8>)> {
    let row = visible(db, user, Permission::ViewBusiness, project_id).await?;
    let id = Uuid::parse_str(evidence_id).map_err(|_| AppError::NotFound)?;
    let mut conn = db.conn().await?;
    let (meta, data) = store::evidence_data(&mut conn.ex(), id).await?.ok_or(AppError::NotFound)?;
    if meta.project_id != row.p.id {
        return Err(AppError::NotFound);
    }
    Ok((meta, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_checked_by_name_and_content() {
        assert_eq!(check_file("签约协议.pdf", b"%PDF-1.7 ...").unwrap(), "application/pdf");
        assert_eq!(check_file("现场.JPG", b"\xFF\xD8\xFF\xE0....").unwrap(), "image/jpeg");
        assert!(check_file("协议.pdf", b"MZ\x90\x00").unwrap_err().contains("内容与扩展名"));
        assert!(check_file("run.exe", b"MZ").unwrap_err().contains("不受支持"));
        assert!(check_file("a.pdf", b"").unwrap_err().contains("空的"));
        let big = vec![b'%'; MAX_SIZE + 1];
        assert!(check_file("a.pdf", &big).unwrap_err().contains("超过"));
    }

    #[test]
    fn uploaded_names_lose_their_paths() {
        assert_eq!(clean_name("C:\\Users\\张三\\协议.pdf"), "协议.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name(""), "未命名");
    }
}

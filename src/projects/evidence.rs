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
    if ct.starts_with("image/") {
        match image_size(data) {
            Some((w, h)) if w == 0 || h == 0 => return Err(format!("图片“{filename}”的尺寸无效")),
            Some((w, h)) if w > MAX_SIDE || h > MAX_SIDE || w * h > MAX_PIXELS => {
                return Err(format!(
                    "图片“{filename}”为 {w} × {h} 像素，超过上限（每边 {MAX_SIDE}、共 {} 万像素）",
                    MAX_PIXELS / 10_000
                ));
            }
            Some(_) => {}
            None => return Err(format!("图片“{filename}”无法识别尺寸，文件可能已损坏")),
        }
    }
    Ok(ct)
}

/// A photo a phone takes is 12–50 million pixels; one declaring far more would make every browser
/// that shows it decode gigabytes.
const MAX_SIDE: u64 = 20_000;
const MAX_PIXELS: u64 = 100_000_000;

/// Width and height from a PNG's IHDR or a JPEG's start-of-frame marker, without decoding.
pub fn image_size(data: &[u8]) -> Option<(u64, u64)> {
    let be16 = |i: usize| Some(u16::from_be_bytes([*data.get(i)?, *data.get(i + 1)?]) as u64);
    let be32 = |i: usize| Some(u32::from_be_bytes(data.get(i..i + 4)?.try_into().ok()?) as u64);
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        if data.get(12..16)? != b"IHDR" {
            return None;
        }
        return Some((be32(16)?, be32(20)?));
    }
    // JPEG: walk the markers to the first SOFn (C0–CF, less C4 DHT, C8 JPG, CC DAC).
    let mut i = 2;
    while i + 4 <= data.len() {
        if data[i] != 0xFF {
            return None;
        }
        let marker = data[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = be16(i + 2)? as usize;
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            return Some((be16(i + 7)?, be16(i + 5)?));
        }
        i += 2 + len;
    }
    None
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
        stage,
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
        assert_eq!(check_file("现场.JPG", JPEG_4000_BY_3000).unwrap(), "image/jpeg");
        assert!(check_file("协议.pdf", b"MZ\x90\x00").unwrap_err().contains("内容与扩展名"));
        assert!(check_file("run.exe", b"MZ").unwrap_err().contains("不受支持"));
        assert!(check_file("a.pdf", b"").unwrap_err().contains("空的"));
        let big = vec![b'%'; MAX_SIZE + 1];
        assert!(check_file("a.pdf", &big).unwrap_err().contains("超过"));
    }

    /// A JPEG's head: SOI, an APP0 segment, then SOF0 with height 3000 and width 4000.
    const JPEG_4000_BY_3000: &[u8] =
        b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xC0\x00\x11\x08\x0B\xB8\x0F\xA0\x03";

    #[test]
    fn photos_declaring_absurd_sizes_or_none_are_refused_without_decoding_them() {
        assert_eq!(image_size(JPEG_4000_BY_3000), Some((4000, 3000)));
        let png = |w: u32, h: u32| {
            [&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..], &w.to_be_bytes(), &h.to_be_bytes(), b"\x08\x06\0\0\0"].concat()
        };
        assert_eq!(image_size(&png(1, 1)), Some((1, 1)));
        assert!(check_file("a.png", &png(100_000, 100_000)).unwrap_err().contains("100000 × 100000 像素"));
        assert!(check_file("a.png", &png(15_000, 15_000)).unwrap_err().contains("万像素"));
        assert!(check_file("a.png", &png(4000, 3000)).is_ok());
        assert!(check_file("a.png", b"\x89PNG\r\n\x1a\n").unwrap_err().contains("无法识别尺寸"));
        assert!(check_file("a.jpg", b"\xFF\xD8\xFF\xE0\x00\x10").unwrap_err().contains("无法识别尺寸"));
    }

    #[test]
    fn uploaded_names_lose_their_paths() {
        assert_eq!(clean_name("C:\\Users\\张三\\协议.pdf"), "协议.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name(""), "未命名");
    }
}

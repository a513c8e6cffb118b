//! A `multipart/form-data` form read whole: its text fields and its files. Pages that take a file
//! (evidence, spreadsheets, visit photos) use this one reader, so that an unreadable body, a file
//! over the limit and a form with thousands of parts get the same clear answers everywhere.

use crate::error::AppError;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;

/// More parts than any of our forms has, by far; a body with more is refused, not read on.
const MAX_PARTS: usize = 200;

/// One chosen file.
pub struct UploadedFile {
    /// The form field it came in (`file`, `photos` …).
    pub field: String,
    /// Its name on the user's machine.
    pub name: String,
    pub data: Vec<u8>,
}

/// The form's fields in the order sent, and its files. A file input left empty (no name) is not
/// a file.
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub files: Vec<UploadedFile>,
}

impl Upload {
    /// The first value of the text field `name`, or "" when it was not sent.
    pub fn text(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// The first file sent in `field`.
    pub fn take_file(&mut self, field: &str) -> Option<UploadedFile> {
        let i = self.files.iter().position(|f| f.field == field)?;
        Some(self.files.remove(i))
    }
}

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|e| AppError::invalid(format!("上传内容无法读取：{}", e.body_text())))?;
        let mut up = Upload { fields: Vec::new(), files: Vec::new() };
        while let Some(field) =
            mp.next_field().await.map_err(|e| AppError::invalid(format!("上传内容无法读取：{}", e.body_text())))?
        {
            if up.fields.len() + up.files.len() >= MAX_PARTS {
                return Err(AppError::invalid(format!("表单项过多（最多 {MAX_PARTS} 项）")));
            }
            let name = field.name().unwrap_or("").to_string();
            match field.file_name().map(str::to_string) {
                Some(file_name) => {
                    let data = field.bytes().await.map_err(|e| {
                        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                            AppError::PayloadTooLarge
                        } else {
                            AppError::invalid("文件无法读取")
                        }
                    })?;
                    if !file_name.is_empty() {
                        up.files.push(UploadedFile { field: name, name: file_name, data: data.to_vec() });
                    }
                }
                None => {
                    let text = field.text().await.map_err(|_| AppError::invalid(format!("表单项“{name}”无法读取")))?;
                    up.fields.push((name, text));
                }
            }
        }
        Ok(up)
    }
}

//! Planning an import: every row checked (shape through the same parse gate as forms and the
//! API, then references and scope), each sorted into create, update or unchanged.
//!
//! Rows go through in chunks: each chunk's references are looked up with a few bulk queries, and in
//! `Mode::Commit` the chunk's changes are written at once inside the caller's transaction (all rows
//! or none, since any error makes the caller roll back). Nothing but counts, keys and the first
//! errors is kept between chunks, so a 100,000-row file needs little memory.

use super::kinds::Kind;
use super::{CellError, Column, HeaderMap, Sheet, SheetRow, map_headers};
use crate::accounts::authz::CurrentUser;
use crate::accounts::model::Permission;
use crate::audit::Actor;
use crate::db::Ex;
use crate::error::{AppError, FieldError};
use std::collections::{HashMap, HashSet};

pub const MAX_ROWS: usize = 200_000;
/// The preview lists this many errors; the count is always complete.
pub const SHOWN_ERRORS: usize = 1000;
/// Rows checked (and in a commit, written) together.
pub const CHUNK: usize = 500;

/// Check only (the preview), or check and write (the commit, inside the caller's transaction).
#[derive(Clone, Copy)]
pub enum Mode<'a> {
    Check,
    Commit { actor: &'a Actor, file: &'a str },
}

/// What a file would do (or did): counts, and the errors found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub rows: usize,
    pub creates: usize,
    pub updates: usize,
    pub unchanged: usize,
    pub error_count: usize,
    /// The first `SHOWN_ERRORS` errors, in row order.
    pub errors: Vec<CellError>,
    pub ignored_columns: Vec<String>,
}

impl Outcome {
    pub fn error(&mut self, e: CellError) {
        self.error_count += 1;
        if self.errors.len() < SHOWN_ERRORS {
            self.errors.push(e);
        }
    }

    pub fn errors_from(&mut self, v: impl IntoIterator<Item = CellError>) {
        for e in v {
            self.error(e);
        }
    }
}

/// Reference data held in memory for the length of one run: a 100,000-row file would otherwise ask
/// the database for the same few thousand regions again and again.
pub struct Refs {
    pub region_paths: HashMap<String, String>,
    pub industries: HashSet<String>,
}

async fn refs(ex: &mut Ex<'_>) -> Result<Refs, sqlx::Error> {
    let regions: Vec<(String, String)> =
        crate::q_as!(ex, fetch_all, (String, String), "SELECT code, path FROM regions")?;
    let industries: Vec<String> = crate::q_scalar!(ex, fetch_all, String, "SELECT code FROM industries")?;
    Ok(Refs { region_paths: regions.into_iter().collect(), industries: industries.into_iter().collect() })
}

/// What every kind's planner gets.
pub struct Ctx<'a> {
    pub user: &'a CurrentUser,
    pub map: &'a HeaderMap,
    pub refs: Refs,
    pub mode: Mode<'a>,
    pub progress: &'a (dyn Fn(usize) + Send + Sync),
}

impl Ctx<'_> {
    /// Whether this chunk's changes should be written: a commit, with no error found so far (after
    /// one, the rest of the file is still checked so the user sees every error, but nothing more is
    /// written, and the caller rolls back).
    pub fn writing(&self, out: &Outcome) -> Option<(&Actor, &str)> {
        match self.mode {
            Mode::Commit { actor, file } if out.error_count == 0 => Some((actor, file)),
            _ => None,
        }
    }
}

pub fn column<'a>(columns: &'a [Column], key: &str) -> &'a Column {
    columns.iter().find(|c| c.key == key).unwrap_or(&columns[0])
}

/// Turns field errors from a parse gate into cell errors that point at the row and column.
pub fn cell_errors(row: &SheetRow, columns: &[Column], map: &HeaderMap, fields: Vec<FieldError>) -> Vec<CellError> {
    fields
        .into_iter()
        .map(|f| {
            let c = column(columns, &f.field);
            CellError::new(row, c, map.get(row, c.key), f.message)
        })
        .collect()
}

/// Reads a row's cells, keyed by column key, into the kind's `Input` (the forms' and API's gate).
pub fn input<T: serde::de::DeserializeOwned + Default>(row: &SheetRow, columns: &[Column], map: &HeaderMap) -> T {
    use serde::de::value::{Error, MapDeserializer};
    let cells = columns.iter().map(|c| (c.key, map.get(row, c.key)));
    T::deserialize(MapDeserializer::<_, Error>::new(cells)).unwrap_or_default()
}

pub fn in_scope(user: &CurrentUser, perm: Permission, path: &str) -> bool {
    crate::accounts::authz::check(user, perm, Some(path)).is_ok()
}

/// The region's path when it exists and lies in the user's scope for `perm`.
pub fn check_region(
    row: &SheetRow,
    columns: &[Column],
    ctx: &Ctx<'_>,
    perm: Permission,
    code: &str,
) -> Result<String, CellError> {
    let c = column(columns, "region");
    match ctx.refs.region_paths.get(code) {
        None => Err(CellError::new(row, c, code, "区划或园区代码不存在")),
        Some(path) if !in_scope(ctx.user, perm, path) => {
            Err(CellError::new(row, c, ctx.map.get(row, "region"), "不在您的管辖范围内"))
        }
        Some(path) => Ok(path.clone()),
    }
}

/// Checks every row of `sheet`; in `Mode::Commit` also writes them through `ex` (the caller's
/// transaction). `progress` hears the number of rows done after each chunk.
pub async fn run(
    ex: &mut Ex<'_>,
    user: &CurrentUser,
    kind: Kind,
    sheet: &Sheet,
    mode: Mode<'_>,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> Result<Outcome, AppError> {
    let columns = kind.columns();
    let map = map_headers(&sheet.headers, columns).map_err(|errs| AppError::Invalid {
        message: format!("表头不符合{}导入模板：{}", kind.label(), errs.join("；")),
        fields: vec![],
    })?;
    if sheet.rows.is_empty() {
        return Err(AppError::invalid("文件中没有数据行（第一行应为表头，数据从第二行开始）"));
    }
    if sheet.rows.len() > MAX_ROWS {
        return Err(AppError::invalid(format!(
            "一次最多导入 {MAX_ROWS} 行（本文件 {} 行），请分批导入",
            sheet.rows.len()
        )));
    }
    let ctx = Ctx { user, map: &map, refs: refs(ex).await?, mode, progress };
    let mut out = Outcome { rows: sheet.rows.len(), ignored_columns: map.ignored.clone(), ..Default::default() };
    match kind {
        Kind::Enterprises => super::plan_enterprises::run(ex, &ctx, &sheet.rows, &mut out).await?,
        Kind::Projects => super::plan_projects::run(ex, &ctx, &sheet.rows, &mut out).await?,
        Kind::Reports => super::plan_reports::run(ex, &ctx, &sheet.rows, &mut out).await?,
    }
    out.errors.sort_by_key(|e| e.row);
    Ok(out)
}

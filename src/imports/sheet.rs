//! Reading an uploaded spreadsheet (xlsx/xlsm/xlsb/xls/ods or csv/txt) into rows of text.
//!
//! Everything becomes text here so that the import rules downstream see what the user saw in Excel,
//! whatever format the file happened to be saved in.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::limits::{self, MAX_CELL_CHARS, MAX_COLS, MAX_SHEET_ROWS};
use calamine::{Data, Reader, Sheets, open_workbook_auto_from_rs};
use std::sync::LazyLock;
use tokio::sync::Semaphore;

/// The first worksheet of an upload: the header row and the non-empty rows below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<SheetRow>,
}

/// One row, its cells packed into one string: a 100,000-row upload would otherwise hold millions of
/// small strings, several times the file's size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    /// 1-based row number as the user sees it in Excel (header row = 1 when it is the first row), so error
    /// messages point at the right line even when empty rows were skipped.
    pub number: usize,
    text: Box<str>,
    ends: Box<[u32]>,
}

impl SheetRow {
    /// Trailing blanks vary with the format (calamine pads to the used range, CSV does not); they are
    /// dropped so that the same data reads the same whatever it was saved as.
    pub fn new<S: AsRef<str>>(number: usize, cells: impl IntoIterator<Item = S>) -> SheetRow {
        let mut text = String::new();
        let mut ends = Vec::new();
        let mut used = 0;
        for c in cells {
            text.push_str(c.as_ref());
            ends.push(text.len() as u32);
            if !c.as_ref().is_empty() {
                used = ends.len();
            }
        }
        ends.truncate(used);
        text.truncate(ends.last().copied().unwrap_or(0) as usize);
        SheetRow { number, text: text.into(), ends: ends.into() }
    }

    pub fn cell(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        Some(&self.text[start..end])
    }

    pub fn cells(&self) -> Vec<&str> {
        (0..self.ends.len()).filter_map(|i| self.cell(i)).collect()
    }

    pub fn is_blank(&self) -> bool {
        self.ends.is_empty()
    }
}

pub(crate) const UNRECOGNISED: &str = "文件无法识别：请上传 .xlsx、.xls、.ods 或 .csv 文件";
pub(crate) const UNREADABLE: &str =
    "文件无法读取：文件可能已损坏或设置了打开密码，请用 Excel 打开后另存为 .xlsx 再上传";
const HTML_AS_XLS: &str = "该文件实际是网页（HTML）格式而非 Excel 文件，请用 Excel 打开后另存为 .xlsx 再上传";
const EMPTY: &str = "工作表为空";

pub fn read(bytes: &[u8], filename: &str) -> Result<Sheet, String> {
    if bytes.is_empty() {
        return Err("文件为空".into());
    }
    let ext = filename.rsplit_once('.').map(|(_, e)| e.trim().to_ascii_lowercase()).unwrap_or_default();
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    let grid = match ext.as_str() {
        // A workbook renamed to .csv still reads: the content decides before the name does.
        _ if is_zip => {
            limits::check_zip(bytes)?;
            read_workbook(bytes)?
        }
        _ if is_ole => {
            limits::check_xls(bytes)?;
            read_workbook(bytes)?
        }
        "csv" | "txt" if looks_like_text(bytes) => read_text(bytes)?,
        // Many older government systems export HTML tables or tab-separated text with an .xls name.
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" | "et" if looks_like_text(bytes) => {
            if looks_like_html(bytes) {
                return Err(HTML_AS_XLS.into());
            }
            read_text(bytes)?
        }
        _ => return Err(UNRECOGNISED.into()),
    };
    into_sheet(grid)
}

/// Parses on a blocking thread, two at a time at most: a parse takes a core and up to a few hundred MB,
/// and must neither hold an async worker nor run alongside a dozen others.
pub async fn read_off_thread(bytes: Vec<u8>, filename: String) -> Result<Sheet, String> {
    static PARSES: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));
    let _permit = PARSES.acquire().await.map_err(|_| UNREADABLE.to_string())?;
    tokio::task::spawn_blocking(move || read(&bytes, &filename)).await.unwrap_or_else(|_| Err(UNREADABLE.into()))
}

/// Rows with their 1-based number in the file, before the header is picked out.
type Grid = Vec<SheetRow>;

fn read_workbook(bytes: &[u8]) -> Result<Grid, String> {
    // calamine parses untrusted binary formats; a panic deep inside it must become an error message for the
    // user, not a dropped connection.
    let result = catch_unwind(AssertUnwindSafe(|| -> Result<Grid, String> {
        let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| UNREADABLE.to_string())?;
        let workbook = match workbook {
            Sheets::Xlsx(ref mut x) => return stream_xlsx(x),
            Sheets::Xlsb(_) => return Err(XLSB.into()),
            ref mut other => other,
        };
        let range = match workbook.worksheet_range_at(0) {
            Some(Ok(range)) => range,
            Some(Err(_)) => return Err(UNREADABLE.into()),
            None => return Err("工作簿中没有工作表".into()),
        };
        let (rows, cols) = range.get_size();
        if rows as u64 > MAX_SHEET_ROWS || cols as u64 > MAX_COLS {
            return Err(over_limits(format!("工作表的数据范围为 {rows} 行 × {cols} 列")));
        }
        let first_row = range.start().map_or(0, |(row, _)| row as usize);
        Ok(range
            .rows()
            .enumerate()
            .map(|(i, cells)| SheetRow::new(first_row + i + 1, cells.iter().map(cell_text)))
            .collect())
    }));
    result.unwrap_or_else(|_| Err(UNREADABLE.into()))
}

const XLSB: &str = "暂不支持 .xlsb（Excel 二进制工作簿）：请用 Excel 打开后另存为 .xlsx 再上传";

fn over_limits(what: String) -> String {
    format!(
        "{what}，超过导入上限（{} 行 × {MAX_COLS} 列）；请删除多余的行、列，另存为 .xlsx 后再上传",
        super::plan::MAX_ROWS
    )
}

/// The first worksheet of an xlsx read cell by cell, row by row, so that only cells that exist take
/// memory whatever range the sheet declares or spans; a cell beyond the column limit, more rows than
/// an import takes, or rows out of order end the read with the reason.
fn stream_xlsx<RS: std::io::Read + std::io::Seek>(x: &mut calamine::Xlsx<RS>) -> Result<Grid, String> {
    let name = x.sheet_names().first().cloned().ok_or_else(|| "工作簿中没有工作表".to_string())?;
    let mut cells = x.worksheet_cells_reader(&name).map_err(|_| UNREADABLE.to_string())?;
    let d = cells.dimensions();
    let (rows, cols) = (d.end.0.saturating_sub(d.start.0) as u64 + 1, d.end.1.saturating_sub(d.start.1) as u64 + 1);
    if rows > MAX_SHEET_ROWS || cols > MAX_COLS {
        return Err(over_limits(format!(
            "工作表声明的范围为 {rows} 行 × {cols} 列（{}{} 至 {}{}）",
            super::column_letter(d.start.1 as usize),
            d.start.0 + 1,
            super::column_letter(d.end.1 as usize),
            d.end.0 + 1
        )));
    }
    let mut grid = Grid::new();
    let mut row: Option<u32> = None;
    let mut texts: Vec<String> = Vec::new();
    let mut first_col = usize::MAX;
    loop {
        let next = cells.next_cell().map_err(|_| UNREADABLE.to_string())?;
        let at = next.as_ref().map(|c| c.get_position().0);
        if row.is_some() && at != row {
            grid.push(SheetRow::new(row.unwrap_or(0) as usize + 1, texts.drain(..)));
            if grid.len() as u64 > MAX_SHEET_ROWS {
                return Err(over_limits("文件的数据行数".into()));
            }
        }
        let Some(cell) = next else { break };
        let (r, c) = cell.get_position();
        if row.is_some_and(|prev| r < prev) {
            return Err("工作表中的行顺序异常：请用 Excel 打开后另存为 .xlsx 再上传".into());
        }
        if c as u64 >= MAX_COLS {
            return Err(over_limits(format!(
                "第 {} 行第 {} 列（{}）有内容",
                r + 1,
                c + 1,
                super::column_letter(c as usize)
            )));
        }
        row = Some(r);
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.chars().count() > MAX_CELL_CHARS {
            return Err(format!("第 {} 行第 {} 列的内容超过上限 {MAX_CELL_CHARS} 个字", r + 1, c + 1));
        }
        if texts.len() <= c as usize {
            texts.resize(c as usize + 1, String::new());
        }
        texts[c as usize] = text;
        first_col = first_col.min(c as usize);
    }
    // Columns count from the first one used, as in a range (data starting in column B reads the same).
    if first_col > 0 && first_col != usize::MAX {
        grid = grid.into_iter().map(|r| SheetRow::new(r.number, r.cells().into_iter().skip(first_col))).collect();
    }
    Ok(grid)
}

fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    !head.is_empty() && (utf16 || !head.contains(&0))
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let head = decode(&bytes[..bytes.len().min(1024)]).trim_start().to_ascii_lowercase();
    head.starts_with('<') && (head.contains("<html") || head.contains("<table") || head.contains("<!doctype"))
}

/// UTF-8 when the bytes are valid UTF-8, else GB18030: Excel on Chinese Windows saves "CSV" as GBK, which
/// GB18030 decodes identically.
pub(crate) fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF])
        && let Ok(text) = std::str::from_utf8(rest)
    {
        return text.to_owned();
    }
    // Excel's "Unicode text" export is UTF-16 with a BOM.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let (text, _, _) = encoding_rs::UTF_16LE.decode(bytes);
        return text.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

fn read_text(bytes: &[u8]) -> Result<Grid, String> {
    let text = decode(bytes);
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = if first_line.matches('\t').count() > first_line.matches(',').count() { b'\t' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let raw = text.as_bytes();
    let mut record = csv::StringRecord::new();
    let mut grid = Grid::new();
    // The csv crate drops blank lines silently, so row numbers are rebuilt from the line breaks in the text,
    // less those inside quoted cells (which Excel shows within one row).
    let (mut counted_to, mut breaks, mut quoted_breaks) = (0usize, 0usize, 0usize);
    loop {
        let before = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX).min(raw.len());
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(format!("CSV 文件第 {line} 行附近格式有误，请检查引号是否成对"));
            }
        }
        if record.len() as u64 > MAX_COLS {
            let line = record.position().map_or(0, |p| p.line());
            return Err(format!("CSV 文件第 {line} 行有 {} 列，超过导入上限 {MAX_COLS} 列", record.len()));
        }
        if let Some(i) = record.iter().position(|c| c.chars().count() > MAX_CELL_CHARS) {
            let line = record.position().map_or(0, |p| p.line());
            return Err(format!(
                "CSV 文件第 {line} 行第 {} 列的内容超过上限 {MAX_CELL_CHARS} 个字，请检查引号是否成对",
                i + 1
            ));
        }
        if grid.len() as u64 >= MAX_SHEET_ROWS {
            return Err(format!("CSV 文件超过 {} 行，超过导入上限；请分批导入", super::plan::MAX_ROWS));
        }
        let start = before + raw[before..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        breaks += count_breaks(&raw[counted_to..start]);
        counted_to = start;
        grid.push(SheetRow::new(breaks.saturating_sub(quoted_breaks) + 1, record.iter().map(str::trim)));
        quoted_breaks += record.iter().map(|c| count_breaks(c.as_bytes())).sum::<usize>();
    }
    Ok(grid)
}

/// Counts line breaks the way Excel and the csv crate do: "\r\n", "\r" and "\n" each end one line.
fn count_breaks(bytes: &[u8]) -> usize {
    bytes.iter().enumerate().filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))).count()
}

fn into_sheet(grid: Grid) -> Result<Sheet, String> {
    let mut rows = grid.into_iter().filter(|r| !r.is_blank());
    let header = rows.next().ok_or_else(|| EMPTY.to_string())?;
    let headers = header.cells().iter().map(|h| h.replace(['\u{3000}', '\r', '\n'], "").trim().to_owned()).collect();
    Ok(Sheet { headers, rows: rows.collect() })
}

/// The text a cell shows in Excel, as far as an import cares.
pub(crate) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::Error(e) => e.to_string(),
        Data::DateTime(dt) if dt.is_duration() => {
            let seconds = (dt.as_f64() * 86_400.0).round() as i64;
            format!("{}:{:02}:{:02}", seconds / 3600, seconds % 3600 / 60, seconds % 60)
        }
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if dt.as_f64() < 1.0 && dt.as_f64() > 0.0 {
                format!("{h:02}:{mi:02}:{s:02}")
            } else if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTimeIso(s) => iso_text(s.trim()),
        Data::DurationIso(s) => s.trim().to_owned(),
    }
}

/// Whole numbers without ".0" and never in scientific notation (an 18-digit code typed into a numeric cell
/// must not come back as 9.1e17); fractions rounded to Excel's 15 significant digits so that 0.1 + 0.2 reads
/// as "0.3".
pub(crate) fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return "#NUM!".into();
    }
    if f == 0.0 {
        return "0".into();
    }
    if f.fract() == 0.0 {
        // Rust's Display never uses an exponent and prints the shortest digits that round-trip.
        return format!("{f}");
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    format!("{rounded}")
}

/// ODS stores dates as ISO strings: "2024-03-01" or "2024-03-01T09:30:00(.000)".
fn iso_text(s: &str) -> String {
    let Some((date, time)) = s.split_once('T') else { return s.to_owned() };
    let time = time.split(['.', '+', 'Z']).next().unwrap_or(time);
    if date.is_empty() {
        return time.to_owned();
    }
    if time.trim_start_matches(['0', ':']).is_empty() { date.to_owned() } else { format!("{date} {time}") }
}

#[cfg(test)]
#[path = "sheet_tests.rs"]
mod tests;

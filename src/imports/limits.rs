//! What an uploaded spreadsheet may be, checked before a parser sees it. calamine materialises the
//! grid a sheet spans, reserves what a file declares (a shared-string count, an .xls DIMENSIONS
//! record) and parses every sheet of an .xls or .ods when it opens: a 1.5 KB xlsx with cells at A1 and
//! XFD1048576 made the server try to allocate ~550 GB and die. Every declared or actual size is held
//! to the import's own limits here, and the xlsx cells are then read as a stream (`sheet.rs`).

use super::plan::MAX_ROWS;
use std::io::{Cursor, Read};

/// Columns an import may use: the templates have fewer than 60, and nobody fills 200 by hand.
pub const MAX_COLS: u64 = 200;
/// Rows a sheet may span: the data rows an import takes, its header and some blank rows.
pub const MAX_SHEET_ROWS: u64 = MAX_ROWS as u64 + 1_000;
/// Text in one cell: Excel's own limit.
pub const MAX_CELL_CHARS: usize = 32_767;
/// Uncompressed size of a workbook's parts: a 100,000-row xlsx is about 60 MB of XML.
pub const MAX_UNPACKED: u64 = 400 * 1024 * 1024;
/// Compression ratio of a part larger than 1 MB: XML compresses 10–30 times; a zip bomb 1000 times.
pub const MAX_RATIO: u64 = 150;
pub const MAX_ENTRIES: usize = 5_000;
/// Distinct strings a workbook may declare: one per cell of the largest import at most.
pub const MAX_STRINGS: u64 = 5_000_000;
/// Cells all sheets of an .xls may span together (calamine builds each sheet's grid when it opens).
pub const MAX_XLS_CELLS: u64 = 8_000_000;

/// Whatever the parser of the container said, the user reads the one message for a broken file.
fn unreadable<E>(_: E) -> String {
    super::sheet::UNREADABLE.to_string()
}

fn limits_text() -> String {
    format!("导入上限为 {MAX_ROWS} 行 × {MAX_COLS} 列")
}

fn too_large(what: String) -> String {
    format!("{what}，超过{}；请删除多余的行、列或工作表，另存为 .xlsx 后再上传", limits_text())
}

/// Checks a zip container (xlsx, xlsm, ods): its parts' declared sizes (the zip reader refuses to
/// inflate beyond them), the compression ratio, the shared strings an xlsx declares, and the
/// repeated rows and columns of an ods.
pub fn check_zip(bytes: &[u8]) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    if zip.len() > MAX_ENTRIES {
        return Err(format!("文件包含 {} 个部件，超过上限 {MAX_ENTRIES}，不是正常的表格文件", zip.len()));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(unreadable)?;
        let (size, packed) = (f.size(), f.compressed_size().max(1));
        total = total.saturating_add(size);
        if size > 1024 * 1024 && size / packed > MAX_RATIO {
            return Err(format!(
                "文件中的“{}”解压后为压缩前的 {} 倍（上限 {MAX_RATIO} 倍），不是正常的表格文件",
                f.name().unwrap_or_default(),
                size / packed
            ));
        }
    }
    if total > MAX_UNPACKED {
        return Err(format!(
            "文件解压后为 {} MB，超过上限 {} MB；请分批导入",
            total / 1024 / 1024,
            MAX_UNPACKED / 1024 / 1024
        ));
    }
    // The shared strings are found through the workbook's relationships, under any name: every XML part
    // whose root is <sst> is checked.
    for i in 0..zip.len() {
        let f = zip.by_index(i).map_err(unreadable)?;
        if !f.name().unwrap_or_default().ends_with(".xml") {
            continue;
        }
        let mut head = Vec::with_capacity(4096);
        f.take(4096).read_to_end(&mut head).map_err(unreadable)?;
        let head = String::from_utf8_lossy(&head);
        let Some(root) = head.find("sst ").filter(|i| head[..*i].ends_with('<') || head[..*i].ends_with(':')) else {
            continue;
        };
        for attr in ["uniqueCount", "count"] {
            if let Some(n) = attr_number(&head[root..], attr)
                && n > MAX_STRINGS
            {
                return Err(format!("文件声明了 {n} 个不同的文字单元格，超过上限 {MAX_STRINGS}，不是正常的表格文件"));
            }
        }
    }
    if let Ok(f) = zip.by_name("content.xml") {
        check_ods(f)?;
    }
    Ok(())
}

/// The number in `name="…"` of the first element that has it (the `<sst>` element comes first).
fn attr_number(xml: &str, name: &str) -> Option<u64> {
    let i = xml.find(&format!(" {name}=\""))? + name.len() + 3;
    let digits: String = xml[i..].chars().take_while(|c| c.is_ascii_digit()).collect();
    Some(digits.parse().unwrap_or(u64::MAX))
}

/// An ods repeats rows and cells by count (`table:number-rows-repeated="1048576"`); calamine expands
/// the repeats of cells that hold something. The span of such cells in every table must fit.
fn check_ods(content: impl Read) -> Result<(), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let mut buf = Vec::new();
    let (mut table, mut row, mut col) = (0usize, 0u64, 0u64);
    let (mut row_repeat, mut cell_repeat, mut in_cell_with_content) = (1u64, 1u64, false);
    let (mut rows_used, mut cols_used) = (0u64, 0u64);
    let repeat = |e: &quick_xml::events::BytesStart, key: &str| -> u64 {
        e.attributes().flatten().find(|a| a.key.as_ref() == key).and_then(|a| a.value.parse().ok()).unwrap_or(1)
    };
    let check = |table: usize, rows: u64, cols: u64| {
        if rows > MAX_SHEET_ROWS || cols > MAX_COLS {
            Err(too_large(format!("第 {table} 个工作表的数据范围为 {rows} 行 × {cols} 列")))
        } else {
            Ok(())
        }
    };
    loop {
        let event = reader.read_event_into(&mut buf).map_err(unreadable)?;
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "table:table" => {
                    table += 1;
                    (row, rows_used, cols_used) = (0, 0, 0);
                }
                "table:table-row" => {
                    row_repeat = repeat(e, "table:number-rows-repeated");
                    col = 0;
                    if matches!(event, Event::Empty(_)) {
                        row = row.saturating_add(row_repeat);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    cell_repeat = repeat(e, "table:number-columns-repeated");
                    let typed = e.attributes().flatten().any(|a| a.key.as_ref() == "office:value-type");
                    in_cell_with_content = typed;
                    if typed {
                        cols_used = cols_used.max(col.saturating_add(cell_repeat));
                        rows_used = rows_used.max(row.saturating_add(row_repeat));
                        check(table, rows_used, cols_used)?;
                    }
                    if matches!(event, Event::Empty(_)) {
                        col = col.saturating_add(cell_repeat);
                    }
                }
                // Text in a cell without a value type (plain text) counts as content too.
                "text:p" if !in_cell_with_content => {
                    in_cell_with_content = true;
                    cols_used = cols_used.max(col.saturating_add(cell_repeat));
                    rows_used = rows_used.max(row.saturating_add(row_repeat));
                    check(table, rows_used, cols_used)?;
                }
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "table:table-cell" | "table:covered-table-cell" => {
                    col = col.saturating_add(cell_repeat);
                    in_cell_with_content = false;
                }
                "table:table-row" => row = row.saturating_add(row_repeat),
                _ => {}
            },
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// Checks an .xls (BIFF in an OLE compound file): every sheet's declared DIMENSIONS (calamine reserves
/// them) and the span of its cells (calamine builds each sheet's grid on opening the workbook).
pub fn check_xls(bytes: &[u8]) -> Result<(), String> {
    let mut cfb = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(unreadable)?;
    let name = if cfb.exists("/Workbook") { "/Workbook" } else { "/Book" };
    let mut stream = cfb.open_stream(name).map_err(unreadable)?;
    let mut data = Vec::new();
    // The stream cannot be larger than the file holding it; take guards against a crafted length.
    (&mut stream).take(bytes.len() as u64 + 1).read_to_end(&mut data).map_err(unreadable)?;
    check_biff(&data)
}

#[derive(Default)]
struct Span {
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl Span {
    fn add(&mut self, row: u64, col_first: u64, col_last: u64) {
        let r = self.rows.get_or_insert((row, row));
        *r = (r.0.min(row), r.1.max(row));
        let c = self.cols.get_or_insert((col_first, col_last));
        *c = (c.0.min(col_first), c.1.max(col_last));
    }
    fn size(&self) -> (u64, u64) {
        let len = |s: Option<(u64, u64)>| s.map_or(0, |(a, b)| b - a + 1);
        (len(self.rows), len(self.cols))
    }
}

fn u16_at(d: &[u8], i: usize) -> Option<u64> {
    Some(u16::from_le_bytes([*d.get(i)?, *d.get(i + 1)?]) as u64)
}

fn u32_at(d: &[u8], i: usize) -> Option<u64> {
    Some(u32::from_le_bytes([*d.get(i)?, *d.get(i + 1)?, *d.get(i + 2)?, *d.get(i + 3)?]) as u64)
}

/// Walks the BIFF records of a workbook stream: (type, length, body), sheet by sheet.
pub fn check_biff(data: &[u8]) -> Result<(), String> {
    let (mut pos, mut sheet, mut in_sheet, mut cells) = (0usize, 0usize, false, 0u64);
    let mut span = Span::default();
    while pos + 4 <= data.len() {
        let typ = u16_at(data, pos).unwrap_or(0);
        let len = u16_at(data, pos + 2).unwrap_or(0) as usize;
        let body = &data[pos + 4..(pos + 4 + len).min(data.len())];
        pos += 4 + len;
        match typ {
            // BOF: a worksheet's substream begins (0x0010); the globals (0x0005) come first.
            0x0809 if u16_at(body, 2) == Some(0x0010) => {
                (sheet, in_sheet, span) = (sheet + 1, true, Span::default());
            }
            // EOF of a substream: count the sheet's grid.
            0x000A if in_sheet => {
                let (rows, cols) = span.size();
                check_span(sheet, rows, cols)?;
                cells = cells.saturating_add(rows.saturating_mul(cols));
                if cells > MAX_XLS_CELLS {
                    return Err(too_large(format!("各工作表的数据范围合计 {cells} 个单元格（上限 {MAX_XLS_CELLS}）")));
                }
                in_sheet = false;
            }
            // DIMENSIONS: BIFF8 rows are 32-bit, BIFF5 16-bit.
            0x0200 if in_sheet => {
                let (rows, cols) = if body.len() >= 14 {
                    let (r0, r1) = (u32_at(body, 0).unwrap_or(0), u32_at(body, 4).unwrap_or(0));
                    (r1.saturating_sub(r0), u16_at(body, 10).unwrap_or(0).saturating_sub(u16_at(body, 8).unwrap_or(0)))
                } else {
                    let (r0, r1) = (u16_at(body, 0).unwrap_or(0), u16_at(body, 2).unwrap_or(0));
                    (r1.saturating_sub(r0), u16_at(body, 6).unwrap_or(0).saturating_sub(u16_at(body, 4).unwrap_or(0)))
                };
                check_span(sheet, rows, cols)?;
            }
            // Cells with (row, column) first: number, label, rich label, shared-string label, RK,
            // boolean/error, formula.
            0x0203 | 0x0204 | 0x00D6 | 0x00FD | 0x027E | 0x0205 | 0x0006 if in_sheet => {
                if let (Some(r), Some(c)) = (u16_at(body, 0), u16_at(body, 2)) {
                    span.add(r, c, c);
                }
            }
            // MULRK: a row, the first column, …, the last column in the last two bytes.
            0x00BD if in_sheet && body.len() >= 6 => {
                if let (Some(r), Some(c0), Some(c1)) = (u16_at(body, 0), u16_at(body, 2), u16_at(body, body.len() - 2))
                {
                    span.add(r, c0, c1.max(c0));
                }
            }
            _ => {}
        }
    }
    if in_sheet {
        let (rows, cols) = span.size();
        check_span(sheet, rows, cols)?;
    }
    Ok(())
}

fn check_span(sheet: usize, rows: u64, cols: u64) -> Result<(), String> {
    if rows > MAX_SHEET_ROWS || cols > MAX_COLS {
        return Err(too_large(format!("第 {sheet} 个工作表的数据范围为 {rows} 行 × {cols} 列")));
    }
    Ok(())
}

#[cfg(test)]
#[path = "limits_tests.rs"]
mod tests;

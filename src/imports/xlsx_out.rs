//! Writing spreadsheets: import templates, "export this view" tables, and CSV.

use rust_xlsxwriter::{
    DataValidation, ExcelDateTime, Format, FormatAlign, Formula, Note, Workbook, Worksheet, XlsxError,
};

use super::columns::{Column, column_letter};

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    /// A count or similar; beyond 2^53 Excel cannot hold it exactly, so codes belong in `Text`.
    Int(i64),
    /// An amount in 分, written as 万元 (分 / 1,000,000) with two decimals shown and full precision kept, so
    /// that sums in Excel agree with ours.
    Money(i64),
    /// "YYYY-MM-DD"; written as a real Excel date so that it sorts and filters; anything else stays text.
    Date(String),
    Empty,
}

/// Template rows 2..=100001 get the dropdowns: far more than any upload we accept.
const TEMPLATE_LAST_ROW: u32 = 100_000;
/// Excel's worksheet has 1,048,576 rows, one of which is the header.
const MAX_DATA_ROWS: usize = 1_048_575;
const MAX_COLUMNS: usize = 16_384;
const MAX_CELL_CHARS: usize = 32_767;
const INLINE_LIST_LIMIT: usize = 255;
const NOTES_SHEET: &str = "说明";
const LISTS_SHEET: &str = "下拉选项";

fn failed(e: XlsxError) -> String {
    format!("生成 Excel 文件失败：{e}")
}

pub fn template(sheet_name: &str, columns: &[Column], example_rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    if columns.len() > MAX_COLUMNS {
        return Err("列数超过 Excel 上限".into());
    }
    let bold = header_format();
    // Text format keeps Excel from turning an 18-digit credit code or ID number into 9.14301E+17 as it is
    // typed, which would lose digits before we ever see the file.
    let text = Format::new().set_num_format("@");

    let mut data = Worksheet::new();
    data.set_name(sheet_title(sheet_name)).map_err(failed)?;
    let mut lists = Worksheet::new();
    lists.set_name(LISTS_SHEET).map_err(failed)?;
    lists.set_hidden(true);
    let mut lists_used = 0u16;

    for (c, column) in columns.iter().enumerate() {
        let col = c as u16;
        data.write_string_with_format(0, col, column.heading(), &bold).map_err(failed)?;
        data.set_column_format(col, &text).map_err(failed)?;
        let examples = example_rows.iter().filter_map(|r| r.get(c)).map(|v| text_width(v));
        let choices = column.choices.iter().map(|v| text_width(v));
        let width = examples.chain(choices).chain([text_width(&column.heading()) + 2]).max().unwrap_or(8);
        data.set_column_width(col, width.clamp(8, 50) as f64 + 1.0).map_err(failed)?;
        if !column.note.is_empty() {
            let note = Note::new(column.note).add_author_prefix(false).set_width(240);
            data.insert_note(0, col, &note).map_err(failed)?;
        }
        if column.choices.is_empty() {
            continue;
        }
        let joined_len: usize = column.choices.iter().map(|s| s.encode_utf16().count() + 1).sum();
        let inline =
            joined_len.saturating_sub(1) <= INLINE_LIST_LIMIT && !column.choices.iter().any(|s| s.contains(','));
        let validation = if inline {
            DataValidation::new().allow_list_strings(column.choices).map_err(failed)?
        } else {
            // Excel refuses inline lists over 255 characters; a range on a hidden sheet has no such limit.
            for (r, choice) in column.choices.iter().enumerate() {
                lists.write_string(r as u32, lists_used, *choice).map_err(failed)?;
            }
            let letter = column_letter(lists_used as usize);
            let range = format!("='{LISTS_SHEET}'!${letter}$1:${letter}${}", column.choices.len());
            lists_used += 1;
            DataValidation::new().allow_list_formula(Formula::new(range))
        };
        let validation = validation
            .set_error_title("输入有误")
            .and_then(|v| v.set_error_message(format!("“{}”请从下拉列表中选择", column.label)))
            .map_err(failed)?;
        data.add_data_validation(1, col, TEMPLATE_LAST_ROW, col, &validation).map_err(failed)?;
    }
    data.set_freeze_panes(1, 0).map_err(failed)?;
    for (r, row) in example_rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate().take(columns.len()) {
            data.write_string_with_format(r as u32 + 1, c as u16, clip(value), &text).map_err(failed)?;
        }
    }

    let mut workbook = Workbook::new();
    workbook.push_worksheet(data);
    workbook.push_worksheet(notes_sheet(columns, &bold)?);
    if lists_used > 0 {
        workbook.push_worksheet(lists);
    }
    workbook.save_to_buffer().map_err(failed)
}

/// A printable list of the columns, for users who never hover over a header's comment.
fn notes_sheet(columns: &[Column], bold: &Format) -> Result<Worksheet, String> {
    let mut sheet = Worksheet::new();
    sheet.set_name(NOTES_SHEET).map_err(failed)?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (c, (title, width)) in
        [("列名", 24), ("是否必填", 10), ("可选值", 40), ("填写说明", 60)].into_iter().enumerate()
    {
        sheet.write_string_with_format(0, c as u16, title, bold).map_err(failed)?;
        sheet.set_column_width(c as u16, width).map_err(failed)?;
    }
    for (r, column) in columns.iter().enumerate() {
        let r = r as u32 + 1;
        let cells = [
            column.label.to_owned(),
            if column.required { "必填" } else { "选填" }.to_owned(),
            column.choices.join("、"),
            column.note.to_owned(),
        ];
        for (c, value) in cells.iter().enumerate() {
            sheet.write_string_with_format(r, c as u16, clip(value), &wrap).map_err(failed)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    Ok(sheet)
}

/// Without the `constant_memory` feature (not among rust_xlsxwriter's defaults) the sheet is held in memory
/// until saved (the 100,000-row test below, writing and reading back, peaks near 120 MB).
pub fn table(sheet_name: &str, headers: &[&str], rows: impl Iterator<Item = Vec<Cell>>) -> Result<Vec<u8>, String> {
    let mut workbook = Workbook::new();
    write_table(workbook.add_worksheet(), sheet_name, headers, rows)?;
    workbook.save_to_buffer().map_err(failed)
}

/// One sheet of a multi-sheet export: its name, headings and rows.
pub type TableSheet<'a> = (&'a str, &'a [&'a str], Vec<Vec<Cell>>);

/// Several tables in one workbook, one sheet each (a summary and the lists behind it).
pub fn workbook(sheets: Vec<TableSheet<'_>>) -> Result<Vec<u8>, String> {
    let mut workbook = Workbook::new();
    for (name, headers, rows) in sheets {
        write_table(workbook.add_worksheet(), name, headers, rows.into_iter())?;
    }
    workbook.save_to_buffer().map_err(failed)
}

fn write_table(
    sheet: &mut Worksheet,
    sheet_name: &str,
    headers: &[&str],
    rows: impl Iterator<Item = Vec<Cell>>,
) -> Result<(), String> {
    if headers.len() > MAX_COLUMNS {
        return Err("列数超过 Excel 上限".into());
    }
    let bold = header_format();
    let money = Format::new().set_num_format("0.00");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet.set_name(sheet_title(sheet_name)).map_err(failed)?;
    let mut widths: Vec<usize> = headers.iter().map(|h| text_width(h) + 2).collect();
    for (c, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *header, &bold).map_err(failed)?;
    }
    let mut last_row = 0u32;
    for (i, row) in rows.enumerate() {
        if i >= MAX_DATA_ROWS {
            return Err("导出的行数超过 Excel 单个工作表的上限（1,048,575 行），请缩小筛选范围或改为导出 CSV".into());
        }
        let r = i as u32 + 1;
        last_row = r;
        for (c, cell) in row.into_iter().enumerate().take(MAX_COLUMNS) {
            let col = c as u16;
            let width = match cell {
                Cell::Text(s) if !s.is_empty() => {
                    sheet.write_string(r, col, clip(&s)).map_err(failed)?;
                    text_width(&s)
                }
                Cell::Int(n) => {
                    sheet.write_number(r, col, n as f64).map_err(failed)?;
                    n.to_string().len()
                }
                Cell::Money(fen) => {
                    sheet.write_number_with_format(r, col, fen as f64 / 1_000_000.0, &money).map_err(failed)?;
                    (fen / 1_000_000).to_string().len() + 3
                }
                Cell::Date(s) if !s.trim().is_empty() => {
                    match ExcelDateTime::parse_from_str(s.trim()) {
                        Ok(d) => sheet.write_datetime_with_format(r, col, d, &date).map_err(failed)?,
                        Err(_) => sheet.write_string(r, col, clip(&s)).map_err(failed)?,
                    };
                    text_width(&s)
                }
                Cell::Text(_) | Cell::Date(_) | Cell::Empty => 0,
            };
            if widths.len() <= c {
                widths.resize(c + 1, 8);
            }
            widths[c] = widths[c].max(width);
        }
    }
    for (c, width) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, (*width).clamp(8, 60) as f64 + 1.0).map_err(failed)?;
    }
    if !widths.is_empty() {
        sheet.autofilter(0, 0, last_row, widths.len() as u16 - 1).map_err(failed)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    Ok(())
}

/// UTF-8 with a BOM: without it Excel on Chinese Windows assumes GBK and shows mojibake.
pub fn csv(headers: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    push_line(&mut out, headers.iter().copied());
    for row in rows {
        push_line(&mut out, row.iter().map(String::as_str));
    }
    out
}

fn push_line<'a>(out: &mut Vec<u8>, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Excel runs a CSV cell starting with = + - @ as a formula ("CSV injection"); a leading apostrophe makes
        // it text. Plain numbers such as "-5" and a lone "-" placeholder are left alone.
        let guard = field.len() > 1 && field.starts_with(['=', '+', '-', '@']) && field.parse::<f64>().is_err();
        let quote = guard || field.contains([',', '"', '\r', '\n']) || field.trim() != field;
        if quote {
            out.push(b'"');
        }
        if guard {
            out.push(b'\'');
        }
        out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
        if quote {
            out.push(b'"');
        }
    }
    out.extend_from_slice(b"\r\n");
}

fn header_format() -> Format {
    Format::new().set_bold().set_background_color(0xDDEBF7).set_align(FormatAlign::VerticalCenter)
}

/// Excel's sheet-name rules (≤ 31 characters, none of []:*?/\, no edge apostrophes), applied rather than
/// failing the download over a title.
fn sheet_title(name: &str) -> String {
    let cleaned: String = name.chars().filter(|c| !"[]:*?/\\".contains(*c)).collect();
    let mut title = String::new();
    for c in cleaned.trim().trim_matches('\'').chars() {
        if title.encode_utf16().count() + c.len_utf16() > 31 {
            break;
        }
        title.push(c);
    }
    if title.is_empty() { "Sheet1".to_owned() } else { title }
}

/// Approximate display width in Excel's character units: CJK and other wide characters take two.
fn text_width(s: &str) -> usize {
    s.lines().map(|l| l.chars().map(|c| if (c as u32) < 0x1100 { 1 } else { 2 }).sum()).max().unwrap_or(0)
}

/// Excel refuses a cell over 32,767 UTF-16 units; a cut value is better than a failed export.
fn clip(s: &str) -> &str {
    if s.len() <= MAX_CELL_CHARS {
        return s;
    }
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > MAX_CELL_CHARS {
            return &s[..i];
        }
    }
    s
}

#[cfg(test)]
#[path = "xlsx_out_tests.rs"]
mod tests;

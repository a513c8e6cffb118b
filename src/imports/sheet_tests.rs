//! Unit tests of sheet.rs.

use super::*;
use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};

const TEXT: &str = "企业名称,统一社会信用代码,投资额（万元）\r\n长沙某某科技有限公司,91430100MA4L0XXX0X,1200\r\n\"湘江, 新区\",914301,0.5\r\n";

#[test]
fn a_gbk_csv_reads_the_same_as_its_utf8_twin() {
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(TEXT);
    assert!(!unmappable);
    let utf8_bom = [&[0xEF, 0xBB, 0xBF][..], TEXT.as_bytes()].concat();
    let from_gbk = read(&gbk, "企业.csv").expect("GBK reads");
    assert_eq!(from_gbk, read(&utf8_bom, "企业.CSV").expect("UTF-8 reads"));
    assert_eq!(from_gbk, read(TEXT.as_bytes(), "企业.csv").expect("UTF-8 without BOM reads"));
    assert_eq!(from_gbk.headers, ["企业名称", "统一社会信用代码", "投资额（万元）"]);
    assert_eq!(from_gbk.rows[1].cells(), ["湘江, 新区", "914301", "0.5"]);
}

#[test]
fn whole_floats_print_without_a_decimal_point_and_large_ones_without_an_exponent() {
    assert_eq!(number_text(75.0), "75");
    assert_eq!(number_text(0.5), "0.5");
    assert_eq!(number_text(-0.0), "0");
    assert_eq!(number_text(-12.0), "-12");
    assert_eq!(number_text(0.1 + 0.2), "0.3");
    assert_eq!(number_text(914_301_234_567_890_000.0), "914301234567890000");
    assert_eq!(number_text(1e20), "100000000000000000000");
}

#[test]
fn cells_become_the_text_excel_shows() {
    assert_eq!(cell_text(&Data::String("  长沙 \u{3000}".into())), "长沙");
    assert_eq!(cell_text(&Data::Int(42)), "42");
    assert_eq!(cell_text(&Data::Bool(true)), "是");
    assert_eq!(cell_text(&Data::Bool(false)), "否");
    assert_eq!(cell_text(&Data::Error(CellErrorType::NA)), "#N/A");
    assert_eq!(cell_text(&Data::Empty), "");
    let date = |v| Data::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
    assert_eq!(cell_text(&date(45352.0)), "2024-03-01");
    assert_eq!(cell_text(&date(45352.5)), "2024-03-01 12:00:00");
    assert_eq!(cell_text(&date(0.75)), "18:00:00");
    assert_eq!(cell_text(&Data::DateTimeIso("2024-03-01T00:00:00".into())), "2024-03-01");
    assert_eq!(cell_text(&Data::DateTimeIso("2024-03-01T09:30:15.000".into())), "2024-03-01 09:30:15");
    assert_eq!(cell_text(&Data::DateTimeIso("2024-03-01".into())), "2024-03-01");
}

#[test]
fn empty_rows_are_skipped_but_row_numbers_stay_true() {
    for newline in ["\n", "\r\n"] {
        let text = ["", "名称,备注", "甲,1", "", ",,", "\"乙\",\"两行", "的备注\"", "", "丙,3"].join(newline);
        let sheet = read(text.as_bytes(), "a.csv").expect("reads");
        assert_eq!(sheet.headers, ["名称", "备注"]);
        let numbers: Vec<usize> = sheet.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [3, 6, 8], "newline {newline:?}");
        assert_eq!(sheet.rows[1].cells()[1], format!("两行{newline}的备注"));
    }
}

#[test]
fn a_tab_separated_txt_and_a_utf16_export_read_like_a_csv() {
    let text = "名称\t代码\n甲\t001\n";
    let sheet = read(text.as_bytes(), "导出.txt").expect("reads");
    assert_eq!(sheet.rows[0].cells(), ["甲", "001"]);
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    assert_eq!(read(&utf16, "导出.txt"), Ok(sheet));
}

#[test]
fn headers_lose_full_width_spaces_and_line_breaks() {
    let sheet = read("企业\u{3000}名称 ,\"投资额\n（万元）\"\n甲,1\n".as_bytes(), "a.csv").expect("reads");
    assert_eq!(sheet.headers, ["企业名称", "投资额（万元）"]);
}

#[test]
fn a_file_that_is_not_a_spreadsheet_gets_a_clear_chinese_error_not_a_panic() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    assert_eq!(read(png, "x.xlsx"), Err(UNRECOGNISED.to_string()));
    assert_eq!(read(png, "x.csv"), Err(UNRECOGNISED.to_string()));
    assert_eq!(read(b"%PDF-1.4", "x.pdf"), Err(UNRECOGNISED.to_string()));
    assert_eq!(read(b"", "x.xlsx"), Err("文件为空".to_string()));
    assert_eq!(read(b"\n,\n\n", "x.csv"), Err(EMPTY.to_string()));
    // Broken containers: a truncated zip and a bare OLE signature.
    assert_eq!(read(b"PK\x03\x04\x14\0\0\0garbage", "x.xlsx"), Err(UNREADABLE.to_string()));
    assert_eq!(read(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0], "x.xls"), Err(UNREADABLE.to_string()));
    let html = "<html><body><table><tr><td>名称</td></tr></table></body></html>";
    assert_eq!(read(html.as_bytes(), "导出.xls"), Err(HTML_AS_XLS.to_string()));
}

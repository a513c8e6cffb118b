//! Unit tests of xlsx_out.rs.

use super::*;
use crate::imports::{map_headers, read};
use calamine::{Reader, SheetVisible, open_workbook_auto_from_rs};
use std::io::Cursor;

const STAGES: &[&str] = &["在谈", "签约", "开工", "投产"];
const COLUMNS: &[Column] = &[
    Column {
        key: "name", label: "企业名称", aliases: &[], required: true, choices: &[], note: "营业执照上的全称"
    },
    Column {
        key: "uscc", label: "统一社会信用代码", aliases: &[], required: true, choices: &[], note: "18 位"
    },
    Column { key: "stage", label: "阶段", aliases: &[], required: false, choices: STAGES, note: "" },
];

fn sheet_names(bytes: &[u8]) -> Vec<(String, SheetVisible)> {
    let workbook = open_workbook_auto_from_rs(Cursor::new(bytes)).expect("opens");
    workbook.sheets_metadata().iter().map(|s| (s.name.clone(), s.visible)).collect()
}

#[test]
fn a_template_reads_back_as_its_headers_and_examples() {
    let example = vec!["长沙某某科技有限公司".to_string(), "914301000000000000".into(), "签约".into()];
    let bytes = template("企业导入", COLUMNS, std::slice::from_ref(&example)).expect("writes");
    let sheet = read(&bytes, "模板.xlsx").expect("reads");
    assert_eq!(sheet.headers, ["企业名称*", "统一社会信用代码*", "阶段"]);
    assert_eq!(sheet.rows, [crate::imports::SheetRow::new(2, example)]);
    assert!(map_headers(&sheet.headers, COLUMNS).is_ok());
    let names = sheet_names(&bytes);
    assert_eq!(names, [("企业导入".to_string(), SheetVisible::Visible), ("说明".into(), SheetVisible::Visible)]);
}

#[test]
fn choices_too_long_for_an_inline_list_go_to_a_hidden_sheet() {
    let many: &'static [&'static str] = Vec::leak((0..60).map(|i| &*format!("选项{i:03}").leak()).collect());
    let columns = [Column { key: "k", label: "行业", aliases: &[], required: true, choices: many, note: "" }];
    let bytes = template("Sheet[1]/导入", &columns, &[]).expect("writes");
    let names = sheet_names(&bytes);
    assert_eq!(names[0].0, "Sheet1导入");
    assert_eq!(names[2], (LISTS_SHEET.to_string(), SheetVisible::Hidden));
    assert_eq!(read(&bytes, "t.xlsx").expect("reads").headers, ["行业*"]);
}

#[test]
fn a_table_round_trips_through_read() {
    let rows = vec![
        vec![Cell::Text("甲公司".into()), Cell::Int(3), Cell::Money(123_456_789), Cell::Date("2024-03-01".into())],
        vec![Cell::Empty, Cell::Int(-7), Cell::Money(0), Cell::Date("待定".into())],
        vec![Cell::Text("=1+1".into())],
    ];
    let bytes = table("项目清单", &["名称", "数量", "投资额（万元）", "签约日期"], rows.into_iter()).expect("writes");
    let sheet = read(&bytes, "export.xlsx").expect("reads");
    assert_eq!(sheet.headers, ["名称", "数量", "投资额（万元）", "签约日期"]);
    let cells: Vec<Vec<&str>> = sheet.rows.iter().map(|r| r.cells()).collect();
    assert_eq!(cells, [vec!["甲公司", "3", "123.456789", "2024-03-01"], vec!["", "-7", "0", "待定"], vec!["=1+1"]]);
}

#[test]
fn an_excel_date_cell_reads_as_yyyy_mm_dd_and_big_numbers_stay_plain() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = Format::new().set_num_format("yyyy/m/d");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let numbers =
        [("日期", 0.0), ("日期时间", 0.0), ("整数", 75.0), ("小数", 0.5), ("代码", 914_301_234_567_890_000.0)];
    for (c, (title, value)) in numbers.iter().enumerate() {
        sheet.write_string(0, c as u16, *title).expect("writes");
        if c >= 2 {
            sheet.write_number(1, c as u16, *value).expect("writes");
        }
    }
    let day = ExcelDateTime::from_ymd(2024, 3, 1).expect("valid date");
    sheet.write_datetime_with_format(1, 0, &day, &date).expect("writes");
    let moment = ExcelDateTime::parse_from_str("2024-03-01 09:30:00").expect("valid datetime");
    sheet.write_datetime_with_format(1, 1, &moment, &datetime).expect("writes");
    let bytes = workbook.save_to_buffer().expect("saves");
    let sheet = read(&bytes, "dates.xlsx").expect("reads");
    assert_eq!(sheet.rows[0].cells(), ["2024-03-01", "2024-03-01 09:30:00", "75", "0.5", "914301234567890000"]);
}

#[test]
fn workbook_row_numbers_match_excel_below_leading_and_blank_rows() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (row, text) in [(2, "名称"), (3, "甲"), (6, "乙")] {
        sheet.write_string(row, 1, text).expect("writes");
    }
    sheet.write_blank(4, 1, &Format::new().set_bold()).expect("writes");
    let sheet = read(&workbook.save_to_buffer().expect("saves"), "rows.xlsx").expect("reads");
    assert_eq!(sheet.headers, ["名称"]);
    assert_eq!(sheet.rows.iter().map(|r| r.number).collect::<Vec<_>>(), [4, 7]);
}

#[test]
fn a_csv_export_has_a_bom_reads_back_and_defuses_formulas() {
    let rows = vec![
        vec!["长沙, 湖南".to_string(), "说\"明\"".into(), "-5".into(), "-".into()],
        vec!["=HYPERLINK(\"http://x\")".into(), "+86 731".into(), "@SUM(A1)".into(), " 空格 ".into()],
    ];
    let bytes = csv(&["地区", "说明", "数值", "占位"], rows.into_iter());
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    let sheet = read(&bytes, "export.csv").expect("reads");
    assert_eq!(sheet.headers, ["地区", "说明", "数值", "占位"]);
    assert_eq!(sheet.rows[0].cells(), ["长沙, 湖南", "说\"明\"", "-5", "-"]);
    assert_eq!(sheet.rows[1].cells(), ["'=HYPERLINK(\"http://x\")", "'+86 731", "'@SUM(A1)", "空格"]);
}

#[test]
fn a_100000_row_table_exports_and_reads_back() {
    const ROWS: usize = 100_000;
    let rows = (0..ROWS).map(|i| {
        vec![
            Cell::Text(format!("项目{i}")),
            Cell::Int(i as i64),
            Cell::Money(i as i64 * 10_000),
            Cell::Date(format!("2024-{:02}-{:02}", i % 12 + 1, i % 28 + 1)),
            Cell::Text("9143010".repeat(2)),
        ]
    });
    let bytes = table("导出", &["名称", "序号", "金额", "日期", "代码"], rows).expect("writes");
    let sheet = read(&bytes, "big.xlsx").expect("reads");
    assert_eq!(sheet.rows.len(), ROWS);
    let last = &sheet.rows[ROWS - 1];
    assert_eq!(last.number, ROWS + 1);
    assert_eq!(last.cells(), ["项目99999", "99999", "999.99", "2024-04-12", "91430109143010"]);
}

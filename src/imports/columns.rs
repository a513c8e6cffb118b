//! The columns an import expects, matching an upload's header row against them, and per-cell errors.
//!
//! Users retype headers, copy them from old spreadsheets and keep our template's "*" marks, so matching is
//! forgiving about spacing, parentheses width, the "*" and ASCII case, and strict about what is missing.

use std::collections::HashMap;
use std::fmt;

use super::sheet::SheetRow;

#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The name the import code asks for; never shown to users.
    pub key: &'static str,
    pub label: &'static str,
    /// Other headers accepted for this column, e.g. older template wordings.
    pub aliases: &'static [&'static str],
    pub required: bool,
    /// Allowed values, offered as a dropdown in the template; empty for free text.
    pub choices: &'static [&'static str],
    pub note: &'static str,
}

impl Column {
    /// The header as our templates print it: required columns carry a "*".
    pub fn heading(&self) -> String {
        if self.required { format!("{}*", self.label) } else { self.label.to_owned() }
    }
}

/// Where each expected column sits in the upload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderMap {
    positions: HashMap<&'static str, usize>,
    /// Headers that matched no column, in file order, so the page can say what was not imported.
    pub ignored: Vec<String>,
}

impl HeaderMap {
    /// The cell of `key` in `row`; empty when the column is absent from the file or the row is short.
    pub fn get<'a>(&self, row: &'a SheetRow, key: &str) -> &'a str {
        self.positions.get(key).and_then(|&i| row.cell(i)).unwrap_or("")
    }

    /// Whether the file has the column at all, to tell "not provided" (keep the stored value) from "emptied".
    pub fn contains(&self, key: &str) -> bool {
        self.positions.contains_key(key)
    }
}

pub fn map_headers(headers: &[String], columns: &[Column]) -> Result<HeaderMap, Vec<String>> {
    let mut lookup: HashMap<String, usize> = HashMap::new();
    for (c, column) in columns.iter().enumerate() {
        for name in std::iter::once(&column.label).chain(column.aliases) {
            // The first column to claim a spelling keeps it, so a careless alias cannot steal a label.
            lookup.entry(match_key(name)).or_insert(c);
        }
    }

    let mut found: Vec<Vec<usize>> = vec![Vec::new(); columns.len()];
    let mut ignored = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        let key = match_key(header);
        if key.is_empty() {
            continue;
        }
        match lookup.get(&key) {
            Some(&c) => found[c].push(i),
            None => ignored.push(header.clone()),
        }
    }

    let mut errors = Vec::new();
    let mut positions = HashMap::new();
    for (column, at) in columns.iter().zip(&found) {
        match at.as_slice() {
            [] if column.required => errors.push(format!("缺少必填列“{}”", column.label)),
            [] => {}
            [i] => {
                positions.insert(column.key, *i);
            }
            many => {
                let letters: Vec<String> = many.iter().map(|&i| column_letter(i)).collect();
                errors.push(format!(
                    "“{}”列出现了 {} 次（第 {} 列），请只保留一列",
                    column.label,
                    many.len(),
                    letters.join("、")
                ));
            }
        }
    }
    if errors.is_empty() { Ok(HeaderMap { positions, ignored }) } else { Err(errors) }
}

/// The spelling-insensitive form of a header: no whitespace (including U+3000), full-width ASCII folded to
/// half-width (so "（万元）" equals "(万元)"), ASCII lower-cased, and without the "*" of required columns.
fn match_key(header: &str) -> String {
    let folded: String = header
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .map(|c| c.to_ascii_lowercase())
        .collect();
    folded.trim_matches('*').to_owned()
}

/// Excel's column name for a 0-based index: 0 → "A", 26 → "AA".
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A problem with one cell, reported back to the user with where to find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub row: usize,
    /// The column's label (not its key): it is what the user sees in the header row.
    pub column: String,
    pub value: String,
    pub message: String,
}

impl CellError {
    pub fn new(row: &SheetRow, column: &Column, value: &str, message: impl Into<String>) -> Self {
        CellError { row: row.number, column: column.label.to_owned(), value: value.to_owned(), message: message.into() }
    }

    /// "第 17 行，统一社会信用代码列（值“914301…”）：校验位错误"; a long value is shortened so that one bad
    /// cell cannot swamp the list.
    pub fn describe(&self) -> String {
        const SHOWN: usize = 20;
        let mut place = format!("第 {} 行", self.row);
        if !self.column.is_empty() {
            place.push_str(&format!("，{}列", self.column));
        }
        if !self.value.is_empty() {
            let mut value: String = self.value.chars().take(SHOWN).collect();
            if self.value.chars().count() > SHOWN {
                value.push('…');
            }
            place.push_str(&format!("（值“{value}”）"));
        }
        format!("{place}：{}", self.message)
    }
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[
        Column {
            key: "name", label: "企业名称", aliases: &["单位名称"], required: true, choices: &[], note: ""
        },
        Column {
            key: "uscc",
            label: "统一社会信用代码",
            aliases: &["信用代码"],
            required: true,
            choices: &[],
            note: "",
        },
        Column {
            key: "amount",
            label: "投资额（万元）",
            aliases: &["Investment"],
            required: false,
            choices: &[],
            note: "",
        },
        Column {
            key: "stage", label: "阶段", aliases: &[], required: true, choices: &["在谈", "签约"], note: ""
        },
    ];

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_match_by_label_alias_star_and_full_width_parentheses() {
        let map = map_headers(&headers(&["单位名称*", " 统一社会 信用代码＊", "投资额(万元)", "阶段"]), COLUMNS)
            .expect("matches");
        let row = SheetRow::new(2, headers(&["甲公司", "9143", "12.5", "签约"]));
        assert_eq!((map.get(&row, "name"), map.get(&row, "uscc"), map.get(&row, "amount")), ("甲公司", "9143", "12.5"));
        let map = map_headers(&headers(&["INVESTMENT", "企业名称", "信用代码", "阶段"]), COLUMNS).expect("matches");
        assert_eq!(map.get(&row, "amount"), "甲公司");
    }

    #[test]
    fn all_missing_required_columns_are_reported_at_once() {
        let errors = map_headers(&headers(&["投资额（万元）"]), COLUMNS).expect_err("columns are missing");
        assert_eq!(errors, ["缺少必填列“企业名称”", "缺少必填列“统一社会信用代码”", "缺少必填列“阶段”"]);
    }

    #[test]
    fn a_column_given_twice_is_an_error_even_under_another_name() {
        let errors = map_headers(&headers(&["企业名称", "统一社会信用代码", "阶段", "单位名称"]), COLUMNS)
            .expect_err("duplicate");
        assert_eq!(errors, ["“企业名称”列出现了 2 次（第 A、D 列），请只保留一列"]);
    }

    #[test]
    fn unknown_columns_are_ignored_and_listed_and_absent_ones_read_empty() {
        let map =
            map_headers(&headers(&["企业名称", "", "备注", "统一社会信用代码", "阶段"]), COLUMNS).expect("matches");
        assert_eq!(map.ignored, ["备注"]);
        assert!(!map.contains("amount") && map.contains("stage"));
        let short = SheetRow::new(9, headers(&["甲公司"]));
        assert_eq!((map.get(&short, "amount"), map.get(&short, "stage"), map.get(&short, "nonsense")), ("", "", ""));
    }

    #[test]
    fn a_cell_error_names_the_row_the_column_and_the_value() {
        let row = SheetRow::new(17, Vec::<String>::new());
        let error = CellError::new(&row, &COLUMNS[1], "91430100MA4L0XXX0X", "校验位错误");
        assert_eq!(error.describe(), "第 17 行，统一社会信用代码列（值“91430100MA4L0XXX0X”）：校验位错误");
        let long = CellError { value: "一".repeat(30), ..error.clone() };
        assert_eq!(long.describe(), format!("第 17 行，统一社会信用代码列（值“{}…”）：校验位错误", "一".repeat(20)));
        let empty = CellError::new(&row, &COLUMNS[0], "", "不能为空");
        assert_eq!(empty.to_string(), "第 17 行，企业名称列：不能为空");
    }

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!([0, 25, 26, 701, 702].map(column_letter), ["A", "Z", "AA", "ZZ", "AAA"]);
    }
}

//! A department's name rule (the rest of a department is its row, `store::Department`).

pub fn parse_name(s: &str) -> Result<String, String> {
    let s = s.trim();
    match s.chars().count() {
        0 => Err("部门名称不能为空".into()),
        1..=40 => Ok(s.to_string()),
        _ => Err("部门名称不能超过 40 个字".into()),
    }
}

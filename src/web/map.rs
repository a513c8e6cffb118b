//! A schematic map: each 市州 of Hunan is a tile placed where its seat lies (west → east,
//! north → south), coloured by an indicator in five classes. Any other scope's units are laid out
//! as a grid in code order. Tiles link to the unit's own cockpit.

use super::charts::{Mark, esc};
use std::fmt::Write;

/// (code, column, row) of Hunan's 14 市州, from the longitude and latitude of their seats.
const HUNAN: &[(&str, u32, u32)] = &[
    ("4308", 1, 0), // 张家界
    ("4307", 2, 0), // 常德
    ("4306", 4, 0), // 岳阳
    ("4309", 3, 1), // 益阳
    ("4331", 0, 2), // 湘西州
    ("4301", 4, 2), // 长沙
    ("4312", 1, 3), // 怀化
    ("4313", 2, 3), // 娄底
    ("4303", 3, 3), // 湘潭
    ("4302", 5, 3), // 株洲
    ("4305", 2, 4), // 邵阳
    ("4304", 4, 4), // 衡阳
    ("4311", 3, 5), // 永州
    ("4310", 5, 5), // 郴州
];

const TILE_W: u32 = 104;
const TILE_H: u32 = 56;
const GAP: u32 = 6;

/// Five classes between the smallest and largest value; None (no figure) gets its own grey.
pub fn class_of(v: Option<f64>, lo: f64, hi: f64) -> usize {
    match v {
        None => 0,
        Some(_) if hi <= lo => 3,
        Some(x) => 1 + (((x - lo) / (hi - lo) * 5.0).floor() as usize).min(4),
    }
}

/// A name short enough for a tile: "长沙" for 长沙市, "湘西州" for 湘西土家族苗族自治州.
pub fn short(name: &str) -> String {
    if let Some(i) = name.find("土家族").or_else(|| name.find("苗族")).filter(|_| name.ends_with("自治州")) {
        return format!("{}州", &name[..i]);
    }
    let chars: Vec<char> = name.chars().collect();
    if chars.len() > 2 && name.ends_with('市') { chars[..chars.len() - 1].iter().collect() } else { name.to_string() }
}

/// A tile per unit; `codes` go with `marks` in the same order. Values of None draw as "—".
pub fn tiles(title: &str, unit: &str, codes: &[String], marks: &[(Mark, Option<f64>)]) -> String {
    let hunan = codes.iter().all(|c| HUNAN.iter().any(|(h, _, _)| h == c)) && !codes.is_empty();
    let place = |i: usize, code: &str| -> (u32, u32) {
        if hunan {
            HUNAN.iter().find(|(h, _, _)| *h == code).map(|(_, c, r)| (*c, *r)).unwrap_or((0, 0))
        } else {
            ((i % 6) as u32, (i / 6) as u32)
        }
    };
    let (cols, rows) =
        codes.iter().enumerate().map(|(i, c)| place(i, c)).fold((1, 1), |(w, h), (c, r)| (w.max(c + 1), h.max(r + 1)));
    let width = cols * (TILE_W + GAP) + GAP;
    let height = rows * (TILE_H + GAP) + GAP + 28;
    let known: Vec<f64> = marks.iter().filter_map(|(_, v)| *v).collect();
    let lo = known.iter().copied().fold(f64::MAX, f64::min);
    let hi = known.iter().copied().fold(f64::MIN, f64::max);
    let mut out = format!(
        "<svg class=\"chart map\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        t = esc(title)
    );
    if codes.is_empty() {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"30\" text-anchor=\"middle\" class=\"muted\">暂无下级单位</text>",
            width / 2
        );
    }
    for (i, (code, (m, v))) in codes.iter().zip(marks).enumerate() {
        let (c, r) = place(i, code);
        let x = GAP + c * (TILE_W + GAP);
        let y = GAP + r * (TILE_H + GAP);
        if let Some(h) = &m.href {
            let _ = write!(out, "<a href=\"{}\">", esc(h));
        }
        let _ = write!(
            out,
            "<g class=\"mark tile t{q}\"><title>{label}：{shown}{u}</title>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{TILE_W}\" height=\"{TILE_H}\" rx=\"6\" class=\"q{q}\"/>\
             <text x=\"{cx}\" y=\"{ty1}\" text-anchor=\"middle\" class=\"name\">{name}</text>\
             <text x=\"{cx}\" y=\"{ty2}\" text-anchor=\"middle\" class=\"figure\">{shown}</text></g>",
            label = esc(&m.label),
            name = esc(&short(&m.label)),
            shown = esc(&m.shown),
            u = if v.is_some() { esc(unit) } else { String::new() },
            q = class_of(*v, lo, hi),
            cx = x + TILE_W / 2,
            ty1 = y + 23,
            ty2 = y + 44,
        );
        if m.href.is_some() {
            out.push_str("</a>");
        }
    }
    // The legend: the five classes, low to high, and "no figure".
    let ly = height - 20;
    for q in 1..=5 {
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{ly}\" width=\"22\" height=\"12\" class=\"q{q}\"/>",
            GAP + 24 * (q as u32 - 1)
        );
    }
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" class=\"tick\">低 → 高</text><rect x=\"{}\" y=\"{ly}\" width=\"22\" height=\"12\" class=\"q0\"/><text x=\"{}\" y=\"{}\" class=\"tick\">无数据</text></svg>",
        GAP + 24 * 5 + 4,
        ly + 11,
        GAP + 24 * 5 + 70,
        GAP + 24 * 5 + 96,
        ly + 11
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fall_into_five_classes_and_missing_ones_into_their_own() {
        assert_eq!(class_of(None, 0.0, 100.0), 0);
        assert_eq!(class_of(Some(0.0), 0.0, 100.0), 1);
        assert_eq!(class_of(Some(50.0), 0.0, 100.0), 3);
        assert_eq!(class_of(Some(100.0), 0.0, 100.0), 5);
        assert_eq!(class_of(Some(7.0), 7.0, 7.0), 3, "one value only: the middle class");
    }

    #[test]
    fn the_fourteen_cities_sit_where_they_are_on_the_map_and_link_to_their_cockpits() {
        let codes: Vec<String> = HUNAN.iter().map(|(c, _, _)| c.to_string()).collect();
        let marks: Vec<(Mark, Option<f64>)> = codes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (Mark::new(c.clone(), i as f64, format!("{i}")).link(format!("/cockpit?region={c}")), Some(i as f64))
            })
            .collect();
        let svg = tiles("项目开工率", "%", &codes, &marks);
        assert_eq!(svg.matches("class=\"mark tile").count(), 14);
        // 长沙 (column 4, row 2): x = 6 + 4 × 110, y = 6 + 2 × 62.
        assert!(svg.contains("<a href=\"/cockpit?region=4301\"><g class=\"mark tile t2\"><title>4301：5%</title><rect x=\"446\" y=\"130\""), "{svg}");
        let cells: std::collections::HashSet<(u32, u32)> = HUNAN.iter().map(|(_, c, r)| (*c, *r)).collect();
        assert_eq!(cells.len(), 14, "no two cities share a tile");
    }

    #[test]
    fn tile_names_are_short() {
        assert_eq!(short("长沙市"), "长沙");
        assert_eq!(short("湘西土家族苗族自治州"), "湘西州");
        assert_eq!(short("岳麓区"), "岳麓区");
        assert_eq!(short("沙市"), "沙市");
    }

    #[test]
    fn other_units_are_laid_out_in_a_grid() {
        let codes = vec!["430102".to_string(), "430103".to_string()];
        let marks = vec![(Mark::new("芙蓉区", 1.0, "1"), Some(1.0)), (Mark::new("天心区", 0.0, "—"), None)];
        let svg = tiles("税收", "万元", &codes, &marks);
        assert!(svg.contains("<title>天心区：—</title>") && svg.contains("class=\"q0\""));
    }
}

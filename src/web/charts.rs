//! Charts as SVG drawn on the server: no script library, nothing from outside, printable, and
//! testable as text. Every mark carries its exact figure in a <title> (shown on hover) and may link
//! somewhere (drill-down).

use std::fmt::Write;

/// Escapes text for SVG content and attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One bar, slice or tile: its label, value, the figure as shown, and where a click goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub label: String,
    pub value: f64,
    pub shown: String,
    pub href: Option<String>,
}

impl Mark {
    pub fn new(label: impl Into<String>, value: f64, shown: impl Into<String>) -> Mark {
        Mark { label: label.into(), value, shown: shown.into(), href: None }
    }
    pub fn link(mut self, href: impl Into<String>) -> Mark {
        self.href = Some(href.into());
        self
    }
}

fn open_link(out: &mut String, href: &Option<String>) {
    if let Some(h) = href {
        let _ = write!(out, "<a href=\"{}\">", esc(h));
    }
}

fn close_link(out: &mut String, href: &Option<String>) {
    if href.is_some() {
        out.push_str("</a>");
    }
}

fn empty(title: &str, width: u32) -> String {
    format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width} 60\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>\
         <text x=\"{}\" y=\"35\" text-anchor=\"middle\" class=\"muted\">暂无数据</text></svg>",
        width / 2,
        t = esc(title)
    )
}

/// Horizontal bars, longest value first as given; negative values draw as empty bars.
pub fn bars(title: &str, unit: &str, marks: &[Mark]) -> String {
    const W: u32 = 640;
    const ROW: u32 = 26;
    const LABEL: u32 = 150;
    const FIGURE: u32 = 110;
    if marks.is_empty() {
        return empty(title, W);
    }
    let max = marks.iter().map(|m| m.value).fold(0.0_f64, f64::max);
    let h = ROW * marks.len() as u32 + 10;
    let mut out = format!(
        "<svg class=\"chart bars\" viewBox=\"0 0 {W} {h}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        t = esc(title)
    );
    let span = (W - LABEL - FIGURE) as f64;
    for (i, m) in marks.iter().enumerate() {
        let y = 5 + ROW * i as u32;
        let len = if max > 0.0 && m.value > 0.0 { (m.value / max * span).max(1.0) } else { 0.0 };
        open_link(&mut out, &m.href);
        let _ = write!(
            out,
            "<g class=\"mark\"><title>{label}：{shown}{unit}</title>\
             <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect x=\"{LABEL}\" y=\"{ry}\" width=\"{len:.1}\" height=\"{bh}\" class=\"bar\"/>\
             <text x=\"{fx:.1}\" y=\"{ty}\" class=\"figure\">{shown}</text></g>",
            label = esc(&m.label),
            shown = esc(&m.shown),
            unit = esc(unit),
            lx = LABEL - 6,
            ty = y + 17,
            ry = y + 4,
            bh = ROW - 8,
            fx = LABEL as f64 + len + 6.0,
        );
        close_link(&mut out, &m.href);
    }
    out.push_str("</svg>");
    out
}

/// Monthly columns for two series side by side (e.g. 完成投资 and 到位资金), with a legend.
pub fn columns(title: &str, unit: &str, months: &[String], series: &[(&str, Vec<(f64, String)>)]) -> String {
    const W: u32 = 680;
    const H: u32 = 260;
    const LEFT: u32 = 10;
    const BOTTOM: u32 = 40;
    const TOP: u32 = 30;
    if months.is_empty() || series.is_empty() {
        return empty(title, W);
    }
    let max = series.iter().flat_map(|(_, v)| v.iter().map(|(x, _)| *x)).fold(0.0_f64, f64::max);
    let slot = (W - 2 * LEFT) as f64 / months.len() as f64;
    let bar = (slot * 0.8 / series.len() as f64).max(1.0);
    let plot = (H - BOTTOM - TOP) as f64;
    let mut out = format!(
        "<svg class=\"chart columns\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        t = esc(title)
    );
    for (k, (name, _)) in series.iter().enumerate() {
        let x = LEFT + 140 * k as u32;
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"6\" width=\"12\" height=\"12\" class=\"s{k}\"/><text x=\"{}\" y=\"17\">{}（{}）</text>",
            x + 16,
            esc(name),
            esc(unit)
        );
    }
    let baseline = H - BOTTOM;
    let _ = write!(out, "<line x1=\"{LEFT}\" y1=\"{baseline}\" x2=\"{}\" y2=\"{baseline}\" class=\"axis\"/>", W - LEFT);
    for (i, m) in months.iter().enumerate() {
        let x0 = LEFT as f64 + slot * i as f64 + slot * 0.1;
        for (k, (name, values)) in series.iter().enumerate() {
            let Some((v, shown)) = values.get(i) else { continue };
            let h = if max > 0.0 && *v > 0.0 { (v / max * plot).max(1.0) } else { 0.0 };
            let _ = write!(
                out,
                "<g class=\"mark\"><title>{m} {name}：{shown}{unit}</title>\
                 <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" class=\"s{k}\"/></g>",
                x0 + bar * k as f64,
                baseline as f64 - h,
                m = esc(m),
                name = esc(name),
                shown = esc(shown),
                unit = esc(unit),
            );
        }
        // Every month's label when they fit, else every third.
        if months.len() <= 12 || i % 3 == 0 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" class=\"tick\">{}</text>",
                x0 + slot * 0.4,
                baseline + 16,
                esc(m.get(2..).unwrap_or(m))
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// The stage funnel: one centred bar per stage, width by count.
pub fn funnel(title: &str, marks: &[Mark]) -> String {
    const W: u32 = 520;
    const ROW: u32 = 30;
    if marks.iter().all(|m| m.value <= 0.0) {
        return empty(title, W);
    }
    let max = marks.iter().map(|m| m.value).fold(0.0_f64, f64::max);
    let h = ROW * marks.len() as u32 + 6;
    let mut out = format!(
        "<svg class=\"chart funnel\" viewBox=\"0 0 {W} {h}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        t = esc(title)
    );
    for (i, m) in marks.iter().enumerate() {
        let w = if max > 0.0 { (m.value / max * (W as f64 - 160.0)).max(2.0) } else { 2.0 };
        let x = (W as f64 - 100.0 - w) / 2.0 + 60.0;
        let y = 3 + ROW * i as u32;
        open_link(&mut out, &m.href);
        let _ = write!(
            out,
            "<g class=\"mark\"><title>{label}：{shown}</title><text x=\"56\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect x=\"{x:.1}\" y=\"{ry}\" width=\"{w:.1}\" height=\"{rh}\" class=\"s{k}\"/>\
             <text x=\"{fx}\" y=\"{ty}\" class=\"figure\">{shown}</text></g>",
            label = esc(&m.label),
            shown = esc(&m.shown),
            ty = y + 19,
            ry = y + 3,
            rh = ROW - 6,
            fx = W - 96,
            k = i % 8,
        );
        close_link(&mut out, &m.href);
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_carry_exact_figures_and_links_and_escape_names() {
        let svg = bars(
            "资金到位率",
            "%",
            &[Mark::new("长沙市", 80.0, "80.00").link("/cockpit?region=4301"), Mark::new("<湘潭>", 40.0, "40.00")],
        );
        assert!(svg.contains("<title>长沙市：80.00%</title>"), "{svg}");
        assert!(svg.contains("<a href=\"/cockpit?region=4301\">"));
        assert!(svg.contains("&lt;湘潭&gt;") && !svg.contains("<湘潭>"));
        // The longest bar spans the plot (640 − 150 − 110 = 380); half the value, half the length.
        assert!(svg.contains("width=\"380.0\"") && svg.contains("width=\"190.0\""), "{svg}");
    }

    #[test]
    fn charts_without_data_say_so() {
        assert!(bars("x", "", &[]).contains("暂无数据"));
        assert!(columns("x", "亿元", &[], &[]).contains("暂无数据"));
        assert!(funnel("x", &[Mark::new("线索", 0.0, "0")]).contains("暂无数据"));
    }

    #[test]
    fn columns_show_each_month_of_each_series() {
        let months = vec!["2026-09".to_string(), "2026-10".to_string()];
        let svg = columns(
            "趋势",
            "亿元",
            &months,
            &[
                ("完成投资", vec![(2.0, "2.00".into()), (4.0, "4.00".into())]),
                ("到位资金", vec![(1.0, "1.00".into()), (0.0, "0.00".into())]),
            ],
        );
        assert!(svg.contains("<title>2026-10 完成投资：4.00亿元</title>"));
        assert!(svg.contains("<title>2026-10 到位资金：0.00亿元</title>"));
        assert_eq!(svg.matches("class=\"mark\"").count(), 4);
    }
}

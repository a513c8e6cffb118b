//! "Export this view": the project list with its filters, as xlsx, CSV or JSON — for pages, API and CLI.

use super::list::Filter;
use super::model::{ProjectTag, SourceTag, labels_of};
use super::store::Row;
use crate::domain::money::format_mu;
use crate::imports::Cell;

pub const LIMIT: i64 = 200_000;

pub const HEADERS: &[&str] = &[
    "项目编号",
    "项目代码",
    "项目名称",
    "所属地区代码",
    "所属地区",
    "行业代码",
    "行业",
    "总投资（万元）",
    "固定资产投资（万元）",
    "签约金额（万元）",
    "阶段",
    "状态",
    "状态说明",
    "三产",
    "产业项目",
    "建设性质",
    "资本来源",
    "来源地区",
    "招商方式",
    "项目标签",
    "用地（亩）",
    "签约日期",
    "开工日期",
    "投产日期",
    "达产日期",
];

fn date(d: Option<time::Date>) -> Cell {
    d.map(|d| Cell::Date(d.to_string())).unwrap_or(Cell::Empty)
}

fn text(s: Option<&str>) -> Cell {
    s.filter(|s| !s.is_empty()).map(|s| Cell::Text(s.to_string())).unwrap_or(Cell::Empty)
}

pub fn cells(r: &Row) -> Vec<Cell> {
    let p = &r.p;
    vec![
        Cell::Text(p.id.to_string()),
        text(p.code.as_deref()),
        Cell::Text(p.name.clone()),
        Cell::Text(p.region.clone()),
        Cell::Text(r.region_name.clone()),
        text(p.industry.as_deref()),
        text(r.industry_name.as_deref()),
        Cell::Money(p.total_investment.fen()),
        p.fixed_investment.map(|m| Cell::Money(m.fen())).unwrap_or(Cell::Empty),
        p.contracted_amount.map(|m| Cell::Money(m.fen())).unwrap_or(Cell::Empty),
        Cell::Text(p.stage.label().into()),
        Cell::Text(p.health.label().into()),
        text(p.health_reason.as_deref()),
        text(p.sector.as_deref()),
        Cell::Text(if p.industrial { "是" } else { "否" }.into()),
        text(p.nature.as_deref()),
        text(p.capital.as_deref()),
        Cell::Text(labels_of(SourceTag::ALL, p.sources, SourceTag::label).join("、")),
        text(p.channel.as_deref()),
        Cell::Text(labels_of(ProjectTag::ALL, p.tags, ProjectTag::label).join("、")),
        p.land_mu.map(|m| Cell::Text(format_mu(m))).unwrap_or(Cell::Empty),
        date(p.actual_sign),
        date(p.actual_start),
        date(p.actual_produce),
        date(p.actual_full_produce),
    ]
}

fn as_text(c: &Cell) -> String {
    match c {
        Cell::Text(s) | Cell::Date(s) => s.clone(),
        Cell::Int(i) => i.to_string(),
        Cell::Money(f) => crate::domain::money::Money(*f).wan(),
        Cell::Empty => String::new(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Result<Format, String> {
        match s {
            "xlsx" => Ok(Format::Xlsx),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            o => Err(format!("导出格式“{o}”无效，可选：xlsx、csv、json")),
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }
    pub fn ext(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

pub fn render(rows: &[Row], format: Format) -> Result<Vec<u8>, String> {
    match format {
        Format::Xlsx => crate::imports::table("项目", HEADERS, rows.iter().map(cells)),
        Format::Csv => Ok(crate::imports::csv(HEADERS, rows.iter().map(|r| cells(r).iter().map(as_text).collect()))),
        Format::Json => serde_json::to_vec(&rows.iter().map(super::api::project_json).collect::<Vec<_>>())
            .map_err(|e| e.to_string()),
    }
}

/// A file name that says what the view was: "项目库_2026-11-22.xlsx".
pub fn filename(_f: &Filter, format: Format) -> String {
    format!("项目库_{}.{}", super::service::today(), format.ext())
}

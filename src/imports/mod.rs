//! Imports and exports. The spreadsheet layer (`read`, header matching, templates, tables) makes
//! every format look alike and every error point at a row and column; `plan` and `jobs` decide
//! what rows mean, check them all, and commit them all or none.

mod columns;
mod limits;
mod sheet;
mod xlsx_out;

pub mod api;
mod apply;
pub mod jobs;
pub mod kinds;
pub mod pages;
pub mod plan;
mod plan_enterprises;
mod plan_projects;
mod plan_reports;

pub use columns::{CellError, Column, HeaderMap, column_letter, map_headers};
pub use sheet::{Sheet, SheetRow, read, read_off_thread};
pub use xlsx_out::{Cell, TableSheet, csv, table, template, workbook};

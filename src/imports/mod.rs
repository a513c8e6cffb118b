//! The spreadsheet layer of imports and exports: reading uploads into text rows, matching their headers to
//! the columns an import expects, and writing templates, exported tables and CSV.
//!
//! No database and no HTTP here: the import use cases decide what a row means; this module only makes
//! every format look alike and every error point at a row and column the user can find.

mod columns;
mod sheet;
mod xlsx_out;

pub use columns::{CellError, Column, HeaderMap, column_letter, map_headers};
pub use sheet::{Sheet, SheetRow, read};
pub use xlsx_out::{Cell, csv, table, template};

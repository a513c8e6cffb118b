//! Service figures (响应率、解决率、满意率…): pure functions over appeal facts (`model`), the report
//! per region and department (`service`), the page and workbook, and the API.

pub mod api;
pub mod model;
pub mod pages;
pub mod service;

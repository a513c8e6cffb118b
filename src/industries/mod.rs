//! GB/T 4754-2017 国民经济行业分类, loaded as reference data for projects and enterprises.
pub mod api;
pub mod model;
pub mod store;

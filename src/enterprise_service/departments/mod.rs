//! Departments that handle appeals: a unit within a region ("长沙市 · 市自然资源和规划局").
//!
//! A 部门办理人 belongs to the department whose region and name equal the user's unit region and
//! department (the free-text `department` on the user, trimmed): no second place to keep in step.
//! Renaming a department therefore means renaming it on its handlers too; the page says so.

pub mod model;
pub mod pages;
pub mod service;
pub mod store;

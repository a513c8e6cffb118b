#![recursion_limit = "512"]
//! zhaoshang — investment promotion and major-project management for Chinese provinces,
//! cities, counties and parks. One binary: web pages, a JSON API, and operator commands.

pub mod accounts;
pub mod audit;
pub mod batches;
pub mod cache;
pub mod cli;
pub mod db;
pub mod demo;
pub mod domain;
pub mod enterprise_service;
pub mod enterprises;
pub mod error;
pub mod evaluation;
pub mod imports;
pub mod industries;
pub mod projects;
pub mod reference;
pub mod regions;
pub mod reports;
pub mod web;

//! Accounts: users, roles bound to a scope, sessions, API tokens, and the authorization function.
pub mod admin_pages;
pub mod api;
pub mod authz;
pub mod model;
pub mod pages;
pub mod secrets;
pub mod service;
pub mod signin;
pub mod store;
pub mod throttle;
pub mod tokens;

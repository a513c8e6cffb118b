//! Router assembly, middleware, and the pieces every page shares.

pub mod api;
pub mod assets;
pub mod auth;
pub mod charts;
pub mod errors;
pub mod extract;
pub mod home;
pub mod idempotency;
pub mod layout;
pub mod map;
pub mod openapi;
pub mod routes;
pub mod system;
pub mod upload;

use crate::accounts::model::PasswordPolicy;
use crate::db::Db;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use routes::{RouteSpec, Routes};
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

/// Request bodies above this are refused with 413 (uploads get their own, larger limit).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// The limit for upload routes (evidence files, spreadsheets); the hard cap for any request.
pub const UPLOAD_LIMIT: usize = 25 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    pub password_policy: PasswordPolicy,
    /// Mark cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config { password_policy: PasswordPolicy::default(), secure_cookies: false }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Failed sign-ins per address and account name, in this instance (see `accounts::throttle`).
    pub sign_ins: Arc<crate::accounts::throttle::Throttle>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> AppState {
        AppState { db, config: Arc::new(config), sign_ins: Arc::default() }
    }
}

/// Every route of the application with its rule. Each bounded context adds its own.
pub fn routes() -> Routes {
    let r = Routes::default();
    let r = home::routes(r);
    let r = crate::accounts::pages::routes(r);
    let r = crate::accounts::api::routes(r);
    let r = crate::regions::pages::routes(r);
    let r = crate::regions::api::routes(r);
    let r = crate::industries::api::routes(r);
    let r = crate::enterprises::pages::routes(r);
    let r = crate::enterprises::api::routes(r);
    let r = crate::projects::pages::routes(r);
    let r = crate::projects::api::routes(r);
    let r = crate::reports::pages::routes(r);
    let r = crate::reports::api::routes(r);
    let r = crate::batches::pages::routes(r);
    let r = crate::batches::api::routes(r);
    let r = crate::enterprise_service::routes(r);
    let r = crate::evaluation::pages::routes(r);
    let r = crate::imports::pages::routes(r);
    let r = crate::imports::api::routes(r);
    let r = crate::audit::pages::routes(r);
    let r = crate::audit::api::routes(r);
    let r = system::routes(r);
    openapi::routes(r)
}

pub fn specs() -> Vec<RouteSpec> {
    routes().specs
}

pub fn app(state: AppState) -> Router {
    let Routes { router, .. } = routes();
    let security_headers = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    ];
    let mut router = router
        .fallback(errors::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(UPLOAD_LIMIT))
        // Inside `authenticate`: keys belong to the signed-in user.
        .layer(axum::middleware::from_fn_with_state(state.clone(), idempotency::idempotency))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        // A panic in a handler (a bug: every input is checked) answers a 500 in our words, logged,
        // instead of dropping the connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(errors::panicked))
        // A NUL in a path or a query value reaches no handler: PostgreSQL refuses it in text (a 500).
        .layer(axum::middleware::from_fn(errors::refuse_nul))
        // Outside the others, so every error they produce is rendered in our own words.
        .layer(axum::middleware::from_fn(errors::render_errors))
        .layer(axum::middleware::from_fn(auth::client_ip))
        // Outermost: signing in and the page share one read of the audit head.
        .layer(axum::middleware::from_fn(one_head_per_request));
    if state.config.secure_cookies {
        // Served over HTTPS: browsers must never fall back to plain HTTP for this host (a downgrade
        // would expose the session cookie on the network).
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    for (name, value) in security_headers {
        router = router
            .layer(SetResponseHeaderLayer::if_not_present(HeaderName::from(name), HeaderValue::from_static(value)));
    }
    router
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .with_state(state)
}

async fn one_head_per_request(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    crate::cache::per_request(next.run(req)).await
}

/// A file to download, its type taken from the name's extension; the name may be Chinese.
pub fn download(name: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let content_type = match name.rsplit('.').next() {
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("csv") => "text/csv; charset=utf-8",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    let disposition = format!("attachment; filename*=UTF-8''{}", auth::urlencode(name));
    ([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response()
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("signal handler");
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

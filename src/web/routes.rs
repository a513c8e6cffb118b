//! Every route is registered with the rule that guards it. The list of specs drives the
//! OpenAPI document and the permission-matrix test, so a route cannot exist without a rule.

use super::AppState;
use super::auth::guard;
use crate::accounts::model::Permission;
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, on};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// A signed-in user one of whose roles carries the permission. Records are further
    /// checked against the scope inside the handler, through `authz::check`.
    Perm(Permission),
    /// A signed-in user with any of the permissions (pages both 服务专员 and 部门办理人 use); the
    /// handler decides what each may see and do.
    AnyOf(&'static [Permission]),
}

/// Extra words for the OpenAPI document of an API route.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiDoc {
    pub request: Option<&'static str>,
    pub response: Option<&'static str>,
    pub query: &'static [(&'static str, &'static str)],
}

#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub rule: Rule,
    pub summary: &'static str,
    pub api: Option<ApiDoc>,
}

impl RouteSpec {
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

pub struct Routes {
    pub router: Router<AppState>,
    pub specs: Vec<RouteSpec>,
}

impl Default for Routes {
    fn default() -> Self {
        Routes { router: Router::new(), specs: Vec::new() }
    }
}

fn filter(m: &Method) -> MethodFilter {
    match *m {
        Method::GET => MethodFilter::GET,
        Method::POST => MethodFilter::POST,
        Method::PUT => MethodFilter::PUT,
        Method::PATCH => MethodFilter::PATCH,
        Method::DELETE => MethodFilter::DELETE,
        _ => panic!("unsupported method {m}"),
    }
}

impl Routes {
    /// A page or form route (HTML).
    pub fn page<H, T>(self, method: Method, path: &'static str, rule: Rule, summary: &'static str, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(RouteSpec { method, path, rule, summary, api: None }, h)
    }

    /// A JSON API route, described in the OpenAPI document.
    pub fn api<H, T>(
        self,
        method: Method,
        path: &'static str,
        rule: Rule,
        summary: &'static str,
        doc: ApiDoc,
        h: H,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(RouteSpec { method, path, rule, summary, api: Some(doc) }, h)
    }

    /// A POST page route that takes a multipart upload, with the larger upload limit.
    pub fn upload<H, T>(self, path: &'static str, rule: Rule, summary: &'static str, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add_limited(RouteSpec { method: Method::POST, path, rule, summary, api: None }, h, super::UPLOAD_LIMIT)
    }

    /// A POST API route whose body is an uploaded file, with the larger upload limit.
    pub fn api_upload<H, T>(self, path: &'static str, rule: Rule, summary: &'static str, doc: ApiDoc, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add_limited(
            RouteSpec { method: Method::POST, path, rule, summary, api: Some(doc) },
            h,
            super::UPLOAD_LIMIT,
        )
    }

    fn add_limited<H, T>(mut self, spec: RouteSpec, h: H, limit: usize) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let rule = spec.rule;
        let mr = on(filter(&spec.method), h)
            .route_layer(axum::extract::DefaultBodyLimit::max(limit))
            .route_layer(axum::middleware::from_fn(move |req, next| guard(rule, req, next)));
        self.router = self.router.route(spec.path, mr);
        self.specs.push(spec);
        self
    }

    fn add<H, T>(mut self, spec: RouteSpec, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let rule = spec.rule;
        let mr =
            on(filter(&spec.method), h).route_layer(axum::middleware::from_fn(move |req, next| guard(rule, req, next)));
        self.router = self.router.route(spec.path, mr);
        self.specs.push(spec);
        self
    }
}

//! Every GET route of the registry, sent huge, negative, malformed and far-future values in its path
//! and in every query parameter any handler reads, by a user its rule lets in: no 5xx and no dropped
//! connection (issue 12: `GET /audit?to=9999-12-31` once dropped the connection). SQLite and
//! PostgreSQL.

mod common;

use common::{backends, spawn};
use zhaoshang::accounts::model::{Permission, Role};
use zhaoshang::audit::Actor;
use zhaoshang::web::routes::Rule;

/// Query parameters read by some handler (the fields of the query structs), so that each reaches
/// the code that parses it.
const PARAMS: &[&str] = &[
    "action",
    "actor",
    "capital",
    "category",
    "channel",
    "code",
    "date",
    "days",
    "days_ahead",
    "department",
    "due_by",
    "enterprise",
    "entity",
    "entity_id",
    "expired",
    "flag",
    "from",
    "health",
    "held_on",
    "id",
    "indicator",
    "industry",
    "kind",
    "level",
    "list",
    "max_total",
    "min_total",
    "mine",
    "mode",
    "month",
    "nature",
    "next",
    "notice",
    "origin",
    "ownership",
    "page",
    "period",
    "project",
    "q",
    "quarter",
    "region",
    "risk",
    "role",
    "scope",
    "screen",
    "sector",
    "signed_from",
    "signed_to",
    "size",
    "sort",
    "source",
    "specialist",
    "stage",
    "started_from",
    "started_to",
    "state",
    "supervision",
    "tag",
    "tier",
    "to",
    "unit",
    "visit",
    "year",
];

fn hostile_values() -> Vec<String> {
    [
        "9999-12-31",
        "0000-01-01",
        "-1",
        "0",
        "99999999999999999999",
        "-9223372036854775808",
        "9223372036854775807",
        "1e309",
        "NaN",
        "2026-13-45",
        "2026-02-30",
        "9999Q9",
        "99999-12",
        "'; DROP TABLE projects;--",
        "\0",
        "a\0b",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("a{}", "长".repeat(300))])
    .collect()
}

/// The demo users, each with one role; the first whose role satisfies a rule asks.
const USERS: &[(&str, Role)] = &[
    ("hn.leader", Role::Leader),
    ("cs.invest", Role::InvestmentOfficer),
    ("cs.service", Role::ServiceSpecialist),
    ("cs.handler", Role::DepartmentHandler),
    ("cs.reporter", Role::Reporter),
    ("hn.sysadmin", Role::SysAdmin),
    ("hn.secadmin", Role::SecurityAdmin),
    ("hn.auditor", Role::Auditor),
];

fn user_for(rule: Rule) -> Option<&'static str> {
    let has = |r: Role, ps: &[Permission]| ps.iter().any(|p| r.has(*p));
    match rule {
        Rule::Public => None,
        Rule::SignedIn => Some("hn.leader"),
        Rule::Perm(p) => USERS.iter().find(|(_, r)| r.has(p)).map(|(u, _)| *u),
        Rule::AnyOf(ps) => USERS.iter().find(|(_, r)| has(*r, ps)).map(|(u, _)| *u),
    }
}

/// The path with each `{param}` replaced by `value` (percent-encoded).
fn fill(path: &str, value: &str) -> String {
    let enc = percent(value);
    let mut out = String::new();
    let mut rest = path;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let j = rest[i..].find('}').map_or(rest.len(), |j| i + j + 1);
        out.push_str(if rest[i..j].starts_with("{*") { "app.css" } else { &enc });
        rest = &rest[j..];
    }
    out.push_str(rest);
    out
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn every_get_route_answers_hostile_values_without_a_server_error_or_a_dropped_connection() {
    let values = hostile_values();
    let specs: Vec<_> = zhaoshang::web::specs().into_iter().filter(|s| s.method == axum::http::Method::GET).collect();
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let mut tokens = std::collections::HashMap::new();
        for (u, _) in USERS {
            let token = zhaoshang::accounts::service::create_token(&t.db, &Actor::cli(), u, "hostile").await.unwrap().1;
            tokens.insert(*u, token);
        }
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let mut failures = Vec::new();
        let mut sent = 0usize;
        for spec in &specs {
            let user = user_for(spec.rule);
            let get = |url: String| {
                let mut req = client.get(app.url(&url));
                if let Some(u) = user {
                    req = req.bearer_auth(&tokens[u]);
                }
                req.send()
            };
            let mut urls = Vec::new();
            // Hostile path values, and every parameter at once with each hostile value (the long one
            // alone: sixty of them would pass the client's own limit on a URL's length).
            for v in &values {
                if spec.path.contains('{') && !spec.path.contains("{*") {
                    urls.push(fill(spec.path, v));
                }
                let q: Vec<String> = if v.len() > 100 {
                    vec![format!("q={}", percent(v)), format!("region={}", percent(v))]
                } else {
                    PARAMS.iter().map(|p| format!("{p}={}", percent(v))).collect()
                };
                urls.push(format!("{}?{}", fill(spec.path, "4301"), q.join("&")));
            }
            // Each parameter alone with the values that overflowed or panicked before.
            for p in PARAMS {
                for v in ["9999-12-31", "99999999999999999999", "-1", "0000-01-01"] {
                    urls.push(format!("{}?{p}={v}", fill(spec.path, "4301")));
                }
            }
            for url in urls {
                sent += 1;
                let shown: String = url.chars().take(160).collect();
                match get(url.clone()).await {
                    Ok(r) if r.status().is_server_error() => {
                        failures.push(format!("{} {shown} as {user:?}: {}", t.label, r.status()))
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let e: String = e.to_string().chars().take(120).collect();
                        failures.push(format!("{} {shown} as {user:?}: dropped ({e})", t.label))
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{} of {sent} requests failed:\n{}", failures.len(), failures.join("\n"));
        assert_eq!(client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
    }
}

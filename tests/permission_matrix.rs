//! The permission matrix: every route × every role × (in scope, out of scope), plus anonymous,
//! generated from the router's own registry. A route that this table does not know fails the
//! test, so nobody can add a route without deciding who may use it.

mod common;

use Role::*;
use common::{Session, TestApp, backends, spawn};
use zhaoshang::accounts::model::Role;
use zhaoshang::accounts::service;
use zhaoshang::audit::Actor;

#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Only these roles (others 403); `scoped`: a record outside the scope answers 404.
    Roles(&'static [Role], bool),
}

enum Body {
    None,
    /// A multipart upload with no file (the token rides in the URL, as the page's form does it).
    Multipart,
    Form(&'static [(&'static str, &'static str)]),
    Json(&'static str),
}

const BUSINESS: &[Role] = &[Leader, InvestmentOfficer, ServiceSpecialist, Reporter];
const FILE_REPORTS: &[Role] = &[InvestmentOfficer, Reporter];
const IMPORT: &[Role] = &[InvestmentOfficer, Reporter];
const EDIT_ENTERPRISES: &[Role] = &[InvestmentOfficer];
const EDIT_PROJECTS: &[Role] = &[InvestmentOfficer];
const MANAGE_EVALUATION: &[Role] = &[Leader, InvestmentOfficer];
const SERVE: &[Role] = &[ServiceSpecialist];
const ASSIGN_SPECIALISTS: &[Role] = &[Leader, InvestmentOfficer];
/// Appeals are seen in the business scope, and by the department they were given to.
const SEE_APPEALS: &[Role] = &[Leader, InvestmentOfficer, ServiceSpecialist, DepartmentHandler, Reporter];
/// Appeals are moved by the service side and by the department that has them.
const MOVE_APPEALS: &[Role] = &[ServiceSpecialist, DepartmentHandler];
const REFERENCE: &[Role] =
    &[Leader, InvestmentOfficer, ServiceSpecialist, DepartmentHandler, Reporter, SysAdmin, SecurityAdmin];

/// The hand-written expectation for each route, and a body that exercises it without side effects
/// that would disturb the rest of the run.
fn expected(key: &str) -> Option<(Expect, Body)> {
    use Body::*;
    use Expect::*;
    Some(match key {
        "GET /login" | "GET /healthz" | "GET /static/{*path}" | "GET /api/v1/openapi.json" => (Public, None),
        "POST /login" => (Public, Form(&[("username", "nobody"), ("password", "x")])),
        "GET /" | "GET /account/password" | "GET /api/v1/me" => (SignedIn, None),
        "POST /logout" => (SignedIn, Form(&[])),
        "POST /account/password" => {
            (SignedIn, Form(&[("old_password", "wrong"), ("new_password", "x"), ("confirm", "y")]))
        }
        "GET /regions" | "GET /api/v1/regions" | "GET /api/v1/industries" | "GET /api/v1/industries/{industry}" => {
            (Roles(REFERENCE, false), None)
        }
        "GET /regions/{code}" | "GET /api/v1/regions/{code}" => (Roles(REFERENCE, true), None),
        "GET /admin/users" | "GET /admin/users/new" | "GET /api/v1/users" | "GET /admin/system" | "GET /metrics" => {
            (Roles(&[SysAdmin], false), None)
        }
        "POST /admin/users" => {
            (Roles(&[SysAdmin], false), Form(&[("username", "X"), ("display_name", ""), ("region", "4301")]))
        }
        "POST /api/v1/users" => (Roles(&[SysAdmin], false), Json("{}")),
        "GET /admin/users/{user_id}" | "GET /api/v1/users/{user_id}" => (Roles(&[SysAdmin], true), None),
        "POST /admin/users/{user_id}/action" => (Roles(&[SysAdmin], true), Form(&[("action", "unlock")])),
        "GET /admin/grants" => (Roles(&[SecurityAdmin], false), None),
        "GET /admin/grants/{user_id}" | "GET /api/v1/users/{user_id}/grants" => (Roles(&[SecurityAdmin], true), None),
        "POST /admin/grants/{user_id}" => (Roles(&[SecurityAdmin], true), Form(&[("role", "nope"), ("scope", "4301")])),
        "POST /admin/grants/{user_id}/remove" => (Roles(&[SecurityAdmin], true), Form(&[("grant_id", "GRANT")])),
        // An unknown action: the rule and the scope are what is tested here; who may act on whom is
        // in tests/security.rs.
        "POST /admin/grants/{user_id}/account" => (Roles(&[SecurityAdmin], true), Form(&[("action", "nope")])),
        "POST /api/v1/users/{user_id}/grants" => {
            (Roles(&[SecurityAdmin], true), Json(r#"{"role":"nope","scope":"4301"}"#))
        }
        "GET /audit" | "GET /api/v1/audit" => (Roles(&[Auditor], false), None),
        "GET /audit/{seq}" | "GET /api/v1/audit/{seq}" => (Roles(&[Auditor], true), None),
        "GET /enterprises" | "GET /api/v1/enterprises" => (Roles(BUSINESS, false), None),
        "GET /enterprises/{enterprise_id}" | "GET /api/v1/enterprises/{enterprise_id}" => (Roles(BUSINESS, true), None),
        "GET /enterprises/new" => (Roles(EDIT_ENTERPRISES, false), None),
        "POST /enterprises" => (Roles(EDIT_ENTERPRISES, false), Form(&[("name", "")])),
        "POST /api/v1/enterprises" => (Roles(EDIT_ENTERPRISES, false), Json("{}")),
        "GET /enterprises/{enterprise_id}/edit" => (Roles(EDIT_ENTERPRISES, true), None),
        // A stale version: refused with 409, so the run changes nothing.
        "POST /enterprises/{enterprise_id}" => {
            (Roles(EDIT_ENTERPRISES, true), Form(&[("version", "999"), ("name", "x")]))
        }
        "PUT /api/v1/enterprises/{enterprise_id}" => (Roles(EDIT_ENTERPRISES, true), Json("{}")),
        "GET /projects"
        | "GET /api/v1/projects"
        | "GET /projects/export/{format}"
        | "GET /projects/speed"
        | "GET /projects/speed/export"
        | "GET /api/v1/projects/speed" => (Roles(BUSINESS, false), None),
        "GET /projects/{project_id}" | "GET /api/v1/projects/{project_id}" => (Roles(BUSINESS, true), None),
        "GET /projects/{project_id}/evidence/{evidence_id}" => (Roles(BUSINESS, true), None),
        "GET /projects/new" => (Roles(EDIT_PROJECTS, false), None),
        "POST /projects" => (Roles(EDIT_PROJECTS, false), Form(&[("name", "")])),
        "POST /api/v1/projects" => (Roles(EDIT_PROJECTS, false), Json("{}")),
        "GET /projects/{project_id}/edit" => (Roles(EDIT_PROJECTS, true), None),
        "POST /projects/{project_id}" => (Roles(EDIT_PROJECTS, true), Form(&[("version", "999"), ("name", "")])),
        "PUT /api/v1/projects/{project_id}" => (Roles(EDIT_PROJECTS, true), Json("{}")),
        "POST /projects/{project_id}/transition" => {
            (Roles(EDIT_PROJECTS, true), Form(&[("to", "lead"), ("version", "999")]))
        }
        "POST /api/v1/projects/{project_id}/transitions" => (Roles(EDIT_PROJECTS, true), Json(r#"{"to":"nope"}"#)),
        "POST /projects/{project_id}/health" => (Roles(EDIT_PROJECTS, true), Form(&[("health", "nope")])),
        "POST /projects/{project_id}/evidence" => (Roles(EDIT_PROJECTS, true), Multipart),
        "GET /projects/{project_id}/reports" | "GET /api/v1/projects/{project_id}/reports" => {
            (Roles(BUSINESS, true), None)
        }
        "POST /projects/{project_id}/reports" => (Roles(FILE_REPORTS, true), Form(&[("month", "bad")])),
        "POST /api/v1/projects/{project_id}/reports" => (Roles(FILE_REPORTS, true), Json(r#"{"month":"bad"}"#)),
        "GET /reports" | "GET /reports/missing" => (Roles(BUSINESS, false), None),
        "GET /batches" | "GET /api/v1/batches" => (Roles(BUSINESS, false), None),
        "GET /batches/{batch_id}"
        | "GET /batches/{batch_id}/print"
        | "GET /batches/{batch_id}/export"
        | "GET /api/v1/batches/{batch_id}/summary" => (Roles(BUSINESS, true), None),
        "GET /batches/new" => (Roles(EDIT_PROJECTS, false), None),
        "POST /batches" => (Roles(EDIT_PROJECTS, false), Form(&[("kind", "bad")])),
        "POST /api/v1/batches" => (Roles(EDIT_PROJECTS, false), Json("{}")),
        "POST /batches/{batch_id}/members" => (Roles(EDIT_PROJECTS, true), Form(&[("project", "")])),
        "POST /batches/{batch_id}/members/remove" => (Roles(EDIT_PROJECTS, true), Form(&[("project", "PROJECT")])),
        "GET /imports" | "GET /imports/templates/{kind}" => (Roles(IMPORT, false), None),
        "POST /imports" => (Roles(IMPORT, false), Multipart),
        "POST /api/v1/imports" => (Roles(IMPORT, false), Json("{}")),
        // An import job is its uploader's own: "in scope" is the actor's job, "out" someone else's.
        "GET /imports/{import_id}" | "GET /api/v1/imports/{import_id}" => (Roles(IMPORT, true), None),
        "POST /imports/{import_id}/commit" => (Roles(IMPORT, true), Form(&[])),
        "POST /api/v1/imports/{import_id}/commit" => (Roles(IMPORT, true), Json("{}")),
        "GET /cockpit"
        | "GET /cockpit/export"
        | "GET /api/v1/cockpit"
        | "GET /evaluation"
        | "GET /evaluation/export"
        | "GET /evaluation/indicators"
        | "GET /evaluation/targets"
        | "GET /evaluation/rankings"
        | "GET /evaluation/brief"
        | "GET /evaluation/flags"
        | "GET /api/v1/evaluation/flags"
        | "GET /evaluation/breakdowns"
        | "GET /evaluation/breakdowns/export"
        | "GET /api/v1/evaluation" => (Roles(BUSINESS, false), None),
        // Weights apply to every ranking, so only a province-wide manager sets them: every actor
        // here is scoped to 长沙, and all are refused.
        "POST /evaluation/weights" => (Roles(&[], false), Form(&[("funds_rate", "x")])),
        "POST /evaluation/targets" => (
            Roles(MANAGE_EVALUATION, false),
            Form(&[("region", "430104"), ("year", "2026"), ("signed_amount", "很多")]),
        ),
        "POST /evaluation/rankings" => {
            (Roles(MANAGE_EVALUATION, false), Form(&[("region", "430104"), ("period", "bad"), ("level", "children")]))
        }
        "GET /evaluation/rankings/{snapshot_id}"
        | "GET /evaluation/rankings/{snapshot_id}/export"
        | "GET /api/v1/evaluation/rankings/{snapshot_id}" => (Roles(BUSINESS, true), None),
        "POST /evaluation/flags" => {
            (Roles(MANAGE_EVALUATION, false), Form(&[("region", "430104"), ("quarter", "bad")]))
        }
        // A stale version: refused with 409, so the list is never changed by the run.
        "POST /evaluation/flags/{list_id}/swap" => (
            Roles(MANAGE_EVALUATION, true),
            Form(&[("version", "999"), ("list", "red"), ("out", ""), ("in", ""), ("reason", "")]),
        ),
        "POST /evaluation/flags/{list_id}/publish" => (Roles(MANAGE_EVALUATION, true), Form(&[("version", "999")])),
        "GET /evaluation/flags/{list_id}/bulletin" | "GET /evaluation/flags/{list_id}/export" => {
            (Roles(BUSINESS, true), None)
        }
        "GET /service"
        | "GET /service/coverage"
        | "GET /service/specialists"
        | "GET /service/visits"
        | "GET /service/visits/due"
        | "GET /service/figures"
        | "GET /service/figures/export"
        | "GET /api/v1/visits"
        | "GET /api/v1/appeals/figures" => (Roles(BUSINESS, false), None),
        "GET /service/enterprises/{enterprise_id}"
        | "GET /service/projects/{project_id}"
        | "GET /service/visits/{visit_id}"
        | "GET /service/visits/{visit_id}/photos/{photo_id}"
        | "GET /api/v1/visits/{visit_id}" => (Roles(BUSINESS, true), None),
        // Being a record's specialist gives edit rights over it, so the 服务专员 never choose: the
        // region's 领导 and 招商专员 do (before security issue #12 it was the 服务专员).
        "POST /service/enterprises/{enterprise_id}/specialist" | "POST /service/projects/{project_id}/specialist" => {
            (Roles(ASSIGN_SPECIALISTS, true), Form(&[("specialist", "")]))
        }
        "GET /service/visits/new" | "GET /service/appeals/new" => (Roles(SERVE, false), None),
        "POST /service/visits" => (Roles(SERVE, false), Multipart),
        "POST /api/v1/visits" | "POST /api/v1/appeals" => (Roles(SERVE, false), Json("{}")),
        "POST /service/visits/{visit_id}/photos" => (Roles(SERVE, true), Multipart),
        "POST /service/appeals" => (Roles(SERVE, false), Form(&[("title", "")])),
        "GET /service/appeals" | "GET /api/v1/appeals" | "GET /service/notifications" | "GET /service/digest" => {
            (Roles(SEE_APPEALS, false), None)
        }
        "POST /service/notifications/read" => (Roles(SEE_APPEALS, false), Form(&[])),
        "GET /service/appeals/{appeal_id}" | "GET /api/v1/appeals/{appeal_id}" => (Roles(SEE_APPEALS, true), None),
        // An unknown move: refused with 422 once the appeal is found in reach, so the run changes nothing.
        "POST /service/appeals/{appeal_id}/act" => (Roles(MOVE_APPEALS, true), Form(&[("action", "nope")])),
        "POST /api/v1/appeals/{appeal_id}/transitions" => (Roles(MOVE_APPEALS, true), Json(r#"{"action":"nope"}"#)),
        // The in-scope appeal is only dispatched: an evaluation is refused by the state machine (422).
        "POST /api/v1/appeals/{appeal_id}/evaluation" => (Roles(SERVE, true), Json(r#"{"satisfaction":"满意"}"#)),
        "GET /service/inbox" => (Roles(&[DepartmentHandler], false), None),
        "GET /service/settings" | "GET /service/departments" | "GET /service/calendar/{year}" => {
            (Roles(&[SysAdmin], false), None)
        }
        "POST /service/departments" => (Roles(&[SysAdmin], false), Form(&[("region", "4301"), ("name", "")])),
        "POST /service/departments/{department_id}" => {
            (Roles(&[SysAdmin], true), Form(&[("version", "999"), ("name", "x"), ("active", "是")]))
        }
        // Province-wide settings need a province-level grant: every actor here is 长沙's, so all get 403
        // (tests/service.rs shows hn.sysadmin saving them).
        "POST /service/settings/rules" | "POST /service/settings/categories" | "POST /service/calendar/{year}" => {
            (Roles(&[], false), Form(&[]))
        }
        _ => return Option::None,
    })
}

/// One signed-in user per role, all scoped to 长沙市 (4301).
const ACTORS: &[(Role, &str)] = &[
    (Leader, "cs.leader"),
    (InvestmentOfficer, "cs.invest"),
    (ServiceSpecialist, "cs.service"),
    (DepartmentHandler, "cs.handler"),
    (Reporter, "cs.reporter"),
    (SysAdmin, "cs.sysadmin"),
    (SecurityAdmin, "cs.secadmin"),
    (Auditor, "cs.auditor"),
];

struct Fixture {
    /// Path parameter values: (name, in scope, out of scope).
    params: Vec<(&'static str, String, String)>,
    grant_in: String,
    project_in: String,
    /// Each actor's own import job, and one of somebody else's.
    own_jobs: std::collections::HashMap<String, String>,
    other_job: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let db = &app.db;
    let mut jobs = std::collections::HashMap::new();
    for name in ACTORS.iter().map(|(_, u)| *u).chain(["someone.else"]) {
        jobs.insert(name.to_string(), common::import_job(db, name).await.to_string());
    }
    let job_for = |u: &str| jobs[u].clone();
    let actor = Actor::cli();
    let mut ids = Vec::new();
    for (username, region) in
        [("cs.secadmin", "4301"), ("cs.auditor", "4301"), ("target.in", "430104"), ("target.out", "4303")]
    {
        let mut n =
            service::parse_new_user(username, "测试", region, "", Some(common::PASSWORD), &Default::default()).unwrap();
        // As if each had already replaced the password they were given.
        n.must_change_password = false;
        ids.push(service::create_user(db, &actor, None, n).await.unwrap().0.id);
    }
    service::add_grant(db, &actor, None, ids[0], SecurityAdmin, "4301").await.unwrap();
    service::add_grant(db, &actor, None, ids[1], Auditor, "4301").await.unwrap();
    let grant_in = service::add_grant(db, &actor, None, ids[2], Leader, "430104").await.unwrap();
    let ent_in = common::enterprise(db, "矩阵测试企业甲", "430104").await;
    let ent_out = common::enterprise(db, "矩阵测试企业乙", "4303").await;
    let proj_in = common::project(db, "矩阵测试项目甲", "430104").await;
    let proj_out = common::project(db, "矩阵测试项目乙", "4303").await;
    let ev_in = common::evidence(db, proj_in).await;
    let ev_out = common::evidence(db, proj_out).await;
    let batch_in = common::batch(db, "430104", Some(proj_in)).await;
    let batch_out = common::batch(db, "4303", Some(proj_out)).await;
    let snapshot_in = common::snapshot(db, "430104").await;
    let snapshot_out = common::snapshot(db, "4303").await;
    let list_in = common::flag_list(db, "430104").await;
    let list_out = common::flag_list(db, "4303").await;
    let visit_in = common::visit(db, ent_in, "430104").await;
    let visit_out = common::visit(db, ent_out, "4303").await;
    let photo_in = common::visit_photo(db, visit_in).await;
    let photo_out = common::visit_photo(db, visit_out).await;
    // The in-scope appeal is given to cs.handler's department; the other is 湘潭's.
    let dept_in = common::department(db, "4301", "市自然资源和规划局").await;
    let dept_out = common::department(db, "4303", "市自然资源和规划局").await;
    let appeal_in = common::appeal(db, ent_in, "430104", Some(dept_in)).await;
    let appeal_out = common::appeal(db, ent_out, "4303", Some(dept_out)).await;
    // Audit records written by the creation of the two targets: one in scope, one out.
    let mut conn = db.conn().await.unwrap();
    let (rows, _) =
        zhaoshang::audit::store::list(&mut conn.ex(), &[("/".into(), true)], &Default::default()).await.unwrap();
    let seq_of = |id: uuid::Uuid| {
        rows.iter().find(|r| r.entity_id == id.to_string() && r.action == "user.create").unwrap().seq.to_string()
    };
    Fixture {
        params: vec![
            ("{code}", "430121".into(), "4303".into()),
            ("{user_id}", ids[2].to_string(), ids[3].to_string()),
            ("{seq}", seq_of(ids[2]), seq_of(ids[3])),
            ("{*path}", "app.css".into(), "app.css".into()),
            ("{industry}", "C".into(), "C".into()),
            ("{kind}", "reports".into(), "reports".into()),
            ("{format}", "csv".into(), "csv".into()),
            ("{enterprise_id}", ent_in.to_string(), ent_out.to_string()),
            ("{project_id}", proj_in.to_string(), proj_out.to_string()),
            ("{evidence_id}", ev_in.to_string(), ev_out.to_string()),
            ("{batch_id}", batch_in.to_string(), batch_out.to_string()),
            ("{visit_id}", visit_in.to_string(), visit_out.to_string()),
            ("{photo_id}", photo_in.to_string(), photo_out.to_string()),
            ("{appeal_id}", appeal_in.to_string(), appeal_out.to_string()),
            ("{department_id}", dept_in.to_string(), dept_out.to_string()),
            ("{year}", "2026".into(), "2026".into()),
            ("{snapshot_id}", snapshot_in.to_string(), snapshot_out.to_string()),
            ("{list_id}", list_in.to_string(), list_out.to_string()),
        ],
        grant_in: grant_in.to_string(),
        project_in: proj_in.to_string(),
        own_jobs: ACTORS.iter().map(|(_, u)| (u.to_string(), job_for(u))).collect(),
        other_job: job_for("someone.else"),
    }
}

fn fill(path: &str, f: &Fixture, in_scope: bool, actor: &str) -> String {
    let mut p = path.to_string();
    let job = if in_scope { f.own_jobs.get(actor).unwrap_or(&f.other_job) } else { &f.other_job };
    p = p.replace("{import_id}", job);
    for (name, a, b) in &f.params {
        p = p.replace(name, if in_scope { a } else { b });
    }
    assert!(!p.contains('{'), "route {path} has a path parameter the matrix does not know: add it to the fixture");
    p
}

async fn call(app: &TestApp, s: Option<&Session>, method: &str, path: &str, body: &Body, f: &Fixture) -> u16 {
    let c = s.map(|s| s.client.clone()).unwrap_or_else(common::client);
    let csrf = match s {
        Some(s) => s.csrf.clone(),
        // Anonymous: the token of the sign-in form, as a browser would have it.
        None => common::csrf_in(&c.get(app.url("/login")).send().await.unwrap().text().await.unwrap()),
    };
    let r = match (method, body) {
        ("GET", _) => c.get(app.url(path)).send().await.unwrap(),
        ("POST", Body::Json(j)) => c
            .post(app.url(path))
            .header("x-csrf-token", &csrf)
            .header("content-type", "application/json")
            .body(*j)
            .send()
            .await
            .unwrap(),
        ("POST", Body::Form(fields)) => {
            let mut v: Vec<(&str, String)> = vec![("_csrf", csrf.clone())];
            v.extend(fields.iter().map(|(k, val)| {
                (
                    *k,
                    match *val {
                        "GRANT" => f.grant_in.clone(),
                        "PROJECT" => f.project_in.clone(),
                        other => other.to_string(),
                    },
                )
            }));
            c.post(app.url(path)).form(&v).send().await.unwrap()
        }
        ("POST", Body::None) => c.post(app.url(path)).send().await.unwrap(),
        ("POST", Body::Multipart) => {
            let form = reqwest::multipart::Form::new().text("stage", "lead");
            c.post(app.url(&format!("{path}?_csrf={csrf}"))).multipart(form).send().await.unwrap()
        }
        ("PUT", Body::Json(j)) => c
            .put(app.url(path))
            .header("x-csrf-token", &csrf)
            .header("content-type", "application/json")
            .body(*j)
            .send()
            .await
            .unwrap(),
        (m, _) => panic!("method {m} not covered by the matrix"),
    };
    r.status().as_u16()
}

fn allowed(status: u16) -> bool {
    matches!(status, 200..=399 | 409 | 422)
}

#[tokio::test]
async fn every_route_answers_every_role_in_and_out_of_scope_as_the_matrix_says() {
    let specs = zhaoshang::web::specs();
    let unknown: Vec<String> = specs.iter().map(|s| s.key()).filter(|k| expected(k).is_none()).collect();
    assert!(unknown.is_empty(), "routes without a row in the permission matrix: {unknown:?}");

    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let f = fixture(&app).await;
        let mut failures = Vec::new();
        let mut checked = 0;

        // Anonymous: public routes answer; pages send to the login; the API says 401.
        for s in &specs {
            let (exp, body) = expected(&s.key()).unwrap();
            let path = fill(s.path, &f, true, "");
            let got = call(&app, None, s.method.as_str(), &path, &body, &f).await;
            let want_ok = matches!(exp, Expect::Public);
            let ok = if want_ok {
                !matches!(got, 403 | 404 | 500..)
            } else if s.api.is_some() {
                got == 401
            } else {
                got == 303
            };
            checked += 1;
            if !ok {
                failures.push(format!("anonymous {} {path}: got {got}", s.method));
            }
        }

        for (role, username) in ACTORS {
            let mut session = app.login(username).await;
            for s in &specs {
                let (exp, body) = expected(&s.key()).unwrap();
                for in_scope in [true, false] {
                    let has_param = s.path.contains("{import_id}")
                        || f.params.iter().any(|(name, a, b)| a != b && s.path.contains(name));
                    if !in_scope && !has_param {
                        continue;
                    }
                    let path = fill(s.path, &f, in_scope, username);
                    let got = call(&app, Some(&session), s.method.as_str(), &path, &body, &f).await;
                    checked += 1;
                    let ok = match exp {
                        Expect::Public => !matches!(got, 403 | 404 | 500..),
                        Expect::SignedIn => allowed(got),
                        Expect::Roles(roles, scoped) => {
                            if !roles.contains(role) {
                                got == 403
                            } else if scoped && !in_scope {
                                got == 404
                            } else {
                                allowed(got)
                            }
                        }
                    };
                    if !ok {
                        failures.push(format!(
                            "{} ({username}) {} {path} [{}]: got {got}, expected {exp:?}",
                            role.label(),
                            s.method,
                            if in_scope { "in scope" } else { "out of scope" }
                        ));
                    }
                    if s.key() == "POST /logout" {
                        session = app.login(username).await;
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{}: {} of {checked} checks failed:\n{}",
            app.label,
            failures.len(),
            failures.join("\n")
        );
        assert!(checked > specs.len() * ACTORS.len(), "the matrix ran {checked} checks");
    }
}

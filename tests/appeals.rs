//! Appeals through pages and API: raised, dispatched, handled, rated; refused moves; stale versions;
//! department scoping; the overdue sweep on one and on two instances; figures. SQLite and (when
//! configured) PostgreSQL.

mod common;

use common::{Session, TestApp, backends, spawn};
use serde_json::{Value, json};
use zhaoshang::enterprise_service::sweep;

/// The appeal id a redirect points at ("/service/appeals/{id}?notice=…").
fn appeal_id(r: &reqwest::Response) -> String {
    let loc = r.headers()["location"].to_str().unwrap();
    loc.split("/service/appeals/").nth(1).unwrap().split('?').next().unwrap().to_string()
}

async fn version(app: &TestApp, s: &Session, id: &str) -> i64 {
    let j: Value = s.get(app, &format!("/api/v1/appeals/{id}")).await.json().await.unwrap();
    j["version"].as_i64().unwrap()
}

async fn act(app: &TestApp, s: &Session, id: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let v = version(app, s, id).await.to_string();
    let mut f = vec![("version", v.as_str())];
    f.extend_from_slice(fields);
    s.post_form(app, &format!("/service/appeals/{id}/act"), &f).await
}

async fn raise(app: &TestApp, s: &Session, enterprise: uuid::Uuid, title: &str, category: &str) -> String {
    let e = enterprise.to_string();
    let r = s
        .post_form(
            app,
            "/service/appeals",
            &[("enterprise", &e), ("title", title), ("detail", "企业反映的问题"), ("category", category)],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    appeal_id(&r)
}

#[tokio::test]
async fn an_appeal_goes_from_pending_to_rated_with_a_written_answer_and_unhappy_reopens_it() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let ent = common::enterprise(&t.db, "望城测试电子有限公司", "43011251").await;
        let dept = common::department(&t.db, "4301", "市自然资源和规划局").await.to_string();
        let sp = app.login("cs.service").await;
        let id = raise(&app, &sp, ent, "二期扩建用地指标尚未落实", "01").await;
        let page = sp.get(&app, &format!("/service/appeals/{id}")).await.text().await.unwrap();
        assert!(page.contains("待受理") && page.contains("复杂（15 个工作日）") && page.contains("县级"), "{page}");

        // The handler does not see it before it is dispatched to their department.
        let h = app.login("cs.handler").await;
        assert_eq!(h.get(&app, &format!("/service/appeals/{id}")).await.status(), 404, "{}", t.label);
        let r = act(&app, &sp, &id, &[("action", "dispatch"), ("department", &dept)]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let inbox = h.get(&app, "/service/inbox").await.text().await.unwrap();
        assert!(inbox.contains("二期扩建用地指标尚未落实") && inbox.contains("长沙市 · 市自然资源和规划局"), "{inbox}");
        let notes = h.get(&app, "/service/notifications").await.text().await.unwrap();
        assert!(notes.contains("新交办诉求") && notes.contains("二期扩建用地指标尚未落实"), "{notes}");

        // An illegal move is refused with words that say why and what to do.
        let r = act(&app, &h, &id, &[("action", "resolve"), ("answer", "已协调落实用地指标，预计下月供地")]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("诉求当前为“已交办”，不能办结") && page.contains("请承办部门先签收"), "{page}");
        // The service side cannot sign for the department.
        assert_eq!(act(&app, &sp, &id, &[("action", "accept")]).await.status(), 403);

        assert_eq!(act(&app, &h, &id, &[("action", "accept")]).await.status(), 303);
        // Closing needs a written answer.
        let r = act(&app, &h, &id, &[("action", "resolve"), ("answer", "已办")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("办结须填写书面答复（至少 10 个字"));
        let r = act(
            &app,
            &h,
            &id,
            &[("action", "resolve"), ("answer", "已协调市自然资源和规划局落实用地指标，预计下月供地")],
        )
        .await;
        assert_eq!(r.status(), 303);
        let notes = sp.get(&app, "/service/notifications").await.text().await.unwrap();
        assert!(notes.contains("已办结，请回访企业并录入评价"), "{notes}");

        // 不满意 needs a reason and reopens it, with the department, on a fresh deadline.
        let r = act(&app, &sp, &id, &[("action", "evaluate"), ("satisfaction", "不满意")]).await;
        assert_eq!(r.status(), 422);
        let r =
            act(&app, &sp, &id, &[("action", "evaluate"), ("satisfaction", "不满意"), ("note", "供地时间没有落实")])
                .await;
        assert_eq!(r.status(), 303);
        let j: Value = sp.get(&app, &format!("/api/v1/appeals/{id}")).await.json().await.unwrap();
        assert_eq!((j["state"].as_str(), j["reopen_count"].as_i64()), (Some("handling"), Some(1)), "{j}");
        assert!(j["answer"].is_null() && j["resolved_at"].is_null());
        let inbox = h.get(&app, "/service/inbox").await.text().await.unwrap();
        assert!(inbox.contains("二期扩建用地指标尚未落实"), "back in the department's inbox");
        act(&app, &h, &id, &[("action", "resolve"), ("answer", "已落实供地时间：12 月 15 日挂牌出让，已书面告知企业")])
            .await;
        let r = act(&app, &sp, &id, &[("action", "evaluate"), ("satisfaction", "满意")]).await;
        assert_eq!(r.status(), 303);
        let page = sp.get(&app, &format!("/service/appeals/{id}")).await.text().await.unwrap();
        assert!(page.contains("已评价") && page.contains("企业评价：不满意（供地时间没有落实），重新办理"), "{page}");
        // Evaluated is the end: nothing more to do.
        let r = act(&app, &sp, &id, &[("action", "escalate"), ("reason", "x")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("诉求已评价完结"));

        // Every move is audited.
        let mut c = t.db.conn().await.unwrap();
        let n: i64 = zhaoshang::q_scalar!(
            &mut c.ex(),
            fetch_one,
            i64,
            "SELECT count(*) FROM audit_log WHERE entity = 'appeal' AND entity_id = $1",
            id.clone()
        )
        .unwrap();
        assert_eq!(
            n, 7,
            "{}: create, dispatch, accept, resolve, evaluate, resolve, evaluate; refusals change nothing",
            t.label
        );
    }
}

#[tokio::test]
async fn a_handler_sees_only_the_appeals_given_to_their_department() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let ent = common::enterprise(&t.db, "岳麓测试科技有限公司", "430104").await;
        let mine = common::department(&t.db, "4301", "市自然资源和规划局").await;
        let other = common::department(&t.db, "4301", "市人社局").await;
        let a = common::appeal(&t.db, ent, "430104", Some(mine)).await;
        let b = common::appeal(&t.db, ent, "430104", Some(other)).await;
        let pending = common::appeal(&t.db, ent, "430104", None).await;
        let h = app.login("cs.handler").await;
        assert_eq!(h.get(&app, &format!("/service/appeals/{a}")).await.status(), 200);
        for id in [b, pending] {
            assert_eq!(h.get(&app, &format!("/service/appeals/{id}")).await.status(), 404, "{}", t.label);
            assert_eq!(h.get(&app, &format!("/api/v1/appeals/{id}")).await.status(), 404);
            let r = h.post_form(&app, &format!("/service/appeals/{id}/act"), &[("action", "accept")]).await;
            assert_eq!(r.status(), 404);
        }
        let list: Value = h.get(&app, "/api/v1/appeals").await.json().await.unwrap();
        assert_eq!(list["total"], 1, "{}: {list}", t.label);
        assert_eq!(list["items"][0]["id"], a.to_string());
        // Figures and visits are the business scope's, not a handler's.
        assert_eq!(h.get(&app, "/service/figures").await.status(), 403);
        assert_eq!(h.get(&app, "/service/visits").await.status(), 403);
        // The city leader sees all three, the 湘潭 leader none.
        let l = app.login("cs.leader").await;
        let list: Value = l.get(&app, "/api/v1/appeals").await.json().await.unwrap();
        assert_eq!(list["total"], 3);
        let xt = app.login("xt.leader").await;
        assert_eq!(xt.get(&app, &format!("/service/appeals/{a}")).await.status(), 404);
    }
}

#[tokio::test]
async fn returns_extensions_escalation_and_supervision_by_hand() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let ent = common::enterprise(&t.db, "雨花测试环保有限公司", "430111").await;
        let hr = common::department(&t.db, "4301", "市人社局").await.to_string();
        let land = common::department(&t.db, "4301", "市自然资源和规划局").await.to_string();
        let sp = app.login("cs.service").await;
        let h = app.login("cs.handler").await;
        let id = raise(&app, &sp, ent, "厂房不动产权证办理缓慢", "用地").await;
        act(&app, &sp, &id, &[("action", "dispatch"), ("department", &land)]).await;
        // Returned without a reason: refused; with one: the raiser is told and may re-dispatch.
        assert_eq!(act(&app, &h, &id, &[("action", "return")]).await.status(), 422);
        let r = act(&app, &h, &id, &[("action", "return"), ("reason", "不动产登记属市自然资源和规划局登记中心")]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(
            h.get(&app, &format!("/service/appeals/{id}")).await.status(),
            200,
            "the department keeps reading what it returned"
        );
        let page = sp.get(&app, &format!("/service/appeals/{id}")).await.text().await.unwrap();
        assert!(page.contains("已退回") && page.contains("退回原因：不动产登记属"), "{page}");
        assert_eq!(act(&app, &sp, &id, &[("action", "dispatch"), ("department", &hr)]).await.status(), 303);
        assert_eq!(h.get(&app, &format!("/service/appeals/{id}")).await.status(), 404, "now another department's");
        act(&app, &sp, &id, &[("action", "dispatch"), ("department", &land)]).await;
        act(&app, &h, &id, &[("action", "accept")]).await;

        // More time: asked by the department, approved by the service side, counted in working days.
        let before: Value = sp.get(&app, &format!("/api/v1/appeals/{id}")).await.json().await.unwrap();
        let r = act(&app, &h, &id, &[("action", "request_extension"), ("days", "40"), ("reason", "需现场勘测")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("1–30 个工作日"));
        assert_eq!(
            act(&app, &h, &id, &[("action", "request_extension"), ("days", "5"), ("reason", "需现场勘测")])
                .await
                .status(),
            303
        );
        assert_eq!(
            act(&app, &h, &id, &[("action", "approve_extension")]).await.status(),
            403,
            "not the department's to approve"
        );
        assert_eq!(act(&app, &sp, &id, &[("action", "approve_extension")]).await.status(), 303);
        let after: Value = sp.get(&app, &format!("/api/v1/appeals/{id}")).await.json().await.unwrap();
        let (d0, d1) = (before["due_on"].as_str().unwrap(), after["due_on"].as_str().unwrap());
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        let (d0, d1) = (time::Date::parse(d0, fmt).unwrap(), time::Date::parse(d1, fmt).unwrap());
        let cal = zhaoshang::enterprise_service::calendar::Calendar::official();
        assert_eq!(d1, cal.add_working_days(d0, 5), "{}", t.label);
        assert_eq!(after["extended"], true);

        // 督办 names a leader who covers the appeal; escalation climbs a level and tells the city.
        let r =
            act(&app, &sp, &id, &[("action", "supervise"), ("supervision", "重点"), ("supervisor", "xt.leader")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("不是管辖该诉求的领导"));
        let r =
            act(&app, &sp, &id, &[("action", "supervise"), ("supervision", "重点"), ("supervisor", "cs.leader")]).await;
        assert_eq!(r.status(), 303);
        let l = app.login("cs.leader").await;
        assert!(l.get(&app, "/service/notifications").await.text().await.unwrap().contains("请督办诉求"));
        assert_eq!(act(&app, &sp, &id, &[("action", "escalate")]).await.status(), 422, "a reason is needed");
        assert_eq!(act(&app, &sp, &id, &[("action", "escalate"), ("reason", "涉及跨区协调")]).await.status(), 303);
        let j: Value = sp.get(&app, &format!("/api/v1/appeals/{id}")).await.json().await.unwrap();
        assert_eq!(
            (j["level"].as_str(), j["escalations"].as_i64(), j["supervision"].as_str()),
            (Some("city"), Some(1), Some("重点"))
        );
        assert!(l.get(&app, "/service/notifications").await.text().await.unwrap().contains("已提级至市级"));
        act(&app, &sp, &id, &[("action", "escalate"), ("reason", "市级仍未解决")]).await;
        let r = act(&app, &sp, &id, &[("action", "escalate"), ("reason", "还要再提")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("已在省级协调，不能再提级"));
    }
}

#[tokio::test]
async fn a_stale_form_is_a_conflict_and_a_stale_api_call_a_412() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let ent = common::enterprise(&t.db, "开福测试文化有限公司", "430105").await;
        let dept = common::department(&t.db, "4301", "市自然资源和规划局").await;
        let id = common::appeal(&t.db, ent, "430105", Some(dept)).await.to_string();
        let h = app.login("cs.handler").await;
        let r =
            h.post_form(&app, &format!("/service/appeals/{id}/act"), &[("version", "1"), ("action", "accept")]).await;
        assert_eq!(r.status(), 303);
        let r = h
            .post_form(
                &app,
                &format!("/service/appeals/{id}/act"),
                &[("version", "1"), ("action", "return"), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status(), 409, "{}", t.label);
        assert!(r.text().await.unwrap().contains("您看到的是第 1 版，现为第 2 版，状态“办理中”"));
        let r = h
            .client
            .post(app.url(&format!("/api/v1/appeals/{id}/transitions")))
            .header("x-csrf-token", &h.csrf)
            .header("if-match", "\"1\"")
            .json(&json!({"action": "return", "reason": "不属本部门"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 412);
        let r = h
            .client
            .post(app.url(&format!("/api/v1/appeals/{id}/transitions")))
            .header("x-csrf-token", &h.csrf)
            .header("if-match", "\"2\"")
            .json(&json!({"action": "退回", "reason": "不属本部门"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["etag"], "\"3\"");
        let j: Value = r.json().await.unwrap();
        assert_eq!(j["state"], "returned");
        // Bad JSON names the field.
        let r = h
            .client
            .post(app.url(&format!("/api/v1/appeals/{id}/transitions")))
            .header("x-csrf-token", &h.csrf)
            .json(&json!({"action": "accept", "colour": "red"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.json::<Value>().await.unwrap()["message"].as_str().unwrap().contains("colour"));
    }
}

#[tokio::test]
async fn the_api_raises_lists_with_filters_and_takes_the_evaluation() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let ent = common::enterprise(&t.db, "天心测试建材有限公司", "430103").await;
        let dept = common::department(&t.db, "4301", "市自然资源和规划局").await;
        let sp = app.login("cs.service").await;
        let r = sp.post_json(&app, "/api/v1/appeals", &json!({"title": "", "category": "租金"})).await;
        assert_eq!(r.status(), 422);
        let j: Value = r.json().await.unwrap();
        let fields: Vec<&str> = j["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["title", "detail", "category", "enterprise"], "{j}");
        let r = sp
            .post_json(&app, "/api/v1/appeals", &json!({"title": "新增产线需扩容变压器", "detail": "用电负荷不足",
                "category": "水电气", "enterprise": ent.to_string(), "department": dept.to_string(), "contact": "王经理"}))
            .await;
        assert_eq!(r.status(), 201, "{}", t.label);
        let j: Value = r.json().await.unwrap();
        let id = j["id"].as_str().unwrap().to_string();
        assert_eq!(
            (j["state"].as_str(), j["tier"].as_str(), j["tier_days"].as_i64()),
            (Some("dispatched"), Some("urgent"), Some(2))
        );
        assert!(j["number"].as_str().unwrap().starts_with("SQ20"));
        assert_eq!(j["events"].as_array().unwrap().len(), 2, "raised and dispatched: {j}");
        let list: Value = sp.get(&app, "/api/v1/appeals?state=dispatched&category=05").await.json().await.unwrap();
        assert_eq!(list["total"], 1);
        let none: Value = sp.get(&app, "/api/v1/appeals?state=evaluated").await.json().await.unwrap();
        assert_eq!(none["total"], 0);
        let r = sp.get(&app, "/api/v1/appeals?state=done").await;
        assert_eq!(r.status(), 422);
        assert_eq!(r.json::<Value>().await.unwrap()["fields"][0]["field"], "state");
        let r = sp.get(&app, "/api/v1/appeals?region=4303").await;
        assert_eq!(r.status(), 404, "a region outside the scope");

        let h = app.login("cs.handler").await;
        for action in
            [json!({"action": "accept"}), json!({"action": "resolve", "answer": "已协调供电公司增容，本周内完成"})]
        {
            let r = h.post_json(&app, &format!("/api/v1/appeals/{id}/transitions"), &action).await;
            assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
        }
        let r = sp.post_json(&app, &format!("/api/v1/appeals/{id}/evaluation"), &json!({"satisfaction": "很好"})).await;
        assert_eq!(r.status(), 422);
        let r = sp.post_json(&app, &format!("/api/v1/appeals/{id}/evaluation"), &json!({"satisfaction": "满意"})).await;
        assert_eq!(r.status(), 200);
        let j: Value = r.json().await.unwrap();
        assert_eq!((j["state"].as_str(), j["satisfaction"].as_str()), (Some("evaluated"), Some("满意")));
        let r = h.post_json(&app, &format!("/api/v1/appeals/{id}/evaluation"), &json!({"satisfaction": "满意"})).await;
        assert_eq!(r.status(), 403, "the department does not rate itself");
    }
}

#[tokio::test]
async fn an_overdue_appeal_escalates_once_even_with_two_instances_sweeping() {
    for t in backends().await {
        let t = t.with_demo().await;
        let ent = common::enterprise(&t.db, "芙蓉测试商贸有限公司", "430102").await;
        let dept = common::department(&t.db, "4301", "市自然资源和规划局").await;
        let id = common::appeal(&t.db, ent, "430102", Some(dept)).await;
        let now = zhaoshang::audit::store::now_micros();
        // Nothing is due yet.
        let r = sweep::run(&t.db, now).await.unwrap();
        assert_eq!((r.overdue, r.escalated), (0, 0));
        // Forty days on it is overdue: two instances sweep at once, one escalates.
        let later = now + time::Duration::days(40);
        let second = zhaoshang::db::Db::open(&t.url).await.unwrap();
        let (a, b) = tokio::join!(sweep::run(&t.db, later), sweep::run(&second, later));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.escalated + b.escalated, 1, "{}: {a:?} {b:?}", t.label);
        assert_eq!(sweep::run(&t.db, later).await.unwrap().escalated, 0, "once per due date");
        let mut c = t.db.conn().await.unwrap();
        let (level, escalations): (String, i64) = zhaoshang::q_as!(
            &mut c.ex(),
            fetch_one,
            (String, i64),
            "SELECT level, escalations FROM appeals WHERE id = $1",
            id
        )
        .unwrap();
        assert_eq!((level.as_str(), escalations), ("city", 1));
        let audited: Vec<String> = zhaoshang::q_scalar!(
            &mut c.ex(),
            fetch_all,
            String,
            "SELECT actor_name FROM audit_log WHERE entity_id = $1 AND action = 'appeal.escalate'",
            id.to_string()
        )
        .unwrap();
        assert_eq!(audited, ["系统"]);
        // The handler and the city's leader each heard once about it being overdue and escalated.
        let handler = common::user_id(&t.db, "cs.handler").await;
        let leader = common::user_id(&t.db, "cs.leader").await;
        let kinds = |u: uuid::Uuid| {
            let db = t.db.clone();
            async move {
                let mut c = db.conn().await.unwrap();
                zhaoshang::q_scalar!(
                    &mut c.ex(),
                    fetch_all,
                    String,
                    "SELECT kind FROM notifications WHERE user_id = $1 ORDER BY kind",
                    u
                )
                .unwrap()
            }
        };
        assert_eq!(kinds(handler).await, ["overdue"]);
        assert_eq!(kinds(leader).await, ["escalated"]);
        second.close().await;
    }
}

#[tokio::test]
async fn figures_show_dashes_without_appeals_and_count_the_city_and_its_departments() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let l = app.login("cs.leader").await;
        let j: Value = l.get(&app, "/api/v1/appeals/figures").await.json().await.unwrap();
        assert_eq!(j["total"]["collected"], 0);
        assert!(j["total"]["response_rate"].is_null() && j["total"]["satisfaction_rate"].is_null(), "{j}");
        let page = l.get(&app, "/service/figures").await.text().await.unwrap();
        assert!(page.contains("长沙市合计") && page.contains("—") && !page.contains("NaN"), "{page}");

        let ent = common::enterprise(&t.db, "望城测试光电有限公司", "430112").await;
        let dept = common::department(&t.db, "4301", "市自然资源和规划局").await;
        common::appeal(&t.db, ent, "430112", Some(dept)).await;
        common::appeal(&t.db, ent, "430112", None).await;
        let j: Value = l.get(&app, "/api/v1/appeals/figures?region=4301").await.json().await.unwrap();
        assert_eq!(j["total"]["collected"], 2);
        assert_eq!(j["total"]["response_rate"], 0.0);
        assert_eq!(j["regions"][0]["name"], "望城区");
        let depts: Vec<&str> =
            j["departments"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
        assert!(depts.contains(&"长沙市 · 市自然资源和规划局"), "{depts:?}");
        let r = l.get(&app, "/service/figures/export?region=4301").await;
        assert_eq!(r.status(), 200);
        let sheet = zhaoshang::imports::read(&r.bytes().await.unwrap(), "x.xlsx").unwrap();
        assert!(
            sheet.rows.iter().any(|r| r.cell(0) == Some("长沙市合计") && r.cell(1) == Some("2")),
            "{:?}",
            sheet.rows
        );
        let r = l.get(&app, "/service/figures?from=2026-13-01").await;
        assert_eq!(r.status(), 422);
        // The cockpit's entry point gives the same totals.
        let mut c = t.db.conn().await.unwrap();
        let today = zhaoshang::projects::service::today();
        let (f, units) = zhaoshang::enterprise_service::figures::service::by_child(
            &mut c.ex(),
            "/43/4301/",
            today - time::Duration::days(1),
            today,
            today,
        )
        .await
        .unwrap();
        assert_eq!(units.values().map(|u| u.collected).sum::<i64>(), f.collected, "the units add up to the city");
        assert_eq!((f.collected, f.responded), (2, 0));
    }
}

#[tokio::test]
async fn an_overdue_appeal_shows_red_on_the_cockpit_of_its_city_and_of_the_province() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let ent = common::enterprise(&t.db, "芙蓉测试商贸有限公司", "430102").await;
        let dept = common::department(&t.db, "4301", "市自然资源和规划局").await;
        let late = common::appeal(&t.db, ent, "430102", Some(dept)).await;
        common::appeal(&t.db, ent, "430102", None).await;
        // The first was received weeks ago (this year still) and its deadline has passed.
        let now = zhaoshang::audit::store::now_micros();
        let today = zhaoshang::projects::service::today();
        let back = now - time::Duration::days(30);
        let received =
            if back.year() == now.year() { back } else { now.replace_date(today.replace_ordinal(1).unwrap()) };
        let mut c = t.db.conn().await.unwrap();
        zhaoshang::q_exec!(
            &mut c.ex(),
            "UPDATE appeals SET received_at = $1, due_on = $2 WHERE id = $3",
            received,
            today - time::Duration::days(10),
            late
        )
        .unwrap();
        drop(c);
        let year = today.year().to_string();

        let hn = app.login("hn.leader").await;
        let j: Value = hn.get(&app, &format!("/api/v1/cockpit?region=43&period={year}")).await.json().await.unwrap();
        let s = &j["service"];
        assert_eq!((s["total"]["collected"].as_i64(), s["total"]["overdue"].as_i64()), (Some(2), Some(1)), "{s}");
        let cs = s["units"].as_array().unwrap().iter().find(|u| u["region"] == "4301").expect("长沙市");
        assert_eq!((cs["collected"].as_i64(), cs["overdue"].as_i64()), (Some(2), Some(1)));
        let page = hn.get(&app, &format!("/cockpit?region=43&period={year}")).await.text().await.unwrap();
        assert!(page.contains(r#"<tr class="alarm"><td><a href="/service/figures?region=4301&"#), "{page}");
        assert!(
            !page.contains(r#"<tr class="alarm"><td><a href="/service/figures?region=4302"#),
            "株洲 has none overdue"
        );

        let city = app.login("cs.leader").await;
        let page = city.get(&app, &format!("/cockpit?region=4301&period={year}")).await.text().await.unwrap();
        assert!(page.contains(r#"<tr class="alarm"><td><a href="/service/figures?region=430102&"#), "{page}");
        assert!(page.contains("逾期未办结"));
        // The cockpit's workbook carries the same figures.
        let r = city.get(&app, &format!("/cockpit/export?region=4301&period={year}")).await;
        let book = r.bytes().await.unwrap();
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(book.to_vec())).unwrap();
        let sheet = calamine::Reader::worksheet_range(&mut wb, "企业服务诉求").unwrap();
        let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        let total = rows.iter().find(|r| r[0] == "长沙市合计").expect("a total line");
        assert_eq!((total[1].as_str(), total[3].as_str()), ("2", "1"), "{rows:?}");
    }
}

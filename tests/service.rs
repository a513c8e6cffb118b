//! Enterprise service through pages and API: visits (with photos and the "another unit was just
//! there" warning), specialists and handovers, coverage and due lists, settings and the working-day
//! calendar, departments, demo data. SQLite and (when configured) PostgreSQL.

mod common;

use common::{Session, TestApp, backends, spawn};
use serde_json::{Value, json};

/// Posts the visit form as a phone would: multipart, the CSRF token in the URL, optional photos.
async fn post_visit(
    app: &TestApp,
    s: &Session,
    fields: &[(&str, &str)],
    photos: &[(&str, &[u8])],
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (name, data) in photos {
        form = form.part("photos", reqwest::multipart::Part::bytes(data.to_vec()).file_name(name.to_string()));
    }
    s.client.post(app.url(&format!("/service/visits?_csrf={}", s.csrf))).multipart(form).send().await.unwrap()
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

#[tokio::test]
async fn a_visit_is_logged_with_photos_and_a_recent_visit_by_another_unit_asks_for_confirmation() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let ent = common::enterprise(&t.db, "望城测试储能科技有限公司", "43011251").await.to_string();
        let sp = app.login("cs.service").await;
        let today = zhaoshang::projects::service::today().to_string();

        // Every wrong field at once, nothing saved.
        let r = post_visit(&app, &sp, &[("enterprise", &ent), ("visited_on", "2099-01-01"), ("exit_risk", "高")], &[])
            .await;
        assert_eq!(r.status(), 422, "{}", t.label);
        let page = r.text().await.unwrap();
        for m in ["晚于今天", "请填写参加走访的人员", "请填写走访主题", "外迁或减产风险为中、高时须说明情况"]
        {
            assert!(page.contains(m), "{m}: {page}");
        }
        // A file that is not a photo is refused before anything is written.
        let fields = [
            ("enterprise", ent.as_str()),
            ("visited_on", today.as_str()),
            ("participants", "张三\n李四（望城经开区企业服务局）"),
            ("topics", "了解扩产用地需求"),
            ("expansion", "计划明年扩建二期"),
            ("problems", "二期用地指标未落实；技工招聘难"),
        ];
        let r = post_visit(&app, &sp, &fields, &[("协议.pdf", b"%PDF-1.7")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("不是照片"));
        // Nor a "photo" declaring 100,000 × 100,000 pixels (every browser showing it would decode 40 GB).
        let huge = [&PNG[..16], &100_000u32.to_be_bytes(), &100_000u32.to_be_bytes(), &PNG[24..]].concat();
        let r = post_visit(&app, &sp, &fields, &[("现场.png", &huge)]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("100000 × 100000 像素"), "{}", t.label);
        let r = post_visit(&app, &sp, &fields, &[("现场.png", PNG)]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        let to = r.headers()["location"].to_str().unwrap().to_string();
        let page = sp.get(&app, &to).await.text().await.unwrap();
        assert!(page.contains("走访已登记，照片 1 张") && page.contains("李四（望城经开区企业服务局）"), "{page}");
        assert!(page.contains("张三（市工信局）"), "a name alone is of the logger's unit: {page}");
        let photo = page.split("/photos/").nth(1).unwrap().split('"').next().unwrap();
        let visit = to.split('/').nth(3).unwrap().split('?').next().unwrap().to_string();
        let r = sp.get(&app, &format!("/service/visits/{visit}/photos/{photo}")).await;
        assert_eq!((r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()), (200, "image/png"));

        // Another unit (望城经开区's specialist) is warned before logging a second visit this week.
        let wc = app.login("wc.service").await;
        let form = wc.get(&app, &format!("/service/visits/new?enterprise={ent}")).await.text().await.unwrap();
        assert!(form.contains("近 7 天内已有其他单位走访过该企业") && form.contains("长沙市 · 市工信局"), "{form}");
        let r = post_visit(
            &app,
            &wc,
            &[("enterprise", &ent), ("visited_on", &today), ("participants", "王五"), ("topics", "回访")],
            &[],
        )
        .await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("为免多头重复走访") && page.contains("仍然登记"), "{page}");
        let r = post_visit(
            &app,
            &wc,
            &[
                ("enterprise", &ent),
                ("visited_on", &today),
                ("participants", "王五"),
                ("topics", "回访"),
                ("confirm_overlap", "是"),
            ],
            &[],
        )
        .await;
        assert_eq!(r.status(), 303);
        // The same unit is not warned about its own visits.
        let again = sp.get(&app, &format!("/service/visits/new?enterprise={ent}")).await.text().await.unwrap();
        assert!(again.contains("企业服务局") && again.contains("近 7 天内"), "cs.service sees wc's visit");

        // The API: a list of people, and the same warning as a 422 on confirm_overlap.
        let body = json!({"enterprise": ent, "visited_on": today, "participants": [{"name": "赵六", "unit": "市商务局"}], "topics": "政策宣讲"});
        let r = sp.post_json(&app, "/api/v1/visits", &body).await;
        assert_eq!(r.status(), 422);
        assert_eq!(r.json::<Value>().await.unwrap()["fields"][0]["field"], "confirm_overlap");
        let mut body = body;
        body["confirm_overlap"] = json!(true);
        let r = sp.post_json(&app, "/api/v1/visits", &body).await;
        assert_eq!(r.status(), 201, "{}", t.label);
        let j: Value = r.json().await.unwrap();
        assert_eq!(j["participants"][0]["unit"], "市商务局");
        let list: Value = sp.get(&app, &format!("/api/v1/visits?enterprise={ent}")).await.json().await.unwrap();
        assert_eq!(list["total"], 3);
        // 湘潭's leader cannot see them; a handler has no business scope.
        let xt = app.login("xt.leader").await;
        assert_eq!(xt.get(&app, &format!("/service/visits/{visit}")).await.status(), 404);
        assert_eq!(xt.get(&app, &format!("/api/v1/visits/{visit}")).await.status(), 404);
    }
}

#[tokio::test]
async fn specialists_are_assigned_one_to_one_with_handovers_and_coverage_lists_the_rest() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let key = common::enterprise(&t.db, "浏阳测试上市公司", "43018151").await;
        {
            let mut c = t.db.conn().await.unwrap();
            let tags = zhaoshang::enterprises::model::Tags::parse("上市、规上").unwrap().0;
            zhaoshang::q_exec!(&mut c.ex(), "UPDATE enterprises SET tags = $1 WHERE id = $2", tags, key).unwrap();
        }
        let sp = app.login("cs.service").await;
        // The 招商专员 of the city assigns; the specialist does not choose their own records.
        let inv = app.login("cs.invest").await;
        let cov = sp.get(&app, "/service/coverage").await.text().await.unwrap();
        assert!(cov.contains("浏阳测试上市公司"), "{}: {cov}", t.label);
        let path = format!("/service/enterprises/{key}/specialist");
        let r = inv.post_form(&app, &path, &[("specialist", "wc.service")]).await;
        assert_eq!(r.status(), 422, "wc.service's scope (望城经开区) does not cover 浏阳");
        assert!(r.text().await.unwrap().contains("不是管辖"));
        assert_eq!(inv.post_form(&app, &path, &[("specialist", "cs.service")]).await.status(), 303);
        let cov = sp.get(&app, "/service/coverage").await.text().await.unwrap();
        assert!(!cov.contains("浏阳测试上市公司"));
        let mine = sp.get(&app, "/service/coverage?mine=1").await.text().await.unwrap();
        assert!(mine.contains("浏阳测试上市公司"));
        // A form from before the assignment is stale.
        let r = inv.post_form(&app, &path, &[("specialist", "cs.service"), ("current", "")]).await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("刚被他人调整（现为长沙市服务专员（演示）"));

        // A project's specialist: a handover keeps the history and the project row's version moves.
        let p = common::project(&t.db, "测试重点项目", "43011251").await;
        let ppath = format!("/service/projects/{p}/specialist");
        assert_eq!(inv.post_form(&app, &ppath, &[("specialist", "wc.service")]).await.status(), 303);
        let page = inv.get(&app, &format!("/service/projects/{p}")).await.text().await.unwrap();
        let current = page.split("name=\"current\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let r = inv
            .post_form(&app, &ppath, &[("specialist", "cs.service"), ("current", &current), ("note", "工作调整")])
            .await;
        assert_eq!(r.status(), 303);
        let page = sp.get(&app, &format!("/service/projects/{p}")).await.text().await.unwrap();
        assert!(
            page.contains("交接记录") && page.contains("望城经开区服务专员（演示）") && page.contains("工作调整"),
            "{page}"
        );
        let j: Value = sp.get(&app, &format!("/api/v1/projects/{p}")).await.json().await.unwrap();
        assert_eq!(j["version"], 3, "{}: two assignments bump the project's version", t.label);
        assert_eq!(j["specialist_id"], common::user_id(&t.db, "cs.service").await.to_string());
        let wl = sp.get(&app, "/service/specialists").await.text().await.unwrap();
        assert!(wl.contains("cs.service") && wl.contains("wc.service"), "{wl}");
        // 领导 assign too; a 服务专员 never does, not even someone else.
        let l = app.login("cs.leader").await;
        let page = l.get(&app, &path.replace("/specialist", "")).await.text().await.unwrap();
        let current = page.split("name=\"current\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let r = l.post_form(&app, &path, &[("specialist", "wc.service"), ("current", &current)]).await;
        assert_eq!(r.status(), 422, "{}: still not 望城's to serve", t.label);
        assert_eq!(
            sp.post_form(&app, &path, &[("specialist", "wc.service"), ("current", &current)]).await.status(),
            403
        );
    }
}

#[tokio::test]
async fn the_due_list_follows_each_tiers_cadence() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let key = common::enterprise(&t.db, "测试链主企业", "430121").await;
        let other = common::enterprise(&t.db, "测试小微企业", "430121").await;
        {
            let mut c = t.db.conn().await.unwrap();
            let tags = zhaoshang::enterprises::model::Tags::parse("链主").unwrap().0;
            zhaoshang::q_exec!(&mut c.ex(), "UPDATE enterprises SET tags = $1 WHERE id = $2", tags, key).unwrap();
        }
        // Both visited 100 days ago: the key one (every 90 days) is overdue, the small one (365) is not.
        for e in [key, other] {
            let v = common::visit(&t.db, e, "430121").await;
            let mut c = t.db.conn().await.unwrap();
            let d = zhaoshang::projects::service::today() - time::Duration::days(100);
            zhaoshang::q_exec!(&mut c.ex(), "UPDATE visits SET visited_on = $1 WHERE id = $2", d, v).unwrap();
        }
        let l = app.login("cs.leader").await;
        let page = l.get(&app, "/service/visits/due?region=430121").await.text().await.unwrap();
        assert!(page.contains("测试链主企业") && page.contains("超期 10 天"), "{}: {page}", t.label);
        assert!(!page.contains("测试小微企业"));
        let key_only = l.get(&app, "/service/visits/due?tier=other").await.text().await.unwrap();
        assert!(!key_only.contains("测试链主企业"));
        assert_eq!(l.get(&app, "/service/visits/due?tier=big").await.status(), 422);
    }
}

#[tokio::test]
async fn province_wide_settings_and_the_calendar_are_edited_by_a_provincial_administrator() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let admin = app.login("hn.sysadmin").await;
        let page = admin.get(&app, "/service/calendar/2026").await.text().await.unwrap();
        assert!(page.contains("2026-02-14 上班 春节调休上班") && page.contains("2026-10-07 放假 国庆节"), "{page}");

        // Bad lines are named by number; nothing changes.
        let r = admin
            .post_form(
                &app,
                "/service/calendar/2027",
                &[("fingerprint", ""), ("days", "2027-01-01 放假 元旦\n2027-13-01 放假\n2027-01-04 上班")],
            )
            .await;
        assert_eq!(r.status(), 422, "{}", t.label);
        let text = r.text().await.unwrap();
        assert!(text.contains("第 2 行") && text.contains("第 3 行：2027-01-04 本是工作日"), "{text}");
        let empty = admin.get(&app, "/service/calendar/2027").await.text().await.unwrap();
        let print27 =
            empty.split("name=\"fingerprint\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let r = admin
            .post_form(
                &app,
                "/service/calendar/2027",
                &[("fingerprint", &print27), ("days", "2027-01-01 放假 元旦\n2027-02-06 上班 春节调休上班")],
            )
            .await;
        assert_eq!(r.status(), 303);
        // Someone else's edit in between: the old form is refused.
        let r = admin.post_form(&app, "/service/calendar/2027", &[("fingerprint", &print27), ("days", "")]).await;
        assert_eq!(r.status(), 409);
        // A make-up day now counts: 2027-02-05 (Friday) + 1 working day is Saturday the 6th.
        let mut c = t.db.conn().await.unwrap();
        let cal = zhaoshang::enterprise_service::settings::store::calendar(&mut c.ex()).await.unwrap();
        assert_eq!(cal.add_working_days(time::macros::date!(2027 - 02 - 05), 1), time::macros::date!(2027 - 02 - 06));
        drop(c);

        // Tiers and cadence: a city administrator sees them but may not change them.
        let city = app.login("cs.sysadmin").await;
        let r = city.post_form(&app, "/service/settings/rules", &[("tier_urgent", "3")]).await;
        assert_eq!(r.status(), 403);
        assert_eq!(city.post_form(&app, "/service/calendar/2027", &[("days", "")]).await.status(), 403);
        let page = admin.get(&app, "/service/settings").await.text().await.unwrap();
        let fp = page.split("name=\"fingerprint\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let form = |urgent: &'static str| {
            vec![
                ("tier_urgent", urgent),
                ("tier_normal", "7"),
                ("tier_complex", "15"),
                ("cadence_key", "90"),
                ("cadence_scale", "180"),
                ("cadence_other", "365"),
                ("overlap_days", "14"),
            ]
        };
        let mut f = form("0");
        f.push(("fingerprint", &fp));
        let r = admin.post_form(&app, "/service/settings/rules", &f).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("紧急期限“0”应为 1–60 的整数"));
        let mut f = form("3");
        f.push(("fingerprint", &fp));
        assert_eq!(admin.post_form(&app, "/service/settings/rules", &f).await.status(), 303);
        let mut c = t.db.conn().await.unwrap();
        let tiers = zhaoshang::enterprise_service::settings::store::tiers(&mut c.ex()).await.unwrap();
        assert_eq!(tiers[0].days, 3);
        assert_eq!(zhaoshang::enterprise_service::settings::store::rules(&mut c.ex()).await.unwrap().overlap_days, 14);
        drop(c);
        // A new category with its default tier; a clash of names is refused.
        let r = admin
            .post_form(&app, "/service/settings/categories", &[("code", "10"), ("name", "用地"), ("tier", "一般")])
            .await;
        assert_eq!(r.status(), 422);
        let r = admin
            .post_form(
                &app,
                "/service/settings/categories",
                &[("code", "10"), ("name", "科技创新"), ("tier", "一般"), ("active", "是")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let sp = app.login("cs.service").await;
        assert!(sp.get(&app, "/service/appeals/new").await.text().await.unwrap().contains("科技创新"));
    }
}

#[tokio::test]
async fn a_handler_belongs_to_the_department_named_like_their_unit_and_departments_are_scoped() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let city = app.login("cs.sysadmin").await;
        let r = city.post_form(&app, "/service/departments", &[("region", "4303"), ("name", "市商务局")]).await;
        assert_eq!(r.status(), 422, "{}: 湘潭 is outside 长沙's administrator's scope", t.label);
        let r = city.post_form(&app, "/service/departments", &[("region", "4301"), ("name", "市人社局")]).await;
        assert_eq!(r.status(), 422, "already there");
        assert_eq!(
            city.post_form(&app, "/service/departments", &[("region", "4301"), ("name", "市科技局")]).await.status(),
            303
        );
        let list = city.get(&app, "/service/departments").await.text().await.unwrap();
        assert!(list.contains("市科技局") && !list.contains("湘潭市"), "{list}");

        // Renaming cs.handler's department cuts them off until their account says the same.
        let h = app.login("cs.handler").await;
        assert!(h.get(&app, "/service/inbox").await.text().await.unwrap().contains("长沙市 · 市自然资源和规划局"));
        let dept = common::department(&t.db, "4301", "市自然资源和规划局").await;
        let r = city
            .post_form(
                &app,
                &format!("/service/departments/{dept}"),
                &[("version", "1"), ("name", "市自然资源局"), ("active", "是")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let inbox = h.get(&app, "/service/inbox").await.text().await.unwrap();
        assert!(inbox.contains("尚未登记为诉求承办部门"), "{inbox}");
        let r = city
            .post_form(
                &app,
                &format!("/service/departments/{dept}"),
                &[("version", "1"), ("name", "市自然资源和规划局"), ("active", "是")],
            )
            .await;
        assert_eq!(r.status(), 409, "a stale version");
    }
}

#[tokio::test]
async fn the_demo_holds_a_year_of_visits_and_appeals_and_loads_once() {
    for t in backends().await {
        let r = zhaoshang::demo::load(&t.db).await.unwrap();
        let s = r.service.expect("service demo data");
        assert!(s.visits > 120 && s.appeals > 60, "{}: {} visits, {} appeals", t.label, s.visits, s.appeals);
        assert!(zhaoshang::demo::load(&t.db).await.unwrap().service.is_none(), "a second run adds nothing");
        let mut c = t.db.conn().await.unwrap();
        let span: (i64, i64) = zhaoshang::q_as!(
            &mut c.ex(),
            fetch_one,
            (i64, i64),
            "SELECT count(*), count(DISTINCT enterprise_id) FROM visits WHERE is_demo"
        )
        .unwrap();
        assert!(span.1 > 25, "{span:?}");
        let states: Vec<(String, i64)> = zhaoshang::q_as!(
            &mut c.ex(),
            fetch_all,
            (String, i64),
            "SELECT state, count(*) FROM appeals WHERE is_demo GROUP BY state"
        )
        .unwrap();
        let evaluated = states.iter().find(|(s, _)| s == "evaluated").map(|x| x.1).unwrap_or(0);
        assert!(evaluated > 40, "{states:?}");
        let escalated: i64 = zhaoshang::q_scalar!(
            &mut c.ex(),
            fetch_one,
            i64,
            "SELECT count(*) FROM appeals WHERE is_demo AND escalations > 0"
        )
        .unwrap();
        assert!(escalated >= 1);
        drop(c);
        let app = spawn(&t).await;
        let l = app.login("cs.leader").await;
        let j: Value = l.get(&app, "/api/v1/appeals/figures?from=2025-01-01").await.json().await.unwrap();
        assert!(j["total"]["collected"].as_i64().unwrap() > 60, "{j}");
        assert!(j["total"]["satisfaction_rate"].as_f64().unwrap() > 0.7, "{j}");
        let page = l.get(&app, "/service/visits").await.text().await.unwrap();
        assert!(page.contains("演示"), "demo visits are marked");
    }
}

#[tokio::test]
async fn the_migrated_calendar_is_the_official_2025_and_2026_schedule() {
    for t in backends().await {
        let mut c = t.db.conn().await.unwrap();
        let rows: Vec<(time::Date, String, String)> = zhaoshang::q_as!(
            &mut c.ex(),
            fetch_all,
            (time::Date, String, String),
            "SELECT day, kind, name FROM calendar_days ORDER BY day"
        )
        .unwrap();
        let official: Vec<(time::Date, String, String)> = zhaoshang::enterprise_service::calendar::official_days()
            .into_iter()
            .map(|(d, k, n)| (d, k.code().to_string(), n))
            .collect();
        assert_eq!(rows, official, "{}", t.label);
    }
}

#[tokio::test]
async fn a_specialist_edits_the_projects_and_enterprises_assigned_to_them_and_no_others() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let sp = app.login("cs.service").await;
        let mine = common::project(&t.db, "专员负责的测试项目", "43011251").await;
        let other = common::project(&t.db, "他人负责的测试项目", "43011251").await;
        let ent = common::enterprise(&t.db, "专员负责的测试企业", "430112").await;
        let leader = app.login("cs.leader").await;
        let ppath = format!("/service/projects/{mine}/specialist");
        assert_eq!(leader.post_form(&app, &ppath, &[("specialist", "cs.service")]).await.status(), 303);
        let epath = format!("/service/enterprises/{ent}/specialist");
        assert_eq!(leader.post_form(&app, &epath, &[("specialist", "cs.service")]).await.status(), 303);

        // Their project: the page offers the controls, and marking it 滞后 works and is audited as them.
        let page = sp.get(&app, &format!("/projects/{mine}")).await.text().await.unwrap();
        assert!(page.contains(&format!("action=\"/projects/{mine}/health\"")), "{}: {page}", t.label);
        let form = sp.get(&app, &format!("/projects/{mine}/edit")).await.text().await.unwrap();
        assert!(form.contains(r#"value="43011251""#), "{}: the form offers the project's own region: {form}", t.label);
        let health = [("health", "behind"), ("reason", "用地手续滞后"), ("version", "")];
        let r = sp.post_form(&app, &format!("/projects/{mine}/health"), &health).await;
        assert_eq!(r.status(), 303, "{}", t.label);
        let j: Value = sp.get(&app, &format!("/api/v1/projects/{mine}")).await.json().await.unwrap();
        assert_eq!(j["health"], "behind");
        let mut c = t.db.conn().await.unwrap();
        let who: String = zhaoshang::q_scalar!(
            &mut c.ex(),
            fetch_one,
            String,
            "SELECT actor_name FROM audit_log WHERE entity_id = $1 AND action = 'project.health'",
            mine.to_string()
        )
        .unwrap();
        assert_eq!(who, "cs.service");
        drop(c);

        // Someone else's project in the same scope: readable, not editable.
        let page = sp.get(&app, &format!("/projects/{other}")).await.text().await.unwrap();
        assert!(!page.contains(&format!("action=\"/projects/{other}/health\"")));
        assert_eq!(sp.get(&app, &format!("/projects/{other}/edit")).await.status(), 403);
        let r = sp.post_form(&app, &format!("/projects/{other}/health"), &health).await;
        assert_eq!(r.status(), 403);
        let r =
            sp.post_json(&app, &format!("/api/v1/projects/{other}/transitions"), &json!({"to": "negotiating"})).await;
        assert_eq!(r.status(), 403);

        // Their enterprise: the edit page opens; creating enterprises stays with the 招商专员.
        let form = sp.get(&app, &format!("/enterprises/{ent}/edit")).await.text().await.unwrap();
        assert!(form.contains(r#"value="430112""#), "{}: {form}", t.label);
        assert_eq!(sp.get(&app, "/enterprises/new").await.status(), 403);
        assert_eq!(sp.get(&app, "/projects/new").await.status(), 403);
    }
}

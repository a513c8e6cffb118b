//! Who chooses a 服务专员. Being a record's specialist gives edit rights over it, so the choice
//! belongs to the 领导 and 招商专员 of its region and never to the assignee: a 服务专员 assigns
//! nobody, and nobody assigns themselves. SQLite and (when configured) PostgreSQL.

mod common;

use common::{backends, spawn};
use zhaoshang::accounts::model::Role;
use zhaoshang::audit::Actor;
use zhaoshang::enterprise_service::specialists::{self, model::Kind};

#[tokio::test]
async fn a_service_specialist_assigns_nobody_and_gains_no_edit_rights_by_assigning_themselves() {
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let p = common::project(&t.db, "自荐测试项目", "43011251").await;
        let e = common::enterprise(&t.db, "自荐测试企业", "43011251").await;
        let sp = app.login("cs.service").await;
        for path in [format!("/service/projects/{p}/specialist"), format!("/service/enterprises/{e}/specialist")] {
            for who in ["cs.service", "wc.service"] {
                let r = sp.post_form(&app, &path, &[("specialist", who)]).await;
                assert_eq!(r.status(), 403, "{}: {path} {who}", t.label);
            }
            let page = sp.get(&app, &path.replace("/specialist", "")).await.text().await.unwrap();
            assert!(!page.contains("id=\"assign\""), "{}: the page offers no assignment: {page}", t.label);
        }
        assert_eq!(sp.get(&app, &format!("/projects/{p}/edit")).await.status(), 403, "{}", t.label);

        // An assignment a specialist made themselves before this rule (the history says who made
        // it) gives no edit rights.
        {
            let me = common::user_id(&t.db, "cs.service").await;
            let mut tx = t.db.begin().await.unwrap();
            let now = time::OffsetDateTime::now_utc();
            specialists::store::put(&mut tx.ex(), Kind::Project, p, me, "cs.service", None, now, false).await.unwrap();
            tx.commit().await.unwrap();
        }
        assert_eq!(sp.get(&app, &format!("/projects/{p}/edit")).await.status(), 403, "{}", t.label);

        // Made by the 招商专员, the same assignment does.
        let inv = app.login("cs.invest").await;
        let page = inv.get(&app, &format!("/service/projects/{p}")).await.text().await.unwrap();
        let current = page.split("name=\"current\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let path = format!("/service/projects/{p}/specialist");
        let r = inv.post_form(&app, &path, &[("specialist", "wc.service"), ("current", &current)]).await;
        assert_eq!(r.status(), 303, "{}", t.label);
        let wc = app.login("wc.service").await;
        assert_eq!(wc.get(&app, &format!("/projects/{p}/edit")).await.status(), 200, "{}", t.label);
    }
}

#[tokio::test]
async fn a_leader_who_is_also_a_service_specialist_cannot_assign_themselves() {
    for t in backends().await {
        let t = t.with_demo().await;
        let me = common::user_id(&t.db, "cs.service").await;
        zhaoshang::accounts::service::add_grant(&t.db, &Actor::cli(), None, me, Role::Leader, "4301").await.unwrap();
        let app = spawn(&t).await;
        let p = common::project(&t.db, "兼任测试项目", "43011251").await;
        let both = app.login("cs.service").await;
        let path = format!("/service/projects/{p}/specialist");
        let page = both.get(&app, &format!("/service/projects/{p}")).await.text().await.unwrap();
        assert!(page.contains("id=\"assign\"") && page.contains("wc.service"), "{}: {page}", t.label);
        assert!(!page.contains("value=\"cs.service\""), "{}: not offered to themselves", t.label);
        let r = both.post_form(&app, &path, &[("specialist", "cs.service")]).await;
        assert_eq!(r.status(), 422, "{}", t.label);
        assert!(r.text().await.unwrap().contains("不能指定自己为服务专员"));
        let r = both.post_form(&app, &path, &[("specialist", me.to_string().as_str())]).await;
        assert_eq!(r.status(), 422, "{}: by id neither", t.label);
        assert_eq!(both.post_form(&app, &path, &[("specialist", "wc.service")]).await.status(), 303, "{}", t.label);
        let mut c = t.db.conn().await.unwrap();
        let actor: String = zhaoshang::q_scalar!(
            &mut c.ex(),
            fetch_one,
            String,
            "SELECT actor_name FROM audit_log WHERE entity_id = $1 AND action = 'specialist.assign'",
            p.to_string()
        )
        .unwrap();
        assert_eq!(actor, "cs.service", "{}", t.label);
    }
}

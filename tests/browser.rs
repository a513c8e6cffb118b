//! Browser tests: journeys through the real app in Debian's chromium, driven over W3C WebDriver
//! (see `common::webdriver`; skipped without chromedriver unless `ZHAOSHANG_REQUIRE_BROWSER=1`).

mod common;

use common::webdriver::start_driver;
use common::{backends, spawn};
use serde_json::json;

#[tokio::test]
async fn a_city_leader_signs_in_browses_their_regions_and_cannot_reach_another_city() {
    let Some(driver) = start_driver().await else { return };
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let b = driver.browser(1280, 900).await;

        b.login(&app, "cs.leader", "wrong-password").await;
        b.wait_for("用户名或密码错误").await;

        b.login(&app, "cs.leader", common::PASSWORD).await;
        let home = b.wait_for("您好").await;
        assert!(home.contains("您好，长沙市领导") && home.contains("领导") && home.contains("长沙市"), "{home}");

        let nav = b.find("nav.modules").await;
        let _ = nav;
        let regions = b.link("区划与园区").await;
        b.click(&regions).await;
        b.wait_path("/regions").await;
        let city = b.link("长沙市").await;
        b.click(&city).await;
        b.wait_path("/regions/4301").await;
        b.wait_for("湖南湘江新区").await;
        let county = b.link("望城区").await;
        b.click(&county).await;
        let page = b.wait_for("望城经济技术开发区").await;
        assert!(page.contains("区划与园区 › 长沙市 › 望城区"), "breadcrumbs stop at the scope: {page}");

        b.type_into("input[name=q]", "望城").await;
        b.click_css(".filters button").await;
        // The search's own page, not the one before it (which holds the same name): otherwise the next
        // navigation can race the search's, and the search wins.
        b.wait_path("/regions?q=").await;
        b.wait_for("望城经济技术开发区").await;

        b.goto(&app, "/regions/4303").await;
        b.wait_for("页面或记录不存在").await;

        b.goto(&app, "/admin/users").await;
        b.wait_for("无权访问").await;

        b.goto(&app, "/").await;
        b.click_css("header form button").await;
        b.wait_path("/login").await;
        b.goto(&app, "/regions").await;
        b.wait_path("/login?next=/regions").await;
        b.quit().await;
    }
}

#[tokio::test]
async fn an_administrator_creates_a_user_and_locks_them_after_confirming() {
    let Some(driver) = start_driver().await else { return };
    let t = common::sqlite().await.with_demo().await;
    let app = spawn(&t).await;
    let b = driver.browser(1280, 900).await;
    b.login(&app, "cs.sysadmin", common::PASSWORD).await;
    let users = b.link("用户管理").await;
    b.click(&users).await;
    let new = b.link("新建用户").await;
    b.click(&new).await;
    b.type_into("input[name=username]", "Bad Name").await;
    b.type_into("input[name=display_name]", "张三").await;
    b.type_into("input[name=region]", "430121").await;
    // The browser's own pattern check stops this one; remove it to see the server's message.
    let form = b.find("form[action='/admin/users']").await;
    let _ = form;
    b.exec("document.querySelector('input[name=username]').removeAttribute('pattern')", json!([])).await;
    b.click_css("form[action='/admin/users'] button").await;
    b.wait_for("用户名“Bad Name”须为 3–32 位").await;
    b.type_into("input[name=username]", "zhang.san").await;
    b.click_css("form[action='/admin/users'] button").await;
    let page = b.wait_for("用户 zhang.san 已创建").await;
    assert!(page.contains("初始密码"), "{page}");

    b.goto(&app, "/admin/users?q=zhang").await;
    let user = b.link("zhang.san").await;
    b.click(&user).await;
    b.click_css("form[data-confirm^='确定锁定'] button").await;
    b.accept_alert().await;
    b.wait_for("已锁定").await;
    b.quit().await;
}

#[tokio::test]
async fn the_login_and_home_pages_work_on_a_phone_sized_screen() {
    let Some(driver) = start_driver().await else { return };
    let t = common::sqlite().await.with_demo().await;
    let app = spawn(&t).await;
    let b = driver.browser(390, 844).await;
    b.login(&app, "wc.invest", common::PASSWORD).await;
    b.wait_for("望城经济技术开发区").await;
    b.screenshot("phone-home").await;
    let sizes = b.exec("return [window.innerWidth, document.documentElement.scrollWidth]", json!([])).await;
    assert_eq!(sizes[0], 390, "the phone's viewport");
    assert!(sizes[1].as_u64().unwrap() <= 390, "no sideways scrolling on a phone: {sizes}");
    b.quit().await;
}

/// A spreadsheet of text cells, as an officer would fill in the projects template.
fn projects_sheet(rows: &[[&str; 7]]) -> Vec<u8> {
    use zhaoshang::imports::{Cell, table};
    let headers =
        ["项目名称*", "所属地区代码*", "总投资（万元）*", "行业代码", "计划签约日期", "计划开工日期", "计划投产日期"];
    table("项目", &headers, rows.iter().map(|r| r.iter().map(|c| Cell::Text(c.to_string())).collect())).unwrap()
}

#[tokio::test]
async fn an_officer_imports_a_sheet_with_mistakes_fixes_it_moves_a_project_through_its_stages_files_reports_and_prints_a_batch()
 {
    let Some(driver) = start_driver().await else { return };
    let files = tempfile::tempdir().unwrap();
    let project = "星沙固态电池项目";
    let company_code = zhaoshang::enterprises::model::CreditCode::synthesize("430121", 4242).to_string();
    let this_month = zhaoshang::reports::model::YearMonth::of(zhaoshang::projects::service::today());
    let (m1, m2) = (this_month.prev().prev().label(), this_month.prev().label());
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let b = driver.browser(1280, 900).await;
        b.login(&app, "cs.invest", common::PASSWORD).await;
        b.wait_for("您好").await;

        // 1. A sheet with four mistakes: every one is listed by row and column, and nothing can be imported.
        let sheet = files.path().join("项目清单.xlsx");
        std::fs::write(
            &sheet,
            projects_sheet(&[
                [project, "430121", "30亿", "3841", "2025-02-01", "2025-06-01", "2026-03-01"],
                ["坪塘新材料项目", "430199", "5000", "", "", "", ""],
                ["金霞物流园项目", "430105", "很多", "", "", "", ""],
                ["铜官窑文旅项目", "430112", "8000", "", "2025-05-01", "2025-03-01", ""],
                ["湘潭电机配套项目", "4303", "1亿", "", "", "", ""],
            ]),
        )
        .unwrap();
        let imports = b.link("数据导入").await;
        b.click(&imports).await;
        b.wait_path("/imports").await;
        b.select("#upload select[name=kind]", "projects").await;
        b.choose_file("#upload input[type=file]", &sheet).await;
        b.click_css("#upload button[type=submit]").await;
        b.wait_for("错误清单").await;
        let page = b.wait_for("共 5 行").await;
        assert!(page.contains("导入预览 项目 · 项目清单.xlsx") && page.contains("错误 4 处"), "{}: {page}", t.label);
        let errors = b.table("#errors").await;
        let expect = [
            ("3", "所属地区代码", "430199", "区划或园区代码不存在"),
            ("4", "总投资（万元）", "很多", "总投资："),
            ("5", "计划开工日期", "2025-03-01", "计划开工日期不能早于计划签约日期"),
            ("6", "所属地区代码", "4303", "不在您的管辖范围内"),
        ];
        assert_eq!(errors.len(), expect.len(), "{errors:?}");
        for (row, (r, column, value, message)) in errors.iter().zip(expect) {
            assert_eq!((&row[0][..], &row[1][..], &row[2][..]), (r, column, value), "{row:?}");
            assert!(row[3].contains(message), "row {r}: “{}” should say “{message}”", row[3]);
        }
        assert_eq!(b.count("#commit").await, 0, "no import while errors remain");
        assert!(page.contains("有错误时不会写入任何数据"), "{page}");
        b.screenshot("import-errors").await;

        // 2. The fixed file (湘潭's project is not ours to import) goes in after confirming.
        std::fs::write(
            &sheet,
            projects_sheet(&[
                [project, "430121", "30亿", "3841", "2025-02-01", "2025-06-01", "2026-03-01"],
                ["坪塘新材料项目", "430104", "5000", "", "", "", ""],
                ["金霞物流园项目", "430105", "8000", "", "", "", ""],
                ["铜官窑文旅项目", "430112", "8000", "", "2025-03-01", "2025-05-01", ""],
            ]),
        )
        .unwrap();
        let again = b.link("重新上传").await;
        b.click(&again).await;
        b.wait_path("/imports").await;
        b.select("#upload select[name=kind]", "projects").await;
        b.choose_file("#upload input[type=file]", &sheet).await;
        b.click_css("#upload button[type=submit]").await;
        let page = b.wait_for("共 4 行").await;
        assert!(page.contains("新增 4，更新 0，无变化 0，错误 0 处"), "{}: {page}", t.label);
        assert_eq!(b.count("#errors").await, 0);
        b.click_css("#commit").await;
        assert_eq!(b.accept_alert().await, "确认导入？将新增 4 条、更新 0 条。");
        let page = b.wait_for("已导入：新增 4，更新 0").await;
        assert!(page.contains("（UTC）导入") && !page.contains("确认导入"), "{page}");
        b.screenshot("import-done").await;

        // 3. The project, found by search, moves through its stages with evidence.
        let projects = b.link("项目库").await;
        b.click(&projects).await;
        b.wait_for("共 4 个项目").await;
        b.type_into(".filters input[name=q]", "固态电池").await;
        b.click_css(".filters button[type=submit]").await;
        b.wait_for("共 1 个项目").await;
        let found = b.table("table.grid").await;
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((&found[0][0][..], &found[0][1][..], &found[0][3][..]), (project, "长沙县", "线索"), "{found:?}");
        let open = b.link(project).await;
        b.click(&open).await;
        let path = b.wait_path("/projects/").await;
        let page = b.wait_for("推进阶段").await;
        assert!(page.contains(&format!("{project} 线索 正常")) && page.contains("锂离子电池制造（3841）"), "{page}");

        let advance = async |to: &str, label: &str, date: &str, fields: &[(&str, &str)]| {
            b.select("#transition select[name=to]", to).await;
            b.set_date("#transition input[name=date]", date).await;
            for (name, value) in fields {
                b.type_into(&format!("#transition input[name={name}]"), value).await;
            }
            b.click_css("#transition button[type=submit]").await;
            b.wait_for(&format!("已推进到“{label}”")).await
        };
        advance("negotiating", "洽谈", "2025-01-10", &[("note", "首次上门洽谈")]).await;
        let page = advance("signed", "签约", "2025-02-15", &[("amount", "28亿")]).await;
        assert!(page.contains(&format!("{project} 签约")) && page.contains("签约金额\n28.00 亿元"), "{page}");

        let agreement = files.path().join("投资协议.pdf");
        std::fs::write(&agreement, b"%PDF-1.4\n% the signed agreement\n%%EOF\n").unwrap();
        assert_eq!(b.value("#evidence select[name=stage]").await, "signed", "evidence goes to the current stage");
        b.choose_file("#evidence input[type=file]", &agreement).await;
        b.click_css("#evidence button[type=submit]").await;
        b.wait_for("已上传“投资协议.pdf”").await;
        let evidence = b.table_titled("佐证材料").await;
        let size = format!("{} B", std::fs::metadata(&agreement).unwrap().len());
        assert_eq!(evidence[0][..4], ["签约", "投资协议.pdf", &size, "cs.invest"], "{evidence:?}");
        let href = b.attr("a[href*='/evidence/']", "href").await.unwrap();
        let (status, body) = b.fetch(&app, &href).await;
        assert!(status == 200 && body.starts_with(b"%PDF-1.4"), "the evidence downloads as uploaded: {status}");

        // 注册 names the local company, which must be in the enterprise library first: the refusal
        // says so and keeps what was typed.
        b.select("#transition select[name=to]", "registered").await;
        b.set_date("#transition input[name=date]", "2025-03-20").await;
        b.type_into("#transition input[name=credit_code]", &company_code).await;
        b.click_css("#transition button[type=submit]").await;
        b.wait_for(&format!("项目公司“{company_code}”尚未在企业库登记，请先登记")).await;
        assert_eq!(b.value("#transition select[name=to]").await, "registered");
        assert_eq!(b.value("#transition input[name=date]").await, "2025-03-20");
        assert_eq!(b.value("#transition input[name=credit_code]").await, company_code);
        b.goto(&app, "/enterprises/new").await;
        b.type_into("input[name=credit_code]", &company_code).await;
        b.type_into("input[name=name]", "长沙星沙固态电池有限公司").await;
        b.select("select[name=region]", "430121").await;
        b.click_css("main form button[type=submit]").await;
        b.wait_for("企业已登记").await;
        b.goto(&app, &path).await;
        b.wait_for("推进阶段").await;
        let page = advance("registered", "注册", "2025-03-20", &[("credit_code", &company_code)]).await;
        // The 项目公司 is shown by name with its code, linking to its enterprise record.
        assert!(page.contains(&format!("项目公司\n长沙星沙固态电池有限公司（{company_code}）")), "{page}");
        let page =
            advance("land_supplied", "供地", "2025-05-08", &[("parcel", "XS2025-018"), ("area_mu", "120.5")]).await;
        assert!(page.contains("120.5 亩（XS2025-018）"), "{page}");
        let page = advance("started", "开工", "2025-06-18", &[("permit", "430121202506180101")]).await;
        assert!(page.contains("施工许可证\n430121202506180101"), "{page}");
        let page = advance("producing", "投产", "2026-03-01", &[]).await;
        assert!(page.contains(&format!("{project} 投产")) && page.contains("签约→开工：123 天"), "{page}");
        let milestones = b.table_titled("节点：计划与实际").await;
        assert_eq!(milestones[0], ["签约", "2025-02-01", "2025-02-15", "滞后 14 天"], "planned against actual");
        assert_eq!(milestones[3], ["开工", "2025-06-01", "2025-06-18", "滞后 17 天"]);
        assert_eq!(milestones[4], ["投产", "2026-03-01", "2026-03-01", "—"]);
        let log: Vec<String> = b.table_titled("阶段记录").await.into_iter().map(|r| r.join(" | ")).collect();
        for (date, change) in [
            ("2025-01-10", "线索 → 洽谈"),
            ("2025-02-15", "洽谈 → 签约"),
            ("2025-03-20", "签约 → 注册"),
            ("2025-05-08", "注册 → 供地"),
            ("2025-06-18", "供地 → 开工"),
            ("2026-03-01", "开工 → 投产"),
        ] {
            assert!(
                log.iter().any(|r| r.starts_with(&format!("{date} | {change} |"))),
                "stage log lacks {change}: {log:?}"
            );
        }
        assert!(log.iter().any(|r| r.contains("首次上门洽谈")), "{log:?}");
        b.screenshot("project-producing").await;

        // 4. Monthly reports: a cumulative figure that falls is refused with the reason, keeping the input.
        b.click_css(&format!(".actions a[href='{path}/reports']")).await;
        b.wait_path(&format!("{path}/reports")).await;
        b.wait_for("填报月报").await;
        b.set_date("#report input[name=month]", &m1).await;
        b.type_into("#report input[name=invest_month]", "3000").await;
        b.type_into("#report input[name=invest_cumulative]", "3000").await;
        b.type_into("#report input[name=jobs]", "120").await;
        b.select("#report select[name=in_stats]", "是").await;
        b.type_into("#report input[name=progress]", "一期厂房主体封顶").await;
        b.click_css("#report button[type=submit]").await;
        b.wait_for(&format!("{m1} 月报已填报")).await;

        b.goto(&app, &format!("{path}/reports")).await;
        b.wait_for("填报月报").await;
        assert_eq!(b.value("#report input[name=month]").await, m2, "the form starts at last month");
        b.type_into("#report input[name=invest_month]", "0").await;
        b.type_into("#report input[name=invest_cumulative]", "2000").await;
        b.click_css("#report button[type=submit]").await;
        b.wait_for(&format!("累计完成投资 2000.00 万元 少于 {m1} 月已报的 3000.00 万元：累计数不能下降")).await;
        assert_eq!(b.value("#report input[name=month]").await, m2);
        assert_eq!(b.value("#report input[name=invest_cumulative]").await, "2000", "the input is kept");
        b.screenshot("report-refused").await;
        b.type_into("#report input[name=invest_month]", "2000").await;
        b.type_into("#report input[name=invest_cumulative]", "5000").await;
        b.click_css("#report button[type=submit]").await;
        b.wait_for(&format!("{m2} 月报已填报")).await;
        let filed = b.table_titled("已填报").await;
        let months: Vec<(&str, &str, &str)> =
            filed.iter().map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str())).collect();
        assert_eq!(months, [(&m2[..], "2000.00", "5000.00"), (&m1[..], "3000.00", "3000.00")], "{filed:?}");

        // 5. A 集中开工 event with the project: its summary and printable page carry the figures.
        let batches = b.link("集中开工/签约").await;
        b.click(&batches).await;
        b.wait_path("/batches").await;
        let new = b.link("新建活动").await;
        b.click(&new).await;
        b.wait_path("/batches/new").await;
        b.select("select[name=kind]", "集中开工").await;
        b.type_into("input[name=name]", "2026 年长沙市第一批重大项目集中开工").await;
        b.set_date("input[name=held_on]", "2026-03-01").await;
        b.type_into("input[name=place]", "长沙县星沙产业基地").await;
        b.select("select[name=region]", "4301").await;
        b.click_css("main form button[type=submit]").await;
        b.wait_for("活动已创建，请加入项目").await;
        let batch = b.path().await;
        let batch = batch.split('?').next().unwrap().to_string();
        b.type_into("#add-member input[name=project]", "湘潭电机配套项目").await;
        b.click_css("#add-member button[type=submit]").await;
        b.wait_for("在长沙市找不到项目“湘潭电机配套项目”").await;
        b.type_into("#add-member input[name=project]", project).await;
        b.type_into("#add-member input[name=annual_plan]", "50000").await;
        b.click_css("#add-member button[type=submit]").await;
        let page = b.wait_for("已加入").await;
        let figures = "本次集中开工项目 1 个，预估总投资 30.00 亿元，年度计划投资 5.00 亿元。";
        assert!(page.contains(figures), "{}: {page}", t.label);
        let members = b.table_titled("项目清单").await;
        assert_eq!((&members[0][1][..], &members[0][2][..], &members[0][4][..]), (project, "长沙县", "30.00"));
        let print = b.link("打印版").await;
        b.click(&print).await;
        b.wait_path(&format!("{batch}/print")).await;
        let page = b.wait_for("打印").await;
        assert!(page.contains("2026 年长沙市第一批重大项目集中开工") && page.contains(figures), "{page}");
        assert_eq!(b.table_titled("按地区").await, [["长沙县", "1", "30.00", "5.00"]]);
        assert_eq!(b.table_titled("按行业门类").await, [["制造业", "1", "30.00", "5.00"]]);
        assert_eq!(b.count("#add-member").await + b.count("nav.crumbs").await, 0, "the printable page is bare");
        assert!(b.print_pdf().await.starts_with("JVBERi0"), "the page prints (base64 of “%PDF-”)");
        b.screenshot("batch-print").await;
        b.quit().await;
    }
}

/// No sideways scrolling: the page fits the phone's width.
async fn fits_the_phone(b: &common::webdriver::Browser<'_>, what: &str) {
    let sizes = b.exec("return [window.innerWidth, document.documentElement.scrollWidth]", json!([])).await;
    assert!(sizes[1].as_u64().unwrap() <= sizes[0].as_u64().unwrap(), "{what} scrolls sideways on a phone: {sizes}");
}

#[tokio::test]
async fn a_specialist_logs_a_visit_on_a_phone_raises_two_appeals_one_is_rated_satisfied_and_the_other_goes_overdue_and_escalates()
 {
    let Some(driver) = start_driver().await else { return };
    let files = tempfile::tempdir().unwrap();
    let photo = files.path().join("现场.png");
    std::fs::write(&photo, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89").unwrap();
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        common::enterprise(&t.db, "望城经开区旭日储能科技有限公司", "43011251").await;

        // 1. On a phone: find the enterprise, log the visit with a photo.
        let b = driver.browser(390, 844).await;
        b.login(&app, "cs.service", common::PASSWORD).await;
        b.wait_for("您好").await;
        let service = b.link("企业服务").await;
        b.click(&service).await;
        b.wait_for("应走访企业").await;
        let log = b.link("登记走访").await;
        b.click(&log).await;
        b.wait_path("/service/visits/new").await;
        b.type_into("form.search input[name=q]", "旭日储能").await;
        b.click_css("form.search button").await;
        b.wait_for("查找结果").await;
        let pick = b.link("望城经开区旭日储能科技有限公司").await;
        b.click(&pick).await;
        b.wait_for("企业：望城经开区旭日储能科技有限公司").await;
        fits_the_phone(&b, "the visit form").await;
        b.type_into("textarea[name=participants]", "张三\n李四（望城经开区企业服务局）").await;
        b.type_into("input[name=topics]", "了解二期扩产和用工需求").await;
        b.type_into("textarea[name=expansion]", "计划明年投资 3 亿元建设二期").await;
        b.type_into("textarea[name=problems]", "二期用地指标未落实；技工招聘难").await;
        b.choose_file("input[name=photos]", &photo).await;
        b.screenshot("service-visit-form-phone").await;
        b.click_css("#visit-form button[type=submit]").await;
        let page = b.wait_for("走访已登记，照片 1 张").await;
        assert!(
            page.contains("张三（市工信局）") && page.contains("李四（望城经开区企业服务局）"),
            "{}: {page}",
            t.label
        );
        assert_eq!(b.count(".photos img").await, 1);
        fits_the_phone(&b, "the visit").await;

        // 2. Two appeals raised from the visit; the second is given to the department at once.
        let raise = |title: &'static str, category: &'static str, detail: &'static str, dispatch: bool| {
            let b = &b;
            async move {
                b.click_css("#raise").await;
                b.wait_path("/service/appeals/new").await;
                fits_the_phone(b, "the appeal form").await;
                b.type_into("input[name=title]", title).await;
                b.select("select[name=category]", category).await;
                b.type_into("textarea[name=detail]", detail).await;
                if dispatch {
                    let dept = b
                        .exec(
                            "return [...document.querySelectorAll('select[name=department] option')].find(o => o.text === '长沙市 · 市自然资源和规划局').value",
                            json!([]),
                        )
                        .await;
                    b.select("select[name=department]", dept.as_str().unwrap()).await;
                }
                b.click_css("#appeal-new button[type=submit]").await;
                b.wait_for("已登记").await;
                b.wait_path("/service/visits/").await;
            }
        };
        raise("二期扩建用地指标尚未落实", "01", "企业计划明年建设二期，需新增工业用地约 30 亩，指标尚未落实", false)
            .await;
        raise("标准厂房租赁面积不足", "01", "企业过渡期需租赁标准厂房 5000 平方米，园区现有房源不足", true).await;
        b.wait_for("本次走访提出的诉求 2 件").await;
        let appeals = b.table("table.appeals").await;
        assert_eq!(appeals.len(), 2, "{appeals:?}");
        b.screenshot("service-visit-with-appeals-phone").await;

        // 3. The first is dispatched from its page.
        let first = b.link("SQ").await;
        b.click(&first).await;
        let page = b.wait_for("二期扩建用地指标尚未落实").await;
        assert!(page.contains("待受理") && page.contains("复杂（15 个工作日）"), "{page}");
        let dept = b
            .exec(
                "return [...document.querySelectorAll('#act-dispatch option')].find(o => o.text === '长沙市 · 市自然资源和规划局').value",
                json!([]),
            )
            .await;
        b.select("#act-dispatch select[name=department]", dept.as_str().unwrap()).await;
        b.click_css("#act-dispatch button").await;
        b.wait_for("已交办，诉求现为“已交办”").await;
        let first_path = b.path().await;
        let first_path = first_path.split('?').next().unwrap().to_string();
        b.quit().await;

        // 4. The department's handler signs for it and answers in writing, on time.
        let h = driver.browser(1280, 900).await;
        h.login(&app, "cs.handler", common::PASSWORD).await;
        h.wait_for("您好").await;
        let inbox = h.link("诉求办理").await;
        h.click(&inbox).await;
        h.wait_path("/service/inbox").await;
        let page = h.wait_for("部门待办诉求").await;
        assert!(page.contains("二期扩建用地指标尚未落实") && page.contains("标准厂房租赁面积不足"), "{page}");
        h.goto(&app, &first_path).await;
        h.click_css("#act-accept button").await;
        h.wait_for("已签收").await;
        h.type_into(
            "#act-resolve textarea[name=answer]",
            "已协调将二期用地纳入年度供地计划，预计 3 月挂牌出让，已书面告知企业",
        )
        .await;
        h.click_css("#act-resolve button").await;
        h.wait_for("已办结，诉求现为“已办结”").await;
        h.quit().await;

        // 5. The specialist records the enterprise's evaluation: 满意 closes it.
        let b = driver.browser(390, 844).await;
        b.login(&app, "cs.service", common::PASSWORD).await;
        b.wait_for("您好").await;
        b.goto(&app, &first_path).await;
        b.click_css("#act-evaluate input[value='满意']").await;
        b.click_css("#act-evaluate button").await;
        let page = b.wait_for("诉求现为“已评价”").await;
        assert!(page.contains("企业评价：满意") && page.contains("书面答复"), "{page}");
        b.quit().await;

        // 6. Time passes and the second goes past its deadline: the sweep (run by `serve` every few
        //    minutes) escalates it by itself.
        {
            let mut c = t.db.conn().await.unwrap();
            let past = zhaoshang::projects::service::today() - time::Duration::days(3);
            zhaoshang::q_exec!(
                &mut c.ex(),
                "UPDATE appeals SET due_on = $1 WHERE title = '标准厂房租赁面积不足'",
                past
            )
            .unwrap();
        }
        let r = zhaoshang::enterprise_service::sweep::run(&t.db, zhaoshang::audit::store::now_micros()).await.unwrap();
        assert_eq!(r.escalated, 1, "{}", t.label);

        // 7. Red on the department's inbox and figures, and on the city's figures.
        let h = driver.browser(1280, 900).await;
        h.login(&app, "cs.handler", common::PASSWORD).await;
        h.wait_for("您好").await;
        h.goto(&app, "/service/inbox").await;
        h.wait_for("逾期 3 天").await;
        let red = h.exec("return [...document.querySelectorAll('tr.u-bad')].map(r => r.innerText)", json!([])).await;
        assert!(red.to_string().contains("标准厂房租赁面积不足") && red.to_string().contains("已提级·市级"), "{red}");
        let color = h.exec("return getComputedStyle(document.querySelector('tr.u-bad td')).color", json!([])).await;
        assert_eq!(color, "rgb(198, 40, 40)", "overdue rows are red");
        assert_eq!(h.count("table.figures tr.alarm").await, 1, "the department's own figures are red");
        h.screenshot("service-inbox-overdue").await;
        h.quit().await;

        let l = driver.browser(1280, 900).await;
        l.login(&app, "cs.leader", common::PASSWORD).await;
        l.wait_for("您好").await;
        l.goto(&app, "/service/figures?region=4301").await;
        l.wait_for("诉求办理统计").await;
        let depts = l.table("#by-department").await;
        let row = depts.iter().find(|r| r[0] == "长沙市 · 市自然资源和规划局").expect("the department's row");
        // 收集 2, 已响应 1, 已解决 1, 按期 1, 逾期 1, 提级 1, 响应率 50%, 解决率 50%, 满意率 100%.
        assert_eq!(&row[1..10], ["2", "1", "1", "1", "1", "1", "50%", "50%", "100%"], "{}: {row:?}", t.label);
        let red_departments = l
            .exec(
                "return [...document.querySelectorAll('#by-department tr.alarm')].map(r => r.cells[0].innerText)",
                json!([]),
            )
            .await;
        assert_eq!(red_departments, json!(["长沙市 · 市自然资源和规划局"]));
        let red_regions = l
            .exec(
                "return [...document.querySelectorAll('#by-region tr.alarm')].map(r => r.cells[0].innerText)",
                json!([]),
            )
            .await;
        assert_eq!(red_regions, json!(["望城区", "长沙市合计"]), "{}", t.label);
        l.screenshot("service-figures-city").await;
        let (status, bytes) = l.fetch(&app, "/service/figures/export?region=4301").await;
        assert_eq!(status, 200);
        assert!(bytes.starts_with(b"PK"), "an xlsx workbook");
        l.goto(&app, "/service/appeals?flag=escalated").await;
        let page = l.wait_for("标准厂房租赁面积不足").await;
        assert!(page.contains("已提级·市级") && page.contains("共 1 件"), "{page}");
        let link = l.link("SQ").await;
        l.click(&link).await;
        let page = l.wait_for("办理记录").await;
        assert!(page.contains("逾期 3 天未办结，系统自动提级") && page.contains("系统"), "{page}");
        l.quit().await;
    }
}

//! Crafted uploads (issue 12): each gets a clear Chinese error naming the limit, the server keeps
//! serving, and an ordinary import still works afterwards. Before the checks, the first of these
//! (1.5 KB) made the server allocate ~550 GB and die. SQLite and PostgreSQL.

mod common;

use common::{backends, spawn};
use serde_json::Value;
use std::io::{Cursor, Write};

fn xlsx_with(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, c, v) in cells {
        ws.write_string(*r, *c, *v).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn xls_spanning_a1_to_iv65536() -> Vec<u8> {
    let record = |typ: u16, body: &[u8]| [&typ.to_le_bytes()[..], &(body.len() as u16).to_le_bytes(), body].concat();
    let bof = |kind: u16| record(0x0809, &[&0x0600u16.to_le_bytes()[..], &kind.to_le_bytes(), &[0; 12]].concat());
    let number = |row: u16, col: u16| record(0x0203, &[&row.to_le_bytes()[..], &col.to_le_bytes(), &[0; 10]].concat());
    let eof = record(0x000A, &[]);
    let stream = [bof(0x0005), eof.clone(), bof(0x0010), number(0, 0), number(65_535, 255), eof].concat();
    let mut c = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    c.create_stream("/Workbook").unwrap().write_all(&stream).unwrap();
    c.flush().unwrap();
    c.into_inner().into_inner()
}

fn ods_bomb() -> Vec<u8> {
    let content = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S">
<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#;
    zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", content.as_bytes())])
}

#[tokio::test]
async fn crafted_spreadsheets_are_refused_with_the_limit_named_and_the_server_keeps_serving() {
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        ("a.xlsx", xlsx_with(&[(0, 0, "项目名称"), (1_048_575, 16_383, "x")]), "1048576 行 × 16384 列"),
        ("b.xlsx", zip_of(&[("xl/worksheets/sheet1.xml", &vec![b' '; 20 << 20])]), "倍"),
        ("c.ods", ods_bomb(), "1048576 行 × 16384 列"),
        ("d.xls", xls_spanning_a1_to_iv65536(), "65536 行 × 256 列"),
        ("e.csv", "x".repeat(25 << 20).into_bytes(), "32767 个字"),
    ];
    for t in backends().await {
        let t = t.with_demo().await;
        let app = spawn(&t).await;
        let token =
            zhaoshang::accounts::service::create_token(&t.db, &zhaoshang::audit::Actor::cli(), "cs.reporter", "t")
                .await
                .unwrap()
                .1;
        let c = reqwest::Client::new();
        for (name, data, says) in &files {
            let r = c
                .post(app.url(&format!("/api/v1/imports?kind=reports&filename={name}")))
                .bearer_auth(&token)
                .body(data.clone())
                .send()
                .await
                .unwrap_or_else(|e| panic!("{}: {name} dropped the connection: {e}", t.label));
            assert!(r.status().as_u16() < 500, "{}: {name} answered {}", t.label, r.status());
            let j: Value = r.json().await.unwrap();
            assert_eq!(j["status"], "failed", "{}: {name}: {j}", t.label);
            let message = j["message"].as_str().unwrap_or_default();
            assert!(message.contains(says) && message.contains("上限"), "{}: {name}: {message}", t.label);
            assert_eq!(c.get(app.url("/healthz")).send().await.unwrap().status(), 200);
        }
        // An ordinary file still reads after all of them.
        let ok = "项目代码,填报月份,当月完成投资（万元）\n2026-430100-00-00-000001,2026-10,10\n";
        let r = c
            .post(app.url("/api/v1/imports?kind=reports&filename=ok.csv"))
            .bearer_auth(&token)
            .body(ok)
            .send()
            .await
            .unwrap();
        let j: Value = r.json().await.unwrap();
        assert_eq!(j["status"], "previewed", "{}: {j}", t.label);
    }
}

#[tokio::test]
async fn a_form_of_thousands_of_parts_is_refused_with_a_message_and_the_server_keeps_serving() {
    let t = common::sqlite().await.with_demo().await;
    let app = spawn(&t).await;
    let s = app.login("cs.invest").await;
    let mut form = reqwest::multipart::Form::new().text("kind", "projects");
    for i in 0..5_000 {
        form = form.text(format!("f{i}"), "x");
    }
    let r = s.client.post(app.url(&format!("/imports?_csrf={}", s.csrf))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 422, "refused as bad input, not a server error");
    assert!(r.text().await.unwrap().contains("表单项过多"));
    assert_eq!(s.get(&app, "/imports").await.status(), 200);
}

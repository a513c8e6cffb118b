//! Each crafted file of issue 12, built here, gets a clear Chinese error naming the limit; each
//! would have made calamine allocate gigabytes (or abort, or loop) before these checks.

use super::*;
use std::io::Write;

/// A zip with the given parts, deflated.
pub(crate) fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn xlsx_with(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, c, v) in cells {
        ws.write_string(*r, *c, *v).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// The parts of a zip, read back.
fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().unwrap().to_string(), v)
        })
        .collect()
}

#[test]
fn a_sheet_spanning_a1_to_xfd1048576_is_refused_by_its_declared_range() {
    let bomb = xlsx_with(&[(0, 0, "名称"), (1_048_575, 16_383, "x")]);
    assert!(bomb.len() < 10_000, "a small file: {} bytes", bomb.len());
    let e = crate::imports::read(&bomb, "a.xlsx").unwrap_err();
    assert!(e.contains("1048576 行 × 16384 列") && e.contains("超过导入上限"), "{e}");
    // The same with the dimension element removed: the cell itself is refused as it streams by.
    let no_dimension: Vec<(String, Vec<u8>)> = parts(&bomb)
        .into_iter()
        .map(|(n, d)| {
            let text = String::from_utf8_lossy(&d).into_owned();
            let start = text.find("<dimension");
            let d = match start {
                Some(i) if n.contains("worksheets") => {
                    let end = text[i..].find("/>").unwrap() + i + 2;
                    format!("{}{}", &text[..i], &text[end..]).into_bytes()
                }
                _ => d,
            };
            (n, d)
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = no_dimension.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    let e = crate::imports::read(&zip_of(&refs), "a.xlsx").unwrap_err();
    assert!(e.contains("XFD") && e.contains("超过导入上限"), "{e}");
}

#[test]
fn a_declared_count_of_two_billion_shared_strings_is_refused_before_any_is_read() {
    let good = xlsx_with(&[(0, 0, "名称"), (1, 0, "甲")]);
    let crafted: Vec<(String, Vec<u8>)> = parts(&good)
        .into_iter()
        .map(|(n, d)| {
            if n == "xl/sharedStrings.xml" {
                let t = String::from_utf8(d).unwrap();
                let t = t.replace("uniqueCount=\"2\"", "uniqueCount=\"2000000000\"");
                assert!(t.contains("2000000000"), "{t}");
                (n, t.into_bytes())
            } else {
                (n, d)
            }
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = crafted.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    let e = crate::imports::read(&zip_of(&refs), "a.xlsx").unwrap_err();
    assert!(e.contains("2000000000") && e.contains("上限"), "{e}");
    assert!(crate::imports::read(&good, "a.xlsx").is_ok(), "the file it was made from reads");
}

#[test]
fn a_part_that_inflates_a_thousand_times_is_refused() {
    let zeros = vec![b' '; 20 * 1024 * 1024];
    let bomb = zip_of(&[("xl/worksheets/sheet1.xml", &zeros)]);
    assert!(bomb.len() < 200_000);
    let e = check_zip(&bomb).unwrap_err();
    assert!(e.contains("倍") && e.contains(&MAX_RATIO.to_string()), "{e}");
}

#[test]
fn an_ods_repeating_a_filled_cell_over_every_row_and_column_is_refused() {
    let content = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S">
<table:table-row><table:table-cell office:value-type="string"><text:p>名称</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#;
    let ods =
        zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", content.as_bytes())]);
    let e = check_zip(&ods).unwrap_err();
    assert!(e.contains("1048576 行 × 16384 列"), "{e}");
    // Empty repeated rows and columns, as LibreOffice writes after the data, are fine.
    let normal = content.replace(" office:value-type=\"string\"><text:p>x</text:p></table:table-cell>", "/>");
    assert!(check_zip(&zip_of(&[("content.xml", normal.as_bytes())])).is_ok(), "{normal}");
}

fn record(typ: u16, body: &[u8]) -> Vec<u8> {
    [&typ.to_le_bytes()[..], &(body.len() as u16).to_le_bytes(), body].concat()
}

fn xls_of(stream: &[u8]) -> Vec<u8> {
    let mut c = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    c.create_stream("/Workbook").unwrap().write_all(stream).unwrap();
    c.flush().unwrap();
    c.into_inner().into_inner()
}

#[test]
fn an_xls_declaring_or_spanning_a_huge_sheet_is_refused() {
    let bof = |kind: u16| record(0x0809, &[&0x0600u16.to_le_bytes()[..], &kind.to_le_bytes(), &[0; 12]].concat());
    let eof = record(0x000A, &[]);
    let number = |row: u16, col: u16| record(0x0203, &[&row.to_le_bytes()[..], &col.to_le_bytes(), &[0; 10]].concat());
    // DIMENSIONS of 4 billion rows: calamine would reserve them.
    let dims = record(
        0x0200,
        &[&0u32.to_le_bytes()[..], &u32::MAX.to_le_bytes(), &0u16.to_le_bytes(), &256u16.to_le_bytes(), &[0, 0]]
            .concat(),
    );
    let declared = [bof(0x0005), eof.clone(), bof(0x0010), dims, eof.clone()].concat();
    let e = check_xls(&xls_of(&declared)).unwrap_err();
    assert!(e.contains("4294967295 行 × 256 列"), "{e}");
    // Two cells at A1 and IV65536: a grid of 16.7 million cells.
    let spanning = [bof(0x0005), eof.clone(), bof(0x0010), number(0, 0), number(65_535, 255), eof.clone()].concat();
    let e = check_xls(&xls_of(&spanning)).unwrap_err();
    assert!(e.contains("65536 行 × 256 列"), "{e}");
    // Many sheets, each within the limits, whose grids add up beyond the budget.
    let sheet = [bof(0x0010), number(0, 0), number(40_000, 100), eof.clone()].concat();
    let many = [bof(0x0005), eof.clone(), sheet.clone(), sheet].concat();
    let e = check_biff(&many).unwrap_err();
    assert!(e.contains("合计"), "{e}");
    let small = [bof(0x0005), eof.clone(), bof(0x0010), number(0, 0), number(10, 5), eof].concat();
    assert!(check_xls(&xls_of(&small)).is_ok());
}

#[test]
fn a_csv_line_of_25_mb_or_of_thousands_of_columns_is_refused() {
    let long = "x".repeat(25 * 1024 * 1024);
    let e = crate::imports::read(long.as_bytes(), "a.csv").unwrap_err();
    assert!(e.contains("超过上限 32767 个字"), "{e}");
    let wide = format!("名称{}\n", ",a".repeat(5_000));
    let e = crate::imports::read(wide.as_bytes(), "a.csv").unwrap_err();
    assert!(e.contains("5001 列") && e.contains("200 列"), "{e}");
}

// A compound file built byte by byte (by the upload work of issue 12), for what the cfb crate
// cannot be asked to write: a sector chain that loops.
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;

fn biff(typ: u16, data: &[u8]) -> Vec<u8> {
    [&typ.to_le_bytes()[..], &(data.len() as u16).to_le_bytes(), data].concat()
}

fn number8(row: u16, col: u16, v: f64) -> Vec<u8> {
    biff(0x0203, &[&row.to_le_bytes()[..], &col.to_le_bytes(), &[0, 0], &v.to_le_bytes()].concat())
}

/// A BIFF8 workbook stream: globals naming one sheet, then the sheet's records.
fn workbook(sheet: &[Vec<u8>]) -> Vec<u8> {
    let bof = |dt: u16| biff(0x0809, &[&0x0600u16.to_le_bytes()[..], &dt.to_le_bytes(), &[0; 12]].concat());
    let globals_len = 20 + 4 + 9 + 4;
    let mut s = bof(0x0005);
    s.extend(biff(0x0085, &[&(globals_len as u32).to_le_bytes()[..], &[0, 0, 1, 0, b'S']].concat()));
    s.extend(biff(0x000A, &[]));
    assert_eq!(s.len(), globals_len);
    s.extend(bof(0x0010));
    for r in sheet {
        s.extend(r);
    }
    s.extend(biff(0x000A, &[]));
    s
}

/// A compound file (512-byte sectors) holding `stream` as "Workbook": sector 0 is the FAT,
/// 1 the directory, the stream follows (padded to 4096 bytes so it is not in the mini stream).
fn cfb(stream: &[u8]) -> Vec<u8> {
    let mut stream = stream.to_vec();
    stream.resize(stream.len().max(4096).div_ceil(512) * 512, 0);
    let n = stream.len() / 512;
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    for (at, v) in [(24, 0x3Eu16), (26, 3), (28, 0xFFFE), (30, 9), (32, 6)] {
        header[at..at + 2].copy_from_slice(&v.to_le_bytes());
    }
    for (at, v) in [(44, 1u32), (48, 1), (56, 4096), (60, ENDOFCHAIN), (64, 0), (68, ENDOFCHAIN), (72, 0)] {
        header[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    for at in (80..512).step_by(4) {
        header[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    }
    let mut fat: Vec<u32> = vec![0xFFFF_FFFD, ENDOFCHAIN];
    fat.extend((0..n as u32).map(|i| if i + 1 == n as u32 { ENDOFCHAIN } else { 3 + i }));
    fat.resize(128, u32::MAX);
    let entry = |name: &str, typ: u8, child: u32, start: u32, size: u32| {
        let mut e = vec![0u8; 128];
        let units: Vec<u16> = name.encode_utf16().chain([0]).collect();
        for (i, u) in units.iter().enumerate() {
            e[i * 2..i * 2 + 2].copy_from_slice(&u.to_le_bytes());
        }
        e[64..66].copy_from_slice(&(units.len() as u16 * 2).to_le_bytes());
        e[66] = typ;
        e[67] = 1;
        for (at, v) in [(68, u32::MAX), (72, u32::MAX), (76, child), (116, start), (120, size)] {
            e[at..at + 4].copy_from_slice(&v.to_le_bytes());
        }
        e
    };
    let mut dir = entry("Root Entry", 5, 1, ENDOFCHAIN, 0);
    dir.extend(entry("Workbook", 2, u32::MAX, 2, stream.len() as u32));
    dir.resize(512, 0);
    [header, fat.iter().flat_map(|v| v.to_le_bytes()).collect(), dir, stream].concat()
}

#[test]
fn a_hand_built_xls_within_the_limits_reads() {
    let file = cfb(&workbook(&[number8(0, 0, 1.0), number8(1, 1, 2.5)]));
    let sheet = crate::imports::read(&file, "a.xls").expect("reads");
    assert_eq!(sheet.headers, ["1"]);
    assert_eq!(sheet.rows[0].cells(), ["", "2.5"]);
}

#[test]
fn a_compound_file_whose_chain_loops_is_refused_instead_of_read_forever() {
    let mut file = cfb(&workbook(&[number8(0, 0, 1.0)]));
    // The directory sector (1) now points back to itself.
    file[512 + 4..512 + 8].copy_from_slice(&1u32.to_le_bytes());
    assert_eq!(crate::imports::read(&file, "a.xls"), Err(crate::imports::sheet::UNREADABLE.to_string()));
}

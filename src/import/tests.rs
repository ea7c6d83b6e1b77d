use super::*;

fn sheet(text: &str) -> Vec<Vec<String>> {
    csv_cells(text.as_bytes()).unwrap()
}

/// Each problem's row and column, in order.
fn places(e: &ImportError) -> Vec<(usize, &str)> {
    e.problems
        .iter()
        .map(|p| (p.row, p.column.as_str()))
        .collect()
}

/// A sheet of `n` nations, one row each, with the nation in column B.
fn nations(n: usize) -> Vec<Vec<String>> {
    let mut text = String::from("domain,nation,capability,low,likely,high\n");
    for i in 0..n {
        text.push_str(&format!("land,N{i},troops,1,2,3\nair,N{i},jets,1,2,3\n"));
    }
    sheet(&text)
}

#[test]
fn rows_are_numbered_as_a_spreadsheet_shows_them() {
    // Line 1 the header, line 3 blank, a quoted cell over lines 4–5, the bad
    // row on line 7 after a second blank line: spreadsheet rows 1, 3, 4, 6.
    let rows = sheet(
        "nation,domain,capability,low,likely,high,source\n\
         GBR,land,troops,1,2,3,a\n\
         \n\
         FRA,land,troops,1,2,3,\"two\nlines\"\n\
         \n\
         DEU,land,troops,5,2,3,c\n",
    );
    let e = pledges("p.csv", &rows).unwrap_err();
    assert_eq!(places(&e), [(6, "D (low)")], "{e}");
}

#[test]
fn rows_are_numbered_alike_whatever_the_line_ends() {
    let lines = [
        "nation,domain,capability,low,likely,high",
        "GBR,land,troops,1,2,3",
        "",
        "FRA,land,troops,1,2,3",
        "DEU,land,troops,1,2,y",
    ];
    for end in ["\n", "\r\n", "\r"] {
        let text = lines.join(end) + end;
        let e = pledges("p.csv", &sheet(&text)).unwrap_err();
        assert_eq!(places(&e), [(5, "F (high)")], "{end:?}: {e}");
    }
}

#[test]
fn a_row_with_a_bad_cell_is_still_checked_for_a_repeat() {
    let rows = sheet(
        "nation,domain,capability,low,likely,high\n\
         GBR,land,troops,5,2,3\n\
         GBR,land,troops,1,2,3\n\
         FRA,land,troops,1,2,x\n\
         FRA,land,troops,1,2,3\n",
    );
    let e = pledges("p.csv", &rows).unwrap_err();
    let places = places(&e);
    assert_eq!(
        places,
        [
            (2, "D (low)"),
            (3, "C (capability)"),
            (4, "F (high)"),
            (5, "C (capability)")
        ],
        "{e}"
    );
}

/// Damaged workbooks are refused as bad input: .xls files whose root chain
/// starts past the allocation table (the reader panicked on it), or whose
/// root or mini-table chain loops (the reader followed them into
/// gigabytes); an xlsx whose shared-string table declares 2³² − 1 strings
/// (the reader would reserve 100 GB), or whose 1 MiB shared string fills
/// 10,000 cells.
#[test]
fn damaged_workbooks_are_refused_without_a_panic_or_the_memory() {
    let cases: [(&[u8], &str); 5] = [
        (
            include_bytes!("../../tests/fixtures/import-damaged.xls"),
            "workbook is damaged",
        ),
        (
            include_bytes!("../../tests/fixtures/import-root-loop.xls"),
            "workbook is damaged",
        ),
        (
            include_bytes!("../../tests/fixtures/import-mini-loop.xls"),
            "workbook is damaged",
        ),
        (
            include_bytes!("../../tests/fixtures/import-shared-count.xlsx"),
            "declares 4294967295 strings",
        ),
        (
            include_bytes!("../../tests/fixtures/import-shared-text.xlsx"),
            "bytes of text",
        ),
    ];
    for (bytes, says) in cases {
        let e = workbook_cells(bytes.to_vec()).unwrap_err();
        assert!(e.contains(says), "{e}");
    }
}

/// Each row is checked against the first earlier row that disagrees, as
/// the rows read so far are indexed (not searched one by one).
#[test]
fn a_disagreeing_row_names_the_first_earlier_row_that_disagrees() {
    let rows = sheet(
        "nation,domain,capability,low,likely,high,participation,source\n\
         GBR,land,troops,1,2,3,0.5,r2\n\
         GBR,air,jets,1,2,3,0.7,r3\n\
         GBR,sea,ships,1,2,3,0.5,r4\n\
         GBR,land,troops,1,2,3,0.9,r5\n",
    );
    let e = pledges("p.csv", &rows).unwrap_err();
    let text: Vec<String> = e
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.row, p.message))
        .collect();
    // Row 3 (0.7) against row 2 (0.5); row 4 (0.5) against row 3, the first
    // other value; row 5 repeats row 2's cell and disagrees with row 2.
    assert_eq!(
        text,
        [
            "3: GBR has another participation in row 2: give one per nation",
            "4: GBR has another participation in row 3: give one per nation",
            "5: GBR already pledges troops to land in row 2: one row per nation, domain and capability",
            "5: GBR has another participation in row 2: give one per nation",
        ],
        "{e}"
    );
}

#[test]
fn with_a_scenario_the_sheet_and_the_ids_are_checked_at_once() {
    let rows = sheet(
        "capability,nation,domain,low,likely,high\n\
         troops,GBR,land,1,2,3\n\
         troops,GBR,sea,1,2,3\n\
         troops,XXX,land,1,2,3\n\
         troops,GBR,land,4,5,6\n",
    );
    let known = Known {
        nations: vec!["GBR".into()],
        domains: vec!["land".into()],
        capabilities: vec!["troops".into()],
    };
    let e = pledges_into("p.csv", &rows, &known).unwrap_err();
    // The unknown domain and nation (named as the sheet names its columns)
    // and the repeated row, in row order.
    assert_eq!(
        places(&e),
        vec![(3, "C (domain)"), (4, "B (nation)"), (5, "A (capability)")]
    );
    // A row with a bad number still has its ids checked.
    let rows = sheet("nation,domain,capability,low,likely,high\nXXX,land,troops,1,x,3\n");
    let e = pledges_into("p.csv", &rows, &known).unwrap_err();
    assert_eq!(places(&e), vec![(2, "E (likely)"), (2, "A (nation)")]);
    // An id longer than 64 characters is the sheet's problem, at its cell.
    let long = "A".repeat(65);
    let rows = sheet(&format!(
        "nation,domain,capability,low,likely,high\n{long},land,troops,1,2,3\n"
    ));
    let e = pledges("p.csv", &rows).unwrap_err();
    assert_eq!(places(&e), vec![(2, "A (nation)")]);
    assert!(e.problems[0].message.contains("1 to 64"), "{e}");
    let ok = sheet(&format!(
        "nation,domain,capability,low,likely,high\n{},land,troops,1,2,3\n",
        "A".repeat(64)
    ));
    assert!(pledges("p.csv", &ok).is_ok());
}

#[test]
fn a_value_outside_the_named_columns_is_a_problem_at_its_cell() {
    // An unquoted comma in the source shifts the name one column right.
    let rows = sheet(
        "nation,domain,capability,low,likely,high,participation,source,name\n\
         GBR,land,troops,6000,9000,12000,0.9,assumption, from a briefing,United Kingdom\n\
         POL,land,troops,1,2,3,,,\n",
    );
    let e = pledges("p.csv", &rows).unwrap_err();
    assert_eq!(e.problems.len(), 1, "{e}");
    let p = &e.problems[0];
    assert_eq!((p.row, p.column.as_str()), (2, "J"), "{e}");
    assert!(p.message.contains("`United Kingdom`"), "{e}");
    // A cell under an empty header cell, too; empty cells anywhere are fine.
    let rows =
        sheet("nation,domain,capability,,low,likely,high\nA,land,t,x,1,2,3\nB,land,t,,1,2,3,,\n");
    let e = pledges("p.csv", &rows).unwrap_err();
    let at = places(&e);
    assert_eq!(at, [(2, "D")], "{e}");
}

#[test]
fn text_that_is_not_utf8_is_refused_with_its_line() {
    let e =
        csv_cells(b"nation,domain,capability,low,likely,high,name\nFRA,land,t,1,2,3,Fran\xe7e\n")
            .unwrap_err();
    assert!(e.starts_with("line 2 is not valid UTF-8"), "{e}");
}

#[test]
fn more_nations_than_a_scenario_holds_is_one_problem_at_the_row() {
    let most = crate::limits::MAX_NATIONS;
    assert_eq!(pledges("p.csv", &nations(most)).unwrap().len(), 2 * most);
    let e = pledges("p.csv", &nations(most + 3)).unwrap_err();
    assert_eq!(e.problems.len(), 1, "{e}");
    let p = &e.problems[0];
    // Nation 10,001 starts on row 2 + 2 × 10,000 (row 1 is the header).
    assert_eq!((p.row, p.column.as_str()), (2 + 2 * most, "B (nation)"));
    assert!(p.message.starts_with("10003 nations in all"), "{e}");
}

/// A zip container of one part `data`, whose directory says it unpacks to
/// `declared` bytes (deflated, as a workbook's parts are).
fn zip_of(data: &[u8], declared: u32) -> Vec<u8> {
    let name = b"xl/worksheets/sheet1.xml";
    let crc = crc32fast::hash(data);
    let le16 = |v: u16| v.to_le_bytes();
    let le32 = |v: u32| v.to_le_bytes();
    let sizes = [le32(crc), le32(data.len() as u32), le32(declared)].concat();
    let mut out = [
        &le32(0x0403_4b50)[..],
        &le16(20),
        &le16(0),
        &le16(8),
        &[0; 4],
    ]
    .concat();
    out.extend([&sizes[..], &le16(name.len() as u16), &le16(0), name, data].concat());
    let dir_at = out.len() as u32;
    let mut dir = [
        &le32(0x0201_4b50)[..],
        &le16(20),
        &le16(20),
        &le16(0),
        &le16(8),
    ]
    .concat();
    dir.extend(
        [
            &[0; 4][..],
            &sizes,
            &le16(name.len() as u16),
            &[0; 12],
            &le32(0),
            name,
        ]
        .concat(),
    );
    let dir_len = dir.len() as u32;
    out.extend(dir);
    out.extend([&le32(0x0605_4b50)[..], &[0; 4], &le16(1), &le16(1)].concat());
    out.extend([le32(dir_len), le32(dir_at)].concat());
    out.extend(le16(0));
    out
}

#[test]
fn a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_read() {
    let bomb = zip_of(b"compressed", 1 << 31);
    assert_eq!(unpacked_size(&bomb), Some(1 << 31));
    let e = workbook_cells(bomb).unwrap_err();
    assert!(
        e.starts_with("the workbook unpacks to 2147483648 bytes"),
        "{e}"
    );
    let at_limit = zip_of(b"compressed", MAX_UNPACKED_BYTES as u32);
    assert_eq!(unpacked_size(&at_limit), Some(MAX_UNPACKED_BYTES));
    // Within the limit it goes on to the reader, which finds no workbook here.
    let e = workbook_cells(at_limit).unwrap_err();
    assert!(!e.contains("unpacks"), "{e}");
    // Not a zip: no size to check.
    assert_eq!(unpacked_size(b"nation,domain"), None);
}

#[test]
fn column_letters() {
    assert_eq!(letter(0), "A");
    assert_eq!(letter(25), "Z");
    assert_eq!(letter(26), "AA");
    assert_eq!(letter(27), "AB");
}

#[test]
fn numbers_as_sheets_write_them() {
    assert_eq!(number("5,000"), Some(5000.0));
    assert_eq!(number("1,234,567.5"), Some(1234567.5));
    assert_eq!(number("5_000"), Some(5000.0));
    assert_eq!(number("2,5"), None);
    assert_eq!(number("ten"), None);
    assert_eq!(number("inf"), None);
}

#[test]
fn every_bad_row_is_reported_with_row_and_column() {
    let rows = sheet(
        "nation,domain,capability,low,likely,high\n\
         FRA,land,troops,1000,2000,3000\n\
         GBR,land,,x,2000,1000\n\
         DEU,land,troops,-1,0,5\n",
    );
    let e = pledges("p.csv", &rows).unwrap_err();
    let got = places(&e);
    assert_eq!(
        got,
        [
            (3, "C (capability)"),
            (3, "D (low)"),
            (3, "F (high)"),
            (4, "D (low)")
        ]
    );
    assert!(
        e.to_string()
            .contains("row 3, column D (low): `x` is not a number")
    );
}

#[test]
fn a_pledge_above_the_value_limit_is_a_problem_at_its_cell() {
    let rows = sheet(
        "nation,domain,capability,low,likely,high\n\
         GBR,land,troops,1,1e300,1000000000000\n",
    );
    let e = pledges("p.csv", &rows).unwrap_err();
    let got = places(&e);
    assert_eq!(got, [(2, "E (likely)")], "{e}");
    assert!(
        e.to_string()
            .contains("1e300 is too large to count: a pledge is at most 1000000000000"),
        "{e}"
    );
}

#[test]
fn unknown_header_suggests_the_column() {
    let rows = sheet("nation,domain,capabilty,low,likely,high\nA,b,c,1,2,3\n");
    let e = pledges("p.csv", &rows).unwrap_err();
    assert!(e.to_string().contains("did you mean `capability`"), "{e}");
}

#[test]
fn participation_as_percentage_is_questioned() {
    let rows = sheet(
        "nation,domain,capability,low,likely,high,participation\nA,b,c,1,2,3,90\nB,b,c,1,2,3,80%\n",
    );
    let e = pledges("p.csv", &rows).unwrap_err();
    assert_eq!(e.problems.len(), 1);
    assert!(e.problems[0].message.contains("did you mean 0.9"));
    // Just above 1 is no percentage; 2 % is.
    let rows = sheet("nation,domain,capability,low,likely,high,participation\nA,b,c,1,2,3,1.2\n");
    let e = pledges("p.csv", &rows).unwrap_err();
    assert!(
        e.problems[0]
            .message
            .contains("is not a probability between 0 and 1"),
        "{e}"
    );
    let rows = sheet("nation,domain,capability,low,likely,high,participation\nA,b,c,1,2,3,2.2\n");
    let e = pledges("p.csv", &rows).unwrap_err();
    assert!(
        e.problems[0].message.contains("did you mean 0.022 (2.2 %)"),
        "{e}"
    );
}

#[test]
fn a_percentage_becomes_the_fraction_written_in_decimal() {
    let rows = sheet(
        "nation,domain,capability,low,likely,high,participation\nA,land,troops,1,2,3,33.3%\n",
    );
    let p = pledges("p.csv", &rows).unwrap();
    let out = merge_into("", &p, Shape::Pert).unwrap();
    // 33.3 / 100 is 0.33299999999999996 in binary; the file says what was meant.
    assert!(out.contains("participation = 0.333\n"), "{out}");
}

#[test]
fn equal_figures_become_a_plain_number() {
    let rows = sheet(
        "nation,domain,capability,low,likely,high\nA,land,troops,5,5,5\nA,land,tanks,1,2,3\n",
    );
    let p = pledges("p.csv", &rows).unwrap();
    let out = merge_into("", &p, Shape::Pert).unwrap();
    assert!(out.contains("troops = 5\n"), "{out}");
    assert!(out.contains("tanks = { pert = [1, 2, 3] }"), "{out}");
}

#[test]
fn merging_keeps_comments() {
    let text = "# top\n[nations.A.contributions.land]\ntroops = 3  # why\n";
    let rows = sheet("nation,domain,capability,low,likely,high\nA,land,troops,1,2,3\n");
    let p = pledges("p.csv", &rows).unwrap();
    let out = merge_into(text, &p, Shape::Triangular).unwrap();
    assert_eq!(
        out,
        "# top\n[nations.A.contributions.land]\ntroops = { triangular = [1, 2, 3] }  # why\n"
    );
}

#[test]
fn fresh_scenario_parses() {
    let rows = sheet(
        "nation,domain,capability,low,likely,high,participation\n\
         A,land,troops,100,200,300,0.9\nB,land,troops,50,60,70,\nB,air,aircraft,4,4,4,\n",
    );
    let p = pledges("p.csv", &rows).unwrap();
    let text = fresh("p.csv", &p, Shape::Triangular);
    crate::scenario::parse("fresh.toml", &text, &[]).unwrap_or_else(|d| panic!("{d}\n{text}"));
}

#[test]
fn a_fresh_scenario_takes_any_file_name() {
    let rows = sheet("nation,domain,capability,low,likely,high\nA,land,troops,1,2,3\n");
    let p = pledges("p.csv", &rows).unwrap();
    for origin in [
        "a\nb.csv",
        "ctl\u{1}.csv",
        "q\"uo\\te\r.csv",
        "del\u{7f}\u{9b}.csv",
    ] {
        let text = fresh(origin, &p, Shape::Triangular);
        let model = crate::scenario::parse("fresh.toml", &text, &[])
            .unwrap_or_else(|d| panic!("{origin:?}: {d}\n{text}"));
        assert_eq!(model.name, format!("Pledges from {origin}"), "{text}");
        // The comment names the file on one line, its control characters
        // written as escapes.
        let first = text.lines().next().unwrap();
        let shown = crate::present::escape(origin);
        assert_eq!(
            first,
            format!("# Scenario written by `forcesim import` from {shown}."),
            "{text}"
        );
        assert!(!first.chars().any(char::is_control), "{first:?}");
        // So does the title, as a TOML string on one line.
        let name = text.lines().find(|l| l.starts_with("name = ")).unwrap();
        assert!(name.ends_with("  # TODO: the scenario's title"), "{text}");
    }
}

/// A semicolon-separated file of `text`, read as `forcesim import` reads it.
fn read_semicolon(text: &str) -> Result<Vec<Vec<String>>, ReadError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.csv");
    std::fs::write(&path, text).unwrap();
    read_cells(&path)
}

#[test]
fn figures_that_read_two_ways_in_a_semicolon_sheet() {
    for t in [
        "6.000",
        "12.500",
        "1.234.567",
        "5,000",
        "0,9",
        "6,5",
        "-6.000",
        "90,5%",
    ] {
        assert!(ambiguous(t), "{t}");
    }
    for t in [
        "6000", "6.5", "0.25", "0.250", "12.50", "6 000", "1e3", "x.000", "", ".",
    ] {
        assert!(!ambiguous(t), "{t}");
    }
}

#[test]
fn a_semicolon_sheet_refuses_a_figure_that_reads_two_ways_at_its_cell() {
    let e = read_semicolon(
        "nation;domain;capability;low;likely;high;participation\n\
         GBR;land;troops;6.000;9.000;12.000;0.9\n\
         FRA;land;troops;5,000;6000;7000;0,9\n\
         DEU;land;troops;0.25;6.5;6000;90%\n\
         POL;land;troops;x;1;2;\n",
    );
    let Err(ReadError::Rows(e)) = e else {
        panic!("not refused by row: {e:?}");
    };
    assert_eq!(
        places(&e),
        [
            (2, "D (low)"),
            (2, "E (likely)"),
            (2, "F (high)"),
            (3, "D (low)"),
            (3, "G (participation)"),
            (5, "D (low)")
        ],
        "{e}"
    );
    let text = e.to_string();
    assert!(
        text.contains("row 2, column D (low): `6.000` is ambiguous in a semicolon-separated sheet"),
        "{text}"
    );
    assert!(text.contains("e.g. 6000 or 6.5"), "{text}");
    assert!(text.contains("save the sheet as comma-separated"), "{text}");
    // Plain figures read as they are written.
    let rows = read_semicolon(
        "nation;domain;capability;low;likely;high;participation\n\
         DEU;land;troops;0.25;6.5;6000;0.9\n",
    )
    .unwrap();
    let p = pledges("p.csv", &rows).unwrap();
    assert_eq!((p[0].low, p[0].likely, p[0].high), (0.25, 6.5, 6000.0));
    assert_eq!(p[0].participation, Some(0.9));
}

#[test]
fn a_comma_sheet_reads_its_figures_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.csv");
    std::fs::write(
        &path,
        "nation,domain,capability,low,likely,high\nGBR,land,troops,6.000,\"9,000\",12000\n",
    )
    .unwrap();
    let p = pledges("p.csv", &read_cells(&path).unwrap()).unwrap();
    assert_eq!((p[0].low, p[0].likely, p[0].high), (6.0, 9000.0, 12000.0));
}

const PLEDGES: [&str; 3] = [
    "nation,domain,capability,low,likely,high",
    "GBR,land,troops,6000,9000,12000",
    "FRA,air,jets,4,6,8",
];

/// Rows of comma-separated cells on a sheet: numbers as numbers.
fn write_rows(sheet: &mut rust_xlsxwriter::Worksheet, rows: &[&str]) {
    for (r, line) in rows.iter().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(x) => sheet.write_number(r, c, x),
                Err(_) => sheet.write_string(r, c, cell),
            }
            .unwrap();
        }
    }
}

/// The pledges of [`PLEDGES`], as read from a workbook's rows.
fn assert_pledges(rows: &[Vec<String>]) {
    let p = pledges("p", rows).unwrap_or_else(|e| panic!("{e}"));
    let got: Vec<_> = p
        .iter()
        .map(|p| (p.row, p.nation.as_str(), p.low, p.likely, p.high))
        .collect();
    assert_eq!(
        got,
        [
            (2, "GBR", 6000.0, 9000.0, 12000.0),
            (3, "FRA", 4.0, 6.0, 8.0)
        ]
    );
}

#[test]
fn a_stray_cell_far_out_is_refused_by_its_reference_without_a_grid_up_to_it() {
    use rust_xlsxwriter::{Format, Workbook};
    let book_with = |far: &dyn Fn(&mut rust_xlsxwriter::Worksheet)| {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Pledges").unwrap();
        write_rows(sheet, &PLEDGES);
        far(sheet);
        book.save_to_buffer().unwrap()
    };
    // A value at the last cell of the sheet: refused by its reference,
    // quickly, with nothing set aside for the 17 billion cells up to it.
    let started = std::time::Instant::now();
    let book = book_with(&|s| {
        s.write_string(1_048_575, 16_383, "x").unwrap();
    });
    let e = workbook_cells(book).unwrap_err();
    assert!(
        e.starts_with("sheet `Pledges`: cell XFD1048576 holds `x`, beyond the 100000 rows and 100 columns (A to CV)"),
        "{e}"
    );
    assert!(
        e.ends_with("delete the stray cell, or copy the pledges to a new sheet"),
        "{e}"
    );
    assert!(started.elapsed().as_secs() < 10);
    // Just past the last column or row a pledges sheet may use.
    for (r, c, at) in [(0, 100, "CW1"), (100_000, 0, "A100001")] {
        let e = workbook_cells(book_with(&|s| {
            s.write_number(r, c, 1.0).unwrap();
        }))
        .unwrap_err();
        assert!(e.contains(&format!("cell {at} holds `1`")), "{e}");
    }
    // A cell out there that holds nothing (formatted, or spaces) is no
    // stray: the pledges read.
    let bold = Format::new().set_bold();
    let book = book_with(&|s| {
        s.write_blank(1_048_575, 16_383, &bold).unwrap();
        s.write_string(99_999, 99, " ").unwrap();
    });
    assert_pledges(&workbook_cells(book).unwrap());
}

#[test]
fn the_first_visible_sheet_is_read_and_named_when_it_is_empty() {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    let old = book.add_worksheet();
    old.set_name("Old").unwrap();
    write_rows(
        old,
        &[
            "nation,domain,capability,low,likely,high",
            "XXX,sea,subs,9,9,9",
        ],
    );
    old.set_hidden(true);
    let new = book.add_worksheet();
    new.set_name("New").unwrap();
    write_rows(new, &PLEDGES);
    new.set_active(true);
    assert_pledges(&workbook_cells(book.save_to_buffer().unwrap()).unwrap());

    let mut book = Workbook::new();
    book.add_worksheet().set_name("Blank").unwrap();
    write_rows(book.add_worksheet(), &PLEDGES);
    let e = workbook_cells(book.save_to_buffer().unwrap()).unwrap_err();
    assert!(
        e.starts_with("sheet `Blank` is empty; forcesim reads the first visible sheet"),
        "{e}"
    );
}

/// An .ods workbook whose `office:spreadsheet` holds `tables`.
fn ods_of(tables: &str) -> Vec<u8> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let parts = [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet".to_string()),
        (
            "META-INF/manifest.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">\
             <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
             </manifest:manifest>"
                .to_string(),
        ),
        (
            "content.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
                 <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
                 xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
                 xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\">\
                 <!-- <table:table-cell office:value-type=\"string\"/> -->\
                 <office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>\
                 </office:document-content>"
            ),
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, stored).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A table of [`PLEDGES`] named `name`, then `more` (rows), then the empty
/// rows and columns up to the sheet's end, as LibreOffice writes them.
fn ods_table(name: &str, more: &str) -> String {
    let mut out = format!("<table:table table:name=\"{name}\"><table:table-column/>");
    for line in PLEDGES {
        out.push_str("<table:table-row>");
        for cell in line.split(',') {
            out.push_str(&match cell.parse::<f64>() {
                Ok(x) => format!(
                    "<table:table-cell office:value-type=\"float\" office:value=\"{x}\"><text:p>{x}</text:p></table:table-cell>"
                ),
                Err(_) => format!(
                    "<table:table-cell office:value-type=\"string\"><text:p>{cell}</text:p></table:table-cell>"
                ),
            });
        }
        out.push_str(
            "<table:table-cell table:number-columns-repeated=\"16378\"/></table:table-row>",
        );
    }
    out.push_str(more);
    out.push_str(
        "<table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row></table:table>",
    );
    out
}

#[test]
fn an_ods_sheet_is_checked_for_its_reach_before_the_workbook_is_read() {
    let pledges_only = ods_of(&ods_table("Pledges", ""));
    assert_pledges(&workbook_cells(pledges_only).unwrap());
    // A value on the last row and column, on a second sheet: every sheet of
    // an .ods is read when it is opened.
    let far = "<table:table-row table:number-rows-repeated=\"1048572\"><table:table-cell/></table:table-row>\
               <table:table-row><table:table-cell table:number-columns-repeated=\"16383\"/>\
               <table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>";
    let book = ods_of(&(ods_table("Pledges", "") + &ods_table("Notes &amp; more", far)));
    let e = workbook_cells(book).unwrap_err();
    assert!(
        e.starts_with(
            "sheet `Notes & more` reaches cell XFD1048576, beyond the 100000 rows and 100 columns"
        ),
        "{e}"
    );
    // A value repeated across the row reaches its last repeat.
    let across = "<table:table-row><table:table-cell office:value-type=\"float\" office:value=\"1\" table:number-columns-repeated=\"200\"/></table:table-row>";
    let e = workbook_cells(ods_of(&ods_table("Pledges", across))).unwrap_err();
    assert!(e.contains("reaches cell GR4,"), "{e}");
}

/// What the workbook reader makes of an .ods is checked as it makes it: a
/// repeat written with a character reference, a table inside a cell, a run
/// of spaces and a long text repeated down the sheet count in full; an
/// empty cell written with an end tag holds nothing.
#[test]
fn an_ods_counts_what_its_reader_makes_of_it() {
    let open_empty = "<table:table-row table:number-rows-repeated=\"1048572\"><table:table-cell></table:table-cell></table:table-row>";
    assert_pledges(&workbook_cells(ods_of(&ods_table("Pledges", open_empty))).unwrap());
    let entity = "<table:table-row table:number-rows-repeated=\"&#51;00000\"><table:table-cell office:value-type=\"float\" office:value=\"1\"/></table:table-row>";
    let e = workbook_cells(ods_of(&ods_table("Pledges", entity))).unwrap_err();
    assert!(e.contains("reaches cell A300003,"), "{e}");
    let long = "x".repeat(2000);
    let repeated = format!(
        "<table:table-row table:number-rows-repeated=\"20000\"><table:table-cell table:number-columns-repeated=\"50\" office:value-type=\"string\"><text:p>{long}</text:p></table:table-cell></table:table-row>"
    );
    let spaces = "<table:table-row><table:table-cell office:value-type=\"string\"><text:p><text:s text:c=\"400000000\"/></text:p></table:table-cell></table:table-row>";
    let nested = format!(
        "<table:table-row><table:table-cell><table:table table:name=\"in\"><table:table-row/></table:table></table:table-cell></table:table-row>{repeated}"
    );
    for more in [repeated.as_str(), spaces, nested.as_str()] {
        let e = workbook_cells(ods_of(&ods_table("Pledges", more))).unwrap_err();
        assert!(e.contains("each repeat counted, hold more than"), "{e}");
    }
}

/// One BIFF record.
fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    [
        &typ.to_le_bytes()[..],
        &(data.len() as u16).to_le_bytes(),
        data,
    ]
    .concat()
}

/// An Excel 97 workbook stream: one sheet, `Pledges`, of [`PLEDGES`] and
/// `cells` (row, column, number), whose Dimensions record says `rows`.
fn biff_of(cells: &[(u16, u16, f64)], rows: (u32, u32)) -> Vec<u8> {
    let bof = |dt: u16| {
        record(
            0x0809,
            &[&0x0600u16.to_le_bytes()[..], &dt.to_le_bytes(), &[0; 12]].concat(),
        )
    };
    let sheet_name = b"Pledges";
    let bound = |at: u32| {
        record(
            0x0085,
            &[
                &at.to_le_bytes()[..],
                &[0, 0, sheet_name.len() as u8, 0],
                sheet_name,
            ]
            .concat(),
        )
    };
    let globals_len = (bof(5).len() + bound(0).len() + record(0x000A, &[]).len()) as u32;
    let mut out = [bof(5), bound(globals_len), record(0x000A, &[])].concat();
    out.extend(bof(0x10));
    let dims = [
        &rows.0.to_le_bytes()[..],
        &rows.1.to_le_bytes(),
        &0u16.to_le_bytes(),
        &6u16.to_le_bytes(),
        &[0, 0],
    ]
    .concat();
    out.extend(record(0x0200, &dims));
    let at =
        |r: usize, c: usize| [(r as u16).to_le_bytes(), (c as u16).to_le_bytes(), [0, 0]].concat();
    for (r, line) in PLEDGES.iter().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            out.extend(match cell.parse::<f64>() {
                Ok(x) => record(0x0203, &[at(r, c), x.to_le_bytes().to_vec()].concat()),
                Err(_) => {
                    let text = [
                        &(cell.len() as u16).to_le_bytes()[..],
                        &[0],
                        cell.as_bytes(),
                    ]
                    .concat();
                    record(0x0204, &[at(r, c), text].concat())
                }
            });
        }
    }
    for &(r, c, x) in cells {
        out.extend(record(
            0x0203,
            &[at(r.into(), c.into()), x.to_le_bytes().to_vec()].concat(),
        ));
    }
    out.extend(record(0x000A, &[]));
    out
}

/// 32-bit words, little-endian.
fn words(w: &[u32]) -> Vec<u8> {
    w.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A compound file's directory entry: its name, type (5 the root, 2 a
/// stream), first sector, length and child entry.
fn entry(name: &str, typ: u8, start: u32, len: u32, child: u32) -> Vec<u8> {
    let mut e: Vec<u8> = name
        .encode_utf16()
        .chain([0])
        .flat_map(u16::to_le_bytes)
        .collect();
    e.resize(64, 0);
    e.extend(((name.len() as u16 + 1) * 2).to_le_bytes());
    e.extend([typ, 1]);
    e.extend(words(&[0xFFFF_FFFF, 0xFFFF_FFFF, child]));
    e.resize(116, 0);
    e.extend(words(&[start, len, 0]));
    e
}

/// A compound file (512-byte sectors) holding `stream` as `Workbook`: in
/// the mini stream when it is shorter than 4096 bytes.
fn xls_of(stream: &[u8]) -> Vec<u8> {
    const END: u32 = 0xFFFF_FFFE;
    let mini = stream.len() < 4096;
    let mut data = stream.to_vec();
    data.resize(data.len().div_ceil(512).max(1) * 512, 0);
    let n = (data.len() / 512) as u32;
    // Sector 0 the FAT, 1 the directory, 2 the mini FAT, then the data.
    let mut fat = vec![0xFFFF_FFFD, END, END];
    fat.extend((3..3 + n).map(|i| if i + 1 < 3 + n { i + 1 } else { END }));
    fat.resize(128, 0xFFFF_FFFF);
    let mut minifat: Vec<u32> = (0..8 * n)
        .map(|i| {
            if (i + 1) * 64 < stream.len() as u32 {
                i + 1
            } else {
                END
            }
        })
        .collect();
    minifat.resize(128, 0xFFFF_FFFF);
    let (root, book) = if mini {
        (
            entry("Root Entry", 5, 3, data.len() as u32, 1),
            entry("Workbook", 2, 0, stream.len() as u32, 0xFFFF_FFFF),
        )
    } else {
        (
            entry("Root Entry", 5, END, 0, 1),
            entry("Workbook", 2, 3, stream.len() as u32, 0xFFFF_FFFF),
        )
    };
    let mut header = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    header.resize(24, 0);
    header.extend([0x3E, 0, 3, 0, 0xFE, 0xFF, 9, 0, 6, 0]);
    header.resize(44, 0);
    header.extend(words(&[1, 1, 0, 4096, 2, 1, END, 0, 0]));
    header.extend(words(&[0xFFFF_FFFF; 108]));
    let mut out = [
        header,
        words(&fat),
        root,
        book,
        vec![0; 256],
        words(&minifat),
    ]
    .concat();
    out.extend(data);
    out
}

#[test]
fn an_xls_sheet_is_checked_for_its_reach_before_the_workbook_is_read() {
    // Short (in the mini stream) and long: both read.
    let short = biff_of(&[], (0, 3));
    assert!(short.len() < 4096);
    assert_pledges(&workbook_cells(xls_of(&short)).unwrap());
    let many: Vec<_> = (10..400).map(|r| (r, 0, 0.0)).collect();
    let long = biff_of(&many, (0, 400));
    assert!(long.len() >= 4096);
    let e = pledges("p", &workbook_cells(xls_of(&long)).unwrap()).unwrap_err();
    // Rows 11 to 400 hold a nation (`0`) and nothing else.
    assert_eq!(e.problems.len(), 5 * 390, "{e}");
    assert_eq!(e.problems[0].row, 11, "{e}");
    // A number at column GS of the first row, and one at the last cell of
    // the .xls grid: refused by reference.
    for (far, at) in [((0, 200, 1.0), "GS1"), ((65_535, 255, 1.0), "IV65536")] {
        for stream in [biff_of(&[far], (0, 3)), biff_of(&[far].repeat(400), (0, 3))] {
            let e = workbook_cells(xls_of(&stream)).unwrap_err();
            assert!(
                e.starts_with(&format!("sheet `Pledges` reaches cell {at}, beyond")),
                "{e}"
            );
        }
    }
    // A used range declared upside down is damage, refused before the
    // reader sets memory aside for it.
    let e = workbook_cells(xls_of(&biff_of(&[], (9, 3)))).unwrap_err();
    assert!(e.contains("declares a used range of rows 10 to 3"), "{e}");
    // So is a directory whose chain of sectors loops (sector 1 after itself).
    let mut looped = xls_of(&short);
    looped[516..520].copy_from_slice(&1u32.to_le_bytes());
    let e = workbook_cells(looped).unwrap_err();
    assert!(e.starts_with("the .xls workbook is damaged"), "{e}");
}

/// The file `name` holding `bytes`, read as `forcesim import` reads it.
fn read_file(name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, ReadError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    read_cells(&path)
}

#[test]
fn a_quote_never_closed_is_refused_at_the_cell_where_it_opens() {
    let text = "nation,domain,capability,low,likely,high,source\n\
                GBR,land,troops,1,2,3,\"oops\n\
                FRA,land,troops,4,5,6,ok\n\
                DEU,land,troops,7,8,9,ok\n";
    let Err(ReadError::Rows(e)) = read_file("p.csv", text.as_bytes()) else {
        panic!("an unclosed quote is read");
    };
    assert_eq!(places(&e), [(2, "G (source)")], "{e}");
    assert!(
        e.problems[0]
            .message
            .starts_with("a quote opened here is never closed")
    );
    // In a semicolon sheet, and after a byte order mark, alike.
    let semi = "\u{feff}nation;domain;capability;low;likely;high\nGBR;land;troops;1;2;\"3\n";
    let Err(ReadError::Rows(e)) = read_file("p.csv", semi.as_bytes()) else {
        panic!("an unclosed quote is read");
    };
    assert_eq!(places(&e), [(2, "F (high)")], "{e}");
}

#[test]
fn quotes_that_close_are_read_with_the_rows_numbered_as_before() {
    // A quoted cell over two lines, doubled quotes inside, a quote inside a
    // plain cell, and a quoted header cell.
    let text = "\"nation\",domain,capability,low,likely,high,source\n\
                GBR,land,troops,1,2,3,\"two \"\"quoted\"\"\nlines\"\n\
                FRA,land,troops,4,5,6,5\" gun\n\
                \n\
                DEU,land,troops,7,8,x,\"\"\n";
    let rows = read_file("p.csv", text.as_bytes()).unwrap();
    let e = pledges("p.csv", &rows).unwrap_err();
    assert_eq!(places(&e), [(5, "F (high)")], "{e}");
    assert_eq!(rows[1][6], "two \"quoted\"\nlines");
    assert_eq!(rows[2][6], "5\" gun");
}

#[test]
fn a_workbook_named_as_csv_is_named_a_workbook() {
    for (bytes, kind) in [
        (&b"PK\x03\x04rest"[..], "zip container"),
        (
            &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0][..],
            "compound document",
        ),
    ] {
        let Err(ReadError::Invalid { message, .. }) = read_file("p.csv", bytes) else {
            panic!("a workbook is read as CSV");
        };
        assert!(message.starts_with("the file is a workbook"), "{message}");
        assert!(message.contains(kind), "{message}");
    }
}

#[test]
fn a_header_problem_leaves_the_rows_checked_in_the_columns_it_locates() {
    // An unknown column: the cells below are still checked.
    let rows = sheet(
        "nation,domain,capability,low,likely,high,notes\n\
         GBR,land,troops,1,2,3,hello\n\
         FRA,land,troops,x,2,3,\n",
    );
    let e = pledges("p.csv", &rows).unwrap_err();
    assert_eq!(places(&e), [(1, "G (notes)"), (3, "D (low)")], "{e}");
    // A missing column: the others are checked, the missing one is not
    // reported again in every row.
    let rows = sheet(
        "nation,domain,capability,low,high\n\
         GBR,land,troops,1,3\n\
         FRA,land,troops,x,3\n\
         GBR,land,troops,1,3\n",
    );
    let e = pledges("p.csv", &rows).unwrap_err();
    assert_eq!(
        places(&e),
        [(1, ""), (3, "D (low)"), (4, "C (capability)")],
        "{e}"
    );
    assert!(e.problems[0].message.contains("no `likely` column"), "{e}");
    // With a scenario, the ids of every row are checked as well.
    let known = Known {
        nations: vec!["GBR".into()],
        domains: vec!["land".into()],
        capabilities: vec!["troops".into()],
    };
    let rows = sheet("nation,domain,capability,low,likely,high,notes\nFRA,land,troops,1,2,3,\n");
    let e = pledges_into("p.csv", &rows, &known).unwrap_err();
    assert_eq!(places(&e), [(1, "G (notes)"), (2, "A (nation)")], "{e}");
}

/// The cells of the workbook `book`, read as `forcesim import` reads a file.
fn read_book_file(book: &[u8]) -> Cells {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.xlsx");
    std::fs::write(&path, book).unwrap();
    read_sheet(&path).unwrap()
}

#[test]
fn the_problems_of_a_workbook_name_the_sheet_read() {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    book.add_worksheet()
        .set_name("Hidden")
        .unwrap()
        .set_hidden(true);
    let notes = book.add_worksheet().set_name("Notes").unwrap();
    write_rows(notes, &["These are notes"]);
    notes.set_active(true);
    write_rows(book.add_worksheet(), &PLEDGES);
    let cells = read_book_file(&book.save_to_buffer().unwrap());
    assert_eq!(cells.sheet.as_deref(), Some("Notes"));
    let e = pledges_in("p.xlsx", &cells, None).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("p.xlsx, sheet `Notes`: 7 problems in the pledges:"),
        "{e}"
    );
    // A CSV file has no sheet to name.
    let rows = sheet("nation,domain,capability,low,likely,high\nGBR,land,troops,x,2,3\n");
    let cells = Cells {
        rows,
        ..Cells::default()
    };
    let e = pledges_in("p.csv", &cells, None).unwrap_err();
    assert!(e.to_string().starts_with("p.csv: 1 problem"), "{e}");
}

#[test]
fn a_date_is_a_problem_where_a_figure_is_read_and_a_date_elsewhere() {
    use rust_xlsxwriter::{Format, Workbook};
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let time = Format::new().set_num_format("[h]:mm");
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    write_rows(
        s,
        &["nation,domain,capability,low,likely,high,participation,source"],
    );
    write_rows(s, &["", "GBR,land,troops"]);
    s.write_number_with_format(1, 3, 45000.0, &date).unwrap();
    s.write_number(1, 4, 2.0).unwrap();
    s.write_number(1, 5, 3.0).unwrap();
    s.write_number_with_format(1, 6, 1.0, &date).unwrap();
    s.write_number_with_format(1, 7, 45000.0, &date).unwrap();
    write_rows(s, &["", "", "FRA,land,troops,1,2"]);
    s.write_number_with_format(2, 5, 0.5, &time).unwrap();
    let cells = read_book_file(&book.save_to_buffer().unwrap());
    assert_eq!(cells.rows[1][7], "2023-03-15");
    let e = pledges_in("p.xlsx", &cells, None).unwrap_err();
    assert_eq!(
        places(&e),
        [(2, "D (low)"), (2, "G (participation)"), (3, "F (high)")],
        "{e}"
    );
    assert!(e.problems[0].message.starts_with("a date, not a number (a spreadsheet may have turned a figure such as 3-5 or 1/2 into a date)"), "{e}");
    assert!(
        e.problems[2].message.starts_with("a time, not a number"),
        "{e}"
    );
}

/// `book` with the value of every formula of its sheets taken out, as a
/// program that writes formulas without computing them leaves them.
fn without_values(book: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut part = zin.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut data = String::new();
        part.read_to_string(&mut data).unwrap();
        if name.starts_with("xl/worksheets/") {
            data = data
                .replace(" t=\"str\"><f>", "><f>")
                .replace("<v></v>", "");
        }
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        out.start_file(name, stored).unwrap();
        out.write_all(data.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn a_formula_with_no_stored_value_is_a_problem_at_its_cell() {
    use rust_xlsxwriter::{Formula, Workbook};
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_formula_result_default("");
    write_rows(
        s,
        &[
            "nation,domain,capability,low,likely,high,participation",
            "GBR,land,troops,1,2,3",
            "FRA,land,troops,,2,3,0.9",
        ],
    );
    s.write_formula(1, 6, "=0.5+0.3").unwrap();
    s.write_formula(2, 3, "=E3*0.5").unwrap();
    // A formula whose value is stored reads as that value.
    s.write_formula(3, 0, Formula::new("=\"DEU\"").set_result("DEU"))
        .unwrap();
    write_rows(s, &["", "", "", ",land,troops,1,2,3"]);
    let cells = read_book_file(&without_values(&book.save_to_buffer().unwrap()));
    let e = pledges_in("p.xlsx", &cells, None).unwrap_err();
    assert_eq!(
        places(&e),
        [(2, "G (participation)"), (3, "D (low)")],
        "{e}"
    );
    assert!(
        e.problems[0].message.starts_with(
            "a formula with no computed value: open and save the workbook in a spreadsheet"
        ),
        "{e}"
    );
    assert_eq!(cells.rows[3][0], "DEU");
}

#[test]
fn an_empty_cell_in_merged_cells_says_to_unmerge_them() {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    write_rows(s, &["nation,domain,capability,low,likely,high"]);
    for (r, line) in ["sea,ships,1,2,3", "air,jets,1,2,3", "land,medics,1,2,3"]
        .iter()
        .enumerate()
    {
        for (c, cell) in line.split(',').enumerate() {
            s.write_string(r as u32 + 1, c as u16 + 1, cell).unwrap();
        }
    }
    // The nation merged down over three rows, as people do in spreadsheets;
    // likely and high merged across one row; a nation left empty unmerged.
    s.merge_range(1, 0, 3, 0, "GBR", &Format::new()).unwrap();
    for (r, c, cell) in [(4, 0, "FRA"), (4, 1, "land"), (4, 2, "troops"), (4, 3, "1")]
        .into_iter()
        .chain(
            ["land", "troops", "1", "2", "3"]
                .into_iter()
                .zip(1..)
                .map(|(cell, c)| (5, c, cell)),
        )
    {
        s.write_string(r, c, cell).unwrap();
    }
    s.merge_range(4, 4, 4, 5, "2", &Format::new()).unwrap();
    let cells = read_book_file(&book.save_to_buffer().unwrap());
    assert_eq!(cells.merged.len(), 2);
    let e = pledges_in("p.xlsx", &cells, None).unwrap_err();
    assert_eq!(
        places(&e),
        [
            (3, "A (nation)"),
            (4, "A (nation)"),
            (5, "F (high)"),
            (6, "A (nation)")
        ],
        "{e}"
    );
    let messages: Vec<&str> = e.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "the nation is missing (the cell is part of merged cells A2:A4: unmerge them and fill each row)",
            "the nation is missing (the cell is part of merged cells A2:A4: unmerge them and fill each row)",
            "the high figure is missing (the cell is part of merged cells E5:F5: unmerge them and fill each cell)",
            // An empty cell outside merged cells is only missing.
            "the nation is missing",
        ]
    );
}

#[test]
fn many_merged_regions_beside_many_empty_cells_read_in_linear_time() {
    // 40,000 rows without a nation beside 800,000 merged regions elsewhere:
    // each empty cell looked up among every region took a minute.
    let rows = 40_000;
    let mut cells = Cells {
        rows: vec![
            [
                "nation",
                "domain",
                "capability",
                "low",
                "likely",
                "high",
                "",
                "",
                "x",
            ]
            .map(String::from)
            .to_vec(),
        ],
        ..Cells::default()
    };
    for r in 1..=rows {
        cells.rows.push(
            ["", "land", "troops", "1", "2", "3"]
                .map(String::from)
                .to_vec(),
        );
        for c in (10..50).step_by(2) {
            cells.merged.push(Merged {
                start: (r, c),
                end: (r, c + 1),
            });
        }
    }
    // A region over the nation column, reaching past a shorter one after it.
    cells.merged.push(Merged {
        start: (5, 0),
        end: (9, 0),
    });
    cells.merged.push(Merged {
        start: (6, 0),
        end: (7, 8),
    });
    let started = std::time::Instant::now();
    let e = pledges_in("p.xlsx", &cells, None).unwrap_err();
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    let hint = |row: usize| {
        let p = e.problems.iter().find(|p| p.row == row).unwrap();
        p.message.clone()
    };
    assert_eq!(hint(5), "the nation is missing");
    assert!(hint(6).ends_with("merged cells A6:A10: unmerge them and fill each row)"));
    assert!(hint(10).ends_with("merged cells A6:A10: unmerge them and fill each row)"));
    assert_eq!(hint(11), "the nation is missing");
}

#[test]
fn a_percentage_has_one_sign_and_no_negative_zero() {
    let head = "nation,domain,capability,low,likely,high,participation\n";
    // `90%%` is no number, and 150 % no probability.
    for bad in ["90%%", "150%", "-5%"] {
        let rows = sheet(&format!("{head}A,land,troops,1,2,3,{bad}\n"));
        let e = pledges("p.csv", &rows).unwrap_err();
        assert_eq!(e.problems.len(), 1, "{bad}: {e}");
        assert!(e.problems[0].message.contains(bad), "{bad}: {e}");
    }
    // `-0%` and `-0` are a participation of 0, written `0.0`, not `-0.0`.
    for zero in ["-0%", "-0", "0%"] {
        let rows = sheet(&format!("{head}A,land,troops,1,2,3,{zero}\n"));
        let p = pledges("p.csv", &rows).unwrap();
        let out = merge_into("", &p, Shape::Pert).unwrap();
        assert!(out.contains("participation = 0.0\n"), "{zero}: {out}");
        assert!(!out.contains("-0"), "{zero}: {out}");
    }
}

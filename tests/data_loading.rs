//! The `data` module against awkward files (`tests/data/`, one per case the issue names) and
//! the five real samples: each test asserts the exact columns, rows, skipped lines or refusal.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use nanograd::data::{
    BackgroundLoad, ColumnKind, ColumnRef, DataError, Dataset, Decimal, LoadOptions, RowReport,
    Standardization, Synthetic, Table, inspect_report, load_csv_bytes, load_csv_path, load_sample,
    sample, sample_names, synthetic,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn load(name: &str) -> Result<Table, DataError> {
    load_csv_path(
        &fixture(name),
        &LoadOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    )
}

fn load_ok(name: &str) -> Table {
    match load(name) {
        Ok(table) => table,
        Err(e) => panic!("{name} should load, got: {e}"),
    }
}

fn names(table: &Table) -> Vec<&str> {
    table.columns().iter().map(|c| c.name.as_str()).collect()
}

fn select(table: &Table, x: &[&str], y: &str) -> Result<(Dataset, RowReport), DataError> {
    let x: Vec<ColumnRef> = x.iter().map(|&s| ColumnRef::from(s)).collect();
    table.select(&x, &ColumnRef::from(y))
}

fn select_ok(table: &Table, x: &[&str], y: &str) -> (Dataset, RowReport) {
    match select(table, x, y) {
        Ok(selected) => selected,
        Err(e) => panic!("selecting {x:?} → {y} should work, got: {e}"),
    }
}

// ---------------------------------------------------------------- encodings and layouts

#[test]
fn utf8_bom_is_stripped_from_the_first_column_name() {
    let table = load_ok("bom_utf8.csv");
    assert_eq!(names(&table), ["x", "y"]);
    assert_eq!(table.detected().encoding, "UTF-8 (BOM)");
    assert_eq!(table.n_rows(), 3);
    let (data, _) = select_ok(&table, &["x"], "y");
    assert_eq!(data.y, [2.0, 4.0, 9.0]);
}

#[test]
fn semicolon_file_with_decimal_commas_reads_european_numbers() {
    let table = load_ok("semicolon_decimal_comma.csv");
    assert_eq!(table.detected().delimiter, b';');
    assert_eq!(table.detected().decimal, Decimal::Comma);
    assert_eq!(names(&table), ["temperature", "rate"]);
    let (data, report) = select_ok(&table, &["temperature"], "rate");
    assert_eq!(data.x, [1.5, 2.5, -3.5, 4.0]);
    assert_eq!(data.y, [2.25, 6.25, 12.25, 16.0]);
    assert_eq!(report.skipped, 0);
}

#[test]
fn semicolon_file_with_decimal_points_keeps_points() {
    let table = load_ok("semicolon_dot_decimal.csv");
    assert_eq!(table.detected().delimiter, b';');
    assert_eq!(table.detected().decimal, Decimal::Point);
    let (data, _) = select_ok(&table, &["x"], "y");
    assert_eq!(data.y, [2.5, 3.5, 5.5]);
}

#[test]
fn european_thousands_dots_are_removed_with_a_decimal_comma() {
    let table = load_ok("european_thousands.csv");
    let (data, _) = select_ok(&table, &["x"], "y");
    assert_eq!(data.y, [1234.5, 2000.25, 3.5]);
}

#[test]
fn tab_and_pipe_delimiters_are_detected() {
    let tab = load_ok("tab_delimited.tsv");
    assert_eq!(tab.detected().delimiter, b'\t');
    assert_eq!(select_ok(&tab, &["x"], "y").0.x, [1.5, 2.5, 3.5]);
    let pipe = load_ok("pipe_delimited.csv");
    assert_eq!(pipe.detected().delimiter, b'|');
    assert_eq!(select_ok(&pipe, &["x"], "y").0.y, [10.0, 20.0, 35.0]);
}

#[test]
fn quoted_delimiters_and_newlines_stay_in_their_field_and_lines_stay_physical() {
    let table = load_ok("quoted_fields.csv");
    assert_eq!(names(&table), ["label", "x", "y"]);
    assert_eq!(table.columns()[0].kind, ColumnKind::Text);
    assert_eq!(table.n_rows(), 4);
    // The second record spans lines 3–4, so the next ones start on lines 5 and 6.
    assert_eq!(table.row_lines().collect::<Vec<_>>(), [2, 3, 5, 6]);
    let (data, report) = select_ok(&table, &["x"], "y");
    assert_eq!(data.x, [1.0, 2.0, 3.0]);
    assert_eq!(report.skipped_lines, [6]);
    assert_eq!(report.reasons.missing, 1);
}

#[test]
fn crlf_line_endings_are_read_and_reported() {
    let table = load_ok("crlf.csv");
    assert_eq!(table.detected().line_endings, "CRLF");
    let (data, report) = select_ok(&table, &["x"], "y");
    assert_eq!(data.y, [1.0, 4.0, 16.0]);
    assert_eq!(report.skipped_lines, [4]);
}

#[test]
fn cr_only_line_endings_get_correct_line_numbers() {
    let table = load_ok("cr_only.csv");
    assert_eq!(table.detected().line_endings, "CR");
    assert_eq!(table.n_rows(), 4);
    let (data, report) = select_ok(&table, &["x"], "y");
    assert_eq!(data.x, [1.0, 2.0, 4.0]);
    assert_eq!(report.skipped_lines, [4]);
}

#[test]
fn missing_final_newline_keeps_the_last_row() {
    let table = load_ok("no_final_newline.csv");
    let (data, _) = select_ok(&table, &["x"], "y");
    assert_eq!(data.y, [2.0, 3.0, 5.0]);
}

#[test]
fn whitespace_around_names_and_values_is_trimmed() {
    let table = load_ok("whitespace.csv");
    assert_eq!(names(&table), ["x", "y"]);
    let (data, _) = select_ok(&table, &["x"], "y");
    assert_eq!(data.x, [1.0, 2.0, 3.0]);
    assert_eq!(data.y, [2.0, 4.0, 8.0]);
}

#[test]
fn file_without_header_gets_numbered_column_names() {
    let table = load_ok("no_header.csv");
    assert!(!table.detected().has_header);
    assert_eq!(names(&table), ["column 1", "column 2"]);
    assert_eq!(table.n_rows(), 4);
    assert!(table.warnings()[0].contains("no header row"));
    // Without a header the first data row is line 1.
    let (_, report) = select_ok(&table, &["column 1"], "column 2");
    assert_eq!(report.skipped_lines, [4]);
    // Index form, as on the command line.
    let (_, by_index) = select_ok(&table, &["0"], "1");
    assert_eq!(by_index, report);
}

#[test]
fn duplicate_and_empty_header_names_are_made_unique_with_warnings() {
    let table = load_ok("duplicate_header.csv");
    assert_eq!(names(&table), ["x", "x (2)", "column 3", "y"]);
    let warnings = table.warnings().join("\n");
    assert!(warnings.contains("column 3 has no name"), "{warnings}");
    assert!(warnings.contains("`x` more than once"), "{warnings}");
    let (data, _) = select_ok(&table, &["x (2)"], "y");
    assert_eq!(data.x, [2.0, 3.0, 5.0]);
}

#[test]
fn utf16_files_are_decoded_with_or_without_bom() {
    for (file, encoding) in [
        ("utf16le_bom.csv", "UTF-16LE"),
        ("utf16be_bom.csv", "UTF-16BE"),
    ] {
        let table = load_ok(file);
        assert_eq!(names(&table), ["größe", "gewicht"], "{file}");
        assert_eq!(table.detected().encoding, encoding, "{file}");
        assert_eq!(
            select_ok(&table, &["größe"], "gewicht").0.y,
            [2.0, 5.0, 7.0]
        );
    }
    let table = load_ok("utf16le_no_bom.csv");
    assert_eq!(table.detected().encoding, "UTF-16LE");
    assert_eq!(names(&table), ["x", "y"]);
}

#[test]
fn truncated_utf16_is_refused_naming_the_encoding() {
    let err = load("utf16le_odd_length.csv").err();
    assert!(
        matches!(&err, Some(DataError::Encoding { encoding }) if encoding == "UTF-16LE"),
        "{err:?}"
    );
    assert!(err.is_some_and(|e| e.to_string().contains("UTF-16LE")));
}

#[test]
fn windows_1252_header_is_decoded_not_shown_as_mojibake() {
    let table = load_ok("windows1252.csv");
    assert_eq!(table.detected().encoding, "windows-1252");
    assert_eq!(names(&table), ["température", "débit €"]);
    assert!(table.warnings()[0].contains("Windows-1252"));
    let (data, _) = select_ok(&table, &["température"], "débit €");
    assert_eq!(data.x, [1.5, 2.5, 3.5]);
}

// ---------------------------------------------------------------- column typing

#[test]
fn scientific_notation_and_quoted_thousands_are_numbers() {
    let table = load_ok("numbers.csv");
    assert!(
        table
            .columns()
            .iter()
            .all(|c| c.kind == ColumnKind::Numeric)
    );
    let (data, _) = select_ok(&table, &["x"], "y");
    assert_eq!(data.x, [1000.0, -0.25, 3.0, 0.5]);
    assert_eq!(data.y, [1234.5, 12000.0, 0.5, -1_000_000.25]);
}

#[test]
fn every_missing_marker_is_missing_not_zero() {
    let table = load_ok("missing_values.csv");
    let y = &table.columns()[1];
    assert_eq!(
        (y.kind, y.missing, y.text_cells),
        (ColumnKind::Numeric, 7, 0)
    );
    assert_eq!((y.min, y.max), (Some(1.0), Some(100.0)));
    let (data, report) = select_ok(&table, &["x"], "y");
    assert_eq!(data.y, [1.0, 81.0, 100.0]);
    assert_eq!(report.used, 3);
    assert_eq!(report.skipped, 7);
    assert_eq!(report.skipped_lines, [3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(report.reasons.missing, 7);
    assert_eq!(
        report.summary(),
        "used 3 rows; skipped 7 (7 missing values) on lines 3, 4, 5, 6, 7, 8, 9"
    );
}

#[test]
fn stray_text_cells_keep_the_column_numeric_and_their_rows_are_reported() {
    let table = load_ok("stray_text.csv");
    let y = &table.columns()[1];
    assert_eq!(y.kind, ColumnKind::Numeric);
    assert_eq!(y.text_cells, 2);
    assert_eq!(y.first_text, Some((4, "oops".to_owned())));
    let warnings = table.warnings().join("\n");
    assert!(warnings.contains("line(s) 4, 7"), "{warnings}");
    let (data, report) = select_ok(&table, &["x"], "y");
    assert_eq!(data.y, [1.0, 4.0, 16.0, 25.0]);
    assert_eq!(report.skipped_lines, [4, 7]);
    assert_eq!(report.reasons.not_a_number, 2);
}

#[test]
fn text_columns_are_listed_but_cannot_be_chosen() {
    let table = load_ok("text_column.csv");
    assert_eq!(table.columns()[0].kind, ColumnKind::Text);
    assert_eq!(table.numeric_columns(), [1, 2]);
    let reason = table.columns()[0].unusable_reason().unwrap_or_default();
    assert!(reason.contains("3 of 3 filled cells are text"), "{reason}");
    let err = select(&table, &["city"], "y").err();
    assert!(
        matches!(&err, Some(DataError::NotNumeric { name, role, .. }) if name == "city" && role.contains("input")),
        "{err:?}"
    );
    assert!(matches!(
        select(&table, &["x"], "city"),
        Err(DataError::NotNumeric {
            role: "the target (y)",
            ..
        })
    ));
    assert_eq!(select_ok(&table, &["x"], "y").0.n_rows(), 3);
}

#[test]
fn infinite_and_out_of_range_values_skip_their_rows() {
    let table = load_ok("non_finite.csv");
    // inf, 1e400, -Infinity, and 1e39: finite in f64 but beyond f32's 3.4e38.
    assert_eq!(table.columns()[1].non_finite, 4);
    assert!(
        table
            .warnings()
            .iter()
            .any(|w| w.contains("4 infinite or out-of-range"))
    );
    let (data, report) = select_ok(&table, &["x"], "y");
    assert_eq!(data.y, [1.0, 36.0]);
    assert_eq!(report.skipped_lines, [3, 4, 5, 6]);
    assert_eq!(report.reasons.non_finite, 4);
}

#[test]
fn ragged_rows_are_skipped_and_reported() {
    let table = load_ok("ragged.csv");
    assert_eq!(table.n_rows(), 5);
    assert!(table.warnings().iter().any(|w| w.contains("line(s) 3, 4")));
    let (data, report) = select_ok(&table, &["x"], "z");
    assert_eq!(data.x, [1.0, 4.0, 5.0]);
    assert_eq!(report.skipped_lines, [3, 4]);
    assert_eq!(report.reasons.ragged, 2);
}

#[test]
fn trailing_delimiters_and_empty_rows_from_spreadsheets_are_ignored() {
    let table = load_ok("trailing_delimiter.csv");
    assert_eq!(names(&table), ["x", "y"]);
    assert_eq!(table.n_rows(), 3);
    assert!(
        table
            .warnings()
            .iter()
            .any(|w| w == "2 empty row(s) were ignored")
    );
    assert_eq!(select_ok(&table, &["x"], "y").1.skipped, 0);
}

#[test]
fn several_inputs_are_stored_row_major() {
    let table = load_ok("many_columns_multi_input.csv");
    let (data, _) = select_ok(&table, &["a", "b"], "c");
    assert_eq!(data.x_names, ["a", "b"]);
    assert_eq!(data.n_inputs(), 2);
    assert_eq!(data.x_row(1), [2.0, 30.0]);
    assert_eq!(data.y, [12.0, 33.0, 24.0, 45.0]);
}

// ---------------------------------------------------------------- refusals

#[test]
fn empty_and_blank_files_are_refused_as_empty() {
    assert!(matches!(load("empty.csv"), Err(DataError::Empty)));
    assert!(matches!(load("blank_lines.csv"), Err(DataError::Empty)));
}

#[test]
fn header_only_file_is_refused() {
    let err = load("header_only.csv").err();
    assert!(
        matches!(&err, Some(DataError::HeaderOnly { header }) if header == "x, y, z"),
        "{err:?}"
    );
}

#[test]
fn file_without_numbers_is_refused() {
    assert!(matches!(
        load("all_text.csv"),
        Err(DataError::NoNumericColumn { n_columns: 2, .. })
    ));
}

#[test]
fn one_data_row_is_too_few() {
    assert!(matches!(
        load("one_row.csv"),
        Err(DataError::TooFewDataRows { rows: 1 })
    ));
}

#[test]
fn binary_content_and_renamed_workbooks_are_refused() {
    assert!(matches!(load("binary.csv"), Err(DataError::Binary { .. })));
    let err = load("xlsx_renamed.csv")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains(".xlsx") && err.contains("Save As"), "{err}");
}

#[test]
fn constant_target_and_constant_input_are_refused() {
    let target = select(&load_ok("constant_target.csv"), &["x"], "y").err();
    assert!(
        matches!(&target, Some(DataError::ConstantTarget { name, value }) if name == "y" && *value == 5.0),
        "{target:?}"
    );
    let input = select(&load_ok("constant_input.csv"), &["x"], "y").err();
    assert!(
        matches!(&input, Some(DataError::ConstantInput { name, value }) if name == "x" && *value == 7.0),
        "{input:?}"
    );
}

#[test]
fn too_few_usable_rows_after_skipping_is_refused_with_counts() {
    let csv = b"x,y\n1,2\n2,NA\n3,NA\n";
    let table = load_csv_bytes(
        csv,
        "t",
        &LoadOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    );
    let err = table.ok().and_then(|t| select(&t, &["x"], "y").err());
    assert!(
        matches!(
            err,
            Some(DataError::TooFewRows {
                usable: 1,
                skipped: 2
            })
        ),
        "{err:?}"
    );
}

#[test]
fn bad_column_choices_are_refused() {
    let table = load_ok("many_columns_multi_input.csv");
    let unknown = select(&table, &["nope"], "c").err();
    assert!(
        matches!(&unknown, Some(DataError::UnknownColumn { spec, available }) if spec == "nope" && available == "`a`, `b`, `c`"),
        "{unknown:?}"
    );
    assert!(matches!(
        select(&table, &["a"], "a"),
        Err(DataError::RepeatedColumn { .. })
    ));
    assert!(matches!(select(&table, &[], "c"), Err(DataError::NoInputs)));
    assert!(matches!(
        select(&table, &["7"], "c"),
        Err(DataError::UnknownColumn { .. })
    ));
    assert_eq!(table.resolve_column("B").ok(), Some(1));
    assert_eq!(table.resolve_column("2").ok(), Some(2));
}

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let err = load("does_not_exist.csv").err();
    assert!(
        matches!(&err, Some(DataError::Io { path, .. }) if path.ends_with("does_not_exist.csv"))
    );
}

#[test]
fn skipped_line_list_is_capped_but_the_count_is_not() {
    let mut csv = String::from("x,y\n");
    for i in 0..100 {
        csv.push_str(&format!(
            "{i},{}\n",
            if i % 2 == 0 {
                "NA".to_owned()
            } else {
                i.to_string()
            }
        ));
    }
    let table = load_csv_bytes(
        csv.as_bytes(),
        "t",
        &LoadOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    );
    let (_, report) = table
        .ok()
        .and_then(|t| select(&t, &["x"], "y").ok())
        .unwrap_or_default_pair();
    assert_eq!(report.skipped, 50);
    assert_eq!(
        report.skipped_lines.len(),
        nanograd::data::MAX_REPORTED_LINES
    );
    assert_eq!(report.skipped_lines[..3], [2, 4, 6]);
    assert!(report.summary().ends_with(", …"));
}

/// Test-only helper: turns a failed select into an empty report so the asserts fail visibly.
trait OrEmpty {
    fn unwrap_or_default_pair(self) -> (Option<Dataset>, RowReport);
}
impl OrEmpty for Option<(Dataset, RowReport)> {
    fn unwrap_or_default_pair(self) -> (Option<Dataset>, RowReport) {
        match self {
            Some((d, r)) => (Some(d), r),
            None => (None, RowReport::default()),
        }
    }
}

// ---------------------------------------------------------------- progress and cancel

fn big_csv(n_rows: usize) -> Vec<u8> {
    let mut csv = String::from("a,b,c\n");
    for i in 0..n_rows {
        csv.push_str(&format!("{i},{}.5,{}\n", i * 2, i % 7));
    }
    csv.into_bytes()
}

#[test]
fn progress_rises_to_one_and_cancel_stops_the_load() {
    let csv = big_csv(100_000);
    let seen = std::cell::RefCell::new(Vec::new());
    let table = load_csv_bytes(
        &csv,
        "big",
        &LoadOptions::default(),
        &|f| seen.borrow_mut().push(f),
        &AtomicBool::new(false),
    );
    assert_eq!(table.map(|t| t.n_rows()).ok(), Some(100_000));
    let seen = seen.into_inner();
    assert!(seen.len() >= 5, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert_eq!(seen.last().copied(), Some(1.0));

    let cancelled = load_csv_bytes(
        &csv,
        "big",
        &LoadOptions::default(),
        &|_| {},
        &AtomicBool::new(true),
    );
    assert!(matches!(cancelled, Err(DataError::Cancelled)));
}

#[test]
fn background_load_delivers_the_table_off_the_calling_thread() {
    let mut job = match BackgroundLoad::start(fixture("crlf.csv"), LoadOptions::default(), || {}) {
        Ok(job) => job,
        Err(e) => panic!("could not spawn the loader: {e}"),
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let result = loop {
        if let Some(result) = job.try_take() {
            break result;
        }
        assert!(Instant::now() < deadline, "background load did not finish");
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(result.map(|t| t.n_rows()).ok(), Some(4));
    assert!(job.try_take().is_none(), "the result is delivered once");
}

#[test]
fn options_override_detection() {
    let csv = b"1;2\n3;4\n5;7\n";
    let options = LoadOptions {
        has_header: Some(true),
        ..LoadOptions::default()
    };
    let table = load_csv_bytes(csv, "t", &options, &|_| {}, &AtomicBool::new(false));
    assert_eq!(
        table.map(|t| names(&t).join("|")).ok().as_deref(),
        Some("1|2")
    );
}

// ---------------------------------------------------------------- samples

/// Rows and columns as stated in `assets/data/README.md`.
const SAMPLE_SHAPES: [(&str, usize, usize); 5] = [
    ("seattle_weather_2012_2015", 1461, 8),
    ("engel_food", 235, 2),
    ("cars_mpg", 392, 7),
    ("co2_mauna_loa_weekly", 2225, 5),
    ("anscombe_quartet", 11, 8),
];

/// The values of a plain comma file, parsed naively (the samples are known to be clean).
fn naive_columns(text: &str) -> Vec<Vec<f32>> {
    let mut lines = text.lines();
    let width = lines.next().map_or(0, |h| h.split(',').count());
    let mut columns = vec![Vec::new(); width];
    for line in lines {
        for (c, cell) in line.split(',').enumerate() {
            columns[c].push(cell.parse::<f64>().map_or(f32::NAN, |v| v as f32));
        }
    }
    columns
}

#[test]
fn the_five_samples_round_trip_exactly() {
    assert_eq!(sample_names().len(), 5);
    for (name, n_rows, n_columns) in SAMPLE_SHAPES {
        let table = match load_sample(name) {
            Ok(t) => t,
            Err(e) => panic!("{name}: {e}"),
        };
        assert_eq!(table.n_rows(), n_rows, "{name}");
        assert_eq!(table.columns().len(), n_columns, "{name}");
        assert!(
            table.warnings().is_empty(),
            "{name}: {:?}",
            table.warnings()
        );
        let d = table.detected();
        assert_eq!(
            (d.delimiter, d.decimal, d.has_header, d.encoding.as_str()),
            (b',', Decimal::Point, true, "UTF-8")
        );
        let bytes = sample(name).map(|s| s.bytes).unwrap_or_default();
        let expected = naive_columns(std::str::from_utf8(bytes).unwrap_or(""));
        for (c, column) in expected.iter().enumerate() {
            assert_eq!(
                table.numeric_values(c).as_deref(),
                Some(column.as_slice()),
                "{name} column {c}"
            );
        }
        // The shipped file on disk is the embedded one.
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/data")
            .join(format!("{name}.csv"));
        assert_eq!(std::fs::read(path).ok().as_deref(), Some(bytes), "{name}");
        let s = sample(name).ok();
        if let Some(s) = s {
            let (data, report) = select_ok(&table, s.default_x, s.default_y);
            assert_eq!((data.n_rows(), report.skipped), (n_rows, 0), "{name}");
        }
    }
}

#[test]
fn default_sample_is_seattle_day_of_year_to_temp_max() {
    let (data, report) = match nanograd::data::default_dataset() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(nanograd::data::DEFAULT_SAMPLE, sample_names()[0]);
    assert_eq!(
        (data.x_names.as_slice(), data.y_name.as_str()),
        (&["day_of_year".to_owned()][..], "temp_max")
    );
    assert_eq!(report.used, 1461);
    assert!(matches!(
        load_sample("nope"),
        Err(DataError::UnknownSample { .. })
    ));
}

// ---------------------------------------------------------------- dataset, standardisation, synthetic

#[test]
fn standardization_fits_population_statistics_and_inverts() {
    // Column 0: 1, 2, 3 → mean 2, population std √(2/3). Column 1 constant → std 1.
    let values = [1.0, 5.0, 2.0, 5.0, 3.0, 5.0];
    let s = Standardization::fit(&values, 2);
    assert_eq!(s.mean, [2.0, 5.0]);
    assert_eq!(s.std, [(2.0f64 / 3.0).sqrt() as f32, 1.0]);
    let mut v = values;
    s.apply(&mut v);
    assert!((v[0] + 1.224_745).abs() < 1e-5 && v[1] == 0.0, "{v:?}");
    s.invert(&mut v);
    for (a, b) in v.iter().zip(values) {
        assert!((a - b).abs() < 1e-6);
    }
    assert_eq!(Standardization::identity(3).std, [1.0; 3]);
}

#[test]
fn dataset_new_checks_shape_finiteness_and_rows() {
    let x = || vec!["x".to_owned()];
    assert!(matches!(
        Dataset::new("d", x(), "y", vec![1.0, 2.0], vec![1.0]),
        Err(DataError::Shape(_))
    ));
    assert!(matches!(
        Dataset::new("d", x(), "y", vec![1.0, f32::NAN], vec![1.0, 2.0]),
        Err(DataError::NonFinite { row: 1, .. })
    ));
    assert!(matches!(
        Dataset::new("d", x(), "y", vec![1.0], vec![1.0]),
        Err(DataError::TooFewRows { usable: 1, .. })
    ));
    assert!(matches!(
        Dataset::new("d", vec![], "y", vec![], vec![1.0, 2.0]),
        Err(DataError::NoInputs)
    ));
    assert!(Dataset::new("d", x(), "y", vec![1.0, 2.0], vec![3.0, 4.0]).is_ok());
}

#[test]
fn split_is_seeded_disjoint_and_keeps_a_training_row() {
    let data = synthetic(Synthetic::Sine, 100, 0.0, 1);
    let (train, val) = data.split(0.2, 7);
    let val = val.unwrap_or_else(|| panic!("a 20 % split has a validation set"));
    assert_eq!((train.n_rows(), val.n_rows()), (80, 20));
    let mut all: Vec<f32> = train.x.iter().chain(&val.x).copied().collect();
    all.sort_by(f32::total_cmp);
    assert_eq!(all, data.x, "every row exactly once");
    let (again, _) = data.split(0.2, 7);
    assert_eq!(again.x, train.x, "same seed, same split");
    assert_ne!(
        data.split(0.2, 8).0.x,
        train.x,
        "another seed, another split"
    );
    assert!(data.split(0.0, 7).1.is_none());
    let (train_all, val_all) = data.split(1.0, 7);
    assert_eq!(
        (train_all.n_rows(), val_all.map(|v| v.n_rows())),
        (1, Some(99))
    );
}

#[test]
fn synthetic_sets_follow_their_curves_and_are_seeded() {
    let sine = synthetic(Synthetic::Sine, 5, 0.0, 0);
    assert_eq!(sine.name, "sine (5 points)");
    assert_eq!(
        sine.x,
        [
            -std::f32::consts::PI,
            -std::f32::consts::FRAC_PI_2,
            0.0,
            std::f32::consts::FRAC_PI_2,
            std::f32::consts::PI
        ]
    );
    assert!((sine.y[1] + 1.0).abs() < 1e-6 && sine.y[2].abs() < 1e-6);
    let poly = synthetic(Synthetic::Polynomial, 3, 0.0, 0);
    assert_eq!(poly.y, [-1.875, 0.0, 1.875]); // x³ − x at −1.5, 0, 1.5
    let step = synthetic(Synthetic::Step, 4, 0.0, 0);
    assert_eq!(step.y, [0.0, 0.0, 1.0, 1.0]);
    let a = synthetic(Synthetic::Sine, 200, 0.1, 42);
    assert_eq!(a.y, synthetic(Synthetic::Sine, 200, 0.1, 42).y);
    assert_ne!(a.y, synthetic(Synthetic::Sine, 200, 0.1, 43).y);
    // Noise of std 0.1 around sin(x): residual std within 20 % of 0.1 on 200 points.
    let residual: f64 =
        a.x.iter()
            .zip(&a.y)
            .map(|(&x, &y)| (f64::from(y) - f64::from(x).sin()).powi(2))
            .sum();
    let std = (residual / 200.0).sqrt();
    assert!((0.08..0.12).contains(&std), "{std}");
    assert_eq!(synthetic(Synthetic::Step, 0, 0.0, 0).n_rows(), 2);
}

// ---------------------------------------------------------------- inspect

#[test]
fn inspect_json_has_the_documented_fields() {
    let table = load_ok("semicolon_decimal_comma.csv");
    let x = [ColumnRef::from("temperature")];
    let report = inspect_report("f.csv", &table, Some((&x, &ColumnRef::from("rate"))));
    let json = report
        .ok()
        .and_then(|r| serde_json::to_value(r).ok())
        .unwrap_or_default();
    assert_eq!(json["delimiter"], ";");
    assert_eq!(json["decimal"], ",");
    assert_eq!(json["header"], true);
    assert_eq!(json["encoding"], "UTF-8");
    assert_eq!(json["rows"], 4);
    assert_eq!(json["columns"][0]["name"], "temperature");
    assert_eq!(json["columns"][0]["kind"], "numeric");
    assert_eq!(json["columns"][0]["missing"], 0);
    assert_eq!(json["columns"][0]["min"], -3.5);
    assert_eq!(json["columns"][1]["max"], 16.0);
    assert_eq!(json["warnings"], serde_json::json!([]));
    assert_eq!(json["used"], 4);
    assert_eq!(json["skipped_lines"], serde_json::json!([]));
}

#[test]
fn inspect_text_lists_columns_and_skipped_lines() {
    let table = load_ok("stray_text.csv");
    let x = [ColumnRef::from("x")];
    let text = inspect_report("stray_text.csv", &table, Some((&x, &ColumnRef::from("y"))))
        .map(|r| r.to_text())
        .unwrap_or_default();
    assert!(text.contains("delimiter: comma"), "{text}");
    assert!(
        text.contains("x → y: 4 rows used, 2 skipped (lines 4, 7)"),
        "{text}"
    );
}

#[test]
fn run_inspect_exits_2_on_a_refused_file_and_0_on_a_good_one() {
    use nanograd::data::{InspectArgs, run_inspect};
    let args = |file: &str, x: &[&str], y: Option<&str>| InspectArgs {
        path: fixture(file),
        x: x.iter().map(|s| s.to_string()).collect(),
        y: y.map(str::to_owned),
        json: true,
    };
    assert_eq!(run_inspect(&args("header_only.csv", &[], None)), 2);
    assert_eq!(run_inspect(&args("crlf.csv", &[], None)), 0);
    assert_eq!(run_inspect(&args("crlf.csv", &["x"], Some("y"))), 0);
    assert_eq!(run_inspect(&args("crlf.csv", &["x"], None)), 2);
    assert_eq!(
        run_inspect(&args("text_column.csv", &["city"], Some("y"))),
        2
    );
}

#[test]
fn quoted_decimal_commas_in_a_comma_file_are_read_as_decimals() {
    let table = load_ok("quoted_decimal_comma.csv");
    assert_eq!(table.detected().decimal, Decimal::Comma);
    let (data, _) = select_ok(&table, &["x"], "y");
    assert_eq!(data.y, [2.25, 3.5, -4.75]);
}

#[test]
fn r_row_names_without_a_header_name_do_not_make_rows_ragged() {
    let table = load_ok("r_row_names.csv");
    assert_eq!(names(&table), ["column 1", "x", "y"]);
    assert_eq!(table.columns()[0].kind, ColumnKind::Text);
    let (data, report) = select_ok(&table, &["x"], "y");
    assert_eq!(
        (data.y.as_slice(), report.skipped),
        (&[2.0, 4.0, 7.0][..], 0)
    );
}

#[test]
fn header_that_matches_no_row_is_refused_as_ragged() {
    assert!(matches!(
        load("header_mismatch.csv"),
        Err(DataError::AllRowsRagged {
            n_columns: 1,
            first_width: 2
        })
    ));
}

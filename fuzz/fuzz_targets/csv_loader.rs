//! The CSV loader on arbitrary bytes, then what a user does right after loading: choose the
//! first numeric column as x and the last as y, split off a validation set and standardise.
//! Any panic, hang or runaway allocation is a bug in the library; a refusal must be a
//! `DataError` (checked by the types) whose message is not empty.

#![no_main]

use std::sync::atomic::AtomicBool;

use libfuzzer_sys::fuzz_target;
use nanograd::data::{ColumnRef, LoadOptions, inspect_report, load_csv_bytes};

fuzz_target!(|bytes: &[u8]| {
    let table = match load_csv_bytes(
        bytes,
        "fuzz",
        &LoadOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    ) {
        Ok(table) => table,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    assert!(table.n_rows() >= 2);
    assert_eq!(table.row_lines().count(), table.n_rows());
    assert!(table.row_lines().zip(table.row_lines().skip(1)).all(|(a, b)| a < b));
    let _ = inspect_report("fuzz", &table, None).map(|r| r.to_text());

    // By position, whatever the columns hold: a text or missing column must be refused
    // with an error, not a panic.
    let n_columns = table.columns().len();
    let last = n_columns.saturating_sub(1);
    let _ = table.select(&[ColumnRef::Index(0)], &ColumnRef::Index(last));
    // By name, as the command line and the app do.
    let first_name = ColumnRef::from(table.columns()[0].name.as_str());
    let _ = table.select(
        &[first_name],
        &ColumnRef::from(table.columns()[last].name.as_str()),
    );

    // The first numeric column as x, the last as y.
    let numeric = table.numeric_columns();
    let (Some(&x), Some(&y)) = (numeric.first(), numeric.last()) else {
        return;
    };
    if x == y {
        return;
    }
    let x = [ColumnRef::Index(x)];
    let y = ColumnRef::Index(y);
    let _ = inspect_report("fuzz", &table, Some((&x, &y))).map(|r| r.to_text());
    let Ok((data, report)) = table.select(&x, &y) else {
        return;
    };
    assert_eq!(data.n_rows(), report.used);
    assert!(data.n_rows() >= 2);
    assert_eq!(data.x.len(), data.n_rows() * data.n_inputs());
    assert!(data.x.iter().chain(&data.y).all(|v| v.is_finite()));
    let _ = report.summary();

    let (train, validation) = data.split(0.25, 7);
    assert_eq!(
        train.n_rows() + validation.as_ref().map_or(0, |v| v.n_rows()),
        data.n_rows()
    );
    assert!(train.n_rows() >= 1);
    // Standardised inputs and targets are what the network sees: they must stay finite.
    let x_std = train.x_standardization();
    let y_std = train.y_standardization();
    let mut xs = train.x.clone();
    let mut ys = train.y.clone();
    x_std.apply(&mut xs);
    y_std.apply(&mut ys);
    assert!(
        xs.iter().chain(&ys).all(|v| v.is_finite()),
        "standardised values are not finite: {x_std:?} {y_std:?}"
    );
});

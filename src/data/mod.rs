//! Everything between a file on disk and the numbers the trainer sees: CSV loading (encoding,
//! delimiter, decimal and header detection, column typing), column choice with a report of the
//! rows skipped, standardisation, seeded splits, the built-in sample and synthetic sets, and
//! data typed as a formula.
//! It knows nothing about networks, training or the UI; `train` and `app` depend on it.
//!
//! ```
//! use std::sync::atomic::AtomicBool;
//! use nanograd::data::{ColumnRef, LoadOptions, load_csv_bytes};
//!
//! let csv = b"x;y\n1,5;2\n2,5;NA\n3,5;7\n4,5;9\n";
//! let table = load_csv_bytes(csv, "demo", &LoadOptions::default(), &|_| {}, &AtomicBool::new(false))?;
//! assert_eq!(table.detected().delimiter, b';');
//! let (dataset, report) = table.select(&[ColumnRef::from("x")], &ColumnRef::from("y"))?;
//! assert_eq!(dataset.n_rows(), 3);
//! assert_eq!(report.skipped_lines, vec![3]); // the header is line 1
//! # Ok::<(), nanograd::data::DataError>(())
//! ```

mod background;
mod dataset;
mod error;
mod formula;
mod inspect;
mod number;
mod report;
mod samples;
mod sniff;
mod synthetic;
mod table;

pub use background::BackgroundLoad;
pub use dataset::{Dataset, Standardization};
pub use error::DataError;
pub use formula::{
    FormulaError, FormulaSpec, MAX_FORMULA_BYTES, MAX_POINTS as MAX_FORMULA_POINTS,
    check as check_formula, formula_dataset, generate as generate_formula,
};
pub use inspect::{ColumnSummary, InspectArgs, InspectReport, inspect_report, run_inspect};
pub use number::{Decimal, MISSING_TOKENS, is_missing, parse_number};
pub use report::{MAX_REPORTED_LINES, RowReport, SkipReasons};
pub use samples::{
    DEFAULT_SAMPLE, DEFAULT_X, DEFAULT_Y, Sample, default_dataset, load_sample, sample,
    sample_names, samples,
};
pub use sniff::{Detection, delimiter_name};
pub use synthetic::{Synthetic, synthetic};
pub use table::{
    ColumnInfo, ColumnKind, ColumnRef, LoadOptions, Table, load_csv_bytes, load_csv_path,
    memory_needed_to_load,
};

use std::path::Path;
use std::sync::atomic::AtomicBool;

/// Loads a CSV file and chooses columns by name or 0-based index in one call (what
/// `nanograd train` needs). Returns the load warnings alongside the row report.
pub fn load_dataset(
    path: &Path,
    x: &[String],
    y: &str,
) -> Result<(Dataset, RowReport, Vec<String>), DataError> {
    let table = load_csv_path(
        path,
        &LoadOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    )?;
    let x_refs: Vec<ColumnRef> = x.iter().map(|s| ColumnRef::from(s.as_str())).collect();
    let (dataset, report) = table.select(&x_refs, &ColumnRef::from(y))?;
    Ok((dataset, report, table.warnings().to_vec()))
}

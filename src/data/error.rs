//! `DataError`: every way a file or a column choice can be refused, worded for a teacher
//! looking at the app's status line, not for a programmer. Knows nothing about parsing.

use thiserror::Error;

/// Why a file could not be loaded or a choice of columns could not be used.
///
/// Each message is one sentence a non-programmer can act on: it says what was found and,
/// where there is one, what to do about it.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DataError {
    /// The file could not be opened or read from disk.
    #[error("could not read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The file would not fit in memory: refused before it is read. `needed` is the estimated
    /// peak of loading it and choosing its columns, `available` the memory the system reported
    /// free (`None` where it cannot tell, and an allocation failed instead).
    #[error("{}", too_large_message(*.file_bytes, *.needed, *.available))]
    TooLarge {
        file_bytes: u64,
        needed: u64,
        available: Option<u64>,
    },
    /// The file has no bytes, or only blank lines.
    #[error("the file is empty: there is nothing to load")]
    Empty,
    /// There is a header row but not a single data row below it.
    #[error("the file has a header row ({header}) but no data rows below it")]
    HeaderOnly { header: String },
    /// The file holds a single data row.
    #[error("the file has only {rows} data row; at least 2 are needed to fit a curve")]
    TooFewDataRows { rows: usize },
    /// The file is not text at all (a spreadsheet workbook, an image, random bytes…).
    #[error("this is not a CSV text file ({what}); {hint}")]
    Binary { what: String, hint: String },
    /// The text encoding was recognised but could not be decoded cleanly.
    #[error(
        "the file is encoded as {encoding} and could not be decoded; save it again as \"CSV UTF-8\""
    )]
    Encoding { encoding: String },
    /// No data row has as many fields as there are columns: usually the wrong delimiter or a
    /// header that does not match the data.
    #[error(
        "no row matches the {n_columns} column(s) of the header (the first row has {first_width} field(s)); check that the header and the data use the same delimiter"
    )]
    AllRowsRagged {
        n_columns: usize,
        first_width: usize,
    },
    /// No column holds numbers, so there is nothing a network can learn from.
    #[error(
        "no column contains numbers (found {n_columns} text column(s): {names}); a model needs numeric columns"
    )]
    NoNumericColumn { n_columns: usize, names: String },
    /// After skipping unusable rows, fewer than two remain.
    #[error(
        "only {usable} usable row(s) for these columns ({skipped} skipped); at least 2 are needed to fit a curve"
    )]
    TooFewRows { usable: usize, skipped: usize },
    /// The target is the same number in every used row.
    #[error(
        "the target column `{name}` has the same value ({value}) in every used row, so there is nothing to learn"
    )]
    ConstantTarget { name: String, value: f64 },
    /// An input column is the same number in every used row.
    #[error(
        "the input column `{name}` has the same value ({value}) in every used row, so it cannot explain the target; choose another input"
    )]
    ConstantInput { name: String, value: f64 },
    /// A column was asked for by a name or number that does not exist.
    #[error("there is no column `{spec}`; the columns are: {available}")]
    UnknownColumn { spec: String, available: String },
    /// A text (or empty) column was chosen as an input or the target.
    #[error("the column `{name}` cannot be used as {role}: {reason}")]
    NotNumeric {
        name: String,
        role: &'static str,
        reason: String,
    },
    /// The same column was chosen twice.
    #[error(
        "the column `{name}` is chosen more than once; inputs and target must be different columns"
    )]
    RepeatedColumn { name: String },
    /// No input column was chosen.
    #[error("choose at least one input (x) column")]
    NoInputs,
    /// The caller cancelled the load.
    #[error("loading was cancelled")]
    Cancelled,
    /// The CSV reader itself failed (it should not for decoded text, but it is reported, not hidden).
    #[error("the file could not be read as CSV near line {line}: {message}")]
    Csv { line: u64, message: String },
    /// Values handed to `Dataset::new` do not have the shape the names describe.
    #[error("the data has the wrong shape: {0}")]
    Shape(String),
    /// A value handed to `Dataset::new` is NaN or infinite.
    #[error("the value in column `{column}`, row {row} is not a finite number")]
    NonFinite { column: String, row: usize },
    /// A built-in sample was asked for by a name that does not exist.
    #[error("there is no sample called `{name}`; the samples are: {available}")]
    UnknownSample { name: String, available: String },
    /// A typed formula gives no data.
    #[error(transparent)]
    Formula(#[from] crate::data::FormulaError),
}

/// "the file is 3,200 MB; loading it needs about 9.1 GB of memory and this computer has 5.2 GB
/// available; …". The need is rounded up and the memory available down, so that the two
/// numbers shown never look as if the file fitted.
fn too_large_message(file_bytes: u64, needed: u64, available: Option<u64>) -> String {
    let file = format!("{} MB", thousands(file_bytes.div_ceil(1_000_000)));
    let needed = memory_size(needed, true);
    let has = match available {
        Some(available) => format!(
            "this computer has {} available",
            memory_size(available, false)
        ),
        None => "this computer could not set that much aside".to_owned(),
    };
    format!(
        "the file is {file}; loading it needs about {needed} of memory and {has}; open a \
         smaller sample of its rows (or close other programs to free memory)"
    )
}

/// Bytes as "850 MB" or, from 1 GB, "9.1 GB" (decimal units, like file managers), rounded up
/// or down to the digit shown. Integer arithmetic, so that 9.1 GB is not shown as 9.2.
fn memory_size(bytes: u64, round_up: bool) -> String {
    let in_units = |unit: u64| {
        if round_up {
            bytes.div_ceil(unit)
        } else {
            bytes / unit
        }
    };
    if bytes >= 1_000_000_000 {
        let tenths_of_gb = in_units(100_000_000);
        format!("{}.{} GB", tenths_of_gb / 10, tenths_of_gb % 10)
    } else {
        format!("{} MB", thousands(in_units(1_000_000)))
    }
}

/// 3200 → "3,200".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

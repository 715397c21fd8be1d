//! `Table`: a CSV file read into typed columns (numbers as `f32`, the precision a dataset
//! trains in, never strings), with the physical line of every data row, and `Table::select`, which turns a choice of columns into
//! a `Dataset` plus a `RowReport`. Loading streams `csv::ByteRecord`s, reports progress and
//! can be cancelled; it does not spawn threads (see `background`) and knows nothing about UI.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use super::number::Decimal;
use super::report::{RowReport, SkipReason};
use super::sniff::{self, Detection};
use super::{DataError, Dataset};

mod columns;
mod file;
mod lines;
mod memory;
mod select;

use columns::ColumnBuilder;
pub use file::{load_csv_path, memory_needed_to_load};
use lines::{LineCounter, RowLines, estimated_rows};

/// Overrides for what the loader would otherwise detect. `Default` detects everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Force a delimiter byte (e.g. `b';'`).
    pub delimiter: Option<u8>,
    /// Force whether the first row holds column names.
    pub has_header: Option<bool>,
    /// Force the decimal separator.
    pub decimal: Option<Decimal>,
    /// Accept a file with a single data row: fitting needs two, predicting one.
    pub allow_one_row: bool,
}

/// A column chosen by the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnRef {
    /// 0-based position.
    Index(usize),
    /// A header name; resolved like [`Table::resolve_column`], so a number that is not a
    /// header name falls back to a 0-based index (as on the command line).
    Name(String),
}

impl From<&str> for ColumnRef {
    fn from(spec: &str) -> Self {
        ColumnRef::Name(spec.to_owned())
    }
}

impl From<usize> for ColumnRef {
    fn from(index: usize) -> Self {
        ColumnRef::Index(index)
    }
}

/// What a column holds, decided from all its cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Most filled cells are numbers; stray text cells are reported and their rows skipped.
    Numeric,
    /// Most filled cells are text: listed, but not selectable.
    Text,
    /// Every cell is missing.
    Empty,
}

/// What was found in one column, for listing and for explaining why it cannot be chosen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ColumnInfo {
    /// The (unique) column name.
    pub name: String,
    /// Numeric, text or empty.
    pub kind: ColumnKind,
    /// Missing cells (empty, `NA`, `#N/A`…), in rows with the right number of fields.
    pub missing: usize,
    /// Cells that are numbers (finite or not).
    pub numbers: usize,
    /// Cells that are numbers but not finite, or beyond what `f32` holds (`inf`, `1e39`).
    pub non_finite: usize,
    /// Cells that are text.
    pub text_cells: usize,
    /// Smallest usable value (numeric columns).
    pub min: Option<f64>,
    /// Largest usable value (numeric columns).
    pub max: Option<f64>,
    /// The first text cell and its physical line, to quote in messages.
    pub first_text: Option<(usize, String)>,
}

impl ColumnInfo {
    /// Whether the column can be chosen as an input or target.
    pub fn is_numeric(&self) -> bool {
        self.kind == ColumnKind::Numeric
    }

    /// Why the column cannot be chosen, or `None` when it can.
    pub fn unusable_reason(&self) -> Option<String> {
        match self.kind {
            ColumnKind::Numeric => None,
            ColumnKind::Empty => Some("every cell is empty or missing".to_owned()),
            ColumnKind::Text => {
                let example = match &self.first_text {
                    Some((line, text)) => format!(" (e.g. {text:?} on line {line})"),
                    None => String::new(),
                };
                Some(format!(
                    "it holds text, not numbers: {} of {} filled cells are text{example}",
                    self.text_cells,
                    self.text_cells + self.numbers
                ))
            }
        }
    }
}

/// Longest cell text quoted in messages.
const MAX_QUOTED_CHARS: usize = 40;
/// Records between two progress reports / cancel checks.
const PROGRESS_EVERY: usize = 16 * 1024;

/// A CSV file read into typed columns.
#[derive(Clone, Debug)]
pub struct Table {
    name: String,
    detection: Detection,
    columns: Vec<ColumnInfo>,
    /// Per column, one value per complete data row (ragged rows have none, so that a wide
    /// header over many short rows cannot multiply the file's size in memory): NaN for
    /// missing and text cells, ±inf for non-finite numbers and numbers beyond `f32`. Empty for
    /// text columns (they are never read again).
    values: Vec<Vec<f32>>,
    /// Per column, the data rows whose cell is text (to tell "not a number" from "missing").
    text_rows: Vec<Vec<usize>>,
    /// Physical 1-based line of each data row.
    row_lines: RowLines,
    /// Data rows with the wrong number of fields, ascending.
    ragged_rows: Vec<usize>,
    warnings: Vec<String>,
}

/// Reads CSV content already in memory; `name` titles the resulting datasets.
pub fn load_csv_bytes(
    bytes: &[u8],
    name: &str,
    options: &LoadOptions,
    progress: &dyn Fn(f32),
    cancel: &AtomicBool,
) -> Result<Table, DataError> {
    load_impl(
        Cow::Borrowed(bytes),
        name.to_owned(),
        options,
        progress,
        cancel,
    )
}

/// Shortens a cell for quoting in a message.
fn quote_cell(text: &str) -> String {
    if text.chars().count() <= MAX_QUOTED_CHARS {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(MAX_QUOTED_CHARS).collect();
        short.push('…');
        short
    }
}

/// "4, 9, 12" followed by ", …" when there are more.
fn format_lines(lines: impl Iterator<Item = usize>, total: usize) -> String {
    let shown: Vec<String> = lines.take(10).map(|l| l.to_string()).collect();
    let more = if total > shown.len() { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

fn load_impl(
    bytes: Cow<'_, [u8]>,
    name: String,
    options: &LoadOptions,
    progress: &dyn Fn(f32),
    cancel: &AtomicBool,
) -> Result<Table, DataError> {
    let decoded = sniff::decode(bytes)?;
    let text: &[u8] = &decoded.text;
    let mut warnings = decoded.warnings.clone();
    let lone_cr = decoded.lone_cr;

    let prefix = sniff::sniff_prefix(text);
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| sniff::sniff_delimiter(prefix));
    let sample = sniff::sample_records(prefix, delimiter);
    if sample.is_empty() {
        return Err(DataError::Empty);
    }
    let decimal = options
        .decimal
        .unwrap_or_else(|| sniff::sniff_decimal(&sample, delimiter));
    let has_header = options
        .has_header
        .unwrap_or_else(|| sniff::looks_like_header(&sample[0], decimal));
    let (modal_width, _) =
        sniff::modal_field_count(&sample[usize::from(has_header).min(sample.len() - 1)..]);

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text);
    let mut record = csv::ByteRecord::new();

    // The header (or, without one, the width of the data decides the number of columns).
    let mut names: Vec<String> = Vec::new();
    let mut n_columns = modal_width.max(1);
    let mut header_line = String::new();
    if has_header {
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) if record.iter().all(|f| f.trim_ascii().is_empty()) => continue,
                Ok(true) => break,
                Ok(false) => return Err(DataError::Empty),
                Err(e) => return Err(csv_error(&e)),
            }
        }
        names = record
            .iter()
            .map(|f| String::from_utf8_lossy(f.trim_ascii()).into_owned())
            .collect();
        // Trailing empty header cells with no data under them are an export artefact
        // (a delimiter at the end of every line); they are trimmed after reading, below.
        header_line = names.join(", ");
        // R's `write.table(..., sep = ",")` leaves the row-name column out of the header, so
        // every data row has one field more than the header: name that column, don't reject
        // every row as ragged.
        if names.len() >= 2 && modal_width == names.len() + 1 {
            names.insert(0, String::new());
            warnings.push(
                "the header has one name fewer than the data rows (as R writes row names); \
                 the first column is treated as unnamed"
                    .to_owned(),
            );
        }
        n_columns = names.len();
    } else {
        warnings.push(format!(
            "no header row found (the first row holds numbers); the columns are named \
             `column 1` … `column {n_columns}`"
        ));
    }

    let estimated_rows = estimated_rows(text, prefix, lone_cr);
    // A complete row holds a delimiter or line end per column, so no more than
    // `len / n_columns + 1` of them fit in the text: a wide header must not reserve
    // columns × lines values.
    let column_capacity = estimated_rows.min(text.len() / n_columns + 1);
    let mut columns: Vec<ColumnBuilder> = (0..n_columns)
        .map(|_| ColumnBuilder::with_capacity(column_capacity))
        .collect();
    let mut row_lines = RowLines::default();
    let mut ragged_rows: Vec<usize> = Vec::new();
    let mut first_ragged_width = 0usize;
    let mut n_blank = 0usize;
    let total_bytes = text.len().max(1) as f32;
    let mut lines = LineCounter::new(text, lone_cr);

    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(&e)),
        }
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            // Blank lines and `,,,,` rows left at the bottom of spreadsheet exports.
            n_blank += 1;
            continue;
        }
        let row = row_lines.len();
        if row.is_multiple_of(PROGRESS_EVERY) && row > 0 {
            if cancel.load(Ordering::Relaxed) {
                return Err(DataError::Cancelled);
            }
            progress(reader.position().byte() as f32 / total_bytes);
        }
        let line = lines.line_of(&record);
        row_lines.push(line);
        // Extra fields that are all empty (a trailing delimiter) do not make a row ragged.
        let width = record.len();
        let is_ragged = width < n_columns
            || (width > n_columns
                && record
                    .iter()
                    .skip(n_columns)
                    .any(|f| !f.trim_ascii().is_empty()));
        if is_ragged {
            if ragged_rows.is_empty() {
                first_ragged_width = width;
            }
            // No value is stored for a ragged row: a short row under a wide header would
            // otherwise cost one value per column.
            ragged_rows.push(row);
            continue;
        }
        for (column, field) in columns.iter_mut().zip(record.iter()) {
            let cell = std::str::from_utf8(field.trim_ascii()).unwrap_or("\u{FFFD}");
            column.push_cell(cell, decimal, row, line);
        }
    }
    progress(1.0);
    let n_rows = row_lines.len();
    if n_rows == 0 {
        return Err(if has_header {
            DataError::HeaderOnly {
                header: quote_cell(&header_line),
            }
        } else {
            DataError::Empty
        });
    }

    // Trailing columns with no name and no value anywhere are the trace of a delimiter at the
    // end of every line (a common spreadsheet export): drop them rather than list them.
    while columns.len() > 1
        && columns.last().is_some_and(ColumnBuilder::is_empty)
        && names.last().is_none_or(|n| n.is_empty())
    {
        columns.pop();
        names.pop();
    }
    // Column names: given, or `column N`; empty and repeated names made unique.
    if !has_header {
        names = (1..=columns.len()).map(|i| format!("column {i}")).collect();
    } else {
        names = unique_names(names, &mut warnings);
    }

    let mut infos = Vec::with_capacity(columns.len());
    let mut values = Vec::with_capacity(columns.len());
    let mut text_rows = Vec::with_capacity(columns.len());
    for (column, name) in columns.into_iter().zip(names) {
        let (info, column_values, column_text_rows) =
            column.finish(name, &row_lines, &mut warnings);
        infos.push(info);
        values.push(column_values);
        text_rows.push(column_text_rows);
    }
    row_lines.shrink_to_fit();

    if !ragged_rows.is_empty() {
        warnings.push(format!(
            "{} row(s) have a different number of fields than the {} columns, on line(s) {}; \
             they are skipped",
            ragged_rows.len(),
            infos.len(),
            format_lines(
                ragged_rows.iter().map(|&r| row_lines.get(r)),
                ragged_rows.len()
            )
        ));
    }
    if n_blank > 0 {
        warnings.push(format!("{n_blank} empty row(s) were ignored"));
    }
    if ragged_rows.len() == n_rows {
        return Err(DataError::AllRowsRagged {
            n_columns: infos.len(),
            first_width: first_ragged_width,
        });
    }
    if !infos.iter().any(ColumnInfo::is_numeric) {
        let names: Vec<&str> = infos.iter().take(10).map(|c| c.name.as_str()).collect();
        return Err(DataError::NoNumericColumn {
            n_columns: infos.len(),
            names: names.join(", "),
        });
    }
    if n_rows < 2 && !(options.allow_one_row && n_rows == 1) {
        return Err(DataError::TooFewDataRows { rows: n_rows });
    }

    let detection = Detection {
        encoding: decoded.encoding.clone(),
        delimiter,
        decimal,
        has_header,
        line_endings: decoded.line_endings.to_owned(),
        data_rows: n_rows,
    };
    Ok(Table {
        name,
        detection,
        columns: infos,
        values,
        text_rows,
        row_lines,
        ragged_rows,
        warnings,
    })
}

fn csv_error(e: &csv::Error) -> DataError {
    DataError::Csv {
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    }
}

/// Empty names become `column N`; a repeated name gets ` (2)`, ` (3)`…; each change is a warning.
///
/// Linear in the number of names: a header that repeats one name thousands of times must
/// not take minutes (each repeat used to search every earlier name for every suffix).
fn unique_names(names: Vec<String>, warnings: &mut Vec<String>) -> Vec<String> {
    let mut unique: Vec<String> = Vec::with_capacity(names.len());
    let mut taken: HashSet<String> = HashSet::with_capacity(names.len());
    // Per repeated name, the suffix to try next: names are only ever added, so every smaller
    // suffix is still taken, and the first free one is the same as counting up from 2.
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    for (i, name) in names.into_iter().enumerate() {
        let base = if name.is_empty() {
            let generated = format!("column {}", i + 1);
            warnings.push(format!(
                "column {} has no name in the header; it is called `{generated}`",
                i + 1
            ));
            generated
        } else {
            name
        };
        let mut candidate = base.clone();
        if taken.contains(&candidate) {
            let k = next_suffix.entry(base.clone()).or_insert(2);
            loop {
                candidate = format!("{base} ({k})");
                *k += 1;
                if !taken.contains(&candidate) {
                    break;
                }
            }
            warnings.push(format!(
                "the header names `{base}` more than once; column {} is called `{candidate}`",
                i + 1
            ));
        }
        taken.insert(candidate.clone());
        unique.push(candidate);
    }
    unique
}

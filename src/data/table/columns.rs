//! One column while the file is read, and what it keeps once read.
//!
//! Numbers are kept as `f32`: a dataset trains in `f32`, so a wider number would be narrowed
//! when its column is chosen anyway, and a file of short numbers (`12,345,7`: three bytes a
//! value) would otherwise take nearly three times its size in memory for its values alone.
//! Numbers beyond `f32`'s range are counted with the infinite ones, which no row may use.

use super::lines::RowLines;
use super::{ColumnInfo, ColumnKind, format_lines, quote_cell};
use crate::data::number::{Decimal, is_missing, parse_number};

pub(super) struct ColumnBuilder {
    /// One value per complete (not ragged) data row.
    values: Vec<f32>,
    missing: usize,
    numbers: usize,
    non_finite: usize,
    /// Rows (0-based data-row indices) whose cell is text, ascending.
    text_rows: Vec<usize>,
    first_text: Option<(usize, String)>,
    min: f64,
    max: f64,
}

impl ColumnBuilder {
    pub(super) fn with_capacity(rows: usize) -> Self {
        Self {
            values: Vec::with_capacity(rows),
            missing: 0,
            numbers: 0,
            non_finite: 0,
            text_rows: Vec::new(),
            first_text: None,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Adds the (trimmed) cell of data row `row`, on physical line `line`.
    pub(super) fn push_cell(&mut self, cell: &str, decimal: Decimal, row: usize, line: usize) {
        if is_missing(cell) {
            self.missing += 1;
            self.values.push(f32::NAN);
        } else if let Some(number) = parse_number(cell, decimal) {
            self.numbers += 1;
            let value = number as f32;
            if value.is_finite() {
                self.min = self.min.min(number);
                self.max = self.max.max(number);
            } else {
                self.non_finite += 1;
            }
            self.values.push(value);
        } else {
            self.text_rows.push(row);
            if self.first_text.is_none() {
                self.first_text = Some((line, quote_cell(cell)));
            }
            self.values.push(f32::NAN);
        }
    }

    /// No number and no text anywhere: the trace of a trailing delimiter when it is also last
    /// and unnamed.
    pub(super) fn is_empty(&self) -> bool {
        self.numbers == 0 && self.text_rows.is_empty()
    }

    /// What the table keeps of the column called `name`: its description, its values and its
    /// text rows (both empty unless the column is numeric), with warnings about its cells.
    pub(super) fn finish(
        mut self,
        name: String,
        row_lines: &RowLines,
        warnings: &mut Vec<String>,
    ) -> (ColumnInfo, Vec<f32>, Vec<usize>) {
        let n_text = self.text_rows.len();
        let kind = if self.numbers > 0 && self.numbers > n_text {
            ColumnKind::Numeric
        } else if self.is_empty() {
            ColumnKind::Empty
        } else {
            ColumnKind::Text
        };
        let has_range = kind == ColumnKind::Numeric && self.min <= self.max;
        if kind == ColumnKind::Numeric && n_text > 0 {
            let lines = self.text_rows.iter().map(|&row| row_lines.get(row));
            let example = self
                .first_text
                .as_ref()
                .map(|(_, text)| format!(" (first: {text:?})"))
                .unwrap_or_default();
            warnings.push(format!(
                "column `{name}` is numeric but {n_text} cell(s) are text{example} on line(s) {}; \
                 those rows are skipped when the column is used",
                format_lines(lines, n_text)
            ));
        }
        if kind == ColumnKind::Numeric && self.non_finite > 0 {
            warnings.push(format!(
                "column `{name}` has {} infinite or out-of-range value(s); those rows are skipped \
                 when the column is used",
                self.non_finite
            ));
        }
        if kind == ColumnKind::Numeric {
            self.values.shrink_to_fit();
        } else {
            // Text columns are only listed; their per-row storage is not needed.
            self.values = Vec::new();
            self.text_rows = Vec::new();
        }
        let info = ColumnInfo {
            name,
            kind,
            missing: self.missing,
            numbers: self.numbers,
            non_finite: self.non_finite,
            text_cells: n_text,
            min: has_range.then_some(self.min),
            max: has_range.then_some(self.max),
            first_text: self.first_text,
        };
        (info, self.values, self.text_rows)
    }
}

//! `RowReport`: which rows a choice of columns could not use and why, as plain data that the
//! app's status line, `nanograd inspect` and `nanograd train` all render the same way.

use serde::Serialize;

/// How many line numbers a report keeps: enough to find the problem in a spreadsheet, bounded
/// so that a file with a million bad rows does not produce a million-entry report.
pub const MAX_REPORTED_LINES: usize = 20;

/// Why rows were skipped; each skipped row is counted once, under the first reason found
/// (ragged first, then the chosen columns from left to right).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SkipReasons {
    /// A chosen cell was empty or a missing marker such as `NA`.
    pub missing: usize,
    /// A chosen cell held text in a numeric column.
    pub not_a_number: usize,
    /// A chosen cell was `inf`, or too large to store (e.g. `1e400`, or beyond f32's 3.4e38).
    pub non_finite: usize,
    /// The row had more or fewer fields than the header.
    pub ragged: usize,
}

/// The outcome of choosing columns: how many rows were used, how many skipped, and where.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RowReport {
    /// Rows that went into the dataset.
    pub used: usize,
    /// Rows left out.
    pub skipped: usize,
    /// The first [`MAX_REPORTED_LINES`] skipped rows, as 1-based physical line numbers of the
    /// file (the header is line 1; a row with a quoted newline is numbered by its first line).
    pub skipped_lines: Vec<usize>,
    /// The count per reason.
    pub reasons: SkipReasons,
}

impl RowReport {
    /// Records one skipped row.
    pub(crate) fn skip(&mut self, line: usize, reason: SkipReason) {
        self.skipped += 1;
        if self.skipped_lines.len() < MAX_REPORTED_LINES {
            self.skipped_lines.push(line);
        }
        match reason {
            SkipReason::Missing => self.reasons.missing += 1,
            SkipReason::NotANumber => self.reasons.not_a_number += 1,
            SkipReason::NonFinite => self.reasons.non_finite += 1,
            SkipReason::Ragged => self.reasons.ragged += 1,
        }
    }

    /// One line for a status bar, e.g.
    /// `used 98 rows; skipped 2 (1 missing value, 1 not a number) on lines 4, 7`.
    pub fn summary(&self) -> String {
        if self.skipped == 0 {
            return format!("used all {} rows", self.used);
        }
        let mut parts = Vec::new();
        let r = &self.reasons;
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if r.missing > 0 {
            parts.push(plural(r.missing, "missing value", "missing values"));
        }
        if r.not_a_number > 0 {
            parts.push(plural(r.not_a_number, "not a number", "not numbers"));
        }
        if r.non_finite > 0 {
            parts.push(plural(
                r.non_finite,
                "infinite or too large",
                "infinite or too large",
            ));
        }
        if r.ragged > 0 {
            parts.push(plural(
                r.ragged,
                "wrong number of fields",
                "wrong number of fields",
            ));
        }
        let lines: Vec<String> = self.skipped_lines.iter().map(|l| l.to_string()).collect();
        let more = if self.skipped > self.skipped_lines.len() {
            ", …"
        } else {
            ""
        };
        format!(
            "used {} rows; skipped {} ({}) on line{} {}{more}",
            self.used,
            self.skipped,
            parts.join(", "),
            if self.skipped == 1 { "" } else { "s" },
            lines.join(", ")
        )
    }
}

/// One reason for skipping a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SkipReason {
    Missing,
    NotANumber,
    NonFinite,
    Ragged,
}

//! Whether a CSV file will fit in memory, decided from its size and its first 64 KB before it
//! is read. On Linux an allocation larger than the free memory usually "succeeds" and the
//! out-of-memory killer ends the program later, so a failed allocation cannot be the guard:
//! a file that would not fit is refused up front, with numbers a teacher can act on.

use super::DataError;
use crate::data::sniff;

/// How much of the file is read to estimate what loading all of it takes.
pub(super) const START_BYTES: usize = sniff::SNIFF_BYTES;

/// Bytes a loaded table keeps per cell: an `f32`.
const CELL_BYTES: f64 = 4.0;
/// Bytes per cell of text while loading: the row index `text_rows` keeps (a `usize`).
const TEXT_CELL_BYTES: f64 = 8.0;
/// Bytes per cell of a dataset chosen from the table (an `f32`), which lives beside the table.
const DATASET_CELL_BYTES: f64 = 4.0;
/// Slack for what the estimate leaves out: the allocator's own overhead, a column vector that
/// outgrows its reservation once, rows a little shorter than those at the start.
const MARGIN: f64 = 1.15;
/// Memory a load takes whatever the file's size (read buffers, the sniffed sample, names).
const FIXED_BYTES: f64 = 16e6;

/// What the start of a file says about loading all of it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Estimate {
    /// Data rows (the header counted as one).
    pub rows: u64,
    /// Columns, the widest of the header and the usual row.
    pub columns: u64,
    /// Peak memory of loading the file and choosing its columns, in bytes.
    pub peak_bytes: u64,
}

/// Estimates the peak memory of loading a file of `file_bytes` bytes that starts with `start`
/// (its first [`START_BYTES`], or all of it), then choosing columns from the table.
///
/// The peak is the largest of three moments: decoding (the raw file and its UTF-8 copy, for
/// UTF-16 and Windows-1252 files), parsing (the text and the growing columns) and choosing
/// columns (the table and the `f32` dataset, after the text is freed).
pub(crate) fn estimate(start: &[u8], file_bytes: u64) -> Estimate {
    let (text, copies) = sniff::decode_start(start);
    let file = file_bytes as f64;
    // UTF-16 halves ASCII text, Windows-1252 grows accented letters: scale by the start.
    let text_bytes = if copies {
        file * text.len() as f64 / start.len().max(1) as f64
    } else {
        file
    };
    let whole_file = start.len() as u64 >= file_bytes;
    let rows = estimate_rows(&text, text_bytes, whole_file);
    let (columns, text_fraction) = columns_and_text_fraction(&text);

    // Only complete rows keep values, and each of their cells takes at least a delimiter or a
    // line end in the text: a wide header over short rows must not count columns × lines.
    let cells = (rows * columns).min(text_bytes + columns);
    // Row lines are kept only where a row is not on the line after the previous one: a file
    // with many such rows has as many blank or broken lines, which `rows` already counts.
    let table = cells * CELL_BYTES + cells * text_fraction * TEXT_CELL_BYTES;
    let dataset = cells * DATASET_CELL_BYTES;
    let decoding = if copies { file + text_bytes } else { 0.0 };
    let parsing = text_bytes + table;
    let choosing = table + dataset;
    let peak = decoding.max(parsing).max(choosing) * MARGIN + FIXED_BYTES;
    Estimate {
        rows: rows as u64,
        columns: columns as u64,
        peak_bytes: peak as u64,
    }
}

/// Lines in the whole text, from the average length of the complete lines at its start.
fn estimate_rows(start_text: &[u8], text_bytes: f64, whole_file: bool) -> f64 {
    let line_ends = sniff::count_line_ends(start_text, true);
    if whole_file {
        // The last line may have no line end.
        return (line_ends + 1) as f64;
    }
    let complete = sniff::sniff_prefix(start_text);
    let complete_ends = sniff::count_line_ends(complete, true).max(1);
    let bytes_per_line = (complete.len() as f64 / complete_ends as f64).max(1.0);
    (text_bytes / bytes_per_line).ceil() + 1.0
}

/// Columns the loader will make (the header's and the usual row's width, whichever is wider),
/// and the fraction of cells below the first row that are text, which cost a row index each
/// while loading.
fn columns_and_text_fraction(start_text: &[u8]) -> (f64, f64) {
    let complete = sniff::sniff_prefix(start_text);
    let delimiter = sniff::sniff_delimiter(complete);
    let records = sniff::sample_records(complete, delimiter);
    let (modal, _) = sniff::modal_field_count(&records);
    let first = records.first().map_or(0, Vec::len);
    let columns = modal.max(first).max(1);
    let decimal = sniff::sniff_decimal(&records, delimiter);
    let text_fraction = sniff::CellKinds::below_first_row(&records, decimal).texts();
    (columns as f64, text_fraction)
}

/// Memory the system can give without swapping, in bytes: Linux's `MemAvailable`. `None`
/// elsewhere, or when it cannot be read; the load then relies on a failed allocation.
pub(crate) fn available() -> Option<u64> {
    if cfg!(target_os = "linux") {
        let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
        parse_mem_available(&meminfo)
    } else {
        None
    }
}

/// The `MemAvailable:   5242880 kB` line of `/proc/meminfo`, in bytes.
fn parse_mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?;
    let kb: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    kb.checked_mul(1024)
}

/// Refuses a load whose estimated peak `needed` exceeds the memory `available` (when known).
pub(crate) fn check(file_bytes: u64, needed: u64, available: Option<u64>) -> Result<(), DataError> {
    match available {
        Some(available) if needed > available => Err(DataError::TooLarge {
            file_bytes,
            needed,
            available: Some(available),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GB: u64 = 1_000_000_000;

    #[test]
    fn a_load_that_fits_passes_and_one_that_does_not_is_refused_with_numbers() {
        assert!(check(3_200_000_000, 9 * GB, Some(10 * GB)).is_ok());
        assert!(
            check(3_200_000_000, 9 * GB, None).is_ok(),
            "unknown: not refused here"
        );
        let refused = check(3_200_000_000, 9_100_000_000, Some(5_200_000_000));
        let message = match refused {
            Err(e @ DataError::TooLarge { .. }) => e.to_string(),
            other => panic!("expected TooLarge, got {other:?}"),
        };
        assert_eq!(
            message,
            "the file is 3,200 MB; loading it needs about 9.1 GB of memory and this computer \
             has 5.2 GB available; open a smaller sample of its rows (or close other programs \
             to free memory)"
        );
    }

    #[test]
    fn the_message_rounds_so_that_need_and_memory_never_look_equal() {
        let message = DataError::TooLarge {
            file_bytes: 250_000_000,
            needed: 900_400_000,
            available: Some(900_000_000),
        }
        .to_string();
        assert!(
            message.contains("needs about 901 MB of memory and this computer has 900 MB"),
            "{message}"
        );
        let message = DataError::TooLarge {
            file_bytes: 1_500_000_000,
            needed: 5_210_000_000,
            available: Some(5_190_000_000),
        }
        .to_string();
        assert!(message.contains("about 5.3 GB"), "{message}");
        assert!(message.contains("has 5.1 GB available"), "{message}");
    }

    #[test]
    fn an_unknown_amount_of_memory_is_worded_without_a_number() {
        let message = DataError::TooLarge {
            file_bytes: 12_345_678_901,
            needed: 40 * GB,
            available: None,
        }
        .to_string();
        assert!(
            message.starts_with(
                "the file is 12,346 MB; loading it needs about 40.0 GB of memory and this \
                 computer could not set that much aside"
            ),
            "{message}"
        );
    }

    #[test]
    fn mem_available_is_read_from_meminfo_in_bytes() {
        let meminfo = "MemTotal:       24684092 kB\nMemFree:  100 kB\nMemAvailable:   5242880 kB\n";
        assert_eq!(parse_mem_available(meminfo), Some(5_242_880 * 1024));
        assert_eq!(parse_mem_available("MemTotal: 1 kB\n"), None);
        assert_eq!(parse_mem_available("MemAvailable: lots\n"), None);
    }

    /// A header and `line` repeated up to [`START_BYTES`]: the start of a long numeric file.
    fn numeric_start(line: &str) -> (Vec<u8>, usize) {
        let mut start = b"time,signal,response\n".to_vec();
        while start.len() + line.len() <= START_BYTES {
            start.extend_from_slice(line.as_bytes());
        }
        let len = start.len();
        (start, len)
    }

    #[test]
    fn rows_and_columns_are_estimated_from_the_start() {
        let (start, len) = numeric_start("1234.567890,-97.123456,149.012345\n");
        let file_bytes = 70_000_000;
        let estimate = estimate(&start, file_bytes);
        assert_eq!(estimate.columns, 3);
        let rows = file_bytes as f64 / 34.0;
        assert!(
            (estimate.rows as f64 - rows).abs() < rows * 0.01,
            "{estimate:?} for {rows} rows ({len} bytes sniffed)"
        );
        // Parsing holds the text and 12 bytes a row (three `f32`s); choosing, the table and
        // another 12 bytes a row, less than the 34-byte rows of text.
        let parsing = file_bytes as f64 + estimate.rows as f64 * 12.0;
        let peak = estimate.peak_bytes as f64;
        assert!(peak >= parsing * MARGIN, "{estimate:?}");
        assert!(peak < parsing * MARGIN + FIXED_BYTES + 1.0, "{estimate:?}");
    }

    #[test]
    fn lone_cr_lines_are_counted_like_lf_lines() {
        let (lf, _) = numeric_start("1.5,2.5,3.5\n");
        let cr: Vec<u8> = lf
            .iter()
            .map(|&b| if b == b'\n' { b'\r' } else { b })
            .collect();
        assert_eq!(estimate(&lf, 10_000_000), estimate(&cr, 10_000_000));
    }

    #[test]
    fn utf16_counts_the_utf8_copy_and_half_the_rows_per_byte() {
        let (utf8, _) = numeric_start("1.5,2.5,3.5\n");
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(utf8.iter().flat_map(|&b| [b, 0]));
        utf16.truncate(START_BYTES);
        let file_bytes = 100_000_000;
        let as_utf16 = estimate(&utf16, file_bytes);
        let as_utf8 = estimate(&utf8, file_bytes / 2);
        let rows_ratio = as_utf16.rows as f64 / as_utf8.rows as f64;
        assert!(
            (rows_ratio - 1.0).abs() < 0.01,
            "{as_utf16:?} vs {as_utf8:?}"
        );
        // Decoding holds the raw file and the UTF-8 copy at once.
        assert!(as_utf16.peak_bytes as f64 >= (file_bytes as f64 * 1.5) * MARGIN);
    }

    #[test]
    fn short_rows_under_a_wide_header_count_no_more_cells_than_bytes() {
        let mut csv = format!("x,y{}\n", ",".repeat(16_000));
        csv.push_str(&"7\n".repeat(16_000));
        let estimate = estimate(csv.as_bytes(), csv.len() as u64);
        assert_eq!(estimate.columns, 16_002);
        assert!(estimate.peak_bytes < 100_000_000, "{estimate:?}");
    }

    #[test]
    fn a_small_file_is_counted_exactly() {
        let estimate = estimate(b"x,y\n1,2\n3,4", 11);
        assert_eq!((estimate.rows, estimate.columns), (3, 2));
    }
}

//! Peak memory of loading a large numeric CSV and choosing its columns. A file of its own, with
//! a single test, so that the process's peak resident size (`VmHWM`) is this load's alone.
//! Linux only: elsewhere there is no `VmHWM` to read.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use nanograd::data::{ColumnRef, LoadOptions, load_csv_path, memory_needed_to_load};

/// ~40 MB: large enough that the process's own few megabytes do not blur the ratio.
const N_ROWS: usize = 4_500_000;

/// The file, removed when the test ends, even by a failed assertion.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Short integers such as `12,345,7`, lines ended by a lone `\r` as classic Mac programs write
/// them: the hardest numeric file, 9 bytes a row for 12 bytes of table and 12 of dataset, so
/// loading peaks near 2.7× the file. Values kept as `f64` (5×) or a second copy of the text (as
/// the line-ending normalisation used to make, 3.7×) break the 3× bound.
fn write_csv(path: &Path) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    write!(out, "a,b,target\r")?;
    for i in 0..N_ROWS {
        write!(out, "{},{},{}\r", i * 37 % 100, i * 7919 % 1000, i % 10)?;
    }
    out.flush()
}

/// A field of `/proc/self/status` in kB (`VmRSS:`, `VmHWM:`).
fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let value = status.lines().find_map(|l| l.strip_prefix(field))?;
    value.trim().trim_end_matches("kB").trim().parse().ok()
}

#[test]
fn loading_and_choosing_columns_peaks_within_three_times_the_file() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let file = TempFile(
        std::env::temp_dir().join(format!("nanograd-data-memory-{}.csv", std::process::id())),
    );
    write_csv(&file.0).expect("writes the CSV");
    let size = std::fs::metadata(&file.0).expect("metadata").len();
    let estimate = memory_needed_to_load(&file.0).expect("estimates");

    // Reset the peak to the current size (Linux ≥ 4.0); where that fails, the peak so far
    // counts against the load, which can only make the test stricter.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before_kb = status_kb("VmRSS:").expect("VmRSS");
    let table = load_csv_path(
        &file.0,
        &LoadOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("loads");
    let x = ["a", "b"].map(ColumnRef::from);
    let (dataset, report) = table
        .select(&x, &ColumnRef::from("target"))
        .expect("selects");
    let peak_kb = status_kb("VmHWM:").expect("VmHWM");

    assert_eq!(table.detected().line_endings, "CR");
    assert_eq!((dataset.n_rows(), report.skipped), (N_ROWS, 0));
    assert_eq!(table.row_lines().nth(N_ROWS - 1), Some(N_ROWS + 1));
    // Row 3 is `11,757,3`.
    assert_eq!(
        (dataset.x[6], dataset.x[7], dataset.y[3]),
        (11.0, 757.0, 3.0)
    );
    let growth = peak_kb.saturating_sub(before_kb) * 1024;
    let ratio = growth as f64 / size as f64;
    eprintln!(
        "file {:.1} MB, peak +{:.1} MB ({ratio:.2}× the file), estimate {:.1} MB",
        size as f64 / 1e6,
        growth as f64 / 1e6,
        estimate as f64 / 1e6
    );
    assert!(
        growth <= 3 * size,
        "loading and choosing took {ratio:.2}× the file's size"
    );
    assert!(
        estimate >= growth,
        "the refusal estimate ({estimate} bytes) is below the measured peak ({growth} bytes)"
    );
}

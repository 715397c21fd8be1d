//! Reading a CSV file from disk: read whole with progress and cancelling, and handed to the
//! parser.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{DataError, LoadOptions, Table, load_impl};

/// Reads a CSV file from disk. `progress` receives fractions in 0..=1 (reading is the first
/// 10 %, parsing the rest); setting `cancel` stops the load with [`DataError::Cancelled`].
pub fn load_csv_path(
    path: &Path,
    options: &LoadOptions,
    progress: &dyn Fn(f32),
    cancel: &AtomicBool,
) -> Result<Table, DataError> {
    let mut file = std::fs::File::open(path).map_err(io_error(path))?;
    let expected = file.metadata().map_or(0, |m| m.len() as usize);
    let mut bytes = Vec::new();
    // A file larger than free memory must be refused, not abort the process.
    bytes
        .try_reserve_exact(expected.saturating_add(1))
        .map_err(|_| DataError::TooLarge {
            megabytes: expected / 1_000_000,
        })?;
    read_rest(path, &mut file, &mut bytes, expected, progress, cancel)?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".to_owned());
    // Handing the bytes over lets decoding convert them in place or free them early.
    load_impl(
        Cow::Owned(bytes),
        name,
        options,
        &|f| progress(0.1 + 0.9 * f),
        cancel,
    )
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> DataError + '_ {
    move |source| DataError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Reads the rest of the file into `bytes` (reserved for all of it, so not reallocated),
/// reporting progress and stopping when cancelled.
fn read_rest(
    path: &Path,
    file: &mut std::fs::File,
    bytes: &mut Vec<u8>,
    expected: usize,
    progress: &dyn Fn(f32),
    cancel: &AtomicBool,
) -> Result<(), DataError> {
    const CHUNK: u64 = 4 << 20;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(DataError::Cancelled);
        }
        let n = file
            .by_ref()
            .take(CHUNK)
            .read_to_end(bytes)
            .map_err(io_error(path))?;
        if n == 0 {
            return Ok(());
        }
        if expected > 0 {
            progress(0.1 * (bytes.len() as f32 / expected as f32).min(1.0));
        }
    }
}

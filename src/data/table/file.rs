//! Reading a CSV file from disk: refused before it is read when it would not fit in memory
//! (see `memory`), then read whole with progress and cancelling, and handed to the parser.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{DataError, LoadOptions, Table, load_impl, memory};
use crate::data::sniff;

/// Reads a CSV file from disk. `progress` receives fractions in 0..=1 (reading is the first
/// 10 %, parsing the rest); setting `cancel` stops the load with [`DataError::Cancelled`].
///
/// A file that would not fit in the memory available is refused with
/// [`DataError::TooLarge`] before it is read (see [`memory_needed_to_load`]).
pub fn load_csv_path(
    path: &Path,
    options: &LoadOptions,
    progress: &dyn Fn(f32),
    cancel: &AtomicBool,
) -> Result<Table, DataError> {
    load_path_within(path, options, progress, cancel, memory::available())
}

/// The estimated peak memory, in bytes, of loading the file at `path` and choosing columns
/// from it, judged from its size and its first 64 KB: what [`load_csv_path`] compares with
/// the memory available.
pub fn memory_needed_to_load(path: &Path) -> Result<u64, DataError> {
    let (_, file_bytes, start) = open_and_read_start(path)?;
    Ok(memory::estimate(&start, file_bytes).peak_bytes)
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> DataError + '_ {
    move |source| DataError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Opens the file and reads its first [`memory::START_BYTES`] (all of it when shorter).
fn open_and_read_start(path: &Path) -> Result<(std::fs::File, u64, Vec<u8>), DataError> {
    let mut file = std::fs::File::open(path).map_err(io_error(path))?;
    let file_bytes = file.metadata().map_or(0, |m| m.len());
    let mut start = Vec::with_capacity(memory::START_BYTES);
    (&mut file)
        .take(memory::START_BYTES as u64)
        .read_to_end(&mut start)
        .map_err(io_error(path))?;
    Ok((file, file_bytes, start))
}

/// [`load_csv_path`] with the memory `available` given (`None`: unknown), so that a test can
/// refuse a real file without filling the memory.
fn load_path_within(
    path: &Path,
    options: &LoadOptions,
    progress: &dyn Fn(f32),
    cancel: &AtomicBool,
    available: Option<u64>,
) -> Result<Table, DataError> {
    let (mut file, file_bytes, mut bytes) = open_and_read_start(path)?;
    sniff::refuse_known_binary(&bytes)?;
    let needed = memory::estimate(&bytes, file_bytes).peak_bytes;
    if let Err(refusal) = memory::check(file_bytes, needed, available) {
        // A large file that is not text at all (a video, a disk image) is named for that.
        sniff::refuse_binary_start(&bytes)?;
        return Err(refusal);
    }
    // Where the memory available is unknown, a failed reservation is the only guard left
    // (and on Linux even that rarely fails: an allocation larger than the memory succeeds).
    let too_large = || DataError::TooLarge {
        file_bytes,
        needed,
        available,
    };
    let expected = usize::try_from(file_bytes).map_err(|_| too_large())?;
    let missing = expected.saturating_add(1).saturating_sub(bytes.len());
    bytes.try_reserve_exact(missing).map_err(|_| too_large())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A CSV of `rows` rows in the temp directory, removed when dropped.
    struct TempCsv(std::path::PathBuf);

    impl TempCsv {
        fn numeric(name: &str, rows: usize) -> std::io::Result<Self> {
            let path = std::env::temp_dir()
                .join(format!("nanograd-memory-{name}-{}.csv", std::process::id()));
            let mut text = String::from("x,y\n");
            for i in 0..rows {
                text.push_str(&format!("{i}.25,{}.5\n", i * 3));
            }
            std::fs::write(&path, text)?;
            Ok(Self(path))
        }
    }

    impl Drop for TempCsv {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn load_within(path: &Path, available: Option<u64>) -> Result<Table, DataError> {
        load_path_within(
            path,
            &LoadOptions::default(),
            &|_| {},
            &AtomicBool::new(false),
            available,
        )
    }

    #[test]
    fn a_file_larger_than_the_memory_available_is_refused_before_it_is_read() {
        let csv = TempCsv::numeric("refused", 20_000).expect("writes the temp file");
        let needed = memory_needed_to_load(&csv.0).expect("estimates");
        let size = std::fs::metadata(&csv.0).expect("metadata").len();
        assert!(
            needed > size,
            "loading needs more than the file: {needed} vs {size}"
        );

        let refused = load_within(&csv.0, Some(needed - 1));
        match refused {
            Err(DataError::TooLarge {
                file_bytes,
                needed: said,
                available,
            }) => {
                assert_eq!(
                    (file_bytes, said, available),
                    (size, needed, Some(needed - 1))
                );
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
        let table = load_within(&csv.0, Some(needed)).expect("fits exactly");
        assert_eq!(table.n_rows(), 20_000);
        let table = load_within(&csv.0, None).expect("unknown memory: not refused");
        assert_eq!(table.n_rows(), 20_000);
    }

    #[test]
    fn a_large_binary_file_is_refused_as_binary_not_for_its_size() {
        let path =
            std::env::temp_dir().join(format!("nanograd-memory-binary-{}.csv", std::process::id()));
        let noise: Vec<u8> = (0..200_000u32).map(|i| (i * 7919 % 251) as u8).collect();
        std::fs::write(&path, &noise).expect("writes the temp file");
        let refused = load_within(&path, Some(1));
        let _ = std::fs::remove_file(&path);
        assert!(
            matches!(refused, Err(DataError::Binary { .. })),
            "{refused:?}"
        );
    }
}

//! Loading a file off the UI thread: a worker thread runs [`load_csv_path`], publishes its
//! progress through an atomic, calls a waker (e.g. `ctx.request_repaint()`) when there is news,
//! and can be cancelled. The UI polls; it never blocks on the load.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

use super::{DataError, LoadOptions, Table, load_csv_path};

/// A load running on its own thread.
pub struct BackgroundLoad {
    path: PathBuf,
    /// Progress 0..=1 as `f32` bits.
    progress: Arc<AtomicU32>,
    cancel: Arc<AtomicBool>,
    result: Receiver<Result<Table, DataError>>,
    started: Instant,
    is_finished: bool,
}

impl BackgroundLoad {
    /// Starts loading `path`. `waker` is called (from the worker) at most ~20 times a second
    /// while progress changes, and once when the result is ready.
    pub fn start(
        path: PathBuf,
        options: LoadOptions,
        waker: impl Fn() + Send + 'static,
    ) -> std::io::Result<Self> {
        let progress = Arc::new(AtomicU32::new(0f32.to_bits()));
        let cancel = Arc::new(AtomicBool::new(false));
        let (sender, result) = mpsc::channel();
        let worker_path = path.clone();
        let worker_progress = Arc::clone(&progress);
        let worker_cancel = Arc::clone(&cancel);
        std::thread::Builder::new()
            .name("csv-load".to_owned())
            .spawn(move || {
                let last_wake = std::cell::Cell::new(Instant::now());
                let report = |fraction: f32| {
                    worker_progress.store(fraction.to_bits(), Ordering::Relaxed);
                    if last_wake.get().elapsed() >= Duration::from_millis(50) {
                        last_wake.set(Instant::now());
                        waker();
                    }
                };
                let loaded = load_csv_path(&worker_path, &options, &report, &worker_cancel);
                // The receiver may be gone (the user opened another file): nothing to do then.
                let _ = sender.send(loaded);
                waker();
            })?;
        Ok(Self {
            path,
            progress,
            cancel,
            result,
            started: Instant::now(),
            is_finished: false,
        })
    }

    /// The file being loaded.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Progress in 0..=1.
    pub fn progress(&self) -> f32 {
        f32::from_bits(self.progress.load(Ordering::Relaxed))
    }

    /// Whether a progress bar is worth showing (the load has run for more than a second).
    pub fn is_slow(&self) -> bool {
        self.started.elapsed() >= Duration::from_secs(1)
    }

    /// Asks the worker to stop; the result will be [`DataError::Cancelled`].
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The result, once, when the worker is done; `None` while it runs and after the result
    /// has been taken.
    pub fn try_take(&mut self) -> Option<Result<Table, DataError>> {
        if self.is_finished {
            return None;
        }
        match self.result.try_recv() {
            Ok(result) => {
                self.is_finished = true;
                Some(result)
            }
            Err(TryRecvError::Empty) => None,
            // The worker panicked (a bug): report it rather than spin forever.
            Err(TryRecvError::Disconnected) => {
                self.is_finished = true;
                Some(Err(DataError::Csv {
                    line: 0,
                    message: "the loading thread stopped unexpectedly".to_owned(),
                }))
            }
        }
    }
}

impl Drop for BackgroundLoad {
    /// Dropping an unfinished load stops the worker instead of letting it parse for nothing.
    fn drop(&mut self) {
        self.cancel();
    }
}

//! What stops the monkey with a report: a panic on any thread, a hang, memory running away.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Resident memory at which the watchdog stops the test, before an allocation that runs away
/// takes the machine's memory (and the test with it, killed with nothing said): ten times what
/// the app needs at most.
pub(crate) const MAX_RESIDENT_MB: f64 = 3000.0;
/// How long one action may take before the watchdog calls it a hang.
pub(crate) const HANG: Duration = Duration::from_secs(120);
pub(crate) const LOG_TAIL: usize = 25;

/// Every panic on any thread (the worker, the loader, a check), so that one on a helper thread
/// fails the test too, instead of only printing.
pub(crate) static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn record_panics_on_every_thread() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_owned();
        lock(&PANICS).push(format!("thread {thread}: {info}"));
        default(info);
    }));
}

/// Resident memory of this process, in MB (Linux).
pub(crate) fn resident_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The actions done so far, for the report on failure.
pub(crate) struct Log {
    pub(crate) seed: u64,
    pub(crate) count: usize,
    pub(crate) tail: VecDeque<String>,
}

impl Log {
    pub(crate) fn report(&self) -> String {
        let mut text = format!(
            "monkey seed {} (replay with NANOGRAD_MONKEY_SEED={}); the last {} of {} actions:\n",
            self.seed,
            self.seed,
            self.tail.len(),
            self.count
        );
        let first = self.count - self.tail.len();
        for (index, action) in self.tail.iter().enumerate() {
            text.push_str(&format!("  #{}: {action}\n", first + index + 1));
        }
        text
    }
}

/// Prints the log when the test fails, whatever fails it.
pub(crate) struct ReportOnPanic(pub(crate) Arc<Mutex<Log>>);

impl Drop for ReportOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}", lock(&self.0).report());
        }
    }
}

/// Aborts with the log when one action takes longer than [`HANG`] (a hang would otherwise
/// block the test run with nothing said), or memory runs away past [`MAX_RESIDENT_MB`].
pub(crate) struct Watchdog {
    last_progress: Arc<AtomicU64>,
    is_done: Arc<AtomicBool>,
    start: Instant,
}

impl Watchdog {
    pub(crate) fn start(log: Arc<Mutex<Log>>) -> Self {
        let last_progress = Arc::new(AtomicU64::new(0));
        let is_done = Arc::new(AtomicBool::new(false));
        let start = Instant::now();
        let (progress, done) = (Arc::clone(&last_progress), Arc::clone(&is_done));
        std::thread::Builder::new()
            .name("monkey-watchdog".to_owned())
            .spawn(move || {
                while !done.load(Ordering::Acquire) {
                    std::thread::sleep(Duration::from_millis(100));
                    let since = start.elapsed().as_secs() - progress.load(Ordering::Acquire);
                    if since > HANG.as_secs() && !done.load(Ordering::Acquire) {
                        eprintln!("HANG: no progress for {since} s\n{}", lock(&log).report());
                        std::process::abort();
                    }
                    if let Some(resident) = resident_mb().filter(|&mb| mb > MAX_RESIDENT_MB) {
                        eprintln!(
                            "MEMORY: {resident:.0} MB resident, over {MAX_RESIDENT_MB} MB\n{}",
                            lock(&log).report()
                        );
                        std::process::abort();
                    }
                }
            })
            .expect("start the watchdog");
        Self {
            last_progress,
            is_done,
            start,
        }
    }

    pub(crate) fn progress(&self) {
        self.last_progress
            .store(self.start.elapsed().as_secs(), Ordering::Release);
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.is_done.store(true, Ordering::Release);
    }
}

//! `--threads N` for the engine: data parallelism. Each step's batch is cut into N contiguous
//! shards; the calling thread runs the first and N − 1 long-lived workers the others, each
//! on its own tape, against the same parameters. A shard's loss is its mean squared error
//! weighted by its share of the batch, so the shard gradients add up to the gradient of the
//! whole batch's mean, and one optimizer step follows.
//!
//! The step is tens of microseconds on the classroom sizes, so the hand-off cannot go
//! through a condition variable: a round trip through one (ask, wait, answer) measured
//! 38-46 µs on this machine, more than a whole `medium` step, against 0.2-1.6 µs spinning on
//! an atomic. So workers and caller spin on an atomic step counter while a step is on, and a
//! worker yields its core once it has waited a while, as it does between runs.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::thread::JoinHandle;

use crate::engine::{Gradients, Tape};
use crate::nn::{LossKind, Mlp};

/// What every shard reads.
pub struct SharedBatch {
    pub x: Vec<f32>,
    pub y: Vec<f32>,
    pub n_inputs: usize,
    /// The parameters: read by every shard during a step, written by the optimizer between.
    pub mlp: RwLock<Mlp>,
}

/// One shard's forward and backward: `gradients` = ∂(share · MSE over `rows`)/∂θ.
pub fn shard_gradients(
    batch: &SharedBatch,
    mlp: &Mlp,
    rows: Range<usize>,
    share: f32,
    tape: &mut Tape,
    gradients: &mut Gradients,
) {
    let d = batch.n_inputs;
    tape.clear();
    if rows.is_empty() {
        // More shards than rows: this one adds nothing (its mean would be 0/0).
        gradients.clear();
        return;
    }
    let x = tape.input(rows.len(), d, &batch.x[rows.start * d..rows.end * d]);
    let y = tape.input(rows.len(), 1, &batch.y[rows]);
    let prediction = mlp.forward(tape, x);
    let mut loss = LossKind::Mse.apply(tape, prediction, y);
    if share != 1.0 {
        loss = tape.mul_scalar(loss, share);
    }
    tape.backward_into(loss, gradients);
}

/// Shard `index` of `shards` over `rows`: contiguous, sizes differing by at most one.
pub fn shard_rows(rows: &Range<usize>, shards: usize, index: usize) -> Range<usize> {
    let (len, start) = (rows.len(), rows.start);
    start + len * index / shards..start + len * (index + 1) / shards
}

/// The step a worker is asked to do, published before the step counter moves.
struct Control {
    /// Bumped by the caller to start a step; a worker runs each value once.
    step: AtomicU64,
    /// Workers that finished the current step.
    finished: AtomicUsize,
    batch_start: AtomicUsize,
    batch_end: AtomicUsize,
    stop: AtomicBool,
    /// A worker panicked mid-step; the caller re-raises it instead of waiting forever.
    failed: AtomicBool,
}

/// Counts the worker's step as finished when dropped, also when unwinding from a panic.
struct FinishOnDrop<'a>(&'a Control);

impl Drop for FinishOnDrop<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.failed.store(true, Ordering::Release);
        }
        self.0.finished.fetch_add(1, Ordering::Release);
    }
}

struct Worker {
    gradients: Arc<Mutex<Gradients>>,
    thread: Option<JoinHandle<()>>,
}

/// The caller's side of the workers.
pub struct ShardPool {
    control: Arc<Control>,
    workers: Vec<Worker>,
}

/// Spins before a waiting worker starts yielding its core.
const SPINS_BEFORE_YIELD: u32 = 1 << 16;

impl ShardPool {
    /// Starts `threads - 1` workers (none for one thread).
    pub fn new(batch: &Arc<SharedBatch>, threads: usize) -> Self {
        let control = Arc::new(Control {
            step: AtomicU64::new(0),
            finished: AtomicUsize::new(0),
            batch_start: AtomicUsize::new(0),
            batch_end: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            failed: AtomicBool::new(false),
        });
        let shards = threads.max(1);
        let workers = (1..shards)
            .map(|index| {
                let gradients = Arc::new(Mutex::new(Gradients::new()));
                let (control, batch, out) = (
                    Arc::clone(&control),
                    Arc::clone(batch),
                    Arc::clone(&gradients),
                );
                let thread = std::thread::Builder::new()
                    .name(format!("bench-shard-{index}"))
                    .spawn(move || work(&control, &batch, &out, index, shards))
                    .ok();
                Worker { gradients, thread }
            })
            .collect();
        let mut pool = Self { control, workers };
        if pool.workers.iter().any(|w| w.thread.is_none()) {
            // The shards were cut for all of them: with one missing, run on this thread.
            pool.stop_workers();
            pool.workers.clear();
        }
        pool
    }

    /// Shards in all, the caller's included.
    pub fn shards(&self) -> usize {
        1 + self.workers.len()
    }

    fn stop_workers(&mut self) {
        self.control.stop.store(true, Ordering::Release);
        self.control.step.fetch_add(1, Ordering::Release);
        for worker in &mut self.workers {
            if let Some(thread) = worker.thread.take() {
                // A worker that panicked has nothing left to clean up.
                let _ = thread.join();
            }
        }
    }

    /// One step over `rows`: the caller's shard into `gradients`, the workers' added to it.
    pub fn gradients(
        &self,
        batch: &SharedBatch,
        rows: Range<usize>,
        tape: &mut Tape,
        gradients: &mut Gradients,
    ) {
        let shards = self.shards();
        let total = rows.len() as f32;
        let mine = shard_rows(&rows, shards, 0);
        if shards > 1 {
            self.control
                .batch_start
                .store(rows.start, Ordering::Relaxed);
            self.control.batch_end.store(rows.end, Ordering::Relaxed);
            self.control.finished.store(0, Ordering::Relaxed);
            self.control.step.fetch_add(1, Ordering::Release);
        }
        {
            let mlp = batch.mlp.read().unwrap_or_else(PoisonError::into_inner);
            let share = mine.len() as f32 / total;
            shard_gradients(batch, &mlp, mine, share, tape, gradients);
        }
        if shards == 1 {
            return;
        }
        wait_until(|| self.control.finished.load(Ordering::Acquire) >= shards - 1);
        assert!(
            !self.control.failed.load(Ordering::Acquire),
            "a bench worker thread panicked; its message is above"
        );
        for worker in &self.workers {
            let theirs = worker
                .gradients
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            gradients.add(&theirs);
        }
    }
}

impl Drop for ShardPool {
    fn drop(&mut self) {
        self.stop_workers();
    }
}

/// Spins until `done`, then gives the core away between checks once it has waited a while.
fn wait_until(done: impl Fn() -> bool) {
    let mut spins = 0u32;
    while !done() {
        spins = spins.saturating_add(1);
        if spins < SPINS_BEFORE_YIELD {
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }
}

fn work(
    control: &Control,
    batch: &SharedBatch,
    out: &Mutex<Gradients>,
    index: usize,
    shards: usize,
) {
    let mut tape = Tape::new();
    let mut seen = 0u64;
    loop {
        wait_until(|| control.step.load(Ordering::Acquire) != seen);
        seen = control.step.load(Ordering::Acquire);
        if control.stop.load(Ordering::Acquire) {
            return;
        }
        let rows =
            control.batch_start.load(Ordering::Relaxed)..control.batch_end.load(Ordering::Relaxed);
        let _finished = FinishOnDrop(control);
        let mine = shard_rows(&rows, shards, index);
        {
            let mlp = batch.mlp.read().unwrap_or_else(PoisonError::into_inner);
            let mut gradients = out.lock().unwrap_or_else(PoisonError::into_inner);
            let share = mine.len() as f32 / rows.len() as f32;
            shard_gradients(batch, &mlp, mine, share, &mut tape, &mut gradients);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shard_rows;

    #[test]
    fn shards_cover_the_batch_once_in_order() {
        for len in [0usize, 1, 2, 7, 100, 1000] {
            for shards in 1..=5 {
                let rows = 10..10 + len;
                let mut next = rows.start;
                for index in 0..shards {
                    let shard = shard_rows(&rows, shards, index);
                    assert_eq!(shard.start, next, "{len} rows, {shards} shards");
                    assert!(shard.len() + 1 >= len / shards && shard.len() <= len.div_ceil(shards));
                    next = shard.end;
                }
                assert_eq!(next, rows.end);
            }
        }
    }
}

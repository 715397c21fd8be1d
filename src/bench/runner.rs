//! The order of one benchmark run, shared by every trainer: initial full-data MSE, warm-up,
//! reset to the initial state, measured loop, final full-data MSE. A trainer plugs in through
//! [`BenchTrainer`]; the runner does not know whether it is the autograd engine or the
//! hand-written reference.

use std::time::Instant;

use super::args::RunOptions;
use super::protocol::BenchConfig;
use super::report::{BenchResult, RunMeasurements, timed_loop};

/// A trainer of one benchmark configuration, as the protocol drives it.
pub trait BenchTrainer {
    /// One optimizer step on mini-batch `batch_index` (rows `cfg.batch_rows(batch_index)`).
    fn step(&mut self, batch_index: usize);
    /// Back to the initial parameters and a fresh optimizer state (step count 0).
    fn reset(&mut self);
    /// MSE over the whole data set at the current parameters: f32 forward, f64 mean.
    fn full_mse(&mut self) -> f64;
}

/// Runs `trainer` through the protocol of `common.py`'s trainers and reports it.
/// `threads` is what the caller actually configured (the trainer owns its threads).
pub fn run_protocol(
    cfg: &BenchConfig,
    trainer: &mut impl BenchTrainer,
    options: &RunOptions,
    implementation: &str,
    variant: &str,
    threads: usize,
) -> BenchResult {
    let init_mse = trainer.full_mse();
    let warmup_steps = options.warmup.unwrap_or_else(|| cfg.default_warmup_steps());
    let warmup_start = Instant::now();
    for i in 0..warmup_steps {
        trainer.step((i % cfg.steps_per_epoch as u64) as usize);
    }
    let warmup_s = warmup_start.elapsed().as_secs_f64();
    trainer.reset();
    let (steps, seconds) = timed_loop(
        |batch_index| trainer.step(batch_index),
        cfg.steps_per_epoch,
        options.steps,
        options.seconds,
    );
    let final_mse = trainer.full_mse();
    BenchResult::new(
        cfg,
        implementation,
        variant,
        threads,
        RunMeasurements {
            steps,
            seconds,
            init_mse,
            final_mse,
            warmup_steps,
            warmup_s,
        },
    )
}

//! What one benchmark run reports and how its time is measured: the JSON line that the
//! reference trainers print (same field names, `impl` = "nanograd") and the measured loop of the
//! protocol. It does not know what a step does.

use std::time::Instant;

use serde::Serialize;

use super::protocol::{BenchConfig, DEFAULT_SECONDS, flops_per_step};

/// One run of one configuration, serialised as one JSON line with the reference's field names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchResult {
    /// Implementation name: "nanograd" for the engine (the references print "numpy", "torch").
    #[serde(rename = "impl")]
    pub implementation: String,
    /// What exactly ran, e.g. "engine" or "reference"; the references print e.g. "eager".
    pub variant: String,
    pub config: String,
    pub threads: usize,
    /// Measured optimizer steps (after warm-up).
    pub steps: u64,
    /// Wall time of the measured steps.
    pub seconds: f64,
    pub steps_per_s: f64,
    pub epochs_per_s: f64,
    /// MSE over the whole data set after the measured steps.
    pub final_mse: f64,
    /// MSE over the whole data set at the initial parameters.
    pub init_mse: f64,
    pub warmup_steps: u64,
    pub warmup_s: f64,
    pub flops_per_step: u64,
    pub gflops: f64,
    /// Crate version, in the place where the references print their library's version.
    pub nanograd: String,
}

/// The raw measurements of one run, from which [`BenchResult`] derives its rates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunMeasurements {
    pub steps: u64,
    pub seconds: f64,
    pub init_mse: f64,
    pub final_mse: f64,
    pub warmup_steps: u64,
    pub warmup_s: f64,
}

impl BenchResult {
    /// Derives rates the way the reference does: `steps/s`, `epochs/s = steps/s / steps_per_epoch`,
    /// `GFLOP/s = flops_per_step · steps / s / 1e9`.
    pub fn new(
        cfg: &BenchConfig,
        implementation: &str,
        variant: &str,
        threads: usize,
        measured: RunMeasurements,
    ) -> Self {
        let flops = flops_per_step(cfg);
        let steps_per_s = measured.steps as f64 / measured.seconds;
        Self {
            implementation: implementation.to_owned(),
            variant: variant.to_owned(),
            config: cfg.name.to_owned(),
            threads,
            steps: measured.steps,
            seconds: measured.seconds,
            steps_per_s,
            epochs_per_s: steps_per_s / cfg.steps_per_epoch as f64,
            final_mse: measured.final_mse,
            init_mse: measured.init_mse,
            warmup_steps: measured.warmup_steps,
            warmup_s: measured.warmup_s,
            flops_per_step: flops,
            gflops: flops as f64 * steps_per_s / 1e9,
            nanograd: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// The JSON line (without the newline). Non-finite numbers (a diverged MSE) become `null`,
    /// as serde_json writes them, rather than failing the run.
    pub fn to_json_line(&self) -> String {
        // Serialising a struct of strings and numbers into a String cannot fail.
        serde_json::to_string(self).expect("BenchResult serialises to JSON")
    }
}

/// Runs `step_fn(batch_index)` either exactly `steps` times or, when `steps` is `None`, until
/// `seconds` (default 5) have elapsed, cycling through `n_batches` mini-batches in order.
/// Returns `(steps_done, elapsed_s)`. Mirrors `common.timed_loop`: the clock is read once per
/// step in timed mode, and the step that crosses the deadline counts.
pub fn timed_loop(
    step_fn: impl FnMut(usize),
    n_batches: usize,
    steps: Option<u64>,
    seconds: Option<f64>,
) -> (u64, f64) {
    let start = Instant::now();
    timed_loop_with_clock(step_fn, n_batches, steps, seconds, || {
        start.elapsed().as_secs_f64()
    })
}

/// [`timed_loop`] with an injected clock (seconds since any fixed origin), for tests.
pub fn timed_loop_with_clock(
    mut step_fn: impl FnMut(usize),
    n_batches: usize,
    steps: Option<u64>,
    seconds: Option<f64>,
    mut now: impl FnMut() -> f64,
) -> (u64, f64) {
    assert!(n_batches > 0, "timed_loop needs at least one batch");
    let mut batch_index = 0;
    let advance = |batch_index: &mut usize| {
        *batch_index += 1;
        if *batch_index == n_batches {
            *batch_index = 0;
        }
    };
    let t0 = now();
    if let Some(steps) = steps {
        for _ in 0..steps {
            step_fn(batch_index);
            advance(&mut batch_index);
        }
        return (steps, now() - t0);
    }
    let deadline = t0 + seconds.unwrap_or(DEFAULT_SECONDS);
    let mut done = 0;
    loop {
        step_fn(batch_index);
        advance(&mut batch_index);
        done += 1;
        let t = now();
        if t >= deadline {
            return (done, t - t0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::protocol::BenchConfig;

    #[test]
    fn fixed_steps_cycle_through_batches_in_order() {
        let mut seen = Vec::new();
        let (steps, _) = timed_loop(|b| seen.push(b), 3, Some(7), Some(100.0));
        assert_eq!(steps, 7);
        assert_eq!(seen, [0, 1, 2, 0, 1, 2, 0]);
    }

    #[test]
    fn timed_mode_counts_the_step_that_crosses_the_deadline() {
        // A fake clock that advances 0.4 s per reading: t0 = 0, then 0.4, 0.8, 1.2 ≥ 1.0.
        let mut t = -0.4;
        let clock = || {
            t += 0.4;
            t
        };
        let mut seen = Vec::new();
        let (steps, elapsed) = timed_loop_with_clock(|b| seen.push(b), 2, None, Some(1.0), clock);
        assert_eq!(steps, 3);
        assert_eq!(seen, [0, 1, 0]);
        assert!((elapsed - 1.2).abs() < 1e-12);
    }

    #[test]
    fn result_serialises_with_reference_field_names() {
        let cfg = BenchConfig::by_name("medium").expect("medium exists");
        let measured = RunMeasurements {
            steps: 100,
            seconds: 2.0,
            init_mse: 0.5,
            final_mse: 0.1,
            warmup_steps: 20,
            warmup_s: 0.3,
        };
        let result = BenchResult::new(cfg, "nanograd", "engine", 1, measured);
        let json: serde_json::Value =
            serde_json::from_str(&result.to_json_line()).expect("valid JSON");
        assert_eq!(json["impl"], "nanograd");
        assert_eq!(json["config"], "medium");
        assert_eq!(json["steps_per_s"], 50.0);
        // medium has 10 batches per epoch.
        assert_eq!(json["epochs_per_s"], 5.0);
        assert_eq!(json["flops_per_step"], 2_534_400);
        assert!((json["gflops"].as_f64().expect("number") - 0.12672).abs() < 1e-12);
    }
}

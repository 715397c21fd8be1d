//! `nanograd bench`: the reference benchmark protocol, reproduced bit for bit so that nanograd's
//! steps per second can be set side by side with PyTorch and numpy on the same work.
//!
//! - [`protocol`]: the four configurations, SplitMix64, the data set, the initial weights and the
//!   golden-value checksums, ported exactly from the Python reference.
//! - [`args`]: the command line and its validation.
//! - [`runner`]: the order of a run (initial MSE, warm-up, reset, measured loop, final MSE) over
//!   any [`BenchTrainer`].
//! - [`report`]: the JSON line and the measured loop.
//! - [`engine_trainer`]: the autograd engine as a [`BenchTrainer`], and the `bench` subcommand.
//! - [`shards`]: `--threads`, the batch cut into shards trained on one thread each.
//! - [`reference`]: a hand-written, engine-free trainer of the same MLP, the oracle that the
//!   engine is tested against.
//!
//! Apart from the oracle, the protocol code owns no training: the engine plugs in by implementing
//! [`BenchTrainer`].
//!
//! ```
//! use nanograd::bench::{BenchConfig, ReferenceTrainer, RunOptions, run_protocol};
//!
//! let cfg = BenchConfig::by_name("tiny").expect("tiny is a protocol config");
//! let mut trainer = ReferenceTrainer::new(cfg);
//! let options = RunOptions { steps: Some(5), seconds: None, warmup: Some(2), threads: None };
//! let result = run_protocol(cfg, &mut trainer, &options, "nanograd", "reference", 1);
//! assert_eq!(result.steps, 5);
//! assert!(result.final_mse < result.init_mse);
//! ```

pub mod args;
pub mod engine_trainer;
pub mod protocol;
pub mod reference;
pub mod report;
pub mod runner;
pub mod shards;

pub use args::{BenchArgs, BenchError, RunOptions};
pub use engine_trainer::{EngineTrainer, run_cli, threads_worth_using};
pub use protocol::{
    BENCH_CONFIGS, BenchConfig, BenchOptimizer, Checksums, LayerParams, SplitMix64, checksums,
    flops_per_step, init_params, lattice_multipliers, make_dataset, n_params,
};
pub use reference::ReferenceTrainer;
pub use report::{BenchResult, RunMeasurements, timed_loop};
pub use runner::{BenchTrainer, run_protocol};

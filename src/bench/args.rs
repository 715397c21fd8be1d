//! The command line of `nanograd bench` and its validation: which configurations to run and the
//! budget of each run. It turns user input into checked values and knows nothing about training.

use thiserror::Error;

use super::protocol::{BENCH_CONFIGS, BenchConfig};

/// `nanograd bench --config NAME|all [--seconds S | --steps K] [--warmup W] [--threads N]`.
#[derive(Debug, Clone, PartialEq, clap::Args)]
pub struct BenchArgs {
    /// Configuration to run: tiny, small, medium, wide, or all (one JSON line each).
    #[arg(long, default_value = "all")]
    pub config: String,
    /// Time budget of the measured phase, after warm-up (default 5).
    #[arg(long)]
    pub seconds: Option<f64>,
    /// Exact number of measured optimizer steps (overrides --seconds).
    #[arg(long)]
    pub steps: Option<u64>,
    /// Warm-up steps; parameters and optimizer state are reset afterwards
    /// (default max(20, 2 × batches per epoch)).
    #[arg(long)]
    pub warmup: Option<u64>,
    /// Threads at most (default: 1). A configuration whose step is too small to pay for a
    /// hand-off between threads runs on fewer; the JSON line says how many it used.
    #[arg(long)]
    pub threads: Option<usize>,
}

/// A bench command line that cannot run.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum BenchError {
    #[error("unknown bench config {name:?}: expected one of {known} or all")]
    UnknownConfig { name: String, known: String },
    #[error("--seconds must be a positive number of seconds, got {0}")]
    InvalidSeconds(f64),
    #[error("--steps must be at least 1")]
    ZeroSteps,
    #[error("--threads must be at least 1")]
    ZeroThreads,
}

/// The checked budget of each run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunOptions {
    /// Exact measured steps; when set, `seconds` is ignored (as in the reference).
    pub steps: Option<u64>,
    /// Measured time budget; `None` means the protocol's default of 5 s.
    pub seconds: Option<f64>,
    /// Warm-up steps; `None` means the configuration's default.
    pub warmup: Option<u64>,
    /// Worker threads; `None` means the engine's default.
    pub threads: Option<usize>,
}

impl BenchArgs {
    /// The configurations `--config` names, in protocol order for `all`.
    pub fn selected_configs(&self) -> Result<Vec<&'static BenchConfig>, BenchError> {
        if self.config == "all" {
            return Ok(BENCH_CONFIGS.iter().collect());
        }
        BenchConfig::by_name(&self.config)
            .map(|cfg| vec![cfg])
            .ok_or_else(|| BenchError::UnknownConfig {
                name: self.config.clone(),
                known: BenchConfig::names().collect::<Vec<_>>().join(", "),
            })
    }

    /// The budget, checked: a positive finite `--seconds`, and `--steps`, `--threads` ≥ 1.
    pub fn run_options(&self) -> Result<RunOptions, BenchError> {
        if let Some(seconds) = self.seconds
            && !(seconds.is_finite() && seconds > 0.0)
        {
            return Err(BenchError::InvalidSeconds(seconds));
        }
        if self.steps == Some(0) {
            return Err(BenchError::ZeroSteps);
        }
        if self.threads == Some(0) {
            return Err(BenchError::ZeroThreads);
        }
        Ok(RunOptions {
            steps: self.steps,
            seconds: self.seconds,
            warmup: self.warmup,
            threads: self.threads,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        bench: BenchArgs,
    }

    fn parse(args: &[&str]) -> BenchArgs {
        let argv = std::iter::once("bench").chain(args.iter().copied());
        Cli::try_parse_from(argv).expect("valid command line").bench
    }

    #[test]
    fn defaults_to_all_configs_in_protocol_order() {
        let args = parse(&[]);
        let names: Vec<_> = args
            .selected_configs()
            .expect("all is valid")
            .iter()
            .map(|cfg| cfg.name)
            .collect();
        assert_eq!(names, ["tiny", "small", "medium", "wide"]);
        assert_eq!(
            args.run_options(),
            Ok(RunOptions {
                steps: None,
                seconds: None,
                warmup: None,
                threads: None
            })
        );
    }

    #[test]
    fn parses_every_flag() {
        let args = parse(&[
            "--config",
            "wide",
            "--steps",
            "200",
            "--warmup",
            "0",
            "--threads",
            "2",
        ]);
        assert_eq!(args.selected_configs().expect("wide")[0].name, "wide");
        let options = args.run_options().expect("valid");
        assert_eq!(options.steps, Some(200));
        assert_eq!(options.warmup, Some(0));
        assert_eq!(options.threads, Some(2));
    }

    #[test]
    fn rejects_unknown_config_and_bad_budgets() {
        let err = parse(&["--config", "huge"])
            .selected_configs()
            .expect_err("huge is unknown");
        assert!(err.to_string().contains("tiny, small, medium, wide"));
        for bad in ["0", "-1", "nan", "inf"] {
            // `=` keeps clap from reading "-1" as a flag.
            let flag = format!("--seconds={bad}");
            assert!(matches!(
                parse(&[&flag]).run_options(),
                Err(BenchError::InvalidSeconds(_))
            ));
        }
        assert_eq!(
            parse(&["--steps", "0"]).run_options(),
            Err(BenchError::ZeroSteps)
        );
        assert_eq!(
            parse(&["--threads", "0"]).run_options(),
            Err(BenchError::ZeroThreads)
        );
    }
}

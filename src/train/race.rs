//! Runs side by side: several configurations trained together, an epoch each in turn, from
//! identical initial weights and the same batch order wherever the architecture (and batch size)
//! allow, so the comparison is fair. A run that stops (its rules, or a divergence) stops alone.

use serde::Serialize;

use super::advice::{Advice, after_divergence};
use super::config::TrainConfig;
use super::stop::{RunMonitor, StopReason, StopRules};
use super::trainer::{TrainError, Trainer};
use crate::data::Dataset;

/// At most this many runs race: more lines than this cannot be told apart on a plot.
pub const MAX_RACE_RUNS: usize = 8;

/// How a run's start compares with the first run's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SharedStart {
    /// Same initial weights and the same batches in the same order.
    WeightsAndBatches,
    /// Same initial weights; other batch sizes make other batches.
    Weights,
    /// A different network: only the seed is shared.
    SeedOnly,
}

pub struct RaceRun {
    pub config: TrainConfig,
    pub trainer: Trainer,
    pub monitor: RunMonitor,
    /// The loss over every training row after each epoch, starting with epoch 0 (the initial
    /// weights).
    pub train_loss: Vec<f64>,
    /// The same on the validation rows, when there is a validation split.
    pub val_loss: Option<Vec<f64>>,
    pub stopped: Option<StopReason>,
    /// Said when the run diverged.
    pub advice: Option<Advice>,
    pub shared_start: SharedStart,
}

pub struct Race {
    pub runs: Vec<RaceRun>,
}

#[derive(Debug, thiserror::Error)]
pub enum RaceError {
    #[error("a race needs 1 to {MAX_RACE_RUNS} runs, got {0}")]
    RunCount(usize),
    #[error("run {run}: {source}")]
    Run { run: usize, source: TrainError },
}

impl Race {
    /// Builds every run from the same data; each config carries its own seed (give them all the
    /// same seed for a fair race).
    pub fn new(
        dataset: &Dataset,
        configs: &[TrainConfig],
        rules: StopRules,
    ) -> Result<Self, RaceError> {
        if configs.is_empty() || configs.len() > MAX_RACE_RUNS {
            return Err(RaceError::RunCount(configs.len()));
        }
        let first = &configs[0];
        let mut runs = Vec::with_capacity(configs.len());
        for (index, config) in configs.iter().enumerate() {
            let mut trainer = Trainer::new(dataset, config).map_err(|source| RaceError::Run {
                run: index + 1,
                source,
            })?;
            let (monitor, start) = RunMonitor::new(rules, &mut trainer);
            let monitor = monitor.measuring_every_epoch();
            runs.push(RaceRun {
                shared_start: shared_start(first, config, &trainer),
                config: config.clone(),
                train_loss: vec![start.train_loss],
                val_loss: start.validation_loss.map(|loss| vec![loss]),
                trainer,
                monitor,
                stopped: None,
                advice: None,
            });
        }
        Ok(Self { runs })
    }

    pub fn is_finished(&self) -> bool {
        self.runs.iter().all(|run| run.stopped.is_some())
    }

    /// One epoch for every run still going; returns whether any still is.
    pub fn advance_epoch(&mut self) -> bool {
        for run in self.runs.iter_mut().filter(|run| run.stopped.is_none()) {
            run.advance_epoch();
        }
        !self.is_finished()
    }

    /// Until every run has stopped; an infinite race needs an epoch limit or a target.
    pub fn run_to_end(&mut self) {
        while self.advance_epoch() {}
    }
}

impl RaceRun {
    fn advance_epoch(&mut self) {
        let mean_batch_loss = match self.trainer.run_epoch() {
            Ok(loss) => f64::from(loss),
            Err(error) => {
                if let TrainError::Diverged { restored_epoch, .. } = error {
                    self.advice = Some(after_divergence(self.config.optimizer, restored_epoch));
                }
                self.stopped = Some(StopReason::Diverged);
                return;
            }
        };
        let (losses, stop) = self
            .monitor
            .epoch_finished(&mut self.trainer, mean_batch_loss);
        self.train_loss.push(losses.train_loss);
        if let (Some(history), Some(loss)) = (&mut self.val_loss, losses.validation_loss) {
            history.push(loss);
        }
        self.stopped = stop;
    }
}

/// How a run built from `config` starts compared with one built from `first` on the same data.
pub fn shared_start(first: &TrainConfig, config: &TrainConfig, trainer: &Trainer) -> SharedStart {
    let same_network = first.hidden_sizes == config.hidden_sizes
        && first.activation == config.activation
        && first.seed == config.seed;
    if !same_network {
        SharedStart::SeedOnly
    } else if first.batch_size.min(trainer.train_set().n_rows())
        == config.batch_size.min(trainer.train_set().n_rows())
    {
        SharedStart::WeightsAndBatches
    } else {
        SharedStart::Weights
    }
}

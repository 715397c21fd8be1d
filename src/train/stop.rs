//! When a run ends by itself: an epoch limit, a target loss, or early stopping on the validation
//! loss, which puts back the weights of the best epoch. [`RunMonitor`] is told of every finished
//! epoch by whoever drives the [`Trainer`] (the CLI, the race, the app's worker), so every
//! caller stops by the same rules.

use serde::{Deserialize, Serialize};

use super::trainer::Trainer;
use crate::engine::Tensor;

/// Early stopping: stop when the validation loss has not improved by `min_delta` for `patience`
/// epochs, and go back to the weights of the best epoch.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EarlyStopping {
    pub patience: usize,
    /// An improvement smaller than this (standardised loss) does not count.
    pub min_delta: f64,
}

impl EarlyStopping {
    pub fn with_patience(patience: usize) -> Self {
        Self {
            patience,
            min_delta: 0.0,
        }
    }
}

/// Every rule that may end a run; none set means train until told to stop.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StopRules {
    pub max_epochs: Option<usize>,
    /// Stop once the loss over every training row is at or below this (standardised units).
    pub target_loss: Option<f64>,
    /// Needs a validation split; ignored without one.
    pub early_stopping: Option<EarlyStopping>,
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The epoch limit was reached.
    Epochs,
    TargetLoss,
    EarlyStopping,
    Diverged,
    /// Someone stopped it (Stop & keep current weights).
    Stopped,
}

impl StopReason {
    /// The name scripts read (`stopped_because` in JSON).
    pub fn key(self) -> &'static str {
        match self {
            Self::Epochs => "epochs",
            Self::TargetLoss => "target_loss",
            Self::EarlyStopping => "early_stopping",
            Self::Diverged => "diverged",
            Self::Stopped => "stopped",
        }
    }
}

/// The losses at the end of one epoch, as the monitor measured them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct EpochLosses {
    pub epoch: usize,
    /// Over every training row with the epoch's final weights when measured (a target loss,
    /// or [`RunMonitor::measuring_every_epoch`]); otherwise the mean of the epoch's batch
    /// losses, which costs nothing.
    pub train_loss: f64,
    pub validation_loss: Option<f64>,
}

/// The epoch with the lowest validation loss.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BestEpoch {
    pub epoch: usize,
    pub loss: f64,
}

/// Watches a run epoch by epoch and applies its [`StopRules`].
pub struct RunMonitor {
    rules: StopRules,
    /// Measure the training loss over every row and the validation loss after each epoch,
    /// not only when a rule needs them.
    measures_every_epoch: bool,
    best: Option<BestEpoch>,
    /// The best epoch's weights, kept only for early stopping.
    best_parameters: Option<Vec<Tensor>>,
    epochs_without_improvement: usize,
}

impl RunMonitor {
    /// Measures the starting point (epoch 0, the initial weights) as the first best.
    pub fn new(rules: StopRules, trainer: &mut Trainer) -> (Self, EpochLosses) {
        let mut monitor = Self {
            rules,
            measures_every_epoch: false,
            best: None,
            best_parameters: None,
            epochs_without_improvement: 0,
        };
        let start = EpochLosses {
            epoch: trainer.epoch(),
            train_loss: trainer.train_loss(),
            validation_loss: trainer.validation_loss(),
        };
        monitor.remember_if_best(&start, trainer);
        (monitor, start)
    }

    /// Measures the training loss over every row and the validation loss after each epoch
    /// (more forward passes over the data), for curves that compare runs exactly. Otherwise
    /// each is measured only for the rule that needs it: the training loss for a target, the
    /// validation loss for early stopping (one pass over the validation rows an epoch costs
    /// about 12 % of the default run's speed).
    pub fn measuring_every_epoch(mut self) -> Self {
        self.measures_every_epoch = true;
        self
    }

    pub fn rules(&self) -> StopRules {
        self.rules
    }

    /// The epoch with the lowest validation loss so far, when it is measured every epoch
    /// (early stopping, or [`Self::measuring_every_epoch`]); with early stopping, the one whose
    /// weights a stop puts back.
    pub fn best(&self) -> Option<BestEpoch> {
        // Epoch 0 is always measured; without a per-epoch measure it would stay "the best".
        self.best
            .filter(|_| self.measures_every_epoch || self.rules.early_stopping.is_some())
    }

    /// Call after each finished epoch with the mean of its batch losses. Returns the losses
    /// and, when a rule says so, why the run must stop; an early stop has already put back the
    /// best epoch's weights.
    pub fn epoch_finished(
        &mut self,
        trainer: &mut Trainer,
        mean_batch_loss: f64,
    ) -> (EpochLosses, Option<StopReason>) {
        let train_loss = if self.measures_every_epoch || self.rules.target_loss.is_some() {
            trainer.train_loss()
        } else {
            mean_batch_loss
        };
        let losses = EpochLosses {
            epoch: trainer.epoch(),
            train_loss,
            validation_loss: if self.measures_every_epoch || self.rules.early_stopping.is_some() {
                trainer.validation_loss()
            } else {
                None
            },
        };
        let improved = self.remember_if_best(&losses, trainer);
        self.epochs_without_improvement = if improved {
            0
        } else {
            self.epochs_without_improvement + 1
        };
        let stop = self.stop_reason(&losses, trainer);
        if stop == Some(StopReason::EarlyStopping)
            && let Some(best) = &self.best_parameters
        {
            trainer.set_parameters(best);
        }
        (losses, stop)
    }

    fn stop_reason(&self, losses: &EpochLosses, trainer: &Trainer) -> Option<StopReason> {
        if let Some(target) = self.rules.target_loss
            && losses.train_loss <= target
        {
            return Some(StopReason::TargetLoss);
        }
        if let Some(early) = self.rules.early_stopping
            && trainer.validation_set().is_some()
            && self.epochs_without_improvement >= early.patience.max(1)
        {
            return Some(StopReason::EarlyStopping);
        }
        match self.rules.max_epochs {
            Some(limit) if losses.epoch >= limit => Some(StopReason::Epochs),
            _ => None,
        }
    }

    /// Whether `losses` improve on the best by more than the minimum; keeps the weights when
    /// early stopping will need them.
    fn remember_if_best(&mut self, losses: &EpochLosses, trainer: &Trainer) -> bool {
        let Some(loss) = losses.validation_loss.filter(|loss| loss.is_finite()) else {
            return false;
        };
        let min_delta = self.rules.early_stopping.map_or(0.0, |e| e.min_delta);
        let improved = self.best.is_none_or(|best| loss < best.loss - min_delta);
        if improved {
            self.best = Some(BestEpoch {
                epoch: losses.epoch,
                loss,
            });
            if self.rules.early_stopping.is_some() {
                let parameters = trainer.mlp().parameters();
                match &mut self.best_parameters {
                    Some(kept) => {
                        for (kept, parameter) in kept.iter_mut().zip(parameters) {
                            kept.data_mut().copy_from_slice(parameter.data());
                        }
                    }
                    None => self.best_parameters = Some(parameters.to_vec()),
                }
            }
        }
        improved
    }
}

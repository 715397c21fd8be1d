//! The runs the app races beside the main one: which settings each changes, and the
//! configuration each trains with.

use serde::{Deserialize, Serialize};

use super::{MAX_HIDDEN_LAYERS, MAX_UNITS, OptimizerKind, OptimizerSettings, Settings, finite_or};
use crate::nn::Activation;
use crate::optim::OptimizerConfig;
use crate::train::TrainConfig;

/// Most runs side by side in the app, the main one included: more lines cannot be told apart.
pub const MAX_RACE_RUNS: usize = 4;

/// Runs trained beside the main one, each changing some of its settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RaceSettings {
    pub is_on: bool,
    /// The other runs (up to [`MAX_RACE_RUNS`] − 1).
    pub runs: Vec<RaceEntry>,
}

impl Default for RaceSettings {
    /// SGD against SGD with momentum against Adam (the main run's default).
    fn default() -> Self {
        let plain_sgd = RaceEntry {
            kind: OptimizerKind::Sgd,
            learning_rate: 0.05,
            momentum: 0.0,
            ..RaceEntry::default()
        };
        let momentum = RaceEntry {
            momentum: 0.9,
            ..plain_sgd.clone()
        };
        Self {
            is_on: false,
            runs: vec![plain_sgd, momentum],
        }
    }
}

impl RaceSettings {
    pub(super) fn sanitize(&mut self) {
        self.runs.truncate(MAX_RACE_RUNS - 1);
        for entry in &mut self.runs {
            entry.sanitize();
        }
    }
}

/// One raced run's settings; the rest (data, seed, validation, β1 and β2) are the main run's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RaceEntry {
    pub kind: OptimizerKind,
    pub learning_rate: f32,
    /// SGD only.
    pub momentum: f32,
    pub activation: Activation,
    pub hidden_sizes: Vec<usize>,
    pub batch_size: usize,
}

impl Default for RaceEntry {
    fn default() -> Self {
        let config = TrainConfig::default();
        Self {
            kind: OptimizerKind::Adam,
            learning_rate: config.optimizer.learning_rate(),
            momentum: 0.9,
            activation: config.activation,
            hidden_sizes: config.hidden_sizes,
            batch_size: config.batch_size,
        }
    }
}

impl RaceEntry {
    /// This run's configuration: `main`'s, changed where the entry says.
    pub fn train_config(&self, main: &TrainConfig, optimizer: &OptimizerSettings) -> TrainConfig {
        TrainConfig {
            hidden_sizes: self.hidden_sizes.clone(),
            activation: self.activation,
            optimizer: match self.kind {
                OptimizerKind::Sgd => OptimizerConfig::Sgd {
                    learning_rate: self.learning_rate,
                    momentum: self.momentum,
                    nesterov: false,
                },
                OptimizerKind::Adam => OptimizerConfig::Adam {
                    learning_rate: self.learning_rate,
                    beta1: optimizer.beta1,
                    beta2: optimizer.beta2,
                    weight_decay: 0.0,
                },
            },
            batch_size: self.batch_size,
            ..main.clone()
        }
    }

    /// The main settings as an entry, the starting point of a new raced run.
    pub fn from_main(settings: &Settings) -> Self {
        Self {
            kind: settings.optimizer.kind,
            learning_rate: settings.optimizer.learning_rate(),
            momentum: settings.optimizer.momentum,
            activation: settings.network.activation,
            hidden_sizes: settings.network.hidden_sizes.clone(),
            batch_size: settings.optimizer.batch_size,
        }
    }

    fn sanitize(&mut self) {
        self.learning_rate = finite_or(self.learning_rate, 0.01).clamp(
            OptimizerSettings::MIN_LEARNING_RATE,
            OptimizerSettings::MAX_LEARNING_RATE,
        );
        self.momentum = finite_or(self.momentum, 0.9).clamp(0.0, 0.999);
        self.hidden_sizes.truncate(MAX_HIDDEN_LAYERS);
        for units in &mut self.hidden_sizes {
            *units = (*units).clamp(1, MAX_UNITS);
        }
        self.batch_size = self.batch_size.clamp(1, OptimizerSettings::MAX_BATCH_SIZE);
    }
}

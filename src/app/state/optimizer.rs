//! The optimizer's settings as the app remembers them: SGD or Adam with both one's
//! hyper-parameters, the batch, the seed, the L2 penalty, and the rules that end a run.

use serde::{Deserialize, Serialize};

use super::finite_or;
use crate::optim::OptimizerConfig;
use crate::train::{EarlyStopping, StopRules, TrainConfig};

/// The largest L2 penalty the panel allows (scikit-learn's `alpha`; cross-validation's largest
/// candidate is 30).
pub const MAX_L2: f32 = 1000.0;

/// The L2 penalty on the weights: chosen by cross-validation on the training rows (what
/// `nanograd train` does by default), or a number (0 for none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum L2Setting {
    #[default]
    Auto,
    Fixed(f32),
}

impl L2Setting {
    pub fn is_auto(self) -> bool {
        self == Self::Auto
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OptimizerKind {
    Sgd,
    Adam,
}

/// Both optimizers' hyper-parameters are kept, so switching back and forth loses nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OptimizerSettings {
    pub kind: OptimizerKind,
    pub sgd_learning_rate: f32,
    pub momentum: f32,
    pub adam_learning_rate: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub batch_size: usize,
    pub seed: u64,
    /// Pause when this many epochs are done.
    pub epoch_limit: Option<usize>,
    /// Pause once the training loss is at or below this (standardised units).
    pub target_loss: Option<f64>,
    /// Early stopping's patience in epochs: pause when the validation loss has not improved
    /// for this long and go back to the best epoch's weights.
    pub early_stopping: Option<usize>,
    /// The penalty on the weights; settings stored before it existed read as Auto.
    pub l2: L2Setting,
}

impl Default for OptimizerSettings {
    fn default() -> Self {
        Self::from_config(&TrainConfig::default())
    }
}

impl OptimizerSettings {
    pub const MIN_LEARNING_RATE: f32 = 1e-5;
    pub const MAX_LEARNING_RATE: f32 = 1.0;
    pub const MAX_BATCH_SIZE: usize = 4096;
    pub const MIN_TARGET_LOSS: f64 = 1e-6;
    pub const MAX_TARGET_LOSS: f64 = 10.0;
    pub const MAX_PATIENCE: usize = 100_000;

    pub(super) fn from_config(config: &TrainConfig) -> Self {
        let (sgd_learning_rate, momentum) = match OptimizerConfig::default_sgd() {
            OptimizerConfig::Sgd {
                learning_rate,
                momentum,
                ..
            } => (learning_rate, momentum),
            OptimizerConfig::Adam { learning_rate, .. } => (learning_rate, 0.9),
        };
        let (adam_learning_rate, beta1, beta2) = match OptimizerConfig::default_adam() {
            OptimizerConfig::Adam {
                learning_rate,
                beta1,
                beta2,
                ..
            } => (learning_rate, beta1, beta2),
            OptimizerConfig::Sgd { learning_rate, .. } => (learning_rate, 0.9, 0.999),
        };
        let mut settings = Self {
            kind: OptimizerKind::Adam,
            sgd_learning_rate,
            momentum,
            adam_learning_rate,
            beta1,
            beta2,
            batch_size: config.batch_size,
            seed: config.seed,
            epoch_limit: None,
            target_loss: None,
            early_stopping: None,
            l2: L2Setting::Auto,
        };
        match config.optimizer {
            OptimizerConfig::Sgd {
                learning_rate,
                momentum,
                ..
            } => {
                settings.kind = OptimizerKind::Sgd;
                settings.sgd_learning_rate = learning_rate;
                settings.momentum = momentum;
            }
            OptimizerConfig::Adam {
                learning_rate,
                beta1,
                beta2,
                ..
            } => {
                settings.kind = OptimizerKind::Adam;
                settings.adam_learning_rate = learning_rate;
                settings.beta1 = beta1;
                settings.beta2 = beta2;
            }
        }
        settings
    }

    pub(super) fn sanitize(&mut self) {
        let lr_range = Self::MIN_LEARNING_RATE..=Self::MAX_LEARNING_RATE;
        self.sgd_learning_rate =
            finite_or(self.sgd_learning_rate, 0.01).clamp(*lr_range.start(), *lr_range.end());
        self.adam_learning_rate =
            finite_or(self.adam_learning_rate, 0.01).clamp(*lr_range.start(), *lr_range.end());
        self.momentum = finite_or(self.momentum, 0.9).clamp(0.0, 0.999);
        self.beta1 = finite_or(self.beta1, 0.9).clamp(0.0, 0.9999);
        self.beta2 = finite_or(self.beta2, 0.999).clamp(0.0, 0.99999);
        self.batch_size = self.batch_size.clamp(1, Self::MAX_BATCH_SIZE);
        self.epoch_limit = self.epoch_limit.map(|limit| limit.max(1));
        self.target_loss = self
            .target_loss
            .filter(|target| target.is_finite())
            .map(|target| target.clamp(Self::MIN_TARGET_LOSS, Self::MAX_TARGET_LOSS));
        self.early_stopping = self
            .early_stopping
            .map(|patience| patience.clamp(1, Self::MAX_PATIENCE));
        if let L2Setting::Fixed(l2) = self.l2 {
            self.l2 = if l2.is_finite() && l2 >= 0.0 {
                L2Setting::Fixed(l2.min(MAX_L2))
            } else {
                L2Setting::Auto
            };
        }
    }

    /// When training pauses by itself.
    pub fn stop_rules(&self) -> StopRules {
        StopRules {
            max_epochs: self.epoch_limit,
            target_loss: self.target_loss,
            early_stopping: self.early_stopping.map(EarlyStopping::with_patience),
        }
    }

    /// The learning rate of the selected optimizer.
    pub fn learning_rate(&self) -> f32 {
        match self.kind {
            OptimizerKind::Sgd => self.sgd_learning_rate,
            OptimizerKind::Adam => self.adam_learning_rate,
        }
    }

    pub fn learning_rate_mut(&mut self) -> &mut f32 {
        match self.kind {
            OptimizerKind::Sgd => &mut self.sgd_learning_rate,
            OptimizerKind::Adam => &mut self.adam_learning_rate,
        }
    }

    pub fn optimizer_config(&self) -> OptimizerConfig {
        match self.kind {
            OptimizerKind::Sgd => OptimizerConfig::Sgd {
                learning_rate: self.sgd_learning_rate,
                momentum: self.momentum,
                nesterov: false,
            },
            OptimizerKind::Adam => OptimizerConfig::Adam {
                learning_rate: self.adam_learning_rate,
                beta1: self.beta1,
                beta2: self.beta2,
                weight_decay: 0.0,
            },
        }
    }
}

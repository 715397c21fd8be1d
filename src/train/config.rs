//! What a training run is made of: the network's shape, the optimizer, batching and seed.

use serde::{Deserialize, Serialize};

use crate::nn::{Activation, LossKind};
use crate::optim::OptimizerConfig;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    pub hidden_sizes: Vec<usize>,
    pub activation: Activation,
    pub optimizer: OptimizerConfig,
    /// Rows per optimizer step, clamped to the training rows (so a large value means full batch).
    pub batch_size: usize,
    /// Seeds the initial weights, the validation split and the per-epoch shuffle.
    pub seed: u64,
    /// Share of rows held out for validation, 0 for none.
    pub val_fraction: f32,
    pub loss: LossKind,
    /// L2 penalty on the weights (not the biases), scaled by the training rows as
    /// scikit-learn's `alpha`: the step minimises loss + alpha / (2 n) · Σ w², n the number of
    /// training rows, so its strength does not depend on the batch size or the step count.
    /// 0 for none (what a saved configuration without the field means).
    pub l2: f32,
}

impl Default for TrainConfig {
    /// Settings that fit every sample data set well within a few hundred epochs: two tanh
    /// layers of 32 (what scikit-learn's reference fits use), Adam at 0.01, batches of 32.
    fn default() -> Self {
        Self {
            hidden_sizes: vec![32, 32],
            activation: Activation::Tanh,
            optimizer: OptimizerConfig::default_adam(),
            batch_size: 32,
            seed: 0,
            val_fraction: 0.0,
            loss: LossKind::Mse,
            l2: 0.0,
        }
    }
}

/// Epochs `nanograd train` runs when not told otherwise: enough for the defaults to reach
/// scikit-learn's reference fits on every sample set (see README).
pub const DEFAULT_EPOCHS: usize = 500;

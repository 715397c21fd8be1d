//! Training: the synchronous loop (`Trainer::step`), its configuration, fit metrics, the
//! trained `Model` and its weights file, a bounded loss history, each layer's gradients over
//! training, and what one mini-batch step changed. No threads, no UI.

mod batch_change;
mod checkpoint;
mod config;
mod gradient_stats;
pub mod history;
mod metrics;
mod model;
mod trainer;

pub use batch_change::{BatchChange, LARGEST_MOVES_SHOWN, WeightMove};
pub use checkpoint::{CheckpointError, FORMAT_NAME, FORMAT_VERSION, parameter_name};
pub use config::{DEFAULT_EPOCHS, TrainConfig};
pub use gradient_stats::{
    GRADIENT_HISTORY_CAPACITY, GradientHistory, GradientPoint, LayerGradient,
};
pub use metrics::{Fit, Metrics};
pub use model::Model;
pub use trainer::{StepReport, TrainError, Trainer};

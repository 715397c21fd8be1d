//! Training: the synchronous loop (`Trainer::step`), its configuration, fit metrics, the
//! trained `Model` and its weights file, a bounded loss history, each layer's gradients over
//! training, what one mini-batch step changed, the rules that end a run (stop rules and the
//! divergence guard) and advice on what is going wrong. No threads, no UI.

pub mod advice;
mod batch_change;
mod checkpoint;
mod config;
mod gradient_stats;
mod guard;
pub mod history;
mod metrics;
mod model;
mod race;
mod regularise;
mod stop;
mod trainer;

pub use batch_change::{BatchChange, LARGEST_MOVES_SHOWN, WeightMove};
pub use checkpoint::{
    CheckpointError, FORMAT_NAME, FORMAT_VERSION, MAX_WEIGHTS_FILE_BYTES, is_weights_file,
    parameter_name,
};
pub use config::{DEFAULT_EPOCHS, TrainConfig};
pub use gradient_stats::{
    GRADIENT_HISTORY_CAPACITY, GradientHistory, GradientPoint, LayerGradient,
};
pub use guard::{BLOW_UP_FLOOR, BLOW_UP_RATIO, DivergenceCause};
pub use metrics::{Fit, Metrics};
pub use model::Model;
pub use race::{MAX_RACE_RUNS, Race, RaceError, RaceRun, SharedStart, shared_start};
pub use regularise::{
    CV_FOLDS, CV_MAX_ROWS, CandidateModel, CandidateScore, ChosenBy, CvRule, CvSettings,
    L2_CANDIDATES, L2Choice, LARGE_DATA_L2, LINEAR_EPOCHS, LINEAR_L2, LINEAR_LEARNING_RATE,
    ONE_SE_MAX_ROWS, choose_l2, choose_l2_watched, cross_validate_l2, large_data_choice,
    linear_config,
};
pub use stop::{BestEpoch, EarlyStopping, EpochLosses, RunMonitor, StopReason, StopRules};
pub use trainer::{StepReport, TrainError, Trainer};

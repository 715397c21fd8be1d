//! What the training worker tells the UI: finished, ready-to-draw pictures of the training state.
//!
//! The UI only draws these; every curve, metric and point list is computed on the worker.
//! A [`Snapshot`] covers every run of the session (today one; runs trained side by side from the
//! same start will each add a [`RunSnapshot`]), and each run carries what the inside views draw
//! ([`InsideSnapshot`]): the weights, one input's values layer by layer, and on request each
//! hidden unit's curve and the computation graph of one data point.

use std::path::PathBuf;
use std::sync::Arc;

use egui_plot::PlotPoint;

use crate::engine::Tensor;
use crate::inside::{Explanation, NeuronArithmetic, PredictionGraph, UnitCurves};
use crate::nn::Activation;
use crate::train::advice::{Advice, UnitActivity};
use crate::train::{
    BatchChange, GradientHistory, Metrics, Model, SharedStart, StopReason, TrainConfig,
};

use super::notices::Topic;
use crate::train::history::LossHistory;

/// Identifies one training run inside a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RunId(pub u32);

/// Counts resets: everything the worker sends carries the generation it belongs to, so the UI can
/// drop a picture of a model that was just replaced.
pub type Generation = u64;

/// Messages from the worker to the UI.
#[derive(Debug)]
pub enum Event {
    /// The data as split by the trainer; sent once per reset, not per frame.
    DataView(Arc<DataView>),
    /// The state of all runs, at most ~30 times a second.
    Snapshot(Box<Snapshot>),
    /// Training stopped by itself (epoch limit, a stop rule, divergence). The message says what
    /// to do next.
    Paused {
        /// Which run stopped last, in a race.
        run: Option<RunId>,
        reason: PauseReason,
    },
    /// One of several runs stopped by itself; the others go on.
    RunStopped { run: RunId, reason: PauseReason },
    /// Runs that are being replaced (a reset, a settings change, loaded weights), as they
    /// ended, for the run history.
    RunsFinished(Vec<FinishedRun>),
    /// One mini-batch was trained on request: what it changed.
    BatchStepped(Box<BatchChange>),
    /// Weights written.
    Saved { path: PathBuf },
    /// Weights read; the network settings must follow the loaded model.
    ModelLoaded {
        path: PathBuf,
        hidden_sizes: Vec<usize>,
        activation: Activation,
    },
    /// A command failed; the message is for the user.
    Failed {
        topic: Topic,
        what: String,
        message: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum PauseReason {
    EpochLimit {
        epoch: usize,
    },
    /// The trainer caught a blow-up and put back good weights; the advice says what to do.
    Diverged {
        message: String,
        advice: Advice,
    },
    /// A target loss or early stopping ended the run.
    RuleMet {
        reason: StopReason,
        epoch: usize,
        best_epoch: Option<usize>,
    },
}

/// A run as it ended: its settings, its weights and how it went.
#[derive(Clone, Debug)]
pub struct FinishedRun {
    /// The data it trained on: the data set's name and its columns.
    pub data_name: String,
    pub x_names: Vec<String>,
    pub y_name: String,
    pub config: TrainConfig,
    /// What set it apart in a race; empty for a lone run.
    pub label: String,
    pub model: Model,
    pub epochs: usize,
    pub steps: u64,
    /// Seconds spent training (the session's, shared by raced runs).
    pub seconds: f64,
    pub history: LossHistory,
    pub metrics: Metrics,
}

/// The data points as the trainer split them, ready to plot (subsampled if there are very many).
#[derive(Debug, Default)]
pub struct DataView {
    pub generation: Generation,
    pub x_names: Vec<String>,
    pub y_name: String,
    /// `(x, y)` for one input; empty with more than one.
    pub train_points: Vec<PlotPoint>,
    pub validation_points: Vec<PlotPoint>,
    pub n_train: usize,
    pub n_validation: usize,
    /// `(min, max)` of the single input, when there is one.
    pub x_range: Option<(f64, f64)>,
    /// `(min, max)` of every input column (training and validation rows).
    pub x_ranges: Vec<(f64, f64)>,
}

/// The state of the session at one moment.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub generation: Generation,
    pub is_training: bool,
    pub runs: Vec<RunSnapshot>,
}

impl Snapshot {
    /// The first run: the one the single-run UI shows.
    pub fn main_run(&self) -> Option<&RunSnapshot> {
        self.runs.first()
    }
}

#[derive(Clone, Debug)]
pub struct RunSnapshot {
    pub run_id: RunId,
    /// What sets this run apart ("SGD 0.05, momentum 0.9"); empty for a lone run.
    pub label: String,
    /// How its start compares with the first run's.
    pub shared_start: SharedStart,
    pub epoch: usize,
    pub steps: u64,
    pub steps_per_epoch: usize,
    /// Optimizer steps per second over the last interval (0 when paused).
    pub steps_per_second: f64,
    pub learning_rate: f32,
    /// Losses in standardised units (what the optimizer minimises).
    pub train_loss: f32,
    pub validation_loss: Option<f32>,
    /// R² in user units.
    pub train_r2: f32,
    pub validation_r2: Option<f32>,
    /// Root-mean-square error in the target's own units.
    pub train_rmse: f32,
    pub validation_rmse: Option<f32>,
    /// Mean absolute error in the target's own units.
    pub train_mae: f32,
    pub validation_mae: Option<f32>,
    /// Why this run stopped by itself, while it stays stopped.
    pub stopped: Option<StopReason>,
    /// What is going wrong, the most important first (measured about once a second).
    pub advice: Arc<Vec<Advice>>,
    /// Which hidden units are dead or saturated on the training rows, measured with the advice.
    pub activity: Option<Arc<UnitActivity>>,
    /// `(actual, predicted)` per row, when the parity or residual plot is shown.
    pub rows: Option<Arc<RowPredictions>>,
    pub history: LossHistory,
    pub prediction: Prediction,
    pub network: NetworkSummary,
    /// The inside of the network; shared, because the UI keeps it across frames.
    pub inside: Option<Arc<InsideSnapshot>>,
    /// Lines to draw on the loss plot (where weights were loaded, the best validation epoch).
    pub markers: Vec<EpochMarker>,
    /// Each layer's gradient norm and update ratio, once an epoch; shared, because it changes
    /// once an epoch while snapshots come up to 30 times a second.
    pub gradients: Arc<GradientHistory>,
}

/// A moment in a run's history, drawn as a labelled vertical line on the loss plot.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochMarker {
    pub epoch: f64,
    pub label: String,
}

/// Each row's target against the network's prediction, in the target's units (a thinned
/// sample when there are very many rows).
#[derive(Clone, Debug, Default)]
pub struct RowPredictions {
    /// `(actual, predicted)`.
    pub train: Vec<PlotPoint>,
    pub validation: Vec<PlotPoint>,
}

/// The network's prediction in a form that can be drawn.
#[derive(Clone, Debug, Default)]
pub enum Prediction {
    #[default]
    None,
    /// One input: the prediction over the x range and a margin beyond it.
    Curve { points: Vec<PlotPoint> },
    /// Several inputs: `(actual, predicted)` per row.
    VersusActual {
        train: Vec<PlotPoint>,
        validation: Vec<PlotPoint>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct NetworkSummary {
    pub layer_sizes: Vec<usize>,
    pub activation: Activation,
    pub n_parameters: usize,
}

/// One hidden layer's units over the curve's x values, row-major `n_x × n_units`.
#[derive(Clone, Debug, Default)]
pub struct HiddenLayerCurves {
    pub n_units: usize,
    pub values: Vec<f32>,
}

/// An input the inside views show the network's values for: the probe. With a target (a data
/// point that was clicked) the computation graph uses it; without one, the graph takes the
/// training row nearest to `x`.
#[derive(Clone, Debug, PartialEq)]
pub struct Probe {
    /// One value per input column, in the inputs' units.
    pub x: Vec<f32>,
    pub target: Option<f32>,
}

/// What the UI asks the worker to compute about the inside of the network, besides the
/// weights and the probe's values that every snapshot carries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InsideRequest {
    /// `None`: the middle of the data.
    pub probe: Option<Probe>,
    /// The diagram's `(column, unit)` whose arithmetic is shown.
    pub selected: Option<(usize, usize)>,
    /// Each hidden unit over the range of input column `curve_input` (the others at their mean).
    pub want_unit_curves: bool,
    pub curve_input: usize,
    pub want_graph: bool,
    /// Every row's prediction against its target, for the parity and residual plots.
    pub want_rows: bool,
}

/// The inside of one run at one moment.
#[derive(Clone, Debug)]
pub struct InsideSnapshot {
    /// The weights and the standardisation.
    pub model: Model,
    /// The latest step's gradient per parameter tensor (empty before the first step).
    pub last_gradients: Vec<Tensor>,
    /// The probe's values, layer by layer.
    pub explanation: Explanation,
    pub arithmetic: Option<NeuronArithmetic>,
    pub curves: Option<UnitCurveSet>,
    pub graph: Option<GraphOfPoint>,
}

/// Each unit of every hidden layer against one input column, the others at their mean.
#[derive(Clone, Debug)]
pub struct UnitCurveSet {
    pub input: usize,
    pub input_name: String,
    /// The input's values along the curves.
    pub xs: Vec<f32>,
    /// The last hidden layer's shares of the prediction (target's units).
    pub contributions: UnitCurves,
    /// Raw activations of every hidden layer.
    pub hidden: Vec<HiddenLayerCurves>,
}

/// The computation graph of one data point.
#[derive(Clone, Debug)]
pub struct GraphOfPoint {
    pub x: Vec<f32>,
    pub target: f32,
    pub graph: PredictionGraph,
}

//! The settings the app remembers between runs (eframe persistence): the data source and its
//! columns, the network, the optimizer and the view. Runtime state (the worker, the loaded data,
//! the latest snapshot) lives in [`super::NanogradApp`], never here.
//!
//! Everything read back from storage goes through [`Settings::sanitized`], since a stored file may
//! come from an older version or be edited by hand.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::views::gradient_plot::GradientMeasure;

use crate::nn::Activation;
use crate::train::TrainConfig;

mod optimizer;
mod race;

pub use optimizer::{L2Setting, MAX_L2, OptimizerKind, OptimizerSettings};
pub use race::{MAX_RACE_RUNS, RaceEntry, RaceSettings};

/// Key under which eframe stores [`Settings`].
pub const STORAGE_KEY: &str = "nanograd-settings";

/// Most hidden layers the network panel allows.
pub const MAX_HIDDEN_LAYERS: usize = 8;
/// Most units in one hidden layer.
pub const MAX_UNITS: usize = 256;
/// Optimizer steps per second at start. A pace in steps, not epochs, because what a class watches
/// is the number of updates: at the old default of 10 epochs a second (370 steps on the default
/// data) Adam had fitted the default data within 0.3 s. At 20 steps a second the curve bends over
/// about 6 s and then keeps refining, slowly enough to talk over (see README, "Pace").
pub const DEFAULT_PACE: f32 = 20.0;
/// The range of the speed slider, in steps per second; above it is "Full speed".
pub const PACE_RANGE: std::ops::RangeInclusive<f32> = 1.0..=100_000.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub data: DataSource,
    pub network: NetworkSettings,
    pub optimizer: OptimizerSettings,
    /// Fraction of rows held out for validation, 0 to 0.5.
    pub val_fraction: f32,
    /// Optimizer steps per second while training, so a class can follow. Kept while
    /// `is_full_speed` is on, so turning full speed off returns to the pace the user chose.
    pub steps_per_second: f32,
    /// Train as fast as the computer can instead of at `steps_per_second`.
    pub is_full_speed: bool,
    pub view: ViewSettings,
    /// Runs trained side by side with these settings, for comparison.
    pub race: RaceSettings,
}

impl Default for Settings {
    fn default() -> Self {
        let config = TrainConfig::default();
        Self {
            data: DataSource::default(),
            network: NetworkSettings {
                hidden_sizes: config.hidden_sizes.clone(),
                activation: config.activation,
            },
            optimizer: OptimizerSettings::from_config(&config),
            // The app holds out a fifth by default so validation points and loss are visible.
            val_fraction: 0.2,
            steps_per_second: DEFAULT_PACE,
            is_full_speed: false,
            view: ViewSettings::default(),
            race: RaceSettings::default(),
        }
    }
}

impl Settings {
    /// The same settings with every number brought into its allowed range.
    pub fn sanitized(mut self) -> Self {
        self.network.sanitize();
        self.optimizer.sanitize();
        self.val_fraction = finite_or(self.val_fraction, 0.2).clamp(0.0, 0.5);
        self.steps_per_second = finite_or(self.steps_per_second, DEFAULT_PACE)
            .clamp(*PACE_RANGE.start(), *PACE_RANGE.end());
        self.view.zoom = finite_or(self.view.zoom, ViewSettings::default().zoom).clamp(0.6, 3.0);
        match &mut self.data {
            DataSource::Synthetic(synthetic) => synthetic.sanitize(),
            DataSource::Formula(formula) => formula.sanitize(),
            DataSource::Sample { .. } | DataSource::File { .. } => {}
        }
        self.race.sanitize();
        self
    }

    /// The pace for the worker: steps per second, or `None` for full speed.
    pub fn pace(&self) -> Option<f32> {
        (!self.is_full_speed).then_some(self.steps_per_second)
    }

    /// One configuration per run: these settings, then each raced run's when a race is on.
    pub fn train_configs(&self) -> Vec<TrainConfig> {
        let main = self.train_config();
        let mut configs = vec![main.clone()];
        if self.race.is_on {
            configs.extend(
                self.race
                    .runs
                    .iter()
                    .map(|entry| entry.train_config(&main, &self.optimizer)),
            );
        }
        configs
    }

    /// The trainer's configuration for these settings.
    pub fn train_config(&self) -> TrainConfig {
        TrainConfig {
            hidden_sizes: self.network.hidden_sizes.clone(),
            activation: self.network.activation,
            optimizer: self.optimizer.optimizer_config(),
            batch_size: self.optimizer.batch_size,
            seed: self.optimizer.seed,
            val_fraction: self.val_fraction,
            ..TrainConfig::default()
        }
    }
}

/// Where the data comes from. Column choices are remembered per source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DataSource {
    /// A sample set shipped inside the binary.
    Sample {
        name: String,
        columns: Option<ColumnChoice>,
    },
    /// A CSV file on disk.
    File {
        path: PathBuf,
        columns: Option<ColumnChoice>,
    },
    /// A generated function with noise.
    Synthetic(SyntheticSettings),
    /// A formula the user typed, such as `sin(3*x) + 0.2*noise`.
    Formula(FormulaSettings),
}

impl Default for DataSource {
    fn default() -> Self {
        Self::Sample {
            name: crate::data::DEFAULT_SAMPLE.to_owned(),
            columns: None,
        }
    }
}

impl DataSource {
    pub fn columns(&self) -> Option<&ColumnChoice> {
        match self {
            Self::Sample { columns, .. } | Self::File { columns, .. } => columns.as_ref(),
            Self::Synthetic(_) | Self::Formula(_) => None,
        }
    }

    pub fn set_columns(&mut self, choice: ColumnChoice) {
        match self {
            Self::Sample { columns, .. } | Self::File { columns, .. } => *columns = Some(choice),
            Self::Synthetic(_) | Self::Formula(_) => {}
        }
    }
}

/// The x column(s) and the y column, by header name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnChoice {
    pub x: Vec<String>,
    pub y: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyntheticKind {
    Sine,
    Polynomial,
    Step,
}

impl SyntheticKind {
    pub const ALL: [Self; 3] = [Self::Sine, Self::Polynomial, Self::Step];

    pub fn label(self) -> &'static str {
        match self {
            Self::Sine => "Sine wave",
            Self::Polynomial => "Cubic polynomial",
            Self::Step => "Step",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyntheticSettings {
    pub kind: SyntheticKind,
    pub n_points: usize,
    /// Standard deviation of the added noise, in y units.
    pub noise: f32,
    pub seed: u64,
}

impl Default for SyntheticSettings {
    fn default() -> Self {
        Self {
            kind: SyntheticKind::Sine,
            n_points: 200,
            noise: 0.1,
            seed: 0,
        }
    }
}

impl SyntheticSettings {
    pub const MAX_POINTS: usize = 100_000;

    fn sanitize(&mut self) {
        self.n_points = self.n_points.clamp(2, Self::MAX_POINTS);
        self.noise = finite_or(self.noise, 0.1).clamp(0.0, 10.0);
    }
}

/// Data typed as `y = formula(x)` on an even grid of x from `x_from` to `x_to`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FormulaSettings {
    pub formula: String,
    pub x_from: f64,
    pub x_to: f64,
    pub n_points: usize,
    pub seed: u64,
}

impl Default for FormulaSettings {
    fn default() -> Self {
        Self {
            formula: "sin(3*x) + 0.2*noise".to_owned(),
            x_from: -2.0,
            x_to: 2.0,
            n_points: 200,
            seed: 0,
        }
    }
}

impl FormulaSettings {
    /// As many points as the synthetic sets allow.
    pub const MAX_POINTS: usize = SyntheticSettings::MAX_POINTS;

    pub fn spec(&self) -> crate::data::FormulaSpec {
        crate::data::FormulaSpec {
            formula: self.formula.clone(),
            x_range: (self.x_from, self.x_to),
            n_points: self.n_points,
            seed: self.seed,
        }
    }

    fn sanitize(&mut self) {
        self.n_points = self.n_points.clamp(2, Self::MAX_POINTS);
        if !(self.x_from.is_finite() && self.x_to.is_finite() && self.x_from < self.x_to) {
            let default = Self::default();
            (self.x_from, self.x_to) = (default.x_from, default.x_to);
        }
        if self.formula.len() > crate::data::MAX_FORMULA_BYTES {
            self.formula = Self::default().formula;
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkSettings {
    pub hidden_sizes: Vec<usize>,
    pub activation: Activation,
}

impl Default for NetworkSettings {
    fn default() -> Self {
        Settings::default().network
    }
}

impl NetworkSettings {
    fn sanitize(&mut self) {
        self.hidden_sizes.truncate(MAX_HIDDEN_LAYERS);
        for units in &mut self.hidden_sizes {
            *units = (*units).clamp(1, MAX_UNITS);
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewSettings {
    /// Plot the loss as log10 with labelled powers of ten.
    pub log_loss: bool,
    /// egui zoom factor; above 1 so a projector audience can read it.
    pub zoom: f32,
    /// Light by default: it reads better on most projectors.
    pub is_dark: bool,
    /// Projector view: larger text, thicker lines, bigger markers, the settings tucked away.
    pub is_projector: bool,
    /// The network diagram beside the loss plot.
    pub is_diagram_shown: bool,
    /// The settings panel; hidden by default in projector view.
    pub is_settings_panel_shown: bool,
    /// Each hidden unit's share drawn over the fit plot.
    pub is_unit_curves_shown: bool,
    /// What the plot beside the diagram shows.
    pub lower_view: LowerView,
    /// In the units plot: 0 for the last hidden layer's shares of the prediction, k for hidden
    /// layer k's raw activations.
    pub units_layer: usize,
    /// The input column the units plot runs along (several inputs: the others at their mean).
    pub curve_input: usize,
    /// What the gradients plot shows.
    pub gradient_measure: GradientMeasure,
    /// What the errors plot shows.
    pub error_plot: ErrorPlot,
}

/// The plots that can take the place beside the diagram.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LowerView {
    #[default]
    Loss,
    Gradients,
    Units,
    /// Each row's error: the parity or the residual plot.
    Errors,
}

/// How the Errors view shows each row's error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorPlot {
    /// Predicted against actual, with the y = x line.
    #[default]
    Parity,
    /// Actual minus predicted against predicted, with the zero line.
    Residuals,
}

impl Default for ViewSettings {
    fn default() -> Self {
        Self {
            log_loss: true,
            zoom: 1.25,
            is_dark: false,
            is_projector: false,
            is_diagram_shown: true,
            is_settings_panel_shown: true,
            is_unit_curves_shown: false,
            lower_view: LowerView::Loss,
            units_layer: 0,
            curve_input: 0,
            gradient_measure: GradientMeasure::default(),
            error_plot: ErrorPlot::default(),
        }
    }
}

pub(super) fn finite_or(value: f32, fallback: f32) -> f32 {
    if value.is_finite() { value } else { fallback }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitized_clamps_hand_edited_values() {
        let mut settings = Settings::default();
        settings.network.hidden_sizes = vec![0, 9999, 3, 3, 3, 3, 3, 3, 3, 3];
        settings.optimizer.sgd_learning_rate = f32::NAN;
        settings.optimizer.batch_size = 0;
        settings.val_fraction = 0.9;
        let settings = settings.sanitized();
        assert_eq!(settings.network.hidden_sizes.len(), MAX_HIDDEN_LAYERS);
        assert_eq!(settings.network.hidden_sizes[0], 1);
        assert_eq!(settings.network.hidden_sizes[1], MAX_UNITS);
        assert!(settings.optimizer.sgd_learning_rate.is_finite());
        assert_eq!(settings.optimizer.batch_size, 1);
        assert_eq!(settings.val_fraction, 0.5);
    }

    #[test]
    fn settings_round_trip_through_json() {
        let settings = Settings {
            data: DataSource::File {
                path: PathBuf::from("/tmp/some.csv"),
                columns: Some(ColumnChoice {
                    x: vec!["a".into()],
                    y: "b".into(),
                }),
            },
            ..Settings::default()
        };
        let text = serde_json::to_string(&settings).expect("settings serialize");
        let back: Settings = serde_json::from_str(&text).expect("settings deserialize");
        assert_eq!(back, settings);
    }

    #[test]
    fn missing_fields_take_defaults() {
        let back: Settings = serde_json::from_str("{}").expect("empty object is valid");
        assert_eq!(back, Settings::default());
    }
}

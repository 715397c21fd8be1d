//! Saving the main run's weights, and loading weights to continue from on the current data,
//! from a file or from the run history (the loss curve goes on across the load, with a line
//! where the weights changed).

use std::path::PathBuf;
use std::sync::Arc;

use crate::train::history::LossHistory;
use crate::train::{Model, TrainConfig, Trainer};

use super::super::super::notices::Topic;
use super::super::super::snapshot::{EpochMarker, Event};
use super::super::Restore;
use super::{HISTORY_CAPACITY, Worker};

/// What a run hands to the run that replaces it when weights are loaded.
pub(super) struct CarriedHistory {
    pub(super) history: LossHistory,
    pub(super) epochs: usize,
    pub(super) markers: Vec<EpochMarker>,
    pub(super) reason: String,
}

fn file_label(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

impl Worker {
    /// Continues from a run of the history: its weights, settings and loss curve.
    pub(super) fn restore(&mut self, restore: Restore) {
        let Some(training) = &self.state else {
            return;
        };
        let dataset = Arc::clone(&training.dataset);
        let Restore {
            model,
            config,
            curve,
            epochs,
            label,
        } = restore;
        let mut history = LossHistory::new(HISTORY_CAPACITY);
        for point in curve {
            history.push(point);
        }
        let carried = CarriedHistory {
            history,
            epochs,
            markers: Vec::new(),
            reason: label,
        };
        match Trainer::from_model(&dataset, &config, model) {
            Ok(trainer) => {
                self.is_training = false;
                self.archive_runs();
                self.start(dataset, &[config], vec![trainer], Some(carried));
            }
            Err(err) => self.fail(
                Topic::General,
                "Could not restore the run",
                format!("{err}. Load the data it was trained on first."),
            ),
        }
    }

    pub(super) fn save(&self, path: PathBuf) {
        let Some(run) = self
            .state
            .as_ref()
            .and_then(|training| training.runs.first())
        else {
            self.fail(
                Topic::Weights,
                "Could not save the weights",
                "There is no model yet: load data first.".to_owned(),
            );
            return;
        };
        match run.trainer.model().save(&path) {
            Ok(()) => self.send(Event::Saved { path }),
            Err(err) => self.fail(
                Topic::Weights,
                "Could not save the weights",
                format!(
                    "{}: {err}. Choose another folder or file name.",
                    path.display()
                ),
            ),
        }
    }

    pub(super) fn load(&mut self, path: PathBuf) {
        const WHAT: &str = "Could not load the weights";
        let Some(training) = &self.state else {
            self.fail(
                Topic::Weights,
                WHAT,
                "Load data first: the weights are continued on the current data.".to_owned(),
            );
            return;
        };
        let model = match Model::load(&path) {
            Ok(model) => model,
            Err(err) => {
                self.fail(
                    Topic::Weights,
                    WHAT,
                    format!(
                        "{}: {err}. Choose a .safetensors file saved by Nanograd.",
                        path.display()
                    ),
                );
                return;
            }
        };
        let dataset = Arc::clone(&training.dataset);
        if model.mlp.n_inputs() != dataset.n_inputs() {
            self.fail(
                Topic::Weights,
                WHAT,
                format!(
                    "The file's network takes {} input(s) ({}), but the current data has {} ({}). \
                     Choose matching x columns first.",
                    model.mlp.n_inputs(),
                    model.x_names.join(", "),
                    dataset.n_inputs(),
                    dataset.x_names.join(", ")
                ),
            );
            return;
        }
        let hidden_sizes = model.mlp.hidden_sizes().to_vec();
        let activation = model.mlp.activation();
        // The loss curve goes on across the load, with a line where the weights changed.
        let carried = training.runs.first().map(|run| CarriedHistory {
            history: run.history.clone(),
            // A part-done epoch counts as done, so the curve never steps back.
            epochs: run.epoch()
                + usize::from(
                    run.trainer.steps() % run.trainer.steps_per_epoch().max(1) as u64 != 0,
                ),
            markers: run.markers.clone(),
            reason: format!("weights loaded from {}", file_label(&path)),
        });
        let config = TrainConfig {
            hidden_sizes: hidden_sizes.clone(),
            activation,
            ..training.config.clone()
        };
        match Trainer::from_model(&dataset, &config, model) {
            Ok(trainer) => {
                self.is_training = false;
                self.archive_runs();
                self.start(dataset, &[config], vec![trainer], carried);
                self.send(Event::ModelLoaded {
                    path,
                    hidden_sizes,
                    activation,
                });
            }
            Err(err) => self.fail(Topic::Weights, WHAT, format!("{}: {err}", path.display())),
        }
    }
}

//! The run history in the app: recording what the worker hands over, the window, and what its
//! buttons do (restore a run's settings and weights, delete, export as CSV).

use super::dialogs::PathPurpose;
use super::history::HistoryEntry;
use super::nanograd_app::NanogradApp;
use super::notices::Topic;
use super::panels::Action;
use super::session::{Command, Restore};
use super::state::{L2Setting, OptimizerKind, Settings};
use super::views::{HistoryAction, history_window};
use crate::optim::OptimizerConfig;

impl NanogradApp {
    /// The history window, when open; returns what its buttons ask the app to do.
    pub(super) fn history_window_ui(&mut self, ctx: &egui::Context) -> Option<Action> {
        if !self.is_history_window_open {
            return None;
        }
        let action = history_window(
            ctx,
            &mut self.is_history_window_open,
            self.history.entries_mut(),
        )?;
        match action {
            HistoryAction::Restore(id) => self.restore_from_history(id),
            HistoryAction::Delete(id) => self.history.delete(id),
            HistoryAction::Clear => self.history.clear(),
            HistoryAction::Export => return Some(Action::OpenDialog(PathPurpose::ExportHistory)),
        }
        None
    }

    /// Brings back run `id`'s settings and weights on the current data.
    pub fn restore_from_history(&mut self, id: u64) {
        const WHAT: &str = "Could not restore the run";
        let Some(entry) = self.history.entries().iter().find(|e| e.id == id).cloned() else {
            return;
        };
        let same_data = self
            .data_view
            .as_deref()
            .is_some_and(|view| view.x_names == entry.x_names && view.y_name == entry.y_name);
        if !same_data {
            self.error(
                Topic::General,
                WHAT,
                format!(
                    "Run #{} was trained on {}, {} from {}. Load that data and choose those \
                     columns first.",
                    entry.id + 1,
                    entry.data_name,
                    entry.y_name,
                    entry.x_names.join(", ")
                ),
            );
            return;
        }
        let model = match self.history.model(id) {
            Ok(model) => model,
            Err(err) => {
                self.error(Topic::General, WHAT, format!("{err}."));
                return;
            }
        };
        apply_entry_settings(&mut self.settings, &entry);
        // A choice still running would reset the model when done, over the restored weights.
        self.l2_desk.cancel();
        self.is_training = false;
        self.notices.clear(Topic::Training);
        self.send(Command::Restore(Box::new(Restore {
            model: (*model).clone(),
            config: entry.config.clone(),
            curve: entry.curve.clone(),
            epochs: entry.epochs,
            label: format!("run #{} restored", entry.id + 1),
        })));
    }

    pub(super) fn export_history(&mut self, path: &std::path::Path) {
        let path = if path.extension().is_none() {
            path.with_extension("csv")
        } else {
            path.to_path_buf()
        };
        match self.history.export(&path) {
            Ok(()) => self.note(
                Topic::General,
                "History exported",
                path.display().to_string(),
            ),
            Err(err) => self.error(
                Topic::General,
                "Could not export the history",
                format!("{err}."),
            ),
        }
    }
}

/// The panel's settings as the run had them; a race ends (the run is restored alone).
fn apply_entry_settings(settings: &mut Settings, entry: &HistoryEntry) {
    let config = &entry.config;
    settings.network.hidden_sizes = config.hidden_sizes.clone();
    settings.network.activation = config.activation;
    settings.optimizer.batch_size = config.batch_size;
    settings.optimizer.seed = config.seed;
    settings.val_fraction = config.val_fraction;
    // The run's own penalty, as a number: choosing again could pick another.
    settings.optimizer.l2 = L2Setting::Fixed(config.l2);
    settings.race.is_on = false;
    match config.optimizer {
        OptimizerConfig::Sgd {
            learning_rate,
            momentum,
            ..
        } => {
            settings.optimizer.kind = OptimizerKind::Sgd;
            settings.optimizer.sgd_learning_rate = learning_rate;
            settings.optimizer.momentum = momentum;
        }
        OptimizerConfig::Adam {
            learning_rate,
            beta1,
            beta2,
            ..
        } => {
            settings.optimizer.kind = OptimizerKind::Adam;
            settings.optimizer.adam_learning_rate = learning_rate;
            settings.optimizer.beta1 = beta1;
            settings.optimizer.beta2 = beta2;
        }
    }
}

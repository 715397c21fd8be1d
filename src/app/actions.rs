//! Applying what the user asked for: the [`Action`]s that panels, menus and shortcuts return,
//! and the file dialogs and typed paths they open.

use std::path::{Path, PathBuf};

use super::dialogs::{DialogJob, PathField, PathPurpose};
use super::inspector::EngineCheckJob;
use super::loader;
use super::nanograd_app::NanogradApp;
use super::notices::Topic;
use super::panels::Action;
use super::session::Command;
use super::state::DataSource;
use super::style::apply_style;

impl NanogradApp {
    fn start_engine_check(&mut self, ctx: &egui::Context) {
        let model = self.inside().map(|inside| inside.model.clone());
        let (Some(model), Some(dataset)) = (model, self.dataset.clone()) else {
            self.note(
                Topic::Training,
                "Nothing to check yet",
                "Load data first: the engine is checked on the current network and data."
                    .to_owned(),
            );
            return;
        };
        if model.n_inputs() != dataset.n_inputs() {
            // Data with other x columns has just loaded, and the worker has not yet sent the
            // network rebuilt for it: the one on screen cannot take these rows.
            self.note(
                Topic::Training,
                "Nothing to check yet",
                "The network for the new data is still being built: verify again in a moment."
                    .to_owned(),
            );
            return;
        }
        match EngineCheckJob::spawn(ctx, model, &dataset) {
            Ok(job) => self.inspector.engine_check = Some(job),
            Err(err) => self.error(
                Topic::General,
                "Could not start the engine check",
                format!("Its thread did not start: {err}. Close other programs and try again."),
            ),
        }
    }

    pub(super) fn apply(
        &mut self,
        ctx: &egui::Context,
        frame: Option<&eframe::Frame>,
        action: Action,
    ) {
        match action {
            Action::OpenDialog(purpose) => self.open_dialog(ctx, frame, purpose),
            Action::OpenPathField(purpose) => self.open_path_field(purpose, None),
            Action::LoadSource(source) => self.load(ctx, source),
            Action::SelectColumns(choice) => {
                if let Some(table) = self.table.clone() {
                    if let Some(job) = &self.load_job {
                        job.cancel();
                    }
                    self.load_job = Some(loader::spawn_select(
                        ctx,
                        self.settings.data.clone(),
                        table,
                        choice,
                    ));
                }
            }
            Action::CancelLoading => {
                if let Some(job) = &self.load_job {
                    job.cancel();
                }
            }
            Action::ResetModel => self.reset_model(),
            Action::ShowGraph => self.inspector.is_graph_open = true,
            Action::ShowRace => self.is_race_window_open = true,
            Action::ShowHistory => self.is_history_window_open = true,
            Action::ShowGlossary => {
                self.glossary_filter.get_or_insert_with(String::new);
            }
            Action::VerifyEngine => self.start_engine_check(ctx),
            Action::SetLearningRate(learning_rate) => {
                self.send(Command::SetLearningRate(learning_rate))
            }
            Action::SetStopRules => {
                self.notices.clear(Topic::Training);
                self.send(Command::SetStopRules(self.settings.optimizer.stop_rules()));
            }
            Action::StopKeepingWeights => {
                self.is_training = false;
                self.send(Command::StopKeepingWeights);
                let epoch = self.main_run().map_or(0, |run| run.epoch);
                self.note(
                    Topic::Training,
                    "Stopped",
                    format!(
                        "Training stopped at epoch {epoch} with the current weights kept. Press \
                         Train to go on, or save the weights."
                    ),
                );
            }
            Action::SetPace(pace) => self.send(Command::SetPace(pace)),
            Action::TogglePlay => self.set_playing(!self.is_training && !self.play_when_ready),
            Action::StepEpoch => {
                self.is_training = false;
                self.send(Command::StepEpoch);
            }
            Action::StepBatch => {
                self.is_training = false;
                self.send(Command::StepBatch);
            }
            Action::SetProjector(is_projector) => {
                self.settings.view.is_projector = is_projector;
                // The projector view is for watching: the settings step aside (one click
                // brings them back); leaving it brings them back.
                self.settings.view.is_settings_panel_shown = !is_projector;
                apply_style(ctx, &self.settings.view);
            }
            Action::ApplyStyle => apply_style(ctx, &self.settings.view),
            Action::ToggleSettingsPanel => {
                self.settings.view.is_settings_panel_shown =
                    !self.settings.view.is_settings_panel_shown;
            }
        }
    }

    fn load(&mut self, ctx: &egui::Context, source: DataSource) {
        if let Some(job) = &self.load_job {
            job.cancel();
        }
        self.load_job = Some(loader::spawn(ctx, source));
    }

    fn open_dialog(
        &mut self,
        ctx: &egui::Context,
        frame: Option<&eframe::Frame>,
        purpose: PathPurpose,
    ) {
        if self.dialog.is_some() {
            return;
        }
        if purpose == PathPurpose::SaveWeights && self.dataset.is_none() {
            self.error(
                Topic::Weights,
                "Nothing to save yet",
                "Load data first, then train and save.".to_owned(),
            );
            return;
        }
        if self.use_native_dialogs {
            self.dialog = Some(DialogJob::spawn(
                ctx,
                frame,
                purpose,
                &self.default_weights_name(),
            ));
        } else {
            self.open_path_field(purpose, None);
        }
    }

    pub(super) fn open_path_field(&mut self, purpose: PathPurpose, note: Option<String>) {
        let text = match purpose {
            PathPurpose::SaveWeights => std::env::current_dir()
                .map(|dir| dir.join(self.default_weights_name()).display().to_string())
                .unwrap_or_else(|_| self.default_weights_name()),
            PathPurpose::ExportHistory => std::env::current_dir()
                .map(|dir| dir.join("nanograd-history.csv").display().to_string())
                .unwrap_or_default(),
            PathPurpose::OpenCsv | PathPurpose::LoadWeights => String::new(),
        };
        self.path_field = Some(PathField::new(purpose, text, note));
    }

    /// `<data set>.safetensors`.
    fn default_weights_name(&self) -> String {
        let name = loader::source_name(&self.settings.data);
        let stem = Path::new(&name).file_stem().map_or_else(
            || "model".to_owned(),
            |stem| stem.to_string_lossy().into_owned(),
        );
        let stem: String = stem
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{stem}.safetensors")
    }

    pub(super) fn on_path_chosen(
        &mut self,
        ctx: &egui::Context,
        purpose: PathPurpose,
        path: PathBuf,
    ) {
        match purpose {
            PathPurpose::OpenCsv => self.load(ctx, loader::file_source(path)),
            PathPurpose::SaveWeights if path.extension().is_none() => {
                let path = path.with_extension("safetensors");
                if path.exists() {
                    // A native dialog asked about the name without the extension: the file
                    // with it is another one, and replacing it is asked about here.
                    self.path_field = Some(PathField::new(
                        purpose,
                        path.display().to_string(),
                        Some("Weights files end in .safetensors.".to_owned()),
                    ));
                } else {
                    self.send(Command::SaveModel(path));
                }
            }
            PathPurpose::SaveWeights => self.send(Command::SaveModel(path)),
            PathPurpose::LoadWeights => {
                self.is_training = false;
                self.send(Command::LoadModel(path));
            }
            PathPurpose::ExportHistory => self.export_history(&path),
        }
    }
}

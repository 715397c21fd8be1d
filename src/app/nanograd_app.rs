//! The app itself: runtime state, the frame layout, and the actions panels return.
//!
//! `App::logic` drains the worker, the loader and the dialog (it also runs while the window is
//! covered, so progress never freezes); `App::ui` calls [`NanogradApp::show`], which draws and
//! collects [`Action`]s, then applies them. Tests drive the same two entry points.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::data::{Dataset, RowReport, Table};

use super::dialogs::{DialogJob, DialogOutcome, PathField, PathFieldAction, PathPurpose};
use super::loader::{self, LoadJob, Poll};
use super::panels::{self, Action, ControlsView, shortcuts};
use super::plots::{self, format_loss};
use super::session::{Command, Session};
use super::snapshot::{DataView, Event, PauseReason, Prediction, Snapshot};
use super::state::{DataSource, STORAGE_KEY, Settings, SyntheticSettings};

/// How the app is started.
pub struct AppOptions {
    pub settings: Settings,
    /// Use the system's file dialogs; off in tests, which type paths instead.
    pub use_native_dialogs: bool,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            settings: Settings::default(),
            use_native_dialogs: true,
        }
    }
}

/// A message shown in the window until dismissed.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub is_error: bool,
    pub title: String,
    pub message: String,
}

/// Most notices kept on screen; older ones drop off.
const MAX_NOTICES: usize = 4;

pub struct NanogradApp {
    settings: Settings,
    session: Option<Session>,
    use_native_dialogs: bool,

    dataset: Option<Arc<Dataset>>,
    table: Option<Arc<Table>>,
    report: Option<RowReport>,
    load_job: Option<LoadJob>,
    /// Fall back to the built-in set if this load fails (the first load at start-up).
    is_first_load: bool,

    data_view: Option<Arc<DataView>>,
    snapshot: Option<Box<Snapshot>>,
    is_training: bool,
    play_when_ready: bool,

    synthetic_draft: SyntheticSettings,
    dialog: Option<DialogJob>,
    path_field: Option<PathField>,
    notices: Vec<Notice>,
    frames: u64,
}

impl NanogradApp {
    /// The desktop app: settings from eframe's storage, native dialogs.
    pub fn new(cc: &eframe::CreationContext<'_>) -> Self {
        let settings = cc
            .storage
            .and_then(|storage| eframe::get_value::<Settings>(storage, STORAGE_KEY))
            .unwrap_or_default();
        Self::with_options(
            &cc.egui_ctx,
            AppOptions {
                settings,
                use_native_dialogs: true,
            },
        )
    }

    pub fn with_options(ctx: &egui::Context, options: AppOptions) -> Self {
        let settings = options.settings.sanitized();
        apply_style(ctx, &settings);
        let mut app = Self {
            synthetic_draft: match &settings.data {
                DataSource::Synthetic(synthetic) => synthetic.clone(),
                _ => SyntheticSettings::default(),
            },
            settings,
            session: None,
            use_native_dialogs: options.use_native_dialogs,
            dataset: None,
            table: None,
            report: None,
            load_job: None,
            is_first_load: true,
            data_view: None,
            snapshot: None,
            is_training: false,
            play_when_ready: false,
            dialog: None,
            path_field: None,
            notices: Vec::new(),
            frames: 0,
        };
        app.start_session(ctx);
        app.start_first_load(ctx);
        app
    }

    fn start_session(&mut self, ctx: &egui::Context) {
        match Session::spawn(ctx) {
            Ok(session) => {
                session.send(Command::SetPace(self.settings.pace));
                self.session = Some(session);
            }
            Err(err) => self.error(
                "Could not start training",
                format!("The training thread did not start: {err}. Close other programs and restart Nanograd."),
            ),
        }
    }

    /// Load the remembered data; built-in sets load before the first frame so Train works at
    /// once, files load in the background.
    fn start_first_load(&mut self, ctx: &egui::Context) {
        let source = self.settings.data.clone();
        if let DataSource::File { path, .. } = &source
            && !path.is_file()
        {
            self.info(
                "Last data file not found",
                format!(
                    "{} is no longer there, so the built-in sample set is shown instead. \
                     Open another file with Open CSV….",
                    path.display()
                ),
            );
            self.settings.data = DataSource::default();
            return self.start_first_load(ctx);
        }
        let job = loader::spawn(ctx, source);
        if matches!(self.settings.data, DataSource::File { .. }) {
            self.load_job = Some(job);
            return;
        }
        match job.wait(Duration::from_secs(10)) {
            Some(result) => self.on_loaded(ctx, result),
            None => self.error(
                "Could not load the sample set",
                "Loading took too long. Open a CSV file instead.".to_owned(),
            ),
        }
    }

    // ---------------------------------------------------------------------------------------
    // Read-only views, used by the tests.

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn is_training(&self) -> bool {
        self.is_training
    }

    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_deref()
    }

    /// Epochs done by the main run, as last reported.
    pub fn epoch(&self) -> usize {
        self.main_run().map_or(0, |run| run.epoch)
    }

    /// Points pushed into the main run's loss history.
    pub fn loss_points(&self) -> u64 {
        self.main_run().map_or(0, |run| run.history.n_pushed())
    }

    /// Parameters of the model the worker is training.
    pub fn n_parameters(&self) -> Option<usize> {
        self.main_run().map(|run| run.network.n_parameters)
    }

    /// The prediction curve currently drawn (one input).
    pub fn prediction_curve(&self) -> Option<Vec<[f64; 2]>> {
        match &self.main_run()?.prediction {
            Prediction::Curve { points } => Some(points.iter().map(|p| [p.x, p.y]).collect()),
            _ => None,
        }
    }

    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    pub fn dataset(&self) -> Option<&Dataset> {
        self.dataset.as_deref()
    }

    pub fn is_loading(&self) -> bool {
        self.load_job.is_some()
    }

    /// Frames drawn so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// True while the worker thread runs; stays readable after the app is dropped.
    pub fn worker_alive_flag(&self) -> Option<Arc<AtomicBool>> {
        self.session.as_ref().map(Session::alive_flag)
    }

    /// Stop and join the worker (what closing the window does).
    pub fn shutdown(&mut self) {
        if let Some(session) = &mut self.session {
            session.shutdown();
        }
    }

    fn main_run(&self) -> Option<&super::snapshot::RunSnapshot> {
        self.snapshot.as_ref()?.main_run()
    }

    // ---------------------------------------------------------------------------------------
    // Logic: everything that must advance even when the window is not drawn.

    /// Drain the worker, the loader and the dialog.
    pub fn update_logic(&mut self, ctx: &egui::Context) {
        if let Some(job) = &self.load_job
            && let Poll::Done(result) = job.poll()
        {
            self.load_job = None;
            self.on_loaded(ctx, *result);
        }
        if let Some(dialog) = &self.dialog
            && let Some(outcome) = dialog.poll()
        {
            let purpose = dialog.purpose;
            self.dialog = None;
            match outcome {
                DialogOutcome::Picked(path) => self.on_path_chosen(ctx, purpose, path),
                DialogOutcome::Cancelled => {}
                DialogOutcome::Unavailable => self.open_path_field(
                    purpose,
                    Some(
                        "No file dialog is available on this system: type the path instead."
                            .to_owned(),
                    ),
                ),
            }
        }
        self.drain_worker(ctx);
    }

    fn drain_worker(&mut self, ctx: &egui::Context) {
        let Some(session) = &self.session else {
            return;
        };
        let (events, is_alive) = match session.drain_events() {
            Ok(events) => (events, true),
            Err(events) => (events, false),
        };
        for event in events {
            self.on_event(event);
        }
        if !is_alive {
            self.session = None;
            self.is_training = false;
            self.error(
                "The training thread stopped unexpectedly",
                "It was restarted from the seed. If this happens again, try a smaller network \
                 or other data."
                    .to_owned(),
            );
            self.start_session(ctx);
            self.reset_model();
        }
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::DataView(view) => self.data_view = Some(view),
            Event::Snapshot(snapshot) => self.snapshot = Some(snapshot),
            Event::Paused { reason } => {
                self.is_training = false;
                match reason {
                    PauseReason::EpochLimit { epoch } => self.info(
                        "Epoch limit reached",
                        format!(
                            "Training paused after {epoch} epochs. Raise or untick the epoch \
                             limit in the Optimizer panel to go on, or press Reset."
                        ),
                    ),
                    PauseReason::Diverged { message } => {
                        self.error("Training diverged", message);
                    }
                }
            }
            Event::Saved { path } => {
                self.info("Weights saved", path.display().to_string());
            }
            Event::ModelLoaded {
                path,
                hidden_sizes,
                activation,
            } => {
                self.is_training = false;
                self.settings.network.hidden_sizes = hidden_sizes;
                self.settings.network.activation = activation;
                self.info(
                    "Weights loaded",
                    format!(
                        "{}: the network panel and the curve show the loaded model. Press Train to continue.",
                        path.display()
                    ),
                );
            }
            Event::Failed { what, message } => self.error(&what, message),
        }
    }

    fn on_loaded(
        &mut self,
        ctx: &egui::Context,
        result: Result<loader::Loaded, loader::LoadFailure>,
    ) {
        let was_first_load = std::mem::replace(&mut self.is_first_load, false);
        match result {
            Ok(loaded) => {
                self.settings.data = loaded.source;
                if let DataSource::Synthetic(synthetic) = &self.settings.data {
                    self.synthetic_draft = synthetic.clone();
                }
                self.table = loaded.table;
                self.report = loaded.report;
                self.dataset = Some(loaded.dataset);
                self.reset_model();
                if std::mem::take(&mut self.play_when_ready) {
                    self.set_playing(true);
                }
            }
            Err(failure) => {
                self.error("Could not use the data", failure.message);
                if let Some(table) = failure.table {
                    // Keep the table so other columns can be chosen; training goes on with the
                    // previous data until then.
                    self.settings.data = failure.source;
                    self.table = Some(table);
                    self.report = None;
                }
                if was_first_load && self.dataset.is_none() {
                    self.info(
                        "Showing the built-in data",
                        "The remembered data could not be used, so the built-in sample set is \
                         loaded instead."
                            .to_owned(),
                    );
                    self.settings.data = DataSource::default();
                    self.start_first_load(ctx);
                }
            }
        }
    }

    fn send(&mut self, command: Command) {
        let is_sent = self
            .session
            .as_ref()
            .is_some_and(|session| session.send(command));
        if !is_sent && self.session.is_some() {
            // The worker is gone; `drain_worker` notices at the next frame and restarts it.
            self.is_training = false;
        }
    }

    fn reset_model(&mut self) {
        let Some(dataset) = self.dataset.clone() else {
            return;
        };
        let config = self.settings.train_config();
        self.send(Command::Reset { dataset, config });
        self.send(Command::SetEpochLimit(self.settings.optimizer.epoch_limit));
    }

    fn set_playing(&mut self, is_playing: bool) {
        if is_playing && self.dataset.is_none() {
            self.play_when_ready = true;
            return;
        }
        self.is_training = is_playing;
        self.send(if is_playing {
            Command::Play
        } else {
            Command::Pause
        });
    }

    fn error(&mut self, title: &str, message: String) {
        self.push_notice(Notice {
            is_error: true,
            title: title.to_owned(),
            message,
        });
    }

    fn info(&mut self, title: &str, message: String) {
        self.push_notice(Notice {
            is_error: false,
            title: title.to_owned(),
            message,
        });
    }

    fn push_notice(&mut self, notice: Notice) {
        if self.notices.last() == Some(&notice) {
            return;
        }
        self.notices.push(notice);
        if self.notices.len() > MAX_NOTICES {
            self.notices.remove(0);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Actions.

    fn apply(&mut self, ctx: &egui::Context, frame: Option<&eframe::Frame>, action: Action) {
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
            Action::SetLearningRate(learning_rate) => {
                self.send(Command::SetLearningRate(learning_rate))
            }
            Action::SetEpochLimit(limit) => self.send(Command::SetEpochLimit(limit)),
            Action::SetPace(pace) => self.send(Command::SetPace(pace)),
            Action::TogglePlay => self.set_playing(!self.is_training && !self.play_when_ready),
            Action::StepEpoch => {
                self.is_training = false;
                self.send(Command::StepEpoch);
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

    fn open_path_field(&mut self, purpose: PathPurpose, note: Option<String>) {
        let text = match purpose {
            PathPurpose::SaveWeights => std::env::current_dir()
                .map(|dir| dir.join(self.default_weights_name()).display().to_string())
                .unwrap_or_else(|_| self.default_weights_name()),
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

    fn on_path_chosen(&mut self, ctx: &egui::Context, purpose: PathPurpose, path: PathBuf) {
        match purpose {
            PathPurpose::OpenCsv => self.load(ctx, loader::file_source(path)),
            PathPurpose::SaveWeights => {
                let path = if path.extension().is_none() {
                    path.with_extension("safetensors")
                } else {
                    path
                };
                self.send(Command::SaveModel(path));
            }
            PathPurpose::LoadWeights => {
                self.is_training = false;
                self.send(Command::LoadModel(path));
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // UI.

    /// The whole window. `frame` is `None` in tests (no native window to parent dialogs to).
    pub fn show(&mut self, ui: &mut egui::Ui, frame: Option<&eframe::Frame>) {
        self.frames += 1;
        let ctx = ui.ctx().clone();
        let mut actions = self.shortcuts(&ctx);
        actions.extend(self.dropped_files(&ctx));

        egui::Panel::top("menu-bar").show(ui, |ui| {
            actions.extend(self.menu_bar_ui(ui));
        });
        egui::Panel::top("toolbar").show(ui, |ui| {
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                actions.extend(panels::controls_ui(
                    ui,
                    &ControlsView {
                        is_training: self.is_training || self.play_when_ready,
                        is_ready: self.dataset.is_some() || self.load_job.is_some(),
                    },
                    &mut self.settings.pace,
                ));
            });
            ui.add_space(2.0);
            self.status_ui(ui);
            ui.add_space(4.0);
        });
        egui::Panel::left("settings-panel")
            .resizable(true)
            .default_size(340.0)
            .min_size(260.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    actions.extend(self.settings_ui(ui));
                });
            });
        egui::CentralPanel::default().show(ui, |ui| {
            actions.extend(self.notices_ui(ui));
            self.plots_ui(ui);
        });

        if let Some(field) = &mut self.path_field {
            match field.window_ui(&ctx) {
                Some(PathFieldAction::Confirm(path)) => {
                    let purpose = field.purpose;
                    self.path_field = None;
                    self.on_path_chosen(&ctx, purpose, path);
                }
                Some(PathFieldAction::Close) => self.path_field = None,
                None => {}
            }
        }
        drop_hint_ui(&ctx);

        for action in actions {
            self.apply(&ctx, frame, action);
        }
        if self.load_job.is_some() || self.dialog.is_some() {
            // Keep the progress bar moving even if the loader's repaints are throttled.
            ctx.request_repaint_after(Duration::from_millis(100));
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) -> Vec<Action> {
        let mut actions = Vec::new();
        let typing = ctx.egui_wants_keyboard_input();
        ctx.input_mut(|input| {
            if input.consume_shortcut(&shortcuts::OPEN) {
                actions.push(Action::OpenDialog(PathPurpose::OpenCsv));
            }
            if input.consume_shortcut(&shortcuts::SAVE) {
                actions.push(Action::OpenDialog(PathPurpose::SaveWeights));
            }
            if input.consume_shortcut(&shortcuts::RESET) {
                actions.push(Action::ResetModel);
            }
            if !typing {
                if input.consume_key(egui::Modifiers::NONE, egui::Key::Space) {
                    actions.push(Action::TogglePlay);
                }
                if input.consume_shortcut(&shortcuts::STEP) {
                    actions.push(Action::StepEpoch);
                }
            }
        });
        actions
    }

    fn dropped_files(&mut self, ctx: &egui::Context) -> Vec<Action> {
        let dropped = ctx.input(|input| input.raw.dropped_files.clone());
        dropped
            .into_iter()
            .find_map(|file| {
                let path = file.path();
                (!path.as_os_str().is_empty()).then(|| path.to_path_buf())
            })
            .map(|path| Action::LoadSource(loader::file_source(path)))
            .into_iter()
            .collect()
    }

    fn menu_bar_ui(&mut self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut actions = Vec::new();
        let ctx = ui.ctx().clone();
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui
                    .add(
                        egui::Button::new("Open CSV…")
                            .shortcut_text(ctx.format_shortcut(&shortcuts::OPEN)),
                    )
                    .clicked()
                {
                    actions.push(Action::OpenDialog(PathPurpose::OpenCsv));
                }
                if ui.button("Open CSV by path…").clicked() {
                    actions.push(Action::OpenPathField(PathPurpose::OpenCsv));
                }
                ui.menu_button("Sample data", |ui| {
                    for sample in crate::data::samples() {
                        if ui
                            .button(sample.name)
                            .on_hover_text(sample.description)
                            .clicked()
                        {
                            actions.push(Action::LoadSource(DataSource::Sample {
                                name: sample.name.to_owned(),
                                columns: None,
                            }));
                        }
                    }
                });
                ui.separator();
                if ui
                    .add(
                        egui::Button::new("Save weights…")
                            .shortcut_text(ctx.format_shortcut(&shortcuts::SAVE)),
                    )
                    .clicked()
                {
                    actions.push(Action::OpenDialog(PathPurpose::SaveWeights));
                }
                if ui.button("Save weights to path…").clicked() {
                    actions.push(Action::OpenPathField(PathPurpose::SaveWeights));
                }
                if ui.button("Load weights…").clicked() {
                    actions.push(Action::OpenDialog(PathPurpose::LoadWeights));
                }
                if ui.button("Load weights from path…").clicked() {
                    actions.push(Action::OpenPathField(PathPurpose::LoadWeights));
                }
                ui.separator();
                if ui.button("Quit").clicked() {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("Training", |ui| {
                let play = if self.is_training { "Pause" } else { "Train" };
                if ui
                    .add(egui::Button::new(play).shortcut_text("Space"))
                    .clicked()
                {
                    actions.push(Action::TogglePlay);
                }
                if ui
                    .add(
                        egui::Button::new("Step one epoch")
                            .shortcut_text(ctx.format_shortcut(&shortcuts::STEP)),
                    )
                    .clicked()
                {
                    actions.push(Action::StepEpoch);
                }
                if ui
                    .add(
                        egui::Button::new("Reset")
                            .shortcut_text(ctx.format_shortcut(&shortcuts::RESET)),
                    )
                    .clicked()
                {
                    actions.push(Action::ResetModel);
                }
            });
            ui.menu_button("View", |ui| {
                ui.checkbox(&mut self.settings.view.log_loss, "Log-scale loss");
                let mut is_dark = self.settings.view.is_dark;
                if ui.checkbox(&mut is_dark, "Dark theme").changed() {
                    self.settings.view.is_dark = is_dark;
                    apply_style(&ctx, &self.settings);
                }
                ui.separator();
                if ui.button("Larger text").clicked() {
                    self.settings.view.zoom = (self.settings.view.zoom + 0.1).min(3.0);
                    ctx.set_zoom_factor(self.settings.view.zoom);
                }
                if ui.button("Smaller text").clicked() {
                    self.settings.view.zoom = (self.settings.view.zoom - 0.1).max(0.6);
                    ctx.set_zoom_factor(self.settings.view.zoom);
                }
                if ui.button("Default text size").clicked() {
                    self.settings.view.zoom = super::state::ViewSettings::default().zoom;
                    ctx.set_zoom_factor(self.settings.view.zoom);
                }
            });
            ui.menu_button("Help", |ui| {
                ui.label("Space: train / pause");
                ui.label(format!(
                    "{}: one epoch",
                    ctx.format_shortcut(&shortcuts::STEP)
                ));
                ui.label(format!("{}: reset", ctx.format_shortcut(&shortcuts::RESET)));
                ui.label(format!(
                    "{}: open a CSV",
                    ctx.format_shortcut(&shortcuts::OPEN)
                ));
                ui.label(format!(
                    "{}: save weights",
                    ctx.format_shortcut(&shortcuts::SAVE)
                ));
                ui.label("Drop a CSV file onto the window to load it.");
                ui.label("Plots: drag to pan, Ctrl+scroll to zoom, double-click to fit.");
            });
        });
        actions
    }

    fn status_ui(&self, ui: &mut egui::Ui) {
        let text = match self.main_run() {
            Some(run) => {
                let mut text = format!(
                    "Epoch {}    {} steps/s    loss {}",
                    run.epoch,
                    panels::thousands(run.steps_per_second.round() as usize),
                    format_loss(f64::from(run.train_loss))
                );
                if let Some(loss) = run.validation_loss {
                    text.push_str(&format!(" (validation {})", format_loss(f64::from(loss))));
                }
                text.push_str(&format!("    R² {:.3}", run.train_r2));
                if let Some(r2) = run.validation_r2 {
                    text.push_str(&format!(" (validation {r2:.3})"));
                }
                text
            }
            None if self.load_job.is_some() => "Loading data…".to_owned(),
            None => "No model yet: load data to start.".to_owned(),
        };
        ui.label(egui::RichText::new(text).size(19.0).strong())
            .on_hover_text(
                "Loss in standardised units (what the optimizer minimises); R² in the data's units",
            );
    }

    fn settings_ui(&mut self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut actions = Vec::new();
        egui::CollapsingHeader::new(egui::RichText::new("Data").heading())
            .default_open(true)
            .show(ui, |ui| {
                let source_name = loader::source_name(&self.settings.data);
                let view = panels::DataView {
                    source: &self.settings.data,
                    source_name: &source_name,
                    table: self.table.as_deref(),
                    report: self.report.as_ref(),
                    n_train: self.data_view.as_ref().map_or(0, |view| view.n_train),
                    n_validation: self.data_view.as_ref().map_or(0, |view| view.n_validation),
                    loading: self
                        .load_job
                        .as_ref()
                        .map(|job| (job.label.as_str(), job.progress())),
                };
                actions.extend(panels::data_ui(
                    ui,
                    &view,
                    &mut self.settings.val_fraction,
                    &mut self.synthetic_draft,
                ));
            });
        egui::CollapsingHeader::new(egui::RichText::new("Network").heading())
            .default_open(true)
            .show(ui, |ui| {
                let n_inputs = self
                    .dataset
                    .as_ref()
                    .map_or(1, |dataset| dataset.n_inputs());
                actions.extend(panels::network_ui(ui, &mut self.settings.network, n_inputs));
            });
        egui::CollapsingHeader::new(egui::RichText::new("Optimizer").heading())
            .default_open(true)
            .show(ui, |ui| {
                actions.extend(panels::optimizer_ui(ui, &mut self.settings.optimizer));
            });
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui
                .button("Save weights…")
                .on_hover_text(format!(
                    "Save the network to a .safetensors file ({})",
                    ui.ctx().format_shortcut(&shortcuts::SAVE)
                ))
                .clicked()
            {
                actions.push(Action::OpenDialog(PathPurpose::SaveWeights));
            }
            if ui
                .button("Load weights…")
                .on_hover_text("Continue from a .safetensors file saved by Nanograd")
                .clicked()
            {
                actions.push(Action::OpenDialog(PathPurpose::LoadWeights));
            }
        });
        actions
    }

    fn notices_ui(&mut self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut dismissed = None;
        for (index, notice) in self.notices.iter().enumerate() {
            let color = if notice.is_error {
                ui.visuals().error_fg_color
            } else {
                ui.visuals().hyperlink_color
            };
            egui::Frame::group(ui.style())
                .stroke(egui::Stroke::new(2.0, color))
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.vertical(|ui| {
                            ui.label(egui::RichText::new(&notice.title).strong().color(color));
                            ui.label(&notice.message);
                        });
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::TOP), |ui| {
                            if ui
                                .button("Dismiss")
                                .on_hover_text("Hide this message")
                                .clicked()
                            {
                                dismissed = Some(index);
                            }
                        });
                    });
                });
        }
        if let Some(index) = dismissed {
            self.notices.remove(index);
        }
        Vec::new()
    }

    fn plots_ui(&mut self, ui: &mut egui::Ui) {
        let run = self.main_run().cloned();
        let data_view = self.data_view.clone();
        let available = ui.available_height();
        let fit_height = (available * 0.58).max(120.0);
        ui.allocate_ui(egui::vec2(ui.available_width(), fit_height), |ui| {
            plots::fit_plot_ui(ui, data_view.as_deref(), run.as_ref());
        });
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new("Loss").strong());
            ui.checkbox(&mut self.settings.view.log_loss, "Log scale")
                .on_hover_text("Plot log10 of the loss, so late small gains stay visible");
        });
        plots::loss_plot_ui(ui, run.as_ref(), self.settings.view.log_loss);
    }
}

/// A full-window hint while a file is dragged over.
fn drop_hint_ui(ctx: &egui::Context) {
    let is_hovering = ctx.input(|input| !input.raw.hovered_files.is_empty());
    if !is_hovering {
        return;
    }
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("drop-hint"),
    ));
    let rect = ctx.content_rect();
    painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(160));
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        "Drop the CSV file to load it",
        egui::FontId::proportional(32.0),
        egui::Color32::WHITE,
    );
}

/// Big, high-contrast text for a projector.
fn apply_style(ctx: &egui::Context, settings: &Settings) {
    ctx.set_zoom_factor(settings.view.zoom);
    ctx.set_theme(if settings.view.is_dark {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    });
    ctx.all_styles_mut(|style| {
        use egui::{FontFamily, FontId, TextStyle};
        style.text_styles = [
            (
                TextStyle::Heading,
                FontId::new(20.0, FontFamily::Proportional),
            ),
            (TextStyle::Body, FontId::new(14.5, FontFamily::Proportional)),
            (
                TextStyle::Monospace,
                FontId::new(14.0, FontFamily::Monospace),
            ),
            (
                TextStyle::Button,
                FontId::new(14.5, FontFamily::Proportional),
            ),
            (
                TextStyle::Small,
                FontId::new(11.5, FontFamily::Proportional),
            ),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
        style.spacing.slider_width = 150.0;
    });
}

impl eframe::App for NanogradApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.update_logic(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.show(ui, Some(frame));
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, &self.settings);
    }

    fn on_exit(&mut self) {
        self.shutdown();
    }
}

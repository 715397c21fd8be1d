//! The app itself: runtime state, start-up, and what the worker and the loader report.
//!
//! `App::logic` drains the worker, the loader and the dialog (it also runs while the window is
//! covered, so progress never freezes); `App::ui` calls [`NanogradApp::show`] (in `layout.rs`),
//! which draws and collects actions, then applies them (`actions.rs`). Tests drive the same two
//! entry points.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::data::{Dataset, RowReport, Table};

use super::advice::AdviceDesk;
use super::dialogs::{DialogJob, DialogOutcome, PathField};
use super::history::{HISTORY_KEY, HistoryEntry, RunHistory};
use super::inspector::Inspector;
use super::l2_choice::L2Desk;
use super::layout::LayoutReport;
use super::loader::{self, LoadJob, Poll};
use super::notices::{Notice, Notices, Topic};
use super::panels::FormulaDraft;
use super::session::{Command, Session};
use super::snapshot::{DataView, Event, Snapshot};
use super::state::{
    DataSource, FormulaSettings, L2Setting, STORAGE_KEY, Settings, SyntheticSettings,
};
use super::style::apply_style;
use crate::train::DEFAULT_EPOCHS;

/// How the app is started.
pub struct AppOptions {
    pub settings: Settings,
    /// Use the system's file dialogs; off in tests, which type paths instead.
    pub use_native_dialogs: bool,
    /// The run history as stored, and the folder of its weights files (`None`: in memory).
    pub history: Vec<HistoryEntry>,
    pub history_folder: Option<PathBuf>,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            settings: Settings::default(),
            use_native_dialogs: true,
            history: Vec::new(),
            history_folder: None,
        }
    }
}

pub struct NanogradApp {
    pub(super) settings: Settings,
    pub(super) session: Option<Session>,
    pub(super) use_native_dialogs: bool,

    pub(super) dataset: Option<Arc<Dataset>>,
    pub(super) table: Option<Arc<Table>>,
    pub(super) report: Option<RowReport>,
    pub(super) load_job: Option<LoadJob>,
    /// Fall back to the built-in set if this load fails (the first load at start-up).
    pub(super) is_first_load: bool,

    pub(super) data_view: Option<Arc<DataView>>,
    pub(super) snapshot: Option<Box<Snapshot>>,
    pub(super) is_training: bool,
    pub(super) play_when_ready: bool,

    pub(super) synthetic_draft: SyntheticSettings,
    pub(super) formula_draft: FormulaDraft,
    pub(super) dialog: Option<DialogJob>,
    pub(super) path_field: Option<PathField>,
    pub(super) notices: Notices,
    pub(super) frames: u64,
    /// Where the last frame put the plots, for the tests.
    pub(super) layout: LayoutReport,
    pub(super) inspector: Inspector,
    pub(super) advice_desk: AdviceDesk,
    pub(super) is_race_window_open: bool,
    pub(super) history: RunHistory,
    pub(super) is_history_window_open: bool,
    /// Help → Glossary, open with the text typed into its filter.
    pub(super) glossary_filter: Option<String>,
    /// The cross-validated L2 penalty, when the Optimizer panel says Auto.
    pub(super) l2_desk: L2Desk,
}

impl NanogradApp {
    /// The desktop app: settings from eframe's storage, native dialogs; `file` is the data to
    /// open instead of the remembered data.
    pub fn new(cc: &eframe::CreationContext<'_>, file: Option<PathBuf>) -> Self {
        let mut settings: Settings = cc
            .storage
            .and_then(|storage| eframe::get_value::<Settings>(storage, STORAGE_KEY))
            .unwrap_or_default();
        if let Some(path) = file {
            settings.data = loader::file_source(path);
        }
        let history = cc
            .storage
            .and_then(|storage| eframe::get_value::<Vec<HistoryEntry>>(storage, HISTORY_KEY))
            .unwrap_or_default();
        Self::with_options(
            &cc.egui_ctx,
            AppOptions {
                settings,
                use_native_dialogs: true,
                history,
                history_folder: eframe::storage_dir(super::APP_ID)
                    .map(|folder| folder.join("history")),
            },
        )
    }

    pub fn with_options(ctx: &egui::Context, options: AppOptions) -> Self {
        let settings = options.settings.sanitized();
        apply_style(ctx, &settings.view);
        let mut app = Self {
            synthetic_draft: match &settings.data {
                DataSource::Synthetic(synthetic) => synthetic.clone(),
                _ => SyntheticSettings::default(),
            },
            formula_draft: FormulaDraft::new(match &settings.data {
                DataSource::Formula(formula) => formula.clone(),
                _ => FormulaSettings::default(),
            }),
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
            notices: Notices::default(),
            frames: 0,
            layout: LayoutReport::default(),
            inspector: Inspector::default(),
            advice_desk: AdviceDesk::default(),
            is_race_window_open: false,
            history: RunHistory::new(options.history, options.history_folder),
            is_history_window_open: false,
            glossary_filter: None,
            l2_desk: L2Desk::new(ctx),
        };
        app.start_session(ctx);
        app.start_first_load(ctx);
        app
    }

    fn start_session(&mut self, ctx: &egui::Context) {
        match Session::spawn(ctx) {
            Ok(session) => {
                session.send(Command::SetPace(self.settings.pace()));
                self.session = Some(session);
                self.inspector.forget_sent();
            }
            Err(err) => self.error(
                Topic::Training,
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
            self.note(
                Topic::General,
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
                Topic::Data,
                "Could not load the sample set",
                "Loading took too long. Open a CSV file instead.".to_owned(),
            ),
        }
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
        if let Some(finished) = self.l2_desk.poll() {
            self.on_l2_chosen(finished);
        }
        self.drain_worker(ctx);
        if ctx.input(|input| input.viewport().close_requested()) {
            // eframe saves the settings and the history after this frame.
            self.keep_runs_before_closing();
        }
    }

    /// Stops the worker, and keeps the runs it was training in the history: closing the
    /// window ends them as a Reset would.
    pub fn keep_runs_before_closing(&mut self) {
        let Some(mut session) = self.session.take() else {
            return;
        };
        session.shutdown();
        let events = session.drain_events().unwrap_or_else(|events| events);
        for event in events {
            if let Event::RunsFinished(runs) = event {
                for run in runs {
                    self.history.add(run);
                }
            }
        }
        self.is_training = false;
    }

    fn on_l2_chosen(&mut self, finished: super::l2_choice::Finished) {
        if finished.result.is_ok() {
            // The model waited at its initial weights: start it again with the penalty.
            self.reset_model();
        }
        if std::mem::take(&mut self.play_when_ready) {
            self.set_playing(true);
        }
        // Said after Play, which clears what was said about training.
        match finished.result {
            Ok(choice) => {
                if choice.chosen_by == crate::train::ChosenBy::CrossValidation {
                    self.good_news(
                        Topic::Training,
                        "Regularisation chosen",
                        format!(
                            "{} ({:.1} s). Set a penalty in the Optimizer panel to choose \
                             yourself.",
                            capitalised(&choice.describe()),
                            finished.seconds
                        ),
                    );
                }
            }
            Err(message) => {
                self.error(Topic::Training, "Could not choose the L2 penalty", message);
            }
        }
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
        self.follow_live_advice();
        if !is_alive {
            self.session = None;
            self.is_training = false;
            self.error(
                Topic::Training,
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
            Event::DataView(view) => {
                let is_new_data = self
                    .data_view
                    .as_ref()
                    .is_none_or(|old| old.x_names != view.x_names || old.y_name != view.y_name);
                if is_new_data {
                    self.inspector.clear_for_new_model();
                }
                self.data_view = Some(view);
            }
            Event::Snapshot(snapshot) => self.snapshot = Some(snapshot),
            Event::BatchStepped(change) => self.inspector.batch_change = Some(*change),
            Event::Paused { run, reason } => {
                self.is_training = false;
                self.on_stopped(run, reason);
            }
            Event::RunStopped { run, reason } => self.on_stopped(Some(run), reason),
            Event::RunsFinished(runs) => {
                for run in runs {
                    self.history.add(run);
                }
            }
            Event::Saved { path } => {
                self.good_news(Topic::Weights, "Weights saved", path.display().to_string());
            }
            Event::ModelLoaded {
                path,
                hidden_sizes,
                activation,
            } => {
                self.is_training = false;
                self.settings.network.hidden_sizes = hidden_sizes;
                self.settings.network.activation = activation;
                self.notices.clear(Topic::Training);
                self.good_news(
                    Topic::Weights,
                    "Weights loaded",
                    format!(
                        "{}: the network panel and the curve show the loaded model. Press Train to continue.",
                        path.display()
                    ),
                );
            }
            Event::Failed {
                topic,
                what,
                message,
            } => self.error(topic, &what, message),
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
                match &self.settings.data {
                    DataSource::Synthetic(synthetic) => self.synthetic_draft = synthetic.clone(),
                    DataSource::Formula(formula) => self.formula_draft.settings = formula.clone(),
                    DataSource::Sample { .. } | DataSource::File { .. } => {}
                }
                self.table = loaded.table;
                self.report = loaded.report;
                self.dataset = Some(loaded.dataset);
                // What was said about earlier data or the training on it no longer holds.
                self.notices.clear(Topic::Data);
                self.reset_model();
                if std::mem::take(&mut self.play_when_ready) {
                    self.set_playing(true);
                }
            }
            Err(failure) => {
                if let DataSource::Formula(formula) = &failure.source {
                    self.formula_draft.failed(formula);
                }
                self.error(Topic::Data, "Could not use the data", failure.message);
                if let Some(table) = failure.table {
                    // Keep the table so other columns can be chosen; training goes on with the
                    // previous data until then.
                    self.settings.data = failure.source;
                    self.table = Some(table);
                    self.report = None;
                }
                if was_first_load && self.dataset.is_none() {
                    self.note(
                        Topic::General,
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

    pub(super) fn send(&mut self, command: Command) {
        let is_sent = self
            .session
            .as_ref()
            .is_some_and(|session| session.send(command));
        if !is_sent && self.session.is_some() {
            // The worker is gone; `drain_worker` notices at the next frame and restarts it.
            self.is_training = false;
        }
    }

    pub(super) fn reset_model(&mut self) {
        let Some(dataset) = self.dataset.clone() else {
            return;
        };
        // A fresh network: "diverged" and "epoch limit reached" were about the old one.
        self.notices.clear(Topic::Training);
        let mut configs = self.settings.train_configs();
        let l2 = match self.settings.optimizer.l2 {
            L2Setting::Fixed(l2) => {
                self.l2_desk.cancel();
                l2
            }
            // Chosen for the run the CLI would train (its epochs, at most the limit); until
            // then the network waits at its initial weights, unpenalised, and Train waits.
            L2Setting::Auto => {
                let epochs = self
                    .settings
                    .optimizer
                    .epoch_limit
                    .map_or(DEFAULT_EPOCHS, |limit| limit.min(DEFAULT_EPOCHS));
                self.l2_desk
                    .choice_for(&dataset, &configs[0], epochs)
                    .map_or(0.0, |choice| choice.l2)
            }
        };
        // Raced runs share the main run's penalty, so the race compares what it says it does.
        for config in &mut configs {
            config.l2 = l2;
        }
        self.send(Command::Reset { dataset, configs });
        self.send(Command::SetStopRules(self.settings.optimizer.stop_rules()));
        // Train was pressed while a choice ran that is no longer needed (Auto unticked).
        if self.play_when_ready && !self.l2_desk.is_choosing() {
            self.set_playing(true);
        }
    }

    pub(super) fn set_playing(&mut self, is_playing: bool) {
        if is_playing && (self.dataset.is_none() || self.l2_desk.is_choosing()) {
            self.play_when_ready = true;
            return;
        }
        self.play_when_ready = false;
        self.is_training = is_playing;
        if is_playing {
            self.notices.clear(Topic::Training);
        }
        self.send(if is_playing {
            Command::Play
        } else {
            Command::Pause
        });
    }

    pub(super) fn error(&mut self, topic: Topic, title: &str, message: String) {
        self.push_notice(topic, title, message, true, false);
    }

    /// Something to know that stays until dismissed or no longer true.
    pub(super) fn note(&mut self, topic: Topic, title: &str, message: String) {
        self.push_notice(topic, title, message, false, false);
    }

    /// Good news that fades by itself.
    fn good_news(&mut self, topic: Topic, title: &str, message: String) {
        self.push_notice(topic, title, message, false, true);
    }

    fn push_notice(
        &mut self,
        topic: Topic,
        title: &str,
        message: String,
        is_error: bool,
        fades: bool,
    ) {
        self.notices.push(Notice {
            topic,
            is_error,
            title: title.to_owned(),
            message,
            fades,
            action: None,
        });
    }
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
        eframe::set_value(storage, HISTORY_KEY, &self.history.entries());
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.shutdown();
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

//! What the app shows, read back: the settings, the latest snapshot, the layout, the messages.
//! The tests read the app through these; the UI code uses a few of them too.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::data::Dataset;

use super::layout::LayoutReport;
use super::nanograd_app::NanogradApp;
use super::notices::Notice;
use super::session::Session;
use super::snapshot::{DataView, InsideSnapshot, Prediction, Probe, RunSnapshot, Snapshot};
use super::state::Settings;

impl NanogradApp {
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

    /// The data as the worker split it, as last reported.
    pub fn data_view(&self) -> Option<&DataView> {
        self.data_view.as_deref()
    }

    /// The inside of the main run, as last reported.
    pub fn inside(&self) -> Option<&InsideSnapshot> {
        self.main_run()?.inside.as_deref()
    }

    /// The diagram's `(column, unit)` whose arithmetic is open.
    pub fn selected_neuron(&self) -> Option<(usize, usize)> {
        self.inspector.selected
    }

    /// The input the inside views show, when one was chosen.
    pub fn probe(&self) -> Option<&Probe> {
        self.inspector.probe.as_ref()
    }

    /// The run history, newest first.
    pub fn history(&self) -> &[super::history::HistoryEntry] {
        self.history.entries()
    }

    /// The messages on screen, oldest first.
    pub fn notices(&self) -> Vec<Notice> {
        self.notices.iter().cloned().collect()
    }

    /// The text in the typed-path window, while it is open.
    pub fn path_field_text(&self) -> Option<&str> {
        self.path_field.as_ref().map(|field| field.text.as_str())
    }

    /// Where the last frame drew the plots.
    pub fn layout(&self) -> &LayoutReport {
        &self.layout
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

    /// True while the L2 penalty is being cross-validated (Train waits for it).
    pub fn is_choosing_l2(&self) -> bool {
        self.l2_desk.is_choosing()
    }

    /// The automatic L2 penalty chosen for what is being trained, once known.
    pub fn chosen_l2(&self) -> Option<&crate::train::L2Choice> {
        self.l2_desk.last_choice()
    }

    pub(super) fn l2_status(&self) -> super::panels::L2Status {
        super::panels::L2Status {
            progress: self.l2_desk.progress(),
            chosen: self
                .l2_desk
                .last_choice()
                .map(|choice| (choice.l2, choice.describe())),
        }
    }

    pub(super) fn main_run(&self) -> Option<&RunSnapshot> {
        self.snapshot.as_ref()?.main_run()
    }
}

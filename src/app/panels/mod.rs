//! The side panels and the toolbar. Each is a small `*_ui` function that edits a narrow piece of
//! state and returns [`Action`]s; the app runs them after the frame. Panels never talk to the
//! worker, never load files, and never compute anything heavier than a parameter count.

mod controls_ui;
mod data_ui;
mod formula_ui;
mod network_ui;
mod optimizer_ui;

pub use controls_ui::{ControlsView, controls_ui};
pub use data_ui::{DataView, data_ui, sample_items_ui};
pub use formula_ui::{FormulaDraft, formula_ui};
pub use network_ui::network_ui;
pub use optimizer_ui::{L2Status, optimizer_ui};

use super::dialogs::PathPurpose;
use super::state::{ColumnChoice, DataSource};

/// What the user asked for; applied by the app after the frame.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Open the system file dialog for a purpose (falls back to the path field).
    OpenDialog(PathPurpose),
    /// Open the typed-path window.
    OpenPathField(PathPurpose),
    LoadSource(DataSource),
    SelectColumns(ColumnChoice),
    CancelLoading,
    /// Rebuild the model from the seed with the current settings.
    ResetModel,
    SetLearningRate(f32),
    /// The epoch limit, target loss or early stopping changed.
    SetStopRules,
    /// Pause and keep the current weights (early stopping does not go back to the best).
    StopKeepingWeights,
    /// Optimizer steps per second, or `None` for full speed.
    SetPace(Option<f32>),
    TogglePlay,
    StepEpoch,
    /// Train one mini-batch and show what it changed.
    StepBatch,
    /// Turn the projector view on or off.
    SetProjector(bool),
    /// The view settings changed (theme, text size): restyle the app.
    ApplyStyle,
    /// Show or hide the settings panel.
    ToggleSettingsPanel,
    /// Open the computation graph of the probe's data point.
    ShowGraph,
    /// Check the engine's gradients on the current network and data, off the UI thread.
    VerifyEngine,
    /// Open the window that sets up runs side by side.
    ShowRace,
    /// Open the run history.
    ShowHistory,
    /// Open Help → Glossary.
    ShowGlossary,
}

/// Keyboard shortcuts, shown in tooltips and menus.
pub mod shortcuts {
    use egui::{Key, KeyboardShortcut, Modifiers};

    pub const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
    pub const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
    pub const RESET: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::R);
    pub const STEP: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::Period);
    pub const STEP_BATCH: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::Comma);
    /// F5 starts a slide show in presentation programs; here it starts the projector view.
    pub const PROJECTOR: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F5);
}

/// `label` then a widget tied to it for screen readers (and for tests that find it by name).
fn labelled(
    ui: &mut egui::Ui,
    label: &str,
    add_widget: impl FnOnce(&mut egui::Ui) -> egui::Response,
) -> egui::Response {
    let shown = ui.label(label);
    // A label that names a term explains it, in the glossary's words.
    let shown = match super::glossary::find(label) {
        Some(entry) => shown.on_hover_text(entry.meaning),
        None => shown,
    };
    let response = add_widget(ui).labelled_by(shown.id);
    ui.end_row();
    response
}

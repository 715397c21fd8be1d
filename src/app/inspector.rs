//! What the user is looking at inside the network: the probe input (a slider per input column,
//! or a clicked data point), the neuron whose arithmetic is open, the unit under the pointer,
//! and the windows of the inside views. Turns that into the [`InsideRequest`] the worker
//! computes pictures for.

use std::sync::mpsc::{Receiver, TryRecvError};

use crate::data::Dataset;
use crate::inside::{CheckError, EngineCheck, check_engine};
use crate::train::{BatchChange, Model};

use super::snapshot::{DataView, InsideRequest, Probe};
use super::state::{LowerView, ViewSettings};
use super::views::graph_view::GraphViewState;

#[derive(Default)]
pub struct Inspector {
    /// `None`: the middle of the data.
    pub probe: Option<Probe>,
    /// The diagram's `(column, unit)` whose arithmetic window is open.
    pub selected: Option<(usize, usize)>,
    /// The unit under the pointer last frame, in the fit plot or the diagram, as a diagram
    /// `(column, unit)`: each view highlights it in the other.
    pub hovered: Option<(usize, usize)>,
    pub is_graph_open: bool,
    /// Pan and zoom of the graph window.
    pub graph_view: GraphViewState,
    /// The engine check, running or done, while its window is open.
    pub engine_check: Option<EngineCheckJob>,
    /// What the last "Step batch" changed, while its window is open.
    pub batch_change: Option<BatchChange>,
    /// The request the worker has, so that it is sent only when it changes.
    sent: Option<InsideRequest>,
}

impl Inspector {
    pub fn request(&self, view: &ViewSettings, data: Option<&DataView>) -> InsideRequest {
        let n_inputs = data.map_or(1, |data| data.x_names.len());
        InsideRequest {
            probe: self.probe.clone(),
            selected: self.selected,
            want_unit_curves: (view.is_unit_curves_shown && n_inputs == 1)
                || view.lower_view == LowerView::Units,
            curve_input: view.curve_input.min(n_inputs.saturating_sub(1)),
            want_graph: self.is_graph_open,
            want_rows: view.lower_view == LowerView::Errors,
        }
    }

    /// The request to send, when it differs from the one the worker has.
    pub fn take_changed(&mut self, request: InsideRequest) -> Option<InsideRequest> {
        if self.sent.as_ref() == Some(&request) {
            return None;
        }
        self.sent = Some(request.clone());
        Some(request)
    }

    /// Forgets what the worker has (a new worker, or a reset that rebuilt the network).
    pub fn forget_sent(&mut self) {
        self.sent = None;
    }

    /// A new data set or network: the old probe and selection may not exist any more.
    pub fn clear_for_new_model(&mut self) {
        self.probe = None;
        self.selected = None;
        self.hovered = None;
    }
}

/// One slider per input column over its data range, added to the caller's (wrapping) row;
/// returns a new probe when one moved.
pub fn probe_sliders_ui(
    ui: &mut egui::Ui,
    data: &DataView,
    current: &[f32],
    row_width: f32,
) -> Option<Probe> {
    if current.len() != data.x_names.len() || data.x_ranges.len() != current.len() {
        return None;
    }
    let mut x = current.to_vec();
    let mut changed = false;
    let text_width = |ui: &egui::Ui, text: &str| {
        let font = egui::TextStyle::Body.resolve(ui.style());
        ui.painter()
            .layout_no_wrap(text.to_owned(), font, egui::Color32::PLACEHOLDER)
            .size()
            .x
    };
    let number_box = 7.5 * ui.text_style_height(&egui::TextStyle::Body);
    let spacing = ui.spacing().item_spacing.x;
    for ((name, value), &(min, max)) in data.x_names.iter().zip(&mut x).zip(&data.x_ranges) {
        // A slider that fits the rest of the row beside its name and number box; set on the
        // caller's row, not a child scope, which would widen a wrapping row instead of wrapping.
        let rest = if data.x_names.len() == 1 {
            ui.available_width()
        } else {
            row_width / 2.0
        };
        ui.spacing_mut().slider_width =
            (rest - text_width(ui, name) - number_box - 3.0 * spacing).clamp(40.0, 160.0);
        let label = ui.label(name.as_str());
        let range = min as f32..=max as f32;
        // Three significant digits of the range: a long number box would push the row wide.
        let decimals = (2.0 - (max - min).abs().max(1e-9).log10().floor()).clamp(0.0, 6.0) as usize;
        let response = ui
            .add(
                egui::Slider::new(value, range)
                    .clamping(egui::SliderClamping::Never)
                    .max_decimals(decimals),
            )
            .labelled_by(label.id)
            .on_hover_text(
                "The input the diagram shows the network's values for: nodes are filled by \
                 their activation here. Click a data point in the plot above to choose it.",
            );
        changed |= response.changed();
    }
    changed.then_some(Probe { x, target: None })
}

/// Rows of the current data the engine check uses (the check itself uses at most 8).
const CHECK_ROWS: usize = 8;

/// The engine check, run on its own thread so that the window never waits for it.
pub struct EngineCheckJob {
    receiver: Option<Receiver<Result<EngineCheck, CheckError>>>,
    pub result: Option<Result<EngineCheck, CheckError>>,
}

impl EngineCheckJob {
    /// Starts the check of `model` on rows spread over `dataset`, standardised as the trainer
    /// sees them. `Err` when the thread could not start.
    pub fn spawn(ctx: &egui::Context, model: Model, dataset: &Dataset) -> std::io::Result<Self> {
        let n_rows = dataset.n_rows();
        let stride = n_rows.div_ceil(CHECK_ROWS).max(1);
        let rows: Vec<usize> = (0..n_rows).step_by(stride).take(CHECK_ROWS).collect();
        let mut x: Vec<f32> = rows
            .iter()
            .flat_map(|&row| dataset.x_row(row).iter().copied())
            .collect();
        let mut y: Vec<f32> = rows.iter().map(|&row| dataset.y[row]).collect();
        model.x_standardization.apply(&mut x);
        model.y_standardization.apply(&mut y);
        let (sender, receiver) = std::sync::mpsc::channel();
        let ctx = ctx.clone();
        std::thread::Builder::new()
            .name("nanograd-engine-check".to_owned())
            .spawn(move || {
                let result = check_engine(&model.mlp, &x, &y);
                // The window may have been closed meanwhile; then nobody waits for it.
                if sender.send(result).is_ok() {
                    ctx.request_repaint();
                }
            })?;
        Ok(Self {
            receiver: Some(receiver),
            result: None,
        })
    }

    /// Takes the result once the thread has sent it.
    pub fn poll(&mut self) {
        let Some(receiver) = &self.receiver else {
            return;
        };
        match receiver.try_recv() {
            Ok(result) => {
                self.result = Some(result);
                self.receiver = None;
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => {
                self.result = Some(Err(CheckError::Interrupted));
                self.receiver = None;
            }
        }
    }
}

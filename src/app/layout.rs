//! The frame: menu bar, toolbar with the status line, the settings panel on the left, and the
//! central area (`central.rs`), with the sizes they share.

use std::time::{Duration, Instant};

use egui::Rect;

use super::dialogs::PathFieldAction;
use super::loader;
use super::menus::menu_bar_ui;
use super::nanograd_app::NanogradApp;
use super::panels::{self, Action, ControlsView, shortcuts};
use super::status::{race_status_ui, status_ui};

/// Share of the plots' height that goes to the fit plot; the loss plot and the diagram share
/// the rest.
pub(super) const FIT_SHARE: f32 = 0.52;
/// The central area needs this many points for the plots' data areas, plus
/// [`PLOT_CHROME_LINES`] lines of text for legends, headers and axes; below that it scrolls
/// instead of squashing the plots into strips.
pub(super) const MIN_PLOT_AREAS: f32 = 340.0;
pub(super) const PLOT_CHROME_LINES: f32 = 6.0;
/// Narrower than this the legends wrap onto a second line each.
pub(super) const NARROW_PLOTS: f32 = 400.0;
/// The diagram's share of the bottom row.
pub(super) const DIAGRAM_SHARE: f32 = 0.42;
/// Narrower than this (in points) the diagram cannot be read and is left out, giving the loss
/// plot the whole row.
pub(super) const MIN_DIAGRAM_WIDTH: f32 = 260.0;

/// Where the last frame drew things, in points: read by tests to check that nothing is cut off.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LayoutReport {
    /// The window's content area.
    pub window: Option<Rect>,
    pub fit_plot: Option<Rect>,
    pub loss_plot: Option<Rect>,
    pub diagram: Option<Rect>,
    pub settings_panel: Option<Rect>,
    /// The window is too short for the plots, which then scroll.
    pub is_central_scrolling: bool,
    /// Where the diagram drew each node, `(column, unit)` and centre.
    pub diagram_nodes: Vec<((usize, usize), egui::Pos2)>,
    /// A training point `(x, y)` and where the fit plot drew it.
    pub sample_data_point: Option<((f32, f32), egui::Pos2)>,
}

impl NanogradApp {
    /// The whole window. `frame` is `None` in tests (no native window to parent dialogs to).
    pub fn show(&mut self, ui: &mut egui::Ui, frame: Option<&eframe::Frame>) {
        self.frames += 1;
        let ctx = ui.ctx().clone();
        self.layout = LayoutReport {
            window: Some(ctx.content_rect()),
            ..LayoutReport::default()
        };
        let mut actions = self.shortcuts(&ctx);
        actions.extend(dropped_files(&ctx));

        egui::Panel::top("menu-bar").show(ui, |ui| {
            actions.extend(menu_bar_ui(ui, &mut self.settings.view, self.is_training));
        });
        egui::Panel::top("toolbar").show(ui, |ui| {
            actions.extend(self.toolbar_ui(ui));
        });
        if self.settings.view.is_settings_panel_shown {
            // On a small window with large text the panel starts narrower, leaving the plots
            // at least 60 % of the width.
            let window_width = ctx.content_rect().width();
            let max_width = (window_width * 0.5).max(240.0);
            let panel = egui::Panel::left("settings-panel")
                .resizable(true)
                .default_size((window_width * 0.4).clamp(220.0, 290.0))
                .min_size(220.0)
                .max_size(max_width)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .auto_shrink(false)
                        .show(ui, |ui| actions.extend(self.settings_ui(ui)));
                });
            self.layout.settings_panel = Some(panel.response.rect);
        }
        egui::CentralPanel::default().show(ui, |ui| self.central_ui(ui));
        self.inside_windows(&ctx);
        actions.extend(self.history_window_ui(&ctx));
        super::views::glossary_window(&ctx, &mut self.glossary_filter);

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
        let request = self
            .inspector
            .request(&self.settings.view, self.data_view.as_deref());
        if let Some(request) = self.inspector.take_changed(request) {
            self.send(super::session::Command::SetInside(request));
        }
        if self.load_job.is_some() {
            // Keep the progress bar moving even if the loader's repaints are throttled.
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        if let Some(wait) = self.notices.expire(Instant::now()) {
            ctx.request_repaint_after(wait);
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) -> Vec<Action> {
        let mut actions = Vec::new();
        // While the path window is open, or a text field has the keyboard, every key is text.
        let is_typing = self.path_field.is_some() || ctx.egui_wants_keyboard_input();
        ctx.input_mut(|input| {
            if input.consume_shortcut(&shortcuts::OPEN) {
                actions.push(Action::OpenDialog(super::dialogs::PathPurpose::OpenCsv));
            }
            if input.consume_shortcut(&shortcuts::SAVE) {
                actions.push(Action::OpenDialog(super::dialogs::PathPurpose::SaveWeights));
            }
            if is_typing {
                return;
            }
            if input.consume_shortcut(&shortcuts::RESET) {
                actions.push(Action::ResetModel);
            }
            if input.consume_shortcut(&shortcuts::PROJECTOR) {
                actions.push(Action::SetProjector(!self.settings.view.is_projector));
            }
            if input.consume_key(egui::Modifiers::NONE, egui::Key::Space) {
                actions.push(Action::TogglePlay);
            }
            if input.consume_shortcut(&shortcuts::STEP) {
                actions.push(Action::StepEpoch);
            }
            if input.consume_shortcut(&shortcuts::STEP_BATCH) {
                actions.push(Action::StepBatch);
            }
        });
        actions
    }

    fn toolbar_ui(&mut self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut actions = Vec::new();
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().slider_width = 110.0;
            let is_shown = self.settings.view.is_settings_panel_shown;
            if ui
                .add(egui::Button::new("Settings").selected(is_shown))
                .on_hover_text("Show or hide the data, network and optimizer settings")
                .clicked()
            {
                actions.push(Action::ToggleSettingsPanel);
            }
            ui.separator();
            actions.extend(panels::controls_ui(
                ui,
                &ControlsView {
                    is_training: self.is_training || self.play_when_ready,
                    is_ready: self.dataset.is_some() || self.load_job.is_some(),
                    is_compact: self.settings.view.is_projector,
                },
                &mut self.settings.steps_per_second,
                &mut self.settings.is_full_speed,
            ));
        });
        ui.add_space(2.0);
        let runs = self
            .snapshot
            .as_ref()
            .map_or(&[][..], |snapshot| &snapshot.runs[..]);
        if let Some(done) = self.l2_desk.progress() {
            // In place of the numbers, which stand still meanwhile: why nothing moves yet.
            choosing_l2_ui(ui, done, self.play_when_ready);
        } else if runs.len() > 1 {
            let style = super::style::ViewStyle::new(&self.settings.view);
            race_status_ui(ui, runs, &style);
        } else {
            status_ui(
                ui,
                self.main_run(),
                self.data_view.as_deref(),
                self.load_job.is_some(),
                self.settings.view.is_projector,
            );
        }
        ui.add_space(4.0);
        actions
    }

    fn settings_ui(&mut self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut actions = Vec::new();
        // Sliders give up width when the panel is narrowed, so the panel can be narrowed
        // (a label and a number box take the rest of a row).
        let label_and_value = 11.0 * ui.text_style_height(&egui::TextStyle::Body);
        ui.spacing_mut().slider_width = (ui.available_width() - label_and_value).clamp(60.0, 150.0);
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
                ui.collapsing("Formula", |ui| {
                    panels::formula_ui(ui, &mut self.formula_draft, &mut actions);
                });
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
                let has_validation = self.settings.val_fraction > 0.0;
                let l2_status = self.l2_status();
                actions.extend(panels::optimizer_ui(
                    ui,
                    &mut self.settings.optimizer,
                    has_validation,
                    &l2_status,
                ));
            });
        ui.add_space(8.0);
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("Save weights…")
                .on_hover_text(format!(
                    "Save the network to a .safetensors file ({})",
                    ui.ctx().format_shortcut(&shortcuts::SAVE)
                ))
                .clicked()
            {
                actions.push(Action::OpenDialog(super::dialogs::PathPurpose::SaveWeights));
            }
            if ui
                .button("Load weights…")
                .on_hover_text("Continue from a .safetensors file saved by Nanograd")
                .clicked()
            {
                actions.push(Action::OpenDialog(super::dialogs::PathPurpose::LoadWeights));
            }
        });
        ui.add_space(8.0);
        actions
    }
}

fn dropped_files(ctx: &egui::Context) -> Vec<Action> {
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

/// The status line while the L2 penalty is being chosen.
fn choosing_l2_ui(ui: &mut egui::Ui, done: f32, is_waiting_to_train: bool) {
    let size = ui.text_style_height(&egui::TextStyle::Body) * 1.25;
    ui.horizontal_wrapped(|ui| {
        ui.add(egui::Spinner::new().size(size));
        let then = if is_waiting_to_train {
            "; training starts when it is done"
        } else {
            ""
        };
        ui.label(
            egui::RichText::new(format!(
                "Choosing the L2 penalty by cross-validation… {:.0} %{then}",
                done * 100.0
            ))
            .size(size)
            .strong(),
        )
        .on_hover_text(
            "Auto in the Optimizer panel: 5-fold cross-validation on the training rows, as \
             nanograd train does. Untick Auto to set the penalty yourself.",
        );
    });
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_millis(200));
}

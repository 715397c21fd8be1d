//! The central area: the messages, then the fit plot above, and below it the loss plot (or the
//! gradients or the units plot) beside the network diagram, sharing the height explicitly, so
//! that on a 1024×768 projector, or with larger text, no plot runs past the bottom of the
//! window or shrinks to a strip.

use egui::{Rect, UiBuilder, pos2, vec2};

use super::inspector::probe_sliders_ui;
use super::layout::{
    DIAGRAM_SHARE, FIT_SHARE, MIN_DIAGRAM_WIDTH, MIN_PLOT_AREAS, NARROW_PLOTS, PLOT_CHROME_LINES,
};
use super::nanograd_app::NanogradApp;
use super::snapshot::{Prediction, Probe};
use super::state::LowerView;
use super::style::ViewStyle;
use super::views::diagram::DiagramModel;
use super::views::gradient_plot::gradient_plot_ui;
use super::views::{
    CheckView, FitInside, FitPlotOutput, Ghost, RunCurve, batch_window, check_window,
    error_plot_ui, fit_plot_ui, graph_window, loss_plot_ui, network_view_ui, neuron_window,
    race_window, run_color, run_name, units_plot_ui,
};
use crate::train::GradientHistory;

impl NanogradApp {
    /// Messages on top, then the fit plot, then the loss plot beside the network diagram.
    pub(super) fn central_ui(&mut self, ui: &mut egui::Ui) {
        if !self.notices.is_empty() {
            let response = self.notices.ui(ui);
            self.on_notice_response(response);
            ui.add_space(4.0);
        }
        let height = ui.available_height();
        // The loss plot has the narrower share of the width: its header wraps first.
        let chrome_lines = if ui.available_width() * (1.0 - DIAGRAM_SHARE) < NARROW_PLOTS {
            PLOT_CHROME_LINES + 2.0
        } else {
            PLOT_CHROME_LINES
        };
        let min_height =
            MIN_PLOT_AREAS + chrome_lines * ui.text_style_height(&egui::TextStyle::Body);
        self.layout.is_central_scrolling = height < min_height;
        if self.layout.is_central_scrolling {
            // A small window with large text: the plots keep a readable size and the area
            // scrolls, rather than squashing them into strips.
            // The scroll bar takes its width from the plots, not the other way round; in a
            // window zoomed in so far that the settings panel leaves less than the bar, the
            // plots get no width rather than a negative one.
            let width = (ui.available_width() - ui.spacing().scroll.allocated_width()).max(0.0);
            egui::ScrollArea::vertical()
                .id_salt("plots-scroll")
                .auto_shrink(false)
                .show(ui, |ui| self.plots_ui(ui, vec2(width, min_height)));
        } else {
            self.plots_ui(ui, ui.available_size());
        }
    }

    /// The fit plot above, the loss plot (or another lower view) and the diagram below, in
    /// `size` points.
    fn plots_ui(&mut self, ui: &mut egui::Ui, size: egui::Vec2) {
        let style = ViewStyle::new(&self.settings.view);
        let area = Rect::from_min_size(ui.cursor().min, size);
        let gap = ui.spacing().item_spacing.y * 2.0;
        let fit_height = ((area.height() - gap) * FIT_SHARE).max(0.0);
        let fit_area = Rect::from_min_size(area.min, vec2(area.width(), fit_height));
        let bottom = Rect::from_min_max(pos2(area.left(), fit_area.bottom() + gap), area.max);

        let run = self.main_run().cloned();
        let runs = self
            .snapshot
            .as_ref()
            .map(|snapshot| snapshot.runs.clone())
            .unwrap_or_default();
        let inside = run.as_ref().and_then(|run| run.inside.clone());
        let data_view = self.data_view.clone();
        let x_names = data_view
            .as_ref()
            .map(|view| view.x_names.clone())
            .unwrap_or_default();
        let y_name = data_view
            .as_ref()
            .map_or_else(String::new, |view| view.y_name.clone());
        // Diagram columns: inputs, hidden layers, output.
        let last_hidden_column = inside
            .as_ref()
            .map(|inside| inside.model.mlp.n_layers() - 1)
            .filter(|&column| column > 0);
        let mut hovered = None;

        let prediction = run
            .as_ref()
            .map_or(&Prediction::None, |run| &run.prediction);
        let is_one_input = data_view
            .as_ref()
            .is_some_and(|view| view.x_names.len() == 1);
        let race: Vec<RunCurve<'_>> = if runs.len() > 1 {
            runs.iter()
                .enumerate()
                .filter_map(|(index, run)| match &run.prediction {
                    Prediction::Curve { points } => Some(RunCurve {
                        name: run_name(run),
                        label: &run.label,
                        color: run_color(&style, index),
                        points,
                    }),
                    _ => None,
                })
                .collect()
        } else {
            Vec::new()
        };
        let fit_inside = FitInside {
            race,
            curves: inside
                .as_ref()
                .and_then(|inside| inside.curves.as_ref())
                .filter(|curves| curves.input == 0),
            highlight_unit: self
                .inspector
                .hovered
                .filter(|(column, _)| Some(*column) == last_hidden_column)
                .map(|(_, unit)| unit),
            probe_x: inside
                .as_ref()
                .filter(|_| is_one_input)
                .and_then(|inside| inside.explanation.x.first().copied()),
        };
        let is_units_shown = &mut self.settings.view.is_unit_curves_shown;
        let mut fit_output = FitPlotOutput::default();
        scoped(ui, fit_area, |ui| {
            fit_output = fit_plot_ui(
                ui,
                data_view.as_deref(),
                prediction,
                &style,
                is_units_shown,
                &fit_inside,
            );
            fit_output.rect
        });
        self.layout.fit_plot = fit_output.rect;
        self.layout.sample_data_point = fit_output.sample_point;
        if let (Some(unit), Some(column)) = (fit_output.hovered_unit, last_hidden_column) {
            hovered = Some((column, unit));
        }
        if let Some((x, y)) = fit_output.clicked_point {
            self.inspector.probe = Some(Probe {
                x: vec![x],
                target: Some(y),
            });
        }

        let is_diagram_shown = self.settings.view.is_diagram_shown
            && bottom.width() * DIAGRAM_SHARE >= MIN_DIAGRAM_WIDTH;
        let lower_width = if is_diagram_shown {
            bottom.width() * (1.0 - DIAGRAM_SHARE)
        } else {
            bottom.width()
        };
        let lower_area = Rect::from_min_size(bottom.min, vec2(lower_width, bottom.height()));
        let mut units_hovered = None;
        let shown_lower_view = self.settings.view.lower_view;
        let mut chosen_lower_view = shown_lower_view;
        let mut tabs = |ui: &mut egui::Ui| lower_view_tabs_ui(ui, &mut chosen_lower_view);
        let ghosts: Vec<Ghost<'_>> = self
            .history
            .entries()
            .iter()
            .filter(|entry| entry.is_ghost)
            .map(|entry| Ghost {
                name: format!("history run #{}", entry.id + 1),
                curve: &entry.curve,
            })
            .collect();
        let view_settings = &mut self.settings.view;
        let hovered_before = self.inspector.hovered;
        self.layout.loss_plot = scoped(ui, lower_area, |ui| match shown_lower_view {
            LowerView::Loss => loss_plot_ui(
                ui,
                &runs,
                &ghosts,
                &mut view_settings.log_loss,
                &style,
                &mut tabs,
            ),
            LowerView::Gradients => {
                let empty = GradientHistory::new(2);
                let history = run.as_ref().map_or(&empty, |run| &*run.gradients);
                gradient_plot_ui(
                    ui,
                    history,
                    &mut view_settings.gradient_measure,
                    &style,
                    &mut tabs,
                )
            }
            LowerView::Units => {
                let activation = inside.as_ref().map_or_else(String::new, |inside| {
                    inside.model.mlp.activation().to_string()
                });
                let output = units_plot_ui(
                    ui,
                    inside.as_ref().and_then(|inside| inside.curves.as_ref()),
                    &x_names,
                    &y_name,
                    &activation,
                    &mut view_settings.units_layer,
                    &mut view_settings.curve_input,
                    hovered_before,
                    &style,
                    &mut tabs,
                );
                units_hovered = output.as_ref().and_then(|output| output.hovered);
                output.map(|output| output.rect)
            }
            LowerView::Errors => {
                let rows = run.as_ref().and_then(|run| run.rows.as_deref());
                let kind = &mut view_settings.error_plot;
                error_plot_ui(ui, kind, rows, &y_name, &style, &mut tabs)
            }
        });
        self.settings.view.lower_view = chosen_lower_view;
        hovered = hovered.or(units_hovered);

        if is_diagram_shown {
            let gap_x = ui.spacing().item_spacing.x * 2.0;
            let diagram_area =
                Rect::from_min_max(pos2(lower_area.right() + gap_x, bottom.top()), bottom.max);
            let (hidden_sizes, activation) = match &run {
                Some(run) => {
                    let sizes = &run.network.layer_sizes;
                    let hidden = sizes
                        .get(1..sizes.len().saturating_sub(1))
                        .unwrap_or_default()
                        .to_vec();
                    (hidden, run.network.activation)
                }
                None => (
                    self.settings.network.hidden_sizes.clone(),
                    self.settings.network.activation,
                ),
            };
            let model = DiagramModel {
                x_names: &x_names,
                y_name: &y_name,
                hidden_sizes: &hidden_sizes,
                activation,
            };
            let highlight = self.inspector.hovered;
            let selected = self.inspector.selected;
            let mut new_probe = None;
            let mut interaction = None;
            self.layout.diagram = scoped(ui, diagram_area, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label(egui::RichText::new("Network").strong())
                        .on_hover_text(
                            "Inputs on the left, the prediction on the right. Edges: blue positive \
                         and orange negative weights, wider for larger ones. Nodes: filled by \
                         their activation for the input chosen below. Hover for the numbers; \
                         click a node for its arithmetic.",
                        );
                    if let (Some(view), Some(inside)) = (data_view.as_deref(), inside.as_deref()) {
                        new_probe =
                            probe_sliders_ui(ui, view, &inside.explanation.x, diagram_area.width());
                    }
                });
                let activity = run.as_ref().and_then(|run| run.activity.as_deref());
                let shown = network_view_ui(
                    ui,
                    &model,
                    inside.as_deref(),
                    &style,
                    highlight,
                    selected,
                    activity,
                );
                let rect = shown.response.rect;
                interaction = Some(shown);
                Some(rect)
            });
            if let Some(probe) = new_probe {
                self.inspector.probe = Some(probe);
            }
            if let Some(interaction) = interaction {
                self.layout.diagram_nodes = interaction.node_centers;
                hovered = hovered.or(interaction.hovered_node);
                if let Some(clicked) = interaction.clicked_node {
                    self.inspector.selected = if self.inspector.selected == Some(clicked) {
                        None
                    } else {
                        Some(clicked).filter(|(column, _)| *column > 0)
                    };
                }
            }
        }
        self.inspector.hovered = hovered;
        ui.advance_cursor_after_rect(area);
    }

    /// The windows of the inside views: a neuron's arithmetic, the computation graph.
    pub(super) fn inside_windows(&mut self, ctx: &egui::Context) {
        if self.is_race_window_open {
            let style = ViewStyle::new(&self.settings.view);
            let changed = race_window(
                ctx,
                &mut self.is_race_window_open,
                &mut self.settings,
                &style,
            );
            if changed {
                self.reset_model();
            }
        }
        let inside = self.main_run().and_then(|run| run.inside.clone());
        if self.inspector.is_graph_open {
            let style = ViewStyle::new(&self.settings.view);
            let data_view = self.data_view.clone();
            let x_names = data_view.as_ref().map_or(&[][..], |view| &view.x_names[..]);
            let y_name = data_view.as_ref().map_or("", |view| view.y_name.as_str());
            graph_window(
                ctx,
                inside.as_ref().and_then(|inside| inside.graph.as_ref()),
                (x_names, y_name),
                &mut self.inspector.graph_view,
                &style,
                &mut self.inspector.is_graph_open,
            );
        }
        if let Some(job) = &mut self.inspector.engine_check {
            job.poll();
            let view = match &job.result {
                Some(result) => CheckView::Done(result),
                None => CheckView::Running,
            };
            let mut is_open = true;
            check_window(ctx, view, &mut is_open);
            if !is_open {
                self.inspector.engine_check = None;
            }
        }
        if let Some(change) = &self.inspector.batch_change {
            let mut is_open = true;
            batch_window(
                ctx,
                change,
                inside.as_ref().map(|inside| &inside.model),
                self.layout.loss_plot,
                &mut is_open,
            );
            if !is_open {
                self.inspector.batch_change = None;
            }
        }
        let arithmetic = inside.and_then(|inside| inside.arithmetic.clone());
        if let (Some(arithmetic), Some(_)) = (arithmetic, self.inspector.selected) {
            let mut is_open = true;
            neuron_window(ctx, &arithmetic, self.layout.loss_plot, &mut is_open);
            if !is_open {
                self.inspector.selected = None;
            }
        }
    }
}

/// Which plot shares the bottom row with the diagram.
fn lower_view_tabs_ui(ui: &mut egui::Ui, view: &mut LowerView) {
    ui.scope(|ui| {
        for (choice, name, hover) in [
            (
                LowerView::Loss,
                "Loss",
                "Training and validation loss over epochs: the mean squared error of the \
                 standardised target, what the optimizer minimises. 1 is as bad as always \
                 predicting the mean; 0 is a perfect fit.",
            ),
            (
                LowerView::Gradients,
                "Gradients",
                "Each layer's gradient norm (or update-to-weight ratio) over epochs, measured at \
                 the last step of each epoch on its weights. Lines fanning out over decades, the \
                 first layer lowest, are vanishing gradients; the first layer highest, exploding \
                 ones.",
            ),
            (
                LowerView::Units,
                "Units",
                "What each hidden unit computes along an input",
            ),
            (
                LowerView::Errors,
                "Errors",
                "Each row's error in the target's units: its prediction against its actual \
                 value (parity), or the error against the prediction (residuals)",
            ),
        ] {
            ui.selectable_value(view, choice, name).on_hover_text(hover);
        }
        // The plot's own controls follow: a line keeps them apart from the tabs.
        ui.separator();
    });
}

/// Run `add` in a child `Ui` confined to `rect`; returns what it reports.
fn scoped(
    ui: &mut egui::Ui,
    rect: Rect,
    add: impl FnOnce(&mut egui::Ui) -> Option<Rect>,
) -> Option<Rect> {
    ui.scope_builder(
        UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::top_down(egui::Align::Min)),
        |ui| {
            ui.set_clip_rect(rect.intersect(ui.clip_rect()));
            ui.set_max_width(rect.width());
            add(ui)
        },
    )
    .inner
}

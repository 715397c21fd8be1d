//! Training and validation loss over epochs, on a linear or a log scale.
//!
//! egui_plot has no log axis, so the log view plots log10(loss) and the axis labels show the
//! losses those stand for ([`super::ticks::log10_ticks`]). The loss is the mean squared error in
//! standardised units (what the optimizer minimises), and the axis title says so.

use egui_plot::{Line, LineStyle, PlotPoint, Text, VLine};

use super::super::numbers::format_loss;
use super::super::snapshot::RunSnapshot;
use super::super::style::ViewStyle;
use super::axes::{Scale, epoch_plot, with_axes};
use super::dashes::dashed_line_points;
use super::legend::{LegendItem, Symbol, legend_items_ui};
use crate::train::history::LossPoint;

/// Points of one loss curve, `[epoch, loss]` (log10 of the loss on the log scale).
type Curve = Vec<[f64; 2]>;

/// Smallest loss drawn on the log scale (a perfect fit would be log10(0)).
const LOG_FLOOR: f64 = 1e-12;

/// A finished run's training loss kept on the plot, faintly, from the run history.
pub struct Ghost<'a> {
    pub name: String,
    pub curve: &'a [LossPoint],
}

/// The header row (`title`, log-scale toggle, legend) and the plot below it. `title` draws the
/// start of the header (the tabs that choose this plot). With several runs (a race), each run's
/// losses take its colour, validation dashed; ghosts of finished runs are drawn thin and faint
/// under them.
pub fn loss_plot_ui(
    ui: &mut egui::Ui,
    runs: &[RunSnapshot],
    ghosts: &[Ghost<'_>],
    is_log: &mut bool,
    style: &ViewStyle,
    title: &mut dyn FnMut(&mut egui::Ui),
) -> Option<egui::Rect> {
    let has_validation = runs.iter().any(|run| run.validation_loss.is_some());
    let is_race = runs.len() > 1;
    let run_names: Vec<String> = runs.iter().map(run_name).collect();
    ui.horizontal_wrapped(|ui| {
        title(ui);
        ui.checkbox(is_log, "Log scale")
            .on_hover_text("Plot the loss on a log scale, so late small gains stay visible");
        let mut legend = Vec::new();
        if is_race {
            for (index, run) in runs.iter().enumerate() {
                legend.push(LegendItem {
                    symbol: Symbol::Line,
                    color: run_color(style, index),
                    name: &run_names[index],
                    hover: &run.label,
                });
            }
            if has_validation {
                legend.push(LegendItem {
                    symbol: Symbol::DashedLine,
                    color: style.guide,
                    name: "validation",
                    hover: "Dashed: each run's loss on the held-out rows",
                });
            }
        } else {
            legend.push(LegendItem {
                symbol: Symbol::Line,
                color: style.train,
                name: "training",
                hover: "Loss on the training rows",
            });
            if has_validation {
                legend.push(LegendItem {
                    symbol: Symbol::Line,
                    color: style.validation,
                    name: "validation",
                    hover: "Loss on the held-out rows",
                });
            }
        }
        if !ghosts.is_empty() {
            legend.push(LegendItem {
                symbol: Symbol::Line,
                color: ghost_color(style),
                name: "history",
                hover: "Training losses of runs kept in the run history (Run history… in the Training menu)",
            });
        }
        legend_items_ui(ui, &legend, style.line_width);
    });

    let is_log = *is_log;
    let transform = move |loss: f32| -> Option<f64> {
        let loss = f64::from(loss);
        if !loss.is_finite() {
            None
        } else if is_log {
            Some(loss.max(LOG_FLOOR).log10())
        } else {
            Some(loss)
        }
    };
    let curves: Vec<(Curve, Curve)> = runs
        .iter()
        .map(|run| {
            let mut train = Vec::with_capacity(run.history.len() + 1);
            let mut validation = Vec::new();
            for point in run.history.iter_with_latest() {
                if let Some(y) = transform(point.train_loss) {
                    train.push([point.epoch, y]);
                }
                if let Some(y) = point.validation_loss.and_then(transform) {
                    validation.push([point.epoch, y]);
                }
            }
            (train, validation)
        })
        .collect();
    // The header says the units; the axis title stays short so it fits a short plot.
    let (y_title, y_scale) = if is_log {
        ("loss", Scale::Log10)
    } else {
        ("loss", Scale::Linear)
    };
    let mut plot = epoch_plot("loss-plot", ui.available_width(), move |name, point| {
        loss_readout(name, point, is_log)
    });
    if !is_log {
        plot = plot.include_y(0.0);
    }
    let plot = with_axes(
        plot,
        style.font_size,
        ("epoch".to_owned(), Scale::Linear),
        (y_title.to_owned(), y_scale),
    );
    let markers = runs
        .first()
        .map(|run| run.markers.clone())
        .unwrap_or_default();
    // The labels stand at the top of the curves, not of the plot's bounds: a text counts in the
    // automatic bounds, so placing it at their top would raise them a little every frame.
    let top = curves
        .iter()
        .flat_map(|(train, validation)| train.iter().chain(validation))
        .map(|point| point[1])
        .fold(f64::NEG_INFINITY, f64::max);
    let top = if top.is_finite() { top } else { 1.0 };
    let ghost_lines: Vec<(String, Curve)> = ghosts
        .iter()
        .map(|ghost| {
            let curve = ghost
                .curve
                .iter()
                .filter_map(|point| Some([point.epoch, transform(point.train_loss)?]))
                .collect();
            (ghost.name.clone(), curve)
        })
        .collect();
    let response = plot.show(ui, |plot_ui| {
        for (name, curve) in ghost_lines {
            plot_ui.line(Line::new(name, curve).color(ghost_color(style)).width(1.0));
        }
        for marker in &markers {
            plot_ui.vline(
                VLine::new(marker.label.as_str(), marker.epoch)
                    .color(style.guide)
                    .style(LineStyle::dashed_loose())
                    .width(1.5),
            );
            plot_ui.text(
                Text::new(
                    marker.label.as_str(),
                    PlotPoint::new(marker.epoch, top),
                    egui::RichText::new(format!(" {}", marker.label)).color(style.guide),
                )
                .anchor(egui::Align2::LEFT_TOP),
            );
        }
        for (index, (train, validation)) in curves.into_iter().enumerate() {
            let (train_color, validation_color, validation_style) = if is_race {
                let color = run_color(style, index);
                (color, color, LineStyle::dashed_dense())
            } else {
                (style.train, style.validation, LineStyle::Solid)
            };
            let name = |what: &str| {
                if is_race {
                    format!("{} {what}", run_names[index])
                } else {
                    what.to_owned()
                }
            };
            plot_ui.line(
                Line::new(name("training loss"), train)
                    .color(train_color)
                    .width(style.line_width),
            );
            if !validation.is_empty() {
                let validation = if is_race {
                    dashed_line_points(&validation, plot_ui)
                } else {
                    validation
                };
                plot_ui.line(
                    Line::new(name("validation loss"), validation)
                        .color(validation_color)
                        .style(validation_style)
                        .width(style.line_width),
                );
            }
        }
    });
    Some(response.response.rect)
}

/// Faint enough to stay behind the current runs, visible on both themes.
fn ghost_color(style: &ViewStyle) -> egui::Color32 {
    style.guide.gamma_multiply(0.55)
}

/// A raced run's name in legends: its number and what sets it apart ("2: SGD 0.05").
pub fn run_name(run: &RunSnapshot) -> String {
    if run.label.is_empty() {
        format!("run {}", run.run_id.0 + 1)
    } else {
        format!("{}: {}", run.run_id.0 + 1, run.label)
    }
}

/// The series colours raced runs take, in order: vermillion, bluish green, reddish purple and
/// grey, leaving out blue and ochre, which the training and validation data wear, so that every
/// run's curve stands out on the data.
const RUN_SERIES: [usize; 4] = [1, 2, 3, 6];

/// Run `index`'s colour in a race.
pub fn run_color(style: &ViewStyle, index: usize) -> egui::Color32 {
    style.series[RUN_SERIES[index % RUN_SERIES.len()]]
}

fn loss_readout(name: &str, point: PlotPoint, is_log: bool) -> String {
    let loss = if is_log { 10f64.powf(point.y) } else { point.y };
    let label = if name.is_empty() { "loss" } else { name };
    format!("{label}\nepoch {:.1}\n{}", point.x, format_loss(loss))
}

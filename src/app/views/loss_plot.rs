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
use super::legend::{LegendItem, Symbol, legend_items_ui};

/// Smallest loss drawn on the log scale (a perfect fit would be log10(0)).
const LOG_FLOOR: f64 = 1e-12;

/// The header row (`title`, log-scale toggle, legend) and the plot below it. `title` draws the
/// start of the header (the tabs that choose this plot).
pub fn loss_plot_ui(
    ui: &mut egui::Ui,
    run: Option<&RunSnapshot>,
    is_log: &mut bool,
    style: &ViewStyle,
    title: &mut dyn FnMut(&mut egui::Ui),
) -> Option<egui::Rect> {
    let has_validation = run.is_some_and(|run| run.validation_loss.is_some());
    ui.horizontal_wrapped(|ui| {
        title(ui);
        ui.checkbox(is_log, "Log scale")
            .on_hover_text("Plot the loss on a log scale, so late small gains stay visible");
        let mut legend = vec![LegendItem {
            symbol: Symbol::Line,
            color: style.train,
            name: "training",
            hover: "Loss on the training rows",
        }];
        if has_validation {
            legend.push(LegendItem {
                symbol: Symbol::Line,
                color: style.validation,
                name: "validation",
                hover: "Loss on the held-out rows",
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
    let mut train = Vec::new();
    let mut validation = Vec::new();
    if let Some(run) = run {
        train.reserve(run.history.len() + 1);
        for point in run.history.iter_with_latest() {
            if let Some(y) = transform(point.train_loss) {
                train.push([point.epoch, y]);
            }
            if let Some(y) = point.validation_loss.and_then(transform) {
                validation.push([point.epoch, y]);
            }
        }
    }
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
    let markers = run.map(|run| run.markers.clone()).unwrap_or_default();
    // The labels stand at the top of the curves, not of the plot's bounds: a text counts in the
    // automatic bounds, so placing it at their top would raise them a little every frame.
    let top = train
        .iter()
        .chain(&validation)
        .map(|point| point[1])
        .fold(f64::NEG_INFINITY, f64::max);
    let top = if top.is_finite() { top } else { 1.0 };
    let response = plot.show(ui, |plot_ui| {
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
        plot_ui.line(
            Line::new("training loss", train)
                .color(style.train)
                .width(style.line_width),
        );
        if !validation.is_empty() {
            plot_ui.line(
                Line::new("validation loss", validation)
                    .color(style.validation)
                    .width(style.line_width),
            );
        }
    });
    Some(response.response.rect)
}

fn loss_readout(name: &str, point: PlotPoint, is_log: bool) -> String {
    let loss = if is_log { 10f64.powf(point.y) } else { point.y };
    let label = if name.is_empty() { "loss" } else { name };
    format!("{label}\nepoch {:.1}\n{}", point.x, format_loss(loss))
}

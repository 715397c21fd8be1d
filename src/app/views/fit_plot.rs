//! The data and the network's prediction: a curve over the x range (one input column), or
//! predicted against actual (several).
//!
//! Draws only what the worker sent ([`DataView`], [`Prediction`]); nothing here evaluates the
//! network.

use egui_plot::{Line, LineStyle, MarkerShape, Plot, Points, VLine};

use super::super::snapshot::{DataView, Prediction};
use super::super::style::ViewStyle;
use super::axes::{Scale, with_axes};
use super::legend::{LegendItem, Symbol, legend_ui};

pub fn fit_plot_ui(
    ui: &mut egui::Ui,
    data: Option<&DataView>,
    prediction: &Prediction,
    style: &ViewStyle,
) -> Option<egui::Rect> {
    let Some(data) = data else {
        ui.centered_and_justified(|ui| ui.label("Load data to see it here."));
        return None;
    };
    let rect = if data.x_names.len() == 1 {
        curve_plot_ui(ui, data, prediction, style)
    } else {
        versus_actual_plot_ui(ui, data, prediction, style)
    };
    Some(rect)
}

fn curve_plot_ui(
    ui: &mut egui::Ui,
    data: &DataView,
    prediction: &Prediction,
    style: &ViewStyle,
) -> egui::Rect {
    let mut legend = vec![LegendItem {
        symbol: Symbol::Dot,
        color: style.train,
        name: "training data",
        hover: "Rows the network learns from",
    }];
    if !data.validation_points.is_empty() {
        legend.push(LegendItem {
            symbol: Symbol::Diamond,
            color: style.validation,
            name: "validation data",
            hover: "Rows held out: the network never trains on them, so they show how well it generalises",
        });
    }
    legend.push(LegendItem {
        symbol: Symbol::Line,
        color: style.prediction,
        name: "network",
        hover: "The network's prediction for every x",
    });
    legend.push(LegendItem {
        symbol: Symbol::DashedLine,
        color: style.guide,
        name: "data range",
        hover: "Beyond these lines the network extrapolates: it has seen no data there",
    });
    legend_ui(ui, &legend, style.line_width);

    let x_name = data.x_names.first().cloned().unwrap_or_default();
    let plot = with_axes(
        Plot::new("fit-plot")
            .width(ui.available_width())
            .allow_scroll(false),
        style.font_size,
        (x_name, Scale::Linear),
        (data.y_name.clone(), Scale::Linear),
    );
    let response = plot.show(ui, |plot_ui| {
        if let Some((min, max)) = data.x_range {
            for x in [min, max] {
                plot_ui.vline(
                    VLine::new("data range", x)
                        .color(style.guide)
                        .style(LineStyle::dashed_loose())
                        .width(1.0),
                );
            }
        }
        plot_ui.points(
            Points::new("training data", &data.train_points[..])
                .color(style.train)
                .radius(style.marker_radius)
                .filled(true),
        );
        if !data.validation_points.is_empty() {
            plot_ui.points(
                Points::new("validation data", &data.validation_points[..])
                    .color(style.validation)
                    .shape(MarkerShape::Diamond)
                    .radius(style.marker_radius * 1.4)
                    .filled(false),
            );
        }
        if let Prediction::Curve { points } = prediction {
            plot_ui.line(
                Line::new("network", &points[..])
                    .color(style.prediction)
                    .width(style.line_width * 1.2),
            );
        }
    });
    response.response.rect
}

fn versus_actual_plot_ui(
    ui: &mut egui::Ui,
    data: &DataView,
    prediction: &Prediction,
    style: &ViewStyle,
) -> egui::Rect {
    let mut legend = vec![LegendItem {
        symbol: Symbol::Dot,
        color: style.train,
        name: "training rows",
        hover: "Each training row: its actual y across, the network's prediction up",
    }];
    if data.n_validation > 0 {
        legend.push(LegendItem {
            symbol: Symbol::Diamond,
            color: style.validation,
            name: "validation rows",
            hover: "Rows held out from training",
        });
    }
    legend.push(LegendItem {
        symbol: Symbol::DashedLine,
        color: style.guide,
        name: "perfect fit",
        hover: "Points on this line are predicted exactly",
    });
    legend_ui(ui, &legend, style.line_width);

    let plot = with_axes(
        Plot::new("versus-plot")
            .data_aspect(1.0)
            .allow_scroll(false),
        style.font_size,
        (format!("actual {}", data.y_name), Scale::Linear),
        (format!("predicted {}", data.y_name), Scale::Linear),
    );
    let response = plot.show(ui, |plot_ui| {
        let Prediction::VersusActual { train, validation } = prediction else {
            return;
        };
        let (min, max) = train
            .iter()
            .chain(validation)
            .flat_map(|point| [point.x, point.y])
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        if min.is_finite() && max.is_finite() {
            plot_ui.line(
                Line::new("perfect fit", vec![[min, min], [max, max]])
                    .color(style.guide)
                    .style(LineStyle::dashed_loose()),
            );
        }
        plot_ui.points(
            Points::new("training rows", &train[..])
                .color(style.train)
                .radius(style.marker_radius)
                .filled(true),
        );
        if !validation.is_empty() {
            plot_ui.points(
                Points::new("validation rows", &validation[..])
                    .color(style.validation)
                    .shape(MarkerShape::Diamond)
                    .radius(style.marker_radius * 1.4)
                    .filled(false),
            );
        }
    });
    response.response.rect
}

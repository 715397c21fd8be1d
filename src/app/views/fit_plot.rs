//! The data and the network's prediction: a curve over the x range (one input column), or
//! predicted against actual (several).
//!
//! Draws only what the worker sent ([`DataView`], [`Prediction`]); nothing here evaluates the
//! network.

use egui_plot::{Line, LineStyle, MarkerShape, Plot, PlotPoint, PlotUi, Points, VLine};

use super::super::snapshot::{DataView, Prediction, UnitCurveSet};
use super::super::style::ViewStyle;
use super::axes::{Scale, with_axes};
use super::dashes::dashed_line_points;
use super::legend::{LegendItem, Symbol, legend_items_ui, legend_ui};
use super::unit_curves::unit_curves_in_plot;

/// A data point is clicked when the pointer is this close to it, in points.
const CLICK_DISTANCE: f32 = 10.0;

/// What the inside views add to the fit plot (one input column).
#[derive(Default)]
pub struct FitInside<'a> {
    /// Each hidden unit's share, when the units are shown.
    pub curves: Option<&'a UnitCurveSet>,
    /// The unit hovered in the diagram, drawn boldly.
    pub highlight_unit: Option<usize>,
    /// The probe input, marked with a vertical line.
    pub probe_x: Option<f32>,
    /// When runs race side by side: each run's curve in its colour, instead of the one
    /// network curve.
    pub race: Vec<RunCurve<'a>>,
}

/// One raced run's prediction curve.
pub struct RunCurve<'a> {
    pub name: String,
    /// What sets the run apart, for the legend's tooltip.
    pub label: &'a str,
    pub color: egui::Color32,
    pub points: &'a [PlotPoint],
}

/// What happened on the fit plot this frame.
#[derive(Default)]
pub struct FitPlotOutput {
    pub rect: Option<egui::Rect>,
    /// The hidden unit whose curve is under the pointer.
    pub hovered_unit: Option<usize>,
    /// A data point clicked, `(x, y)`.
    pub clicked_point: Option<(f32, f32)>,
    /// A training point near the middle of the data and where it is on screen (for tests that
    /// click one).
    pub sample_point: Option<((f32, f32), egui::Pos2)>,
}

pub fn fit_plot_ui(
    ui: &mut egui::Ui,
    data: Option<&DataView>,
    prediction: &Prediction,
    style: &ViewStyle,
    is_units_shown: &mut bool,
    inside: &FitInside,
) -> FitPlotOutput {
    let Some(data) = data else {
        ui.centered_and_justified(|ui| ui.label("Load data to see it here."));
        return FitPlotOutput::default();
    };
    if data.x_names.len() == 1 {
        curve_plot_ui(ui, data, prediction, style, is_units_shown, inside)
    } else {
        FitPlotOutput {
            rect: Some(versus_actual_plot_ui(ui, data, prediction, style)),
            ..FitPlotOutput::default()
        }
    }
}

fn curve_plot_ui(
    ui: &mut egui::Ui,
    data: &DataView,
    prediction: &Prediction,
    style: &ViewStyle,
    is_units_shown: &mut bool,
    inside: &FitInside,
) -> FitPlotOutput {
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
    if inside.race.is_empty() {
        legend.push(LegendItem {
            symbol: Symbol::Line,
            color: style.prediction,
            name: "network",
            hover: "The network's prediction for every x",
        });
    }
    for run in &inside.race {
        legend.push(LegendItem {
            symbol: Symbol::Line,
            color: run.color,
            name: &run.name,
            hover: run.label,
        });
    }
    legend.push(LegendItem {
        symbol: Symbol::DashedLine,
        color: style.guide,
        name: "data range",
        hover: "Beyond these lines the network extrapolates: it has seen no data there",
    });
    let curves = inside.curves.filter(|_| *is_units_shown);
    if curves.is_some() {
        legend.push(LegendItem {
            symbol: Symbol::DashedLine,
            color: style.guide,
            name: "bias + mean",
            hover: "The output's bias and the mean of y: the level the units' shares stand on",
        });
    }
    ui.horizontal_wrapped(|ui| {
        ui.checkbox(is_units_shown, "Hidden units").on_hover_text(
            "Draw each unit of the last hidden layer as its share of the prediction (its \
             activation × its outgoing weight, in y's units), standing on the dashed line of \
             the bias and the mean: the shares add up exactly to the network's curve. Hover a \
             curve to find its unit in the diagram.",
        );
        legend_items_ui(ui, &legend, style.line_width);
    });
    if curves.is_some() {
        ui.label(
            egui::RichText::new(
                "Each thin curve is one hidden unit's share; their heights above the dashed line add up to the network's curve.",
            )
            .small(),
        );
    }

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
        let mut hovered_unit = None;
        if let Some(curves) = curves {
            hovered_unit = unit_curves_in_plot(plot_ui, curves, style, inside.highlight_unit);
        }
        if let Some(x) = inside.probe_x {
            plot_ui.vline(
                VLine::new("probe", f64::from(x))
                    .color(style.guide)
                    .width(style.line_width * 0.4)
                    .allow_hover(false),
            );
        }
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
        if inside.race.is_empty() {
            if let Prediction::Curve { points } = prediction {
                plot_ui.line(
                    Line::new("network", &points[..])
                        .color(style.prediction)
                        .width(style.line_width * 1.2),
                );
            }
        } else {
            for run in &inside.race {
                plot_ui.line(
                    Line::new(run.name.as_str(), run.points)
                        .color(run.color)
                        .width(style.line_width * 1.2),
                );
            }
        }
        let clicked_point = if plot_ui.response().clicked() {
            clicked_data_point(plot_ui, data)
        } else {
            None
        };
        (hovered_unit, clicked_point)
    });
    let (hovered_unit, clicked_point) = response.inner;
    // The transform inside the closure is last frame's; the response's is the one this frame
    // was drawn with, so a point placed by it is where the next click will find it.
    let sample_point = data
        .train_points
        .get(data.train_points.len() / 2)
        .map(|point| {
            (
                (point.x as f32, point.y as f32),
                response.transform.position_from_point(point),
            )
        });
    FitPlotOutput {
        rect: Some(response.response.rect),
        hovered_unit,
        clicked_point,
        sample_point,
    }
}

/// The data point under the pointer, training or validation.
fn clicked_data_point(plot_ui: &PlotUi<'_>, data: &DataView) -> Option<(f32, f32)> {
    let pointer = plot_ui.pointer_coordinate()?;
    let pointer = plot_ui.screen_from_plot(pointer);
    data.train_points
        .iter()
        .chain(&data.validation_points)
        .map(|point| (point, plot_ui.screen_from_plot(*point).distance(pointer)))
        .filter(|(_, distance)| *distance <= CLICK_DISTANCE)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(point, _): (&PlotPoint, f32)| (point.x as f32, point.y as f32))
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
            let points = dashed_line_points(&[[min, min], [max, max]], plot_ui);
            plot_ui.line(
                Line::new("perfect fit", points)
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

//! Two views of every row's error, in the target's own units: the parity plot (predicted
//! against actual, on the y = x line when perfect) and the residual plot (actual minus predicted
//! against predicted, scattered evenly around zero when the network has caught the pattern; a
//! curve or a funnel there is what it missed).

use egui_plot::{HLine, Line, LineStyle, MarkerShape, Plot, PlotPoint, PlotUi, Points};

use super::dashes::dashed_line_points;

use super::super::snapshot::RowPredictions;
use super::super::state::ErrorPlot;
use super::super::style::ViewStyle;
use super::axes::{Scale, with_axes};
use super::legend::{LegendItem, Symbol, legend_items_ui};

/// Draws one of the two plots under a header that starts with `title` (the tabs) and the
/// choice between them. Returns the plot's rectangle.
pub fn error_plot_ui(
    ui: &mut egui::Ui,
    kind: &mut ErrorPlot,
    rows: Option<&RowPredictions>,
    y_name: &str,
    style: &ViewStyle,
    title: &mut dyn FnMut(&mut egui::Ui),
) -> Option<egui::Rect> {
    let has_validation = rows.is_some_and(|rows| !rows.validation.is_empty());
    ui.horizontal_wrapped(|ui| {
        title(ui);
        ui.selectable_value(kind, ErrorPlot::Parity, "parity")
            .on_hover_text("Each row's prediction against its actual value");
        ui.selectable_value(kind, ErrorPlot::Residuals, "residuals")
            .on_hover_text(
                "Each row's error (actual − predicted) against its prediction: an even band \
                 around zero when the network has caught the pattern; a curve or a funnel is \
                 what it missed",
            );
        let mut legend = vec![LegendItem {
            symbol: Symbol::Dot,
            color: style.train,
            name: "training",
            hover: "One point per training row",
        }];
        if has_validation {
            legend.push(LegendItem {
                symbol: Symbol::Diamond,
                color: style.validation,
                name: "validation",
                hover: "One point per held-out row",
            });
        }
        legend.push(match *kind {
            ErrorPlot::Parity => LegendItem {
                symbol: Symbol::DashedLine,
                color: style.guide,
                name: "y = x",
                hover: "A row predicted exactly lies on this line",
            },
            ErrorPlot::Residuals => LegendItem {
                symbol: Symbol::DashedLine,
                color: style.guide,
                name: "no error",
                hover: "A row predicted exactly lies on this line; above it the network \
                        predicted too little, below it too much",
            },
        });
        legend_items_ui(ui, &legend, style.line_width);
    });
    let Some(rows) = rows else {
        ui.centered_and_justified(|ui| ui.label("Waiting for the rows' predictions…"));
        return None;
    };
    let (x_title, y_title) = match *kind {
        ErrorPlot::Parity => (format!("actual {y_name}"), format!("predicted {y_name}")),
        ErrorPlot::Residuals => (
            format!("predicted {y_name}"),
            "actual − predicted".to_owned(),
        ),
    };
    let mut plot = Plot::new(match *kind {
        ErrorPlot::Parity => "parity-plot",
        ErrorPlot::Residuals => "residual-plot",
    })
    .allow_scroll(false);
    plot = match *kind {
        // Equal scales, so the y = x line is a true diagonal and errors up and across compare.
        ErrorPlot::Parity => plot.data_aspect(1.0),
        ErrorPlot::Residuals => plot.include_y(0.0),
    };
    let plot = with_axes(
        plot,
        style.font_size,
        (x_title, Scale::Linear),
        (y_title, Scale::Linear),
    );
    let kind = *kind;
    let to_plot = |point: &PlotPoint| match kind {
        ErrorPlot::Parity => [point.x, point.y],
        ErrorPlot::Residuals => [point.y, point.x - point.y],
    };
    let train: Vec<[f64; 2]> = rows.train.iter().map(to_plot).collect();
    let validation: Vec<[f64; 2]> = rows.validation.iter().map(to_plot).collect();
    let response = plot.show(ui, |plot_ui| {
        match kind {
            ErrorPlot::Parity => parity_line(plot_ui, rows, style),
            ErrorPlot::Residuals => plot_ui.hline(
                HLine::new("no error", 0.0)
                    .color(style.guide)
                    .style(LineStyle::dashed_loose()),
            ),
        }
        plot_ui.points(
            Points::new("training rows", train)
                .color(style.train)
                .radius(style.marker_radius)
                .filled(true),
        );
        if !validation.is_empty() {
            plot_ui.points(
                Points::new("validation rows", validation)
                    .color(style.validation)
                    .shape(MarkerShape::Diamond)
                    .radius(style.marker_radius * 1.4)
                    .filled(false),
            );
        }
    });
    Some(response.response.rect)
}

/// The y = x line across every actual and predicted value.
fn parity_line(plot_ui: &mut PlotUi<'_>, rows: &RowPredictions, style: &ViewStyle) {
    let (min, max) = rows
        .train
        .iter()
        .chain(&rows.validation)
        .flat_map(|point| [point.x, point.y])
        .filter(|value| value.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), value| {
            (lo.min(value), hi.max(value))
        });
    if min.is_finite() && max.is_finite() {
        let points = dashed_line_points(&[[min, min], [max, max]], plot_ui);
        plot_ui.line(
            Line::new("y = x", points)
                .color(style.guide)
                .style(LineStyle::dashed_loose()),
        );
    }
}

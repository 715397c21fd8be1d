//! Each hidden unit's share of the prediction drawn over the fit plot: one faint curve per unit
//! of the last hidden layer, standing on the flat line of the output's bias and the target's
//! mean, so that the heights of all the curves above that line add up to the network's curve
//! (Nielsen's visual proof; Prince, *Understanding Deep Learning*, fig. 3.3).

use egui::Color32;
use egui_plot::{Line, LineStyle, PlotPoint, PlotUi};

use super::super::snapshot::UnitCurveSet;
use super::super::style::ViewStyle;
use super::dashes::dashed_line_points;

/// A unit's curve is hovered when the pointer is this close to it, in points.
const HOVER_DISTANCE: f32 = 6.0;

/// The style's series colours, cycled over the units.
pub fn unit_color(style: &ViewStyle, unit: usize) -> Color32 {
    style.series[unit % style.series.len()]
}

/// Draws the units' curves and the constant line; returns the unit whose curve is under the
/// pointer. `highlight` is drawn boldly (the unit hovered in the diagram).
pub fn unit_curves_in_plot(
    plot_ui: &mut PlotUi<'_>,
    curves: &UnitCurveSet,
    style: &ViewStyle,
    highlight: Option<usize>,
) -> Option<usize> {
    let shares = &curves.contributions;
    let n_units = shares.n_units;
    if n_units == 0 || curves.xs.len() != shares.n_rows() {
        return None;
    }
    let constant = f64::from(shares.constant);
    let (first, last) = (curves.xs[0], curves.xs[curves.xs.len() - 1]);
    let baseline = dashed_line_points(
        &[[f64::from(first), constant], [f64::from(last), constant]],
        plot_ui,
    );
    plot_ui.line(
        Line::new("bias + mean", baseline)
            .color(style.guide)
            .style(LineStyle::dashed_dense())
            .width(style.line_width * 0.6),
    );
    let unit_points = |unit: usize| -> Vec<[f64; 2]> {
        curves
            .xs
            .iter()
            .enumerate()
            .map(|(row, &x)| {
                let share = shares.contributions[row * n_units + unit];
                [f64::from(x), constant + f64::from(share)]
            })
            .collect()
    };
    let hovered = plot_ui
        .pointer_coordinate()
        .and_then(|pointer| nearest_unit(plot_ui, curves, pointer));
    let bold = hovered.or(highlight);
    // Many units: thinner and fainter, so that together they do not hide the data.
    let alpha = if n_units > 16 { 110 } else { 170 };
    for unit in 0..n_units {
        if Some(unit) == bold {
            continue;
        }
        let color = unit_color(style, unit);
        plot_ui.line(
            Line::new(format!("unit {}", unit + 1), unit_points(unit))
                .color(Color32::from_rgba_unmultiplied(
                    color.r(),
                    color.g(),
                    color.b(),
                    alpha,
                ))
                .width(style.line_width * 0.5)
                .allow_hover(false),
        );
    }
    if let Some(unit) = bold.filter(|&unit| unit < n_units) {
        plot_ui.line(
            Line::new(format!("unit {}", unit + 1), unit_points(unit))
                .color(unit_color(style, unit))
                .width(style.line_width * 1.2)
                .allow_hover(false),
        );
    }
    hovered
}

/// The unit whose curve passes closest to `pointer` (in screen points), if within reach.
fn nearest_unit(plot_ui: &PlotUi<'_>, curves: &UnitCurveSet, pointer: PlotPoint) -> Option<usize> {
    let shares = &curves.contributions;
    let constant = f64::from(shares.constant);
    nearest_curve(plot_ui, &curves.xs, shares.n_units, pointer, |row, unit| {
        constant + f64::from(shares.contributions[row * shares.n_units + unit])
    })
}

/// Of `n_curves` curves over `xs` (curve `c` at row `r` is `y_at(r, c)`), the one passing
/// closest to `pointer` at the nearest x, within [`HOVER_DISTANCE`] screen points.
pub fn nearest_curve(
    plot_ui: &PlotUi<'_>,
    xs: &[f32],
    n_curves: usize,
    pointer: PlotPoint,
    y_at: impl Fn(usize, usize) -> f64,
) -> Option<usize> {
    let distance_x = |x: &f32| (f64::from(*x) - pointer.x).abs();
    let row = (0..xs.len()).min_by(|&a, &b| distance_x(&xs[a]).total_cmp(&distance_x(&xs[b])))?;
    let pointer_y = plot_ui.screen_from_plot(pointer).y;
    (0..n_curves)
        .map(|curve| {
            let point = PlotPoint::new(f64::from(xs[row]), y_at(row, curve));
            (curve, (plot_ui.screen_from_plot(point).y - pointer_y).abs())
        })
        .filter(|(_, distance)| *distance <= HOVER_DISTANCE)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(curve, _)| curve)
}

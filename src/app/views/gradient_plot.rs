//! Each layer's gradient norm, or its update-to-weight ratio, against epochs on a log scale: the
//! picture of vanishing and exploding gradients (eight sigmoid layers fan out over decades).
//!
//! As in the loss plot, egui_plot has no log axis, so this plots log10 of the value and the axis
//! labels show the values those stand for ([`super::ticks::log10_ticks`]). The trainer measures
//! the points ([`crate::train::GradientHistory`]); this only draws them.

use egui_plot::{HLine, Line, LineStyle, PlotPoint, Text};
use serde::{Deserialize, Serialize};

use super::super::style::{SERIES_COLORS, ViewStyle};
use super::axes::{Scale, epoch_plot, with_axes};
use super::dashes::dashed_line_points;
use super::legend::{LegendItem, Symbol, legend_items_ui};
use crate::train::{GradientHistory, LayerGradient};

/// Smallest value drawn: a layer whose gradient is exactly zero (dead ReLUs) sits here, at the
/// bottom, instead of leaving a gap; far below any gradient that still trains.
const LOG_FLOOR: f64 = 1e-20;

/// The common rule of thumb for the update-to-weight ratio: about 1e-3 per step. Much lower and
/// the layer barely learns; much higher and it is thrashing.
const HEALTHY_UPDATE_RATIO: f64 = 1e-3;

/// Which of the two per-layer measures the plot shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum GradientMeasure {
    /// ‖∂loss/∂W‖ of each layer's weight.
    #[default]
    GradientNorm,
    /// ‖ΔW‖ / ‖W‖ of each layer's weight update.
    UpdateRatio,
}

impl GradientMeasure {
    fn axis_title(self) -> &'static str {
        match self {
            Self::GradientNorm => "gradient norm",
            Self::UpdateRatio => "update / weight",
        }
    }

    fn of(self, layer: &LayerGradient) -> f32 {
        match self {
            Self::GradientNorm => layer.grad_norm,
            Self::UpdateRatio => layer.update_ratio,
        }
    }
}

/// The header row (`title`, measure choice, legend) and the plot below it; `None` before the
/// first epoch has finished, when there is nothing to draw. `title` draws the start of the
/// header (the tabs that choose this plot).
pub fn gradient_plot_ui(
    ui: &mut egui::Ui,
    history: &GradientHistory,
    measure: &mut GradientMeasure,
    style: &ViewStyle,
    title: &mut dyn FnMut(&mut egui::Ui),
) -> Option<egui::Rect> {
    let n_layers = history.latest().map_or(0, |point| point.layers.len());
    let names = layer_names(n_layers);
    ui.horizontal_wrapped(|ui| {
        title(ui);
        ui.selectable_value(measure, GradientMeasure::GradientNorm, "Gradient norm")
            .on_hover_text("‖∂loss/∂W‖: how strongly the loss pulls on each layer's weights");
        ui.selectable_value(measure, GradientMeasure::UpdateRatio, "Update ratio")
            .on_hover_text(
                "‖ΔW‖ / ‖W‖: how far one step moved each layer's weights, relative to their size. \
                 About 1e-3 is the usual rule of thumb.",
            );
        let legend: Vec<LegendItem<'_>> = names
            .iter()
            .enumerate()
            .map(|(layer, name)| LegendItem {
                symbol: if is_dashed(layer) {
                    Symbol::DashedLine
                } else {
                    Symbol::Line
                },
                color: layer_color(style, layer),
                name,
                hover: if layer + 1 == n_layers {
                    "The output layer's weights"
                } else {
                    "This hidden layer's weights (layer 1 reads the inputs)"
                },
            })
            .collect();
        legend_items_ui(ui, &legend, style.line_width);
    });
    if history.is_empty() {
        ui.centered_and_justified(|ui| {
            ui.label("Each layer's gradients appear here when the first epoch ends.")
        });
        return None;
    }

    let measure = *measure;
    let mut curves = vec![Vec::with_capacity(history.len() + 1); n_layers];
    for point in history.iter_with_latest() {
        for (curve, layer) in curves.iter_mut().zip(&point.layers) {
            let value = f64::from(measure.of(layer));
            // An infinite ratio (a weight that was all zeros) has no place on the axis.
            if value.is_finite() {
                curve.push([point.epoch, value.max(LOG_FLOOR).log10()]);
            }
        }
    }
    let mut plot = epoch_plot("gradient-plot", ui.available_width(), move |name, point| {
        readout(name, point, measure)
    });
    if measure == GradientMeasure::UpdateRatio {
        // The rule of thumb stays in view, so a plot far below it shows how far.
        plot = plot.include_y(HEALTHY_UPDATE_RATIO.log10());
    }
    let plot = with_axes(
        plot,
        style.font_size,
        ("epoch".to_owned(), Scale::Linear),
        (measure.axis_title().to_owned(), Scale::Log10),
    );
    let response = plot.show(ui, |plot_ui| {
        if measure == GradientMeasure::UpdateRatio {
            let y = HEALTHY_UPDATE_RATIO.log10();
            plot_ui.hline(
                HLine::new("rule of thumb", y)
                    .color(style.guide)
                    .style(LineStyle::dashed_loose())
                    .width(1.0),
            );
            // At epoch 0, which the x range always includes: placed at the right edge, the text
            // would widen the auto-fitted range a little every frame.
            plot_ui.text(
                Text::new(
                    "rule of thumb",
                    PlotPoint::new(0.0, y),
                    egui::RichText::new(" rule of thumb 1e-3").color(style.guide),
                )
                .anchor(egui::Align2::LEFT_BOTTOM),
            );
        }
        for (layer, (curve, name)) in curves.into_iter().zip(&names).enumerate() {
            let (line_style, curve) = if is_dashed(layer) {
                (
                    LineStyle::dashed_dense(),
                    dashed_line_points(&curve, plot_ui),
                )
            } else {
                (LineStyle::Solid, curve)
            };
            plot_ui.line(
                Line::new(name.as_str(), curve)
                    .color(layer_color(style, layer))
                    .style(line_style)
                    .width(style.line_width),
            );
        }
    });
    Some(response.response.rect)
}

/// "layer 1" … "layer n−1", then "output".
fn layer_names(n_layers: usize) -> Vec<String> {
    (0..n_layers)
        .map(|layer| {
            if layer + 1 == n_layers {
                "output".to_owned()
            } else {
                format!("layer {}", layer + 1)
            }
        })
        .collect()
}

fn layer_color(style: &ViewStyle, layer: usize) -> egui::Color32 {
    style.series[layer % SERIES_COLORS]
}

/// Layers past the palette reuse its colours, dashed, so no two lines look alike.
fn is_dashed(layer: usize) -> bool {
    layer >= SERIES_COLORS
}

fn readout(name: &str, point: PlotPoint, measure: GradientMeasure) -> String {
    let label = if name.is_empty() {
        measure.axis_title()
    } else {
        name
    };
    let value = 10f64.powf(point.y);
    format!("{label}\nepoch {:.1}\n{value:.3e}", point.x)
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::train::GradientPoint;

    #[test]
    fn the_last_layer_is_named_output() {
        assert_eq!(
            layer_names(3),
            vec![
                "layer 1".to_owned(),
                "layer 2".to_owned(),
                "output".to_owned()
            ]
        );
        assert!(layer_names(0).is_empty());
    }

    fn history_of(n_epochs: usize, n_layers: usize) -> GradientHistory {
        let mut history = GradientHistory::new(16);
        for epoch in 1..=n_epochs {
            history.push(GradientPoint {
                epoch: epoch as f64,
                layers: (0..n_layers)
                    .map(|layer| LayerGradient {
                        grad_norm: 10f32.powi(layer as i32 - 8),
                        update_ratio: 1e-4,
                    })
                    .collect(),
            });
        }
        history
    }

    struct Shown {
        measure: GradientMeasure,
        rect: Option<egui::Rect>,
    }

    fn harness(history: GradientHistory) -> Harness<'static, Shown> {
        Harness::builder()
            .with_size(egui::vec2(640.0, 360.0))
            .build_ui_state(
                move |ui, shown: &mut Shown| {
                    let style = ViewStyle::new(&Default::default());
                    shown.rect =
                        gradient_plot_ui(ui, &history, &mut shown.measure, &style, &mut |_| {});
                },
                Shown {
                    measure: GradientMeasure::GradientNorm,
                    rect: None,
                },
            )
    }

    #[test]
    fn draws_a_plot_and_switches_to_the_update_ratio() {
        let mut harness = harness(history_of(5, 9));
        harness.run();
        let rect = harness.state().rect.expect("a plot for five epochs");
        assert!(rect.height() > 100.0, "the plot fills the space: {rect:?}");
        harness.get_by_label("Update ratio").click();
        harness.run();
        assert_eq!(harness.state().measure, GradientMeasure::UpdateRatio);
        assert!(harness.state().rect.is_some());
    }

    #[test]
    fn says_when_gradients_will_appear_before_the_first_epoch() {
        let mut harness = harness(GradientHistory::new(16));
        harness.run();
        assert_eq!(harness.state().rect, None);
        let message = "Each layer's gradients appear here when the first epoch ends.";
        assert!(harness.query_by_label(message).is_some());
    }

    #[test]
    fn nine_layers_never_share_colour_and_style() {
        let style = ViewStyle::new(&Default::default());
        let looks: Vec<(egui::Color32, bool)> = (0..9)
            .map(|layer| (layer_color(&style, layer), is_dashed(layer)))
            .collect();
        for (i, a) in looks.iter().enumerate() {
            for b in &looks[i + 1..] {
                assert_ne!(a, b, "two layers drawn alike");
            }
        }
    }
}

//! The units plot: any hidden layer's raw activations, or the last hidden layer's shares of the
//! prediction, along one input column (with several inputs, the others held at their mean).

use egui_plot::{Line, Plot};

use super::super::snapshot::UnitCurveSet;
use super::super::style::ViewStyle;
use super::axes::{Scale, with_axes};
use super::unit_curves::{nearest_curve, unit_color};

/// What the units plot reports: the `(hidden layer counted from 1, unit)` under the pointer.
pub struct UnitsPlotOutput {
    pub rect: egui::Rect,
    pub hovered: Option<(usize, usize)>,
}

/// `layer`: 0 for the shares of the prediction, k for hidden layer k. `highlight` is a
/// `(layer, unit)` to draw boldly.
#[allow(clippy::too_many_arguments)]
pub fn units_plot_ui(
    ui: &mut egui::Ui,
    curves: Option<&UnitCurveSet>,
    x_names: &[String],
    y_name: &str,
    activation: &str,
    layer: &mut usize,
    input: &mut usize,
    highlight: Option<(usize, usize)>,
    style: &ViewStyle,
    title: &mut dyn FnMut(&mut egui::Ui),
) -> Option<UnitsPlotOutput> {
    let n_hidden = curves.map_or(0, |curves| curves.hidden.len());
    ui.horizontal_wrapped(|ui| {
        title(ui);
        let title = |layer: usize| match layer {
            0 => "Shares of the prediction".to_owned(),
            k => format!("Hidden layer {k} ({activation})"),
        };
        egui::ComboBox::from_id_salt("units-layer")
            .selected_text(title(*layer))
            .show_ui(ui, |ui| {
                for choice in 0..=n_hidden {
                    ui.selectable_value(layer, choice, title(choice));
                }
            })
            .response
            .on_hover_text(
                "Raw activations of one hidden layer, or each unit of the last hidden layer as \
                 its share of the prediction (in y's units)",
            );
        if x_names.len() > 1 {
            ui.label("along");
            egui::ComboBox::from_id_salt("units-input")
                .selected_text(x_names.get(*input).map_or("", String::as_str))
                .show_ui(ui, |ui| {
                    for (column, name) in x_names.iter().enumerate() {
                        ui.selectable_value(input, column, name.as_str());
                    }
                })
                .response
                .on_hover_text("The other inputs are held at their mean");
        }
    });
    let Some(curves) = curves else {
        ui.label("Load data to see the units.");
        return None;
    };
    if n_hidden == 0 && *layer > 0 {
        *layer = 0;
    }
    *layer = (*layer).min(n_hidden);
    let (n_units, values, y_title): (usize, &[f32], String) = if *layer == 0 {
        (
            curves.contributions.n_units,
            &curves.contributions.contributions,
            format!("share of {y_name}"),
        )
    } else {
        let hidden = &curves.hidden[*layer - 1];
        (hidden.n_units, &hidden.values, "activation".to_owned())
    };
    if n_units == 0 || values.len() != curves.xs.len() * n_units {
        return None;
    }
    let points = |unit: usize| -> Vec<[f64; 2]> {
        curves
            .xs
            .iter()
            .enumerate()
            .map(|(row, &x)| [f64::from(x), f64::from(values[row * n_units + unit])])
            .collect()
    };
    let plot = with_axes(
        Plot::new("units-plot")
            .width(ui.available_width())
            .allow_scroll(false),
        style.font_size,
        (curves.input_name.clone(), Scale::Linear),
        (y_title, Scale::Linear),
    );
    let shown_layer = *layer;
    let response = plot.show(ui, |plot_ui| {
        let pointer = plot_ui.pointer_coordinate();
        let hovered = pointer.and_then(|pointer| {
            nearest_curve(plot_ui, &curves.xs, n_units, pointer, |row, unit| {
                f64::from(values[row * n_units + unit])
            })
        });
        let bold = hovered.or(highlight
            .filter(|(layer, _)| *layer == shown_layer.max(1).min(n_hidden.max(1)))
            .map(|(_, unit)| unit));
        for unit in 0..n_units {
            let is_bold = Some(unit) == bold;
            plot_ui.line(
                Line::new(format!("unit {}", unit + 1), points(unit))
                    .color(unit_color(style, unit))
                    .width(style.line_width * if is_bold { 1.2 } else { 0.5 })
                    .allow_hover(false),
            );
        }
        hovered
    });
    // The shares belong to the last hidden layer.
    let hovered_layer = if shown_layer == 0 {
        n_hidden
    } else {
        shown_layer
    };
    Some(UnitsPlotOutput {
        rect: response.response.rect,
        hovered: response
            .inner
            .filter(|_| hovered_layer > 0)
            .map(|unit| (hovered_layer, unit)),
    })
}

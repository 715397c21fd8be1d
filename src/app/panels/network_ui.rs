//! Hidden layers, activation, parameter count and a small diagram of the network.

use crate::nn::{Activation, parameter_count};

use super::super::state::{MAX_HIDDEN_LAYERS, MAX_UNITS, NetworkSettings};
use super::{Action, labelled};

/// Edits the network settings; any change resets the model.
pub fn network_ui(
    ui: &mut egui::Ui,
    network: &mut NetworkSettings,
    n_inputs: usize,
) -> Vec<Action> {
    let before = network.clone();
    let mut removed = None;
    egui::Grid::new("hidden-layers")
        .num_columns(3)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            for (index, units) in network.hidden_sizes.iter_mut().enumerate() {
                let label = ui.label(format!("Layer {}", index + 1));
                ui.add(
                    egui::DragValue::new(units)
                        .range(1..=MAX_UNITS)
                        .speed(0.25)
                        .suffix(" units"),
                )
                .labelled_by(label.id)
                .on_hover_text("Units in this hidden layer (1 to 256); drag or type");
                if ui
                    .button("Remove")
                    .on_hover_text(format!("Remove hidden layer {}", index + 1))
                    .clicked()
                {
                    removed = Some(index);
                }
                ui.end_row();
            }
        });
    if let Some(index) = removed {
        network.hidden_sizes.remove(index);
    }
    ui.horizontal(|ui| {
        let can_add = network.hidden_sizes.len() < MAX_HIDDEN_LAYERS;
        if ui
            .add_enabled(can_add, egui::Button::new("Add layer"))
            .on_hover_text("Add a hidden layer")
            .on_disabled_hover_text("At most 8 hidden layers")
            .clicked()
        {
            let units = network.hidden_sizes.last().copied().unwrap_or(16);
            network.hidden_sizes.push(units);
        }
    });
    egui::Grid::new("activation").num_columns(2).show(ui, |ui| {
        labelled(ui, "Activation", |ui| {
            egui::ComboBox::from_id_salt("activation-combo")
                .selected_text(network.activation.to_string())
                .show_ui(ui, |ui| {
                    for activation in Activation::ALL {
                        ui.selectable_value(
                            &mut network.activation,
                            activation,
                            activation.to_string(),
                        );
                    }
                })
                .response
        });
    });
    let n_parameters = parameter_count(n_inputs.max(1), &network.hidden_sizes);
    ui.label(format!("Parameters: {}", thousands(n_parameters)));
    diagram_ui(ui, n_inputs.max(1), &network.hidden_sizes);

    if *network != before {
        vec![Action::ResetModel]
    } else {
        Vec::new()
    }
}

/// Layers as columns of dots (at most 9 drawn per layer), joined by faint lines.
fn diagram_ui(ui: &mut egui::Ui, n_inputs: usize, hidden_sizes: &[usize]) {
    let mut sizes = vec![n_inputs];
    sizes.extend_from_slice(hidden_sizes);
    sizes.push(1);
    let width = ui.available_width().clamp(120.0, 400.0);
    let (response, painter) = ui.allocate_painter(egui::vec2(width, 110.0), egui::Sense::hover());
    let rect = response.rect.shrink(8.0);
    let visuals = ui.visuals();
    let line_color = visuals.weak_text_color().gamma_multiply(0.35);
    let dot_color = visuals.strong_text_color();
    const MAX_DOTS: usize = 9;
    let columns: Vec<Vec<egui::Pos2>> = sizes
        .iter()
        .enumerate()
        .map(|(column, &units)| {
            let x = rect.left() + rect.width() * column as f32 / (sizes.len() - 1).max(1) as f32;
            let shown = units.min(MAX_DOTS);
            (0..shown)
                .map(|i| {
                    let y = rect.center().y
                        + (i as f32 - (shown - 1) as f32 / 2.0) * rect.height() / MAX_DOTS as f32;
                    egui::pos2(x, y)
                })
                .collect()
        })
        .collect();
    for pair in columns.windows(2) {
        for a in &pair[0] {
            for b in &pair[1] {
                painter.line_segment([*a, *b], egui::Stroke::new(0.6, line_color));
            }
        }
    }
    for (column, dots) in columns.iter().enumerate() {
        for dot in dots {
            painter.circle_filled(*dot, 3.5, dot_color);
        }
        if sizes[column] > MAX_DOTS
            && let Some(last) = dots.last()
        {
            painter.text(
                *last + egui::vec2(0.0, 10.0),
                egui::Align2::CENTER_CENTER,
                format!("{}", sizes[column]),
                egui::FontId::proportional(11.0),
                visuals.text_color(),
            );
        }
    }
    response.on_hover_text(format!(
        "Layers: {}",
        sizes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" → ")
    ));
}

/// 12345 → "12 345" (thin space), readable from the back of a room.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    out
}

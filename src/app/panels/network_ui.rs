//! Hidden layers, activation and parameter count. The diagram of the network is a view of its
//! own beside the loss plot.

use crate::nn::{Activation, parameter_count};

use super::super::glossary;
use super::super::numbers::thousands;
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
                let suffix = if *units == 1 { " unit" } else { " units" };
                ui.add(
                    egui::DragValue::new(units)
                        .range(1..=MAX_UNITS)
                        .speed(0.25)
                        .suffix(suffix),
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
                        )
                        .on_hover_text(glossary::meaning(activation.name()));
                    }
                })
                .response
        });
    });
    let n_parameters = parameter_count(n_inputs.max(1), &network.hidden_sizes);
    ui.label(format!("Parameters: {}", thousands(n_parameters as u64)))
        .on_hover_text(glossary::meaning("Parameters"));

    if *network != before {
        vec![Action::ResetModel]
    } else {
        Vec::new()
    }
}

//! What one mini-batch step changed, in a window: the batch's loss before and after the update
//! and the weights that moved most, named as a class reads them (`w2[3,1]`, from h1,1 to h2,3).

use crate::inside::arithmetic::number;
use crate::train::{BatchChange, Model, WeightMove};

/// Shows the window while `is_open`. `model` names the units (the current network).
/// It opens over `place` (the plot beside the diagram).
pub fn batch_window(
    ctx: &egui::Context,
    change: &BatchChange,
    model: Option<&Model>,
    place: Option<egui::Rect>,
    is_open: &mut bool,
) {
    let place = place.unwrap_or_else(|| ctx.content_rect());
    egui::Window::new("One batch")
        .open(is_open)
        .resizable(true)
        .default_width(place.width().min(440.0))
        .default_pos(place.left_top())
        .show(ctx, |ui| {
            let end = if change.epoch_finished {
                " (the last of its epoch)"
            } else {
                ""
            };
            ui.label(format!(
                "Step {}: one update of the weights from {} row(s){end}.",
                change.step, change.rows
            ));
            let delta = change.loss_after - change.loss_before;
            ui.label(
                egui::RichText::new(format!(
                    "The batch's loss: {} before, {} after ({}{})",
                    number(change.loss_before),
                    number(change.loss_after),
                    if delta > 0.0 { "+" } else { "" },
                    number(delta)
                ))
                .strong(),
            );
            if delta > 0.0 {
                ui.label(
                    "It went up: the step overshot on this batch (a learning rate too high, or \
                     momentum carrying the weights on).",
                );
            }
            ui.separator();
            ui.label("The weights that moved most:");
            egui::Grid::new("largest-moves")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    for header in ["weight", "before", "after", "moved"] {
                        ui.label(egui::RichText::new(header).strong());
                    }
                    ui.end_row();
                    for moved in &change.largest_moves {
                        ui.label(weight_name(moved, model)).on_hover_text(format!(
                            "{}[{}, {}]",
                            moved.tensor, moved.row, moved.col
                        ));
                        ui.label(number(moved.before));
                        ui.label(number(moved.after));
                        ui.label(number(moved.after - moved.before));
                        ui.end_row();
                    }
                });
        });
}

/// `w2[3,1] (from h1,1 to h2,3)` for a weight, `b2[3] (h2,3)` for a bias: the diagram's names.
fn weight_name(moved: &WeightMove, model: Option<&Model>) -> String {
    let Some(layer) = moved
        .tensor
        .strip_prefix("layers.")
        .and_then(|rest| rest.split('.').next())
        .and_then(|layer| layer.parse::<usize>().ok())
    else {
        return format!("{}[{}, {}]", moved.tensor, moved.row, moved.col);
    };
    let unit_name = |column: usize, unit: usize| {
        model.map_or_else(
            || format!("unit {}", unit + 1),
            |model| crate::inside::unit_symbol(model, column, unit),
        )
    };
    if moved.tensor.ends_with(".bias") {
        format!(
            "b{}[{}] ({})",
            layer + 1,
            moved.col + 1,
            unit_name(layer + 1, moved.col)
        )
    } else {
        format!(
            "w{}[{},{}] (from {} to {})",
            layer + 1,
            moved.row + 1,
            moved.col + 1,
            unit_name(layer, moved.col),
            unit_name(layer + 1, moved.row)
        )
    }
}

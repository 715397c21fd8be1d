//! A neuron's arithmetic for the probe input, in a window: the sum with the numbers plugged in,
//! its largest terms one per row, and for the output the prediction back in the target's units.

use crate::inside::NeuronArithmetic;
use crate::inside::arithmetic::number;

/// Terms written into the equation; the rest are summed in one.
const EQUATION_TERMS: usize = 4;
/// Rows of the terms table.
const TABLE_TERMS: usize = 5;

/// Shows the window while `is_open`; the user closes it with its ×. It opens over `place` (the
/// plot beside the diagram), leaving the fit plot and the diagram it was opened from in view.
pub fn neuron_window(
    ctx: &egui::Context,
    arithmetic: &NeuronArithmetic,
    place: Option<egui::Rect>,
    is_open: &mut bool,
) {
    let place = place.unwrap_or_else(|| ctx.content_rect());
    egui::Window::new(format!("Neuron {}", arithmetic.name))
        .open(is_open)
        .resizable(true)
        .default_width(place.width().min(440.0))
        // Grows up from the bottom of the place, so that a tall one covers the fit plot's
        // lower part (the axis) rather than running off the window.
        .pivot(egui::Align2::LEFT_BOTTOM)
        .default_pos(place.left_bottom())
        .max_height(place.height().max(200.0))
        .vscroll(true)
        .show(ctx, |ui| neuron_ui(ui, arithmetic));
}

fn neuron_ui(ui: &mut egui::Ui, arithmetic: &NeuronArithmetic) {
    ui.label("For the probe input, in standardised units:")
        .on_hover_text(super::super::glossary::meaning("Standardised"));
    ui.add(
        egui::Label::new(egui::RichText::new(arithmetic.equation(EQUATION_TERMS)).monospace())
            .wrap(),
    );
    if let Some(line) = arithmetic.target_equation() {
        ui.label("Back in the target's units (× its standard deviation, + its mean):");
        ui.add(egui::Label::new(egui::RichText::new(line).monospace().strong()).wrap());
    }
    ui.separator();
    egui::Grid::new("neuron-terms")
        .striped(true)
        .num_columns(4)
        .show(ui, |ui| {
            for header in ["input", "value", "× weight", "= term"] {
                ui.label(egui::RichText::new(header).strong());
            }
            ui.end_row();
            for term in arithmetic.terms.iter().take(TABLE_TERMS) {
                ui.label(&term.input_name);
                ui.label(number(term.input));
                ui.label(number(term.weight));
                ui.label(number(term.product()));
                ui.end_row();
            }
            let rest = arithmetic.terms.iter().skip(TABLE_TERMS);
            let count = rest.clone().count();
            if count > 0 {
                let sum: f32 = rest.map(|term| term.product()).sum();
                ui.label(format!("{count} more"));
                ui.label("");
                ui.label("");
                ui.label(number(sum));
                ui.end_row();
            }
            ui.label("bias");
            ui.label("");
            ui.label("");
            ui.label(number(arithmetic.bias));
            ui.end_row();
            ui.label(egui::RichText::new("sum").strong());
            ui.label("");
            ui.label("");
            ui.label(egui::RichText::new(number(arithmetic.pre)).strong());
            ui.end_row();
        });
    ui.label(format!(
        "{}({}) = {}",
        arithmetic.activation,
        number(arithmetic.pre),
        number(arithmetic.post)
    ));
}

//! A neuron's arithmetic for the probe input, in a window: the sum with the numbers plugged in,
//! its largest terms one per row, and for the output the prediction back in the target's units.

use crate::inside::NeuronArithmetic;
use crate::inside::arithmetic::number;

/// Terms written into the equation; the rest are summed in one.
const EQUATION_TERMS: usize = 4;
/// Rows of the terms table.
const TABLE_TERMS: usize = 8;

/// Shows the window while `is_open`; the user closes it with its ×.
pub fn neuron_window(ctx: &egui::Context, arithmetic: &NeuronArithmetic, is_open: &mut bool) {
    egui::Window::new(format!("Neuron {}", arithmetic.name))
        .open(is_open)
        .resizable(true)
        .default_width(420.0)
        // Over the top right of the fit plot, clear of the diagram it was opened from.
        .default_pos(ctx.content_rect().right_top() + egui::vec2(-440.0, 110.0))
        .show(ctx, |ui| neuron_ui(ui, arithmetic));
}

fn neuron_ui(ui: &mut egui::Ui, arithmetic: &NeuronArithmetic) {
    ui.label("For the probe input (standardised units, as the network computes):");
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

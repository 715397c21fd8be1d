//! Train / Pause, Step, Reset, and the training speed.

use super::super::state::{DEFAULT_PACE, PACE_RANGE};
use super::{Action, shortcuts};

/// What the controls need to know.
pub struct ControlsView {
    pub is_training: bool,
    pub is_ready: bool,
}

pub fn controls_ui(ui: &mut egui::Ui, view: &ControlsView, pace: &mut Option<f32>) -> Vec<Action> {
    let mut actions = Vec::new();
    let ctx = ui.ctx().clone();
    let (text, hint) = if view.is_training {
        ("Pause", "Pause training (Space)")
    } else {
        ("Train", "Start training (Space)")
    };
    let play =
        egui::Button::new(egui::RichText::new(text).strong()).min_size(egui::vec2(120.0, 0.0));
    if ui
        .add_enabled(view.is_ready, play)
        .on_hover_text(hint)
        .on_disabled_hover_text("Load data first")
        .clicked()
    {
        actions.push(Action::TogglePlay);
    }
    if ui
        .add_enabled(view.is_ready, egui::Button::new("Step"))
        .on_hover_text(format!(
            "Train one epoch, then pause ({})",
            ctx.format_shortcut(&shortcuts::STEP)
        ))
        .clicked()
    {
        actions.push(Action::StepEpoch);
    }
    if ui
        .add_enabled(view.is_ready, egui::Button::new("Reset"))
        .on_hover_text(format!(
            "Re-initialise the network from the seed ({})",
            ctx.format_shortcut(&shortcuts::RESET)
        ))
        .clicked()
    {
        actions.push(Action::ResetModel);
    }
    ui.separator();
    let before = *pace;
    let label = ui.label("Speed");
    let mut is_full_speed = pace.is_none();
    let mut epochs_per_second = pace.unwrap_or(DEFAULT_PACE);
    ui.add_enabled(
        !is_full_speed,
        egui::Slider::new(&mut epochs_per_second, PACE_RANGE)
            .logarithmic(true)
            .max_decimals(1)
            .suffix(" epochs/s"),
    )
    .labelled_by(label.id)
    .on_hover_text("Slow training down so a class can follow the curve");
    ui.checkbox(&mut is_full_speed, "Full speed")
        .on_hover_text("Train as fast as this computer can");
    *pace = (!is_full_speed).then_some(epochs_per_second);
    if *pace != before {
        actions.push(Action::SetPace(*pace));
    }
    actions
}

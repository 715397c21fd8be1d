//! Train / Pause, Step, Reset, and the training speed.

use super::super::state::PACE_RANGE;
use super::{Action, shortcuts};

/// What the controls need to know.
pub struct ControlsView {
    pub is_training: bool,
    pub is_ready: bool,
    /// Projector view: the toolbar must fit one row of a 1024-wide window in large text, so
    /// Step batch stays in the Training menu (and on the , key).
    pub is_compact: bool,
}

pub fn controls_ui(
    ui: &mut egui::Ui,
    view: &ControlsView,
    steps_per_second: &mut f32,
    is_full_speed: &mut bool,
) -> Vec<Action> {
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
    if !view.is_compact
        && ui
            .add_enabled(view.is_ready, egui::Button::new("Step batch"))
        .on_hover_text(format!(
            "Train one mini-batch, then pause, and show what it changed: the batch's loss before \
             and after, and the weights that moved most ({})",
            ctx.format_shortcut(&shortcuts::STEP_BATCH)
        ))
        .clicked()
    {
        actions.push(Action::StepBatch);
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
    let before = (*steps_per_second, *is_full_speed);
    let label = ui.label("Speed");
    ui.add_enabled(
        !*is_full_speed,
        egui::Slider::new(steps_per_second, PACE_RANGE)
            .logarithmic(true)
            .max_decimals(0)
            .suffix(" steps/s"),
    )
    .labelled_by(label.id)
    .on_hover_text(
        "Optimizer steps (weight updates) per second: slow enough for a class to follow the \
         curve",
    );
    ui.checkbox(is_full_speed, "Full speed")
        .on_hover_text("Train as fast as this computer can");
    if (*steps_per_second, *is_full_speed) != before {
        actions.push(Action::SetPace(
            (!*is_full_speed).then_some(*steps_per_second),
        ));
    }
    actions
}

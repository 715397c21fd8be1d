//! SGD or Adam, their hyper-parameters, batch size, seed, the L2 penalty, and the rules that
//! end a run: an epoch limit, a target loss, early stopping.
//!
//! The learning rate is on a logarithmic slider and is sent to the running trainer without a
//! reset; every other change rebuilds the model from the seed.

use super::super::glossary;
use super::super::state::{L2Setting, MAX_L2, OptimizerKind, OptimizerSettings};
use super::{Action, labelled};

/// Where the automatic L2 penalty stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct L2Status {
    /// The share of the cross-validation done, while it runs.
    pub progress: Option<f32>,
    /// The penalty in use and how it was chosen, once known.
    pub chosen: Option<(f32, String)>,
}

pub fn optimizer_ui(
    ui: &mut egui::Ui,
    optimizer: &mut OptimizerSettings,
    has_validation: bool,
    l2_status: &L2Status,
) -> Vec<Action> {
    let before = optimizer.clone();
    let mut actions = Vec::new();
    ui.horizontal(|ui| {
        ui.selectable_value(&mut optimizer.kind, OptimizerKind::Sgd, "SGD")
            .on_hover_text(glossary::meaning("SGD"));
        ui.selectable_value(&mut optimizer.kind, OptimizerKind::Adam, "Adam")
            .on_hover_text(format!("{} (Kingma & Ba, 2015)", glossary::meaning("Adam")));
    });
    egui::Grid::new("optimizer-grid")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            let learning_rate_changed = labelled(ui, "Learning rate", |ui| {
                ui.add(
                    egui::Slider::new(
                        optimizer.learning_rate_mut(),
                        OptimizerSettings::MIN_LEARNING_RATE..=OptimizerSettings::MAX_LEARNING_RATE,
                    )
                    .logarithmic(true)
                    .custom_formatter(|value, _| format!("{value:.1e}")),
                )
                .on_hover_text("Changes apply at once, even while training")
            })
            .changed();
            if learning_rate_changed {
                actions.push(Action::SetLearningRate(optimizer.learning_rate()));
            }
            match optimizer.kind {
                OptimizerKind::Sgd => {
                    labelled(ui, "Momentum", |ui| {
                        ui.add(egui::Slider::new(&mut optimizer.momentum, 0.0..=0.99))
                    });
                }
                OptimizerKind::Adam => {
                    labelled(ui, "β1", |ui| {
                        ui.add(egui::Slider::new(&mut optimizer.beta1, 0.0..=0.999))
                            .on_hover_text("Decay of the running mean of gradients")
                    });
                    labelled(ui, "β2", |ui| {
                        ui.add(
                            egui::Slider::new(&mut optimizer.beta2, 0.9..=0.99999)
                                .logarithmic(true),
                        )
                        .on_hover_text("Decay of the running mean of squared gradients")
                    });
                }
            }
            labelled(ui, "Batch size", |ui| {
                ui.add(
                    egui::DragValue::new(&mut optimizer.batch_size)
                        .range(1..=OptimizerSettings::MAX_BATCH_SIZE)
                        .speed(0.5),
                )
            });
            labelled(ui, "Seed", |ui| {
                ui.add(egui::DragValue::new(&mut optimizer.seed).speed(0.2))
                    .on_hover_text("Same seed, same start: Reset reproduces a run")
            });
            l2_row(ui, &mut optimizer.l2, l2_status);
            stop_rules_ui(ui, optimizer, has_validation, &mut actions);
        });

    let needs_reset = optimizer.kind != before.kind
        || optimizer.momentum != before.momentum
        || optimizer.beta1 != before.beta1
        || optimizer.beta2 != before.beta2
        || optimizer.batch_size != before.batch_size
        || optimizer.seed != before.seed
        || optimizer.l2 != before.l2;
    if needs_reset {
        actions.push(Action::ResetModel);
    }
    actions
}

/// The L2 penalty: Auto (cross-validated, as `nanograd train` does), or a number.
fn l2_row(ui: &mut egui::Ui, l2: &mut L2Setting, status: &L2Status) {
    let label = ui
        .label("L2 penalty")
        .on_hover_text(glossary::meaning("L2 penalty"));
    ui.horizontal(|ui| {
        let mut is_auto = l2.is_auto();
        let hover = "Auto: chosen by 5-fold cross-validation on the training rows among \
                     0.1, 0.3, 1, 3, 10 and 30, as nanograd train does (0.1 above 1,000 rows). \
                     A penalty keeps the weights small, so the curve does not chase every point";
        if ui
            .checkbox(&mut is_auto, "Auto")
            .on_hover_text(hover)
            .changed()
        {
            let chosen = status.chosen.as_ref().map_or(0.0, |(value, _)| *value);
            *l2 = if is_auto {
                L2Setting::Auto
            } else {
                L2Setting::Fixed(chosen)
            };
        }
        match (*l2, status.progress, &status.chosen) {
            (L2Setting::Fixed(mut value), _, _) => {
                let edited = ui
                    .add(
                        egui::DragValue::new(&mut value)
                            .range(0.0..=MAX_L2)
                            .speed(0.05)
                            .max_decimals(3),
                    )
                    .labelled_by(label.id)
                    .on_hover_text(
                        "0: no penalty. Each step minimises loss + penalty / (2 n) · Σ w²",
                    )
                    .changed();
                if edited {
                    *l2 = L2Setting::Fixed(value);
                }
            }
            (L2Setting::Auto, Some(done), _) => {
                ui.add(egui::Spinner::new());
                ui.label(format!("choosing… {:.0} %", done * 100.0))
                    .on_hover_text("Train waits for the choice");
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(200));
            }
            (L2Setting::Auto, None, Some((value, said))) => {
                ui.label(format!("{value}")).on_hover_text(said);
            }
            (L2Setting::Auto, None, None) => {}
        }
    });
    ui.end_row();
}

/// One grid row: a checkbox that turns a rule on, and the rule's value beside it.
fn rule_row<T: egui::emath::Numeric>(
    ui: &mut egui::Ui,
    label: &str,
    (check_text, hover): (&str, &str),
    rule: &mut Option<T>,
    (default, value_widget): (T, impl FnOnce(&mut T) -> egui::DragValue<'_>),
    is_enabled: bool,
) -> bool {
    let label = ui.label(label).on_hover_text(glossary::meaning(label));
    let mut changed = false;
    ui.horizontal(|ui| {
        let mut is_on = rule.is_some();
        let toggled = ui
            .add_enabled(is_enabled, egui::Checkbox::new(&mut is_on, check_text))
            .on_hover_text(hover)
            .on_disabled_hover_text(hover)
            .changed();
        let mut value = rule.unwrap_or(default);
        let edited = ui
            .add_enabled(is_enabled && is_on, value_widget(&mut value))
            .labelled_by(label.id)
            .changed();
        if toggled || edited {
            *rule = is_on.then_some(value);
            changed = true;
        }
    });
    ui.end_row();
    changed
}

fn stop_rules_ui(
    ui: &mut egui::Ui,
    optimizer: &mut OptimizerSettings,
    has_validation: bool,
    actions: &mut Vec<Action>,
) {
    let mut changed = rule_row(
        ui,
        "Epoch limit",
        ("Stop at", "Pause automatically after this many epochs"),
        &mut optimizer.epoch_limit,
        (1000, |limit| {
            egui::DragValue::new(limit).range(1..=10_000_000).speed(5.0)
        }),
        true,
    );
    changed |= rule_row(
        ui,
        "Target loss",
        (
            "Stop at",
            "Pause once the training loss (as on the loss plot) is at or below this",
        ),
        &mut optimizer.target_loss,
        (0.01, |target| {
            egui::DragValue::new(target)
                .range(OptimizerSettings::MIN_TARGET_LOSS..=OptimizerSettings::MAX_TARGET_LOSS)
                .speed(0.001)
                .max_decimals(6)
        }),
        true,
    );
    let hover = if has_validation {
        "Early stopping: pause when the validation loss has not improved for this many epochs \
         (the patience), and go back to the weights of its best epoch"
    } else {
        "Early stopping watches the validation loss: hold out some rows first (Validation in the \
         Data panel)"
    };
    changed |= rule_row(
        ui,
        "Early stop",
        ("After", hover),
        &mut optimizer.early_stopping,
        (20, |patience| {
            egui::DragValue::new(patience)
                .range(1..=OptimizerSettings::MAX_PATIENCE)
                .speed(0.5)
        }),
        has_validation,
    );
    if changed {
        actions.push(Action::SetStopRules);
    }
}

//! SGD or Adam, their hyper-parameters, batch size, seed and an optional epoch limit.
//!
//! The learning rate is on a logarithmic slider and is sent to the running trainer without a
//! reset; every other change rebuilds the model from the seed.

use super::super::state::{OptimizerKind, OptimizerSettings};
use super::{Action, labelled};

pub fn optimizer_ui(ui: &mut egui::Ui, optimizer: &mut OptimizerSettings) -> Vec<Action> {
    let before = optimizer.clone();
    let mut actions = Vec::new();
    ui.horizontal(|ui| {
        ui.selectable_value(&mut optimizer.kind, OptimizerKind::Sgd, "SGD")
            .on_hover_text("Stochastic gradient descent with momentum");
        ui.selectable_value(&mut optimizer.kind, OptimizerKind::Adam, "Adam")
            .on_hover_text("Adam: adaptive moments (Kingma & Ba, 2015)");
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
            let mut has_limit = optimizer.epoch_limit.is_some();
            let label = ui.label("Epoch limit");
            ui.horizontal(|ui| {
                let toggled = ui
                    .checkbox(&mut has_limit, "Stop at")
                    .on_hover_text("Pause automatically after this many epochs")
                    .changed();
                let mut limit = optimizer.epoch_limit.unwrap_or(1000);
                let edited = ui
                    .add_enabled(
                        has_limit,
                        egui::DragValue::new(&mut limit)
                            .range(1..=10_000_000)
                            .speed(5.0),
                    )
                    .labelled_by(label.id)
                    .changed();
                if toggled || edited {
                    optimizer.epoch_limit = has_limit.then_some(limit);
                    actions.push(Action::SetEpochLimit(optimizer.epoch_limit));
                }
            });
            ui.end_row();
        });

    let needs_reset = optimizer.kind != before.kind
        || optimizer.momentum != before.momentum
        || optimizer.beta1 != before.beta1
        || optimizer.beta2 != before.beta2
        || optimizer.batch_size != before.batch_size
        || optimizer.seed != before.seed;
    if needs_reset {
        actions.push(Action::ResetModel);
    }
    actions
}

//! The run history window: one row per finished run, newest first, with its settings, how far
//! it got, its final and best losses, R² and time; a ghost toggle to keep its loss curve on the
//! loss plot, Restore, Delete, and the whole list exported as CSV.

use super::super::history::HistoryEntry;
use super::super::numbers::{format_loss, format_r2};

/// What the user asked of the history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryAction {
    Restore(u64),
    Delete(u64),
    Export,
    Clear,
}

pub fn history_window(
    ctx: &egui::Context,
    is_open: &mut bool,
    entries: &mut [HistoryEntry],
) -> Option<HistoryAction> {
    let mut action = None;
    egui::Window::new("Run history")
        .open(is_open)
        .default_width(900.0)
        .default_height(360.0)
        .show(ctx, |ui| {
            if entries.is_empty() {
                ui.label(
                    "No finished runs yet. A run is kept here when Reset or a change of settings \
                     replaces it.",
                );
                return;
            }
            ui.horizontal(|ui| {
                if ui
                    .button("Export CSV…")
                    .on_hover_text("Every run's settings and results as a CSV file")
                    .clicked()
                {
                    action = Some(HistoryAction::Export);
                }
                if ui
                    .button("Clear all")
                    .on_hover_text("Delete every run of the history and its weights")
                    .clicked()
                {
                    action = Some(HistoryAction::Clear);
                }
                ui.label(
                    egui::RichText::new(format!(
                        "{} run(s), the latest {} kept",
                        entries.len(),
                        super::super::history::MAX_ENTRIES
                    ))
                    .small(),
                );
            });
            egui::ScrollArea::both().show(ui, |ui| {
                egui::Grid::new("history-grid")
                    .striped(true)
                    .spacing([12.0, 4.0])
                    .show(ui, |ui| {
                        for heading in [
                            "run",
                            "",
                            "",
                            "",
                            "epochs",
                            "loss",
                            "best",
                            "R²",
                            "time",
                            "optimizer",
                            "network",
                            "data",
                        ] {
                            ui.label(egui::RichText::new(heading).strong());
                        }
                        ui.end_row();
                        for entry in entries.iter_mut() {
                            if let Some(chosen) = row_ui(ui, entry) {
                                action = Some(chosen);
                            }
                            ui.end_row();
                        }
                    });
            });
            ui.label(
                egui::RichText::new(
                    "Losses are training / validation, in standardised units; R² in the data's \
                     own units. Restore brings back a run's settings and weights on the current \
                     data.",
                )
                .small(),
            )
            .on_hover_text(super::super::glossary::meaning("Standardised"));
        });
    action
}

fn row_ui(ui: &mut egui::Ui, entry: &mut HistoryEntry) -> Option<HistoryAction> {
    let mut action = None;
    ui.label(format!("#{}", entry.id + 1))
        .on_hover_text(&entry.label);
    ui.checkbox(&mut entry.is_ghost, "ghost")
        .on_hover_text("Keep this run's loss curve on the loss plot, faintly");
    if ui
        .button("Restore")
        .on_hover_text("Bring back this run's settings and weights, and go on from there")
        .clicked()
    {
        action = Some(HistoryAction::Restore(entry.id));
    }
    if ui.button("Delete").clicked() {
        action = Some(HistoryAction::Delete(entry.id));
    }
    ui.label(entry.epochs.to_string());
    ui.label(pair(
        format_loss(entry.train_loss),
        entry.validation_loss.map(format_loss),
    ));
    let best_epoch = entry
        .best_validation_epoch
        .map_or_else(String::new, |epoch| {
            format!("best validation at epoch {epoch:.0}")
        });
    ui.label(pair(
        format_loss(entry.best_train_loss),
        entry.best_validation_loss.map(format_loss),
    ))
    .on_hover_text(best_epoch);
    ui.label(pair(
        format_r2(entry.r2),
        entry.validation_r2.map(format_r2),
    ));
    ui.label(format!("{:.1} s", entry.seconds));
    ui.label(format!(
        "{} {}, batch {}",
        entry.config.optimizer.name(),
        entry.config.optimizer.learning_rate(),
        entry.config.batch_size
    ));
    let hidden: Vec<String> = entry
        .config
        .hidden_sizes
        .iter()
        .map(usize::to_string)
        .collect();
    ui.label(format!(
        "{} {}",
        if hidden.is_empty() {
            "linear".to_owned()
        } else {
            hidden.join("-")
        },
        entry.config.activation.name()
    ));
    // "→" is not in egui's fonts.
    ui.label(format!(
        "{}: {} from {}",
        entry.data_name,
        entry.y_name,
        entry.x_names.join(", ")
    ));
    action
}

fn pair(train: String, validation: Option<String>) -> String {
    match validation {
        Some(validation) => format!("{train} / {validation}"),
        None => train,
    }
}

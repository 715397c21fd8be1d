//! The status line under the toolbar: epoch, speed, loss, RMSE, MAE and R² of the run on screen.
//! Each number is its own label, so on a narrow window the line wraps instead of running off,
//! and each says in its tooltip what it means.

use super::glossary;
use super::numbers::{format_loss, format_r2, format_value, thousands};
use super::snapshot::{DataView, RunSnapshot};
use super::style::ViewStyle;
use super::views::run_color;
use crate::train::{SharedStart, StopReason};

/// R² needs at least this many rows: with one, there is no variation to explain.
const MIN_ROWS_FOR_R2: usize = 2;

pub fn status_ui(
    ui: &mut egui::Ui,
    run: Option<&RunSnapshot>,
    data: Option<&DataView>,
    is_loading: bool,
    is_projector: bool,
) {
    // The projector view's text is large already; it shows the three numbers a class follows
    // (epoch, loss, R²) and leaves the speed and RMSE to the tooltips and the normal view.
    let scale = if is_projector { 1.1 } else { 1.25 };
    let size = ui.text_style_height(&egui::TextStyle::Body) * scale;
    let text = |text: String| egui::RichText::new(text).size(size).strong();
    let Some(run) = run else {
        let message = if is_loading {
            "Loading data…"
        } else {
            "No model yet: load data to start."
        };
        ui.label(text(message.to_owned()));
        return;
    };
    let y_name = data.map_or("y", |data| data.y_name.as_str());
    let n_validation = data.map_or(0, |data| data.n_validation);
    let mut items: Vec<(String, String, bool)> = Vec::new();
    items.push((
        format!("Epoch {}", thousands(run.epoch as u64)),
        glossary::meaning("Epoch").to_owned(),
        false,
    ));
    if !is_projector {
        let speed = thousands(run.steps_per_second.round() as u64);
        items.push((
            format!("{speed} steps/s"),
            format!("Steps per second. {}", glossary::meaning("Step")),
            false,
        ));
    }
    items.push((
        format!(
            "Loss {}",
            pair(f64::from(run.train_loss), run.validation_loss, format_loss)
        ),
        format!("{} Training / validation rows.", glossary::meaning("Loss")),
        false,
    ));
    if !is_projector {
        items.push((
            format!(
                "RMSE {}",
                pair(f64::from(run.train_rmse), run.validation_rmse, format_value)
            ),
            format!(
                "{} Training / validation rows, in {y_name}'s units. MAE {}",
                glossary::meaning("RMSE"),
                pair(f64::from(run.train_mae), run.validation_mae, format_value)
            ),
            false,
        ));
        // The MAE is said in the RMSE's tooltip too, so on a narrow window it gives way
        // rather than wrap the status line onto a second row.
        items.push((
            format!(
                "MAE {}",
                pair(f64::from(run.train_mae), run.validation_mae, format_value)
            ),
            format!(
                "{} Training / validation rows, in {y_name}'s units.",
                glossary::meaning("MAE")
            ),
            true,
        ));
    }
    let mut r2 = format!("R² {}", format_r2(f64::from(run.train_r2)));
    match run.validation_r2 {
        Some(validation) if n_validation >= MIN_ROWS_FOR_R2 => {
            r2.push_str(&format!(" / {}", format_r2(f64::from(validation))));
        }
        Some(_) => r2.push_str(" / —"),
        None => {}
    }
    let hover = if run.validation_r2.is_some() && n_validation < MIN_ROWS_FOR_R2 {
        format!(
            "{} Training / validation rows: one validation row has no variation to explain, so \
             it has no R².",
            glossary::meaning("R²")
        )
    } else {
        format!("{} Training / validation rows.", glossary::meaning("R²"))
    };
    items.push((r2, hover, false));

    let spacing = size * 1.2;
    let font = egui::FontId::proportional(size);
    let width_of = |ui: &egui::Ui, text: &str| {
        ui.fonts_mut(|fonts| {
            fonts
                .layout_no_wrap(text.to_owned(), font.clone(), egui::Color32::PLACEHOLDER)
                .size()
                .x
        })
    };
    let total: f32 = items
        .iter()
        .map(|(label, _, _)| width_of(ui, label) + spacing)
        .sum();
    let has_room_for_all = total <= ui.available_width();
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = spacing;
        for (label, hover, is_optional) in items {
            if !is_optional || has_room_for_all {
                ui.label(text(label)).on_hover_text(hover);
            }
        }
    });
}

/// "training / validation" as the status line writes a pair, or the training value alone.
fn pair(train: f64, validation: Option<f32>, format: fn(f64) -> String) -> String {
    match validation {
        Some(validation) => format!("{} / {}", format(train), format(f64::from(validation))),
        None => format(train),
    }
}

/// The status line of a race: each run's epoch, loss and R² in its colour, and how it ended.
pub fn race_status_ui(ui: &mut egui::Ui, runs: &[RunSnapshot], style: &ViewStyle) {
    let size = ui.text_style_height(&egui::TextStyle::Body) * 1.1;
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = size;
        for (index, run) in runs.iter().enumerate() {
            let color = run_color(style, index);
            let mut text = format!(
                "run {}: epoch {}, loss {}, R² {}",
                run.run_id.0 + 1,
                thousands(run.epoch as u64),
                format_loss(f64::from(run.train_loss)),
                format_r2(f64::from(run.train_r2)),
            );
            match run.stopped {
                Some(StopReason::Diverged) => text.push_str(", diverged"),
                Some(StopReason::EarlyStopping) => text.push_str(", stopped early"),
                Some(StopReason::TargetLoss) => text.push_str(", target reached"),
                _ => {}
            }
            let start = match run.shared_start {
                _ if index == 0 => "the main run (the settings in the panel)",
                SharedStart::WeightsAndBatches => {
                    "same initial weights and the same batches as run 1"
                }
                SharedStart::Weights => {
                    "same initial weights as run 1; its batch size makes other batches"
                }
                SharedStart::SeedOnly => {
                    "another network than run 1: only the seed is shared, so it starts elsewhere"
                }
            };
            ui.label(egui::RichText::new(text).size(size).strong().color(color))
                .on_hover_text(format!("{}\n{start}", run.label));
        }
    });
}

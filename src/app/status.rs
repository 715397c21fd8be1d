//! The status line under the toolbar: epoch, speed, loss, error and R² of the run on screen.
//! Each number is its own label, so on a narrow window the line wraps instead of running off,
//! and each says in its tooltip what it means.

use super::numbers::{format_loss, format_r2, format_value, thousands};
use super::snapshot::{DataView, RunSnapshot};

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
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = size * 1.2;
        ui.label(text(format!("Epoch {}", thousands(run.epoch as u64))))
            .on_hover_text("Passes over all training rows so far");
        if !is_projector {
            let speed = thousands(run.steps_per_second.round() as u64);
            ui.label(text(format!("{speed} steps/s")))
                .on_hover_text("Weight updates per second (one batch each)");
        }
        let mut loss = format!("Loss {}", format_loss(f64::from(run.train_loss)));
        if let Some(validation) = run.validation_loss {
            loss.push_str(&format!(" / {}", format_loss(f64::from(validation))));
        }
        ui.label(text(loss)).on_hover_text(
            "Mean squared error in standardised units (what the optimizer minimises), training / \
             validation rows",
        );
        if !is_projector {
            let mut rmse = format!("RMSE {}", format_value(f64::from(run.train_rmse)));
            if let Some(validation) = run.validation_rmse {
                rmse.push_str(&format!(" / {}", format_value(f64::from(validation))));
            }
            ui.label(text(rmse)).on_hover_text(format!(
                "Typical prediction error in {y_name}'s own units, training / validation rows"
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
            "Share of the target's variation explained (1 is perfect), training / validation. \
             One validation row has no variation to explain, so it has no R²."
        } else {
            "Share of the target's variation explained (1 is perfect, 0 no better than the mean), \
             training / validation rows"
        };
        ui.label(text(r2)).on_hover_text(hover);
    });
}

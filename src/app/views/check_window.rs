//! The engine check's result in a window: pass or fail, the worst gradient and where, and
//! micrograd's reference values beside the engine's.

use crate::inside::{CheckError, EngineCheck};

/// What the window shows: the check still running, or its outcome.
pub enum CheckView<'a> {
    Running,
    Done(&'a Result<EngineCheck, CheckError>),
}

/// Shows the window while `is_open`.
pub fn check_window(ctx: &egui::Context, view: CheckView<'_>, is_open: &mut bool) {
    egui::Window::new("Engine check")
        .open(is_open)
        .resizable(true)
        .default_width(460.0)
        .show(ctx, |ui| match view {
            CheckView::Running => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Checking every gradient against finite differences…");
                });
            }
            CheckView::Done(Err(err)) => {
                ui.label(format!("The check could not run: {err}."));
            }
            CheckView::Done(Ok(check)) => check_ui(ui, check),
        });
}

fn check_ui(ui: &mut egui::Ui, check: &EngineCheck) {
    let (verdict, color) = if check.passed {
        (
            "PASS: the engine's gradients are right",
            ui.visuals().text_color(),
        )
    } else {
        ("FAIL: a gradient is off", ui.visuals().error_fg_color)
    };
    ui.label(egui::RichText::new(verdict).heading().color(color));
    let gradients = &check.gradients;
    ui.label(format!(
        "On the current network and {} row(s) of the current data: {} of {} weights and biases \
         compared, each gradient d(loss)/d(parameter) from the engine's backward (f32) against \
         central finite differences in f64.",
        gradients.n_rows, gradients.n_checked, gradients.n_parameters
    ));
    if let Some(worst) = &gradients.worst {
        ui.label(format!(
            "Worst relative error {:.1e} (allowed {:.0e}) at {}[{}, {}]: engine {:.6}, finite \
             differences {:.6}.",
            worst.relative_error,
            gradients.tolerance,
            worst.parameter,
            worst.row,
            worst.col,
            worst.analytic,
            worst.numeric
        ));
    }
    if gradients.n_skipped_at_kinks > 0 || gradients.n_rows_left_out > 0 {
        ui.label(format!(
            "Left out at ReLU kinks, where there is no derivative: {} entr{}, {} row(s).",
            gradients.n_skipped_at_kinks,
            if gradients.n_skipped_at_kinks == 1 {
                "y"
            } else {
                "ies"
            },
            gradients.n_rows_left_out
        ));
    }
    if !check.passed && gradients.saturated_share > 0.5 {
        ui.label(format!(
            "{:.0} % of the tanh/sigmoid units are saturated: there f32 and the fast tanh \
             approximation alone can reach the tolerance, so this may not be an engine error.",
            100.0 * gradients.saturated_share
        ));
    }
    ui.separator();
    ui.label(egui::RichText::new("micrograd's reference expressions").strong());
    let sanity = &check.micrograd.sanity;
    let more = &check.micrograd.more_ops;
    let mark = |passed: bool| if passed { "right" } else { "WRONG" };
    egui::Grid::new("micrograd-values")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            for header in ["value", "engine", "micrograd"] {
                ui.label(egui::RichText::new(header).strong());
            }
            ui.end_row();
            let rows = [
                ("y", f64::from(sanity.y), sanity.expected_y),
                ("dy/dx", f64::from(sanity.dy_dx), sanity.expected_dy_dx),
                ("g", f64::from(more.g), more.expected_g),
                ("dg/da", f64::from(more.dg_da), more.expected_dg_da),
                ("dg/db", f64::from(more.dg_db), more.expected_dg_db),
            ];
            for (name, engine, expected) in rows {
                ui.label(name);
                // A true minus sign, as everywhere else in the window.
                ui.label(format!("{engine:.4}").replace('-', "−"));
                ui.label(format!("{expected:.4}").replace('-', "−"));
                ui.end_row();
            }
        });
    ui.label(format!(
        "Sanity check (y = −20, dy/dx = 46): {}. More ops (g = 24.7041, dg/da = 138.8338, \
         dg/db = 645.5773): {}.",
        mark(sanity.passed),
        mark(more.passed)
    ));
}

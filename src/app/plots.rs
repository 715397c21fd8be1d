//! The two live plots: the data with the network's prediction, and the loss curve.
//!
//! They only draw what the worker sent ([`DataView`], [`RunSnapshot`]); nothing here evaluates
//! the network. egui_plot has no log axis, so the log-scale loss plot draws `log10(loss)` and
//! labels its ticks with the powers of ten they stand for.

use egui::Color32;
use egui_plot::{
    GridInput, GridMark, HoverPosition, Legend, Line, LineStyle, MarkerShape, Plot, PlotPoint,
    Points, VLine,
};

use super::snapshot::{DataView, Prediction, RunSnapshot};

/// Colours that stay apart on a washed-out projector and for red-green colour blindness.
pub mod colors {
    use egui::Color32;
    pub const TRAIN: Color32 = Color32::from_rgb(0x3b, 0x82, 0xf6);
    pub const VALIDATION: Color32 = Color32::from_rgb(0xf5, 0x9e, 0x0b);
    pub const PREDICTION: Color32 = Color32::from_rgb(0xef, 0x44, 0x44);
}

/// Data points and the prediction curve (one input) or predicted versus actual (several).
pub fn fit_plot_ui(ui: &mut egui::Ui, data: Option<&DataView>, run: Option<&RunSnapshot>) {
    let Some(data) = data else {
        ui.centered_and_justified(|ui| ui.label("Load data to see it here."));
        return;
    };
    let prediction = run.map_or(&Prediction::None, |run| &run.prediction);
    if data.x_names.len() == 1 {
        curve_plot_ui(ui, data, prediction);
    } else {
        versus_actual_plot_ui(ui, data, prediction);
    }
}

fn curve_plot_ui(ui: &mut egui::Ui, data: &DataView, prediction: &Prediction) {
    let x_name = data.x_names.first().cloned().unwrap_or_default();
    let plot = Plot::new("fit-plot")
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .x_axis_label(x_name)
        .y_axis_label(data.y_name.clone())
        .allow_scroll(false);
    plot.show(ui, |plot_ui| {
        if let Some((min, max)) = data.x_range {
            // The data's x range; the curve beyond these lines is extrapolation.
            for x in [min, max] {
                plot_ui.vline(
                    VLine::new("data range", x)
                        .color(Color32::GRAY)
                        .style(LineStyle::dashed_loose())
                        .width(1.0),
                );
            }
        }
        plot_ui.points(
            Points::new("training data", &data.train_points[..])
                .color(colors::TRAIN)
                .radius(2.5)
                .filled(true),
        );
        if !data.validation_points.is_empty() {
            plot_ui.points(
                Points::new("validation data", &data.validation_points[..])
                    .color(colors::VALIDATION)
                    .shape(MarkerShape::Diamond)
                    .radius(3.5)
                    .filled(false),
            );
        }
        if let Prediction::Curve { points } = prediction {
            plot_ui.line(
                Line::new("network", &points[..])
                    .color(colors::PREDICTION)
                    .width(3.0),
            );
        }
    });
}

fn versus_actual_plot_ui(ui: &mut egui::Ui, data: &DataView, prediction: &Prediction) {
    let plot = Plot::new("versus-plot")
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .x_axis_label(format!("actual {}", data.y_name))
        .y_axis_label(format!("predicted {}", data.y_name))
        .data_aspect(1.0)
        .allow_scroll(false);
    plot.show(ui, |plot_ui| {
        let Prediction::VersusActual { train, validation } = prediction else {
            return;
        };
        let (min, max) = train
            .iter()
            .chain(validation)
            .flat_map(|point| [point.x, point.y])
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        if min.is_finite() && max.is_finite() {
            plot_ui.line(
                Line::new("perfect fit", vec![[min, min], [max, max]])
                    .color(Color32::GRAY)
                    .style(LineStyle::dashed_loose()),
            );
        }
        plot_ui.points(
            Points::new("training rows", &train[..])
                .color(colors::TRAIN)
                .radius(2.5)
                .filled(true),
        );
        if !validation.is_empty() {
            plot_ui.points(
                Points::new("validation rows", &validation[..])
                    .color(colors::VALIDATION)
                    .shape(MarkerShape::Diamond)
                    .radius(3.5)
                    .filled(false),
            );
        }
    });
}

/// Train and validation loss over epochs, linear or log10.
pub fn loss_plot_ui(ui: &mut egui::Ui, run: Option<&RunSnapshot>, is_log: bool) {
    let transform = |loss: f32| -> Option<f64> {
        let loss = f64::from(loss);
        if !loss.is_finite() {
            return None;
        }
        if is_log {
            Some(loss.max(1e-12).log10())
        } else {
            Some(loss)
        }
    };
    let (train, validation): (Vec<[f64; 2]>, Vec<[f64; 2]>) = match run {
        Some(run) => {
            let history = run.history.iter_with_latest();
            let mut train = Vec::with_capacity(run.history.len() + 1);
            let mut validation = Vec::new();
            for point in history {
                if let Some(y) = transform(point.train_loss) {
                    train.push([point.epoch, y]);
                }
                if let Some(y) = point.validation_loss.and_then(transform) {
                    validation.push([point.epoch, y]);
                }
            }
            (train, validation)
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut plot = Plot::new("loss-plot")
        .legend(Legend::default().position(egui_plot::Corner::RightTop))
        .x_axis_label("epoch")
        .y_axis_label(if is_log { "loss (log scale)" } else { "loss" })
        .allow_scroll(false)
        .include_x(0.0)
        .label_formatter(move |position: &HoverPosition<'_>| {
            let (name, point) = match position {
                HoverPosition::NearDataPoint {
                    plot_name,
                    position,
                    ..
                } => (*plot_name, *position),
                HoverPosition::Elsewhere { position } => ("", *position),
            };
            Some(loss_readout(name, point, is_log))
        });
    if is_log {
        plot = plot
            .y_grid_spacer(log10_grid_spacer)
            .y_axis_formatter(|mark, _range| format_power_of_ten(mark.value));
    } else {
        plot = plot.include_y(0.0);
    }
    plot.show(ui, |plot_ui| {
        plot_ui.line(
            Line::new("train loss", train)
                .color(colors::TRAIN)
                .width(2.5),
        );
        if !validation.is_empty() {
            plot_ui.line(
                Line::new("validation loss", validation)
                    .color(colors::VALIDATION)
                    .width(2.5),
            );
        }
    });
}

fn loss_readout(name: &str, point: PlotPoint, is_log: bool) -> String {
    let loss = if is_log { 10f64.powf(point.y) } else { point.y };
    let label = if name.is_empty() { "loss" } else { name };
    format!("{label}\nepoch {:.1}\n{}", point.x, format_loss(loss))
}

/// A loss for people: 4 significant digits, scientific when tiny or huge.
pub fn format_loss(loss: f64) -> String {
    if !loss.is_finite() {
        return "—".to_owned();
    }
    let magnitude = loss.abs();
    if magnitude != 0.0 && !(1e-3..1e4).contains(&magnitude) {
        format!("{loss:.3e}")
    } else {
        format!("{loss:.4}")
    }
}

/// Grid marks for a log10 axis: every decade (thick), and 2…9 times each decade (thinner) when
/// there is room for them. The plotted values are exponents, so a mark at `v` stands for `10^v`.
fn log10_grid_spacer(input: GridInput) -> Vec<GridMark> {
    let (low, high) = input.bounds;
    if !(low.is_finite() && high.is_finite()) || high <= low {
        return Vec::new();
    }
    let mut marks = Vec::new();
    let decades = high - low;
    // Decades per mark, so that there are at most ~12 labelled marks.
    let decade_step = (decades / 12.0).ceil().max(1.0);
    let first = (low / decade_step).floor() as i64;
    let last = (high / decade_step).ceil() as i64;
    for k in first..=last {
        let value = k as f64 * decade_step;
        marks.push(GridMark {
            value,
            step_size: decade_step,
        });
        if decade_step <= 1.0 && decades < 4.0 {
            for factor in 2..=9 {
                let minor = value + f64::from(factor).log10();
                if minor > low && minor < high {
                    // 2 and 5 are labelled like the decades (1, 2, 5, 10, 20, 50 …); the
                    // others are faint lines. egui_plot labels a mark when its step is wide
                    // enough on screen, so the step is what decides.
                    let step_size = if factor == 2 || factor == 5 {
                        0.3
                    } else {
                        0.05
                    };
                    marks.push(GridMark {
                        value: minor,
                        step_size,
                    });
                }
            }
        }
    }
    marks
}

/// Tick label for a log10 axis value: "0.01", "1", "100", or "1e-6" far from 1.
fn format_power_of_ten(exponent: f64) -> String {
    let value = 10f64.powf(exponent);
    let rounded_exponent = exponent.round();
    if (exponent - rounded_exponent).abs() < 1e-9 {
        let k = rounded_exponent as i32;
        if (-3..=3).contains(&k) {
            format_loss(value)
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_owned()
        } else {
            format!("1e{k}")
        }
    } else {
        // A minor mark: digit × 10^k, written out in full so each label reads on its own.
        let k = exponent.floor() as i32;
        let digit = (value / 10f64.powi(k)).round();
        if (-3..=3).contains(&k) {
            let decimals = usize::try_from(-k).unwrap_or(0);
            format!("{:.*}", decimals, digit * 10f64.powi(k))
        } else {
            format!("{digit}e{k}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_are_labelled_with_the_powers_they_stand_for() {
        assert_eq!(format_power_of_ten(-2.0), "0.01");
        assert_eq!(format_power_of_ten(0.0), "1");
        assert_eq!(format_power_of_ten(2.0), "100");
        assert_eq!(format_power_of_ten(-6.0), "1e-6");
        assert_eq!(format_power_of_ten(2f64.log10() - 1.0), "0.2");
        assert_eq!(format_power_of_ten(5f64.log10() + 1.0), "50");
    }

    #[test]
    fn log_grid_has_a_mark_on_every_decade_in_range() {
        let marks = log10_grid_spacer(GridInput {
            bounds: (-3.2, 0.4),
            base_step_size: 0.01,
        });
        for decade in [-3.0, -2.0, -1.0, 0.0] {
            assert!(marks.iter().any(|mark| (mark.value - decade).abs() < 1e-12));
        }
    }
}

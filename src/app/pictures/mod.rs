//! The pictures the worker sends, computed from a trainer: the prediction curve or predicted
//! against actual, the data points, and the inside of the network ([`inside_snapshot`]). The
//! worker loop (`session/worker/`) decides when; this module only knows how. Nothing here
//! draws.

use egui_plot::PlotPoint;

use crate::data::Dataset;
use crate::train::Trainer;

mod inside;

pub use inside::inside_snapshot;

use super::snapshot::{DataView, Generation, Prediction, RowPredictions};

/// Points of the prediction curve over the x range (plus margins).
const CURVE_POINTS: usize = 512;
/// The curve extends this fraction of the data's x range beyond each end, to show extrapolation.
pub const CURVE_MARGIN: f64 = 0.25;
/// Most data points sent for plotting per set; more are thinned evenly.
const MAX_PLOTTED_POINTS: usize = 20_000;

/// `n` evenly spaced values over `[min, max]` widened by [`CURVE_MARGIN`] on both sides.
pub fn curve_xs(min: f64, max: f64) -> Vec<f32> {
    let span = (max - min).abs().max(1e-6);
    let start = min - CURVE_MARGIN * span;
    let end = max + CURVE_MARGIN * span;
    (0..CURVE_POINTS)
        .map(|i| (start + (end - start) * i as f64 / (CURVE_POINTS - 1) as f64) as f32)
        .collect()
}

pub fn prediction(trainer: &mut Trainer, curve_x: &[f32]) -> Prediction {
    let n_inputs = trainer.train_set().n_inputs();
    if n_inputs == 1 && !curve_x.is_empty() {
        let ys = trainer.predict(curve_x);
        let points = curve_x
            .iter()
            .zip(ys)
            .filter(|(_, y)| y.is_finite())
            .map(|(&x, y)| PlotPoint::new(x, y))
            .collect();
        return Prediction::Curve { points };
    }
    let train = versus_actual(trainer, false);
    let validation = versus_actual(trainer, true);
    Prediction::VersusActual { train, validation }
}

/// Every row's prediction against its target, training and validation.
pub fn row_predictions(trainer: &mut Trainer) -> RowPredictions {
    RowPredictions {
        train: versus_actual(trainer, false),
        validation: versus_actual(trainer, true),
    }
}

/// `(actual, predicted)` for (a thinned sample of) the train or validation rows.
fn versus_actual(trainer: &mut Trainer, is_validation: bool) -> Vec<PlotPoint> {
    let set = if is_validation {
        trainer.validation_set()
    } else {
        Some(trainer.train_set())
    };
    let Some(set) = set else {
        return Vec::new();
    };
    let stride = set.n_rows().div_ceil(MAX_PLOTTED_POINTS).max(1);
    let rows: Vec<usize> = (0..set.n_rows()).step_by(stride).collect();
    let mut x_rows = Vec::with_capacity(rows.len() * set.n_inputs());
    for &row in &rows {
        x_rows.extend_from_slice(set.x_row(row));
    }
    let actual: Vec<f32> = rows.iter().map(|&row| set.y[row]).collect();
    let predicted = trainer.predict(&x_rows);
    actual
        .into_iter()
        .zip(predicted)
        .map(|(a, p)| PlotPoint::new(a, p))
        .collect()
}

pub fn data_view(generation: Generation, trainer: &Trainer) -> DataView {
    let train = trainer.train_set();
    let validation = trainer.validation_set();
    let mut view = DataView {
        generation,
        x_names: train.x_names.clone(),
        y_name: train.y_name.clone(),
        n_train: train.n_rows(),
        n_validation: validation.map_or(0, Dataset::n_rows),
        ..DataView::default()
    };
    view.x_ranges = (0..train.n_inputs())
        .map(|column| column_range(train, validation, column))
        .collect();
    if train.n_inputs() != 1 {
        return view;
    }
    view.train_points = plot_points(train);
    view.validation_points = validation.map(plot_points).unwrap_or_default();
    let xs = train
        .x
        .iter()
        .chain(validation.map_or(&[][..], |set| &set.x[..]))
        .copied()
        .filter(|x| x.is_finite());
    let (min, max) = xs.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    if min.is_finite() && max.is_finite() {
        view.x_range = Some((f64::from(min), f64::from(max)));
    }
    view
}

/// `(min, max)` of one input column over the training and validation rows; `(0, 1)` when it has
/// no finite value.
fn column_range(train: &Dataset, validation: Option<&Dataset>, column: usize) -> (f64, f64) {
    let values = [Some(train), validation]
        .into_iter()
        .flatten()
        .flat_map(|set| (0..set.n_rows()).map(move |row| set.x_row(row)[column]))
        .filter(|v| v.is_finite());
    let (min, max) = values.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if min.is_finite() && max.is_finite() {
        (f64::from(min), f64::from(max))
    } else {
        (0.0, 1.0)
    }
}

/// `(x, y)` of a one-input set, thinned evenly to at most [`MAX_PLOTTED_POINTS`].
fn plot_points(set: &Dataset) -> Vec<PlotPoint> {
    let stride = set.n_rows().div_ceil(MAX_PLOTTED_POINTS).max(1);
    (0..set.n_rows())
        .step_by(stride)
        .map(|row| PlotPoint::new(set.x[row], set.y[row]))
        .filter(|point| point.x.is_finite() && point.y.is_finite())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_extends_a_quarter_beyond_the_data_on_each_side() {
        let xs = curve_xs(0.0, 4.0);
        assert_eq!(xs.len(), CURVE_POINTS);
        assert!((xs[0] - -1.0).abs() < 1e-6);
        assert!((xs[CURVE_POINTS - 1] - 5.0).abs() < 1e-6);
    }
}

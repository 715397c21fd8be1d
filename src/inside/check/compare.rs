//! The engine's gradients against the f64 finite differences: the loss's slope at the engine's
//! predictions, the relative error with its two floors, and the worst entry (see the module
//! docs, "What is compared" and "Tolerance"). Which entries are compared is `sampling.rs`'s
//! choice; the differences themselves are `reference.rs`'s.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use super::reference::{NetworkF64, STEP};
use super::sampling::{SAMPLE_SEED, entries_per_tensor};
use super::{CheckBatch, GradientCheck, GradientEntry};
use crate::engine::{Tape, Tensor};
use crate::nn::Mlp;
use crate::train::parameter_name;

/// The largest relative error (as defined in the module docs) an entry may have and pass.
pub const TOLERANCE: f64 = 1e-2;
/// The relative error's denominator is at least this fraction of the largest |gradient| in
/// the entry's tensor…
pub const FLOOR_FRACTION: f64 = 1e-2;
/// … and at least this times Σ_r |dL/dp_r| · max(1, |p_r|): the finite differences' own
/// resolution.
pub const ABSOLUTE_FLOOR: f64 = 1e-6;

/// Compares `analytic` (one gradient tensor per parameter of `mlp`, as from
/// [`engine_gradients`](super::engine_gradients)) with central finite differences in f64 on
/// `batch` (see the module docs for what exactly is differenced).
pub fn compare_gradients(mlp: &Mlp, batch: &CheckBatch, analytic: &[Tensor]) -> GradientCheck {
    let parameters = mlp.parameters();
    assert_eq!(
        analytic.len(),
        parameters.len(),
        "one gradient per parameter"
    );
    for (i, (grad, param)) in analytic.iter().zip(parameters).enumerate() {
        assert_eq!(
            grad.shape(),
            param.shape(),
            "gradient {i} has the wrong shape"
        );
    }
    let n_parameters = mlp.n_parameters();
    let mut result = GradientCheck {
        within_tolerance: false,
        tolerance: TOLERANCE,
        floor_fraction: FLOOR_FRACTION,
        absolute_floor: ABSOLUTE_FLOOR,
        step: STEP,
        worst: None,
        n_checked: 0,
        n_skipped_at_kinks: 0,
        n_parameters,
        n_rows: batch.n_rows,
        n_rows_left_out: batch.n_rows_left_out,
        saturated_share: 0.0,
    };
    if batch.n_rows == 0 {
        return result;
    }
    // dL/dp_r = 2(p_r − y_r)/n at the engine's own predictions (see the module docs).
    let engine_predictions = mlp.predict(&mut Tape::new(), &batch.x);
    let n = batch.n_rows as f64;
    let loss_slopes: Vec<f64> = engine_predictions
        .iter()
        .zip(&batch.y)
        .map(|(&p, &y)| 2.0 * (f64::from(p) - f64::from(y)) / n)
        .collect();
    let mut network = NetworkF64::new(mlp, &batch.x);
    let base = network.forward_from(0, &network.inputs_by_layer[0]);
    result.saturated_share = network.saturated_share(&base);
    let absolute_floor = ABSOLUTE_FLOOR
        * loss_slopes
            .iter()
            .zip(&base.predictions)
            .map(|(slope, p)| slope.abs() * p.abs().max(1.0))
            .sum::<f64>();
    let per_tensor = entries_per_tensor(mlp, batch.n_rows);
    let mut rng = ChaCha8Rng::seed_from_u64(SAMPLE_SEED);
    for (index, (grad, param)) in analytic.iter().zip(parameters).enumerate() {
        let entries: Vec<usize> = if param.len() <= per_tensor {
            (0..param.len()).collect()
        } else {
            let mut sample = rand::seq::index::sample(&mut rng, param.len(), per_tensor).into_vec();
            sample.sort_unstable();
            sample
        };
        let numeric: Vec<Option<f64>> = entries
            .iter()
            .map(|&entry| {
                let prediction_slopes = network.prediction_slopes(index, entry, &base)?;
                Some(
                    prediction_slopes
                        .iter()
                        .zip(&loss_slopes)
                        .map(|(dp, dl)| dp * dl)
                        .sum(),
                )
            })
            .collect();
        let scale = grad
            .data()
            .iter()
            .map(|g| f64::from(g.abs()))
            .chain(numeric.iter().flatten().map(|n| n.abs()))
            .fold(0.0, f64::max);
        let floor = (FLOOR_FRACTION * scale)
            .max(absolute_floor)
            .max(f64::MIN_POSITIVE);
        for (&entry, numeric) in entries.iter().zip(numeric) {
            let Some(numeric) = numeric else {
                result.n_skipped_at_kinks += 1;
                continue;
            };
            result.n_checked += 1;
            let analytic = f64::from(grad.data()[entry]);
            let relative_error = relative_error(analytic, numeric, floor);
            if result
                .worst
                .as_ref()
                .is_none_or(|worst| relative_error > worst.relative_error)
            {
                result.worst = Some(GradientEntry {
                    relative_error,
                    parameter: parameter_name(index),
                    row: entry / param.cols(),
                    col: entry % param.cols(),
                    analytic,
                    numeric,
                });
            }
        }
    }
    result.within_tolerance = result
        .worst
        .as_ref()
        .is_some_and(|worst| worst.relative_error <= TOLERANCE);
    result
}

/// |a − n| / max(|a|, |n|, floor); infinite when the engine's value is not finite (an f32
/// overflow is a failure to report, not a number to compare).
fn relative_error(analytic: f64, numeric: f64, floor: f64) -> f64 {
    if !analytic.is_finite() || !numeric.is_finite() {
        return f64::INFINITY;
    }
    (analytic - numeric).abs() / analytic.abs().max(numeric.abs()).max(floor)
}

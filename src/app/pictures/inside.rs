//! The inside of the network for the inside views: the weights, one input's values layer by
//! layer, a neuron's arithmetic, each hidden unit's curve and one data point's computation
//! graph, all from the library's `inside` module.

use crate::data::Dataset;
use crate::engine::ParamId;
use crate::inside::{UnitCurves, explain, neuron_arithmetic, prediction_graph, unit_curves};
use crate::train::{Model, Trainer};

use super::super::snapshot::{
    GraphOfPoint, HiddenLayerCurves, InsideRequest, InsideSnapshot, UnitCurveSet,
};
use super::curve_xs;

pub fn inside_snapshot(
    trainer: &Trainer,
    request: &InsideRequest,
    curve_x: &[f32],
) -> InsideSnapshot {
    let model = trainer.model();
    let probe_x = request
        .probe
        .as_ref()
        .map(|probe| probe.x.clone())
        .filter(|x| x.len() == model.n_inputs() && x.iter().all(|v| v.is_finite()))
        .unwrap_or_else(|| middle_of_data(&model));
    let explanation = explain(&model, &probe_x);
    let arithmetic = request
        .selected
        .and_then(|(column, unit)| neuron_arithmetic(&model, &explanation, column, unit));
    let curves = request
        .want_unit_curves
        .then(|| unit_curve_set(&model, trainer.train_set(), request.curve_input, curve_x));
    let graph = request.want_graph.then(|| {
        let target = request
            .probe
            .as_ref()
            .filter(|probe| probe.x == probe_x)
            .and_then(|probe| probe.target);
        let (x, target) = match target {
            Some(target) => (probe_x.clone(), target),
            None => nearest_row(&model, trainer.train_set(), &probe_x),
        };
        let (graph, _) = prediction_graph(&model, &x, target);
        GraphOfPoint { x, target, graph }
    });
    let gradients = trainer.last_gradients();
    let last_gradients = (0..model.mlp.parameters().len())
        .map(|index| gradients.get(ParamId(index)).cloned())
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default();
    InsideSnapshot {
        last_gradients,
        explanation,
        arithmetic,
        curves,
        graph,
        model,
    }
}

/// The training mean of every input: where a slider starts.
fn middle_of_data(model: &Model) -> Vec<f32> {
    model.x_standardization.mean.clone()
}

/// The training row closest to `x` in standardised units, as `(x, y)`.
fn nearest_row(model: &Model, set: &Dataset, x: &[f32]) -> (Vec<f32>, f32) {
    let std = &model.x_standardization.std;
    let distance = |row: usize| -> f32 {
        set.x_row(row)
            .iter()
            .zip(x)
            .zip(std)
            .map(|((a, b), s)| ((a - b) / s).powi(2))
            .sum()
    };
    let best = (0..set.n_rows())
        .filter(|&row| set.y[row].is_finite())
        .min_by(|&a, &b| distance(a).total_cmp(&distance(b)));
    match best {
        Some(row) => (set.x_row(row).to_vec(), set.y[row]),
        None => (x.to_vec(), model.y_standardization.mean[0]),
    }
}

/// Every hidden unit along input column `input` (its data range plus margins; the other inputs
/// at their training mean).
fn unit_curve_set(model: &Model, set: &Dataset, input: usize, curve_x: &[f32]) -> UnitCurveSet {
    let n_inputs = model.n_inputs();
    let input = input.min(n_inputs - 1);
    let xs = if n_inputs == 1 && !curve_x.is_empty() {
        curve_x.to_vec()
    } else {
        let column = (0..set.n_rows())
            .map(|row| set.x_row(row)[input])
            .filter(|v| v.is_finite());
        let (min, max) = column.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        if min.is_finite() && max.is_finite() {
            curve_xs(f64::from(min), f64::from(max))
        } else {
            Vec::new()
        }
    };
    let mean = &model.x_standardization.mean;
    let mut rows = Vec::with_capacity(xs.len() * n_inputs);
    for &x in &xs {
        rows.extend((0..n_inputs).map(|column| if column == input { x } else { mean[column] }));
    }
    if rows.is_empty() {
        return UnitCurveSet {
            input,
            input_name: String::new(),
            xs,
            contributions: UnitCurves::default(),
            hidden: Vec::new(),
        };
    }
    let contributions = unit_curves(model, &rows);
    let hidden = {
        model
            .hidden_unit_outputs(&rows)
            .into_iter()
            .map(|values| HiddenLayerCurves {
                n_units: values.cols(),
                values: values.into_data(),
            })
            .collect()
    };
    UnitCurveSet {
        input,
        input_name: model.x_names.get(input).cloned().unwrap_or_default(),
        xs,
        contributions,
        hidden,
    }
}

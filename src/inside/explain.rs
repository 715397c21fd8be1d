//! One prediction, layer by layer: every layer's pre-activations and activations, and the last
//! hidden layer's units as contributions in the target's units that, with a constant, add up to
//! the prediction. The sum is the network's own output layer written out: prediction =
//! Σₖ hₖ·wₖ·σ_y + (b·σ_y + μ_y), where σ_y and μ_y undo the target's standardisation.

use serde::Serialize;

use crate::engine::{ParamId, Tape, Tensor};
use crate::nn::Activation;
use crate::train::Model;

/// One layer's values for one input, in standardised units.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerValues {
    /// `W·h + b`, one per unit.
    pub pre: Vec<f32>,
    /// The activation of `pre` (equal to it for the linear output layer).
    pub post: Vec<f32>,
}

/// What the network computes for one input.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// The input in its own units, then standardised as the network sees it.
    pub x: Vec<f32>,
    pub standardised_x: Vec<f32>,
    /// Every layer, hidden layers first and the output layer last.
    pub layers: Vec<LayerValues>,
    /// Per unit of the last hidden layer (per input when there is no hidden layer), its share
    /// of the prediction in the target's units: activation × outgoing weight × σ_y.
    pub contributions: Vec<f32>,
    /// The output bias and the target's mean in the target's units: b·σ_y + μ_y.
    pub constant: f32,
    /// The prediction in the target's units, as `nanograd predict` gives it.
    pub prediction: f32,
}

/// Runs the network on one input (the inputs' units) with the engine's tape, one unfused step
/// at a time so that each layer's pre-activation can be read.
pub fn explain(model: &Model, x: &[f32]) -> Explanation {
    assert_eq!(x.len(), model.n_inputs(), "one value per input column");
    let mlp = &model.mlp;
    let mut standardised_x = x.to_vec();
    model.x_standardization.apply(&mut standardised_x);
    let mut tape = Tape::new();
    let mut h = tape.input(1, standardised_x.len(), &standardised_x);
    let mut layers = Vec::with_capacity(mlp.n_layers());
    for layer in 0..mlp.n_layers() {
        let (weight, bias) = mlp.layer(layer);
        let w = tape.param(ParamId(2 * layer), weight);
        let b = tape.param(ParamId(2 * layer + 1), bias);
        let w_t = tape.transpose(w);
        let product = tape.matmul(h, w_t);
        let pre = tape.add(product, b);
        let is_output = layer + 1 == mlp.n_layers();
        h = if is_output {
            pre
        } else {
            mlp.activation().apply(&mut tape, pre)
        };
        layers.push(LayerValues {
            pre: tape.value(pre).to_vec(),
            post: tape.value(h).to_vec(),
        });
    }
    let last_hidden = match layers.len() {
        1 => &standardised_x[..],
        n => &layers[n - 2].post[..],
    };
    let (y_mean, y_std) = target_scale(model);
    let (output_weight, output_bias) = mlp.layer(mlp.n_layers() - 1);
    let contributions = last_hidden
        .iter()
        .zip(output_weight.data())
        .map(|(h, w)| h * w * y_std)
        .collect();
    Explanation {
        x: x.to_vec(),
        standardised_x,
        layers,
        contributions,
        constant: output_bias.item() * y_std + y_mean,
        prediction: model.predict(x)[0],
    }
}

/// The target's mean and standard deviation: prediction = σ_y·(network output) + μ_y.
pub fn target_scale(model: &Model) -> (f32, f32) {
    let y = &model.y_standardization;
    (
        y.mean.first().copied().unwrap_or(0.0),
        y.std.first().copied().unwrap_or(1.0),
    )
}

/// Each unit of the last hidden layer (each input when there is none) as a curve: its
/// contribution to the prediction, in the target's units, at every row of `x_rows`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnitCurves {
    pub n_units: usize,
    /// Row-major n_rows × n_units.
    pub contributions: Vec<f32>,
    /// Output bias and target mean, b·σ_y + μ_y: the flat line the curves stand on.
    pub constant: f32,
}

impl UnitCurves {
    pub fn n_rows(&self) -> usize {
        self.contributions.len() / self.n_units.max(1)
    }

    /// Contributions plus the constant at row `row`: the network's prediction there.
    pub fn total(&self, row: usize) -> f32 {
        let start = row * self.n_units;
        self.contributions[start..start + self.n_units]
            .iter()
            .fold(self.constant, |sum, c| sum + c)
    }
}

/// [`UnitCurves`] for rows in the inputs' units (row-major, n × n_inputs).
pub fn unit_curves(model: &Model, x_rows: &[f32]) -> UnitCurves {
    let mlp = &model.mlp;
    let last_hidden: Tensor = if mlp.hidden_sizes().is_empty() {
        let mut x = x_rows.to_vec();
        model.x_standardization.apply(&mut x);
        Tensor::new(x.len() / mlp.n_inputs(), mlp.n_inputs(), x)
    } else {
        model
            .hidden_unit_outputs(x_rows)
            .pop()
            .unwrap_or_else(|| Tensor::zeros(0, 0))
    };
    let (y_mean, y_std) = target_scale(model);
    let (output_weight, output_bias) = mlp.layer(mlp.n_layers() - 1);
    let n_units = last_hidden.cols();
    let mut contributions = last_hidden.into_data();
    for row in contributions.chunks_exact_mut(n_units.max(1)) {
        for (value, w) in row.iter_mut().zip(output_weight.data()) {
            *value *= w * y_std;
        }
    }
    UnitCurves {
        n_units,
        contributions,
        constant: output_bias.item() * y_std + y_mean,
    }
}

/// The activation a layer applies: the hidden one, or none for the output layer.
pub fn layer_activation(model: &Model, layer: usize) -> Activation {
    if layer + 1 == model.mlp.n_layers() {
        Activation::Identity
    } else {
        model.mlp.activation()
    }
}

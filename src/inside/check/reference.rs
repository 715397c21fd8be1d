//! The MLP's forward pass in f64, written apart from the engine, and its central differences
//! ∂p_r/∂θ for one entry at a time, detecting a perturbation that crosses a relu kink. It knows
//! the architecture (hidden layers activated, a linear output) but not the loss or the engine.

use crate::nn::{Activation, Mlp};

/// The finite-difference step, applied in f64.
pub const STEP: f64 = 1e-5;
/// A tanh or sigmoid unit counts as saturated where its slope is below this fraction of the
/// slope at 0: |z| > 3.0 for tanh, |z| > 6.0 for sigmoid.
pub const SATURATED_SLOPE: f64 = 1e-2;

/// The MLP in f64 for finite differences: weights transposed to in × out so that a layer is
/// a run of contiguous multiply-adds, activations exact (`f64::tanh`, 1 / (1 + e^−z)).
pub(super) struct NetworkF64 {
    activation: Activation,
    /// Per layer: (n_in, n_out).
    shapes: Vec<(usize, usize)>,
    weights_in_by_out: Vec<Vec<f64>>,
    biases: Vec<Vec<f64>>,
    n_rows: usize,
    /// The unperturbed input of every layer (n_rows × n_in), so a perturbation of layer l
    /// re-runs only layers l and later.
    pub(super) inputs_by_layer: Vec<Vec<f64>>,
}

/// One f64 forward pass: the predictions (one a row), and each hidden layer's
/// pre-activations (n × units) for comparing relu on/off patterns.
pub(super) struct ForwardF64 {
    pub(super) predictions: Vec<f64>,
    pub(super) pre_activations: Vec<Vec<f64>>,
}

impl NetworkF64 {
    /// `mlp` on the rows of `x` (n × n_inputs).
    pub(super) fn new(mlp: &Mlp, x: &[f32]) -> Self {
        let sizes = mlp.layer_sizes();
        let shapes: Vec<(usize, usize)> = sizes.windows(2).map(|w| (w[0], w[1])).collect();
        let mut weights_in_by_out = Vec::with_capacity(shapes.len());
        let mut biases = Vec::with_capacity(shapes.len());
        for (layer, &(n_in, n_out)) in shapes.iter().enumerate() {
            let (weight, bias) = mlp.layer(layer);
            let mut transposed = vec![0.0; n_in * n_out];
            for out in 0..n_out {
                for input in 0..n_in {
                    transposed[input * n_out + out] = f64::from(weight.at(out, input));
                }
            }
            weights_in_by_out.push(transposed);
            biases.push(bias.data().iter().map(|&b| f64::from(b)).collect());
        }
        let mut network = Self {
            activation: mlp.activation(),
            shapes,
            weights_in_by_out,
            biases,
            n_rows: x.len() / mlp.n_inputs(),
            inputs_by_layer: Vec::new(),
        };
        network.inputs_by_layer = network.layer_inputs(x.iter().map(|&v| f64::from(v)));
        network
    }

    fn n_layers(&self) -> usize {
        self.shapes.len()
    }

    /// The input of every layer for the unperturbed parameters.
    fn layer_inputs(&self, x: impl Iterator<Item = f64>) -> Vec<Vec<f64>> {
        let mut inputs = vec![x.collect::<Vec<f64>>()];
        for layer in 0..self.n_layers() - 1 {
            let mut values = self.pre_activation(layer, &inputs[layer]);
            values.iter_mut().for_each(|v| *v = self.activate(*v));
            inputs.push(values);
        }
        inputs
    }

    /// input @ Wᵀ + b for one layer, n_rows × n_out.
    fn pre_activation(&self, layer: usize, input: &[f64]) -> Vec<f64> {
        let (n_in, n_out) = self.shapes[layer];
        let weights = &self.weights_in_by_out[layer];
        let mut out = Vec::with_capacity(self.n_rows * n_out);
        for row in input.chunks_exact(n_in) {
            let start = out.len();
            out.extend_from_slice(&self.biases[layer]);
            let sums = &mut out[start..];
            for (&value, weight_row) in row.iter().zip(weights.chunks_exact(n_out)) {
                for (sum, &weight) in sums.iter_mut().zip(weight_row) {
                    *sum += value * weight;
                }
            }
        }
        out
    }

    fn activate(&self, z: f64) -> f64 {
        match self.activation {
            Activation::Tanh => z.tanh(),
            Activation::Relu => z.max(0.0),
            Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
            Activation::Identity => z,
        }
    }

    /// The share of hidden (row, unit) pre-activations where the activation's slope is below
    /// [`SATURATED_SLOPE`] of its slope at 0.
    pub(super) fn saturated_share(&self, forward: &ForwardF64) -> f64 {
        let slope_relative_to_zero = |z: f64| match self.activation {
            Activation::Tanh => 1.0 - z.tanh().powi(2),
            Activation::Sigmoid => {
                let s = 1.0 / (1.0 + (-z).exp());
                4.0 * s * (1.0 - s)
            }
            Activation::Relu | Activation::Identity => 1.0,
        };
        let (saturated, total) = forward.pre_activations.iter().flatten().fold(
            (0_usize, 0_usize),
            |(saturated, total), &z| {
                let is_saturated = slope_relative_to_zero(z) < SATURATED_SLOPE;
                (saturated + usize::from(is_saturated), total + 1)
            },
        );
        if total == 0 {
            0.0
        } else {
            saturated as f64 / total as f64
        }
    }

    /// Runs layers `first..` on `input` (the input of layer `first`).
    pub(super) fn forward_from(&self, first: usize, input: &[f64]) -> ForwardF64 {
        let mut pre_activations = Vec::with_capacity(self.n_layers().saturating_sub(first + 1));
        let mut values = input.to_vec();
        for layer in first..self.n_layers() {
            let z = self.pre_activation(layer, &values);
            if layer + 1 < self.n_layers() {
                values = z.iter().map(|&v| self.activate(v)).collect();
                pre_activations.push(z);
            } else {
                values = z;
            }
        }
        ForwardF64 {
            predictions: values,
            pre_activations,
        }
    }

    /// The slot of parameter `index`'s entry `entry` (row-major in the out × in weight or the
    /// 1 × out bias).
    fn slot(&mut self, index: usize, entry: usize) -> &mut f64 {
        let layer = index / 2;
        if index.is_multiple_of(2) {
            let (n_in, n_out) = self.shapes[layer];
            let (out, input) = (entry / n_in, entry % n_in);
            &mut self.weights_in_by_out[layer][input * n_out + out]
        } else {
            &mut self.biases[layer][entry]
        }
    }

    /// (p_r(θ + h) − p_r(θ − h)) / 2h for every row r and one entry θ, or `None` when either
    /// side turns a relu on or off (the difference would straddle a kink).
    pub(super) fn prediction_slopes(
        &mut self,
        index: usize,
        entry: usize,
        base: &ForwardF64,
    ) -> Option<Vec<f64>> {
        let layer = index / 2;
        let original = *self.slot(index, entry);
        let predictions_at = |network: &mut Self, value: f64| {
            *network.slot(index, entry) = value;
            let forward = network.forward_from(layer, &network.inputs_by_layer[layer]);
            let crossed = network.activation == Activation::Relu
                && forward
                    .pre_activations
                    .iter()
                    .zip(&base.pre_activations[layer..])
                    .any(|(now, before)| {
                        now.iter()
                            .zip(before)
                            .any(|(&z, &z_base)| (z > 0.0) != (z_base > 0.0))
                    });
            (!crossed).then_some(forward.predictions)
        };
        let (plus, minus) = (original + STEP, original - STEP);
        let predictions_plus = predictions_at(self, plus);
        let predictions_minus = predictions_at(self, minus);
        *self.slot(index, entry) = original;
        // The step actually taken, after rounding θ ± h.
        let step = plus - minus;
        Some(
            predictions_plus?
                .iter()
                .zip(&predictions_minus?)
                .map(|(p, m)| (p - m) / step)
                .collect(),
        )
    }
}

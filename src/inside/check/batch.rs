//! The rows a gradient check runs on and the engine's gradient there, the analytic side of the
//! comparison: the first [`MAX_ROWS`] rows of a batch, validated, without the rows where the
//! engine's f32 forward and the f64 one put a relu input on different sides of 0 (the second
//! relu kink of the module docs). It knows nothing of finite differences beyond asking the f64
//! pass for its pre-activations.

use super::CheckError;
use super::reference::NetworkF64;
use crate::engine::{NodeId, ParamId, Tape, Tensor};
use crate::nn::{Activation, LossKind, Mlp};

/// Rows of the batch the check uses (the first ones).
pub const MAX_ROWS: usize = 8;

/// The rows a gradient check runs on: the first [`MAX_ROWS`] of a batch, without those where
/// the engine and the f64 pass disagree on which side of a relu kink an input lies.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckBatch {
    pub(super) x: Vec<f32>,
    pub(super) y: Vec<f32>,
    pub(super) n_rows: usize,
    pub(super) n_rows_left_out: usize,
}

impl CheckBatch {
    /// Validates the batch for `mlp` and picks its rows. `x` must hold `y.len()` rows of
    /// `mlp.n_inputs()` values (the caller's data layout, so a mismatch is a bug).
    pub fn new(mlp: &Mlp, x: &[f32], y: &[f32]) -> Result<Self, CheckError> {
        let n_inputs = mlp.n_inputs();
        assert_eq!(
            x.len(),
            y.len() * n_inputs,
            "x must hold one row of {n_inputs} inputs per target"
        );
        if y.is_empty() {
            return Err(CheckError::EmptyBatch);
        }
        let all_finite = |values: &[f32]| values.iter().all(|v| v.is_finite());
        if !mlp.parameters().iter().all(|p| all_finite(p.data())) {
            return Err(CheckError::NonFinite {
                what: "the network's weights",
            });
        }
        if !all_finite(x) {
            return Err(CheckError::NonFinite { what: "the inputs" });
        }
        if !all_finite(y) {
            return Err(CheckError::NonFinite {
                what: "the targets",
            });
        }
        let n_rows = y.len().min(MAX_ROWS);
        let (x, y) = (&x[..n_rows * n_inputs], &y[..n_rows]);
        let kept: Vec<usize> = if mlp.activation() == Activation::Relu {
            rows_where_engine_and_f64_agree_on_relu(mlp, x)
        } else {
            (0..n_rows).collect()
        };
        Ok(Self {
            x: kept
                .iter()
                .flat_map(|&r| &x[r * n_inputs..(r + 1) * n_inputs])
                .copied()
                .collect(),
            y: kept.iter().map(|&r| y[r]).collect(),
            n_rows: kept.len(),
            n_rows_left_out: n_rows - kept.len(),
        })
    }

    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    pub fn n_rows_left_out(&self) -> usize {
        self.n_rows_left_out
    }
}

/// The engine's gradient of the MSE on `batch`, one tensor per parameter in `mlp`'s order
/// (zeros for a parameter the loss does not reach).
pub fn engine_gradients(mlp: &Mlp, batch: &CheckBatch) -> Vec<Tensor> {
    // Every row can be left out (relu kinks); a loss over no rows has no gradient.
    if batch.n_rows == 0 {
        return mlp
            .parameters()
            .iter()
            .map(|p| Tensor::zeros(p.rows(), p.cols()))
            .collect();
    }
    let mut tape = Tape::new();
    let input = tape.input(batch.n_rows, mlp.n_inputs(), &batch.x);
    let prediction = mlp.forward(&mut tape, input);
    let target = tape.input(batch.n_rows, 1, &batch.y);
    let loss = LossKind::Mse.apply(&mut tape, prediction, target);
    let grads = tape.backward(loss);
    mlp.parameters()
        .iter()
        .enumerate()
        .map(|(i, p)| {
            grads
                .get(ParamId(i))
                .cloned()
                .unwrap_or_else(|| Tensor::zeros(p.rows(), p.cols()))
        })
        .collect()
}

/// Indices of the rows of `x` where every hidden relu is on (> 0) in the engine's f32 forward
/// exactly when its input is > 0 in the f64 forward.
fn rows_where_engine_and_f64_agree_on_relu(mlp: &Mlp, x: &[f32]) -> Vec<usize> {
    let n_rows = x.len() / mlp.n_inputs();
    let mut tape = Tape::new();
    let input = tape.input(n_rows, mlp.n_inputs(), x);
    let mut hidden: Vec<NodeId> = Vec::new();
    mlp.forward_layers(&mut tape, input, |_, node| hidden.push(node));
    let network = NetworkF64::new(mlp, x);
    let base = network.forward_from(0, &network.inputs_by_layer[0]);
    (0..n_rows)
        .filter(|&row| {
            hidden.iter().enumerate().all(|(layer, &node)| {
                let units = tape.shape(node).1;
                let engine_on = &tape.value(node)[row * units..(row + 1) * units];
                let f64_pre = &base.pre_activations[layer][row * units..(row + 1) * units];
                engine_on
                    .iter()
                    .zip(f64_pre)
                    .all(|(&on, &z)| (on > 0.0) == (z > 0.0))
            })
        })
        .collect()
}

//! The engine check: is the engine's gradient of the training loss right, here, on this
//! network and this data? It compares every parameter's gradient from `Tape::backward` (f32)
//! with central finite differences computed in f64 by a plain forward pass written apart from
//! the engine, and re-runs micrograd's two reference expressions on the tape. It knows the
//! MLP's architecture (hidden layers get the activation, the output layer is linear, the loss
//! is MSE) but nothing of training, files or UI.
//!
//! # What is compared
//!
//! For an entry θ, the f64 pass perturbs θ by ±h ([`STEP`] = 1e-5) and takes each row's
//! prediction slope ∂p_r/∂θ ≈ (p_r(θ + h) − p_r(θ − h)) / 2h. The MSE's own derivative, 2(p_r −
//! y_r)/n, is then applied at the engine's f32 predictions: numeric = Σ_r 2(p̂_r − y_r)/n ·
//! ∂p_r/∂θ. That is the loss's gradient given the forward values the engine's backward starts
//! from. Differencing the f64 loss instead would also compare the two forwards' residuals, and
//! for a network that fits its data (residuals ~1e-3) the f32 forward's ~1e-6 moves them enough
//! to change the gradient by 1e-2 or more: a fact about the forward, not a backward error.
//!
//! # Tolerance
//!
//! An entry passes when `|analytic − numeric| / max(|analytic|, |numeric|, floor) ≤`
//! [`TOLERANCE`] = 1e-2. `floor` is the larger of [`FLOOR_FRACTION`] = 1e-2 × the largest
//! |gradient| in the entry's tensor and [`ABSOLUTE_FLOOR`] = 1e-6 × Σ_r |2(p̂_r − y_r)/n| ·
//! max(1, |p_r|). Why these numbers:
//!
//! - The numeric side is nearly exact. f64 rounds a prediction at ~1e-15 · max(1, |p|), which
//!   over 2h is ~1e-10 in a slope, and the central difference's truncation h²/6 · p‴ is
//!   ~2e-11 · p‴. That is negligible for ordinary gradients but a growing share of vanishing
//!   ones (the first layer of a deep sigmoid network reaches 1e-8 and below). Hence the
//!   absolute floor, the same noise scale with 1e-6 for 1e-10: below it an entry must agree to
//!   1e-8 of that scale, a hundred times the noise, which still catches a wrong sign or a
//!   factor of two there.
//! - The analytic side is the engine's f32 arithmetic. Each product and sum rounds at ~6e-8, a
//!   256-wide dot product accumulates ~16 × that and a gradient crosses every layer twice, so
//!   an 8-layer network lands near 1e-5. tanh and sigmoid run through a rational approximation
//!   with |error| < 1e-6 and their slopes 1 − t² and σ(1 − σ) are computed from those values,
//!   so a slope is off by up to ~2e-6 absolute: nothing for an active unit, but 2e-4 relative
//!   for a saturated one (1 − t² = 1e-2 at |z| = 3), and a gradient collects that from every
//!   saturated layer it crosses.
//! - Measured over 256 seeded networks (2 → 8 → 8 → 1 up to 8 × 256, each activation, weights
//!   as initialised and scaled ×3, ×5, ×8, some fitted to residuals of 1e-4): the worst entry
//!   is 1e-5 to 3e-4 without saturation, 6e-4 with a quarter of the tanh units saturated, 3e-3
//!   with half. 1e-2 sits above all of these, while a wrong backward is further off: a sign, a
//!   missing term, a transposed product or a slope taken at the wrong point is O(1), and one
//!   of the [`MAX_ROWS`] = 8 rows left out of a sum changes it by about 1/8.
//! - The limit: with two thirds of the tanh units saturated (weights ×8) the worst entry
//!   reached 4e-2, so a correct engine can fail the check on such a network. That is f32 and
//!   the approximation, and [`GradientCheck::saturated_share`] reports it so that a failure
//!   there can be read as such.
//! - The floor relative to the tensor: an entry much smaller than its tensor's largest is a
//!   sum that nearly cancels, and f32 keeps the absolute error of its terms (~1e-5 of the
//!   tensor's scale), not its relative precision. Against 1e-2 of the tensor's scale such an
//!   entry must be right to 1e-4 of that scale, which a correct engine meets and a wrong one
//!   does not.
//!
//! # Size
//!
//! Each checked entry costs two f64 forward passes from the perturbed layer on, so the check
//! is bounded: it uses at most [`MAX_ROWS`] rows of the batch, and the finite differences get
//! [`WORK_BUDGET`] multiply-adds (about a fifth of a second). A network that fits is checked
//! entry by entry (2 → 32 → 32 → 1, 1185 parameters, does); a larger one gets the same number
//! of entries from every tensor, as many as fit and at least one, drawn with a fixed seed:
//! 2 → 64 → 64 → 64 → 1 gets 1807 of its 8577, 8 layers of 256 get 52 of 461,569 (3 a
//! tensor). The result says how many were checked of how many.
//!
//! # ReLU kinks
//!
//! relu is not differentiable at 0, which can spoil a comparison in two ways, each detected
//! rather than assumed away:
//! - a ±h perturbation moves some pre-activation across 0, so the difference straddles the
//!   kink. Each pre-activation it moves does so with a chance of about 2h · |∂z/∂θ| ·
//!   density(0) ≈ 1e-6, and a weight of an early layer moves thousands of them: rare (1 entry
//!   in 29,000 over the networks above) but not negligible. The f64 pass compares its on/off
//!   pattern with the unperturbed one and skips such entries
//!   ([`GradientCheck::n_skipped_at_kinks`]);
//! - a pre-activation so close to 0 (within the ~1e-7 relative rounding of its sum) that the
//!   engine's f32 and the f64 pass put it on different sides, so the two differentiate
//!   different pieces of the function: rows where the engine's on/off pattern differs from the
//!   f64 one are left out before anything is compared ([`GradientCheck::n_rows_left_out`]).

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use serde::Serialize;

use crate::engine::{NodeId, ParamId, Tape, Tensor};
use crate::nn::{Activation, LossKind, Mlp};
use crate::train::parameter_name;

/// The largest relative error (as defined in the module docs) an entry may have and pass.
pub const TOLERANCE: f64 = 1e-2;
/// The relative error's denominator is at least this fraction of the largest |gradient| in
/// the entry's tensor…
pub const FLOOR_FRACTION: f64 = 1e-2;
/// … and at least this times Σ_r |dL/dp_r| · max(1, |p_r|): the finite differences' own
/// resolution.
pub const ABSOLUTE_FLOOR: f64 = 1e-6;
/// The finite-difference step, applied in f64.
pub const STEP: f64 = 1e-5;
/// Rows of the batch the check uses (the first ones).
pub const MAX_ROWS: usize = 8;
/// Multiply-adds the finite differences may spend (an activation counted as
/// [`ACTIVATION_COST`] of them): at the ~1e9 a second one core does in these f64 loops,
/// about a third of a second.
pub const WORK_BUDGET: usize = 300_000_000;
/// An f64 tanh or exp costs about as much as this many multiply-adds, which is what a narrow
/// network's forward pass mostly spends.
pub const ACTIVATION_COST: usize = 40;
/// A tanh or sigmoid unit counts as saturated where its slope is below this fraction of the
/// slope at 0: |z| > 3.0 for tanh, |z| > 6.0 for sigmoid.
pub const SATURATED_SLOPE: f64 = 1e-2;
/// Seed of the sample of entries, fixed so that checking twice checks the same entries.
const SAMPLE_SEED: u64 = 0x6772_6164;

/// micrograd's `test_more_ops` values are compared within this relative error (see
/// [`micrograd_more_ops`]).
pub const MICROGRAD_TOLERANCE: f64 = 1e-6;

/// Why the check could not run on the given network and data.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CheckError {
    #[error("the batch has no rows: the engine check needs at least one")]
    EmptyBatch,
    #[error(
        "{what} contains a value that is not a finite number, so there is no gradient to check \
         (reset the network or the data)"
    )]
    NonFinite { what: &'static str },
    #[error("the check stopped before it finished (an internal error); try again")]
    Interrupted,
}

/// The outcome of [`check_engine`]: the gradient comparison and micrograd's references.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EngineCheck {
    /// Every compared gradient within tolerance and both micrograd expressions right.
    pub passed: bool,
    #[serde(flatten)]
    pub gradients: GradientCheck,
    pub micrograd: MicrogradCheck,
}

/// The engine's gradients against central finite differences in f64.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GradientCheck {
    /// At least one entry was compared and none was above the tolerance.
    pub within_tolerance: bool,
    pub tolerance: f64,
    /// See [`FLOOR_FRACTION`].
    pub floor_fraction: f64,
    /// See [`ABSOLUTE_FLOOR`].
    pub absolute_floor: f64,
    /// The finite-difference step.
    pub step: f64,
    /// The entry with the largest relative error; `None` when nothing could be compared.
    pub worst: Option<GradientEntry>,
    /// Entries compared.
    pub n_checked: usize,
    /// Entries skipped because a ±step perturbation crossed a relu kink.
    pub n_skipped_at_kinks: usize,
    /// Entries in the network.
    pub n_parameters: usize,
    /// Batch rows used.
    pub n_rows: usize,
    /// Rows of the first [`MAX_ROWS`] left out because f32 and f64 put a relu input on
    /// different sides of 0 there.
    pub n_rows_left_out: usize,
    /// The share of hidden tanh or sigmoid outputs (rows × units) whose slope is below
    /// [`SATURATED_SLOPE`] of its largest; 0 for relu and identity.
    pub saturated_share: f64,
}

/// One entry of one parameter tensor, the engine's gradient and the finite difference.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GradientEntry {
    pub relative_error: f64,
    /// The tensor's name in weights files: `layers.{l}.weight` or `layers.{l}.bias`.
    pub parameter: String,
    /// Row and column in the tensor (a weight is out × in, a bias 1 × out).
    pub row: usize,
    pub col: usize,
    pub analytic: f64,
    pub numeric: f64,
}

/// The micrograd reference expressions, recorded on the engine's tape.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MicrogradCheck {
    pub sanity: MicrogradSanity,
    pub more_ops: MicrogradMoreOps,
}

impl MicrogradCheck {
    pub fn passed(&self) -> bool {
        self.sanity.passed && self.more_ops.passed
    }
}

/// micrograd's `test_sanity_check`: y and dy/dx at x = −4.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MicrogradSanity {
    pub y: f32,
    pub dy_dx: f32,
    pub expected_y: f64,
    pub expected_dy_dx: f64,
    /// Both values exactly as expected.
    pub passed: bool,
}

/// micrograd's `test_more_ops`: g, dg/da and dg/db at a = −4, b = 2.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MicrogradMoreOps {
    pub g: f32,
    pub dg_da: f32,
    pub dg_db: f32,
    pub expected_g: f64,
    pub expected_dg_da: f64,
    pub expected_dg_db: f64,
    /// The relative error allowed on each value.
    pub tolerance: f64,
    pub passed: bool,
}

/// Checks the engine on `mlp` and a batch: rows of `x` (row-major, n × n_inputs) with
/// targets `y` (n), both standardised as the trainer sees them; the loss is MSE. Uses the
/// first [`MAX_ROWS`] rows.
pub fn check_engine(mlp: &Mlp, x: &[f32], y: &[f32]) -> Result<EngineCheck, CheckError> {
    let gradients = check_gradients(mlp, x, y)?;
    let micrograd = micrograd_check();
    Ok(EngineCheck {
        passed: gradients.within_tolerance && micrograd.passed(),
        gradients,
        micrograd,
    })
}

/// The gradient half of [`check_engine`]: the engine's gradients on the batch against finite
/// differences.
pub fn check_gradients(mlp: &Mlp, x: &[f32], y: &[f32]) -> Result<GradientCheck, CheckError> {
    let batch = CheckBatch::new(mlp, x, y)?;
    let analytic = engine_gradients(mlp, &batch);
    Ok(compare_gradients(mlp, &batch, &analytic))
}

/// The rows a gradient check runs on: the first [`MAX_ROWS`] of a batch, without those where
/// the engine and the f64 pass disagree on which side of a relu kink an input lies.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckBatch {
    x: Vec<f32>,
    y: Vec<f32>,
    n_rows: usize,
    n_rows_left_out: usize,
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

/// Compares `analytic` (one gradient tensor per parameter of `mlp`, as from
/// [`engine_gradients`]) with central finite differences in f64 on `batch` (see the module
/// docs for what exactly is differenced).
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

/// How many entries of each parameter tensor fit the [`WORK_BUDGET`] (`usize::MAX` when the
/// whole network does), at least one. An entry of layer l costs two forward passes through
/// layers l and later: per row, in · out multiply-adds and out activations a layer.
fn entries_per_tensor(mlp: &Mlp, n_rows: usize) -> usize {
    let sizes = mlp.layer_sizes();
    let layer_costs: Vec<usize> = sizes
        .windows(2)
        .map(|w| w[0] * w[1] + ACTIVATION_COST * w[1])
        .collect();
    // (entries, multiply-adds per entry) for every tensor
    let tensors: Vec<(usize, usize)> = mlp
        .parameters()
        .iter()
        .enumerate()
        .map(|(index, p)| {
            let from_layer: usize = layer_costs[index / 2..].iter().sum();
            (p.len(), 2 * n_rows * from_layer)
        })
        .collect();
    let cost_of = |per_tensor: usize| -> usize {
        tensors
            .iter()
            .map(|&(len, cost)| len.min(per_tensor).saturating_mul(cost))
            .fold(0, usize::saturating_add)
    };
    if cost_of(usize::MAX) <= WORK_BUDGET {
        return usize::MAX;
    }
    let mut per_tensor = 1;
    while cost_of(per_tensor + 1) <= WORK_BUDGET {
        per_tensor += 1;
    }
    per_tensor
}

/// |a − n| / max(|a|, |n|, floor); infinite when the engine's value is not finite (an f32
/// overflow is a failure to report, not a number to compare).
fn relative_error(analytic: f64, numeric: f64, floor: f64) -> f64 {
    if !analytic.is_finite() || !numeric.is_finite() {
        return f64::INFINITY;
    }
    (analytic - numeric).abs() / analytic.abs().max(numeric.abs()).max(floor)
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

/// The MLP in f64 for finite differences: weights transposed to in × out so that a layer is
/// a run of contiguous multiply-adds, activations exact (`f64::tanh`, 1 / (1 + e^−z)).
struct NetworkF64 {
    activation: Activation,
    /// Per layer: (n_in, n_out).
    shapes: Vec<(usize, usize)>,
    weights_in_by_out: Vec<Vec<f64>>,
    biases: Vec<Vec<f64>>,
    n_rows: usize,
    /// The unperturbed input of every layer (n_rows × n_in), so a perturbation of layer l
    /// re-runs only layers l and later.
    inputs_by_layer: Vec<Vec<f64>>,
}

/// One f64 forward pass: the predictions (one a row), and each hidden layer's
/// pre-activations (n × units) for comparing relu on/off patterns.
struct ForwardF64 {
    predictions: Vec<f64>,
    pre_activations: Vec<Vec<f64>>,
}

impl NetworkF64 {
    /// `mlp` on the rows of `x` (n × n_inputs).
    fn new(mlp: &Mlp, x: &[f32]) -> Self {
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
    fn saturated_share(&self, forward: &ForwardF64) -> f64 {
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
    fn forward_from(&self, first: usize, input: &[f64]) -> ForwardF64 {
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
    fn prediction_slopes(
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

/// Both micrograd reference expressions.
pub fn micrograd_check() -> MicrogradCheck {
    MicrogradCheck {
        sanity: micrograd_sanity(),
        more_ops: micrograd_more_ops(),
    }
}

/// karpathy/micrograd `test/test_engine.py`, `test_sanity_check`, recorded node for node:
///   x = −4; z = 2x + 2 + x = −10; q = relu(z) + z·x = 0 + 40 = 40; h = relu(z·z) = 100;
///   y = h + q + q·x = 100 + 40 − 160 = −20.
///   dz/dx = 3; dq/dx = z + x·dz/dx = −10 − 12 = −22 (relu(z) is off); dh/dx = 2z·dz/dx = −60;
///   dy/dx = dh/dx + dq/dx + q + x·dq/dx = −60 − 22 + 40 + 88 = 46.
/// Every intermediate is a small integer, exact in f32, so the comparison is exact.
pub fn micrograd_sanity() -> MicrogradSanity {
    let mut tape = Tape::new();
    let x = tape.param(ParamId(0), &Tensor::scalar(-4.0));
    let two_x = tape.mul_scalar(x, 2.0);
    let two_x_plus_two = tape.add_scalar(two_x, 2.0);
    let z = tape.add(two_x_plus_two, x);
    let z_relu = tape.relu(z);
    let z_x = tape.mul(z, x);
    let q = tape.add(z_relu, z_x);
    let z_z = tape.mul(z, z);
    let h = tape.relu(z_z);
    let h_plus_q = tape.add(h, q);
    let q_x = tape.mul(q, x);
    let y = tape.add(h_plus_q, q_x);

    let y_value = tape.item(y);
    let grads = tape.backward(y);
    let dy_dx = grads.get(ParamId(0)).map_or(f32::NAN, Tensor::item);
    let (expected_y, expected_dy_dx) = (-20.0, 46.0);
    MicrogradSanity {
        y: y_value,
        dy_dx,
        expected_y,
        expected_dy_dx,
        passed: f64::from(y_value) == expected_y && f64::from(dy_dx) == expected_dy_dx,
    }
}

/// karpathy/micrograd `test/test_engine.py`, `test_more_ops`, with Python's `c += expr`
/// rebinding c to the new node c + expr (so earlier nodes are reused):
///   a = −4, b = 2; c = a + b = −2; d = a·b + b³ = 0
///   c1 = c + (c + 1) = −3;  c2 = c1 + ((1 + c1) + (−a)) = −1           ⇒ c2 = 3a + 4b + 3
///   d1 = d + (2d + relu(b + a)) = 0;  d2 = d1 + (3·d1 + relu(b − a)) = 6 ⇒ d2 = 12(ab + b³) + b − a
///     (relu(b + a) = relu(−2) is off, relu(b − a) = relu(6) is on)
///   e = c2 − d2 = −7;  f = e² = 49;  g = f/2 + 10/f = 24.5 + 10/49 = 2421/98 ≈ 24.7041
///   dg/de = (1/2 − 10/f²)·2e = −7 + 20/343
///   de/da = 3 − (12b − 1) = −20        ⇒ dg/da = 140 − 400/343    = 47620/343  ≈ 138.8338
///   de/db = 4 − (12(a + 3b²) + 1) = −93 ⇒ dg/db = 651 − 1860/343  = 221433/343 ≈ 645.5773
/// micrograd prints these to 4 decimals; the exact fractions are compared instead, within
/// [`MICROGRAD_TOLERANCE`] = 1e-6 relative: every intermediate except 10/f and 10/f² is a
/// small integer (exact in f32), so only a few roundings of ~6e-8 reach the result.
pub fn micrograd_more_ops() -> MicrogradMoreOps {
    let mut tape = Tape::new();
    let a = tape.param(ParamId(0), &Tensor::scalar(-4.0));
    let b = tape.param(ParamId(1), &Tensor::scalar(2.0));
    // c = a + b; d = a * b + b**3
    let c = tape.add(a, b);
    let a_b = tape.mul(a, b);
    let b_cubed = tape.pow_scalar(b, 3.0);
    let d = tape.add(a_b, b_cubed);
    // c += c + 1
    let c_plus_one = tape.add_scalar(c, 1.0);
    let c1 = tape.add(c, c_plus_one);
    // c += 1 + c + (-a)
    let one_plus_c1 = tape.add_scalar(c1, 1.0);
    let minus_a = tape.neg(a);
    let rhs = tape.add(one_plus_c1, minus_a);
    let c2 = tape.add(c1, rhs);
    // d += d * 2 + (b + a).relu()
    let d_times_two = tape.mul_scalar(d, 2.0);
    let b_plus_a = tape.add(b, a);
    let relu_b_plus_a = tape.relu(b_plus_a);
    let rhs = tape.add(d_times_two, relu_b_plus_a);
    let d1 = tape.add(d, rhs);
    // d += 3 * d + (b - a).relu()
    let three_d1 = tape.mul_scalar(d1, 3.0);
    let b_minus_a = tape.sub(b, a);
    let relu_b_minus_a = tape.relu(b_minus_a);
    let rhs = tape.add(three_d1, relu_b_minus_a);
    let d2 = tape.add(d1, rhs);
    // e = c - d; f = e**2; g = f / 2.0 (micrograd: f * 2.0**-1); g += 10.0 / f
    let e = tape.sub(c2, d2);
    let f = tape.pow_scalar(e, 2.0);
    let half_f = tape.mul_scalar(f, 0.5);
    let ten = tape.input(1, 1, &[10.0]);
    let ten_over_f = tape.div(ten, f);
    let g = tape.add(half_f, ten_over_f);

    let g_value = tape.item(g);
    let grads = tape.backward(g);
    let dg_da = grads.get(ParamId(0)).map_or(f32::NAN, Tensor::item);
    let dg_db = grads.get(ParamId(1)).map_or(f32::NAN, Tensor::item);
    let (expected_g, expected_dg_da, expected_dg_db) =
        (2421.0 / 98.0, 47620.0 / 343.0, 221433.0 / 343.0);
    let close = |got: f32, expected: f64| {
        (f64::from(got) - expected).abs() <= MICROGRAD_TOLERANCE * expected.abs()
    };
    MicrogradMoreOps {
        g: g_value,
        dg_da,
        dg_db,
        expected_g,
        expected_dg_da,
        expected_dg_db,
        tolerance: MICROGRAD_TOLERANCE,
        passed: close(g_value, expected_g)
            && close(dg_da, expected_dg_da)
            && close(dg_db, expected_dg_db),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// A seeded network with biases drawn in ±`bias_range` (not `Mlp::new`'s zeros, so every
    /// term is live) and weights scaled by `weight_scale` (large scales saturate tanh and
    /// sigmoid, as long training can).
    fn random_network(
        activation: Activation,
        hidden_sizes: &[usize],
        seed: u64,
        weight_scale: f32,
        bias_range: f32,
    ) -> Mlp {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut mlp = Mlp::new(2, hidden_sizes, activation, seed);
        for (index, parameter) in mlp.parameters_mut().iter_mut().enumerate() {
            for value in parameter.data_mut() {
                *value = if index % 2 == 1 {
                    rng.random_range(-bias_range..=bias_range)
                } else {
                    *value * weight_scale
                };
            }
        }
        mlp
    }

    /// 32 rows of 2 inputs and a target, uniform in ±√3 (unit variance, as standardised data).
    fn random_batch(seed: u64) -> (Vec<f32>, Vec<f32>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let bound = 3.0_f32.sqrt();
        let x = (0..64).map(|_| rng.random_range(-bound..bound)).collect();
        let y = (0..32).map(|_| rng.random_range(-bound..bound)).collect();
        (x, y)
    }

    fn assert_passes(check: &GradientCheck, what: &str) {
        let worst = check.worst.as_ref().expect("something was compared");
        assert!(
            check.within_tolerance && worst.relative_error <= TOLERANCE,
            "{what}: worst {worst:?}"
        );
        assert!(check.n_checked > 0, "{what}: nothing checked");
    }

    #[test]
    fn correct_gradients_pass_for_every_activation_and_several_depths_and_widths() {
        for activation in Activation::ALL {
            // [40]: the engine's register-tiled kernel with an edge tile past column 32;
            // [64; 3]: large enough to be sampled.
            for hidden_sizes in [
                vec![],
                vec![3],
                vec![8, 8],
                vec![40],
                vec![16; 4],
                vec![64; 3],
            ] {
                let mlp = random_network(activation, &hidden_sizes, 7, 1.5, 0.5);
                let (x, y) = random_batch(8);
                let check = check_engine(&mlp, &x, &y).expect("finite data");
                let what = format!("{activation} {hidden_sizes:?}");
                assert_passes(&check.gradients, &what);
                assert!(check.passed, "{what}");
                assert_eq!(check.gradients.n_rows, MAX_ROWS, "{what}");
                assert_eq!(check.gradients.n_parameters, mlp.n_parameters());
                let expected_checked = if hidden_sizes == [64; 3] {
                    1807
                } else {
                    mlp.n_parameters() - check.gradients.n_skipped_at_kinks
                };
                assert_eq!(check.gradients.n_checked, expected_checked, "{what}");
            }
        }
    }

    // Saturation is where the approximate activations' slopes are least precise (module docs).
    // Deep tanh networks with weights ×3 and biases ±2 have about a quarter of their units
    // saturated; the worst entry stays well under the tolerance.
    #[test]
    fn deep_networks_with_a_quarter_of_units_saturated_stay_well_within_the_tolerance() {
        for seed in 0..3 {
            let mlp = random_network(Activation::Tanh, &[128; 8], seed, 3.0, 2.0);
            let (x, y) = random_batch(100 + seed);
            let check = check_gradients(&mlp, &x, &y).expect("finite data");
            assert!(
                (0.15..0.35).contains(&check.saturated_share),
                "seed {seed}: {} saturated",
                check.saturated_share
            );
            let worst = check.worst.expect("something was compared");
            assert!(
                worst.relative_error < TOLERANCE / 4.0,
                "seed {seed}: {worst:?}"
            );
        }
    }

    // Targets within 1e-4 of the engine's predictions, as after fitting: the f32 forward's
    // ~1e-6 error is a large share of such residuals, so differencing the f64 loss would fail
    // (by 5e-2, measured); comparing at the engine's residuals passes.
    #[test]
    fn a_network_that_fits_its_data_passes() {
        for activation in Activation::ALL {
            let mlp = random_network(activation, &[16, 16], 21, 1.0, 0.5);
            let (x, _) = random_batch(22);
            let mut rng = ChaCha8Rng::seed_from_u64(23);
            let y: Vec<f32> = mlp
                .predict(&mut Tape::new(), &x)
                .iter()
                .map(|p| p + rng.random_range(-1e-4..1e-4))
                .collect();
            assert_passes(
                &check_gradients(&mlp, &x, &y).expect("finite data"),
                &format!("{activation} fitted"),
            );
        }
    }

    // 8 × 256 is 461,569 parameters; the budget keeps the check to a sample of each tensor.
    // The time bound is loose (a shared test machine); the whole network would take minutes.
    #[test]
    fn a_network_of_eight_layers_of_256_is_sampled_and_checked_quickly() {
        let mlp = random_network(Activation::Tanh, &[256; 8], 3, 1.0, 0.5);
        let (x, y) = random_batch(4);
        let start = std::time::Instant::now();
        let check = check_gradients(&mlp, &x, &y).expect("finite data");
        let seconds = start.elapsed().as_secs_f64();
        assert_passes(&check, "8 × 256 tanh");
        assert_eq!(check.n_parameters, 461_569);
        // three of every tensor but the one-entry output bias
        assert_eq!(check.n_checked, 3 * 17 + 1);
        assert!(seconds < 5.0, "took {seconds:.2} s");
    }

    #[test]
    fn a_corrupted_gradient_entry_fails_and_is_located() {
        let mlp = random_network(Activation::Tanh, &[8, 8], 11, 1.0, 0.5);
        let (x, y) = random_batch(12);
        let batch = CheckBatch::new(&mlp, &x, &y).expect("finite data");
        let mut analytic = engine_gradients(&mlp, &batch);
        assert_passes(&compare_gradients(&mlp, &batch, &analytic), "untouched");

        // layers.1.weight is 8 × 8; entry (3, 5) is off by 5 % of the tensor's largest entry:
        // a relative error of at least 0.05 / 1.05, far above the tolerance.
        let largest = analytic[2]
            .data()
            .iter()
            .fold(0.0_f32, |m, g| m.max(g.abs()));
        let corrupted = analytic[2].at(3, 5) + 0.05 * largest;
        analytic[2].data_mut()[3 * 8 + 5] = corrupted;
        let check = compare_gradients(&mlp, &batch, &analytic);
        assert!(!check.within_tolerance);
        let worst = check.worst.expect("something was compared");
        assert_eq!(
            (worst.parameter.as_str(), worst.row, worst.col),
            ("layers.1.weight", 3, 5)
        );
        assert_eq!(worst.analytic, f64::from(corrupted));
        assert!(worst.relative_error > 0.04, "{worst:?}");
    }

    // In a sampled network only some entries are compared, so a whole tensor is corrupted:
    // the sign of layers.2.weight, as a backward that subtracts where it should add.
    #[test]
    fn a_wrong_sign_in_one_tensor_of_a_sampled_network_fails_there() {
        let mlp = random_network(Activation::Sigmoid, &[64; 3], 5, 1.0, 0.5);
        let (x, y) = random_batch(6);
        let batch = CheckBatch::new(&mlp, &x, &y).expect("finite data");
        let mut analytic = engine_gradients(&mlp, &batch);
        analytic[4].data_mut().iter_mut().for_each(|g| *g = -*g);
        let check = compare_gradients(&mlp, &batch, &analytic);
        assert!(check.n_checked < check.n_parameters);
        assert!(!check.within_tolerance);
        let worst = check.worst.expect("something was compared");
        assert_eq!(worst.parameter, "layers.2.weight");
        assert!(worst.relative_error > 1.0, "{worst:?}");
    }

    // Through 10 sigmoid layers (σ' ≤ 1/4 each) the first layer's gradients fall below the
    // absolute floor (1e-6), where the f64 differences' noise would otherwise fail them; the
    // floor must not make that layer unchecked: doubling one of its gradients still fails.
    #[test]
    fn vanishing_gradients_pass_but_a_doubled_one_still_fails() {
        let mlp = random_network(Activation::Sigmoid, &[16; 10], 9, 1.0, 0.5);
        let (x, y) = random_batch(10);
        let batch = CheckBatch::new(&mlp, &x, &y).expect("finite data");
        let mut analytic = engine_gradients(&mlp, &batch);
        let first_layer_largest = analytic[0]
            .data()
            .iter()
            .fold(0.0_f32, |m, g| m.max(g.abs()));
        assert!(
            first_layer_largest < 1e-6,
            "first layer's gradients are not vanishing: {first_layer_largest}"
        );
        assert_passes(&compare_gradients(&mlp, &batch, &analytic), "untouched");

        let (index, _) = analytic[0]
            .data()
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .expect("a non-empty tensor");
        analytic[0].data_mut()[index] *= 2.0;
        let check = compare_gradients(&mlp, &batch, &analytic);
        assert!(!check.within_tolerance);
        let worst = check.worst.expect("something was compared");
        assert_eq!(worst.parameter, "layers.0.weight");
        assert_eq!(worst.row * 2 + worst.col, index);
    }

    /// `n_inputs` → 2 relu units → 1 with the given first-layer weights and biases, output
    /// weights 1 and bias 0.
    fn relu_network(n_inputs: usize, weight: Vec<f32>, bias: Vec<f32>) -> Mlp {
        Mlp::from_parameters(
            n_inputs,
            &[2],
            Activation::Relu,
            vec![
                Tensor::new(2, n_inputs, weight),
                Tensor::row(bias),
                Tensor::row(vec![1.0, 1.0]),
                Tensor::scalar(0.0),
            ],
        )
        .expect("shapes match")
    }

    // Unit 0's input is z = w·x + b = 1 − 0.999997 ≈ 3e-6 (exact in f32 and f64), so ±1e-5 on
    // its weight or bias (x = 1) crosses 0; unit 1 sits at 0.7 and nothing else moves z₀.
    #[test]
    fn a_perturbation_across_a_relu_kink_is_skipped_not_compared() {
        let mlp = relu_network(1, vec![1.0, 0.5], vec![-0.999_997, 0.2]);
        let check = check_gradients(&mlp, &[1.0], &[0.0]).expect("finite data");
        assert_eq!(check.n_skipped_at_kinks, 2);
        assert_eq!(check.n_checked, mlp.n_parameters() - 2);
        assert_passes(&check, "next to a kink");
    }

    // Row 0: z = 1e-8·1 + 1·1 − 1. In f32, 1e-8 is lost next to ±1 whichever order the
    // engine sums in (onto the bias in input order, or the products first), so z = 0 (off),
    // while f64 keeps 1e-8 (on): the two would differentiate different pieces, so the row is
    // left out. Row 1 (z = 0.2) is far from 0.
    #[test]
    fn a_row_where_f32_and_f64_disagree_on_a_relu_is_left_out() {
        let mlp = relu_network(2, vec![1.0, 1.0, 1.0, 1.0], vec![-1.0, -1.0]);
        let x = [1e-8, 1.0, 0.3, 0.9];
        let batch = CheckBatch::new(&mlp, &x, &[0.0, 0.0]).expect("finite data");
        assert_eq!((batch.n_rows(), batch.n_rows_left_out()), (1, 1));
        let check = compare_gradients(&mlp, &batch, &engine_gradients(&mlp, &batch));
        assert_eq!((check.n_rows, check.n_rows_left_out), (1, 1));
        assert_passes(&check, "row 1 only");
    }

    #[test]
    fn micrograd_values_match_the_numbers_micrograd_prints() {
        let check = micrograd_check();
        let sanity = &check.sanity;
        assert_eq!((sanity.y, sanity.dy_dx), (-20.0, 46.0));
        let more_ops = &check.more_ops;
        assert_eq!(
            [more_ops.g, more_ops.dg_da, more_ops.dg_db].map(|v| format!("{v:.4}")),
            ["24.7041", "138.8338", "645.5773"]
        );
        assert!(sanity.passed && more_ops.passed && check.passed());
    }

    #[test]
    fn non_finite_weights_or_data_and_an_empty_batch_are_errors() {
        let mut mlp = random_network(Activation::Tanh, &[4], 1, 1.0, 0.5);
        let (x, y) = random_batch(2);
        assert_eq!(
            check_engine(&mlp, &[], &[]).err(),
            Some(CheckError::EmptyBatch)
        );
        let mut bad_x = x.clone();
        bad_x[3] = f32::NAN;
        assert_eq!(
            check_engine(&mlp, &bad_x, &y).err(),
            Some(CheckError::NonFinite { what: "the inputs" })
        );
        mlp.parameters_mut()[0].data_mut()[0] = f32::INFINITY;
        assert_eq!(
            check_engine(&mlp, &x, &y).err(),
            Some(CheckError::NonFinite {
                what: "the network's weights"
            })
        );
    }
}

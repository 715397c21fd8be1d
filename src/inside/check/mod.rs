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

// This file holds the results and the entry points. `batch.rs` picks the rows a check runs on
// (leaving out those where f32 and f64 disagree about a relu) and takes the engine's gradient
// there; `reference.rs` is the f64 forward pass and its central differences; `sampling.rs`
// decides how many entries of each tensor fit the work budget; `compare.rs` sets the two sides
// against each other (relative error, floors, worst entry); `micrograd.rs` records micrograd's
// two reference expressions; `tests.rs` holds the unit tests.
mod batch;
mod compare;
mod micrograd;
mod reference;
mod sampling;

use serde::Serialize;

use crate::nn::Mlp;

pub use batch::{CheckBatch, MAX_ROWS, engine_gradients};
pub use compare::{ABSOLUTE_FLOOR, FLOOR_FRACTION, TOLERANCE, compare_gradients};
pub use micrograd::{MICROGRAD_TOLERANCE, micrograd_check, micrograd_more_ops, micrograd_sanity};
pub use reference::{SATURATED_SLOPE, STEP};
pub use sampling::{ACTIVATION_COST, WORK_BUDGET};

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

#[cfg(test)]
mod tests;

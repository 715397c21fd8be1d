//! The divergence guard: a copy of weights that were actually good, with the optimizer state that
//! went with them, and the rule that says training has blown up.
//!
//! Putting back the weights of the step before a non-finite loss is not enough: by then a
//! diverging run has been climbing for many steps, and those weights give a loss of 10²⁴. The
//! guard instead keeps the state at the lowest epoch loss seen so far, and calls a step's loss a
//! blow-up when it is far above that best (not only when it is no longer a number), so the run
//! is stopped while its weights are still worth keeping.
//!
//! An epoch's mean loss describes the weights *during* the epoch, not the ones it ends with,
//! which its last update may already have ruined. So a copy taken at an epoch's end is only a
//! candidate until the next step measures those very weights on its batch: if that loss is
//! still good, the candidate becomes the checkpoint; if not, the previous checkpoint stays.

use crate::engine::Tensor;
use crate::optim::Optimizer;

/// A step's loss this many times the best epoch's mean loss is a blow-up. Mini-batch losses
/// scatter around the epoch mean by a factor of ten or so on small batches; a thousand is
/// beyond any noise.
pub const BLOW_UP_RATIO: f64 = 1e3;
/// …and it must also exceed this, in standardised units, where predicting the mean scores
/// about 1: a run at a loss of 10⁻⁶ that spikes to 10⁻³ is jittering, not diverging.
pub const BLOW_UP_FLOOR: f64 = 10.0;
/// Steps between two copies at least, so that keeping the best state costs a few per cent of
/// a step at most, even when every step ends an epoch.
const MIN_STEPS_BETWEEN_COPIES: u64 = 32;
/// A candidate is confirmed when the next batch's loss at its weights is within this factor of
/// the best epoch's mean: above the scatter of batch losses, far below a blow-up.
const CONFIRM_RATIO: f64 = 3.0;

/// Why a step was refused.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DivergenceCause {
    /// The loss or a gradient was infinite or not a number.
    NonFinite,
    /// The loss was finite but far above the best epoch's.
    BlowUp { best_loss: f64 },
}

/// Weights and optimizer state at one moment of training.
pub(super) struct Checkpoint {
    /// Epochs completed when the copy was taken.
    pub epoch: usize,
    pub steps: u64,
    pub parameters: Vec<Tensor>,
    pub optimizer: Box<dyn Optimizer>,
}

pub(super) struct DivergenceGuard {
    /// The lowest mean loss of a finished epoch.
    best_loss: f64,
    checkpoint: Checkpoint,
    /// The state at the end of a good epoch, waiting for the next step to confirm it.
    candidate: Option<Checkpoint>,
    /// A better epoch seen since the last copy, not yet copied (too soon after the last).
    is_copy_due: bool,
}

impl DivergenceGuard {
    /// Starts from the initial state: the fallback when a run diverges in its first steps.
    pub fn new(parameters: &[Tensor], optimizer: &dyn Optimizer, epoch: usize) -> Self {
        Self {
            best_loss: f64::INFINITY,
            checkpoint: Checkpoint {
                epoch,
                steps: 0,
                parameters: parameters.to_vec(),
                optimizer: optimizer.snapshot(),
            },
            candidate: None,
            is_copy_due: false,
        }
    }

    /// Whether a step with this loss (measured at the weights before its update) must be
    /// refused, and why. A waiting candidate is confirmed or dropped by it.
    pub fn judge(&mut self, loss: f32, gradients_finite: bool) -> Option<DivergenceCause> {
        let is_finite = loss.is_finite() && gradients_finite;
        let loss = f64::from(loss);
        if let Some(candidate) = self.candidate.take()
            && is_finite
            && loss <= CONFIRM_RATIO * self.best_loss
        {
            self.checkpoint = candidate;
        }
        if !is_finite {
            return Some(DivergenceCause::NonFinite);
        }
        (self.best_loss.is_finite() && loss > (self.best_loss * BLOW_UP_RATIO).max(BLOW_UP_FLOOR))
            .then_some(DivergenceCause::BlowUp {
                best_loss: self.best_loss,
            })
    }

    /// After an epoch: takes its state as the candidate when it is the best so far (at most
    /// once every [`MIN_STEPS_BETWEEN_COPIES`] steps; a better epoch that comes too soon is
    /// copied at the next epoch end that is not worse than twice the best).
    pub fn epoch_finished(
        &mut self,
        epoch: usize,
        steps: u64,
        mean_loss: f64,
        parameters: &[Tensor],
        optimizer: &dyn Optimizer,
    ) {
        if !mean_loss.is_finite() {
            return;
        }
        let is_best = mean_loss <= self.best_loss;
        if is_best {
            self.best_loss = mean_loss;
            self.is_copy_due = true;
        }
        let is_first = self.checkpoint.steps == 0;
        let is_spaced = steps >= self.checkpoint.steps + MIN_STEPS_BETWEEN_COPIES;
        // Not worse than twice the best: a state that is still good, though not the very best.
        let is_good = mean_loss <= 2.0 * self.best_loss;
        if self.is_copy_due && is_good && (is_first || is_spaced) {
            self.candidate = Some(Checkpoint {
                epoch,
                steps,
                parameters: parameters.to_vec(),
                optimizer: optimizer.snapshot(),
            });
            self.is_copy_due = false;
        }
    }

    /// Puts the kept weights and optimizer state back; returns the epoch they are from. The
    /// learning rate stays the one in use, so lowering it before continuing takes effect.
    pub fn restore(&self, parameters: &mut [Tensor], optimizer: &mut Box<dyn Optimizer>) -> usize {
        for (parameter, kept) in parameters.iter_mut().zip(&self.checkpoint.parameters) {
            parameter.data_mut().copy_from_slice(kept.data());
        }
        let learning_rate = optimizer.learning_rate();
        *optimizer = self.checkpoint.optimizer.snapshot();
        optimizer.set_learning_rate(learning_rate);
        self.checkpoint.epoch
    }
}

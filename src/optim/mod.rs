//! Optimizers: they update parameter tensors from a [`Gradients`] store. They know nothing of
//! the tape's internals, of models or of data.
//!
//! Both follow PyTorch's update rules exactly, so a run here can be compared step for step
//! with a PyTorch reference.

mod adam;
mod sgd;

use serde::{Deserialize, Serialize};

pub use adam::Adam;
pub use sgd::Sgd;

use crate::engine::{Gradients, ParamId, Tensor};

/// One optimizer step over a list of parameters, and the learning rate a user may change
/// between steps without losing the optimizer's state.
pub trait Optimizer: Send {
    /// Updates `parameters[i]` with the gradient stored under `ParamId(i)`; a parameter with
    /// no gradient is left as it is.
    fn step(&mut self, parameters: &mut [Tensor], gradients: &Gradients);
    fn learning_rate(&self) -> f32;
    fn set_learning_rate(&mut self, learning_rate: f32);
    /// Forgets momentum and moment estimates, as at construction.
    fn reset(&mut self);
    /// A copy of the optimizer with its state (momentum, moments, step count), so training
    /// can later go back to this moment exactly.
    fn snapshot(&self) -> Box<dyn Optimizer>;
}

/// What a user chooses; `build` turns it into a stateful optimizer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum OptimizerConfig {
    Sgd {
        learning_rate: f32,
        momentum: f32,
        nesterov: bool,
    },
    Adam {
        learning_rate: f32,
        beta1: f32,
        beta2: f32,
        weight_decay: f32,
    },
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        Self::default_adam()
    }
}

impl OptimizerConfig {
    pub fn default_sgd() -> Self {
        Self::Sgd {
            learning_rate: 0.05,
            momentum: 0.9,
            nesterov: false,
        }
    }

    pub fn default_adam() -> Self {
        Self::Adam {
            learning_rate: 0.01,
            beta1: 0.9,
            beta2: 0.999,
            weight_decay: 0.0,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Sgd { .. } => "sgd",
            Self::Adam { .. } => "adam",
        }
    }

    pub fn learning_rate(&self) -> f32 {
        match *self {
            Self::Sgd { learning_rate, .. } | Self::Adam { learning_rate, .. } => learning_rate,
        }
    }

    pub fn with_learning_rate(mut self, new_rate: f32) -> Self {
        match &mut self {
            Self::Sgd { learning_rate, .. } | Self::Adam { learning_rate, .. } => {
                *learning_rate = new_rate
            }
        }
        self
    }

    pub fn build(&self) -> Box<dyn Optimizer> {
        match *self {
            Self::Sgd {
                learning_rate,
                momentum,
                nesterov,
            } => Box::new(Sgd::new(learning_rate, momentum).with_nesterov(nesterov)),
            Self::Adam {
                learning_rate,
                beta1,
                beta2,
                weight_decay,
            } => Box::new(
                Adam::new(learning_rate)
                    .with_betas(beta1, beta2)
                    .with_weight_decay(weight_decay),
            ),
        }
    }
}

/// Per-parameter state buffers, created at the first step with the parameters' sizes.
fn ensure_state(state: &mut Vec<Vec<f32>>, parameters: &[Tensor]) {
    if state.len() != parameters.len()
        || state
            .iter()
            .zip(parameters)
            .any(|(s, p)| s.len() != p.len())
    {
        *state = parameters.iter().map(|p| vec![0.0; p.len()]).collect();
    }
}

/// The (parameter, gradient) pairs that have a gradient this step.
fn with_gradients<'a>(
    parameters: &'a mut [Tensor],
    gradients: &'a Gradients,
) -> impl Iterator<Item = (usize, &'a mut [f32], &'a [f32])> {
    parameters.iter_mut().enumerate().filter_map(move |(i, p)| {
        let g = gradients.get(ParamId(i))?;
        assert_eq!(
            g.len(),
            p.len(),
            "gradient {i} has a different size from its parameter"
        );
        Some((i, p.data_mut(), g.data()))
    })
}

//! Stochastic gradient descent with (optionally Nesterov) momentum, PyTorch semantics:
//! `buf = μ·buf + g`, then `p -= lr·buf`, or with Nesterov `p -= lr·(g + μ·buf)`.

use super::{Optimizer, ensure_state, with_gradients};
use crate::engine::{Gradients, Tensor};

#[derive(Clone, Debug)]
pub struct Sgd {
    learning_rate: f32,
    momentum: f32,
    nesterov: bool,
    velocity: Vec<Vec<f32>>,
}

impl Sgd {
    pub fn new(learning_rate: f32, momentum: f32) -> Self {
        Self {
            learning_rate,
            momentum,
            nesterov: false,
            velocity: Vec::new(),
        }
    }

    pub fn with_nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }
}

impl Optimizer for Sgd {
    fn step(&mut self, parameters: &mut [Tensor], gradients: &Gradients) {
        let (lr, mu) = (self.learning_rate, self.momentum);
        if mu == 0.0 {
            for (_, p, g) in with_gradients(parameters, gradients) {
                p.iter_mut().zip(g).for_each(|(p, g)| *p -= lr * g);
            }
            return;
        }
        ensure_state(&mut self.velocity, parameters);
        for (i, p, g) in with_gradients(parameters, gradients) {
            // A zero buffer makes the first step buf = g, which is PyTorch's first-step clone.
            let velocity = &mut self.velocity[i];
            for ((p, g), v) in p.iter_mut().zip(g).zip(velocity.iter_mut()) {
                *v = mu * *v + g;
                let update = if self.nesterov { g + mu * *v } else { *v };
                *p -= lr * update;
            }
        }
    }

    fn learning_rate(&self) -> f32 {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: f32) {
        self.learning_rate = learning_rate;
    }

    fn snapshot(&self) -> Box<dyn Optimizer> {
        Box::new(self.clone())
    }

    fn reset(&mut self) {
        self.velocity.clear();
    }
}

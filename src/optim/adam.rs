//! Adam (Kingma & Ba 2015) with bias correction, and AdamW's decoupled weight decay as an
//! option. The update is PyTorch's, term for term:
//! `m = β1·m + (1-β1)·g`, `v = β2·v + (1-β2)·g²`,
//! `p -= lr/(1-β1ᵗ) · m / (√v/√(1-β2ᵗ) + ε)`, and with decay first `p -= lr·λ·p`.

use super::{Optimizer, ensure_state, with_gradients};
use crate::engine::{Gradients, Tensor};

#[derive(Clone, Debug)]
pub struct Adam {
    learning_rate: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    weight_decay: f32,
    step_count: u64,
    first_moment: Vec<Vec<f32>>,
    second_moment: Vec<Vec<f32>>,
}

impl Adam {
    pub fn new(learning_rate: f32) -> Self {
        Self {
            learning_rate,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            weight_decay: 0.0,
            step_count: 0,
            first_moment: Vec::new(),
            second_moment: Vec::new(),
        }
    }

    pub fn with_betas(mut self, beta1: f32, beta2: f32) -> Self {
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }

    pub fn with_epsilon(mut self, epsilon: f32) -> Self {
        self.epsilon = epsilon;
        self
    }

    /// Decoupled weight decay λ (AdamW): shrinks weights directly, not through the gradient.
    pub fn with_weight_decay(mut self, weight_decay: f32) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    pub fn step_count(&self) -> u64 {
        self.step_count
    }
}

impl Optimizer for Adam {
    fn step(&mut self, parameters: &mut [Tensor], gradients: &Gradients) {
        ensure_state(&mut self.first_moment, parameters);
        ensure_state(&mut self.second_moment, parameters);
        self.step_count += 1;
        let (b1, b2, eps, lr) = (self.beta1, self.beta2, self.epsilon, self.learning_rate);
        // Bias corrections in f64 as PyTorch computes them (Python floats), then one cast.
        let bias_correction1 = bias_correction(b1, self.step_count);
        let bias_correction2_sqrt = bias_correction(b2, self.step_count).sqrt();
        let step_size = (f64::from(lr) / bias_correction1) as f32;
        let inv_bc2_sqrt = (1.0 / bias_correction2_sqrt) as f32;
        let decay = 1.0 - lr * self.weight_decay;
        for (i, p, g) in with_gradients(parameters, gradients) {
            let m = &mut self.first_moment[i];
            let v = &mut self.second_moment[i];
            for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                *m = b1 * *m + (1.0 - b1) * g;
                *v = b2 * *v + (1.0 - b2) * g * g;
                let denominator = v.sqrt() * inv_bc2_sqrt + eps;
                *p = *p * decay - step_size * *m / denominator;
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
        self.step_count = 0;
        self.first_moment.clear();
        self.second_moment.clear();
    }
}

/// `1 − βᵗ`. Past 2³¹ steps βᵗ is 0 in f64 anyway; saturating the power keeps the correction at
/// 1 instead of wrapping to a negative power, which would turn every weight into NaN after about
/// four hours at full speed.
fn bias_correction(beta: f32, step: u64) -> f64 {
    let t = i32::try_from(step).unwrap_or(i32::MAX);
    1.0 - f64::from(beta).powi(t)
}

#[cfg(test)]
mod tests {
    use super::bias_correction;

    #[test]
    fn bias_correction_stays_one_after_two_to_the_31_steps() {
        for step in [1u64 << 31, (1u64 << 31) + 1, u64::MAX] {
            assert_eq!(bias_correction(0.9, step), 1.0, "step {step}");
            assert_eq!(bias_correction(0.999, step), 1.0, "step {step}");
        }
        assert!((bias_correction(0.9, 1) - 0.1).abs() < 1e-7);
    }
}

//! A hand-written trainer of the benchmark MLP: forward, backward and optimizer as plain loops
//! over flat f32 buffers, the same arithmetic as the reference `numpy_mlp.py`. No autograd.
//!
//! It is an oracle, not a contender: tests compare the autograd engine's gradients, losses and
//! parameters with it, and it shows that this crate's port of the data set and initial weights
//! reproduces the reference MSE values. It knows the protocol ([`super::protocol`]) and nothing of
//! the engine. Loops are written so the inner one runs over contiguous memory (and vectorises),
//! which keeps the 200-step tests of `wide` to a few seconds; nothing else is optimised.

use super::protocol::{BenchConfig, BenchOptimizer, LayerParams, init_params, make_dataset};
use super::runner::BenchTrainer;

/// Where one layer lives in the flat parameter buffer. Weights are stored `n_inputs × n_outputs`
/// (transposed from PyTorch's layout, as numpy_mlp.py does) so the forward pass is `a · W`.
#[derive(Debug, Clone, Copy)]
struct LayerSlot {
    n_inputs: usize,
    n_outputs: usize,
    weights_offset: usize,
    biases_offset: usize,
}

impl LayerSlot {
    fn weights(self) -> std::ops::Range<usize> {
        self.weights_offset..self.weights_offset + self.n_inputs * self.n_outputs
    }

    fn biases(self) -> std::ops::Range<usize> {
        self.biases_offset..self.biases_offset + self.n_outputs
    }
}

/// The reference trainer of one configuration. See the module docs.
#[derive(Debug, Clone)]
pub struct ReferenceTrainer {
    cfg: BenchConfig,
    /// Inputs, row-major `n × n_inputs`, in the protocol's shuffled order.
    x: Vec<f32>,
    y: Vec<f32>,
    slots: Vec<LayerSlot>,
    params: Vec<f32>,
    initial_params: Vec<f32>,
    grads: Vec<f32>,
    /// Adam's first moment, or SGD's momentum buffer.
    moment1: Vec<f32>,
    /// Adam's second moment (unused by SGD).
    moment2: Vec<f32>,
    steps_taken: u64,
    /// Batch activations per layer output, `batch × width` (hidden ones after tanh).
    activations: Vec<Vec<f32>>,
    /// dLoss/dz per layer output, `batch × width`.
    deltas: Vec<Vec<f32>>,
    /// Scratch for one layer's weights in `n_outputs × n_inputs` order, for `d · Wᵀ`.
    transposed_weights: Vec<f32>,
}

impl ReferenceTrainer {
    /// The trainer of `cfg` on the protocol's data set and initial weights.
    pub fn new(cfg: &BenchConfig) -> Self {
        let (x, y) = make_dataset(cfg);
        Self::with_data(cfg, x, y, &init_params(cfg.layers))
    }

    /// The trainer of `cfg` on given data (`x` row-major `n × n_inputs`) and initial parameters
    /// (PyTorch layout, as [`init_params`] returns them).
    pub fn with_data(cfg: &BenchConfig, x: Vec<f32>, y: Vec<f32>, params: &[LayerParams]) -> Self {
        assert_eq!(
            cfg.n_outputs(),
            1,
            "the bench MLP has one output ({})",
            cfg.name
        );
        assert_eq!(x.len(), cfg.n * cfg.n_inputs(), "x must be n × n_inputs");
        assert_eq!(y.len(), cfg.n, "y must have n rows");
        assert_eq!(params.len(), cfg.layers.len() - 1, "one (W, b) per layer");

        let mut slots = Vec::with_capacity(params.len());
        let mut flat = Vec::new();
        for (pair, (weights, biases)) in cfg.layers.windows(2).zip(params) {
            let (n_inputs, n_outputs) = (pair[0], pair[1]);
            assert_eq!(weights.len(), n_outputs * n_inputs, "W must be out × in");
            assert_eq!(biases.len(), n_outputs, "b must have `out` entries");
            let weights_offset = flat.len();
            // Torch layout W[o][i] → stored at [i][o].
            flat.extend((0..n_inputs * n_outputs).map(|k| {
                let (i, o) = (k / n_outputs, k % n_outputs);
                weights[o * n_inputs + i]
            }));
            let biases_offset = flat.len();
            flat.extend_from_slice(biases);
            slots.push(LayerSlot {
                n_inputs,
                n_outputs,
                weights_offset,
                biases_offset,
            });
        }

        let batch = cfg.batch;
        let widths = &cfg.layers[1..];
        let max_fan = slots
            .iter()
            .map(|s| s.n_inputs * s.n_outputs)
            .max()
            .unwrap_or(0);
        Self {
            cfg: cfg.clone(),
            x,
            y,
            slots,
            grads: vec![0.0; flat.len()],
            moment1: vec![0.0; flat.len()],
            moment2: vec![0.0; flat.len()],
            initial_params: flat.clone(),
            params: flat,
            steps_taken: 0,
            activations: widths.iter().map(|&w| vec![0.0; batch * w]).collect(),
            deltas: widths.iter().map(|&w| vec![0.0; batch * w]).collect(),
            transposed_weights: vec![0.0; max_fan],
        }
    }

    pub fn config(&self) -> &BenchConfig {
        &self.cfg
    }

    /// Optimizer steps since construction or the last [`Self::reset`].
    pub fn steps_taken(&self) -> u64 {
        self.steps_taken
    }

    /// The current parameters in PyTorch layout: per layer `W` (`out × in`, row-major) and `b`.
    pub fn params(&self) -> Vec<LayerParams> {
        self.slots
            .iter()
            .map(|&slot| {
                (
                    to_torch_layout(&self.params[slot.weights()], slot),
                    self.params[slot.biases()].to_vec(),
                )
            })
            .collect()
    }

    /// Loss and gradients of mini-batch `batch_index` at the current parameters, without
    /// stepping. Gradients are in PyTorch layout, like [`Self::params`].
    pub fn gradients(&mut self, batch_index: usize) -> (f64, Vec<LayerParams>) {
        let loss = self.forward_backward(batch_index);
        let grads = self
            .slots
            .iter()
            .map(|&slot| {
                (
                    to_torch_layout(&self.grads[slot.weights()], slot),
                    self.grads[slot.biases()].to_vec(),
                )
            })
            .collect();
        (loss, grads)
    }

    /// One optimizer step on mini-batch `batch_index`; returns the batch loss before the step.
    pub fn train_step(&mut self, batch_index: usize) -> f64 {
        let loss = self.forward_backward(batch_index);
        self.steps_taken += 1;
        match self.cfg.optimizer {
            BenchOptimizer::Adam { learning_rate } => self.adam_update(learning_rate),
            BenchOptimizer::SgdMomentum {
                learning_rate,
                momentum,
            } => self.sgd_momentum_update(learning_rate, momentum),
        }
        loss
    }

    /// MSE over the whole data set: f32 forward, squared errors in f32, mean in f64 (as numpy's
    /// `np.mean((out - Y)**2, dtype=np.float64)`).
    pub fn full_mse(&self) -> f64 {
        let mut activations: Vec<Vec<f32>> = self.cfg.layers[1..]
            .iter()
            .map(|&w| vec![0.0; self.cfg.n * w])
            .collect();
        forward(&self.slots, &self.params, &self.x, &mut activations);
        let out = &activations[activations.len() - 1];
        mean_squared_error(out, &self.y)
    }

    /// Back to the initial parameters and a fresh optimizer state.
    pub fn reset(&mut self) {
        self.params.copy_from_slice(&self.initial_params);
        self.moment1.fill(0.0);
        self.moment2.fill(0.0);
        self.steps_taken = 0;
    }

    /// Fills `self.grads` for mini-batch `batch_index` and returns its loss.
    fn forward_backward(&mut self, batch_index: usize) -> f64 {
        let rows = self.cfg.batch_rows(batch_index);
        let n_inputs = self.cfg.n_inputs();
        let xb = &self.x[rows.start * n_inputs..rows.end * n_inputs];
        let yb = &self.y[rows];
        forward(&self.slots, &self.params, xb, &mut self.activations);

        let n_layers = self.slots.len();
        let batch = self.cfg.batch;
        // L = mean((out - y)²) ⇒ dL/dout = 2/B · (out - y); numpy rounds 2/B to f32 first.
        let scale = (2.0 / batch as f64) as f32;
        let out = &self.activations[n_layers - 1];
        let loss = mean_squared_error(out, yb);
        for ((d, &o), &t) in self.deltas[n_layers - 1].iter_mut().zip(out).zip(yb) {
            *d = (o - t) * scale;
        }

        for l in (0..n_layers).rev() {
            let slot = self.slots[l];
            let input = if l == 0 { xb } else { &self.activations[l - 1] };
            let delta = &self.deltas[l];
            // z = a·W + b ⇒ dL/dW = aᵀ·d, dL/db = Σ_rows d.
            let (grad_weights, grad_biases) = self.grads[slot.weights_offset..slot.biases().end]
                .split_at_mut(slot.n_inputs * slot.n_outputs);
            matmul_transposed_lhs(input, delta, batch, grad_weights, slot);
            grad_biases.fill(0.0);
            for delta_row in delta.chunks_exact(slot.n_outputs) {
                for (g, &d) in grad_biases.iter_mut().zip(delta_row) {
                    *g += d;
                }
            }
            if l == 0 {
                break;
            }
            // dL/da = d·Wᵀ, then through a = tanh(z): dL/dz = dL/da · (1 - a²).
            transpose(
                &self.params[slot.weights()],
                slot.n_inputs,
                slot.n_outputs,
                &mut self.transposed_weights,
            );
            let (before, after) = self.deltas.split_at_mut(l);
            let delta_prev = &mut before[l - 1];
            matmul(
                &after[0],
                &self.transposed_weights[..slot.n_inputs * slot.n_outputs],
                slot.n_outputs,
                slot.n_inputs,
                delta_prev,
            );
            for (d, &a) in delta_prev.iter_mut().zip(&self.activations[l - 1]) {
                *d *= 1.0 - a * a;
            }
        }
        loss
    }

    /// Adam exactly as numpy_mlp.py writes it: f64 bias corrections, each constant rounded to f32
    /// once, then elementwise f32
    /// `m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²; p -= (m / (√v·(1/√bc2) + ε)) · (lr/bc1)`.
    fn adam_update(&mut self, learning_rate: f64) {
        let beta1 = BenchOptimizer::ADAM_BETA1;
        let beta2 = BenchOptimizer::ADAM_BETA2;
        let t = self.steps_taken as f64;
        // Python's `b ** t` is C `pow`, as is `f64::powf`; `bc2 ** 0.5` likewise.
        let bias_correction1 = 1.0 - beta1.powf(t);
        let bias_correction2 = 1.0 - beta2.powf(t);
        let inv_sqrt_bc2 = (1.0 / bias_correction2.powf(0.5)) as f32;
        let step_size = (learning_rate / bias_correction1) as f32;
        let epsilon = BenchOptimizer::ADAM_EPSILON as f32;
        let (b1, one_minus_b1) = (beta1 as f32, (1.0 - beta1) as f32);
        let (b2, one_minus_b2) = (beta2 as f32, (1.0 - beta2) as f32);
        for (((p, &g), m), v) in self
            .params
            .iter_mut()
            .zip(&self.grads)
            .zip(&mut self.moment1)
            .zip(&mut self.moment2)
        {
            *m = *m * b1 + g * one_minus_b1;
            *v = *v * b2 + (g * g) * one_minus_b2;
            let denom = v.sqrt() * inv_sqrt_bc2 + epsilon;
            *p -= (*m / denom) * step_size;
        }
    }

    /// SGD with momentum, torch semantics: `buf = μ·buf + g; p -= lr·buf` (buf starts at 0,
    /// which equals torch's clone of the first gradient).
    fn sgd_momentum_update(&mut self, learning_rate: f64, momentum: f64) {
        let (lr, mu) = (learning_rate as f32, momentum as f32);
        for ((p, &g), buf) in self
            .params
            .iter_mut()
            .zip(&self.grads)
            .zip(&mut self.moment1)
        {
            *buf = *buf * mu + g;
            *p -= *buf * lr;
        }
    }
}

impl BenchTrainer for ReferenceTrainer {
    fn step(&mut self, batch_index: usize) {
        self.train_step(batch_index);
    }

    fn reset(&mut self) {
        ReferenceTrainer::reset(self);
    }

    fn full_mse(&mut self) -> f64 {
        ReferenceTrainer::full_mse(self)
    }
}

/// Forward pass of `input` (`rows × n_inputs`) into `activations` (one buffer per layer, sized
/// for the same rows): `z = a·W + b`, tanh on hidden layers, linear output.
fn forward(slots: &[LayerSlot], params: &[f32], input: &[f32], activations: &mut [Vec<f32>]) {
    let n_layers = slots.len();
    for (l, &slot) in slots.iter().enumerate() {
        let (before, after) = activations.split_at_mut(l);
        let a = if l == 0 { input } else { &before[l - 1] };
        let z = &mut after[0];
        let rows = a.len() / slot.n_inputs;
        matmul(a, &params[slot.weights()], slot.n_inputs, slot.n_outputs, z);
        let biases = &params[slot.biases()];
        for z_row in z[..rows * slot.n_outputs].chunks_exact_mut(slot.n_outputs) {
            for (v, &b) in z_row.iter_mut().zip(biases) {
                *v += b;
            }
        }
        if l + 1 < n_layers {
            for v in z.iter_mut() {
                *v = v.tanh();
            }
        }
    }
}

/// `out = a · w` with `a` `rows × k`, `w` `k × m`, all row-major. The inner loop is an axpy over
/// a row of `w`, so it runs over contiguous memory.
fn matmul(a: &[f32], w: &[f32], k: usize, m: usize, out: &mut [f32]) {
    for (a_row, out_row) in a.chunks_exact(k).zip(out.chunks_exact_mut(m)) {
        out_row.fill(0.0);
        for (&s, w_row) in a_row.iter().zip(w.chunks_exact(m)) {
            for (o, &wv) in out_row.iter_mut().zip(w_row) {
                *o += s * wv;
            }
        }
    }
}

/// `grad = aᵀ · d` with `a` `rows × n_inputs`, `d` `rows × n_outputs`: the weight gradient,
/// summed over rows in order.
fn matmul_transposed_lhs(a: &[f32], d: &[f32], rows: usize, grad: &mut [f32], slot: LayerSlot) {
    grad.fill(0.0);
    let a_rows = a.chunks_exact(slot.n_inputs).take(rows);
    for (a_row, d_row) in a_rows.zip(d.chunks_exact(slot.n_outputs)) {
        for (&s, grad_row) in a_row.iter().zip(grad.chunks_exact_mut(slot.n_outputs)) {
            for (g, &dv) in grad_row.iter_mut().zip(d_row) {
                *g += s * dv;
            }
        }
    }
}

/// `dst` (`cols × rows`) = transpose of `src` (`rows × cols`).
fn transpose(src: &[f32], rows: usize, cols: usize, dst: &mut [f32]) {
    for (r, src_row) in src.chunks_exact(cols).enumerate() {
        for (c, &v) in src_row.iter().enumerate() {
            dst[c * rows + r] = v;
        }
    }
}

/// Stored `n_inputs × n_outputs` → PyTorch's `n_outputs × n_inputs`.
fn to_torch_layout(stored: &[f32], slot: LayerSlot) -> Vec<f32> {
    let mut torch = vec![0.0; stored.len()];
    transpose(stored, slot.n_inputs, slot.n_outputs, &mut torch);
    torch
}

/// `mean((out - y)²)`: differences and squares in f32, the mean in f64.
fn mean_squared_error(out: &[f32], y: &[f32]) -> f64 {
    assert_eq!(out.len(), y.len(), "one prediction per target");
    let total: f64 = out
        .iter()
        .zip(y)
        .map(|(&o, &t)| {
            let diff = o - t;
            f64::from(diff * diff)
        })
        .sum();
    total / y.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::protocol::BenchConfig;

    fn tiny() -> &'static BenchConfig {
        BenchConfig::by_name("tiny").expect("tiny exists")
    }

    #[test]
    fn params_round_trip_through_the_stored_layout() {
        let trainer = ReferenceTrainer::new(tiny());
        assert_eq!(trainer.params(), init_params(tiny().layers));
    }

    #[test]
    fn gradients_match_central_differences() {
        // dL/dp ≈ (L(p + h) - L(p - h)) / 2h, with L recomputed in f64 from f32 parameters;
        // h = 1e-2 keeps f32 rounding of the loss (~1e-7) well below the O(h²) error.
        let mut trainer = ReferenceTrainer::new(tiny());
        let (_, grads) = trainer.gradients(0);
        let params = trainer.params();
        let h = 1e-2_f32;
        for (layer, index, is_bias) in [(0, 3, false), (1, 17, false), (1, 5, true), (2, 0, true)] {
            let perturbed_loss = |delta: f32| {
                let mut p = params.clone();
                let target = if is_bias {
                    &mut p[layer].1
                } else {
                    &mut p[layer].0
                };
                target[index] += delta;
                let (x, y) = make_dataset(tiny());
                let mut probe = ReferenceTrainer::with_data(tiny(), x, y, &p);
                probe.gradients(0).0
            };
            let numeric = (perturbed_loss(h) - perturbed_loss(-h)) / (2.0 * f64::from(h));
            let analytic = if is_bias {
                grads[layer].1[index]
            } else {
                grads[layer].0[index]
            };
            assert!(
                (f64::from(analytic) - numeric).abs() < 1e-3 * numeric.abs().max(1e-2),
                "layer {layer} index {index} bias {is_bias}: analytic {analytic}, numeric {numeric}"
            );
        }
    }

    #[test]
    fn reset_restores_the_initial_state() {
        let mut trainer = ReferenceTrainer::new(tiny());
        let first = trainer.train_step(0);
        trainer.train_step(0);
        trainer.reset();
        assert_eq!(trainer.steps_taken(), 0);
        assert_eq!(trainer.params(), init_params(tiny().layers));
        assert_eq!(trainer.train_step(0), first);
    }
}

//! The first steps of each optimizer against the update rules as PyTorch documents them
//! (torch.optim.SGD with dampening 0, torch.optim.Adam / AdamW), computed here in f64,
//! independently of the implementation's f32 arithmetic and term order.
//!
//! Gradients come from a real tape: L = Σᵢ Σ pᵢ ⊙ cᵢ has dL/dpᵢ = cᵢ exactly (mul's backward
//! is 1·cᵢ), so each step sees exactly the gradient the test chose.
//!
//! Tolerance: |got - expected| ≤ 1e-6 · max(1, |expected|). The parameters are O(1) and each
//! step is a handful of f32 operations (~6e-8 relative each), so the implementation lands
//! within ~3e-7; a wrong rule (a missing bias correction, momentum reset, ε misplaced, decay
//! coupled) is off by 1e-3 or more with the values below.

use nanograd::engine::{Gradients, ParamId, Tape, Tensor};
use nanograd::optim::{Adam, Optimizer, OptimizerConfig, Sgd};

const TOLERANCE: f64 = 1e-6;

const P0: [f32; 3] = [1.0, -2.0, 0.5];
const G1: [f32; 3] = [0.5, -1.0, 2.0];
const G2: [f32; 3] = [-0.25, 0.75, 1.5];

/// Gradients whose entry `ParamId(i)` is exactly `coefficients[i]` (none where `None`), from
/// a tape recording L = Σᵢ Σ pᵢ ⊙ cᵢ. The parameter values do not enter dL/dpᵢ = cᵢ.
fn gradients_equal_to(coefficients: &[Option<&[f32]>]) -> Gradients {
    let mut tape = Tape::new();
    let mut total = None;
    for (i, c) in coefficients.iter().enumerate() {
        let Some(c) = c else { continue };
        let p = tape.param(ParamId(i), &Tensor::row(vec![0.5; c.len()]));
        let c_node = tape.input(1, c.len(), c);
        let product = tape.mul(p, c_node);
        let term = tape.sum(product);
        total = Some(match total {
            Some(sum) => tape.add(sum, term),
            None => term,
        });
    }
    let grads = tape.backward(total.expect("at least one gradient"));
    for (i, c) in coefficients.iter().enumerate() {
        assert_eq!(
            grads.get(ParamId(i)).map(Tensor::data),
            *c,
            "dL/dp{i} is c{i} exactly"
        );
    }
    grads
}

/// The gradients of a single parameter `ParamId(0)`.
fn gradient(g: &[f32]) -> Gradients {
    gradients_equal_to(&[Some(g)])
}

fn parameters() -> Vec<Tensor> {
    vec![Tensor::row(P0.to_vec())]
}

#[track_caller]
fn assert_close(got: &Tensor, expected: &[f64], what: &str) {
    assert_eq!(got.len(), expected.len(), "{what}: length");
    for (k, (&g, &e)) in got.data().iter().zip(expected).enumerate() {
        assert!(
            (f64::from(g) - e).abs() <= TOLERANCE * e.abs().max(1.0),
            "{what}: element {k} is {g}, expected {e} (all: {:?})",
            got.data()
        );
    }
}

/// Asserts two candidate expectations differ by more than the tolerance somewhere, so a test
/// comparing against one of them can tell it from the other.
#[track_caller]
fn assert_distinguishable(expected: &[f64], alternative: &[f64], what: &str) {
    let gap = expected
        .iter()
        .zip(alternative)
        .map(|(e, a)| (e - a).abs())
        .fold(0.0, f64::max);
    assert!(
        gap > 100.0 * TOLERANCE,
        "{what}: expected and alternative differ by only {gap}"
    );
}

fn f64s(values: &[f32]) -> Vec<f64> {
    values.iter().map(|&v| f64::from(v)).collect()
}

/// torch.optim.Adam / AdamW as documented, in f64: for t = 1, 2, …
///   θ ← θ - γλθ (AdamW's decoupled decay; λ = 0 is Adam)
///   m ← β1·m + (1-β1)·g,  v ← β2·v + (1-β2)·g²
///   m̂ = m / (1-β1ᵗ),  v̂ = v / (1-β2ᵗ),  θ ← θ - γ·m̂ / (√v̂ + ε)
/// `steps` holds (γ, g) per step. Returns θ after each step.
fn adam_reference(
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    weight_decay: f32,
    steps: &[(f32, &[f32])],
) -> Vec<Vec<f64>> {
    let (b1, b2, eps, wd) = (
        f64::from(beta1),
        f64::from(beta2),
        f64::from(epsilon),
        f64::from(weight_decay),
    );
    let mut theta = f64s(&P0);
    let mut m = vec![0.0; theta.len()];
    let mut v = vec![0.0; theta.len()];
    let mut history = Vec::new();
    for (t, &(lr, g)) in (1..).zip(steps) {
        let lr = f64::from(lr);
        for k in 0..theta.len() {
            let g = f64::from(g[k]);
            theta[k] -= lr * wd * theta[k];
            m[k] = b1 * m[k] + (1.0 - b1) * g;
            v[k] = b2 * v[k] + (1.0 - b2) * g * g;
            let m_hat = m[k] / (1.0 - b1.powi(t));
            let v_hat = v[k] / (1.0 - b2.powi(t));
            theta[k] -= lr * m_hat / (v_hat.sqrt() + eps);
        }
        history.push(theta.clone());
    }
    history
}

// ----- SGD ----------------------------------------------------------------------------------

// p ← p - lr·g with lr = 0.1:
//   p1 = [1, -2, 0.5] - 0.1·[0.5, -1, 2]    = [0.95, -1.9, 0.3]
//   p2 = p1 - 0.1·[-0.25, 0.75, 1.5]        = [0.975, -1.975, 0.15]
#[test]
fn sgd_without_momentum_steps_against_the_gradient_times_the_learning_rate() {
    let mut sgd = Sgd::new(0.1, 0.0);
    let mut params = parameters();
    sgd.step(&mut params, &gradient(&G1));
    assert_close(&params[0], &[0.95, -1.9, 0.3], "step 1");
    sgd.step(&mut params, &gradient(&G2));
    assert_close(&params[0], &[0.975, -1.975, 0.15], "step 2");
}

// buf ← μ·buf + g (buf = g at the first step), p ← p - lr·buf, with lr = 0.1, μ = 0.9:
//   buf1 = g1 = [0.5, -1, 2];                    p1 = [0.95, -1.9, 0.3]
//   buf2 = 0.9·g1 + g2 = [0.2, -0.15, 3.3];      p2 = p1 - 0.1·buf2 = [0.93, -1.885, -0.03]
// Without momentum p2 would be [0.975, -1.975, 0.15]: the second step shows the buffer.
#[test]
fn sgd_with_momentum_accumulates_a_velocity_over_two_steps() {
    let mut sgd = Sgd::new(0.1, 0.9);
    let mut params = parameters();
    sgd.step(&mut params, &gradient(&G1));
    assert_close(&params[0], &[0.95, -1.9, 0.3], "step 1");
    sgd.step(&mut params, &gradient(&G2));
    assert_close(&params[0], &[0.93, -1.885, -0.03], "step 2");
}

// Nesterov: buf ← μ·buf + g, p ← p - lr·(g + μ·buf), with lr = 0.1, μ = 0.9:
//   buf1 = g1;  p1 = p0 - 0.1·(g1 + 0.9·g1) = p0 - 0.19·g1 = [0.905, -1.81, 0.12]
//   buf2 = [0.2, -0.15, 3.3];  g2 + 0.9·buf2 = [-0.07, 0.615, 4.47]
//   p2 = p1 - 0.1·[-0.07, 0.615, 4.47] = [0.912, -1.8715, -0.327]
// Built through OptimizerConfig, as the app does.
#[test]
fn sgd_with_nesterov_momentum_looks_ahead_along_the_velocity() {
    let config = OptimizerConfig::Sgd {
        learning_rate: 0.1,
        momentum: 0.9,
        nesterov: true,
    };
    let mut sgd = config.build();
    let mut params = parameters();
    sgd.step(&mut params, &gradient(&G1));
    assert_close(&params[0], &[0.905, -1.81, 0.12], "step 1");
    sgd.step(&mut params, &gradient(&G2));
    assert_close(&params[0], &[0.912, -1.8715, -0.327], "step 2");
}

// lr = 0.1 for step 1, then 0.01: p2 = p1 - 0.01·(0.9·g1 + g2) = p1 - 0.01·[0.2, -0.15, 3.3]
//   = [0.948, -1.8985, 0.267]. Had the change reset the velocity, p2 = p1 - 0.01·g2.
#[test]
fn sgd_learning_rate_change_scales_the_next_step_and_keeps_the_velocity() {
    let mut sgd = Sgd::new(0.1, 0.9);
    let mut params = parameters();
    sgd.step(&mut params, &gradient(&G1));
    sgd.set_learning_rate(0.01);
    assert_eq!(sgd.learning_rate(), 0.01);
    sgd.step(&mut params, &gradient(&G2));
    let expected = [0.948, -1.8985, 0.267];
    assert_distinguishable(
        &expected,
        &[0.9525, -1.9075, 0.285],
        "velocity kept vs reset",
    );
    assert_close(&params[0], &expected, "step 2 at the new rate");
}

// After two momentum steps, reset() empties the buffer: the next step is a first step again,
// buf = g2, p ← p - lr·g2, exactly what a new optimizer does from the same parameters.
#[test]
fn sgd_reset_forgets_the_velocity() {
    let mut sgd = Sgd::new(0.1, 0.9);
    let mut params = parameters();
    sgd.step(&mut params, &gradient(&G1));
    sgd.step(&mut params, &gradient(&G2));
    let before = f64s(params[0].data());
    sgd.reset();
    sgd.step(&mut params, &gradient(&G2));
    // p ← p - 0.1·g2; with the velocity kept it would be p - 0.1·(0.9·[0.2, -0.15, 3.3] + g2).
    let expected: Vec<f64> = before
        .iter()
        .zip(G2)
        .map(|(p, g)| p - 0.1 * f64::from(g))
        .collect();
    let kept: Vec<f64> = before
        .iter()
        .zip([0.2, -0.15, 3.3])
        .zip(G2)
        .map(|((p, b), g)| p - 0.1 * (0.9 * b + f64::from(g)))
        .collect();
    assert_distinguishable(&expected, &kept, "reset vs kept");
    assert_close(&params[0], &expected, "first step after reset");
}

// ----- Adam ---------------------------------------------------------------------------------

// lr = 0.01, β1 = 0.9, β2 = 0.999, ε = 1e-8.
// Step 1: m = 0.1·g, v = 0.001·g², so m̂ = g, v̂ = g² and p1 = p0 - lr·g/(|g| + ε) ≈ p0 - 0.01·sign(g)
//   = [0.99, -1.99, 0.49] (the bias correction is what makes the first step a full lr).
// Step 2: m = 0.09·g1 + 0.1·g2, v = 0.000999·g1² + 0.001·g2², m̂ = m/0.19, v̂ = v/0.001999;
//   for element 0: m̂ = 0.02/0.19 = 0.10526, v̂ = 0.00031225/0.001999 = 0.15620,
//   p2 = 0.99 - 0.01·0.10526/0.39522 = 0.98734; all three ≈ [0.987337, -1.989107, 0.480174].
#[test]
fn adam_first_and_second_steps_follow_the_bias_corrected_update() {
    let mut adam = Adam::new(0.01);
    let mut params = parameters();
    let expected = adam_reference(0.9, 0.999, 1e-8, 0.0, &[(0.01, &G1), (0.01, &G2)]);
    assert_close(
        &Tensor::row(vec![0.99, -1.99, 0.49]),
        &expected[0],
        "reference step 1 by hand",
    );
    adam.step(&mut params, &gradient(&G1));
    assert_eq!(adam.step_count(), 1);
    assert_close(&params[0], &expected[0], "step 1");
    adam.step(&mut params, &gradient(&G2));
    assert_eq!(adam.step_count(), 2);
    assert_close(
        &params[0],
        &[0.9873366, -1.9891068, 0.4801742],
        "step 2 by hand",
    );
    assert_close(&params[0], &expected[1], "step 2");
}

// ε sits outside the square root and after bias correction: p ← p - lr·m̂/(√v̂ + ε). With
// ε = 0.1 the first step is lr·g/(|g| + 0.1) = 0.01·[0.5/0.6, 1/1.1, 2/2.1]
//   → p1 = [0.991667, -1.990909, 0.490476]. Adding ε to √v before the correction instead
//   would divide by |g| + 0.1/√0.001 = |g| + 3.16, a far smaller step.
#[test]
fn adam_adds_epsilon_to_the_bias_corrected_root_of_the_second_moment() {
    let mut adam = Adam::new(0.01).with_epsilon(0.1);
    let mut params = parameters();
    let expected = adam_reference(0.9, 0.999, 0.1, 0.0, &[(0.01, &G1), (0.01, &G2)]);
    let by_hand = [
        1.0 - 0.01 * 0.5 / 0.6,
        -2.0 + 0.01 / 1.1,
        0.5 - 0.01 * 2.0 / 2.1,
    ];
    assert_close(
        &Tensor::row(by_hand.map(|v| v as f32).to_vec()),
        &expected[0],
        "reference by hand",
    );
    adam.step(&mut params, &gradient(&G1));
    assert_close(&params[0], &expected[0], "step 1");
    adam.step(&mut params, &gradient(&G2));
    assert_close(&params[0], &expected[1], "step 2");
}

// AdamW, lr = 0.1, λ = 0.5: first p ← p·(1 - lr·λ) = 0.95·p, then the Adam update from the
// unmodified gradient. Step 1: p1 = 0.95·p0 - 0.1·sign(g1) = [0.85, -1.8, 0.375]. Coupled L2
// decay (λ·p added to the gradient before the moments) would instead step by
// 0.1·sign(g1 + λ·p0) from an undecayed p0: [0.9, -1.9, 0.4].
#[test]
fn adamw_decays_weights_before_the_adam_update_without_touching_the_moments() {
    let config = OptimizerConfig::Adam {
        learning_rate: 0.1,
        beta1: 0.9,
        beta2: 0.999,
        weight_decay: 0.5,
    };
    let mut adamw = config.build();
    let mut params = parameters();
    let expected = adam_reference(0.9, 0.999, 1e-8, 0.5, &[(0.1, &G1), (0.1, &G2)]);
    assert_distinguishable(
        &expected[0],
        &[0.9, -1.9, 0.4],
        "decoupled vs coupled decay",
    );
    adamw.step(&mut params, &gradient(&G1));
    assert_close(&params[0], &[0.85, -1.8, 0.375], "step 1 by hand");
    assert_close(&params[0], &expected[0], "step 1");
    adamw.step(&mut params, &gradient(&G2));
    assert_close(&params[0], &expected[1], "step 2");
}

// Step 1 at lr = 0.01, then lr = 0.05 for step 2: the step-2 update uses t = 2 and the moments
// from step 1 (m̂ = (0.09·g1 + 0.1·g2)/0.19, …) at the new rate. A reset would instead take a
// fresh first step, p1 - 0.05·sign(g2).
#[test]
fn adam_learning_rate_change_scales_the_next_step_and_keeps_the_moments() {
    let mut adam = Adam::new(0.01);
    let mut params = parameters();
    adam.step(&mut params, &gradient(&G1));
    adam.set_learning_rate(0.05);
    assert_eq!(adam.learning_rate(), 0.05);
    adam.step(&mut params, &gradient(&G2));
    let expected = adam_reference(0.9, 0.999, 1e-8, 0.0, &[(0.01, &G1), (0.05, &G2)]);
    let restarted: Vec<f64> = expected[0]
        .iter()
        .zip(G2)
        .map(|(p, g)| p - 0.05 * f64::from(g).signum())
        .collect();
    assert_distinguishable(&expected[1], &restarted, "moments kept vs reset");
    assert_close(&params[0], &expected[1], "step 2 at the new rate");
    assert_eq!(adam.step_count(), 2);
}

// reset() zeroes m, v and t: the next step is a first step again, p ← p - lr·g2/(|g2| + ε)
// ≈ p - 0.01·sign(g2), bit for bit what a new optimizer does from the same parameters.
#[test]
fn adam_reset_forgets_the_moments_and_the_step_count() {
    let mut adam = Adam::new(0.01);
    let mut params = parameters();
    adam.step(&mut params, &gradient(&G1));
    adam.step(&mut params, &gradient(&G1));
    let mut fresh_params = params.clone();
    let before = f64s(params[0].data());
    adam.reset();
    assert_eq!(adam.step_count(), 0);
    adam.step(&mut params, &gradient(&G2));
    assert_eq!(adam.step_count(), 1);
    Adam::new(0.01).step(&mut fresh_params, &gradient(&G2));
    assert_eq!(
        params, fresh_params,
        "first step after reset vs a new optimizer"
    );
    let lr = f64::from(0.01f32);
    let expected: Vec<f64> = before
        .iter()
        .zip(G2)
        .map(|(p, g)| p - lr * f64::from(g) / (f64::from(g).abs() + 1e-8))
        .collect();
    // Had the moments survived, this would be step 3 of g1, g1, g2.
    let kept = adam_reference(
        0.9,
        0.999,
        1e-8,
        0.0,
        &[(0.01, &G1), (0.01, &G1), (0.01, &G2)],
    );
    assert_distinguishable(&expected, &kept[2], "reset vs kept moments");
    assert_close(&params[0], &expected, "first step after reset");
}

// ----- shared behaviour ---------------------------------------------------------------------

// The trait's contract: a parameter with no gradient this step is left as it is, even by
// AdamW's weight decay (PyTorch skips parameters whose grad is None).
#[test]
fn parameters_without_a_gradient_are_left_unchanged_by_every_optimizer() {
    let configs = [
        OptimizerConfig::Sgd {
            learning_rate: 0.1,
            momentum: 0.0,
            nesterov: false,
        },
        OptimizerConfig::Sgd {
            learning_rate: 0.1,
            momentum: 0.9,
            nesterov: true,
        },
        OptimizerConfig::Adam {
            learning_rate: 0.1,
            beta1: 0.9,
            beta2: 0.999,
            weight_decay: 0.5,
        },
    ];
    for config in configs {
        let mut optimizer = config.build();
        let untouched = Tensor::row(vec![3.0, -4.0]);
        let mut params = vec![Tensor::row(P0.to_vec()), untouched.clone()];
        let grads = gradients_equal_to(&[Some(&G1), None]);
        optimizer.step(&mut params, &grads);
        optimizer.step(&mut params, &grads);
        assert_eq!(
            params[1],
            untouched,
            "{} changed a parameter it had no gradient for",
            config.name()
        );
        assert_ne!(
            params[0].data(),
            &P0,
            "{} did not move the parameter it had a gradient for",
            config.name()
        );
    }
}

//! Every op's backward against central finite differences of its forward.
//!
//! Method: all operands are parameters; a non-scalar output `out` is reduced with a fixed random
//! weighting, L = Σ out ⊙ R, so dL/dout = R and every output element's gradient is exercised (a
//! plain sum would let errors that cancel across elements through). The analytic gradient comes
//! from `Tape::backward`; the numeric one perturbs each parameter element by ±h, re-runs the
//! forward on a fresh tape and takes (L(p+h) - L(p-h)) / 2h with L summed in f64 from the f32
//! outputs.
//!
//! Tolerance: |analytic - numeric| ≤ 2e-3 · max(1, |numeric|), with h = 1e-2. The numeric
//! estimate carries two errors: f32 rounding of the forward, about 6e-8·Σ|out ⊙ R| / h ≈ 1e-5
//! for the small tensors used here, and the O(h²) truncation of the central difference,
//! h²/6 · |L'''| ≈ 2e-5 · |L'''|, which the input ranges below keep under ~5e-4 (divisors,
//! log and pow(-1) inputs stay ≥ 0.5 away from 0). 2e-3 sits a few times above both, while a
//! wrong backward (a missing term, a wrong sign, a broadcast not summed) is off by O(1).
//! tanh and sigmoid run through a rational approximation with |error| < 1e-6, which moves the
//! numeric derivative by at most ~1e-6 / h = 1e-4: also inside the tolerance.
//! Kinks (relu, and |e| in the MAE loss) are kept more than 5h from every input so no
//! perturbation crosses one.

use nanograd::engine::{Axis, NodeId, Nonlinearity, ParamId, Tape, Tensor};
use nanograd::nn::{Activation, LossKind, Mlp};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// Finite-difference step (see the module docs for why 1e-2 suits f32).
const H: f32 = 1e-2;
/// Relative tolerance on |analytic - numeric|, relative to max(1, |numeric|).
const TOLERANCE: f64 = 2e-3;

// ----- helpers ------------------------------------------------------------------------------

/// A rows × cols tensor with entries uniform in [lo, hi).
fn uniform(rng: &mut ChaCha8Rng, rows: usize, cols: usize, lo: f32, hi: f32) -> Tensor {
    Tensor::new(
        rows,
        cols,
        (0..rows * cols).map(|_| rng.random_range(lo..hi)).collect(),
    )
}

/// A rows × cols tensor with magnitudes uniform in [lo, hi) and random signs: values that
/// stay `lo` away from 0 (for divisors and kinks).
fn away_from_zero(rng: &mut ChaCha8Rng, rows: usize, cols: usize, lo: f32, hi: f32) -> Tensor {
    let data = (0..rows * cols)
        .map(|_| {
            let magnitude = rng.random_range(lo..hi);
            if rng.random_bool(0.5) {
                magnitude
            } else {
                -magnitude
            }
        })
        .collect();
    Tensor::new(rows, cols, data)
}

/// Records `values` on the tape as parameters `ParamId(0..N)`.
fn params_on<const N: usize>(tape: &mut Tape, values: &[Tensor]) -> [NodeId; N] {
    assert_eq!(values.len(), N, "forward expects {N} parameters");
    std::array::from_fn(|i| tape.param(ParamId(i), &values[i]))
}

/// L = Σ out ⊙ R in f64, from the f32 output of `forward` recorded on a fresh tape.
fn weighted_sum(
    forward: &impl Fn(&mut Tape, &[Tensor]) -> NodeId,
    params: &[Tensor],
    weights: &Tensor,
) -> f64 {
    let mut tape = Tape::new();
    let out = forward(&mut tape, params);
    assert_eq!(
        tape.shape(out),
        weights.shape(),
        "forward changed its output shape"
    );
    tape.value(out)
        .iter()
        .zip(weights.data())
        .map(|(&o, &r)| f64::from(o) * f64::from(r))
        .sum()
}

/// Checks the gradient of L = Σ forward(params) ⊙ R with respect to every element of every
/// parameter against central differences. `forward` records the parameters itself, as
/// `ParamId(i)` for `params[i]`, and returns the output node.
fn check_gradients(
    rng: &mut ChaCha8Rng,
    name: &str,
    params: &[Tensor],
    forward: impl Fn(&mut Tape, &[Tensor]) -> NodeId,
) {
    let mut tape = Tape::new();
    let out = forward(&mut tape, params);
    let (rows, cols) = tape.shape(out);
    let weights = uniform(rng, rows, cols, -1.0, 1.0);
    let weight_node = tape.constant(&weights);
    let weighted = tape.mul(out, weight_node);
    let loss = tape.sum(weighted);
    let grads = tape.backward(loss);

    let mut failures = Vec::new();
    for (i, param) in params.iter().enumerate() {
        let analytic = grads
            .get(ParamId(i))
            .unwrap_or_else(|| panic!("{name}: no gradient for parameter {i}"));
        assert_eq!(
            analytic.shape(),
            param.shape(),
            "{name}: gradient {i} has the wrong shape"
        );
        let mut largest_numeric = 0.0_f64;
        for k in 0..param.len() {
            let mut plus = params.to_vec();
            let mut minus = params.to_vec();
            plus[i].data_mut()[k] += H;
            minus[i].data_mut()[k] -= H;
            // The step actually taken, after f32 rounding of p ± h.
            let step = f64::from(plus[i].data()[k]) - f64::from(minus[i].data()[k]);
            let numeric = (weighted_sum(&forward, &plus, &weights)
                - weighted_sum(&forward, &minus, &weights))
                / step;
            let got = f64::from(analytic.data()[k]);
            largest_numeric = largest_numeric.max(numeric.abs());
            if (got - numeric).abs() > TOLERANCE * numeric.abs().max(1.0) {
                failures.push(format!(
                    "  parameter {i} {:?} element {k}: analytic {got:.6} vs numeric {numeric:.6}",
                    param.shape()
                ));
            }
        }
        // Guards against a vacuous pass where both sides are zero everywhere.
        assert!(
            largest_numeric > 1e-3,
            "{name}: parameter {i} has an all-zero numeric gradient; the check would prove nothing"
        );
    }
    assert!(
        failures.is_empty(),
        "{name}: gradients differ from finite differences:\n{}",
        failures.join("\n")
    );
}

/// The shape pairs every broadcasting binary op is checked on: same shape, a 1×c bias row,
/// an r×1 column, a 1×1 scalar, each also on the left, and the r×1 ⊕ 1×c outer broadcast.
const BROADCAST_SHAPES: [((usize, usize), (usize, usize)); 8] = [
    ((3, 4), (3, 4)),
    ((3, 4), (1, 4)),
    ((3, 4), (3, 1)),
    ((3, 4), (1, 1)),
    ((1, 4), (3, 4)),
    ((3, 1), (3, 4)),
    ((1, 1), (3, 4)),
    ((3, 1), (1, 4)),
];

type BinaryOp = fn(&mut Tape, NodeId, NodeId) -> NodeId;

/// Checks a binary op on every shape pair in `BROADCAST_SHAPES`; `rhs_away_from_zero` keeps
/// the right operand's magnitude in [0.5, 1.5) (for division).
fn check_binary(seed: u64, name: &str, op: BinaryOp, rhs_away_from_zero: bool) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for ((ar, ac), (br, bc)) in BROADCAST_SHAPES {
        let a = uniform(&mut rng, ar, ac, -1.0, 1.0);
        let b = if rhs_away_from_zero {
            away_from_zero(&mut rng, br, bc, 0.5, 1.5)
        } else {
            uniform(&mut rng, br, bc, -1.0, 1.0)
        };
        let label = format!("{name} {ar}×{ac} with {br}×{bc}");
        check_gradients(&mut rng, &label, &[a, b], |tape, p| {
            let [a, b] = params_on(tape, p);
            op(tape, a, b)
        });
    }
}

// ----- elementwise binary ops ---------------------------------------------------------------

// d(a + b)/da = 1, d(a + b)/db = 1, summed over the dimensions a broadcast operand repeats.
#[test]
fn add_backward_matches_finite_difference_with_broadcasting() {
    check_binary(1, "add", Tape::add, false);
}

// d(a - b)/da = 1, d(a - b)/db = -1.
#[test]
fn sub_backward_matches_finite_difference_with_broadcasting() {
    check_binary(2, "sub", Tape::sub, false);
}

// d(ab)/da = b, d(ab)/db = a.
#[test]
fn mul_backward_matches_finite_difference_with_broadcasting() {
    check_binary(3, "mul", Tape::mul, false);
}

// d(a/b)/da = 1/b, d(a/b)/db = -a/b², with |b| ≥ 0.5.
#[test]
fn div_backward_matches_finite_difference_with_broadcasting() {
    check_binary(4, "div", Tape::div, true);
}

// ----- elementwise unary ops ----------------------------------------------------------------

/// Checks a unary op on a 3×4 parameter drawn by `draw`.
fn check_unary(
    rng: &mut ChaCha8Rng,
    name: &str,
    draw: impl Fn(&mut ChaCha8Rng) -> Tensor,
    op: impl Fn(&mut Tape, NodeId) -> NodeId,
) {
    let x = draw(rng);
    check_gradients(rng, name, &[x], |tape, p| {
        let [x] = params_on(tape, p);
        op(tape, x)
    });
}

// d(-x)/dx = -1; d(x + c)/dx = 1; d(cx)/dx = c.
#[test]
fn neg_add_scalar_and_mul_scalar_backward_match_finite_difference() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let draw = |rng: &mut ChaCha8Rng| uniform(rng, 3, 4, -1.0, 1.0);
    check_unary(&mut rng, "neg", draw, Tape::neg);
    check_unary(&mut rng, "add_scalar 2.5", draw, |t, x| {
        t.add_scalar(x, 2.5)
    });
    check_unary(&mut rng, "mul_scalar -1.5", draw, |t, x| {
        t.mul_scalar(x, -1.5)
    });
}

// d(x^p)/dx = p·x^(p-1): integer powers on signed inputs, fractional and negative powers on
// inputs in [0.5, 2) where x^p is smooth.
#[test]
fn pow_scalar_backward_matches_finite_difference_for_each_exponent() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let signed = |rng: &mut ChaCha8Rng| uniform(rng, 3, 4, -1.5, 1.5);
    let positive = |rng: &mut ChaCha8Rng| uniform(rng, 3, 4, 0.5, 2.0);
    check_unary(&mut rng, "pow 2", signed, |t, x| t.pow_scalar(x, 2.0));
    check_unary(&mut rng, "pow 3", signed, |t, x| t.pow_scalar(x, 3.0));
    check_unary(&mut rng, "pow 0.5", positive, |t, x| t.pow_scalar(x, 0.5));
    check_unary(&mut rng, "pow -1", positive, |t, x| t.pow_scalar(x, -1.0));
}

// d(e^x)/dx = e^x; d(ln x)/dx = 1/x on x in [0.5, 3).
#[test]
fn exp_and_log_backward_match_finite_difference() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    check_unary(
        &mut rng,
        "exp",
        |rng| uniform(rng, 3, 4, -2.0, 2.0),
        Tape::exp,
    );
    check_unary(
        &mut rng,
        "log",
        |rng| uniform(rng, 3, 4, 0.5, 3.0),
        Tape::log,
    );
}

// d(tanh x)/dx = 1 - tanh²x; dσ/dx = σ(1 - σ): across the curved part and into the tails.
#[test]
fn tanh_and_sigmoid_backward_match_finite_difference() {
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let draw = |rng: &mut ChaCha8Rng| uniform(rng, 3, 4, -3.0, 3.0);
    check_unary(&mut rng, "tanh", draw, Tape::tanh);
    check_unary(&mut rng, "sigmoid", draw, Tape::sigmoid);
}

// d relu(x)/dx = 1 for x > 0, 0 for x < 0; inputs stay ≥ 0.1 = 10h from the kink.
#[test]
fn relu_backward_matches_finite_difference_away_from_zero() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    check_unary(
        &mut rng,
        "relu",
        |rng| away_from_zero(rng, 3, 4, 0.1, 1.0),
        Tape::relu,
    );
}

// ----- matrix ops ---------------------------------------------------------------------------

// C = AB: dA = dC Bᵀ, dB = Aᵀ dC, on non-square shapes so a swapped transpose cannot pass.
#[test]
fn matmul_backward_matches_finite_difference_for_non_square_operands() {
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    for (m, k, n) in [(3, 4, 2), (1, 5, 3), (4, 1, 3), (2, 3, 1)] {
        let a = uniform(&mut rng, m, k, -1.0, 1.0);
        let b = uniform(&mut rng, k, n, -1.0, 1.0);
        check_gradients(
            &mut rng,
            &format!("matmul {m}×{k} @ {k}×{n}"),
            &[a, b],
            |tape, p| {
                let [a, b] = params_on(tape, p);
                tape.matmul(a, b)
            },
        );
    }
}

// Y = Xᵀ: dX = dYᵀ.
#[test]
fn transpose_backward_matches_finite_difference() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    check_unary(
        &mut rng,
        "transpose",
        |rng| uniform(rng, 3, 5, -1.0, 1.0),
        Tape::transpose,
    );
}

// Y = X Wᵀ + b: dX = dY W, dW = dYᵀ X, db = column sums of dY. Checked with X as a parameter
// (all three gradients) and with X as plain input data (the usual layer: W and b only).
#[test]
fn linear_backward_matches_finite_difference_for_input_weight_and_bias() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let x = uniform(&mut rng, 5, 3, -1.0, 1.0);
    let weight = uniform(&mut rng, 4, 3, -1.0, 1.0);
    let bias = uniform(&mut rng, 1, 4, -1.0, 1.0);
    check_gradients(
        &mut rng,
        "linear, x a parameter",
        &[x.clone(), weight.clone(), bias.clone()],
        |tape, p| {
            let [x, weight, bias] = params_on(tape, p);
            tape.linear(x, weight, bias)
        },
    );
    check_gradients(
        &mut rng,
        "linear, x input data",
        &[weight, bias],
        |tape, p| {
            let [weight, bias] = params_on(tape, p);
            let x = tape.constant(&x);
            tape.linear(x, weight, bias)
        },
    );
}

// The fused layer f(X Wᵀ + b): dZ = dY ⊙ f'(Z) from the stored output, then as `linear`.
// Wide enough (40 units, 20 rows) that the forward and every product of the backward run the
// register-tiled kernel, with an edge tile past column 32. Relu's pre-activations are kept
// away from its kink by a bias of magnitude ≥ 0.5 against inputs and weights below 0.05.
#[test]
fn fused_linear_backward_matches_finite_difference_for_every_nonlinearity() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    for nonlinearity in [
        Nonlinearity::Identity,
        Nonlinearity::Tanh,
        Nonlinearity::Relu,
        Nonlinearity::Sigmoid,
    ] {
        let (x, weight, bias) = if nonlinearity == Nonlinearity::Relu {
            (
                uniform(&mut rng, 20, 3, -0.2, 0.2),
                uniform(&mut rng, 40, 3, -0.05, 0.05),
                away_from_zero(&mut rng, 1, 40, 0.5, 1.0),
            )
        } else {
            (
                uniform(&mut rng, 20, 3, -1.0, 1.0),
                uniform(&mut rng, 40, 3, -1.0, 1.0),
                uniform(&mut rng, 1, 40, -1.0, 1.0),
            )
        };
        check_gradients(
            &mut rng,
            &format!("linear_with {nonlinearity:?}"),
            &[x, weight, bias],
            |tape, p| {
                let [x, weight, bias] = params_on(tape, p);
                tape.linear_with(x, weight, bias, nonlinearity)
            },
        );
    }
}

// Two fused layers in a row: when the second is the first's only consumer, it applies the
// first's activation derivative while computing dX (folded); when the first layer's output
// also feeds the loss directly, that shortcut must not be taken. (Without the second use,
// `h_total` is recorded but unused: it still counts as a use, so nothing is folded then
// either; the plain MLP tests cover the folded path.) Both must match finite
// differences.
#[test]
fn stacked_fused_layers_backward_matches_finite_difference_with_and_without_a_second_use() {
    let mut rng = ChaCha8Rng::seed_from_u64(23);
    for nonlinearity in [Nonlinearity::Tanh, Nonlinearity::Sigmoid] {
        for second_use in [false, true] {
            let params = [
                uniform(&mut rng, 18, 2, -1.0, 1.0),
                uniform(&mut rng, 24, 2, -1.0, 1.0),
                uniform(&mut rng, 1, 24, -1.0, 1.0),
                uniform(&mut rng, 17, 24, -0.5, 0.5),
                uniform(&mut rng, 1, 17, -1.0, 1.0),
            ];
            check_gradients(
                &mut rng,
                &format!("two layers {nonlinearity:?}, second use {second_use}"),
                &params,
                |tape, p| {
                    let [x, w1, b1, w2, b2] = params_on(tape, p);
                    let h = tape.linear_with(x, w1, b1, nonlinearity);
                    // Recorded before the second layer, so backward reaches it after: the
                    // second layer's dX is then the first contribution to h's gradient, but
                    // not the only one.
                    let h_total = tape.sum(h);
                    let out = tape.linear_with(h, w2, b2, nonlinearity);
                    if second_use {
                        let out_total = tape.sum(out);
                        tape.add(out_total, h_total)
                    } else {
                        out
                    }
                },
            );
        }
    }
}

// mean((p − t)²): dp = 2(p − t)/n, dt = −dp, with both operands parameters.
#[test]
fn mse_backward_matches_finite_difference_for_prediction_and_target() {
    let mut rng = ChaCha8Rng::seed_from_u64(22);
    let prediction = uniform(&mut rng, 7, 2, -1.0, 1.0);
    let target = uniform(&mut rng, 7, 2, -1.0, 1.0);
    check_gradients(&mut rng, "mse", &[prediction, target], |tape, p| {
        let [prediction, target] = params_on(tape, p);
        tape.mse(prediction, target)
    });
}

// ----- reductions ---------------------------------------------------------------------------

// d sum(X)/dX = 1 everywhere; d mean(X)/dX = 1/n. Their 1×1 output gets a random weight too.
#[test]
fn sum_and_mean_backward_match_finite_difference() {
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let draw = |rng: &mut ChaCha8Rng| uniform(rng, 3, 4, -1.0, 1.0);
    check_unary(&mut rng, "sum", draw, Tape::sum);
    check_unary(&mut rng, "mean", draw, Tape::mean);
}

// sum_axis(X, Rows)[j] = Σ_i X[i][j], so dX[i][j] = dY[j]; along Cols dX[i][j] = dY[i]; the
// means divide by the count (rows, resp. cols). 3×4 so the two axes have different counts.
#[test]
fn sum_axis_and_mean_axis_backward_match_finite_difference_along_both_axes() {
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let draw = |rng: &mut ChaCha8Rng| uniform(rng, 3, 4, -1.0, 1.0);
    check_unary(&mut rng, "sum_axis rows", draw, |t, x| {
        t.sum_axis(x, Axis::Rows)
    });
    check_unary(&mut rng, "sum_axis cols", draw, |t, x| {
        t.sum_axis(x, Axis::Cols)
    });
    check_unary(&mut rng, "mean_axis rows", draw, |t, x| {
        t.mean_axis(x, Axis::Rows)
    });
    check_unary(&mut rng, "mean_axis cols", draw, |t, x| {
        t.mean_axis(x, Axis::Cols)
    });
}

// ----- graphs that reuse a node -------------------------------------------------------------

// x·x: both operands are the same node, d(x²)/dx = 2x, so both sides must accumulate;
// x + x: d/dx = 2. A tanh output t feeding two branches, y = e^t + t ⊙ w:
// dy/dx = (e^t + w)(1 - t²), dy/dw = t; the two contributions to t's gradient must add.
#[test]
fn a_node_used_twice_accumulates_both_gradient_contributions() {
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let draw = |rng: &mut ChaCha8Rng| uniform(rng, 3, 4, -1.0, 1.0);
    check_unary(&mut rng, "x * x", draw, |t, x| t.mul(x, x));
    check_unary(&mut rng, "x + x", draw, |t, x| t.add(x, x));
    let x = uniform(&mut rng, 3, 4, -1.5, 1.5);
    let w = uniform(&mut rng, 1, 4, -1.0, 1.0);
    check_gradients(&mut rng, "exp(tanh x) + tanh(x) * w", &[x, w], |tape, p| {
        let [x, w] = params_on(tape, p);
        let t = tape.tanh(x);
        let left = tape.exp(t);
        let right = tape.mul(t, w);
        tape.add(left, right)
    });
}

// In reverse order a node's input can already hold gradient from a consumer recorded later;
// every backward must add to it, not overwrite it. Each graph feeds its parameters both to the
// op under test and to a later node:
//   xᵀx (transpose and matmul share x):  d/dx Σ (xᵀx) ⊙ R = x(R + Rᵀ)
//   AB + rowsum(A) + colsum(B);  X Wᵀ + b + rowmean(X) + rowsum(W)ᵀ + b;
//   X + colsum(X) + rowmean(X) + sum(X) + mean(X).
#[test]
fn every_backward_adds_to_gradient_its_input_already_received() {
    let mut rng = ChaCha8Rng::seed_from_u64(16);
    let x = uniform(&mut rng, 4, 3, -1.0, 1.0);
    check_gradients(&mut rng, "xᵀx", &[x], |tape, p| {
        let [x] = params_on(tape, p);
        let xt = tape.transpose(x);
        tape.matmul(xt, x)
    });
    let a = uniform(&mut rng, 3, 4, -1.0, 1.0);
    let b = uniform(&mut rng, 4, 2, -1.0, 1.0);
    check_gradients(
        &mut rng,
        "AB + rowsum(A) + colsum(B)",
        &[a, b],
        |tape, p| {
            let [a, b] = params_on(tape, p);
            let product = tape.matmul(a, b);
            let row_sums = tape.sum_axis(a, Axis::Cols);
            let col_sums = tape.sum_axis(b, Axis::Rows);
            let partial = tape.add(product, row_sums);
            tape.add(partial, col_sums)
        },
    );
    let x = uniform(&mut rng, 5, 3, -1.0, 1.0);
    let weight = uniform(&mut rng, 4, 3, -1.0, 1.0);
    let bias = uniform(&mut rng, 1, 4, -1.0, 1.0);
    check_gradients(
        &mut rng,
        "X Wᵀ + b + rowmean(X) + rowsum(W)ᵀ + b",
        &[x, weight, bias],
        |tape, p| {
            let [x, weight, bias] = params_on(tape, p);
            let layer = tape.linear(x, weight, bias);
            let x_means = tape.mean_axis(x, Axis::Cols);
            let w_sums = tape.sum_axis(weight, Axis::Cols);
            let w_row = tape.transpose(w_sums);
            let out = tape.add(layer, x_means);
            let out = tape.add(out, w_row);
            tape.add(out, bias)
        },
    );
    let x = uniform(&mut rng, 3, 4, -1.0, 1.0);
    check_gradients(
        &mut rng,
        "X + colsum(X) + rowmean(X) + sum(X) + mean(X)",
        &[x],
        |tape, p| {
            let [x] = params_on(tape, p);
            let col_sums = tape.sum_axis(x, Axis::Rows);
            let row_means = tape.mean_axis(x, Axis::Cols);
            let total = tape.sum(x);
            let average = tape.mean(x);
            let out = tape.add(x, col_sums);
            let out = tape.add(out, row_means);
            let out = tape.add(out, total);
            tape.add(out, average)
        },
    );
}

// ----- a whole network ----------------------------------------------------------------------

const N_INPUTS: usize = 3;
const HIDDEN_SIZES: [usize; 2] = [4, 3];
const BATCH: usize = 4;
/// How far every relu input and every MAE error must sit from 0: 5h, comfortably more than
/// a ±h perturbation of any one parameter moves them (inputs and weights are ≲ 1).
const KINK_MARGIN: f32 = 5.0 * H;

/// The smallest |value| among the hidden pre-activations and the prediction errors of
/// `parameters` on (x, target): how close this data sits to a relu or |e| kink.
fn distance_to_kinks(
    activation: Activation,
    parameters: &[Tensor],
    x: &Tensor,
    target: &Tensor,
) -> f32 {
    let mut tape = Tape::new();
    let mut h = tape.constant(x);
    let mut closest = f32::INFINITY;
    let n_layers = HIDDEN_SIZES.len() + 1;
    for layer in 0..n_layers {
        let weight = tape.constant(&parameters[2 * layer]);
        let bias = tape.constant(&parameters[2 * layer + 1]);
        h = tape.linear(h, weight, bias);
        if layer + 1 < n_layers {
            closest = tape.value(h).iter().fold(closest, |c, v| c.min(v.abs()));
            h = activation.apply(&mut tape, h);
        }
    }
    tape.value(h)
        .iter()
        .zip(target.data())
        .fold(closest, |c, (p, t)| c.min((p - t).abs()))
}

// The composite: an Mlp 3 → 4 → 3 → 1 with each hidden activation, under each loss, against
// every weight and bias. Biases are drawn at random (not Mlp's zeros) so every term is live.
// The data seed is the first in 0.. whose relu inputs and errors all sit ≥ KINK_MARGIN from 0,
// so the kinked cases (relu, MAE) are differentiable wherever the check evaluates them.
#[test]
fn mlp_with_each_activation_and_loss_backward_matches_finite_difference() {
    for activation in Activation::ALL {
        for loss in LossKind::ALL {
            let name = format!("mlp {activation} {loss}");
            let (mut rng, parameters, x, target) = (0..200)
                .map(|seed| {
                    let mut rng = ChaCha8Rng::seed_from_u64(1000 + seed);
                    let mut parameters = Mlp::new(N_INPUTS, &HIDDEN_SIZES, activation, seed)
                        .parameters()
                        .to_vec();
                    for bias in parameters.iter_mut().skip(1).step_by(2) {
                        *bias = uniform(&mut rng, 1, bias.cols(), -0.5, 0.5);
                    }
                    let x = uniform(&mut rng, BATCH, N_INPUTS, -1.0, 1.0);
                    let target = uniform(&mut rng, BATCH, 1, -1.0, 1.0);
                    (rng, parameters, x, target)
                })
                .find(|(_, parameters, x, target)| {
                    distance_to_kinks(activation, parameters, x, target) >= KINK_MARGIN
                })
                .unwrap_or_else(|| {
                    panic!("{name}: no seed keeps the data {KINK_MARGIN} from every kink")
                });
            check_gradients(&mut rng, &name, &parameters, |tape, p| {
                let mlp = Mlp::from_parameters(N_INPUTS, &HIDDEN_SIZES, activation, p.to_vec())
                    .expect("parameter shapes match the layer sizes");
                let input = tape.constant(&x);
                let prediction = mlp.forward(tape, input);
                let target = tape.constant(&target);
                loss.apply(tape, prediction, target)
            });
        }
    }
}

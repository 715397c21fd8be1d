//! The engine's forward values on small hand-computed matrices, micrograd's two reference
//! expressions (values and gradients), the fast activation kernels against f64, and the
//! tape's bookkeeping: buffer reuse after `clear`, a parameter recorded twice, and parameters
//! the loss does not depend on.

use nanograd::engine::kernels::{fast_sigmoid, fast_tanh, tanh_in_place};
use nanograd::engine::{Axis, Gradients, NodeId, Nonlinearity, ParamId, Tape, Tensor};
use nanograd::inside::check::{micrograd_more_ops, micrograd_sanity};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// Asserts `got` equals `expected` element by element within `tolerance · max(1, |expected|)`.
#[track_caller]
fn assert_close(got: &[f32], expected: &[f64], tolerance: f64, what: &str) {
    assert_eq!(
        got.len(),
        expected.len(),
        "{what}: {} values, expected {}",
        got.len(),
        expected.len()
    );
    for (k, (&g, &e)) in got.iter().zip(expected).enumerate() {
        assert!(
            (f64::from(g) - e).abs() <= tolerance * e.abs().max(1.0),
            "{what}: element {k} is {g}, expected {e} (got {got:?})"
        );
    }
}

/// Asserts a node's shape and exact values (for results every f32 operation gets exactly).
#[track_caller]
fn assert_node(tape: &Tape, node: NodeId, shape: (usize, usize), expected: &[f32], what: &str) {
    assert_eq!(tape.shape(node), shape, "{what}: shape");
    assert_eq!(tape.value(node), expected, "{what}: values");
}

// ----- fast activation kernels --------------------------------------------------------------

/// x = -10, -10 + 1e-4, …, 10: a grid dense enough to see any bump in the approximation.
fn dense_grid() -> impl Iterator<Item = f32> {
    (-100_000..=100_000).map(|i| i as f32 * 1e-4)
}

#[test]
fn fast_tanh_is_within_1e_6_of_f64_tanh_on_a_dense_grid() {
    for x in dense_grid() {
        let got = f64::from(fast_tanh(x));
        let expected = f64::from(x).tanh();
        assert!(
            (got - expected).abs() < 1e-6,
            "fast_tanh({x}) = {got}, tanh = {expected}"
        );
    }
}

// The slice form runs on vector registers with a refined reciprocal instead of a divide, and
// the scalar form on the last few elements; the grid's length (200,001) leaves such a tail.
#[test]
fn vector_tanh_is_within_1e_6_of_f64_tanh_and_never_exceeds_1() {
    let mut values: Vec<f32> = dense_grid().chain([-1e6, 1e6, 0.0]).collect();
    let inputs = values.clone();
    tanh_in_place(&mut values);
    for (&x, &got) in inputs.iter().zip(&values) {
        let expected = f64::from(x).tanh();
        assert!(
            (f64::from(got) - expected).abs() < 1e-6,
            "tanh_in_place({x}) = {got}, tanh = {expected}"
        );
        assert!(got.abs() <= 1.0, "tanh_in_place({x}) = {got} exceeds 1");
    }
}

// tanh(-x) = -tanh(x); the rational form p(x²)·x / q(x²) makes this exact, bit for bit.
#[test]
fn fast_tanh_is_odd() {
    for x in dense_grid().chain([1e-30, 25.0, 1e6]) {
        assert_eq!(
            fast_tanh(-x).to_bits(),
            (-fast_tanh(x)).to_bits(),
            "fast_tanh(-{x}) ≠ -fast_tanh({x})"
        );
    }
}

// tanh(x) → ±1 as x → ±∞: the tails stay within 1e-6 of ±1 and never overshoot, all the way
// to ±∞ (the clamp), so an activation can never leave [-1, 1].
#[test]
fn fast_tanh_saturates_to_plus_and_minus_one_without_overshooting() {
    for x in [8.0, 10.0, 20.0, 1e3, 1e30, f32::MAX, f32::INFINITY] {
        let (high, low) = (fast_tanh(x), fast_tanh(-x));
        assert!(high <= 1.0 && 1.0 - high < 1e-6, "fast_tanh({x}) = {high}");
        assert!(low >= -1.0 && low + 1.0 < 1e-6, "fast_tanh(-{x}) = {low}");
    }
    assert!(
        dense_grid().all(|x| fast_tanh(x).abs() <= 1.0),
        "|fast_tanh| exceeds 1 on the grid"
    );
}

// σ(x) = 1 / (1 + e^-x), computed in f64 as the reference.
#[test]
fn fast_sigmoid_is_within_1e_6_of_the_logistic_function_on_a_dense_grid() {
    for x in dense_grid() {
        let got = f64::from(fast_sigmoid(x));
        let expected = 1.0 / (1.0 + (-f64::from(x)).exp());
        assert!(
            (got - expected).abs() < 1e-6,
            "fast_sigmoid({x}) = {got}, σ = {expected}"
        );
    }
}

// σ(-x) = 1 - σ(x) (the sigmoid's counterpart of oddness), to f32 rounding of the final
// 0.5·t + 0.5; σ(0) = 1/2 exactly.
#[test]
fn fast_sigmoid_is_symmetric_about_one_half() {
    assert_eq!(fast_sigmoid(0.0), 0.5);
    for x in dense_grid() {
        let sum = f64::from(fast_sigmoid(x)) + f64::from(fast_sigmoid(-x));
        assert!((sum - 1.0).abs() < 2e-7, "σ({x}) + σ(-{x}) = {sum}");
    }
}

// σ(x) → 1 as x → ∞ and → 0 as x → -∞, staying inside [0, 1].
#[test]
fn fast_sigmoid_saturates_to_zero_and_one_within_bounds() {
    for x in [20.0, 50.0, 1e3, 1e30, f32::INFINITY] {
        let (high, low) = (fast_sigmoid(x), fast_sigmoid(-x));
        assert!(
            high <= 1.0 && 1.0 - high < 1e-6,
            "fast_sigmoid({x}) = {high}"
        );
        assert!((0.0..1e-6).contains(&low), "fast_sigmoid(-{x}) = {low}");
    }
}

// ----- micrograd's reference expressions ----------------------------------------------------

// karpathy/micrograd test/test_engine.py, test_sanity_check and test_more_ops, are recorded
// node for node in the library (`nanograd::inside::check`, which the engine check in the app
// and `nanograd check` run); their doc comments carry the math. Here the values are held to
// the exact results:
//   y = -20, dy/dx = 46: every intermediate a small integer, exact in f32, so compared exactly;
//   g = 2421/98, dg/da = 47620/343, dg/db = 221433/343 (micrograd prints 24.7041, 138.8338,
//   645.5773): only 10/f and 10/f² are not integers, so a few roundings of ~6e-8 reach the
//   result and 1e-6 relative holds. That is tighter than the ~1e-3 an f32 engine usually
//   needs, and the reason is these expressions' integer-valued paths.
#[test]
fn micrograd_sanity_check_gives_y_minus_20_and_gradient_46() {
    let sanity = micrograd_sanity();
    assert_eq!((sanity.y, sanity.dy_dx), (-20.0, 46.0));
    assert!(sanity.passed);
}

#[test]
fn micrograd_more_ops_gives_g_and_its_gradients_to_f32_precision() {
    let more_ops = micrograd_more_ops();
    assert_close(
        &[more_ops.g, more_ops.dg_da, more_ops.dg_db],
        &[2421.0 / 98.0, 47620.0 / 343.0, 221433.0 / 343.0],
        1e-6,
        "g, dg/da, dg/db",
    );
    assert!(more_ops.passed);
}

// ----- forward values -----------------------------------------------------------------------

/// A = [[1, 2, 3], [4, 5, 6]], row = [[10, 20, 30]], col = [[100], [200]], s = [[2]].
fn operands(tape: &mut Tape) -> (NodeId, NodeId, NodeId, NodeId) {
    let a = tape.input(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let row = tape.input(1, 3, &[10.0, 20.0, 30.0]);
    let col = tape.input(2, 1, &[100.0, 200.0]);
    let s = tape.input(1, 1, &[2.0]);
    (a, row, col, s)
}

#[test]
fn add_and_sub_broadcast_rows_columns_and_scalars_on_either_side() {
    let mut tape = Tape::new();
    let (a, row, col, s) = operands(&mut tape);
    let n = tape.add(a, row);
    assert_node(
        &tape,
        n,
        (2, 3),
        &[11.0, 22.0, 33.0, 14.0, 25.0, 36.0],
        "A + row",
    );
    let n = tape.add(row, a);
    assert_node(
        &tape,
        n,
        (2, 3),
        &[11.0, 22.0, 33.0, 14.0, 25.0, 36.0],
        "row + A",
    );
    let n = tape.add(a, col);
    assert_node(
        &tape,
        n,
        (2, 3),
        &[101.0, 102.0, 103.0, 204.0, 205.0, 206.0],
        "A + col",
    );
    let n = tape.add(a, s);
    assert_node(&tape, n, (2, 3), &[3.0, 4.0, 5.0, 6.0, 7.0, 8.0], "A + s");
    // col ⊕ row: the outer broadcast (2×1 with 1×3 gives 2×3).
    let n = tape.add(col, row);
    assert_node(
        &tape,
        n,
        (2, 3),
        &[110.0, 120.0, 130.0, 210.0, 220.0, 230.0],
        "col + row",
    );
    let n = tape.sub(a, row);
    assert_node(
        &tape,
        n,
        (2, 3),
        &[-9.0, -18.0, -27.0, -6.0, -15.0, -24.0],
        "A - row",
    );
    let n = tape.sub(row, a);
    assert_node(
        &tape,
        n,
        (2, 3),
        &[9.0, 18.0, 27.0, 6.0, 15.0, 24.0],
        "row - A",
    );
    let n = tape.sub(col, a);
    assert_node(
        &tape,
        n,
        (2, 3),
        &[99.0, 98.0, 97.0, 196.0, 195.0, 194.0],
        "col - A",
    );
    let n = tape.sub(s, a);
    assert_node(
        &tape,
        n,
        (2, 3),
        &[1.0, 0.0, -1.0, -2.0, -3.0, -4.0],
        "s - A",
    );
}

#[test]
fn mul_and_div_broadcast_rows_columns_and_scalars_on_either_side() {
    let mut tape = Tape::new();
    let (a, row, col, s) = operands(&mut tape);
    let n = tape.mul(a, row);
    assert_node(
        &tape,
        n,
        (2, 3),
        &[10.0, 40.0, 90.0, 40.0, 100.0, 180.0],
        "A ⊙ row",
    );
    let n = tape.mul(col, a);
    assert_node(
        &tape,
        n,
        (2, 3),
        &[100.0, 200.0, 300.0, 800.0, 1000.0, 1200.0],
        "col ⊙ A",
    );
    let n = tape.mul(s, a);
    assert_node(&tape, n, (2, 3), &[2.0, 4.0, 6.0, 8.0, 10.0, 12.0], "s ⊙ A");
    let n = tape.div(a, row);
    assert_close(
        tape.value(n),
        &[0.1, 0.1, 0.1, 0.4, 0.25, 0.2],
        1e-7,
        "A / row",
    );
    assert_eq!(tape.shape(n), (2, 3));
    let n = tape.div(row, a);
    assert_node(
        &tape,
        n,
        (2, 3),
        &[10.0, 10.0, 10.0, 2.5, 4.0, 5.0],
        "row / A",
    );
    let n = tape.div(a, col);
    assert_close(
        tape.value(n),
        &[0.01, 0.02, 0.03, 0.02, 0.025, 0.03],
        1e-7,
        "A / col",
    );
    let n = tape.div(a, s);
    assert_node(&tape, n, (2, 3), &[0.5, 1.0, 1.5, 2.0, 2.5, 3.0], "A / s");
    let n = tape.div(s, a);
    assert_close(
        tape.value(n),
        &[2.0, 1.0, 2.0 / 3.0, 0.5, 0.4, 1.0 / 3.0],
        1e-7,
        "s / A",
    );
}

#[test]
fn unary_ops_compute_their_functions_elementwise() {
    let mut tape = Tape::new();
    let x = tape.input(1, 4, &[-1.0, 0.0, 2.0, 0.5]);
    let positive = tape.input(1, 3, &[1.0, 4.0, 0.25]);
    let n = tape.neg(x);
    assert_node(&tape, n, (1, 4), &[1.0, 0.0, -2.0, -0.5], "-x");
    let n = tape.add_scalar(x, 0.5);
    assert_node(&tape, n, (1, 4), &[-0.5, 0.5, 2.5, 1.0], "x + 0.5");
    let n = tape.mul_scalar(x, -3.0);
    assert_node(&tape, n, (1, 4), &[3.0, 0.0, -6.0, -1.5], "-3x");
    let n = tape.pow_scalar(x, 2.0);
    assert_node(&tape, n, (1, 4), &[1.0, 0.0, 4.0, 0.25], "x²");
    let n = tape.pow_scalar(x, 3.0);
    assert_node(&tape, n, (1, 4), &[-1.0, 0.0, 8.0, 0.125], "x³");
    let n = tape.pow_scalar(positive, 0.5);
    assert_node(&tape, n, (1, 3), &[1.0, 2.0, 0.5], "√x");
    let n = tape.pow_scalar(positive, -1.0);
    assert_node(&tape, n, (1, 3), &[1.0, 0.25, 4.0], "1/x");
    let n = tape.relu(x);
    assert_node(&tape, n, (1, 4), &[0.0, 0.0, 2.0, 0.5], "relu");
    let e = std::f64::consts::E;
    let n = tape.exp(x);
    assert_close(tape.value(n), &[1.0 / e, 1.0, e * e, e.sqrt()], 1e-6, "exp");
    let n = tape.log(positive);
    assert_close(tape.value(n), &[0.0, 4f64.ln(), 0.25f64.ln()], 1e-6, "log");
    let n = tape.tanh(x);
    assert_close(
        tape.value(n),
        &[(-1f64).tanh(), 0.0, 2f64.tanh(), 0.5f64.tanh()],
        1e-6,
        "tanh",
    );
    let sigmoid = |v: f64| 1.0 / (1.0 + (-v).exp());
    let n = tape.sigmoid(x);
    assert_close(
        tape.value(n),
        &[sigmoid(-1.0), 0.5, sigmoid(2.0), sigmoid(0.5)],
        1e-6,
        "sigmoid",
    );
}

// [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]] = [[1·7+2·9+3·11, 1·8+2·10+3·12], [4·7+5·9+6·11, …]]
#[test]
fn matmul_multiplies_non_square_matrices() {
    let mut tape = Tape::new();
    let (a, _, _, _) = operands(&mut tape);
    let b = tape.input(3, 2, &[7.0, 8.0, 9.0, 10.0, 11.0, 12.0]);
    let n = tape.matmul(a, b);
    assert_node(&tape, n, (2, 2), &[58.0, 64.0, 139.0, 154.0], "A @ B");
    // A @ [1, 0, -1]ᵀ = [1 - 3, 4 - 6]ᵀ
    let v = tape.input(3, 1, &[1.0, 0.0, -1.0]);
    let n = tape.matmul(a, v);
    assert_node(&tape, n, (2, 1), &[-2.0, -2.0], "A @ v");
    // [1, -1] @ A = [1 - 4, 2 - 5, 3 - 6]
    let u = tape.input(1, 2, &[1.0, -1.0]);
    let n = tape.matmul(u, a);
    assert_node(&tape, n, (1, 3), &[-3.0, -3.0, -3.0], "u @ A");
    // B @ A is 3×3: row i of B times A.
    let n = tape.matmul(b, a);
    let expected = [39.0, 54.0, 69.0, 49.0, 68.0, 87.0, 59.0, 82.0, 105.0];
    assert_node(&tape, n, (3, 3), &expected, "B @ A");
}

#[test]
fn transpose_swaps_rows_and_columns() {
    let mut tape = Tape::new();
    let (a, row, _, _) = operands(&mut tape);
    let n = tape.transpose(a);
    assert_node(&tape, n, (3, 2), &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0], "Aᵀ");
    let n = tape.transpose(row);
    assert_node(&tape, n, (3, 1), &[10.0, 20.0, 30.0], "rowᵀ");
    let nn = tape.transpose(n);
    assert_node(&tape, nn, (1, 3), &[10.0, 20.0, 30.0], "(rowᵀ)ᵀ");
}

// Axis::Rows (numpy axis 0) collapses the rows: column sums, 1×cols. Axis::Cols (axis 1)
// collapses the columns: row sums, rows×1.
#[test]
fn reductions_sum_and_average_over_all_elements_and_along_each_axis() {
    let mut tape = Tape::new();
    let (a, _, _, _) = operands(&mut tape);
    let n = tape.sum(a);
    assert_node(&tape, n, (1, 1), &[21.0], "sum");
    let n = tape.mean(a);
    assert_node(&tape, n, (1, 1), &[3.5], "mean");
    let n = tape.sum_axis(a, Axis::Rows);
    assert_node(&tape, n, (1, 3), &[5.0, 7.0, 9.0], "sum_axis rows");
    let n = tape.sum_axis(a, Axis::Cols);
    assert_node(&tape, n, (2, 1), &[6.0, 15.0], "sum_axis cols");
    let n = tape.mean_axis(a, Axis::Rows);
    assert_node(&tape, n, (1, 3), &[2.5, 3.5, 4.5], "mean_axis rows");
    let n = tape.mean_axis(a, Axis::Cols);
    assert_node(&tape, n, (2, 1), &[2.0, 5.0], "mean_axis cols");
}

// x = A (2×3), W = [[1, 0, -1], [0.5, 0.5, 0.5]] (2 out × 3 in), b = [[10, -10]]:
// x Wᵀ = [[1 - 3, (1+2+3)/2], [4 - 6, (4+5+6)/2]] = [[-2, 3], [-2, 7.5]], plus b per row.
#[test]
fn linear_computes_input_times_weight_transposed_plus_bias_per_row() {
    let mut tape = Tape::new();
    let (a, _, _, _) = operands(&mut tape);
    let weight = tape.input(2, 3, &[1.0, 0.0, -1.0, 0.5, 0.5, 0.5]);
    let bias = tape.input(1, 2, &[10.0, -10.0]);
    let n = tape.linear(a, weight, bias);
    assert_node(&tape, n, (2, 2), &[8.0, -7.0, 8.0, -2.5], "linear");
}

// The fused layer gives what the separate ops give: the same forward values and the same
// gradients for input, weight and bias (to rounding: the fused backward multiplies by f'(z)
// before the products, the composed one in its own pass).
#[test]
fn fused_linear_equals_linear_then_activation_in_values_and_gradients() {
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let draw = |rng: &mut ChaCha8Rng, rows: usize, cols: usize| {
        let data = (0..rows * cols)
            .map(|_| rng.random_range(-1.0..1.0))
            .collect();
        Tensor::new(rows, cols, data)
    };
    let (x, w, b) = (
        draw(&mut rng, 37, 5),
        draw(&mut rng, 33, 5),
        draw(&mut rng, 1, 33),
    );
    let target = draw(&mut rng, 37, 33);
    let run = |fused: bool, nonlinearity: Nonlinearity| {
        let mut tape = Tape::new();
        let xs = tape.param(ParamId(0), &x);
        let ws = tape.param(ParamId(1), &w);
        let bs = tape.param(ParamId(2), &b);
        let out = if fused {
            tape.linear_with(xs, ws, bs, nonlinearity)
        } else {
            let z = tape.linear(xs, ws, bs);
            match nonlinearity {
                Nonlinearity::Identity => z,
                Nonlinearity::Tanh => tape.tanh(z),
                Nonlinearity::Relu => tape.relu(z),
                Nonlinearity::Sigmoid => tape.sigmoid(z),
            }
        };
        let t = tape.constant(&target);
        let loss = tape.mse(out, t);
        let values = tape.value(out).to_vec();
        let grads = tape.backward(loss);
        let grads: Vec<Vec<f32>> = (0..3)
            .map(|i| {
                grads
                    .get(ParamId(i))
                    .expect("every parameter is used")
                    .data()
                    .to_vec()
            })
            .collect();
        (values, grads)
    };
    for nonlinearity in [
        Nonlinearity::Identity,
        Nonlinearity::Tanh,
        Nonlinearity::Relu,
        Nonlinearity::Sigmoid,
    ] {
        let (fused_values, fused_grads) = run(true, nonlinearity);
        let (plain_values, plain_grads) = run(false, nonlinearity);
        for (f, p) in fused_values.iter().zip(&plain_values) {
            assert!((f - p).abs() < 2e-6, "{nonlinearity:?} value {f} vs {p}");
        }
        for (which, (f, p)) in fused_grads.iter().zip(&plain_grads).enumerate() {
            for (f, p) in f.iter().zip(p) {
                assert!(
                    (f - p).abs() < 2e-6 * (1.0 + p.abs()),
                    "{nonlinearity:?} gradient of parameter {which}: {f} vs {p}"
                );
            }
        }
    }
}

// mse(p, t) is mean((p − t)²) built from the primitive ops, value and gradient.
#[test]
fn mse_equals_the_mean_of_squared_differences() {
    let mut tape = Tape::new();
    let p = tape.param(ParamId(0), &Tensor::new(3, 1, vec![1.0, -2.0, 0.5]));
    let t = tape.input(3, 1, &[0.0, 1.0, 0.5]);
    let loss = tape.mse(p, t);
    // (1 + 9 + 0) / 3
    assert!((tape.item(loss) - 10.0 / 3.0).abs() < 1e-6);
    let grads = tape.backward(loss);
    // 2(p − t)/3
    let expected = [2.0 / 3.0, -2.0, 0.0];
    let got = grads.get(ParamId(0)).expect("p is a parameter").data();
    for (g, e) in got.iter().zip(expected) {
        assert!((g - e).abs() < 1e-6, "{got:?} vs {expected:?}");
    }
}

// ----- tape bookkeeping ---------------------------------------------------------------------

/// A graph that touches most ops, recorded from `x` (n × 3, input data) and parameters
/// w (4×3), b (1×4), v (4×1). Returns every node and the 1×1 loss.
fn record_graph(tape: &mut Tape, x: &Tensor, params: &[Tensor]) -> (Vec<NodeId>, NodeId) {
    let mut nodes = Vec::new();
    let mut keep = |n: NodeId| {
        nodes.push(n);
        n
    };
    let x = keep(tape.constant(x));
    let w = keep(tape.param(ParamId(0), &params[0]));
    let b = keep(tape.param(ParamId(1), &params[1]));
    let v = keep(tape.param(ParamId(2), &params[2]));
    let h = keep(tape.linear(x, w, b));
    let t = keep(tape.tanh(h));
    let s = keep(tape.sigmoid(h));
    let r = keep(tape.relu(h));
    let ts = keep(tape.mul(t, s));
    let e = keep(tape.exp(s));
    let e1 = keep(tape.add_scalar(e, 1.0));
    let q = keep(tape.div(r, e1));
    let p = keep(tape.sub(ts, q));
    let u = keep(tape.matmul(p, v));
    let wt = keep(tape.transpose(w));
    let z = keep(tape.matmul(x, wt));
    let row_sums = keep(tape.sum_axis(z, Axis::Cols));
    let col_means = keep(tape.mean_axis(z, Axis::Rows));
    let diff = keep(tape.sub(u, row_sums));
    let squared = keep(tape.pow_scalar(diff, 2.0));
    let mse = keep(tape.mean(squared));
    let col_bias = keep(tape.mul(col_means, b));
    let col_term = keep(tape.sum(col_bias));
    let s2 = keep(tape.mul(s, s));
    let s2_plus_one = keep(tape.add_scalar(s2, 1.0));
    let logs = keep(tape.log(s2_plus_one));
    let log_means = keep(tape.mean_axis(logs, Axis::Cols));
    let log_term = keep(tape.sum(log_means));
    let neg = keep(tape.neg(log_term));
    let scaled = keep(tape.mul_scalar(neg, 0.5));
    let partial = keep(tape.add(mse, col_term));
    let loss = keep(tape.add(partial, scaled));
    (nodes, loss)
}

fn graph_inputs(seed: u64, rows: usize, scale: f32) -> (Tensor, Vec<Tensor>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut draw = |r: usize, c: usize| {
        Tensor::new(
            r,
            c,
            (0..r * c)
                .map(|_| scale * rng.random_range(-1.0f32..1.0))
                .collect(),
        )
    };
    let x = draw(rows, 3);
    let params = vec![draw(4, 3), draw(1, 4), draw(4, 1)];
    (x, params)
}

/// Every node's value bits and every parameter gradient's bits after one record + backward.
fn snapshot(
    tape: &mut Tape,
    grads: &mut Gradients,
    x: &Tensor,
    params: &[Tensor],
) -> (Vec<Vec<u32>>, Vec<Vec<u32>>) {
    let (nodes, loss) = record_graph(tape, x, params);
    tape.backward_into(loss, grads);
    let bits = |values: &[f32]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let values = nodes.iter().map(|&n| bits(tape.value(n))).collect();
    let gradients = (0..params.len())
        .map(|i| {
            bits(
                grads
                    .get(ParamId(i))
                    .expect("the loss uses every parameter")
                    .data(),
            )
        })
        .collect();
    (values, gradients)
}

// A training loop clears and re-records the same graph each step, reusing every node's value
// and gradient buffer and the Gradients store. In between, recordings with other batch sizes
// (buffers resized both ways) and with huge inputs (buffers full of inf and NaN) must leave no
// trace: the values and gradients of the re-recorded graph equal a fresh tape's, bit for bit.
#[test]
fn clear_and_rerecord_reuses_buffers_without_changing_values_or_gradients() {
    let (x, params) = graph_inputs(21, 5, 1.0);
    let mut fresh_grads = Gradients::new();
    let reference = snapshot(&mut Tape::new(), &mut fresh_grads, &x, &params);
    assert!(
        reference
            .1
            .iter()
            .flatten()
            .any(|&g| f32::from_bits(g) != 0.0),
        "gradients are all zero"
    );

    let mut tape = Tape::new();
    let mut grads = Gradients::new();
    assert_eq!(
        snapshot(&mut tape, &mut grads, &x, &params),
        reference,
        "first recording"
    );
    for (seed, rows, scale) in [
        (22, 9, 1.0),
        (23, 2, 1e20),
        (24, 5, 1e30),
        (25, 12, f32::MAX),
    ] {
        tape.clear();
        assert!(tape.is_empty());
        let (other_x, other_params) = graph_inputs(seed, rows, scale);
        snapshot(&mut tape, &mut grads, &other_x, &other_params);
        tape.clear();
        assert_eq!(
            snapshot(&mut tape, &mut grads, &x, &params),
            reference,
            "after a recording of {rows} rows at scale {scale}"
        );
    }
    // A second backward over the same recording starts from zeroed gradients again.
    tape.clear();
    let (_, loss) = record_graph(&mut tape, &x, &params);
    let first = tape.backward(loss);
    let second = tape.backward(loss);
    for i in 0..params.len() {
        assert_eq!(
            first.get(ParamId(i)),
            second.get(ParamId(i)),
            "parameter {i} after two backwards"
        );
    }
}

// The same parameter recorded as two nodes (as a tied weight would be): W = [[1, 2], [3, 4]],
// L = Σ W₁ ⊙ C + Σ W₂², with W₁ and W₂ both ParamId(0). dL/dW = C + 2W = [[12, 24], [36, 48]].
#[test]
fn a_parameter_recorded_twice_gets_the_sum_of_both_gradients() {
    let w = Tensor::new(2, 2, vec![1.0, 2.0, 3.0, 4.0]);
    let mut tape = Tape::new();
    let first = tape.param(ParamId(0), &w);
    let second = tape.param(ParamId(0), &w);
    let c = tape.input(2, 2, &[10.0, 20.0, 30.0, 40.0]);
    let weighted = tape.mul(first, c);
    let linear_term = tape.sum(weighted);
    let squared = tape.pow_scalar(second, 2.0);
    let square_term = tape.sum(squared);
    let loss = tape.add(linear_term, square_term);
    assert_eq!(tape.item(loss), 300.0 + 30.0);
    let grads = tape.backward(loss);
    let gradient = grads.get(ParamId(0)).expect("the loss uses W");
    assert_eq!(gradient.shape(), (2, 2));
    assert_eq!(gradient.data(), &[12.0, 24.0, 36.0, 48.0]);
}

// L = Σ p0 ⊙ c depends on p0 only: p5 never appears on the tape, and a loss made of input
// data alone depends on no parameter at all.
#[test]
fn parameters_absent_from_the_tape_have_no_gradient() {
    let mut tape = Tape::new();
    let p0 = tape.param(ParamId(0), &Tensor::row(vec![1.0, 2.0]));
    let c = tape.input(1, 2, &[3.0, -4.0]);
    let product = tape.mul(p0, c);
    let loss = tape.sum(product);
    let grads = tape.backward(loss);
    assert_eq!(
        grads.get(ParamId(0)).map(Tensor::data),
        Some(&[3.0f32, -4.0][..])
    );
    assert_eq!(grads.get(ParamId(5)), None);

    tape.clear();
    let x = tape.input(1, 2, &[1.0, 2.0]);
    let x_squared = tape.mul(x, x);
    let data_only = tape.sum(x_squared);
    let grads = tape.backward(data_only);
    assert_eq!(grads.get(ParamId(0)), None);
    assert!(grads.all_finite());
}

// p1 is recorded on the tape, even feeds a node, but nothing on the path to the loss reads it:
// the loss does not depend on p1, so `Gradients` (whose docs promise "a parameter the loss does
// not depend on has no entry") must have no entry for it, not a zero tensor. The difference
// matters to optimizers: a zero gradient still advances Adam's moments and applies weight
// decay, where PyTorch skips a parameter whose grad is None.
#[test]
fn a_recorded_parameter_the_loss_does_not_depend_on_has_no_gradient() {
    let mut tape = Tape::new();
    let p0 = tape.param(ParamId(0), &Tensor::row(vec![1.0, 2.0]));
    let p1 = tape.param(ParamId(1), &Tensor::row(vec![5.0, 6.0]));
    let unused = tape.exp(p1);
    let c = tape.input(1, 2, &[3.0, -4.0]);
    let product = tape.mul(p0, c);
    let loss = tape.sum(product);
    let _after_the_loss = tape.add(unused, loss);
    let grads = tape.backward(loss);
    assert!(grads.get(ParamId(0)).is_some());
    assert_eq!(
        grads.get(ParamId(1)),
        None,
        "the loss does not depend on p1"
    );
}

// Gradients of two losses, added: what `--threads` does with each shard's gradients. A
// parameter only one loss depends on is copied; one both depend on is summed.
#[test]
fn gradients_add_sums_shared_parameters_and_copies_the_others() {
    let a_value = Tensor::new(1, 2, vec![1.0, 2.0]);
    let b_value = Tensor::new(1, 2, vec![3.0, -1.0]);
    let mut tape = Tape::new();
    let a = tape.param(ParamId(0), &a_value);
    let first_loss = tape.sum(a);
    let mut total = tape.backward(first_loss);
    let mut tape = Tape::new();
    let a = tape.param(ParamId(0), &a_value);
    let b = tape.param(ParamId(2), &b_value);
    let product = tape.mul(a, b);
    let second_loss = tape.sum(product);
    let second = tape.backward(second_loss);
    total.add(&second);
    // d(sum a)/da = 1; d(sum a·b)/da = b, /db = a.
    assert_eq!(total.get(ParamId(0)).expect("a").data(), &[4.0, 0.0]);
    assert!(total.get(ParamId(1)).is_none(), "no loss used parameter 1");
    assert_eq!(total.get(ParamId(2)).expect("b").data(), &[1.0, 2.0]);
}

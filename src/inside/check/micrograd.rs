//! micrograd's two reference expressions (`test_sanity_check` and `test_more_ops` from
//! karpathy/micrograd), recorded node for node on the engine's tape and compared with the
//! values micrograd gives. Independent of the network and the data.

use super::{MicrogradCheck, MicrogradMoreOps, MicrogradSanity};
use crate::engine::{ParamId, Tape, Tensor};

/// micrograd's `test_more_ops` values are compared within this relative error (see
/// [`micrograd_more_ops`]).
pub const MICROGRAD_TOLERANCE: f64 = 1e-6;

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

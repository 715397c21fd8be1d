//! The activation functions a layer applies and their derivatives: tanh (a rational
//! approximation, with hand-written AVX-512 and AVX2 forms), the logistic function and relu,
//! each over whole slices.

use super::super::isa::{Isa, SupportedIsa, simd_dispatch};

/// tanh to within about 1e-6 absolute error, in a form the compiler vectorises.
///
/// `f32::tanh` calls scalar libm (~8 ns an element); this clamped rational approximation is
/// branch-free and ~20× faster, which dominates the cost of training the small networks a
/// classroom uses.
#[inline]
pub fn fast_tanh(x: f32) -> f32 {
    let x = x.clamp(-TANH_CLAMP, TANH_CLAMP);
    let x2 = x * x;
    // Plain multiply-adds, not `mul_add`: without a target FMA, `mul_add` is a libm call.
    let p = TANH_NUMERATOR.iter().rev().fold(0.0, |p, &c| p * x2 + c) * x;
    let q = TANH_DENOMINATOR.iter().rev().fold(0.0, |q, &c| q * x2 + c);
    p / q
}

/// Beyond this |x|, tanh(x) is within 3e-7 of ±1.
const TANH_CLAMP: f32 = 7.905_311;
/// tanh(x) ≈ x·P(x²) / Q(x²) on [-TANH_CLAMP, TANH_CLAMP], coefficients from the constant
/// term up. A minimax fit of this degree (linearised, iterated linear programs in f64;
/// 2.4e-7 before rounding) is 4.8e-7 from tanh when evaluated in f32, within the 1e-6 the
/// tests ask, and costs three multiply-adds fewer than the [13/6] form (Eigen's) it
/// replaced, which was 4e-9 before rounding but no better once in f32.
const TANH_NUMERATOR: [f32; 5] = [
    0.999_999_2,
    0.127_057_75,
    0.002_690_703_1,
    7.131_582e-6,
    -6.109_076_4e-9,
];
const TANH_DENOMINATOR: [f32; 4] = [1.0, 0.460_387_86, 0.022_823_51, 1.961_089_3e-4];

/// `fast_tanh` on whole vector registers, `$lanes` floats at a time, returning how many
/// leading elements it did (the rest are left for the scalar form).
///
/// Profiled on the `small` bench, the compiled form of `fast_tanh` was bound by the vector
/// divide (~18 cycles a register). Here the quotient is the reciprocal estimate refined by
/// one Newton step, r ← r + r(1 − qr), which is within an ulp or two of p / q at about a
/// third of the cost, and the polynomials use fused multiply-adds. The whole function is
/// then bound by how many vector operations it issues, so each one counts: AVX-512 clamps
/// with one `vrangeps` (the smaller magnitude, keeping x's sign) instead of a min and a max.
macro_rules! vector_tanh {
    (
        fn $name:ident, feature = $feature:literal, lanes = $lanes:literal,
        load = $load:ident, store = $store:ident, splat = $splat:ident,
        clamp = $clamp:ident, mul = $mul:ident, fmadd = $fmadd:ident, fnmadd = $fnmadd:ident,
        reciprocal = $rcp:ident, clamp_output = $clamp_output:literal $(,)?
    ) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $feature)]
        fn $name(values: &mut [f32]) -> usize {
            use std::arch::x86_64::*;
            let whole = values.len() / $lanes * $lanes;
            let base = values.as_mut_ptr();
            let limit = $splat(TANH_CLAMP);
            let numerator = TANH_NUMERATOR.map(|c| $splat(c));
            let denominator = TANH_DENOMINATOR.map(|c| $splat(c));
            let one = $splat(1.0);
            for start in (0..whole).step_by($lanes) {
                // SAFETY: start + $lanes <= whole <= values.len().
                unsafe {
                    let x = $clamp($load(base.add(start)), limit);
                    let x2 = $mul(x, x);
                    let (top, rest) = numerator.split_last().expect("non-empty");
                    let p = rest.iter().rev().fold(*top, |p, &c| $fmadd(p, x2, c));
                    let p = $mul(p, x);
                    let (top, rest) = denominator.split_last().expect("non-empty");
                    let q = rest.iter().rev().fold(*top, |q, &c| $fmadd(q, x2, c));
                    let estimate = $rcp(q);
                    let reciprocal = $fmadd($fnmadd(q, estimate, one), estimate, estimate);
                    let mut y = $mul(p, reciprocal);
                    if $clamp_output {
                        // p/q stays a few ulps inside ±1; a reciprocal refined from a
                        // 12-bit estimate can be off by more than that, one from 14 bits not.
                        y = $clamp(y, one);
                    }
                    $store(base.add(start), y);
                }
            }
            whole
        }
    };
}

/// `x` clamped to ±`limit` (limit positive): the smaller magnitude, with x's sign.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn clamp_avx512(
    x: std::arch::x86_64::__m512,
    limit: std::arch::x86_64::__m512,
) -> std::arch::x86_64::__m512 {
    std::arch::x86_64::_mm512_range_ps::<0b0010>(x, limit)
}

/// `x` clamped to ±`limit` (limit positive).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn clamp_avx2(
    x: std::arch::x86_64::__m256,
    limit: std::arch::x86_64::__m256,
) -> std::arch::x86_64::__m256 {
    use std::arch::x86_64::*;
    _mm256_min_ps(
        _mm256_max_ps(x, _mm256_sub_ps(_mm256_setzero_ps(), limit)),
        limit,
    )
}

vector_tanh! {
    fn tanh_avx512, feature = "avx512f,avx512dq", lanes = 16,
    load = _mm512_loadu_ps, store = _mm512_storeu_ps, splat = _mm512_set1_ps,
    clamp = clamp_avx512, mul = _mm512_mul_ps,
    fmadd = _mm512_fmadd_ps, fnmadd = _mm512_fnmadd_ps, reciprocal = _mm512_rcp14_ps,
    clamp_output = false,
}

vector_tanh! {
    fn tanh_avx2, feature = "avx2,fma", lanes = 8,
    load = _mm256_loadu_ps, store = _mm256_storeu_ps, splat = _mm256_set1_ps,
    clamp = clamp_avx2, mul = _mm256_mul_ps,
    fmadd = _mm256_fmadd_ps, fnmadd = _mm256_fnmadd_ps, reciprocal = _mm256_rcp_ps,
    clamp_output = true,
}

/// `values[i] = tanh(values[i])`, within about 1e-6 (see `fast_tanh`).
#[inline]
pub fn tanh_in_place(values: &mut [f32]) {
    tanh_in_place_on(SupportedIsa::best(), values);
}

/// [`tanh_in_place`] with the vector form for `isa` (none for `Isa::Scalar`), whatever this
/// CPU's widest; the elements past the last whole register take `fast_tanh`.
#[doc(hidden)]
pub fn tanh_in_place_on(isa: SupportedIsa, values: &mut [f32]) {
    let done = match isa.isa() {
        // SAFETY: `isa` is a SupportedIsa, so the CPU has AVX-512F and DQ.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { tanh_avx512(values) },
        // SAFETY: `isa` is a SupportedIsa, so the CPU has AVX2 and FMA.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { tanh_avx2(values) },
        _ => 0,
    };
    values[done..].iter_mut().for_each(|v| *v = fast_tanh(*v));
}

/// The logistic function 1 / (1 + e^-x), written through tanh so it shares the fast kernel:
/// σ(x) = (1 + tanh(x/2)) / 2.
#[inline]
pub fn fast_sigmoid(x: f32) -> f32 {
    0.5 * fast_tanh(0.5 * x) + 0.5
}

/// `out[i] = tanh(x[i])`
pub fn tanh_slice(out: &mut [f32], x: &[f32]) {
    out.copy_from_slice(x);
    tanh_in_place(out);
}

simd_dispatch! {
    /// `out[i] = fast_sigmoid(x[i])`
    pub fn sigmoid_slice / sigmoid_slice_on(out: &mut [f32], x: &[f32]) {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = fast_sigmoid(v);
        }
    }
}

/// The element-wise functions a dense layer can apply to its output (see `Tape::linear_with`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Nonlinearity {
    #[default]
    Identity,
    Tanh,
    Relu,
    Sigmoid,
}

impl Nonlinearity {
    /// `values[i] = f(values[i])`
    #[inline]
    pub fn apply_in_place(self, values: &mut [f32]) {
        self.apply_in_place_on(SupportedIsa::best(), values);
    }

    /// [`Self::apply_in_place`] compiled for `isa`, whatever this CPU's widest.
    #[doc(hidden)]
    pub fn apply_in_place_on(self, isa: SupportedIsa, values: &mut [f32]) {
        match self {
            Self::Identity => {}
            Self::Tanh => tanh_in_place_on(isa, values),
            Self::Relu => relu_in_place_on(isa, values),
            Self::Sigmoid => sigmoid_in_place_on(isa, values),
        }
    }

    /// `grad[i] *= f'(x[i])`, written through the output `y = f(x)`, which is all a fused
    /// layer keeps: tanh' = 1 - y², σ' = y(1 - y), relu' = [y > 0].
    #[inline]
    pub fn scale_by_derivative(self, grad: &mut [f32], output: &[f32]) {
        self.scale_by_derivative_on(SupportedIsa::best(), grad, output);
    }

    /// [`Self::scale_by_derivative`] compiled for `isa`, whatever this CPU's widest.
    #[doc(hidden)]
    pub fn scale_by_derivative_on(self, isa: SupportedIsa, grad: &mut [f32], output: &[f32]) {
        match self {
            Self::Identity => {}
            Self::Tanh => tanh_derivative_in_place_on(isa, grad, output),
            Self::Relu => relu_derivative_in_place_on(isa, grad, output),
            Self::Sigmoid => sigmoid_derivative_in_place_on(isa, grad, output),
        }
    }
}

simd_dispatch! {
    fn / sigmoid_in_place_on(values: &mut [f32]) {
        values.iter_mut().for_each(|v| *v = fast_sigmoid(*v));
    }
}

simd_dispatch! {
    fn / relu_in_place_on(values: &mut [f32]) {
        values.iter_mut().for_each(|v| *v = v.max(0.0));
    }
}

simd_dispatch! {
    fn / tanh_derivative_in_place_on(grad: &mut [f32], output: &[f32]) {
        for (g, &y) in grad.iter_mut().zip(output) {
            *g *= 1.0 - y * y;
        }
    }
}

simd_dispatch! {
    fn / sigmoid_derivative_in_place_on(grad: &mut [f32], output: &[f32]) {
        for (g, &y) in grad.iter_mut().zip(output) {
            *g *= y * (1.0 - y);
        }
    }
}

simd_dispatch! {
    fn / relu_derivative_in_place_on(grad: &mut [f32], output: &[f32]) {
        for (g, &y) in grad.iter_mut().zip(output) {
            *g = if y > 0.0 { *g } else { 0.0 };
        }
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;

    /// Both vector forms, not only the one `tanh_in_place` picks on this CPU: a machine with
    /// AVX-512 would otherwise never run the AVX2 code it ships to machines without.
    #[test]
    fn every_vector_tanh_this_cpu_can_run_is_within_1e_6_and_inside_plus_minus_1() {
        let grid: Vec<f32> = (-120_000..=120_000)
            .map(|i| i as f32 * 1e-4)
            .chain([-1e6, 1e6, 0.0, -0.0, 1e-30])
            .collect();
        let check = |name: &str, kernel: &dyn Fn(&mut [f32]) -> usize| {
            let mut values = grid.clone();
            let done = kernel(&mut values);
            assert!(
                done + 16 > grid.len(),
                "{name} left {done} of {}",
                grid.len()
            );
            for (&x, &got) in grid[..done].iter().zip(&values) {
                let error = (f64::from(got) - f64::from(x).tanh()).abs();
                assert!(error < 1e-6, "{name}({x}) = {got}, off by {error:e}");
                assert!(got.abs() <= 1.0, "{name}({x}) = {got} exceeds 1");
            }
        };
        let mut ran = 0;
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            // SAFETY: AVX2 and FMA are present, checked above.
            check("tanh_avx2", &|v| unsafe { tanh_avx2(v) });
            ran += 1;
        }
        if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512dq") {
            // SAFETY: AVX-512F and DQ are present, checked above.
            check("tanh_avx512", &|v| unsafe { tanh_avx512(v) });
            ran += 1;
        }
        eprintln!("checked {ran} vector tanh kernels");
    }
}

//! Numeric kernels the tape's ops call: matrix products and the activation functions.
//!
//! Kept apart from the tape so the autograd logic reads as maths, and so speed work happens
//! in one place without touching gradients.

use super::gemm::{Start, narrow_gemm};

/// A read-only matrix view: a pointer-free description of how to walk a slice as a matrix,
/// so a transpose is a swap of strides rather than a copy.
#[derive(Clone, Copy)]
pub struct MatRef<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub row_stride: usize,
    pub col_stride: usize,
}

impl<'a> MatRef<'a> {
    pub fn new(data: &'a [f32], rows: usize, cols: usize) -> Self {
        assert!(
            data.len() >= rows * cols,
            "matrix view larger than its data"
        );
        Self {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    pub fn t(self) -> Self {
        Self {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
        }
    }
}

/// `out = beta * out + a @ b`, with `out` a dense row-major `a.rows × b.cols` slice.
///
/// Uses `matrixmultiply`'s cache-blocked, SIMD kernel: it stays fast for transposed views
/// (any strides), which is what backward needs.
pub fn matmul_into(a: MatRef<'_>, b: MatRef<'_>, out: &mut [f32], beta: f32) {
    assert_eq!(
        a.cols, b.rows,
        "matmul: inner dimensions differ ({} vs {})",
        a.cols, b.rows
    );
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(out.len(), m * n, "matmul: output has the wrong size");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if beta == 0.0 {
            out.fill(0.0);
        } else {
            out.iter_mut().for_each(|v| *v *= beta);
        }
        return;
    }
    if dense_shape_into(a, b, out, beta) {
        return;
    }
    // Every index the kernel touches is < rows*row_stride + cols*col_stride, checked here so the
    // unsafe call below cannot read past a slice.
    let last = |rows: usize, cols: usize, rs: usize, cs: usize| (rows - 1) * rs + (cols - 1) * cs;
    assert!(last(a.rows, a.cols, a.row_stride, a.col_stride) < a.data.len());
    assert!(last(b.rows, b.cols, b.row_stride, b.col_stride) < b.data.len());
    // SAFETY: the asserts above bound every element address the kernel computes for a, b, and
    // out is a dense m×n slice of exactly m*n elements; the three do not alias (out is &mut).
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.data.as_ptr(),
            a.row_stride as isize,
            a.col_stride as isize,
            b.data.as_ptr(),
            b.row_stride as isize,
            b.col_stride as isize,
            beta,
            out.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

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
pub fn tanh_in_place(values: &mut [f32]) {
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq")
        {
            // SAFETY: the CPU supports AVX-512F and DQ, checked on the lines above.
            done = unsafe { tanh_avx512(values) };
        } else if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA, checked above.
            done = unsafe { tanh_avx2(values) };
        }
    }
    values[done..].iter_mut().for_each(|v| *v = fast_tanh(*v));
}

/// The logistic function 1 / (1 + e^-x), written through tanh so it shares the fast kernel:
/// σ(x) = (1 + tanh(x/2)) / 2.
#[inline]
pub fn fast_sigmoid(x: f32) -> f32 {
    0.5 * fast_tanh(0.5 * x) + 0.5
}

/// Defines `pub fn NAME(args)` that runs its body compiled for AVX-512 or AVX2 when the CPU
/// has them (16 or 8 floats an instruction instead of SSE2's 4) and as the portable build
/// otherwise. Only the
/// vector width changes, never the order of operations, so both give bit-identical results.
macro_rules! simd_dispatch {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn portable($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx2")]
                unsafe fn avx512($($arg: $ty),*) {
                    portable($($arg),*)
                }
                #[target_feature(enable = "avx2")]
                unsafe fn avx2($($arg: $ty),*) {
                    portable($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU supports AVX-512F, checked on the line above.
                    return unsafe { avx512($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU supports AVX2, checked on the line above.
                    return unsafe { avx2($($arg),*) };
                }
            }
            portable($($arg),*)
        }
    };
}

/// `out[i] = tanh(x[i])`
pub fn tanh_slice(out: &mut [f32], x: &[f32]) {
    out.copy_from_slice(x);
    tanh_in_place(out);
}

simd_dispatch! {
    /// `out[i] = fast_sigmoid(x[i])`
    pub fn sigmoid_slice(out: &mut [f32], x: &[f32]) {
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
    pub fn apply_in_place(self, values: &mut [f32]) {
        match self {
            Self::Identity => {}
            Self::Tanh => tanh_in_place(values),
            Self::Relu => relu_in_place(values),
            Self::Sigmoid => sigmoid_in_place(values),
        }
    }

    /// `grad[i] *= f'(x[i])`, written through the output `y = f(x)`, which is all a fused
    /// layer keeps: tanh' = 1 - y², σ' = y(1 - y), relu' = [y > 0].
    pub fn scale_by_derivative(self, grad: &mut [f32], output: &[f32]) {
        match self {
            Self::Identity => {}
            Self::Tanh => tanh_derivative_in_place(grad, output),
            Self::Relu => relu_derivative_in_place(grad, output),
            Self::Sigmoid => sigmoid_derivative_in_place(grad, output),
        }
    }
}

simd_dispatch! {
    fn sigmoid_in_place(values: &mut [f32]) {
        values.iter_mut().for_each(|v| *v = fast_sigmoid(*v));
    }
}

simd_dispatch! {
    fn relu_in_place(values: &mut [f32]) {
        values.iter_mut().for_each(|v| *v = v.max(0.0));
    }
}

simd_dispatch! {
    fn tanh_derivative_in_place(grad: &mut [f32], output: &[f32]) {
        for (g, &y) in grad.iter_mut().zip(output) {
            *g *= 1.0 - y * y;
        }
    }
}

simd_dispatch! {
    fn sigmoid_derivative_in_place(grad: &mut [f32], output: &[f32]) {
        for (g, &y) in grad.iter_mut().zip(output) {
            *g *= y * (1.0 - y);
        }
    }
}

simd_dispatch! {
    fn relu_derivative_in_place(grad: &mut [f32], output: &[f32]) {
        for (g, &y) in grad.iter_mut().zip(output) {
            *g = if y > 0.0 { *g } else { 0.0 };
        }
    }
}

simd_dispatch! {
    /// `sums[j] = beta·sums[j] + Σ_i rows[i][j]` over the `sums.len()`-wide rows of `values`.
    pub fn column_sums_into(sums: &mut [f32], values: &[f32], beta: f32) {
        /// At a width known to the compiler the running sums stay in registers; a loop over
        /// a runtime width reloads them on every row.
        /// At a width known to the compiler the running sums stay in registers; a loop over
        /// a runtime width reloads them on every row.
        #[inline(always)]
        fn fixed_width<const N: usize>(sums: &mut [f32], values: &[f32]) {
            let Ok(sums) = <&mut [f32; N]>::try_from(sums) else {
                return;
            };
            let mut acc = *sums;
            for row in values.chunks_exact(N) {
                for (a, &v) in acc.iter_mut().zip(row) {
                    *a += v;
                }
            }
            *sums = acc;
        }
        /// One column: eight interleaved partial sums, as `dot` does.
        #[inline(always)]
        fn single_column(sum: &mut f32, values: &[f32]) {
            let mut lanes = [0.0f32; 8];
            let chunks = values.chunks_exact(8);
            let tail: f32 = chunks.remainder().iter().sum();
            for chunk in chunks {
                for (lane, &v) in lanes.iter_mut().zip(chunk) {
                    *lane += v;
                }
            }
            *sum += lanes.iter().sum::<f32>() + tail;
        }
        if beta == 0.0 {
            sums.fill(0.0);
        }
        match sums.len() {
            1 => single_column(&mut sums[0], values),
            8 => fixed_width::<8>(sums, values),
            16 => fixed_width::<16>(sums, values),
            32 => fixed_width::<32>(sums, values),
            64 => fixed_width::<64>(sums, values),
            width => {
                for row in values.chunks_exact(width.max(1)) {
                    sums.iter_mut().zip(row).for_each(|(s, &v)| *s += v);
                }
            }
        }
    }
}

simd_dispatch! {
    /// `out = beta·out + scale·row`, elementwise (beta is 0 or 1).
    pub fn axpy_into(out: &mut [f32], scale: f32, row: &[f32], beta: f32) {
        if beta == 0.0 {
            for (o, &r) in out.iter_mut().zip(row) {
                *o = scale * r;
            }
        } else {
            for (o, &r) in out.iter_mut().zip(row) {
                *o += scale * r;
            }
        }
    }
}

/// Σ a[i]·b[i] in eight interleaved partial sums, a shape the compiler turns into vector
/// multiply-adds (a single running sum would force one lane at a time).
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (a_chunks, b_chunks) = (a.chunks_exact(8), b.chunks_exact(8));
    let (a_tail, b_tail) = (a_chunks.remainder(), b_chunks.remainder());
    for (ca, cb) in a_chunks.zip(b_chunks) {
        for lane in 0..8 {
            lanes[lane] += ca[lane] * cb[lane];
        }
    }
    let tail: f32 = a_tail.iter().zip(b_tail).map(|(x, y)| x * y).sum();
    lanes.iter().sum::<f32>() + tail
}

simd_dispatch! {
    /// `out[i] = beta·out[i] + dot(row i of a, b)`, rows of `a` contiguous of length `k`.
    pub fn rows_dot_into(out: &mut [f32], a: &[f32], a_row_stride: usize, k: usize, b: &[f32], beta: f32) {
        for (i, o) in out.iter_mut().enumerate() {
            let row = &a[i * a_row_stride..i * a_row_stride + k];
            let d = dot(row, &b[..k]);
            *o = if beta == 0.0 { d } else { *o + d };
        }
    }
}

/// `out[i] = beta·out[i] + dot(row i of a, b)` for whole groups of 16 rows; returns how many
/// rows it did. Each row's products stay in one register, and the 16 registers are then
/// summed across lanes together, in a 4-level unpack / shuffle tree (45 operations for 16
/// sums, where summing each register alone takes 8 or so apiece). This is the output layer
/// of every one-output network (profiled: 4 % of a `small` bench step before).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn rows_dot_16(
    out: &mut [f32],
    a: &[f32],
    a_row_stride: usize,
    k: usize,
    b: &[f32],
    beta: f32,
) -> usize {
    use std::arch::x86_64::*;
    let groups = out.len() / 16;
    let tail = k % 16;
    let tail_mask: __mmask16 = ((1u32 << tail) - 1) as __mmask16;
    let whole = k - tail;
    // SAFETY (body): the caller checked that rows 0..out.len() of `k` floats lie in `a` and
    // that b holds k floats; masked loads touch only the first `tail` floats.
    unsafe {
        for group in 0..groups {
            let mut sums = [_mm512_setzero_ps(); 16];
            for (r, sum) in sums.iter_mut().enumerate() {
                let row = a.as_ptr().add((group * 16 + r) * a_row_stride);
                let mut acc = _mm512_setzero_ps();
                let mut p = 0;
                while p < whole {
                    acc = _mm512_fmadd_ps(
                        _mm512_loadu_ps(row.add(p)),
                        _mm512_loadu_ps(b.as_ptr().add(p)),
                        acc,
                    );
                    p += 16;
                }
                if tail > 0 {
                    acc = _mm512_fmadd_ps(
                        _mm512_maskz_loadu_ps(tail_mask, row.add(whole)),
                        _mm512_maskz_loadu_ps(tail_mask, b.as_ptr().add(whole)),
                        acc,
                    );
                }
                *sum = acc;
            }
            // Level 1: rows 2i, 2i+1 interleaved, each 128-bit lane summing halves.
            let pairs: [__m512; 8] = std::array::from_fn(|i| {
                let (x, y) = (sums[2 * i], sums[2 * i + 1]);
                _mm512_add_ps(_mm512_unpacklo_ps(x, y), _mm512_unpackhi_ps(x, y))
            });
            // Level 2: four rows per 128-bit lane, in order.
            let quads: [__m512; 4] = std::array::from_fn(|i| {
                let (x, y) = (pairs[2 * i], pairs[2 * i + 1]);
                _mm512_add_ps(
                    _mm512_shuffle_ps::<0x44>(x, y),
                    _mm512_shuffle_ps::<0xEE>(x, y),
                )
            });
            // Levels 3 and 4: add the 128-bit lanes, leaving lane j with rows 4j..4j+4.
            let low = _mm512_add_ps(
                _mm512_shuffle_f32x4::<0x44>(quads[0], quads[1]),
                _mm512_shuffle_f32x4::<0xEE>(quads[0], quads[1]),
            );
            let high = _mm512_add_ps(
                _mm512_shuffle_f32x4::<0x44>(quads[2], quads[3]),
                _mm512_shuffle_f32x4::<0xEE>(quads[2], quads[3]),
            );
            let mut totals = _mm512_add_ps(
                _mm512_shuffle_f32x4::<0x88>(low, high),
                _mm512_shuffle_f32x4::<0xDD>(low, high),
            );
            let target = out.as_mut_ptr().add(group * 16);
            if beta != 0.0 {
                totals = _mm512_add_ps(totals, _mm512_loadu_ps(target));
            }
            _mm512_storeu_ps(target, totals);
        }
    }
    groups * 16
}

/// The kernels for the shapes a small network's layers produce, in order of preference;
/// false when none applies (the general cache-blocked kernel then does it).
fn dense_shape_into(a: MatRef<'_>, b: MatRef<'_>, out: &mut [f32], beta: f32) -> bool {
    let start = if beta == 0.0 {
        Start::Zero
    } else if beta == 1.0 {
        Start::Accumulate
    } else {
        return small_shape_into(a, b, out, beta);
    };
    let (m, n) = (a.rows, b.cols);
    let contiguous_rows = |x: &MatRef<'_>| x.col_stride == 1 || x.cols == 1;
    if n == 1 && contiguous_rows(&a) && (b.row_stride == 1 || b.rows == 1) {
        // A column of dot products: each output is one contiguous row of a against b.
        return small_shape_into(a, b, out, beta);
    }
    if n == 1 && m > 1 && a.row_stride == 1 {
        // A column out (m × 1) is the same memory as a row (1 × m) = bᵀ aᵀ, and aᵀ has
        // contiguous rows: as a row product it fills whole vector registers.
        if narrow_gemm(b.t(), a.t(), out, start, &mut |_| {}) {
            return true;
        }
    }
    narrow_gemm(a, b, out, start, &mut |_| {}) || small_shape_into(a, b, out, beta)
}

/// Matrix products where one dimension is 1 (the first and last layer of a one-input,
/// one-output network, and their gradients), done directly: `matrixmultiply` packs its
/// operands into panels first, which costs more than the arithmetic at these shapes.
/// Returns false when the shape or strides need the general kernel.
fn small_shape_into(a: MatRef<'_>, b: MatRef<'_>, out: &mut [f32], beta: f32) -> bool {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    if beta != 0.0 && beta != 1.0 {
        return false;
    }
    let contiguous_rows = |x: &MatRef<'_>| x.col_stride == 1 || x.cols == 1;
    if k == 1 && contiguous_rows(&b) {
        // Outer product: row i of out is a[i]·(the row b).
        let b_row = &b.data[..n];
        for (i, out_row) in out.chunks_exact_mut(n).enumerate() {
            axpy_into(out_row, a.data[i * a.row_stride], b_row, beta);
        }
        return true;
    }
    if m == 1 && contiguous_rows(&b) {
        // out (1×n) = Σ_p a[p]·(row p of b)
        for p in 0..k {
            let row = &b.data[p * b.row_stride..p * b.row_stride + n];
            let first = if p == 0 { beta } else { 1.0 };
            axpy_into(out, a.data[p * a.col_stride], row, first);
        }
        return true;
    }
    if n == 1 && contiguous_rows(&a) && (b.row_stride == 1 || k == 1) {
        // out (m×1): each element is a row of a dotted with the column b.
        let mut done = 0;
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") && k > 0 {
            // SAFETY: AVX-512F is present (checked on the line above); rows_dot_16 reads rows
            // of `k` floats at `a.row_stride` apart for each whole group of 16 outputs, and
            // the last such row ends inside `a.data` because every row of a does.
            assert!((m - 1) * a.row_stride + k <= a.data.len() && b.data.len() >= k);
            done = unsafe { rows_dot_16(out, a.data, a.row_stride, k, &b.data[..k], beta) };
        }
        let rest = &a.data[done * a.row_stride..];
        rows_dot_into(&mut out[done..], rest, a.row_stride, k, &b.data[..k], beta);
        return true;
    }
    if n == 1 && (a.row_stride == 1 || m == 1) {
        // out (m×1) = Σ_p b[p]·(column p of a), columns of a contiguous.
        for p in 0..k {
            let column = &a.data[p * a.col_stride..p * a.col_stride + m];
            let first = if p == 0 { beta } else { 1.0 };
            axpy_into(out, b.data[p * b.row_stride], column, first);
        }
        return true;
    }
    false
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

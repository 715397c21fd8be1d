//! Numeric kernels the tape's ops call: matrix products here, the activation functions in
//! `activation`.
//!
//! Kept apart from the tape so the autograd logic reads as maths, and so speed work happens
//! in one place without touching gradients.

use super::gemm::{Start, narrow_gemm_on};
use super::isa::{Isa, SupportedIsa, simd_dispatch};

mod activation;

pub use activation::{
    Nonlinearity, fast_sigmoid, fast_tanh, sigmoid_slice, sigmoid_slice_on, tanh_in_place,
    tanh_in_place_on, tanh_slice,
};

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
#[inline]
pub fn matmul_into(a: MatRef<'_>, b: MatRef<'_>, out: &mut [f32], beta: f32) {
    matmul_into_on(SupportedIsa::best(), a, b, out, beta);
}

/// [`matmul_into`] with the engine's own kernels compiled for `isa`, whatever this CPU's
/// widest (`matrixmultiply`, where a shape falls through to it, picks its own).
#[doc(hidden)]
pub fn matmul_into_on(isa: SupportedIsa, a: MatRef<'_>, b: MatRef<'_>, out: &mut [f32], beta: f32) {
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
    if dense_shape_into(isa, a, b, out, beta) {
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

simd_dispatch! {
    /// `sums[j] = beta·sums[j] + Σ_i rows[i][j]` over the `sums.len()`-wide rows of `values`.
    pub fn column_sums_into / column_sums_into_on(sums: &mut [f32], values: &[f32], beta: f32) {
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
    pub fn axpy_into / axpy_into_on(out: &mut [f32], scale: f32, row: &[f32], beta: f32) {
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
    pub fn rows_dot_into / rows_dot_into_on(out: &mut [f32], a: &[f32], a_row_stride: usize, k: usize, b: &[f32], beta: f32) {
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
fn dense_shape_into(
    isa: SupportedIsa,
    a: MatRef<'_>,
    b: MatRef<'_>,
    out: &mut [f32],
    beta: f32,
) -> bool {
    let start = if beta == 0.0 {
        Start::Zero
    } else if beta == 1.0 {
        Start::Accumulate
    } else {
        return small_shape_into(isa, a, b, out, beta);
    };
    let (m, n) = (a.rows, b.cols);
    let contiguous_rows = |x: &MatRef<'_>| x.col_stride == 1 || x.cols == 1;
    if n == 1 && contiguous_rows(&a) && (b.row_stride == 1 || b.rows == 1) {
        // A column of dot products: each output is one contiguous row of a against b.
        return small_shape_into(isa, a, b, out, beta);
    }
    if n == 1 && m > 1 && a.row_stride == 1 {
        // A column out (m × 1) is the same memory as a row (1 × m) = bᵀ aᵀ, and aᵀ has
        // contiguous rows: as a row product it fills whole vector registers.
        if narrow_gemm_on(isa, b.t(), a.t(), out, start, &mut |_| {}) {
            return true;
        }
    }
    narrow_gemm_on(isa, a, b, out, start, &mut |_| {}) || small_shape_into(isa, a, b, out, beta)
}

/// Matrix products where one dimension is 1 (the first and last layer of a one-input,
/// one-output network, and their gradients), done directly: `matrixmultiply` packs its
/// operands into panels first, which costs more than the arithmetic at these shapes.
/// Returns false when the shape or strides need the general kernel.
fn small_shape_into(
    isa: SupportedIsa,
    a: MatRef<'_>,
    b: MatRef<'_>,
    out: &mut [f32],
    beta: f32,
) -> bool {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    if beta != 0.0 && beta != 1.0 {
        return false;
    }
    let contiguous_rows = |x: &MatRef<'_>| x.col_stride == 1 || x.cols == 1;
    if k == 1 && contiguous_rows(&b) {
        // Outer product: row i of out is a[i]·(the row b).
        let b_row = &b.data[..n];
        for (i, out_row) in out.chunks_exact_mut(n).enumerate() {
            axpy_into_on(isa, out_row, a.data[i * a.row_stride], b_row, beta);
        }
        return true;
    }
    if m == 1 && contiguous_rows(&b) {
        // out (1×n) = Σ_p a[p]·(row p of b)
        for p in 0..k {
            let row = &b.data[p * b.row_stride..p * b.row_stride + n];
            let first = if p == 0 { beta } else { 1.0 };
            axpy_into_on(isa, out, a.data[p * a.col_stride], row, first);
        }
        return true;
    }
    if n == 1 && contiguous_rows(&a) && (b.row_stride == 1 || k == 1) {
        // out (m×1): each element is a row of a dotted with the column b.
        let mut done = 0;
        #[cfg(target_arch = "x86_64")]
        if isa.isa() == Isa::Avx512 && k > 0 {
            // SAFETY: AVX-512F is present (`isa` is a SupportedIsa); rows_dot_16 reads rows
            // of `k` floats at `a.row_stride` apart for each whole group of 16 outputs, and
            // the last such row ends inside `a.data` because every row of a does.
            assert!((m - 1) * a.row_stride + k <= a.data.len() && b.data.len() >= k);
            done = unsafe { rows_dot_16(out, a.data, a.row_stride, k, &b.data[..k], beta) };
        }
        let rest = &a.data[done * a.row_stride..];
        rows_dot_into_on(
            isa,
            &mut out[done..],
            rest,
            a.row_stride,
            k,
            &b.data[..k],
            beta,
        );
        return true;
    }
    if n == 1 && (a.row_stride == 1 || m == 1) {
        // out (m×1) = Σ_p b[p]·(column p of a), columns of a contiguous.
        for p in 0..k {
            let column = &a.data[p * a.col_stride..p * a.col_stride + m];
            let first = if p == 0 { beta } else { 1.0 };
            axpy_into_on(isa, out, b.data[p * b.row_stride], column, first);
        }
        return true;
    }
    false
}

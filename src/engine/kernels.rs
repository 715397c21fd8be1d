//! Numeric kernels the tape's ops call: matrix products and the activation functions.
//!
//! Kept apart from the tape so the autograd logic reads as maths, and so speed work happens
//! in one place without touching gradients.

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
    if small_shape_into(a, b, out, beta) {
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
/// `f32::tanh` calls scalar libm (~8 ns an element); this clamped rational approximation (the
/// coefficients Eigen uses for `ptanh`) is branch-free and ~20× faster, which dominates the
/// cost of training the small networks a classroom uses.
#[inline]
pub fn fast_tanh(x: f32) -> f32 {
    const CLAMP: f32 = 7.905_311;
    const ALPHA_1: f32 = 4.893_524_6e-3;
    const ALPHA_3: f32 = 6.372_619_3e-4;
    const ALPHA_5: f32 = 1.485_722_4e-5;
    const ALPHA_7: f32 = 5.122_297e-8;
    const ALPHA_9: f32 = -8.604_672e-11;
    const ALPHA_11: f32 = 2.000_188e-13;
    const ALPHA_13: f32 = -2.760_768_5e-16;
    const BETA_0: f32 = 4.893_525e-3;
    const BETA_2: f32 = 2.268_434_6e-3;
    const BETA_4: f32 = 1.185_347_1e-4;
    const BETA_6: f32 = 1.198_258_4e-6;
    let x = x.clamp(-CLAMP, CLAMP);
    let x2 = x * x;
    // Plain multiply-adds, not `mul_add`: without a target FMA, `mul_add` is a libm call.
    let mut p = ALPHA_13 * x2 + ALPHA_11;
    p = p * x2 + ALPHA_9;
    p = p * x2 + ALPHA_7;
    p = p * x2 + ALPHA_5;
    p = p * x2 + ALPHA_3;
    p = p * x2 + ALPHA_1;
    p *= x;
    let mut q = BETA_6 * x2 + BETA_4;
    q = q * x2 + BETA_2;
    q = q * x2 + BETA_0;
    p / q
}

/// The logistic function 1 / (1 + e^-x), written through tanh so it shares the fast kernel:
/// σ(x) = (1 + tanh(x/2)) / 2.
#[inline]
pub fn fast_sigmoid(x: f32) -> f32 {
    0.5 * fast_tanh(0.5 * x) + 0.5
}

/// Defines `pub fn NAME(args)` that runs its body compiled for AVX2 when the CPU has it (8
/// floats an instruction instead of SSE2's 4) and as the portable build otherwise. Only the
/// vector width changes, never the order of operations, so both give bit-identical results.
macro_rules! simd_dispatch {
    ($(#[$meta:meta])* pub fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $(#[$meta])*
        pub fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn portable($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                unsafe fn avx2($($arg: $ty),*) {
                    portable($($arg),*)
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

simd_dispatch! {
    /// `out[i] = fast_tanh(x[i])`
    pub fn tanh_slice(out: &mut [f32], x: &[f32]) {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = fast_tanh(v);
        }
    }
}

simd_dispatch! {
    /// `out[i] = fast_sigmoid(x[i])`
    pub fn sigmoid_slice(out: &mut [f32], x: &[f32]) {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = fast_sigmoid(v);
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
        rows_dot_into(out, a.data, a.row_stride, k, &b.data[..k], beta);
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

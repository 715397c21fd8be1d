//! Register-tiled matrix products for the narrow shapes of classroom networks.
//!
//! `matrixmultiply` packs both operands into panels before multiplying: the right trade for
//! large matrices, but at 16 to 64 units wide the packing cost about as much as the
//! arithmetic (profiled on the `small` bench: kernel 28 %, packing 14 % of a step). Here the
//! right operand, a few kilobytes at these widths, is read in place or copied once into
//! zero-padded rows; each R × W tile of the output is accumulated in vector registers over
//! the whole inner dimension and written once, starting from the bias when there is one, and
//! `finish` sees each block of finished rows while it is still in L1 (where a layer applies
//! its activation).

use std::cell::RefCell;

use super::isa::{Isa, SupportedIsa};
use super::kernels::MatRef;

mod tiles;

/// What the output holds before the product is added to it.
#[derive(Clone, Copy)]
pub enum Start<'a> {
    /// `out = a·b`
    Zero,
    /// `out += a·b`
    Accumulate,
    /// `out = a·b + bias`, the 1 × n `bias` added to every row
    Bias(&'a [f32]),
}

/// Widest output tile, in floats: 8 rows of 64 (AVX-512 uses at most 6 × 64, AVX2 3 × 32).
const EDGE_TILE: usize = 8 * 64;
/// Widest tile row, in floats.
const MAX_TILE_WIDTH: usize = 64;
/// Inner-dimension slice: 128 rows of a 32-wide b and 128 columns of a 32-row a are 32 KB,
/// inside L1 (48 KB here). Unsplit, a weight gradient over a 1000-row batch (m = 32, k =
/// 1000) streamed both operands from L2 once per 8-row tile: 70 GFMA/s against 90.
const K_BLOCK: usize = 128;
/// `finish` gets finished rows in blocks of at least this many floats (8 KB, well inside
/// L1): one 8-row tile at a time, the per-call set-up of a 256-float activation pass cost
/// a third of its time (profiled on `small`).
const FINISH_BLOCK: usize = 2048;

/// Whether `narrow_gemm` has a vector kernel for this CPU and the shape suits it: outputs
/// up to 64 wide, or any width when the inner dimension is short. Beyond that the packed
/// operand outgrows L1 and `matrixmultiply`'s cache blocking wins.
pub fn suits(k: usize, n: usize) -> bool {
    suits_on(SupportedIsa::best(), k, n)
}

/// [`suits`] for the kernels compiled for `isa`: false for `Isa::Scalar`, which has none.
#[doc(hidden)]
pub fn suits_on(isa: SupportedIsa, k: usize, n: usize) -> bool {
    isa.isa() != Isa::Scalar && shape_fits(k, n)
}

fn shape_fits(k: usize, n: usize) -> bool {
    n <= MAX_TILE_WIDTH || k <= 16
}

/// The operands of one product, as raw strides the tile kernels walk.
struct Job {
    m: usize,
    k: usize,
    n: usize,
    a: *const f32,
    a_row_stride: usize,
    a_col_stride: usize,
    /// Row `p` of column block `j` of b starts at `b + j·b_block_stride + p·b_row_stride`
    /// and holds a full tile width of floats (zero-padded past `n`).
    b: *const f32,
    b_row_stride: usize,
    b_block_stride: usize,
}

thread_local! {
    /// Zero-padded copy of the right operand when it cannot be read in place; kept between
    /// calls so a training step allocates nothing.
    static PACKED_B: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// `out` (dense m × n) = `start` + `a @ b`, then `finish(rows)` on each block of finished
/// rows, in order. Returns false, touching nothing, when [`suits`] is false; the caller then
/// uses the general kernel. `finish` must not itself call `narrow_gemm` on this thread: the
/// packed operand's buffer is borrowed for the duration.
#[inline]
pub fn narrow_gemm(
    a: MatRef<'_>,
    b: MatRef<'_>,
    out: &mut [f32],
    start: Start<'_>,
    finish: &mut dyn FnMut(&mut [f32]),
) -> bool {
    narrow_gemm_on(SupportedIsa::best(), a, b, out, start, finish)
}

/// [`narrow_gemm`] with the tile kernels compiled for `isa`, whatever this CPU's widest;
/// false, touching nothing, when [`suits_on`] is.
#[doc(hidden)]
pub fn narrow_gemm_on(
    isa: SupportedIsa,
    a: MatRef<'_>,
    b: MatRef<'_>,
    out: &mut [f32],
    start: Start<'_>,
    finish: &mut dyn FnMut(&mut [f32]),
) -> bool {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(a.cols, b.rows, "narrow_gemm: inner dimensions differ");
    assert_eq!(out.len(), m * n, "narrow_gemm: output has the wrong size");
    if let Start::Bias(bias) = start {
        assert_eq!(bias.len(), n, "narrow_gemm: bias has the wrong length");
    }
    if !suits_on(isa, k, n) {
        return false;
    }
    if m == 0 || n == 0 {
        return true;
    }
    if k == 0 {
        match start {
            Start::Zero => out.fill(0.0),
            Start::Accumulate => {}
            Start::Bias(bias) => out
                .chunks_exact_mut(n)
                .for_each(|r| r.copy_from_slice(bias)),
        }
        finish(out);
        return true;
    }
    // Every element address the kernels compute is below these bounds.
    let last = |rows: usize, cols: usize, rs: usize, cs: usize| (rows - 1) * rs + (cols - 1) * cs;
    assert!(last(m, k, a.row_stride, a.col_stride) < a.data.len());
    assert!(last(k, n, b.row_stride, b.col_stride) < b.data.len());

    let width = tile_width(isa.isa(), n);
    let direct = b.col_stride == 1 && n % width == 0;
    PACKED_B.with(|packed| {
        let mut packed = packed.borrow_mut();
        let (b_ptr, b_row_stride, b_block_stride) = if direct {
            (b.data.as_ptr(), b.row_stride, width)
        } else {
            pack_b(b, width, &mut packed);
            (packed.as_ptr(), width, k * width)
        };
        // A long inner dimension is taken K_BLOCK at a time, every row tile finishing one
        // slice of a and b before the next, so the slices stay in L1 while all of out's row
        // tiles read them; each tile's running sums go through out between slices, in the
        // same order as without the split.
        let mut slice_start = 0;
        while slice_start < k {
            let slice = K_BLOCK.min(k - slice_start);
            let last = slice_start + slice == k;
            // SAFETY: slice_start < k, so both offsets stay inside the operands (the asserts
            // above; the packed copy holds k rows of `b_row_stride` floats per column block).
            let job = unsafe {
                Job {
                    m,
                    k: slice,
                    n,
                    a: a.data.as_ptr().add(slice_start * a.col_stride),
                    a_row_stride: a.row_stride,
                    a_col_stride: a.col_stride,
                    b: b_ptr.add(slice_start * b_row_stride),
                    b_row_stride,
                    b_block_stride,
                }
            };
            let slice_begins = if slice_start == 0 {
                start
            } else {
                Start::Accumulate
            };
            let slice_finish: &mut dyn FnMut(&mut [f32]) = if last { finish } else { &mut |_| {} };
            // SAFETY: the CPU has the instruction set `isa` (a SupportedIsa); the asserts
            // above bound every address read from a and b, the packed copy holds k rows of
            // every column block, and out is m·n long. Nothing aliases out, borrowed mutably.
            unsafe {
                match isa.isa() {
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx512 => tiles::avx512::run(&job, out, slice_begins, slice_finish),
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx2 => tiles::avx2::run(&job, out, slice_begins, slice_finish),
                    _ => unreachable!("suits_on is false for the scalar form"),
                }
            }
            slice_start += slice;
        }
    });
    true
}

/// The tile width (floats) for an output `n` wide; must agree with each module's `run`.
fn tile_width(isa: Isa, n: usize) -> usize {
    match isa {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 if n <= 16 => 16,
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 if n <= 32 => 32,
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => 64,
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 if n <= 8 => 8,
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 if n <= 16 => 16,
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => 32,
        _ => unreachable!("no tiles for the scalar form"),
    }
}

/// Copies b into column blocks of `width` floats a row, zero-padded past its last column.
/// Walks b in its own memory order (a transposed weight is read row by row of the weight).
fn pack_b(b: MatRef<'_>, width: usize, packed: &mut Vec<f32>) {
    let (k, n) = (b.rows, b.cols);
    let blocks = n.div_ceil(width);
    packed.resize(blocks * k * width, 0.0);
    if n % width != 0 {
        // Only the padding needs zeros; every other element is written below.
        packed.fill(0.0);
    }
    if b.row_stride == 1 && b.col_stride != 1 {
        #[cfg(target_arch = "x86_64")]
        if k % 8 == 0 && n % 8 == 0 && std::arch::is_x86_feature_detected!("avx") {
            let last = (n - 1) * b.col_stride + k - 1;
            assert!(last < b.data.len());
            for j in (0..n).step_by(8) {
                let (block, c) = (j / width, j % width);
                for p in (0..k).step_by(8) {
                    // SAFETY: AVX is present (checked above); rows j..j+8 of the stored
                    // matrix (columns of b) and its columns p..p+8 are below `last`; the
                    // panel has rows p..p+8 of `width` floats, with c + 8 <= width.
                    unsafe {
                        transpose_8x8(
                            b.data.as_ptr().add(j * b.col_stride + p),
                            b.col_stride,
                            packed.as_mut_ptr().add(block * k * width + p * width + c),
                            width,
                        );
                    }
                }
            }
            return;
        }
        for j in 0..n {
            let (block, c) = (j / width, j % width);
            let source = &b.data[j * b.col_stride..j * b.col_stride + k];
            let panel = &mut packed[block * k * width..(block + 1) * k * width];
            for (slot, &value) in panel.iter_mut().skip(c).step_by(width).zip(source) {
                *slot = value;
            }
        }
        return;
    }
    for (block, panel) in packed.chunks_exact_mut(k * width).enumerate() {
        let first = block * width;
        let cols = width.min(n - first);
        for (p, row) in panel.chunks_exact_mut(width).enumerate() {
            for (c, slot) in row[..cols].iter_mut().enumerate() {
                *slot = b.data[p * b.row_stride + (first + c) * b.col_stride];
            }
        }
    }
}

/// Writes the transpose of the 8 × 8 block at `src` (rows `src_stride` apart) to `dst`
/// (rows `dst_stride` apart): the usual unpack / shuffle / lane-swap sequence, 24 shuffles
/// for 64 floats where a scalar strided copy took about a nanosecond a float (profiled:
/// packing a transposed 64 × 64 weight cost as much as the product it fed).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn transpose_8x8(src: *const f32, src_stride: usize, dst: *mut f32, dst_stride: usize) {
    use std::arch::x86_64::*;
    // SAFETY: the caller guarantees 8 rows of 8 floats at both ends.
    unsafe {
        let r: [__m256; 8] = std::array::from_fn(|i| _mm256_loadu_ps(src.add(i * src_stride)));
        let t0 = _mm256_unpacklo_ps(r[0], r[1]);
        let t1 = _mm256_unpackhi_ps(r[0], r[1]);
        let t2 = _mm256_unpacklo_ps(r[2], r[3]);
        let t3 = _mm256_unpackhi_ps(r[2], r[3]);
        let t4 = _mm256_unpacklo_ps(r[4], r[5]);
        let t5 = _mm256_unpackhi_ps(r[4], r[5]);
        let t6 = _mm256_unpacklo_ps(r[6], r[7]);
        let t7 = _mm256_unpackhi_ps(r[6], r[7]);
        let s0 = _mm256_shuffle_ps::<0x44>(t0, t2);
        let s1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
        let s2 = _mm256_shuffle_ps::<0x44>(t1, t3);
        let s3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
        let s4 = _mm256_shuffle_ps::<0x44>(t4, t6);
        let s5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
        let s6 = _mm256_shuffle_ps::<0x44>(t5, t7);
        let s7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
        let rows = [
            _mm256_permute2f128_ps::<0x20>(s0, s4),
            _mm256_permute2f128_ps::<0x20>(s1, s5),
            _mm256_permute2f128_ps::<0x20>(s2, s6),
            _mm256_permute2f128_ps::<0x20>(s3, s7),
            _mm256_permute2f128_ps::<0x31>(s0, s4),
            _mm256_permute2f128_ps::<0x31>(s1, s5),
            _mm256_permute2f128_ps::<0x31>(s2, s6),
            _mm256_permute2f128_ps::<0x31>(s3, s7),
        ];
        for (i, row) in rows.into_iter().enumerate() {
            _mm256_storeu_ps(dst.add(i * dst_stride), row);
        }
    }
}

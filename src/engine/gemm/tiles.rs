//! The register-tiled kernels themselves, one module per instruction set, generated from
//! one source: `narrow_gemm` (the parent module) checks the operands, packs b and slices the
//! inner dimension, then calls `avx512::run` or `avx2::run` on each slice.

/// Generates one instruction set's kernels from the same source; only the vector type,
/// its width and the intrinsics differ.
macro_rules! isa_kernels {
    (
        mod $module:ident,
        feature = $feature:literal,
        lanes = $lanes:literal,
        zero = $zero:ident,
        load = $load:ident,
        store = $store:ident,
        splat = $splat:ident,
        fma = $fma:ident,
        add = $add:ident,
        // (widest n, vectors per tile row, tile rows), narrowest first
        tiles = [$(($max_n:expr, $vectors:literal, $rows:literal)),+ $(,)?] $(,)?
    ) => {
        #[cfg(target_arch = "x86_64")]
        pub(super) mod $module {
            use std::arch::x86_64::*;

            use super::super::{EDGE_TILE, FINISH_BLOCK, Job, MAX_TILE_WIDTH, Start};

            const LANES: usize = $lanes;

            /// Where one tile's starting values come from: `rows` rows `row_stride` apart
            /// (0 repeats one row, as a bias does), or nowhere (zero).
            #[derive(Clone, Copy)]
            struct Init {
                values: *const f32,
                row_stride: usize,
            }

            /// One R × (V·LANES) tile: `c = init + a·b` over the whole inner dimension, the
            /// accumulators never leaving registers.
            #[target_feature(enable = $feature)]
            #[allow(clippy::too_many_arguments)]
            unsafe fn tile<const V: usize, const R: usize>(
                k: usize,
                a: *const f32,
                a_row_stride: usize,
                a_col_stride: usize,
                b: *const f32,
                b_row_stride: usize,
                c: *mut f32,
                c_row_stride: usize,
                init: Init,
            ) {
                // SAFETY (whole body): the caller guarantees every pointer below stays within
                // the operands described by its `Job` (see `narrow_gemm`).
                unsafe {
                    let mut acc = [[$zero(); V]; R];
                    if !init.values.is_null() {
                        for (r, row) in acc.iter_mut().enumerate() {
                            for (v, lane) in row.iter_mut().enumerate() {
                                *lane = $load(init.values.add(r * init.row_stride + v * LANES));
                            }
                        }
                    }
                    // The steps wrap: `add` would be undefined behaviour on the last one,
                    // which points past the operands (never read). Every pointer read
                    // below is one of the k columns of a and rows of b, in bounds.
                    let (mut a, mut b) = (a, b);
                    for _ in 0..k {
                        let mut b_row = [$zero(); V];
                        for (v, lane) in b_row.iter_mut().enumerate() {
                            *lane = $load(b.add(v * LANES));
                        }
                        for (r, row) in acc.iter_mut().enumerate() {
                            let a_value = $splat(*a.add(r * a_row_stride));
                            for (lane, &b_lane) in row.iter_mut().zip(&b_row) {
                                *lane = $fma(a_value, b_lane, *lane);
                            }
                        }
                        a = a.wrapping_add(a_col_stride);
                        b = b.wrapping_add(b_row_stride);
                    }
                    for (r, row) in acc.iter().enumerate() {
                        for (v, &lane) in row.iter().enumerate() {
                            $store(c.add(r * c_row_stride + v * LANES), lane);
                        }
                    }
                }
            }

            /// A single output row over a long inner dimension (a weight gradient of a
            /// one-input or one-output layer): `tile::<V, 1>` would wait on one chain of
            /// dependent multiply-adds, so four independent partial sums take turns.
            #[target_feature(enable = $feature)]
            unsafe fn row_tile<const V: usize>(
                k: usize,
                a: *const f32,
                a_col_stride: usize,
                b: *const f32,
                b_row_stride: usize,
                c: *mut f32,
                init: Init,
            ) {
                const CHAINS: usize = 4;
                // SAFETY (whole body): as for `tile`.
                unsafe {
                    let mut acc = [[$zero(); V]; CHAINS];
                    if !init.values.is_null() {
                        for (v, lane) in acc[0].iter_mut().enumerate() {
                            *lane = $load(init.values.add(v * LANES));
                        }
                    }
                    // Wrapping steps, as in `tile`: the last points past the operands.
                    let (mut a, mut b) = (a, b);
                    let mut p = 0;
                    while p + CHAINS <= k {
                        for chain in acc.iter_mut() {
                            let a_value = $splat(*a);
                            for (v, lane) in chain.iter_mut().enumerate() {
                                *lane = $fma(a_value, $load(b.add(v * LANES)), *lane);
                            }
                            a = a.wrapping_add(a_col_stride);
                            b = b.wrapping_add(b_row_stride);
                        }
                        p += CHAINS;
                    }
                    while p < k {
                        let a_value = $splat(*a);
                        for (v, lane) in acc[0].iter_mut().enumerate() {
                            *lane = $fma(a_value, $load(b.add(v * LANES)), *lane);
                        }
                        a = a.wrapping_add(a_col_stride);
                        b = b.wrapping_add(b_row_stride);
                        p += 1;
                    }
                    for v in 0..V {
                        let pair_a = $add(acc[0][v], acc[1][v]);
                        let pair_b = $add(acc[2][v], acc[3][v]);
                        $store(c.add(v * LANES), $add(pair_a, pair_b));
                    }
                }
            }

            /// Picks the tile shape for `job.n` and runs it.
            #[target_feature(enable = $feature)]
            pub(in crate::engine::gemm) unsafe fn run(
                job: &Job,
                out: &mut [f32],
                start: Start<'_>,
                finish: &mut dyn FnMut(&mut [f32]),
            ) {
                $(
                    if job.n <= $max_n {
                        // SAFETY: forwarded from the caller.
                        return unsafe { drive::<$vectors, $rows>(job, out, start, finish) };
                    }
                )+
                unreachable!("the last tile shape takes any width");
            }

            #[target_feature(enable = $feature)]
            unsafe fn drive<const V: usize, const R: usize>(
                job: &Job,
                out: &mut [f32],
                start: Start<'_>,
                finish: &mut dyn FnMut(&mut [f32]),
            ) {
                let width = V * LANES;
                debug_assert!(R * width <= EDGE_TILE && width <= MAX_TILE_WIDTH);
                let Job { m, k, n, .. } = *job;
                let blocks = n.div_ceil(width);
                // Tiles that stick out past column n are computed here, then copied in. All
                // access below goes through these raw pointers (re-taken after `finish`
                // borrows out), so no reference outlives a pointer derived beside it.
                let mut edge_tile = [0.0f32; EDGE_TILE];
                let mut edge_bias_row = [0.0f32; MAX_TILE_WIDTH];
                let edge = edge_tile.as_mut_ptr();
                let edge_bias = edge_bias_row.as_mut_ptr();
                let none = Init { values: std::ptr::null(), row_stride: 0 };
                let (mut row, mut finished) = (0, 0);
                while row < m {
                    let rows = R.min(m - row);
                    let out_ptr = out.as_mut_ptr();
                    for block in 0..blocks {
                        let col = block * width;
                        let cols = width.min(n - col);
                        let full = cols == width;
                        // SAFETY (block): rows row..row+rows and columns col..col+cols are
                        // inside out (m × n); the edge buffers hold R × width and width floats;
                        // a's rows and b's column block exist (Job).
                        unsafe {
                            let (c, c_row_stride) = if full {
                                (out_ptr.add(row * n + col), n)
                            } else {
                                (edge, width)
                            };
                            let init = match start {
                                Start::Zero => none,
                                Start::Bias(bias) if full => Init {
                                    values: bias.as_ptr().add(col),
                                    row_stride: 0,
                                },
                                Start::Bias(bias) => {
                                    std::ptr::write_bytes(edge_bias, 0, width);
                                    std::ptr::copy_nonoverlapping(
                                        bias.as_ptr().add(col), edge_bias, cols,
                                    );
                                    Init { values: edge_bias, row_stride: 0 }
                                }
                                Start::Accumulate if full => Init { values: c, row_stride: n },
                                Start::Accumulate => {
                                    for r in 0..rows {
                                        let tile_row = edge.add(r * width);
                                        std::ptr::write_bytes(tile_row, 0, width);
                                        std::ptr::copy_nonoverlapping(
                                            out_ptr.add((row + r) * n + col), tile_row, cols,
                                        );
                                    }
                                    Init { values: edge, row_stride: width }
                                }
                            };
                            let a = job.a.add(row * job.a_row_stride);
                            let b = job.b.add(block * job.b_block_stride);
                            if m == 1 && k >= 64 {
                                row_tile::<V>(
                                    k, a, job.a_col_stride, b, job.b_row_stride, c, init,
                                );
                            } else if rows == R {
                                tile::<V, R>(
                                    k, a, job.a_row_stride, job.a_col_stride, b,
                                    job.b_row_stride, c, c_row_stride, init,
                                );
                            } else {
                                // The last rows, fewer than R: in tiles of 4, 2 and 1 rows, so
                                // a long inner dimension still has independent sums to
                                // interleave.
                                let mut r = 0;
                                while r < rows {
                                    let take = match rows - r {
                                        left if left >= 4 => 4,
                                        left if left >= 2 => 2,
                                        _ => 1,
                                    };
                                    let part_init = Init {
                                        values: if init.values.is_null() {
                                            init.values
                                        } else {
                                            init.values.add(r * init.row_stride)
                                        },
                                        row_stride: init.row_stride,
                                    };
                                    let (a, c) = (
                                        a.add(r * job.a_row_stride),
                                        c.add(r * c_row_stride),
                                    );
                                    let (ars, acs, brs) =
                                        (job.a_row_stride, job.a_col_stride, job.b_row_stride);
                                    match take {
                                        4 => tile::<V, 4>(
                                            k, a, ars, acs, b, brs, c, c_row_stride, part_init,
                                        ),
                                        2 => tile::<V, 2>(
                                            k, a, ars, acs, b, brs, c, c_row_stride, part_init,
                                        ),
                                        _ => tile::<V, 1>(
                                            k, a, ars, acs, b, brs, c, c_row_stride, part_init,
                                        ),
                                    }
                                    r += take;
                                }
                            }
                            if !full {
                                for r in 0..rows {
                                    std::ptr::copy_nonoverlapping(
                                        edge.add(r * width),
                                        out_ptr.add((row + r) * n + col),
                                        cols,
                                    );
                                }
                            }
                        }
                    }
                    row += rows;
                    if (row - finished) * n >= FINISH_BLOCK || row == m {
                        finish(&mut out[finished * n..row * n]);
                        finished = row;
                    }
                }
            }
        }
    };
}

// AVX-512: 32 vector registers. A tile of R rows × V vectors keeps R·V accumulators plus V
// operand vectors live; 8 × 2 and 6 × 4 leave room, and give two multiply-adds per load.
isa_kernels! {
    mod avx512,
    feature = "avx512f,avx2,fma",
    lanes = 16,
    zero = _mm512_setzero_ps,
    load = _mm512_loadu_ps,
    store = _mm512_storeu_ps,
    splat = _mm512_set1_ps,
    fma = _mm512_fmadd_ps,
    add = _mm512_add_ps,
    tiles = [(16, 1, 8), (32, 2, 8), (usize::MAX, 4, 6)],
}

// AVX2: 16 vector registers, so at most 12 accumulators.
isa_kernels! {
    mod avx2,
    feature = "avx2,fma",
    lanes = 8,
    zero = _mm256_setzero_ps,
    load = _mm256_loadu_ps,
    store = _mm256_storeu_ps,
    splat = _mm256_set1_ps,
    fma = _mm256_fmadd_ps,
    add = _mm256_add_ps,
    tiles = [(8, 1, 8), (16, 2, 6), (usize::MAX, 4, 3)],
}

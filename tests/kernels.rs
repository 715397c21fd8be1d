//! The matrix-product kernel against a plain f64 triple loop, on every path it takes: the
//! general cache-blocked one and the direct ones for a dimension of 1, each with transposed
//! (strided) operands and with beta 0 (overwrite) and 1 (accumulate).

use nanograd::engine::gemm::{Start, narrow_gemm, suits};
use nanograd::engine::kernels::{MatRef, matmul_into};

/// A deterministic pseudo-random fill in [-1, 1).
fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

fn at(m: &MatRef<'_>, i: usize, j: usize) -> f64 {
    f64::from(m.data[i * m.row_stride + j * m.col_stride])
}

/// A rows × cols view of `data`; a transposed one is stored as its transpose and viewed back,
/// so the kernels see strided (column-major) access.
fn view(data: &[f32], rows: usize, cols: usize, transposed: bool) -> MatRef<'_> {
    if transposed {
        MatRef::new(data, cols, rows).t()
    } else {
        MatRef::new(data, rows, cols)
    }
}

#[test]
fn matmul_matches_a_naive_product_on_every_path() {
    let shapes = [
        (1, 1, 1),
        (5, 1, 7),   // k = 1: outer product
        (1, 9, 6),   // m = 1: row times matrix
        (13, 11, 1), // n = 1: matrix times column
        (1, 20, 1),  // a dot product
        (17, 3, 5),  // general
        (64, 33, 40),
        (40, 50, 1),   // a column out of a tall product
        (48, 32, 1),   // the output layer of `small`: whole groups of 16 rows
        (3, 1, 70),    // outer product wider than a tile
        (100, 32, 32), // the `small` bench's hidden layer
        (100, 64, 64), // the `medium` bench's
        (9, 200, 24),  // a weight gradient: long inner dimension
        (20, 8, 300),  // wide output, short inner dimension
        (30, 100, 90), // past the narrow kernel: the cache-blocked one
    ];
    let mut checked = 0;
    for (seed, &(m, k, n)) in shapes.iter().enumerate() {
        for transpose_a in [false, true] {
            for transpose_b in [false, true] {
                for beta in [0.0f32, 1.0] {
                    let a_data = values(m * k, seed as u64 * 4 + 1);
                    let b_data = values(k * n, seed as u64 * 4 + 2);
                    let a = view(&a_data, m, k, transpose_a);
                    let b = view(&b_data, k, n, transpose_b);
                    let start = values(m * n, seed as u64 * 4 + 3);
                    let mut out = start.clone();
                    matmul_into(a, b, &mut out, beta);
                    for i in 0..m {
                        for j in 0..n {
                            let expected: f64 = f64::from(beta) * f64::from(start[i * n + j])
                                + (0..k).map(|p| at(&a, i, p) * at(&b, p, j)).sum::<f64>();
                            let got = f64::from(out[i * n + j]);
                            // f32 products of k terms in [-1, 1]: rounding stays below k·2⁻²³.
                            let tolerance = 1e-6 * (k as f64 + 1.0) * 4.0;
                            assert!(
                                (got - expected).abs() < tolerance,
                                "{m}×{k}×{n} ta={transpose_a} tb={transpose_b} beta={beta} at ({i},{j}): {got} vs {expected}"
                            );
                        }
                    }
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, shapes.len() * 8);
}

/// The register-tiled kernel on every tile shape and edge: widths below, at and past each
/// tile width (8, 16, 32, 64 floats), row counts that leave a remainder of every size or span
/// several `finish` blocks, inner dimensions from 1 to past two slices, transposed (strided)
/// operands, and all three starting values. `finish` must see every row exactly once, in
/// order, in whole rows.
#[test]
fn narrow_gemm_matches_a_naive_product_on_every_tile_and_edge() {
    let widths = [
        1, 2, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 100, 130,
    ];
    let mut checked = 0;
    for (case, &n) in widths.iter().enumerate() {
        for &k in &[1usize, 2, 5, 16, 33, 300] {
            for &m in &[1usize, 3, 8, 13, 50, 300] {
                let seed = (case * 100 + k * 10 + m) as u64;
                let transpose_a = seed.is_multiple_of(2);
                let transpose_b = (seed / 2).is_multiple_of(2);
                let a_data = values(m * k, seed * 5 + 1);
                let b_data = values(k * n, seed * 5 + 2);
                let bias = values(n, seed * 5 + 3);
                let initial = values(m * n, seed * 5 + 4);
                let a = view(&a_data, m, k, transpose_a);
                let b = view(&b_data, k, n, transpose_b);
                for start_kind in 0..3 {
                    let start = match start_kind {
                        0 => Start::Zero,
                        1 => Start::Accumulate,
                        _ => Start::Bias(&bias),
                    };
                    let mut out = initial.clone();
                    let first = out.as_ptr() as usize;
                    let mut rows_seen = 0;
                    let ran = narrow_gemm(a, b, &mut out, start, &mut |rows| {
                        assert_eq!(rows.len() % n, 0, "finish got a partial row");
                        let offset = (rows.as_ptr() as usize - first) / size_of::<f32>();
                        assert_eq!(offset, rows_seen * n, "finish skipped or repeated rows");
                        rows_seen += rows.len() / n;
                    });
                    assert_eq!(ran, suits(k, n), "{m}×{k}×{n}: ran {ran}");
                    if !ran {
                        continue;
                    }
                    assert_eq!(rows_seen, m, "{m}×{k}×{n}: finish saw {rows_seen} rows");
                    for i in 0..m {
                        for j in 0..n {
                            let before = match start_kind {
                                0 => 0.0,
                                1 => f64::from(initial[i * n + j]),
                                _ => f64::from(bias[j]),
                            };
                            let expected =
                                before + (0..k).map(|p| at(&a, i, p) * at(&b, p, j)).sum::<f64>();
                            let got = f64::from(out[i * n + j]);
                            let tolerance = 1e-6 * (k as f64 + 1.0) * 4.0;
                            assert!(
                                (got - expected).abs() < tolerance,
                                "{m}×{k}×{n} ta={transpose_a} tb={transpose_b} start={start_kind} at ({i},{j}): {got} vs {expected}"
                            );
                        }
                    }
                    checked += 1;
                }
            }
        }
    }
    // Every shape but the wide ones with a long inner dimension takes the narrow kernel on a
    // CPU with AVX2 or AVX-512; on others narrow_gemm declines and nothing is checked here.
    if suits(1, 1) {
        assert!(
            checked > widths.len() * 5 * 5 * 3 / 2,
            "only {checked} cases ran"
        );
    }
}

//! The matrix-product kernel against a plain f64 triple loop, on every path it takes: the
//! general cache-blocked one and the direct ones for a dimension of 1, each with transposed
//! (strided) operands and with beta 0 (overwrite) and 1 (accumulate).

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
    ];
    let mut checked = 0;
    for (seed, &(m, k, n)) in shapes.iter().enumerate() {
        for transpose_a in [false, true] {
            for transpose_b in [false, true] {
                for beta in [0.0f32, 1.0] {
                    let a_data = values(m * k, seed as u64 * 4 + 1);
                    let b_data = values(k * n, seed as u64 * 4 + 2);
                    // A transposed operand is stored as its transpose and viewed back.
                    let a = if transpose_a {
                        MatRef::new(&a_data, k, m).t()
                    } else {
                        MatRef::new(&a_data, m, k)
                    };
                    let b = if transpose_b {
                        MatRef::new(&b_data, n, k).t()
                    } else {
                        MatRef::new(&b_data, k, n)
                    };
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

//! The engine's kernels against plain f64 arithmetic, on every path they take and in every
//! instruction set this CPU has, not only the widest that normal dispatch picks: a machine
//! with AVX-512 would otherwise never run the AVX2 code it ships to machines without. An
//! instruction set the CPU lacks is skipped with a note on stderr.
//!
//! The matrix product: the general cache-blocked path, the register-tiled one and the direct
//! ones for a dimension of 1, each with transposed (strided) operands and with beta 0
//! (overwrite) and 1 (accumulate). The element kernels: each against f64 and, where only
//! the vector width differs between forms, bit for bit against the scalar form.

use nanograd::engine::Nonlinearity;
use nanograd::engine::gemm::{Start, narrow_gemm_on, suits_on};
use nanograd::engine::isa::{Isa, SupportedIsa};
use nanograd::engine::kernels::{
    MatRef, axpy_into_on, column_sums_into_on, matmul_into_on, rows_dot_into_on, sigmoid_slice_on,
    tanh_in_place_on,
};

/// Every instruction set this CPU can run, narrowest first, naming on stderr any it cannot
/// (whose kernels the calling test then does not check).
fn runnable_isas(test: &str) -> Vec<SupportedIsa> {
    let mut runnable = Vec::new();
    for isa in Isa::ALL {
        match isa.supported() {
            Some(supported) => runnable.push(supported),
            None => eprintln!("{test}: skipped {isa:?}, which this CPU lacks"),
        }
    }
    let names: Vec<_> = runnable.iter().map(|isa| isa.isa()).collect();
    eprintln!("{test}: ran {names:?}");
    runnable
}

/// The scalar form, which every CPU runs.
fn scalar() -> SupportedIsa {
    Isa::Scalar
        .supported()
        .expect("every CPU runs the scalar form")
}

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
fn isa_detection_picks_the_widest_the_cpu_has() {
    let best = SupportedIsa::best().isa();
    assert!(best.is_supported());
    let widest = Isa::ALL.into_iter().rev().find(|isa| isa.is_supported());
    assert_eq!(Some(best), widest);
    assert!(Isa::Scalar.is_supported());
    if Isa::Avx512.is_supported() {
        assert!(
            Isa::Avx2.is_supported(),
            "AVX-512 forms also use AVX2 and FMA"
        );
    }
    #[cfg(target_arch = "x86_64")]
    {
        let has = |feature: bool, isa: Isa| assert_eq!(feature, isa.is_supported(), "{isa:?}");
        has(
            is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
            Isa::Avx2,
        );
        has(
            is_x86_feature_detected!("avx2")
                && is_x86_feature_detected!("fma")
                && is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512dq"),
            Isa::Avx512,
        );
    }
}

/// `a @ b` in f64, row-major m × n.
fn naive_product(a: &MatRef<'_>, b: &MatRef<'_>) -> Vec<f64> {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    let mut product = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            product[i * n + j] = (0..k).map(|p| at(a, i, p) * at(b, p, j)).sum();
        }
    }
    product
}

/// f32 products of k terms in [-1, 1]: rounding stays below k·2⁻²³.
fn product_tolerance(k: usize) -> f64 {
    1e-6 * (k as f64 + 1.0) * 4.0
}

#[test]
fn matmul_matches_a_naive_product_on_every_path_and_instruction_set() {
    let shapes = [
        (1, 1, 1),
        (0, 3, 4), // empty edges: nothing to write, or (k = 0) only beta·out
        (3, 0, 4),
        (4, 3, 0),
        (5, 1, 7),   // k = 1: outer product
        (1, 9, 6),   // m = 1: row times matrix
        (13, 11, 1), // n = 1: matrix times column
        (1, 20, 1),  // a dot product
        (17, 3, 5),  // general
        (64, 33, 40),
        (40, 50, 1),   // a column out of a tall product
        (48, 32, 1),   // the output layer of `small`: whole groups of 16 rows
        (37, 19, 1),   // groups of 16 rows and a remainder, k past a register
        (3, 1, 70),    // outer product wider than a tile
        (100, 32, 32), // the `small` bench's hidden layer
        (100, 64, 64), // the `medium` bench's
        (9, 200, 24),  // a weight gradient: long inner dimension
        (20, 8, 300),  // wide output, short inner dimension
        (7, 130, 9),   // neither dimension a multiple of any vector width, k past a slice
        (30, 100, 90), // past the narrow kernel: the cache-blocked one
    ];
    let isas = runnable_isas("matmul");
    let mut checked = 0;
    for (seed, &(m, k, n)) in shapes.iter().enumerate() {
        for transpose_a in [false, true] {
            for transpose_b in [false, true] {
                let a_data = values(m * k, seed as u64 * 4 + 1);
                let b_data = values(k * n, seed as u64 * 4 + 2);
                let a = view(&a_data, m, k, transpose_a);
                let b = view(&b_data, k, n, transpose_b);
                let product = naive_product(&a, &b);
                let start = values(m * n, seed as u64 * 4 + 3);
                for &isa in &isas {
                    for beta in [0.0f32, 1.0] {
                        let mut out = start.clone();
                        matmul_into_on(isa, a, b, &mut out, beta);
                        for (index, (&got, &sum)) in out.iter().zip(&product).enumerate() {
                            let expected = f64::from(beta) * f64::from(start[index]) + sum;
                            let got = f64::from(got);
                            assert!(
                                (got - expected).abs() < product_tolerance(k),
                                "{:?} {m}×{k}×{n} ta={transpose_a} tb={transpose_b} beta={beta} at {index}: {got} vs {expected}",
                                isa.isa()
                            );
                        }
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, shapes.len() * 8 * isas.len());
}

/// The register-tiled kernel in each instruction set on every tile shape and edge: widths
/// below, at and past each tile width (8, 16, 32, 64 floats), row counts that leave a
/// remainder of every size or span several `finish` blocks, inner dimensions from 1 to past
/// two slices, all four transpositions (strided operands), and all three starting values.
/// `finish` must see every row exactly once, in order, in whole rows. The scalar form has
/// no tiles: there `narrow_gemm_on` must decline and touch nothing.
#[test]
fn narrow_gemm_matches_a_naive_product_on_every_tile_edge_and_instruction_set() {
    let widths = [
        0, 1, 2, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 100, 130,
    ];
    let isas = runnable_isas("narrow_gemm");
    let mut checked = vec![0; isas.len()];
    for (case, &n) in widths.iter().enumerate() {
        for &k in &[0usize, 1, 2, 5, 16, 33, 300] {
            for &m in &[0usize, 1, 3, 8, 13, 50, 300] {
                for transposes in 0..4 {
                    let (transpose_a, transpose_b) = (transposes & 1 == 1, transposes & 2 == 2);
                    let seed = (((case * 1000 + k) * 1000 + m) * 4 + transposes) as u64;
                    let a_data = values(m * k, seed * 5 + 1);
                    let b_data = values(k * n, seed * 5 + 2);
                    let bias = values(n, seed * 5 + 3);
                    let initial = values(m * n, seed * 5 + 4);
                    let a = view(&a_data, m, k, transpose_a);
                    let b = view(&b_data, k, n, transpose_b);
                    let product = naive_product(&a, &b);
                    for (isa_index, &isa) in isas.iter().enumerate() {
                        for start_kind in 0..3 {
                            let start = match start_kind {
                                0 => Start::Zero,
                                1 => Start::Accumulate,
                                _ => Start::Bias(&bias),
                            };
                            let mut out = initial.clone();
                            let first = out.as_ptr() as usize;
                            let mut rows_seen = 0;
                            let ran = narrow_gemm_on(isa, a, b, &mut out, start, &mut |rows| {
                                if n > 0 {
                                    assert_eq!(rows.len() % n, 0, "finish got a partial row");
                                    let offset =
                                        (rows.as_ptr() as usize - first) / size_of::<f32>();
                                    assert_eq!(
                                        offset,
                                        rows_seen * n,
                                        "finish skipped or repeated rows"
                                    );
                                    rows_seen += rows.len() / n;
                                }
                            });
                            let name = format!(
                                "{:?} {m}×{k}×{n} ta={transpose_a} tb={transpose_b} start={start_kind}",
                                isa.isa()
                            );
                            assert_eq!(ran, suits_on(isa, k, n), "{name}: ran {ran}");
                            if !ran {
                                assert_eq!(out, initial, "{name}: declined but wrote");
                                continue;
                            }
                            if n > 0 && m > 0 {
                                assert_eq!(rows_seen, m, "{name}: finish saw {rows_seen} rows");
                            }
                            for (index, (&got, &sum)) in out.iter().zip(&product).enumerate() {
                                let before = match start_kind {
                                    0 => 0.0,
                                    1 => f64::from(initial[index]),
                                    _ => f64::from(bias[index % n]),
                                };
                                let (expected, got) = (before + sum, f64::from(got));
                                assert!(
                                    (got - expected).abs() < product_tolerance(k),
                                    "{name} at {index}: {got} vs {expected}"
                                );
                            }
                            checked[isa_index] += 1;
                        }
                    }
                }
            }
        }
    }
    for (isa, &count) in isas.iter().zip(&checked) {
        if isa.isa() == Isa::Scalar {
            assert_eq!(count, 0, "the scalar form has no tiles");
        } else {
            // Every shape but the wide ones with a long inner dimension takes the tiles:
            // all but 3 widths × 2 inner dimensions of the 19 × 7.
            assert!(
                count >= widths.len() * 7 * 7 * 4 * 3 * 9 / 10,
                "{:?}: only {count} cases ran",
                isa.isa()
            );
        }
    }
}

/// Lengths around each vector width (8 and 16 floats), so every kernel has whole registers
/// and a remainder, and the empty slice.
const LENGTHS: [usize; 14] = [0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 1027];

/// Inputs across tanh's range and past its clamp at ±7.9, with zeros of both signs.
fn activation_inputs(length: usize, seed: u64) -> Vec<f32> {
    let mut inputs: Vec<f32> = values(length, seed).iter().map(|v| v * 10.0).collect();
    for (slot, special) in inputs.iter_mut().zip([0.0, -0.0, 1e6, -1e6, 1e-30]) {
        *slot = special;
    }
    inputs
}

fn assert_close(name: &str, got: &[f32], expected: &[f64], tolerance: f64) {
    assert_eq!(got.len(), expected.len(), "{name}: length");
    for (index, (&got, &want)) in got.iter().zip(expected).enumerate() {
        let error = (f64::from(got) - want).abs();
        assert!(
            error <= tolerance,
            "{name} at {index}: {got} vs {want}, off by {error:e}"
        );
    }
}

/// Bit for bit: the forms differ only in vector width, never in the order of operations.
fn assert_same_bits(name: &str, got: &[f32], scalar: &[f32]) {
    let bits = |values: &[f32]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(got),
        bits(scalar),
        "{name}: differs from the scalar form"
    );
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[test]
fn activations_match_f64_in_every_instruction_set() {
    let isas = runnable_isas("activations");
    for &isa in &isas {
        for (seed, &length) in LENGTHS.iter().enumerate() {
            let inputs = activation_inputs(length, seed as u64);
            let name = |kernel: &str| format!("{:?} {kernel} over {length}", isa.isa());

            let mut tanh = inputs.clone();
            tanh_in_place_on(isa, &mut tanh);
            let exact: Vec<f64> = inputs.iter().map(|&x| f64::from(x).tanh()).collect();
            assert_close(&name("tanh_in_place_on"), &tanh, &exact, 1e-6);
            assert!(
                tanh.iter().all(|y| y.abs() <= 1.0),
                "{}",
                name("tanh past ±1")
            );
            let mut applied = inputs.clone();
            Nonlinearity::Tanh.apply_in_place_on(isa, &mut applied);
            assert_same_bits(&name("Tanh.apply_in_place_on"), &applied, &tanh);

            let mut sigmoid = vec![f32::NAN; length];
            sigmoid_slice_on(isa, &mut sigmoid, &inputs);
            let exact: Vec<f64> = inputs.iter().map(|&x| logistic(f64::from(x))).collect();
            assert_close(&name("sigmoid_slice_on"), &sigmoid, &exact, 1e-6);
            let mut scalar_sigmoid = vec![f32::NAN; length];
            sigmoid_slice_on(scalar(), &mut scalar_sigmoid, &inputs);
            assert_same_bits(&name("sigmoid_slice_on"), &sigmoid, &scalar_sigmoid);

            for nonlinearity in [
                Nonlinearity::Identity,
                Nonlinearity::Relu,
                Nonlinearity::Sigmoid,
            ] {
                let mut applied = inputs.clone();
                nonlinearity.apply_in_place_on(isa, &mut applied);
                let mut scalar_applied = inputs.clone();
                nonlinearity.apply_in_place_on(scalar(), &mut scalar_applied);
                let label = name(&format!("{nonlinearity:?}.apply_in_place_on"));
                assert_same_bits(&label, &applied, &scalar_applied);
                let exact: Vec<f64> = inputs
                    .iter()
                    .map(|&x| {
                        let x = f64::from(x);
                        match nonlinearity {
                            Nonlinearity::Identity => x,
                            Nonlinearity::Relu => x.max(0.0),
                            _ => logistic(x),
                        }
                    })
                    .collect();
                assert_close(&label, &applied, &exact, 1e-6);
            }
        }
    }
}

#[test]
fn activation_derivatives_match_f64_in_every_instruction_set() {
    let isas = runnable_isas("activation derivatives");
    for &isa in &isas {
        for (seed, &length) in LENGTHS.iter().enumerate() {
            let grad = values(length, seed as u64 * 2 + 100);
            for nonlinearity in [
                Nonlinearity::Identity,
                Nonlinearity::Tanh,
                Nonlinearity::Relu,
                Nonlinearity::Sigmoid,
            ] {
                // Outputs in the function's range, with relu's zeros among them.
                let output: Vec<f32> = values(length, seed as u64 * 2 + 101)
                    .iter()
                    .map(|&y| match nonlinearity {
                        Nonlinearity::Sigmoid => 0.5 * y + 0.5,
                        Nonlinearity::Relu => y.max(0.0),
                        _ => y,
                    })
                    .collect();
                let mut scaled = grad.clone();
                nonlinearity.scale_by_derivative_on(isa, &mut scaled, &output);
                let mut scalar_scaled = grad.clone();
                nonlinearity.scale_by_derivative_on(scalar(), &mut scalar_scaled, &output);
                let label = format!(
                    "{:?} {nonlinearity:?}.scale_by_derivative_on over {length}",
                    isa.isa()
                );
                assert_same_bits(&label, &scaled, &scalar_scaled);
                let exact: Vec<f64> = grad
                    .iter()
                    .zip(&output)
                    .map(|(&g, &y)| {
                        let (g, y) = (f64::from(g), f64::from(y));
                        g * match nonlinearity {
                            Nonlinearity::Identity => 1.0,
                            Nonlinearity::Tanh => 1.0 - y * y,
                            Nonlinearity::Relu => f64::from(u8::from(y > 0.0)),
                            Nonlinearity::Sigmoid => y * (1.0 - y),
                        }
                    })
                    .collect();
                assert_close(&label, &scaled, &exact, 1e-6);
            }
        }
    }
}

#[test]
fn row_and_column_kernels_match_f64_in_every_instruction_set() {
    let isas = runnable_isas("row and column kernels");
    for &isa in &isas {
        let form = isa.isa();
        // Column sums: the widths with a fixed-width form (1, 8, 16, 32, 64) and others.
        for &width in &[1usize, 3, 8, 9, 16, 17, 32, 64, 65] {
            for &rows in &[0usize, 1, 7, 50] {
                let data = values(width * rows, (width * 100 + rows) as u64);
                let initial = values(width, (width * 100 + rows) as u64 + 1);
                for beta in [0.0f32, 1.0] {
                    let mut sums = initial.clone();
                    column_sums_into_on(isa, &mut sums, &data, beta);
                    let mut scalar_sums = initial.clone();
                    column_sums_into_on(scalar(), &mut scalar_sums, &data, beta);
                    let label = format!("{form:?} column_sums {rows}×{width} beta={beta}");
                    assert_same_bits(&label, &sums, &scalar_sums);
                    let exact: Vec<f64> = (0..width)
                        .map(|j| {
                            f64::from(beta) * f64::from(initial[j])
                                + (0..rows)
                                    .map(|i| f64::from(data[i * width + j]))
                                    .sum::<f64>()
                        })
                        .collect();
                    assert_close(&label, &sums, &exact, product_tolerance(rows));
                }
            }
        }
        for (seed, &length) in LENGTHS.iter().enumerate() {
            let row = values(length, seed as u64 * 3 + 200);
            let initial = values(length, seed as u64 * 3 + 201);
            for beta in [0.0f32, 1.0] {
                let mut out = initial.clone();
                axpy_into_on(isa, &mut out, -0.75, &row, beta);
                let mut scalar_out = initial.clone();
                axpy_into_on(scalar(), &mut scalar_out, -0.75, &row, beta);
                let label = format!("{form:?} axpy over {length} beta={beta}");
                assert_same_bits(&label, &out, &scalar_out);
                let exact: Vec<f64> = (0..length)
                    .map(|i| f64::from(beta) * f64::from(initial[i]) - 0.75 * f64::from(row[i]))
                    .collect();
                assert_close(&label, &out, &exact, 1e-6);
            }
        }
        // Row dots: rows of k floats `stride` apart (a stride past k skips a gap).
        for &k in &[0usize, 1, 7, 8, 17, 64, 100] {
            for &(rows, gap) in &[(0usize, 0usize), (1, 0), (5, 3), (33, 0)] {
                let stride = k + gap;
                let a = values(rows * stride, (k * 10 + rows) as u64);
                let b = values(k, (k * 10 + rows) as u64 + 1);
                let initial = values(rows, (k * 10 + rows) as u64 + 2);
                for beta in [0.0f32, 1.0] {
                    let mut out = initial.clone();
                    rows_dot_into_on(isa, &mut out, &a, stride, k, &b, beta);
                    let mut scalar_out = initial.clone();
                    rows_dot_into_on(scalar(), &mut scalar_out, &a, stride, k, &b, beta);
                    let label = format!("{form:?} rows_dot {rows}×{k} stride {stride}");
                    assert_same_bits(&label, &out, &scalar_out);
                    let exact: Vec<f64> = (0..rows)
                        .map(|i| {
                            f64::from(beta) * f64::from(initial[i])
                                + (0..k)
                                    .map(|p| f64::from(a[i * stride + p]) * f64::from(b[p]))
                                    .sum::<f64>()
                        })
                        .collect();
                    assert_close(&label, &out, &exact, product_tolerance(k));
                }
            }
        }
    }
}

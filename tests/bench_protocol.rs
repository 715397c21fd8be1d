//! The bench protocol port against golden values of the Python reference.
//!
//! Every literal here was printed by the reference scripts (`dataset_dump.py`, plus FNV-1a 64
//! hashes over the full f32 / f64 bit patterns computed from `common.py` with CPython 3.11):
//! bit patterns must match exactly, checksums to 1e-9 relative. The MSE values are the README's
//! reference table (f32 trainers agree on them to 4e-5 relative).

use nanograd::bench::protocol::{grid, target};
use nanograd::bench::{
    BenchConfig, ReferenceTrainer, checksums, flops_per_step, init_params, lattice_multipliers,
    make_dataset, n_params,
};

struct Golden {
    name: &'static str,
    lattice_multipliers: &'static [u64],
    n_params: usize,
    flops_per_step: u64,
    sum_x2: f64,
    wsum_x: f64,
    wsum_y: f64,
    sum_params: f64,
    wsum_params: f64,
    x_rows0_3_bits: &'static [&'static [u32]],
    y0_3_bits: [u32; 3],
    /// `W0[0][0..3]` when the first layer has ≥ 3 inputs, else `W0[0..3][0]`.
    w0_first3_bits: [u32; 3],
    b_last_bits: [u32; 1],
    /// FNV-1a 64 over the little-endian f32 bytes of all of x, y, and the flat parameters.
    x_fnv: u64,
    y_fnv: u64,
    params_fnv: u64,
    /// README: full-data MSE at initialisation and after 200 steps.
    init_mse: f64,
    mse_after_200: f64,
}

const GOLDEN: [Golden; 4] = [
    Golden {
        name: "tiny",
        lattice_multipliers: &[1],
        n_params: 321,
        flops_per_step: 345_600,
        sum_x2: 606.0301499281587,
        wsum_x: -93.07536638062447,
        wsum_y: -163.00039556622505,
        sum_params: 2.5707800173258875,
        wsum_params: -324.2272185027541,
        x_rows0_3_bits: &[&[0x3ff134be], &[0xc0196833], &[0xbfe1c4d3]],
        y0_3_bits: [0xbcb0e831, 0x3e8e1eca, 0xbe1c47d7],
        w0_first3_bits: [0x3f444150, 0xbe0c3b0d, 0xbf727746],
        b_last_bits: [0xbe06658d],
        x_fnv: 0x8718072e1c450035,
        y_fnv: 0x60b6343b3bc7ec15,
        params_fnv: 0xeeb0c0872e824b10,
        init_mse: 0.520714,
        mse_after_200: 0.0299338,
    },
    Golden {
        name: "small",
        lattice_multipliers: &[1],
        n_params: 1153,
        flops_per_step: 6_528_000,
        sum_x2: 3006.0060253455367,
        wsum_x: 6536.516443036497,
        wsum_y: -2335.558222538505,
        sum_params: -0.15853715866978746,
        wsum_params: 279.6767775267799,
        x_rows0_3_bits: &[&[0xbfd0b881], &[0x3f3945f5], &[0xbec03134]],
        y0_3_bits: [0xbebd5736, 0x3f9ad187, 0xbf4b780c],
        w0_first3_bits: [0x3f444150, 0xbe0c3b0d, 0xbf727746],
        b_last_bits: [0xbc24809a],
        x_fnv: 0xa0bc845fdaf5ccd9,
        y_fnv: 0xfd1e564aabae94e1,
        params_fnv: 0x96b5916c31c8f6c8,
        init_mse: 0.533888,
        mse_after_200: 0.00037849,
    },
    Golden {
        name: "medium",
        lattice_multipliers: &[1],
        n_params: 4353,
        flops_per_step: 2_534_400,
        sum_x2: 3006.0060253455367,
        wsum_x: 6536.516443036497,
        wsum_y: -2335.558222538505,
        sum_params: -5.7418935639252595,
        wsum_params: -16277.184223219469,
        x_rows0_3_bits: &[&[0xbfd0b881], &[0x3f3945f5], &[0xbec03134]],
        y0_3_bits: [0xbebd5736, 0x3f9ad187, 0xbf4b780c],
        w0_first3_bits: [0x3f444150, 0xbe0c3b0d, 0xbf727746],
        b_last_bits: [0xbdb25c33],
        x_fnv: 0xa0bc845fdaf5ccd9,
        y_fnv: 0xfd1e564aabae94e1,
        params_fnv: 0x071a7d2f41d0d39d,
        init_mse: 0.462765,
        mse_after_200: 0.0204543,
    },
    Golden {
        name: "wide",
        lattice_multipliers: &[1, 5063, 1933, 6997, 3867, 739, 5801, 2673],
        n_params: 68353,
        flops_per_step: 104_202_240,
        sum_x2: 196656.00526986626,
        wsum_x: 16329129.594316125,
        wsum_y: 701469.3587962618,
        sum_params: -14.316633086682941,
        wsum_params: -115470.34997755475,
        x_rows0_3_bits: &[
            &[
                0x3ff62bb1, 0x400a5e53, 0x4019a6cd, 0x3ef817c1, 0x3f392dc9, 0xbf98b0c6, 0xbf743fa2,
                0xc037b3be,
            ],
            &[
                0x3ff95bcb, 0x400f867c, 0x40225f13, 0x3f39edcf, 0x3f82a815, 0xbf4a3e52, 0xbefdb7ee,
                0xc0139a9d,
            ],
            &[
                0xbf0ecc76, 0x3e9ff500, 0x3f9760bb, 0x3f6fbf7e, 0x3fe7433a, 0x3fc7c23e, 0x401b92dd,
                0x400bd25f,
            ],
        ],
        y0_3_bits: [0xbf881030, 0xbdb237e7, 0x3ff795e8],
        w0_first3_bits: [0x3e8ac5f9, 0xbd4650ec, 0xbeab7305],
        b_last_bits: [0xbc8fc76c],
        x_fnv: 0xa4cdf83e26d80f0d,
        y_fnv: 0x97e50919373c8113,
        params_fnv: 0xe952ab671f9a7e29,
        init_mse: 4.136671,
        mse_after_200: 0.450871,
    },
];

fn config(name: &str) -> &'static BenchConfig {
    BenchConfig::by_name(name).unwrap_or_else(|| panic!("{name} is a protocol config"))
}

/// FNV-1a 64 over the little-endian bytes of each value, as the golden script computed it.
fn fnv1a64(bytes: impl Iterator<Item = u8>) -> u64 {
    bytes.fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn fnv_f32(values: &[f32]) -> u64 {
    fnv1a64(values.iter().flat_map(|v| v.to_le_bytes()))
}

fn fnv_f64(values: &[f64]) -> u64 {
    fnv1a64(values.iter().flat_map(|v| v.to_le_bytes()))
}

fn assert_close(name: &str, what: &str, actual: f64, expected: f64, relative: f64) {
    let error = (actual - expected).abs() / expected.abs();
    assert!(
        error <= relative,
        "{name} {what}: got {actual}, expected {expected} (relative error {error:e} > {relative:e})"
    );
}

#[test]
fn configs_match_the_reference_table() {
    let names: Vec<_> = BenchConfig::names().collect();
    assert_eq!(names, ["tiny", "small", "medium", "wide"]);
    for golden in &GOLDEN {
        let cfg = config(golden.name);
        assert_eq!(
            lattice_multipliers(cfg.n, cfg.n_inputs()),
            golden.lattice_multipliers,
            "{}",
            golden.name
        );
        assert_eq!(n_params(cfg.layers), golden.n_params, "{}", golden.name);
        assert_eq!(
            flops_per_step(cfg),
            golden.flops_per_step,
            "{}",
            golden.name
        );
    }
    let wide = config("wide");
    assert_eq!((wide.n, wide.batch, wide.steps_per_epoch), (8192, 256, 32));
    assert_eq!(wide.default_warmup_steps(), 64);
    assert_eq!(config("tiny").default_warmup_steps(), 20);
}

#[test]
fn libm_sin_matches_cpython_math_sin_bit_for_bit() {
    // FNV-1a of the f64 bits of grid(n), of math.sin(2·g) over it, and of the f64 targets of the
    // unshuffled rows, from CPython on this platform. The targets are only as exact as `sin`.
    let cases: [(&str, u64, u64, u64); 3] = [
        (
            "tiny",
            0x250e9ef9216278ac,
            0x01911cc29fdd3bcc,
            0xde1d4f32474d657e,
        ),
        (
            "small",
            0x78287628a6fe7096,
            0xc3f14c276f0ec89e,
            0x9bc64ce0acd38802,
        ),
        (
            "wide",
            0x9d852d35eac6deca,
            0xb1a04389648981af,
            0x4fcc58a37951911d,
        ),
    ];
    for (name, grid_fnv, sin_fnv, target_fnv) in cases {
        let cfg = config(name);
        let n = cfg.n;
        let g = grid(n);
        assert_eq!(fnv_f64(&g), grid_fnv, "{name}: grid");
        let sin2x: Vec<f64> = g.iter().map(|&v| (2.0 * v).sin()).collect();
        assert_eq!(fnv_f64(&sin2x), sin_fnv, "{name}: sin(2x)");
        let multipliers = lattice_multipliers(n, cfg.n_inputs());
        let targets: Vec<f64> = (0..n)
            .map(|k| {
                let row: Vec<f64> = multipliers
                    .iter()
                    .map(|&a| g[((k as u64 * a) % n as u64) as usize])
                    .collect();
                target(&row)
            })
            .collect();
        assert_eq!(fnv_f64(&targets), target_fnv, "{name}: targets in f64");
    }
}

#[test]
fn dataset_and_init_match_golden_bits_and_checksums() {
    for golden in &GOLDEN {
        let name = golden.name;
        let cfg = config(name);
        let d = cfg.n_inputs();
        let (x, y) = make_dataset(cfg);
        let params = init_params(cfg.layers);

        for (row, expected) in golden.x_rows0_3_bits.iter().enumerate() {
            let bits: Vec<u32> = x[row * d..(row + 1) * d]
                .iter()
                .map(|v| v.to_bits())
                .collect();
            assert_eq!(bits, *expected, "{name}: x row {row}");
        }
        let y_bits: Vec<u32> = y[..3].iter().map(|v| v.to_bits()).collect();
        assert_eq!(y_bits, golden.y0_3_bits, "{name}: y[0..3]");

        let (w0, _) = &params[0];
        let w0_first3: Vec<u32> = if d >= 3 {
            w0[..3].iter().map(|v| v.to_bits()).collect()
        } else {
            // W0 is out × in with in == 1 here: W0[o][0] = w0[o].
            (0..3).map(|o| w0[o * d].to_bits()).collect()
        };
        assert_eq!(w0_first3, golden.w0_first3_bits, "{name}: W0 first 3");
        let (_, b_last) = &params[params.len() - 1];
        let b_last_bits: Vec<u32> = b_last.iter().map(|v| v.to_bits()).collect();
        assert_eq!(b_last_bits, golden.b_last_bits, "{name}: last bias");

        // Every value, bit for bit.
        let flat_params: Vec<f32> = params
            .iter()
            .flat_map(|(w, b)| w.iter().chain(b).copied())
            .collect();
        assert_eq!(x.len(), cfg.n * d);
        assert_eq!(flat_params.len(), golden.n_params);
        assert_eq!(fnv_f32(&x), golden.x_fnv, "{name}: all of x");
        assert_eq!(fnv_f32(&y), golden.y_fnv, "{name}: all of y");
        assert_eq!(
            fnv_f32(&flat_params),
            golden.params_fnv,
            "{name}: all params"
        );

        let sums = checksums(&x, &y, &params);
        let rel = 1e-9;
        assert_close(name, "sum_x2", sums.sum_x2, golden.sum_x2, rel);
        assert_close(name, "wsum_x", sums.wsum_x, golden.wsum_x, rel);
        assert_close(name, "wsum_y", sums.wsum_y, golden.wsum_y, rel);
        assert_close(name, "sum_params", sums.sum_params, golden.sum_params, rel);
        assert_close(
            name,
            "wsum_params",
            sums.wsum_params,
            golden.wsum_params,
            rel,
        );
    }
}

/// Trains `name` for 200 steps with the reference trainer and checks the README's MSE values.
fn reference_trainer_reaches_readme_mse(name: &str) {
    let golden = GOLDEN
        .iter()
        .find(|g| g.name == name)
        .unwrap_or_else(|| panic!("{name} has golden values"));
    let cfg = config(name);
    let mut trainer = ReferenceTrainer::new(cfg);
    // The README's values are printed to 6 significant digits; f32 trainers agree to 4e-5.
    assert_close(
        name,
        "initial MSE",
        trainer.full_mse(),
        golden.init_mse,
        1e-4,
    );
    for step in 0..200 {
        trainer.train_step(step % cfg.steps_per_epoch);
    }
    assert_eq!(trainer.steps_taken(), 200);
    assert_close(
        name,
        "MSE after 200 steps",
        trainer.full_mse(),
        golden.mse_after_200,
        1e-4,
    );
}

#[test]
fn reference_trainer_reaches_readme_mse_tiny() {
    reference_trainer_reaches_readme_mse("tiny");
}

#[test]
fn reference_trainer_reaches_readme_mse_small() {
    reference_trainer_reaches_readme_mse("small");
}

#[test]
fn reference_trainer_reaches_readme_mse_medium() {
    reference_trainer_reaches_readme_mse("medium");
}

#[test]
fn reference_trainer_reaches_readme_mse_wide() {
    reference_trainer_reaches_readme_mse("wide");
}

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use super::*;
use crate::engine::{Tape, Tensor};
use crate::nn::{Activation, Mlp};

/// A seeded network with biases drawn in ±`bias_range` (not `Mlp::new`'s zeros, so every
/// term is live) and weights scaled by `weight_scale` (large scales saturate tanh and
/// sigmoid, as long training can).
fn random_network(
    activation: Activation,
    hidden_sizes: &[usize],
    seed: u64,
    weight_scale: f32,
    bias_range: f32,
) -> Mlp {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut mlp = Mlp::new(2, hidden_sizes, activation, seed);
    for (index, parameter) in mlp.parameters_mut().iter_mut().enumerate() {
        for value in parameter.data_mut() {
            *value = if index % 2 == 1 {
                rng.random_range(-bias_range..=bias_range)
            } else {
                *value * weight_scale
            };
        }
    }
    mlp
}

/// 32 rows of 2 inputs and a target, uniform in ±√3 (unit variance, as standardised data).
fn random_batch(seed: u64) -> (Vec<f32>, Vec<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let bound = 3.0_f32.sqrt();
    let x = (0..64).map(|_| rng.random_range(-bound..bound)).collect();
    let y = (0..32).map(|_| rng.random_range(-bound..bound)).collect();
    (x, y)
}

fn assert_passes(check: &GradientCheck, what: &str) {
    let worst = check.worst.as_ref().expect("something was compared");
    assert!(
        check.within_tolerance && worst.relative_error <= TOLERANCE,
        "{what}: worst {worst:?}"
    );
    assert!(check.n_checked > 0, "{what}: nothing checked");
}

#[test]
fn correct_gradients_pass_for_every_activation_and_several_depths_and_widths() {
    for activation in Activation::ALL {
        // [40]: the engine's register-tiled kernel with an edge tile past column 32;
        // [64; 3]: large enough to be sampled.
        for hidden_sizes in [
            vec![],
            vec![3],
            vec![8, 8],
            vec![40],
            vec![16; 4],
            vec![64; 3],
        ] {
            let mlp = random_network(activation, &hidden_sizes, 7, 1.5, 0.5);
            let (x, y) = random_batch(8);
            let check = check_engine(&mlp, &x, &y).expect("finite data");
            let what = format!("{activation} {hidden_sizes:?}");
            assert_passes(&check.gradients, &what);
            assert!(check.passed, "{what}");
            assert_eq!(check.gradients.n_rows, MAX_ROWS, "{what}");
            assert_eq!(check.gradients.n_parameters, mlp.n_parameters());
            let expected_checked = if hidden_sizes == [64; 3] {
                1807
            } else {
                mlp.n_parameters() - check.gradients.n_skipped_at_kinks
            };
            assert_eq!(check.gradients.n_checked, expected_checked, "{what}");
        }
    }
}

// Saturation is where the approximate activations' slopes are least precise (module docs).
// Deep tanh networks with weights ×3 and biases ±2 have about a quarter of their units
// saturated; the worst entry stays well under the tolerance.
#[test]
fn deep_networks_with_a_quarter_of_units_saturated_stay_well_within_the_tolerance() {
    for seed in 0..3 {
        let mlp = random_network(Activation::Tanh, &[128; 8], seed, 3.0, 2.0);
        let (x, y) = random_batch(100 + seed);
        let check = check_gradients(&mlp, &x, &y).expect("finite data");
        assert!(
            (0.15..0.35).contains(&check.saturated_share),
            "seed {seed}: {} saturated",
            check.saturated_share
        );
        let worst = check.worst.expect("something was compared");
        assert!(
            worst.relative_error < TOLERANCE / 4.0,
            "seed {seed}: {worst:?}"
        );
    }
}

// Targets within 1e-4 of the engine's predictions, as after fitting: the f32 forward's
// ~1e-6 error is a large share of such residuals, so differencing the f64 loss would fail
// (by 5e-2, measured); comparing at the engine's residuals passes.
#[test]
fn a_network_that_fits_its_data_passes() {
    for activation in Activation::ALL {
        let mlp = random_network(activation, &[16, 16], 21, 1.0, 0.5);
        let (x, _) = random_batch(22);
        let mut rng = ChaCha8Rng::seed_from_u64(23);
        let y: Vec<f32> = mlp
            .predict(&mut Tape::new(), &x)
            .iter()
            .map(|p| p + rng.random_range(-1e-4..1e-4))
            .collect();
        assert_passes(
            &check_gradients(&mlp, &x, &y).expect("finite data"),
            &format!("{activation} fitted"),
        );
    }
}

// 8 × 256 is 461,569 parameters; the budget keeps the check to a sample of each tensor.
// The time bound is loose (a shared test machine); the whole network would take minutes.
#[test]
fn a_network_of_eight_layers_of_256_is_sampled_and_checked_quickly() {
    let mlp = random_network(Activation::Tanh, &[256; 8], 3, 1.0, 0.5);
    let (x, y) = random_batch(4);
    let start = std::time::Instant::now();
    let check = check_gradients(&mlp, &x, &y).expect("finite data");
    let seconds = start.elapsed().as_secs_f64();
    assert_passes(&check, "8 × 256 tanh");
    assert_eq!(check.n_parameters, 461_569);
    // three of every tensor but the one-entry output bias
    assert_eq!(check.n_checked, 3 * 17 + 1);
    assert!(seconds < 5.0, "took {seconds:.2} s");
}

#[test]
fn a_corrupted_gradient_entry_fails_and_is_located() {
    let mlp = random_network(Activation::Tanh, &[8, 8], 11, 1.0, 0.5);
    let (x, y) = random_batch(12);
    let batch = CheckBatch::new(&mlp, &x, &y).expect("finite data");
    let mut analytic = engine_gradients(&mlp, &batch);
    assert_passes(&compare_gradients(&mlp, &batch, &analytic), "untouched");

    // layers.1.weight is 8 × 8; entry (3, 5) is off by 5 % of the tensor's largest entry:
    // a relative error of at least 0.05 / 1.05, far above the tolerance.
    let largest = analytic[2]
        .data()
        .iter()
        .fold(0.0_f32, |m, g| m.max(g.abs()));
    let corrupted = analytic[2].at(3, 5) + 0.05 * largest;
    analytic[2].data_mut()[3 * 8 + 5] = corrupted;
    let check = compare_gradients(&mlp, &batch, &analytic);
    assert!(!check.within_tolerance);
    let worst = check.worst.expect("something was compared");
    assert_eq!(
        (worst.parameter.as_str(), worst.row, worst.col),
        ("layers.1.weight", 3, 5)
    );
    assert_eq!(worst.analytic, f64::from(corrupted));
    assert!(worst.relative_error > 0.04, "{worst:?}");
}

// In a sampled network only some entries are compared, so a whole tensor is corrupted:
// the sign of layers.2.weight, as a backward that subtracts where it should add.
#[test]
fn a_wrong_sign_in_one_tensor_of_a_sampled_network_fails_there() {
    let mlp = random_network(Activation::Sigmoid, &[64; 3], 5, 1.0, 0.5);
    let (x, y) = random_batch(6);
    let batch = CheckBatch::new(&mlp, &x, &y).expect("finite data");
    let mut analytic = engine_gradients(&mlp, &batch);
    analytic[4].data_mut().iter_mut().for_each(|g| *g = -*g);
    let check = compare_gradients(&mlp, &batch, &analytic);
    assert!(check.n_checked < check.n_parameters);
    assert!(!check.within_tolerance);
    let worst = check.worst.expect("something was compared");
    assert_eq!(worst.parameter, "layers.2.weight");
    assert!(worst.relative_error > 1.0, "{worst:?}");
}

// Through 10 sigmoid layers (σ' ≤ 1/4 each) the first layer's gradients fall below the
// absolute floor (1e-6), where the f64 differences' noise would otherwise fail them; the
// floor must not make that layer unchecked: doubling one of its gradients still fails.
#[test]
fn vanishing_gradients_pass_but_a_doubled_one_still_fails() {
    let mlp = random_network(Activation::Sigmoid, &[16; 10], 9, 1.0, 0.5);
    let (x, y) = random_batch(10);
    let batch = CheckBatch::new(&mlp, &x, &y).expect("finite data");
    let mut analytic = engine_gradients(&mlp, &batch);
    let first_layer_largest = analytic[0]
        .data()
        .iter()
        .fold(0.0_f32, |m, g| m.max(g.abs()));
    assert!(
        first_layer_largest < 1e-6,
        "first layer's gradients are not vanishing: {first_layer_largest}"
    );
    assert_passes(&compare_gradients(&mlp, &batch, &analytic), "untouched");

    let (index, _) = analytic[0]
        .data()
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .expect("a non-empty tensor");
    analytic[0].data_mut()[index] *= 2.0;
    let check = compare_gradients(&mlp, &batch, &analytic);
    assert!(!check.within_tolerance);
    let worst = check.worst.expect("something was compared");
    assert_eq!(worst.parameter, "layers.0.weight");
    assert_eq!(worst.row * 2 + worst.col, index);
}

/// `n_inputs` → 2 relu units → 1 with the given first-layer weights and biases, output
/// weights 1 and bias 0.
fn relu_network(n_inputs: usize, weight: Vec<f32>, bias: Vec<f32>) -> Mlp {
    Mlp::from_parameters(
        n_inputs,
        &[2],
        Activation::Relu,
        vec![
            Tensor::new(2, n_inputs, weight),
            Tensor::row(bias),
            Tensor::row(vec![1.0, 1.0]),
            Tensor::scalar(0.0),
        ],
    )
    .expect("shapes match")
}

// Unit 0's input is z = w·x + b = 1 − 0.999997 ≈ 3e-6 (exact in f32 and f64), so ±1e-5 on
// its weight or bias (x = 1) crosses 0; unit 1 sits at 0.7 and nothing else moves z₀.
#[test]
fn a_perturbation_across_a_relu_kink_is_skipped_not_compared() {
    let mlp = relu_network(1, vec![1.0, 0.5], vec![-0.999_997, 0.2]);
    let check = check_gradients(&mlp, &[1.0], &[0.0]).expect("finite data");
    assert_eq!(check.n_skipped_at_kinks, 2);
    assert_eq!(check.n_checked, mlp.n_parameters() - 2);
    assert_passes(&check, "next to a kink");
}

// Row 0: z = 1e-8·1 + 1·1 − 1. In f32, 1e-8 is lost next to ±1 whichever order the
// engine sums in (onto the bias in input order, or the products first), so z = 0 (off),
// while f64 keeps 1e-8 (on): the two would differentiate different pieces, so the row is
// left out. Row 1 (z = 0.2) is far from 0.
#[test]
fn a_row_where_f32_and_f64_disagree_on_a_relu_is_left_out() {
    let mlp = relu_network(2, vec![1.0, 1.0, 1.0, 1.0], vec![-1.0, -1.0]);
    let x = [1e-8, 1.0, 0.3, 0.9];
    let batch = CheckBatch::new(&mlp, &x, &[0.0, 0.0]).expect("finite data");
    assert_eq!((batch.n_rows(), batch.n_rows_left_out()), (1, 1));
    let check = compare_gradients(&mlp, &batch, &engine_gradients(&mlp, &batch));
    assert_eq!((check.n_rows, check.n_rows_left_out), (1, 1));
    assert_passes(&check, "row 1 only");
}

#[test]
fn micrograd_values_match_the_numbers_micrograd_prints() {
    let check = micrograd_check();
    let sanity = &check.sanity;
    assert_eq!((sanity.y, sanity.dy_dx), (-20.0, 46.0));
    let more_ops = &check.more_ops;
    assert_eq!(
        [more_ops.g, more_ops.dg_da, more_ops.dg_db].map(|v| format!("{v:.4}")),
        ["24.7041", "138.8338", "645.5773"]
    );
    assert!(sanity.passed && more_ops.passed && check.passed());
}

#[test]
fn non_finite_weights_or_data_and_an_empty_batch_are_errors() {
    let mut mlp = random_network(Activation::Tanh, &[4], 1, 1.0, 0.5);
    let (x, y) = random_batch(2);
    assert_eq!(
        check_engine(&mlp, &[], &[]).err(),
        Some(CheckError::EmptyBatch)
    );
    let mut bad_x = x.clone();
    bad_x[3] = f32::NAN;
    assert_eq!(
        check_engine(&mlp, &bad_x, &y).err(),
        Some(CheckError::NonFinite { what: "the inputs" })
    );
    mlp.parameters_mut()[0].data_mut()[0] = f32::INFINITY;
    assert_eq!(
        check_engine(&mlp, &x, &y).err(),
        Some(CheckError::NonFinite {
            what: "the network's weights"
        })
    );
}

//! Seeing inside training: each layer's gradients per epoch (vanishing gradients in a deep
//! sigmoid network), and one mini-batch step with what it changed.

use nanograd::data::{Dataset, Synthetic, synthetic};
use nanograd::engine::{ParamId, Tensor};
use nanograd::nn::{Activation, LossKind};
use nanograd::optim::OptimizerConfig;
use nanograd::train::{
    BatchChange, LARGEST_MOVES_SHOWN, TrainConfig, Trainer, WeightMove, parameter_name,
};

/// 200 noisy points of a sine: 7 batches of 32 (the last one of 8) per epoch.
fn sine() -> Dataset {
    synthetic(Synthetic::Sine, 200, 0.1, 7)
}

fn trainer(config: &TrainConfig) -> Trainer {
    Trainer::new(&sine(), config).expect("a valid configuration")
}

fn deep_sigmoid_config() -> TrainConfig {
    TrainConfig {
        hidden_sizes: vec![16; 8],
        activation: Activation::Sigmoid,
        optimizer: OptimizerConfig::default_sgd(),
        seed: 3,
        ..TrainConfig::default()
    }
}

fn norm(values: &[f32]) -> f64 {
    values
        .iter()
        .map(|&v| f64::from(v) * f64::from(v))
        .sum::<f64>()
        .sqrt()
}

#[test]
fn eight_sigmoid_layers_show_vanishing_gradients() {
    // σ′ ≤ 1/4, and with Xavier weights each sigmoid layer passes back only a fraction of the
    // gradient it receives (here 1/3 to 1/5 per layer), so the first layer's gradient is orders
    // of magnitude below the output layer's. Measured at this seed, output/first over the first
    // five epochs: 6.5e4, 1.5e5, 6.8e4, 4.6e4, 5.8e4 (seeds 0 to 9 give minima of 6e2 to 6e4);
    // 1e4 keeps a margin of 4.6 while still meaning "vanished".
    let mut trainer = trainer(&deep_sigmoid_config());
    for _ in 0..5 {
        trainer
            .run_epoch()
            .expect("sigmoid networks do not diverge at this rate");
    }
    let history = trainer.gradient_history();
    for point in history.points() {
        let layers = &point.layers;
        assert_eq!(layers.len(), 9, "8 hidden layers and the output layer");
        let first = f64::from(layers[0].grad_norm);
        let output = f64::from(layers[8].grad_norm);
        assert!(
            first > 0.0,
            "epoch {}: the first layer still learns",
            point.epoch
        );
        assert!(
            output / first > 1e4,
            "epoch {}: output/first gradient ratio {} (norms {output:e} and {first:e})",
            point.epoch,
            output / first
        );
        // The picture's shape: going back from the output, every layer's gradient is smaller.
        for pair in layers.windows(2) {
            assert!(
                pair[0].grad_norm < pair[1].grad_norm,
                "epoch {}: gradient norms not increasing towards the output: {layers:?}",
                point.epoch
            );
        }
    }
}

#[test]
fn a_shallow_tanh_network_keeps_its_gradients_within_one_order_of_magnitude() {
    // The contrast that makes the sigmoid picture mean something: tanh (slope 1 at 0) over two
    // layers loses little, so the ratio above is the depth and the activation, not the plot.
    let mut trainer = trainer(&TrainConfig::default());
    trainer.run_epoch().expect("defaults train");
    let point = trainer.gradient_history().latest().expect("one epoch ran");
    let norms: Vec<f32> = point.layers.iter().map(|layer| layer.grad_norm).collect();
    let (low, high) = norms
        .iter()
        .fold((f32::MAX, 0.0f32), |(lo, hi), &n| (lo.min(n), hi.max(n)));
    assert!(high / low < 10.0, "tanh (32, 32) gradient norms {norms:?}");
}

#[test]
fn history_gets_one_point_per_epoch_and_none_within_one() {
    let mut trainer = trainer(&TrainConfig::default());
    assert_eq!(trainer.steps_per_epoch(), 7);
    for _ in 0..6 {
        trainer.step().expect("trains");
    }
    assert!(
        trainer.gradient_history().is_empty(),
        "no epoch finished yet"
    );
    trainer.step().expect("trains");
    trainer.run_epoch().expect("trains");
    trainer.run_epoch().expect("trains");
    let epochs: Vec<f64> = trainer
        .gradient_history()
        .points()
        .iter()
        .map(|point| point.epoch)
        .collect();
    assert_eq!(epochs, vec![1.0, 2.0, 3.0]);
}

#[test]
fn epoch_point_measures_the_last_step_of_the_epoch() {
    let mut trainer = trainer(&TrainConfig::default());
    for _ in 0..trainer.steps_per_epoch() - 1 {
        trainer.step().expect("trains");
    }
    let before = trainer.mlp().parameters().to_vec();
    assert!(trainer.step().expect("trains").epoch_finished);
    let after = trainer.mlp().parameters();
    let point = trainer.gradient_history().latest().expect("epoch finished");
    for (layer, measured) in point.layers.iter().enumerate() {
        let weight = 2 * layer;
        let gradient = trainer
            .last_gradients()
            .get(ParamId(weight))
            .expect("every weight has a gradient");
        let grad_norm = norm(gradient.data());
        let update: Vec<f32> = before[weight]
            .data()
            .iter()
            .zip(after[weight].data())
            .map(|(&b, &a)| a - b)
            .collect();
        let update_ratio = norm(&update) / norm(before[weight].data());
        // The trainer sums in f32 lanes: equal to an f64 sum within 1e-4, far below a pixel on
        // a log axis, while a wrong layer or a missed value would be off by far more.
        assert!(
            (f64::from(measured.grad_norm) / grad_norm - 1.0).abs() < 1e-4,
            "layer {layer}: grad norm {} vs {grad_norm}",
            measured.grad_norm
        );
        assert!(
            (f64::from(measured.update_ratio) / update_ratio - 1.0).abs() < 1e-4,
            "layer {layer}: update ratio {} vs {update_ratio}",
            measured.update_ratio
        );
    }
}

#[test]
fn stepping_batches_is_the_same_training_as_stepping() {
    // 2½ epochs: crosses two reshuffles, where a different batch order would show.
    let config = TrainConfig::default();
    let mut by_batch = trainer(&config);
    let mut by_step = trainer(&config);
    for _ in 0..17 {
        let steps = by_batch.steps();
        let change = by_batch.step_one_batch().expect("trains");
        let report = by_step.step().expect("trains");
        assert_eq!(by_batch.steps(), steps + 1, "one batch is one step");
        assert_eq!(change.step, by_batch.steps());
        assert_eq!(change.loss_before.to_bits(), report.loss.to_bits());
        assert_eq!(change.epoch_finished, report.epoch_finished);
    }
    assert_eq!(by_batch.mlp(), by_step.mlp(), "identical weights");
    assert_eq!(by_batch.epoch(), 2);
    assert_eq!(by_batch.gradient_history(), by_step.gradient_history());
}

/// The batch's loss computed apart from the trainer's tape: predictions in the target's units
/// from the model, standardised back, mean squared error in f64.
fn batch_mse(trainer: &Trainer, change: &BatchChange) -> f64 {
    let model = trainer.model();
    let set = trainer.train_set();
    let x: Vec<f32> = change
        .train_rows
        .iter()
        .flat_map(|&row| set.x_row(row).to_vec())
        .collect();
    let mut predictions = model.predict(&x);
    model.y_standardization.apply(&mut predictions);
    let mut targets: Vec<f32> = change.train_rows.iter().map(|&row| set.y[row]).collect();
    model.y_standardization.apply(&mut targets);
    let n = targets.len() as f64;
    predictions
        .iter()
        .zip(&targets)
        .map(|(&p, &t)| (f64::from(p) - f64::from(t)).powi(2))
        .sum::<f64>()
        / n
}

#[test]
fn loss_after_is_the_same_batch_evaluated_with_the_updated_weights() {
    let config = TrainConfig {
        loss: LossKind::Mse,
        ..TrainConfig::default()
    };
    let mut trainer = trainer(&config);
    for _ in 0..9 {
        let change = trainer.step_one_batch().expect("trains");
        let expected_rows = if change.epoch_finished { 200 % 32 } else { 32 };
        assert_eq!(change.rows, expected_rows);
        assert_eq!(change.train_rows.len(), change.rows);
        let independent = batch_mse(&trainer, &change);
        assert!(
            (f64::from(change.loss_after) - independent).abs() <= 1e-5 * independent.max(1e-3),
            "step {}: loss after {} vs independent {independent}",
            change.step,
            change.loss_after
        );
        assert_ne!(
            change.loss_after, change.loss_before,
            "step {}: the update changed the batch's loss",
            change.step
        );
    }
}

#[test]
fn loss_after_leaves_the_training_untouched() {
    // Measuring the batch after the update must not change what the next steps do.
    let config = TrainConfig::default();
    let mut by_batch = trainer(&config);
    let mut by_step = trainer(&config);
    by_batch.step_one_batch().expect("trains");
    by_step.step().expect("trains");
    for (id, (a, b)) in by_batch
        .mlp()
        .parameters()
        .iter()
        .zip(by_step.mlp().parameters())
        .enumerate()
    {
        assert_eq!(a, b, "parameter {id}");
        let grad_a = by_batch.last_gradients().get(ParamId(id));
        let grad_b = by_step.last_gradients().get(ParamId(id));
        assert_eq!(grad_a, grad_b, "gradient {id}");
    }
}

/// Every parameter value's move, largest first (a stable sort: equal moves in network order).
fn brute_force_top_moves(before: &[Tensor], after: &[Tensor]) -> Vec<WeightMove> {
    let mut moves = Vec::new();
    for (index, (old, new)) in before.iter().zip(after).enumerate() {
        for (position, (&b, &a)) in old.data().iter().zip(new.data()).enumerate() {
            moves.push(WeightMove {
                tensor: parameter_name(index),
                row: position / old.cols(),
                col: position % old.cols(),
                before: b,
                after: a,
            });
        }
    }
    moves.sort_by(|x, y| y.change().abs().total_cmp(&x.change().abs()));
    moves.truncate(LARGEST_MOVES_SHOWN);
    moves
}

#[test]
fn largest_moves_are_the_true_top_five() {
    for config in [TrainConfig::default(), deep_sigmoid_config()] {
        let mut trainer = trainer(&config);
        for _ in 0..10 {
            let before = trainer.mlp().parameters().to_vec();
            let change = trainer.step_one_batch().expect("trains");
            let after = trainer.mlp().parameters();
            let expected = brute_force_top_moves(&before, after);
            assert_eq!(expected.len(), 5);
            assert_eq!(change.largest_moves, expected, "step {}", change.step);
            assert!(
                expected[0].change() != 0.0,
                "a step moves something: the test compares real moves"
            );
        }
    }
}

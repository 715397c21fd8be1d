//! The original Nanograd's first result: a network with no hidden layer is linear regression.
//!
//! We draw points from y = 2.5·x − 1 plus a little noise, train a 1 → 1 network (one weight,
//! one bias) with Adam, and read the slope and intercept back out of the weights.
//!
//! Run it: `cargo run --release --example linear_regression`

use nanograd::data::Dataset;
use nanograd::nn::Activation;
use nanograd::train::{TrainConfig, Trainer};

pub fn main() {
    let (slope, intercept) = fit_line();
    println!("fitted y = {slope:.3}·x {intercept:+.3}  (true: y = 2.500·x - 1.000)");
    assert!((slope - 2.5).abs() < 0.05, "slope {slope}");
    assert!((intercept + 1.0).abs() < 0.05, "intercept {intercept}");
}

/// Trains the network and returns the (slope, intercept) it learned, in the data's units.
pub fn fit_line() -> (f32, f32) {
    // Deterministic "noise" keeps the example reproducible without a random generator.
    let x: Vec<f32> = (0..100).map(|i| i as f32 / 10.0).collect();
    let y: Vec<f32> = x
        .iter()
        .enumerate()
        .map(|(i, &x)| 2.5 * x - 1.0 + 0.1 * ((i * 7919 % 13) as f32 / 6.0 - 1.0))
        .collect();
    let data = Dataset::new("line", vec!["x".into()], "y", x, y).expect("finite, varied data");

    let config = TrainConfig {
        hidden_sizes: Vec::new(), // no hidden layer: prediction = w·x + b
        activation: Activation::Identity,
        batch_size: usize::MAX, // full batch
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(&data, &config).expect("valid config");
    for _ in 0..500 {
        trainer.run_epoch().expect("training stays finite");
    }

    // The network sees standardised x and y: ŷ_s = w·x_s + b with x_s = (x − μx)/σx and
    // y = σy·ŷ_s + μy. Unfolding gives slope = w·σy/σx and intercept = μy + σy·(b − w·μx/σx).
    let model = trainer.model();
    let (weight, bias) = model.mlp.layer(0);
    let (w, b) = (weight.item(), bias.item());
    let (mx, sx) = (
        model.x_standardization.mean[0],
        model.x_standardization.std[0],
    );
    let (my, sy) = (
        model.y_standardization.mean[0],
        model.y_standardization.std[0],
    );
    (w * sy / sx, my + sy * (b - w * mx / sx))
}

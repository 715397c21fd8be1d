//! A hidden layer bends a curve: a 1 → 16 → 1 tanh network fits noisy sin(x), where a
//! straight line cannot.
//!
//! Run it: `cargo run --release --example sine_fit`

use nanograd::data::{Synthetic, synthetic};
use nanograd::train::{TrainConfig, Trainer};

pub fn main() {
    let (line_r2, curve_r2) = compare_fits();
    println!("R² of a straight line: {line_r2:.3}");
    println!("R² with one hidden layer of 16 tanh units: {curve_r2:.3}");
    assert!(
        line_r2 < 0.7,
        "a line cannot follow the turns of a sine period"
    );
    assert!(
        curve_r2 > 0.9,
        "the hidden layer should bend the curve through the points"
    );
}

/// Trains a network without and with a hidden layer on the same noisy sine; returns both R².
pub fn compare_fits() -> (f64, f64) {
    let data = synthetic(Synthetic::Sine, 200, 0.1, 7);
    let r2 = |hidden_sizes: Vec<usize>| {
        let config = TrainConfig {
            hidden_sizes,
            ..TrainConfig::default()
        };
        let mut trainer = Trainer::new(&data, &config).expect("valid config");
        for _ in 0..300 {
            trainer.run_epoch().expect("training stays finite");
        }
        trainer.metrics().train.r2
    };
    (r2(Vec::new()), r2(vec![16]))
}

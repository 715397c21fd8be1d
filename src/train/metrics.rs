//! Goodness of fit in the user's units: MSE, RMSE, MAE and R².

use serde::Serialize;

/// How well predictions match targets, computed in f64.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Fit {
    pub mse: f64,
    pub rmse: f64,
    pub mae: f64,
    /// 1 − SS_res / SS_tot: 1 is a perfect fit, 0 is no better than predicting the mean.
    pub r2: f64,
}

impl Fit {
    pub fn new(predictions: &[f32], targets: &[f32]) -> Self {
        assert_eq!(
            predictions.len(),
            targets.len(),
            "one prediction per target"
        );
        let n = targets.len().max(1) as f64;
        let mean = targets.iter().map(|&t| f64::from(t)).sum::<f64>() / n;
        let (mut squared, mut absolute, mut total) = (0.0, 0.0, 0.0);
        for (&p, &t) in predictions.iter().zip(targets) {
            let error = f64::from(p) - f64::from(t);
            squared += error * error;
            absolute += error.abs();
            total += (f64::from(t) - mean).powi(2);
        }
        let mse = squared / n;
        // A constant target (possible in a small validation split) has no variance to
        // explain; R² is then reported as 0 rather than a division by zero.
        let r2 = if total > 0.0 {
            1.0 - squared / total
        } else {
            0.0
        };
        Self {
            mse,
            rmse: mse.sqrt(),
            mae: absolute / n,
            r2,
        }
    }
}

/// Metrics of the current model on the training rows and, when there is one, the validation
/// split. Losses are in standardised units (what the optimizer minimises); fits in user units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub train_loss: f64,
    pub validation_loss: Option<f64>,
    pub train: Fit,
    pub validation: Option<Fit>,
}

//! Which hidden units still do anything on the data: ReLU units that never fire (dead: no
//! gradient reaches them, so they cannot learn again) and tanh or sigmoid units pinned at
//! their limits (saturated: their slope, and so their gradient, is nearly zero).

use serde::Serialize;

use crate::nn::Activation;
use crate::train::Model;

/// A tanh output beyond ±this (sigmoid: within 1 − this of 0 or 1, scaled) counts as
/// saturated: tanh′ is then below 0.02, fifty times smaller than at the centre.
pub const SATURATED_OUTPUT: f32 = 0.99;
/// A unit is saturated when at least this share of the rows saturate it.
pub const SATURATED_ROW_SHARE: f64 = 0.95;

/// Each hidden layer's units that are dead or saturated on a set of rows.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct UnitActivity {
    pub activation: Activation,
    /// Per hidden layer, per unit: true when the unit outputs 0 on every row (ReLU only).
    pub dead: Vec<Vec<bool>>,
    /// Per hidden layer, per unit: true when the unit sits at a limit of its activation on
    /// nearly every row (tanh and sigmoid only).
    pub saturated: Vec<Vec<bool>>,
}

impl UnitActivity {
    /// Measures `model`'s hidden units on `x_rows` (inputs' units, row-major).
    pub fn measure(model: &Model, x_rows: &[f32]) -> Self {
        let activation = model.mlp.activation();
        let layers = model.hidden_unit_outputs(x_rows);
        let mut activity = Self {
            activation,
            ..Self::default()
        };
        for outputs in &layers {
            let (n_rows, units) = outputs.shape();
            let mut never_fired = vec![true; units];
            let mut saturated_rows = vec![0usize; units];
            for row in outputs.data().chunks_exact(units.max(1)) {
                for (unit, &value) in row.iter().enumerate() {
                    never_fired[unit] &= value <= 0.0;
                    saturated_rows[unit] += usize::from(is_saturated(activation, value));
                }
            }
            let is_relu = activation == Activation::Relu;
            activity.dead.push(
                never_fired
                    .iter()
                    .map(|&never| is_relu && never && n_rows > 0)
                    .collect(),
            );
            activity.saturated.push(
                saturated_rows
                    .iter()
                    .map(|&count| n_rows > 0 && count as f64 >= SATURATED_ROW_SHARE * n_rows as f64)
                    .collect(),
            );
        }
        activity
    }

    pub fn n_units(&self) -> usize {
        self.dead.iter().map(Vec::len).sum()
    }

    pub fn n_dead(&self) -> usize {
        count(&self.dead)
    }

    pub fn n_saturated(&self) -> usize {
        count(&self.saturated)
    }
}

fn count(flags: &[Vec<bool>]) -> usize {
    flags.iter().flatten().filter(|&&flag| flag).count()
}

fn is_saturated(activation: Activation, value: f32) -> bool {
    match activation {
        Activation::Tanh => value.abs() > SATURATED_OUTPUT,
        Activation::Sigmoid => (2.0 * value - 1.0).abs() > SATURATED_OUTPUT,
        Activation::Relu | Activation::Identity => false,
    }
}

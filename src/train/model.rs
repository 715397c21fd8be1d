//! A trained model as a user thinks of it: the network plus the standardisation that maps
//! their units in and out, and the column names it was trained on.

use crate::data::Standardization;
use crate::engine::{Tape, Tensor};
use crate::nn::Mlp;

#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub mlp: Mlp,
    pub x_standardization: Standardization,
    pub y_standardization: Standardization,
    pub x_names: Vec<String>,
    pub y_name: String,
}

impl Model {
    pub fn n_inputs(&self) -> usize {
        self.mlp.n_inputs()
    }

    /// Predictions in the target's units for `x_rows` (row-major, n × n_inputs, inputs' units).
    pub fn predict(&self, x_rows: &[f32]) -> Vec<f32> {
        self.predict_with(&mut Tape::new(), x_rows)
    }

    /// As `predict`, reusing a tape's buffers (for callers that predict often).
    pub fn predict_with(&self, tape: &mut Tape, x_rows: &[f32]) -> Vec<f32> {
        let mut x = x_rows.to_vec();
        self.x_standardization.apply(&mut x);
        let mut y = self.mlp.predict(tape, &x);
        self.y_standardization.invert(&mut y);
        y
    }

    /// Each hidden layer's activations for `x_rows`, as n × units tensors: what a plot of
    /// "what each neuron computes" draws.
    pub fn hidden_unit_outputs(&self, x_rows: &[f32]) -> Vec<Tensor> {
        let mut x = x_rows.to_vec();
        self.x_standardization.apply(&mut x);
        let mut tape = Tape::new();
        let n_rows = x.len() / self.n_inputs();
        let input = tape.input(n_rows, self.n_inputs(), &x);
        let mut hidden = Vec::new();
        self.mlp
            .forward_layers(&mut tape, input, |_, node| hidden.push(node));
        hidden.iter().map(|&node| tape.to_tensor(node)).collect()
    }
}

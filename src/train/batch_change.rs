//! What one mini-batch step changed: the batch's loss before and after the update, and the
//! weights that moved most. [`super::Trainer::step_one_batch`] fills it; the app shows it.

use serde::{Deserialize, Serialize};

use super::checkpoint::parameter_name;
use crate::engine::Tensor;

/// How many of the weights that moved most a [`BatchChange`] lists: enough to point at, few
/// enough to read.
pub const LARGEST_MOVES_SHOWN: usize = 5;

/// One step of one mini-batch and what it did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchChange {
    /// The number of this step, counting from 1 (what `Trainer::steps` returns after it).
    pub step: u64,
    /// Rows in the batch.
    pub rows: usize,
    /// The batch's rows, as indices into `Trainer::train_set`, so a plot can mark them.
    pub train_rows: Vec<usize>,
    /// The batch's loss before the update (the step's own loss, standardised units).
    pub loss_before: f32,
    /// The same batch's loss with the updated weights.
    pub loss_after: f32,
    /// True when this batch was the last of its epoch.
    pub epoch_finished: bool,
    /// The parameters that moved most, largest move first (at most [`LARGEST_MOVES_SHOWN`]).
    pub largest_moves: Vec<WeightMove>,
}

/// One parameter value before and after a step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightMove {
    /// The tensor's name in the weights file: "layers.0.weight", "layers.2.bias".
    pub tensor: String,
    /// Row and column in the tensor as the network stores it: a weight is out × in (row = the
    /// unit it feeds, column = the input it reads); a bias is 1 × out (row 0, column = the unit).
    pub row: usize,
    pub col: usize,
    pub before: f32,
    pub after: f32,
}

impl WeightMove {
    /// `after − before`.
    pub fn change(&self) -> f32 {
        self.after - self.before
    }
}

/// The [`LARGEST_MOVES_SHOWN`] values, weights and biases alike, that moved most between
/// `before` and `after` (parameter lists of the same shapes), largest |after − before| first;
/// of equal moves, the one earlier in the network comes first.
pub(super) fn largest_moves(before: &[Tensor], after: &[Tensor]) -> Vec<WeightMove> {
    assert_eq!(
        before.len(),
        after.len(),
        "parameters before and after a step differ in count"
    );
    // (|move|, parameter, position), kept sorted largest first: a handful of entries, so an
    // insertion is cheaper than sorting every parameter.
    let mut largest: Vec<(f32, usize, usize)> = Vec::with_capacity(LARGEST_MOVES_SHOWN + 1);
    for (parameter, (old, new)) in before.iter().zip(after).enumerate() {
        assert_eq!(
            old.shape(),
            new.shape(),
            "parameter {parameter} changed shape"
        );
        for (position, (&a, &b)) in old.data().iter().zip(new.data()).enumerate() {
            let size = (b - a).abs();
            let is_large_enough = largest.len() < LARGEST_MOVES_SHOWN
                || largest
                    .last()
                    .is_some_and(|&(smallest, ..)| size > smallest);
            if is_large_enough {
                // After every kept move at least as large, so equal moves keep network order.
                let at = largest.partition_point(|&(kept, ..)| kept >= size);
                largest.insert(at, (size, parameter, position));
                largest.truncate(LARGEST_MOVES_SHOWN);
            }
        }
    }
    largest
        .into_iter()
        .map(|(_, parameter, position)| {
            let cols = before[parameter].cols();
            WeightMove {
                tensor: parameter_name(parameter),
                row: position / cols,
                col: position % cols,
                before: before[parameter].data()[position],
                after: after[parameter].data()[position],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_the_largest_moves_first_with_their_place() {
        let before = vec![
            Tensor::new(2, 2, vec![0.0, 0.0, 0.0, 0.0]),
            Tensor::row(vec![0.0, 0.0]),
        ];
        let after = vec![
            Tensor::new(2, 2, vec![0.1, -0.7, 0.0, 0.3]),
            Tensor::row(vec![0.0, -0.5]),
        ];
        let moves = largest_moves(&before, &after);
        let listed: Vec<(&str, usize, usize, f32)> = moves
            .iter()
            .map(|m| (m.tensor.as_str(), m.row, m.col, m.change()))
            .collect();
        assert_eq!(
            listed,
            vec![
                ("layers.0.weight", 0, 1, -0.7),
                ("layers.0.bias", 0, 1, -0.5),
                ("layers.0.weight", 1, 1, 0.3),
                ("layers.0.weight", 0, 0, 0.1),
                ("layers.0.weight", 1, 0, 0.0),
            ]
        );
    }

    #[test]
    fn equal_moves_keep_network_order() {
        let before = vec![Tensor::row(vec![0.0; 8]), Tensor::row(vec![0.0])];
        let after = vec![Tensor::row(vec![1.0; 8]), Tensor::row(vec![-1.0])];
        let cols: Vec<usize> = largest_moves(&before, &after)
            .iter()
            .map(|m| m.col)
            .collect();
        assert_eq!(cols, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn a_network_smaller_than_the_list_lists_every_value() {
        let before = vec![Tensor::row(vec![1.0]), Tensor::row(vec![2.0])];
        let after = vec![Tensor::row(vec![1.5]), Tensor::row(vec![2.0])];
        assert_eq!(largest_moves(&before, &after).len(), 2);
    }
}

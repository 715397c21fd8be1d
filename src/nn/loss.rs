//! Regression losses, built from the tape's primitive ops so their gradients come for free.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::{NodeId, Tape};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LossKind {
    /// Mean squared error: mean((pred - target)²).
    #[default]
    Mse,
    /// Mean absolute error: mean(|pred - target|), less swayed by outliers.
    Mae,
}

impl LossKind {
    pub const ALL: [LossKind; 2] = [Self::Mse, Self::Mae];

    pub fn name(self) -> &'static str {
        match self {
            Self::Mse => "mse",
            Self::Mae => "mae",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(name))
    }

    /// Records the loss of `prediction` against `target` (same shape) and returns the 1×1 node.
    pub fn apply(self, tape: &mut Tape, prediction: NodeId, target: NodeId) -> NodeId {
        match self {
            Self::Mse => tape.mse(prediction, target),
            Self::Mae => {
                let error = tape.sub(prediction, target);
                // |e| = relu(e) + relu(-e); its gradient at exactly 0 is 0, as PyTorch's.
                let positive = tape.relu(error);
                let negated = tape.neg(error);
                let negative = tape.relu(negated);
                let absolute = tape.add(positive, negative);
                tape.mean(absolute)
            }
        }
    }
}

impl fmt::Display for LossKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

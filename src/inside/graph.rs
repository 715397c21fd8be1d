//! The computation graph of one prediction and its squared error, as the engine's tape
//! recorded it: every node's operation, value and gradient d(loss)/d(node) after backward.
//! Small networks are recorded number by number (as micrograd's `draw_dot` draws them), larger
//! ones layer by layer (matmul, add, tanh…) with shapes.

use serde::Serialize;

/// How finely a graph was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GraphLevel {
    /// One node per number: every weight, every product and sum.
    Scalars,
    /// One node per tensor: a layer is matmul, add and its activation.
    Layers,
}

/// One node of the graph, in the order the tape recorded it (a topological order: every
/// input comes before the node that uses it).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GraphNode {
    /// The operation: "input", "param", "+", "-", "*", "matmul", "transpose", "tanh", "relu",
    /// "sigmoid", "pow", "mean", … (leaves are "input" or "param").
    pub op: String,
    /// What a reader calls it: "x", "w1[2,0]", "layers.0.weight", "h1", "prediction", "loss".
    /// Empty for intermediate results that have no name of their own.
    pub label: String,
    /// Indices into [`PredictionGraph::nodes`] of this node's operands.
    pub inputs: Vec<usize>,
    /// (rows, cols)
    pub shape: (usize, usize),
    /// Row-major values.
    pub value: Vec<f32>,
    /// d(loss)/d(node), row-major, same shape as `value`; zeros where the loss does not depend
    /// on the node.
    pub grad: Vec<f32>,
}

impl GraphNode {
    pub fn is_scalar(&self) -> bool {
        self.value.len() == 1
    }

    /// The Euclidean norm of the values (a layer-level node is summed up by it).
    pub fn value_norm(&self) -> f32 {
        norm(&self.value)
    }

    /// The Euclidean norm of the gradient.
    pub fn grad_norm(&self) -> f32 {
        norm(&self.grad)
    }
}

/// The graph of one prediction and its squared error, in standardised units (the loss the
/// optimizer sees).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PredictionGraph {
    pub level: GraphLevel,
    pub nodes: Vec<GraphNode>,
    /// Index of the prediction node (standardised units).
    pub prediction: usize,
    /// Index of the loss node, (prediction − target)², the last node.
    pub loss: usize,
}

fn norm(values: &[f32]) -> f32 {
    values
        .iter()
        .map(|v| f64::from(*v) * f64::from(*v))
        .sum::<f64>()
        .sqrt() as f32
}

//! The computation graph of one prediction and its squared error, as the engine's tape
//! recorded it: every node's operation, value and gradient d(loss)/d(node) after backward.
//! Small networks are recorded number by number (as micrograd's `draw_dot` draws them), larger
//! ones layer by layer (matmul, add, tanh…) with shapes.

use std::collections::HashMap;

use serde::Serialize;

use crate::engine::{Gradients, NodeId, ParamId, Tape, Tensor};
use crate::train::{Model, parameter_name};

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

/// Networks with at most this many weights and biases are drawn number by number; a graph of
/// single numbers past that is too big to read (100 parameters already give ~300 nodes).
pub const MAX_SCALAR_GRAPH_PARAMETERS: usize = 100;

/// A parameter tensor's gradient under the weights file's name, in the file's layout
/// (weight out × in, bias 1 × out).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NamedGradient {
    pub name: String,
    pub shape: (usize, usize),
    pub values: Vec<f32>,
}

/// Records the prediction for `x` (the inputs' units) and its squared error against `target`
/// (the target's units) on the engine's tape, runs backward, and reads every node back.
/// Everything is in standardised units: the loss the optimizer sees.
pub fn prediction_graph(
    model: &Model,
    x: &[f32],
    target: f32,
) -> (PredictionGraph, Vec<NamedGradient>) {
    assert_eq!(x.len(), model.n_inputs(), "one value per input column");
    let mut x_standardised = x.to_vec();
    model.x_standardization.apply(&mut x_standardised);
    let mut target_standardised = [target];
    model.y_standardization.apply(&mut target_standardised);
    let mut recorder = Recorder::default();
    let level = if model.mlp.n_parameters() <= MAX_SCALAR_GRAPH_PARAMETERS {
        GraphLevel::Scalars
    } else {
        GraphLevel::Layers
    };
    let (prediction, loss) = match level {
        GraphLevel::Scalars => recorder.scalars(model, &x_standardised, target_standardised[0]),
        GraphLevel::Layers => recorder.layers(model, &x_standardised, target_standardised[0]),
    };
    let gradients = recorder.tape.backward(loss);
    let graph = recorder.read_back(level, prediction, loss);
    let named = match level {
        GraphLevel::Scalars => recorder.scalar_gradients(model, &gradients),
        GraphLevel::Layers => (0..model.mlp.parameters().len())
            .map(|index| {
                let shape = model.mlp.parameters()[index].shape();
                let values = gradients
                    .get(ParamId(index))
                    .map_or_else(|| vec![0.0; shape.0 * shape.1], |g| g.data().to_vec());
                NamedGradient {
                    name: parameter_name(index),
                    shape,
                    values,
                }
            })
            .collect(),
    };
    (graph, named)
}

#[derive(Default)]
struct Recorder {
    tape: Tape,
    labels: HashMap<NodeId, String>,
    /// In the scalar graph, parameter `ParamId(k)` is element `flat` of tensor `tensor`.
    scalar_slots: Vec<(usize, usize)>,
}

impl Recorder {
    fn label(&mut self, node: NodeId, label: String) -> NodeId {
        self.labels.insert(node, label);
        node
    }

    /// The input values as parameters too, so that the graph shows d(loss)/dx as micrograd
    /// shows every leaf's gradient.
    fn inputs(&mut self, model: &Model, x: &[f32], first_id: usize) -> Vec<NodeId> {
        x.iter()
            .zip(&model.x_names)
            .enumerate()
            .map(|(k, (&value, name))| {
                let node = self
                    .tape
                    .param(ParamId(first_id + k), &Tensor::scalar(value));
                self.label(node, name.clone())
            })
            .collect()
    }

    /// One node per number, as micrograd's `Neuron`: `b + w₁x₁ + w₂x₂ + …`, then the
    /// activation.
    fn scalars(&mut self, model: &Model, x: &[f32], target: f32) -> (NodeId, NodeId) {
        let mlp = &model.mlp;
        let mut activations = self.inputs(model, x, mlp.n_parameters());
        let n_layers = mlp.n_layers();
        for layer in 0..n_layers {
            let (weight, bias) = mlp.layer(layer);
            let is_output = layer + 1 == n_layers;
            let mut next = Vec::with_capacity(weight.rows());
            for unit in 0..weight.rows() {
                let b = self.scalar_param(2 * layer + 1, unit, bias.data()[unit]);
                let b = self.label(b, format!("b{}[{}]", layer + 1, unit + 1));
                let mut sum = b;
                for (from, &input) in activations.iter().enumerate() {
                    let w = self.scalar_param(
                        2 * layer,
                        unit * weight.cols() + from,
                        weight.at(unit, from),
                    );
                    let w = self.label(w, format!("w{}[{},{}]", layer + 1, unit + 1, from + 1));
                    let product = self.tape.mul(w, input);
                    sum = self.tape.add(sum, product);
                }
                let out = if is_output {
                    self.label(sum, "prediction".to_owned())
                } else {
                    self.label(sum, format!("z{},{}", layer + 1, unit + 1));
                    let h = mlp.activation().apply(&mut self.tape, sum);
                    self.label(h, format!("h{},{}", layer + 1, unit + 1))
                };
                next.push(out);
            }
            activations = next;
        }
        self.squared_error(activations[0], target)
    }

    fn scalar_param(&mut self, tensor: usize, flat: usize, value: f32) -> NodeId {
        let id = ParamId(self.scalar_slots.len());
        self.scalar_slots.push((tensor, flat));
        self.tape.param(id, &Tensor::scalar(value))
    }

    /// One node per tensor: `h @ Wᵀ + b`, then the activation, unfused so that each step has
    /// its own value and gradient.
    fn layers(&mut self, model: &Model, x: &[f32], target: f32) -> (NodeId, NodeId) {
        let mlp = &model.mlp;
        let input = self
            .tape
            .param(ParamId(mlp.parameters().len()), &Tensor::row(x.to_vec()));
        let mut h = self.label(input, "x".to_owned());
        let n_layers = mlp.n_layers();
        for layer in 0..n_layers {
            let (weight, bias) = mlp.layer(layer);
            let w = self.tape.param(ParamId(2 * layer), weight);
            self.label(w, parameter_name(2 * layer));
            let b = self.tape.param(ParamId(2 * layer + 1), bias);
            self.label(b, parameter_name(2 * layer + 1));
            let w_t = self.tape.transpose(w);
            let product = self.tape.matmul(h, w_t);
            let z = self.tape.add(product, b);
            h = if layer + 1 == n_layers {
                self.label(z, "prediction".to_owned())
            } else {
                self.label(z, format!("z{}", layer + 1));
                let activated = mlp.activation().apply(&mut self.tape, z);
                self.label(activated, format!("h{}", layer + 1))
            };
        }
        self.squared_error(h, target)
    }

    fn squared_error(&mut self, prediction: NodeId, target: f32) -> (NodeId, NodeId) {
        let target = self.tape.input(1, 1, &[target]);
        self.label(target, "target".to_owned());
        let error = self.tape.sub(prediction, target);
        self.label(error, "error".to_owned());
        let loss = self.tape.pow_scalar(error, 2.0);
        (prediction, self.label(loss, "loss".to_owned()))
    }

    fn read_back(&self, level: GraphLevel, prediction: NodeId, loss: NodeId) -> PredictionGraph {
        let index: HashMap<NodeId, usize> = self
            .tape
            .node_ids()
            .enumerate()
            .map(|(i, id)| (id, i))
            .collect();
        let nodes = self
            .tape
            .node_ids()
            .map(|id| {
                let record = self.tape.record(id);
                GraphNode {
                    op: record.op.symbol(),
                    label: self.labels.get(&id).cloned().unwrap_or_default(),
                    inputs: record
                        .operands
                        .iter()
                        .map(|operand| index[operand])
                        .collect(),
                    shape: record.shape,
                    value: record.value.to_vec(),
                    grad: record
                        .grad
                        .map_or_else(|| vec![0.0; record.value.len()], <[f32]>::to_vec),
                }
            })
            .collect();
        PredictionGraph {
            level,
            nodes,
            prediction: index[&prediction],
            loss: index[&loss],
        }
    }

    fn scalar_gradients(&self, model: &Model, gradients: &Gradients) -> Vec<NamedGradient> {
        let mut named: Vec<NamedGradient> = model
            .mlp
            .parameters()
            .iter()
            .enumerate()
            .map(|(index, tensor)| NamedGradient {
                name: parameter_name(index),
                shape: tensor.shape(),
                values: vec![0.0; tensor.len()],
            })
            .collect();
        for (k, &(tensor, flat)) in self.scalar_slots.iter().enumerate() {
            if let Some(grad) = gradients.get(ParamId(k)) {
                named[tensor].values[flat] = grad.item();
            }
        }
        named
    }
}

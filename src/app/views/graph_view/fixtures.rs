//! Hand-built graphs for the tests, shaped as the engine's tape records them: micrograd's
//! small expression, scalar graphs of small MLPs (values and gradients computed here by a
//! ten-line forward and backward pass), and a layer-level graph of a 1-32-32-1 network.

use crate::inside::{GraphLevel, GraphNode, PredictionGraph};

/// A scalar tape: leaves and operations in the order they are recorded.
#[derive(Default)]
pub struct ScalarTape {
    nodes: Vec<GraphNode>,
}

impl ScalarTape {
    pub fn leaf(&mut self, op: &str, label: &str, value: f32) -> usize {
        self.push(op, label, Vec::new(), value)
    }

    /// "+", "-", "*", "tanh", or "pow" (the square).
    pub fn op(&mut self, op: &str, label: &str, inputs: &[usize]) -> usize {
        let v = |i: usize| self.nodes[inputs[i]].value[0];
        let value = match op {
            "+" => v(0) + v(1),
            "-" => v(0) - v(1),
            "*" => v(0) * v(1),
            "tanh" => v(0).tanh(),
            "pow" => v(0) * v(0),
            other => panic!("the fixture tape has no op {other}"),
        };
        self.push(op, label, inputs.to_vec(), value)
    }

    fn push(&mut self, op: &str, label: &str, inputs: Vec<usize>, value: f32) -> usize {
        self.nodes.push(GraphNode {
            op: op.to_owned(),
            label: label.to_owned(),
            inputs,
            shape: (1, 1),
            value: vec![value],
            grad: vec![0.0],
        });
        self.nodes.len() - 1
    }

    /// Backward from the last node (the loss): a reverse loop, gradients accumulating.
    pub fn finish(mut self, prediction: usize) -> PredictionGraph {
        let loss = self.nodes.len() - 1;
        self.nodes[loss].grad[0] = 1.0;
        for index in (0..self.nodes.len()).rev() {
            let node = &self.nodes[index];
            let (out_grad, out_value) = (node.grad[0], node.value[0]);
            let inputs = node.inputs.clone();
            let value = |i: usize| self.nodes[inputs[i]].value[0];
            let input_grads: Vec<f32> = match node.op.as_str() {
                "+" => vec![out_grad, out_grad],
                "-" => vec![out_grad, -out_grad],
                "*" => vec![value(1) * out_grad, value(0) * out_grad],
                // d tanh(a)/da = 1 − tanh(a)²
                "tanh" => vec![(1.0 - out_value * out_value) * out_grad],
                // d a²/da = 2a
                "pow" => vec![2.0 * value(0) * out_grad],
                _ => Vec::new(),
            };
            for (input, grad) in inputs.iter().zip(input_grads) {
                self.nodes[*input].grad[0] += grad;
            }
        }
        PredictionGraph {
            level: GraphLevel::Scalars,
            nodes: self.nodes,
            prediction,
            loss,
        }
    }
}

/// The lecture's first graph, as a prediction and its squared error:
/// prediction = a·b + c = 2·(−3) + 10 = 4, loss = (4 − 1)² = 9, so d(loss)/d(prediction) =
/// 2·3 = 6, d/da = 6·b = −18, d/db = 6·a = 12, d/dc = 6.
pub fn micrograd_expression() -> PredictionGraph {
    let mut tape = ScalarTape::default();
    let a = tape.leaf("param", "a", 2.0);
    let b = tape.leaf("input", "b", -3.0);
    let e = tape.op("*", "e", &[a, b]);
    let c = tape.leaf("param", "c", 10.0);
    let prediction = tape.op("+", "prediction", &[e, c]);
    let target = tape.leaf("input", "target", 1.0);
    let error = tape.op("-", "", &[prediction, target]);
    tape.op("pow", "loss", &[error]);
    tape.finish(prediction)
}

/// An MLP of `sizes` (inputs, hidden…, 1), tanh on hidden layers, written as micrograd's
/// `Neuron` computes: b + w0·x0 + w1·x1 + … then tanh; then (prediction − target)².
pub fn scalar_mlp(sizes: &[usize]) -> PredictionGraph {
    let mut tape = ScalarTape::default();
    let mut seed = 1_u32;
    let mut weight = move || {
        // A small deterministic generator: weights between −1 and 1.
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (seed >> 8) as f32 / (1 << 23) as f32 - 1.0
    };
    let mut layer: Vec<usize> = (0..sizes[0])
        .map(|i| tape.leaf("input", &format!("x{i}"), 0.5 + i as f32))
        .collect();
    for (l, &units) in sizes.iter().enumerate().skip(1) {
        let is_output = l + 1 == sizes.len();
        layer = (0..units)
            .map(|unit| {
                let mut sum = tape.leaf("param", &format!("b{l}[{unit}]"), weight());
                for (i, &input) in layer.iter().enumerate() {
                    let w = tape.leaf("param", &format!("w{l}[{unit},{i}]"), weight());
                    let product = tape.op("*", "", &[w, input]);
                    sum = tape.op("+", "", &[sum, product]);
                }
                if is_output {
                    sum
                } else {
                    tape.op("tanh", &format!("h{l}[{unit}]"), &[sum])
                }
            })
            .collect();
    }
    let prediction = layer[0];
    tape.nodes[prediction].label = "prediction".to_owned();
    let target = tape.leaf("input", "target", 0.25);
    let error = tape.op("-", "", &[prediction, target]);
    tape.op("pow", "loss", &[error]);
    tape.finish(prediction)
}

/// A 1-32-32-1 tanh MLP at the level of layers: x·Wᵀ + b per layer. Values and gradients are
/// deterministic filler (the view only shows them); shapes are the real ones.
pub fn layer_mlp() -> PredictionGraph {
    let mut nodes: Vec<GraphNode> = Vec::new();
    let mut push = |op: &str, label: &str, inputs: &[usize], shape: (usize, usize)| {
        let index = nodes.len();
        let count = shape.0 * shape.1;
        let filler = |k: usize, scale: f32| ((index * 31 + k * 7) as f32).sin() * scale;
        nodes.push(GraphNode {
            op: op.to_owned(),
            label: label.to_owned(),
            inputs: inputs.to_vec(),
            shape,
            value: (0..count).map(|k| filler(k, 0.8)).collect(),
            grad: (0..count).map(|k| filler(k + 1, 0.05)).collect(),
        });
        index
    };
    let sizes = [1, 32, 32, 1];
    let mut activation = push("input", "x", &[], (1, 1));
    for l in 1..sizes.len() {
        let (n_in, n_out) = (sizes[l - 1], sizes[l]);
        let weight = push(
            "param",
            &format!("layers.{}.weight", l - 1),
            &[],
            (n_out, n_in),
        );
        let transposed = push("transpose", "", &[weight], (n_in, n_out));
        let product = push("matmul", "", &[activation, transposed], (1, n_out));
        let bias = push("param", &format!("layers.{}.bias", l - 1), &[], (1, n_out));
        let sum = push("+", "", &[product, bias], (1, n_out));
        activation = if l + 1 < sizes.len() {
            push("tanh", &format!("h{l}"), &[sum], (1, n_out))
        } else {
            sum
        };
    }
    let prediction = activation;
    nodes[prediction].label = "prediction".to_owned();
    let target = nodes.len();
    nodes.push(GraphNode {
        op: "input".to_owned(),
        label: "target".to_owned(),
        inputs: Vec::new(),
        shape: (1, 1),
        value: vec![0.25],
        grad: vec![0.0],
    });
    let mut push_scalar = |op: &str, label: &str, inputs: Vec<usize>, value: f32, grad: f32| {
        nodes.push(GraphNode {
            op: op.to_owned(),
            label: label.to_owned(),
            inputs,
            shape: (1, 1),
            value: vec![value],
            grad: vec![grad],
        });
        nodes.len() - 1
    };
    let error = push_scalar("-", "", vec![prediction, target], -0.35, -0.7);
    let loss = push_scalar("pow", "loss", vec![error], 0.1225, 1.0);
    PredictionGraph {
        level: GraphLevel::Layers,
        nodes,
        prediction,
        loss,
    }
}

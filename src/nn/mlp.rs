//! The multi-layer perceptron: dense layers with one hidden activation and a linear output.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use super::activation::Activation;
use crate::engine::{NodeId, ParamId, Tape, Tensor};

/// A fully connected network `n_inputs → hidden_sizes… → 1`.
///
/// Parameters are stored per layer as weight (out × in, PyTorch's layout) then bias
/// (1 × out), so parameter `2l` is layer `l`'s weight and `2l + 1` its bias.
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp {
    n_inputs: usize,
    hidden_sizes: Vec<usize>,
    activation: Activation,
    parameters: Vec<Tensor>,
}

/// The number of weights and biases of an `n_inputs → hidden_sizes → 1` network.
pub fn parameter_count(n_inputs: usize, hidden_sizes: &[usize]) -> usize {
    let mut sizes = vec![n_inputs];
    sizes.extend_from_slice(hidden_sizes);
    sizes.push(1);
    sizes.windows(2).map(|w| w[0] * w[1] + w[1]).sum()
}

impl Mlp {
    /// A freshly initialised network; the same seed always gives the same weights.
    pub fn new(n_inputs: usize, hidden_sizes: &[usize], activation: Activation, seed: u64) -> Self {
        assert!(n_inputs > 0, "an MLP needs at least one input");
        assert!(
            hidden_sizes.iter().all(|&h| h > 0),
            "hidden layers need at least one unit"
        );
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let sizes = layer_sizes(n_inputs, hidden_sizes);
        let mut parameters = Vec::with_capacity(2 * (sizes.len() - 1));
        for (layer, pair) in sizes.windows(2).enumerate() {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            let is_output = layer == sizes.len() - 2;
            // The output layer is linear, so Xavier suits it whatever the hidden activation.
            let init = if is_output {
                Activation::Identity.init()
            } else {
                activation.init()
            };
            let bound = init.bound(fan_in, fan_out);
            let weights = (0..fan_in * fan_out)
                .map(|_| rng.random_range(-bound..=bound))
                .collect();
            parameters.push(Tensor::new(fan_out, fan_in, weights));
            parameters.push(Tensor::zeros(1, fan_out));
        }
        Self {
            n_inputs,
            hidden_sizes: hidden_sizes.to_vec(),
            activation,
            parameters,
        }
    }

    /// A network with the given parameters (weight out × in, bias 1 × out per layer), or
    /// `None` when their count or shapes do not match the layer sizes.
    pub fn from_parameters(
        n_inputs: usize,
        hidden_sizes: &[usize],
        activation: Activation,
        parameters: Vec<Tensor>,
    ) -> Option<Self> {
        if n_inputs == 0 || hidden_sizes.contains(&0) {
            return None;
        }
        let sizes = layer_sizes(n_inputs, hidden_sizes);
        if parameters.len() != 2 * (sizes.len() - 1) {
            return None;
        }
        for (pair, layer) in sizes.windows(2).zip(parameters.chunks_exact(2)) {
            if layer[0].shape() != (pair[1], pair[0]) || layer[1].shape() != (1, pair[1]) {
                return None;
            }
        }
        Some(Self {
            n_inputs,
            hidden_sizes: hidden_sizes.to_vec(),
            activation,
            parameters,
        })
    }

    pub fn n_inputs(&self) -> usize {
        self.n_inputs
    }

    pub fn hidden_sizes(&self) -> &[usize] {
        &self.hidden_sizes
    }

    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// `[n_inputs, hidden…, 1]`.
    pub fn layer_sizes(&self) -> Vec<usize> {
        layer_sizes(self.n_inputs, &self.hidden_sizes)
    }

    pub fn n_layers(&self) -> usize {
        self.hidden_sizes.len() + 1
    }

    pub fn n_parameters(&self) -> usize {
        self.parameters.iter().map(Tensor::len).sum()
    }

    pub fn parameters(&self) -> &[Tensor] {
        &self.parameters
    }

    pub fn parameters_mut(&mut self) -> &mut [Tensor] {
        &mut self.parameters
    }

    /// Layer `layer`'s weight (out × in) and bias (1 × out).
    pub fn layer(&self, layer: usize) -> (&Tensor, &Tensor) {
        (&self.parameters[2 * layer], &self.parameters[2 * layer + 1])
    }

    /// Records the forward pass of a batch `x` (rows × n_inputs) and returns the rows × 1
    /// prediction node.
    pub fn forward(&self, tape: &mut Tape, x: NodeId) -> NodeId {
        self.forward_layers(tape, x, |_, _| {})
    }

    /// As `forward`, calling `on_hidden(layer, node)` with each hidden layer's activations
    /// (what a per-unit plot shows).
    pub fn forward_layers(
        &self,
        tape: &mut Tape,
        x: NodeId,
        mut on_hidden: impl FnMut(usize, NodeId),
    ) -> NodeId {
        assert_eq!(
            tape.shape(x).1,
            self.n_inputs,
            "input width differs from the network's"
        );
        let mut h = x;
        let n_layers = self.n_layers();
        for layer in 0..n_layers {
            let weight = tape.param(ParamId(2 * layer), &self.parameters[2 * layer]);
            let bias = tape.param(ParamId(2 * layer + 1), &self.parameters[2 * layer + 1]);
            if layer + 1 < n_layers {
                h = tape.linear_with(h, weight, bias, self.activation.nonlinearity());
                on_hidden(layer, h);
            } else {
                h = tape.linear(h, weight, bias);
            }
        }
        h
    }

    /// Predictions for `x` (row-major, n × n_inputs), in the units the network was trained on.
    pub fn predict(&self, tape: &mut Tape, x: &[f32]) -> Vec<f32> {
        assert_eq!(
            x.len() % self.n_inputs,
            0,
            "input length is not a multiple of the width"
        );
        tape.clear();
        let input = tape.input(x.len() / self.n_inputs, self.n_inputs, x);
        let out = self.forward(tape, input);
        tape.value(out).to_vec()
    }
}

fn layer_sizes(n_inputs: usize, hidden_sizes: &[usize]) -> Vec<usize> {
    let mut sizes = Vec::with_capacity(hidden_sizes.len() + 2);
    sizes.push(n_inputs);
    sizes.extend_from_slice(hidden_sizes);
    sizes.push(1);
    sizes
}

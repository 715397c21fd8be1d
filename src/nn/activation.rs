//! The hidden-layer activations a user can pick, and which initialisation each one wants.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::{NodeId, Nonlinearity, Tape};

/// The non-linearity applied after every hidden layer (the output layer stays linear).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Activation {
    #[default]
    Tanh,
    Relu,
    Sigmoid,
    /// No non-linearity: however many layers, the network is one linear map, which is the
    /// lesson this option exists to show.
    Identity,
}

impl Activation {
    pub const ALL: [Activation; 4] = [Self::Tanh, Self::Relu, Self::Sigmoid, Self::Identity];

    /// The name used on the command line and in weights files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tanh => "tanh",
            Self::Relu => "relu",
            Self::Sigmoid => "sigmoid",
            Self::Identity => "identity",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    pub fn apply(self, tape: &mut Tape, x: NodeId) -> NodeId {
        match self {
            Self::Tanh => tape.tanh(x),
            Self::Relu => tape.relu(x),
            Self::Sigmoid => tape.sigmoid(x),
            Self::Identity => x,
        }
    }

    /// The same function as the engine's fused-layer element-wise step.
    pub fn nonlinearity(self) -> Nonlinearity {
        match self {
            Self::Tanh => Nonlinearity::Tanh,
            Self::Relu => Nonlinearity::Relu,
            Self::Sigmoid => Nonlinearity::Sigmoid,
            Self::Identity => Nonlinearity::Identity,
        }
    }

    /// The scheme that keeps activations' variance steady through this non-linearity:
    /// He for ReLU (half the units are off), Xavier/Glorot for the symmetric ones.
    pub fn init(self) -> Init {
        match self {
            Self::Relu => Init::He,
            Self::Tanh | Self::Sigmoid | Self::Identity => Init::Xavier,
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Weight initialisation schemes (uniform variants; biases start at zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// U(±√(6 / (fan_in + fan_out))), Glorot & Bengio 2010.
    Xavier,
    /// U(±√(6 / fan_in)), He et al. 2015.
    He,
}

impl Init {
    pub fn bound(self, fan_in: usize, fan_out: usize) -> f32 {
        match self {
            Self::Xavier => (6.0 / (fan_in + fan_out) as f32).sqrt(),
            Self::He => (6.0 / fan_in as f32).sqrt(),
        }
    }
}

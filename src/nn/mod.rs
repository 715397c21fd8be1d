//! Neural-network building blocks on top of the engine: the MLP, its activations and
//! initialisation, and the regression losses. Knows nothing of optimizers, data files or UI.

mod activation;
mod loss;
mod mlp;

pub use activation::{Activation, Init};
pub use loss::LossKind;
pub use mlp::{Mlp, parameter_count};

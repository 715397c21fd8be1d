//! What happens inside a network, computed by the engine itself: one prediction's layer by
//! layer values and each hidden unit's share of it ([`explain`]), the computation graph of one
//! prediction and its squared error with every value and gradient ([`graph`]), and a check of
//! the engine's gradients against finite differences ([`check`]). The app and the CLI both
//! call these; nothing here draws.

pub mod graph;

pub use graph::{GraphLevel, GraphNode, PredictionGraph};

//! What happens inside a network, computed by the engine itself: one prediction's layer by
//! layer values and each hidden unit's share of it ([`explain`]), the computation graph of one
//! prediction and its squared error with every value and gradient ([`graph`]), and a check of
//! the engine's gradients against finite differences ([`check`]). The app and the CLI both
//! call these; nothing here draws.

pub mod arithmetic;
pub mod check;
pub mod dot;
pub mod explain;
pub mod graph;

pub use arithmetic::{NeuronArithmetic, Term, neuron_arithmetic, unit_symbol};
pub use check::{
    CheckBatch, CheckError, EngineCheck, GradientCheck, GradientEntry, MicrogradCheck,
    check_engine, check_gradients,
};
pub use dot::to_dot;
pub use explain::{Explanation, LayerValues, UnitCurves, explain, unit_curves};
pub use graph::{
    GraphLevel, GraphNode, MAX_SCALAR_GRAPH_PARAMETERS, NamedGradient, PredictionGraph,
    prediction_graph,
};

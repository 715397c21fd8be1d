//! The computation graph of one prediction, as micrograd's `draw_dot` draws it: every node
//! with its operation, value and gradient d(loss)/d(node).
//!
//! The view draws a `PredictionGraph` the worker built; it computes nothing about the network.
//! `layout.rs` places the boxes (pure, tested without a window), `ordering.rs` orders and
//! aligns them within columns, and `fields.rs` writes what a box says.

mod fields;
mod layout;
mod ordering;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;

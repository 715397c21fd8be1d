//! Nanograd: watch a neural network learn.
//!
//! The crate is layered so that dependencies point one way:
//! `engine` (autograd tape) ← `nn` (MLP, losses) and `optim` (SGD, Adam) ← `train` (the
//! synchronous training loop and the weights file) ← `app` (the eframe desktop app); `data`
//! (CSV loading, datasets) feeds `train`; `export` writes a trained model as a PyTorch
//! script. `bench` reproduces the reference benchmark protocol.

pub mod app;
pub mod bench;
pub mod cli;
pub mod data;
pub mod engine;
pub mod export;
pub mod files;
pub mod inside;
pub mod nn;
pub mod optim;
pub mod train;

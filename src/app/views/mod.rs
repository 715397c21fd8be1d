//! What the central area draws: the fit plot, the loss plot, the network diagram, and the pieces
//! they share (axes with our tick logic, legends outside the plots). Views draw what the worker
//! sent in its snapshots; they compute nothing about the network.

mod axes;
pub mod diagram;
mod fit_plot;
mod legend;
mod loss_plot;
pub mod ticks;

pub use fit_plot::fit_plot_ui;
pub use loss_plot::loss_plot_ui;

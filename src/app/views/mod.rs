//! What the central area draws: the fit plot, the loss plot, the network diagram, each layer's
//! gradients, the parity and residual plots, the inside views (unit curves, a neuron's arithmetic, the computation graph of one
//! prediction, the engine check), and the pieces they share (axes with our tick logic, legends
//! outside the plots). Views draw what the worker sent in its snapshots; they compute nothing
//! about the network.

mod axes;
mod batch_window;
mod check_window;
mod dashes;
pub mod diagram;
mod error_plot;
mod fit_plot;
mod glossary_window;
pub mod gradient_plot;
pub mod graph_view;
mod graph_window;
mod history_window;
mod legend;
mod loss_plot;
mod network_view;
mod neuron_window;
mod race_window;
pub mod ticks;
mod unit_curves;
mod units_plot;

pub use batch_window::batch_window;
pub use check_window::{CheckView, check_window};
pub use error_plot::error_plot_ui;
pub use fit_plot::{FitInside, FitPlotOutput, RunCurve, fit_plot_ui};
pub use glossary_window::glossary_window;
pub use graph_window::graph_window;
pub use history_window::{HistoryAction, history_window};
pub use loss_plot::{Ghost, loss_plot_ui, run_color, run_name};
pub use network_view::network_view_ui;
pub use neuron_window::neuron_window;
pub use race_window::race_window;
pub use units_plot::units_plot_ui;

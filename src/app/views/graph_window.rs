//! The computation graph of one data point in a window: what the point is, what the numbers are
//! in, and the graph itself (pan and zoom).

use crate::inside::GraphLevel;
use crate::inside::arithmetic::number;

use super::super::snapshot::GraphOfPoint;
use super::super::style::ViewStyle;
use super::graph_view::{GraphViewState, graph_view_ui};

/// Shows the window while `is_open`; `graph` is `None` until the worker has computed it.
pub fn graph_window(
    ctx: &egui::Context,
    graph: Option<&GraphOfPoint>,
    names: (&[String], &str),
    state: &mut GraphViewState,
    style: &ViewStyle,
    is_open: &mut bool,
) {
    let content = ctx.content_rect();
    egui::Window::new("Computation graph")
        .open(is_open)
        .resizable(true)
        .default_size(content.size() * egui::vec2(0.8, 0.7))
        .default_pos(content.left_top() + content.size() * egui::vec2(0.1, 0.15))
        .show(ctx, |ui| {
            let Some(point) = graph else {
                ui.label("Computing the graph…");
                return;
            };
            let (x_names, y_name) = names;
            let inputs: Vec<String> = x_names
                .iter()
                .zip(&point.x)
                .map(|(name, x)| format!("{name} = {}", number(*x)))
                .collect();
            ui.label(format!(
                "One data point: {}, {y_name} = {}. Its prediction and squared error, with every \
                 value and its gradient d(loss)/d(node) as the engine computed them after \
                 backward. Numbers are in standardised units: this is the loss the optimizer sees.",
                inputs.join(", "),
                number(point.target)
            ));
            if point.graph.level == GraphLevel::Layers {
                ui.label(
                    egui::RichText::new(
                        "More than 100 parameters: one box per layer tensor, with its shape and \
                         norms. A network of 100 parameters or fewer is drawn number by number.",
                    )
                    .small(),
                );
            }
            graph_view_ui(ui, &point.graph, state, style);
        });
}

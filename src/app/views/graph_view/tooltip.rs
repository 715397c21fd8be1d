//! What hovering a box says (its full name, operation, shape and, for a small tensor, every
//! value and gradient), and its accessible name, which screen readers and the UI tests read.

use super::fields::{GRAD_NORM, VALUE_NORM, format_number, is_leaf, node_fields, shape_text};
use crate::inside::{GraphNode, PredictionGraph};

/// Tensors up to this many numbers are listed in full; larger ones by their norms.
const MAX_LISTED: usize = 16;

/// "param: w1[0,0], data 0.4100, grad −1.200": the operation, then the box's fields.
pub fn accessible_name(graph: &PredictionGraph, index: usize) -> String {
    let node = &graph.nodes[index];
    let fields: Vec<String> = node_fields(node, graph.level)
        .into_iter()
        .map(|field| field.text)
        .collect();
    format!("{}: {}", node.op, fields.join(", "))
}

pub fn node_tooltip_ui(ui: &mut egui::Ui, graph: &PredictionGraph, index: usize) {
    let node = &graph.nodes[index];
    let name = match node.label.as_str() {
        "" => format!("node {index}"),
        label => label.to_owned(),
    };
    ui.strong(name);
    ui.label(role_text(graph, index, node));
    ui.label(format!("shape {}", shape_text(node.shape)));
    if node.value.len() <= MAX_LISTED {
        egui::Grid::new(("graph node values", index))
            .striped(true)
            .show(ui, |ui| {
                ui.strong("");
                ui.strong("data");
                ui.strong("grad");
                ui.end_row();
                let cols = node.shape.1.max(1);
                for (i, (value, grad)) in node.value.iter().zip(&node.grad).enumerate() {
                    ui.label(format!("[{},{}]", i / cols, i % cols));
                    ui.label(format_number(*value));
                    ui.label(format_number(*grad));
                    ui.end_row();
                }
            });
    } else {
        ui.label(format!("{VALUE_NORM} {}", format_number(node.value_norm())));
        ui.label(format!("{GRAD_NORM} {}", format_number(node.grad_norm())));
    }
    ui.weak("grad is d(loss)/d(node): how the loss moves as this number moves.");
}

/// What the node is, in words.
fn role_text(graph: &PredictionGraph, index: usize, node: &GraphNode) -> String {
    let inputs: Vec<String> = node.inputs.iter().map(|i| short_name(graph, *i)).collect();
    if index == graph.loss {
        format!("the loss: {} of {}", node.op, inputs.join(", "))
    } else if index == graph.prediction {
        format!("the prediction: {} of {}", node.op, inputs.join(", "))
    } else if is_leaf(node) && node.op == "param" {
        "a parameter: training changes it".to_owned()
    } else if is_leaf(node) {
        format!("{}: data, fixed", node.op)
    } else {
        format!("{} of {}", node.op, inputs.join(", "))
    }
}

fn short_name(graph: &PredictionGraph, index: usize) -> String {
    match graph.nodes[index].label.as_str() {
        "" => format!("node {index}"),
        label => label.to_owned(),
    }
}

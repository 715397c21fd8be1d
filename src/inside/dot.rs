//! A [`PredictionGraph`] as graphviz DOT, drawn as micrograd's `draw_dot` draws it: left to
//! right, each value a record `{ label | data … | grad … }`, each operation a small oval
//! feeding the value it produced.

use std::fmt::Write;

use super::graph::{GraphLevel, GraphNode, PredictionGraph};

/// The DOT text of `graph`; `dot -Tsvg` renders it.
pub fn to_dot(graph: &PredictionGraph) -> String {
    let mut dot =
        String::from("digraph prediction {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    let _ = writeln!(
        dot,
        "  label=\"{} graph of one prediction and its squared error, in standardised units (the loss the optimizer sees)\";",
        match graph.level {
            GraphLevel::Scalars => "Number-level",
            GraphLevel::Layers => "Layer-level",
        }
    );
    for (index, node) in graph.nodes.iter().enumerate() {
        let fill = if index == graph.loss {
            ", style=filled, fillcolor=\"#f0e442\""
        } else if node.op == "param" {
            ", style=filled, fillcolor=\"#d6eaf8\""
        } else {
            ""
        };
        let _ = writeln!(
            dot,
            "  n{index} [shape=record, label=\"{{ {} }}\"{fill}];",
            record_fields(node).join(" | ")
        );
        if !node.inputs.is_empty() {
            let _ = writeln!(
                dot,
                "  n{index}op [shape=oval, label=\"{}\"];\n  n{index}op -> n{index};",
                escape(&node.op)
            );
            for input in &node.inputs {
                let _ = writeln!(dot, "  n{input} -> n{index}op;");
            }
        }
    }
    dot.push_str("}\n");
    dot
}

fn record_fields(node: &GraphNode) -> Vec<String> {
    let mut fields = Vec::new();
    if !node.label.is_empty() {
        fields.push(escape(&node.label));
    }
    if node.is_scalar() {
        fields.push(format!("data {:.4}", node.value[0]));
        fields.push(format!("grad {:.4}", node.grad[0]));
    } else {
        fields.push(format!("{}×{}", node.shape.0, node.shape.1));
        fields.push(format!("‖data‖ {:.4}", node.value_norm()));
        fields.push(format!("‖grad‖ {:.4}", node.grad_norm()));
    }
    fields
}

/// Escapes the characters that structure a record label.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '{' | '}' | '|' | '<' | '>' | '"' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

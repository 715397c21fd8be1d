//! What a node's box says, as text: its operation, name, shape, value and gradient, written
//! the way the lecture writes them ("data 0.4100", "grad −1.200"). Nothing here knows where a
//! box goes or how it is drawn.

use crate::inside::{GraphLevel, GraphNode};

/// The rows of a box, top to bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// The operation that made the value ("*", "tanh", "matmul"); leaves have none.
    Op,
    Label,
    Shape,
    Value,
    Grad,
}

/// One row of a box. `width_template` is text at least as wide as any number the
/// field may show, so a box keeps its width while the numbers change from one snapshot to the
/// next and the graph does not jitter as it trains.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldText {
    pub kind: FieldKind,
    pub text: String,
    pub width_template: Option<&'static str>,
}

/// Norms are written with ASCII bars: egui's default fonts have no "‖", and a missing glyph
/// draws as a box (and fails the UI tests).
pub const VALUE_NORM: &str = "|data|";
pub const GRAD_NORM: &str = "|grad|";

/// Each number row's name with the widest number [`format_number`] writes for a finite f32
/// (small gradients are common, so the scientific form with a negative two-digit exponent
/// sets the width).
const WIDEST: [(&str, &str); 4] = [
    ("data", "data −8.888e−38"),
    ("grad", "grad −8.888e−38"),
    (VALUE_NORM, "|data| −8.888e−38"),
    (GRAD_NORM, "|grad| −8.888e−38"),
];

/// The rows of `node`'s box. A single number is shown as itself; a tensor (in a layer-level
/// graph) by its shape and the norms of its values and gradient. Leaves show no operation:
/// their box's tint says parameter or data.
pub fn node_fields(node: &GraphNode, level: GraphLevel) -> Vec<FieldText> {
    let mut fields = Vec::with_capacity(5);
    if !is_leaf(node) {
        fields.push(FieldText {
            kind: FieldKind::Op,
            // A true minus, as in the numbers.
            text: if node.op == "-" {
                "−".to_owned()
            } else {
                node.op.clone()
            },
            width_template: None,
        });
    }
    if !node.label.is_empty() {
        fields.push(FieldText {
            kind: FieldKind::Label,
            text: node.label.clone(),
            width_template: None,
        });
    }
    if level == GraphLevel::Layers || !node.is_scalar() {
        fields.push(FieldText {
            kind: FieldKind::Shape,
            text: shape_text(node.shape),
            width_template: None,
        });
    }
    let (value_name, value, grad_name, grad) = if node.is_scalar() {
        // A gradient missing from the builder shows as NaN rather than closing the window.
        let grad = node.grad.first().copied().unwrap_or(f32::NAN);
        ("data", node.value[0], "grad", grad)
    } else {
        (VALUE_NORM, node.value_norm(), GRAD_NORM, node.grad_norm())
    };
    let number = |kind, name: &str, number: f32| FieldText {
        kind,
        text: format!("{name} {}", format_number(number)),
        width_template: WIDEST
            .iter()
            .find(|(row_name, _)| *row_name == name)
            .map(|(_, widest)| *widest),
    };
    fields.push(number(FieldKind::Value, value_name, value));
    fields.push(number(FieldKind::Grad, grad_name, grad));
    fields
}

/// "32×1".
pub fn shape_text((rows, cols): (usize, usize)) -> String {
    format!("{rows}×{cols}")
}

pub fn is_leaf(node: &GraphNode) -> bool {
    node.inputs.is_empty()
}

pub fn is_param(node: &GraphNode) -> bool {
    node.op == "param"
}

/// Four significant digits, a true minus sign, never "−0": 0.41 → "0.4100", −1.2 → "−1.200",
/// 12345 → "1.235e4", 0.0001234 → "1.234e−4". Zero is "0", so that a gradient the loss does
/// not depend on reads as exactly nothing.
pub fn format_number(value: f32) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "∞" } else { "−∞" }.to_owned();
    }
    if value == 0.0 {
        return "0".to_owned();
    }
    // The exponent of the value rounded to 4 digits: 9.9996 counts as 10.00, so the fixed form
    // below keeps 4 digits ("10.00"), not 5 ("10.000").
    let magnitude = f64::from(value).abs();
    let mut exponent = magnitude.log10().floor() as i32;
    if (magnitude / 10f64.powi(exponent - 3)).round() >= 10_000.0 {
        exponent += 1;
    }
    let text = if (-3..4).contains(&exponent) {
        let decimals = (3 - exponent) as usize;
        format!("{value:.decimals$}")
    } else {
        format!("{value:.3e}")
    };
    text.replace('-', "−")
}

//! The network diagram with the network's numbers on it: edges coloured by the weight's sign and
//! drawn as wide as its size (small weights fade out), nodes filled by their activation for the
//! probe input, and hover text with each weight's last gradient and each unit's bias,
//! pre-activation and activation. Dead ReLU units (they never fire on the training rows) are
//! crossed out, and saturated tanh or sigmoid units say so when hovered.

use egui::{Color32, Stroke};

use crate::inside::{arithmetic::number, unit_symbol};
use crate::nn::Activation;
use crate::train::advice::UnitActivity;

use super::super::snapshot::InsideSnapshot;
use super::super::style::ViewStyle;
use super::diagram::{
    DiagramInteraction, DiagramModel, DiagramOverlay, DiagramStyle, EdgeEnds,
    network_diagram_overlay_ui,
};

/// Widest edge, for the largest weight of a layer, in diagram points (before the diagram's
/// projector scale).
const MAX_EDGE_WIDTH: f32 = 4.0;
/// An input standardised to ±this fills its node fully.
const INPUT_FULL_SCALE: f32 = 2.0;

/// Draws the diagram; with `inside`, the weights and the probe's activations on it.
pub fn network_view_ui(
    ui: &mut egui::Ui,
    model: &DiagramModel,
    inside: Option<&InsideSnapshot>,
    style: &ViewStyle,
    highlight: Option<(usize, usize)>,
    selected: Option<(usize, usize)>,
    activity: Option<&UnitActivity>,
) -> DiagramInteraction {
    let diagram_style = DiagramStyle::from_visuals(ui.visuals(), style.diagram_scale);
    let Some(inside) = inside.filter(|inside| matches_shape(inside, model)) else {
        return network_diagram_overlay_ui(ui, model, &diagram_style, &DiagramOverlay::default());
    };
    let max_weights: Vec<f32> = (0..inside.model.mlp.n_layers())
        .map(|layer| {
            let (weight, _) = inside.model.mlp.layer(layer);
            weight.data().iter().fold(0.0f32, |max, w| max.max(w.abs()))
        })
        .collect();
    let edge = |ends: EdgeEnds| -> Stroke {
        let (weight, _) = inside.model.mlp.layer(ends.layer);
        let w = weight.at(ends.to, ends.from);
        let share = (w.abs() / max_weights[ends.layer].max(f32::MIN_POSITIVE)).clamp(0.0, 1.0);
        let color = if w >= 0.0 {
            style.positive
        } else {
            style.negative
        };
        // Faint and thin for small weights, so a wide layer's many small ones do not cover
        // the few that matter.
        let alpha = (30.0 + 225.0 * share) as u8;
        Stroke::new(
            (0.5 + MAX_EDGE_WIDTH * share) * style.diagram_scale,
            Color32::from_rgba_unmultiplied(color.r(), color.g(), color.b(), alpha),
        )
    };
    let neutral = diagram_style.node_fill;
    let activity = activity.filter(|activity| activity.dead.len() == model.hidden_sizes.len());
    let is_flagged = |flags: fn(&UnitActivity) -> &Vec<Vec<bool>>, column: usize, unit: usize| {
        activity.is_some_and(|activity| {
            column
                .checked_sub(1)
                .and_then(|layer| flags(activity).get(layer)?.get(unit).copied())
                .unwrap_or(false)
        })
    };
    let node_fill = |column: usize, unit: usize| -> Color32 {
        let Some(t) = node_level(inside, column, unit) else {
            return neutral;
        };
        let color = if t >= 0.0 {
            style.positive
        } else {
            style.negative
        };
        lerp(neutral, color, t.abs().clamp(0.0, 1.0))
    };
    let is_dead = |column: usize, unit: usize| is_flagged(|a| &a.dead, column, unit);
    let describe_node = |column: usize, unit: usize| {
        let mut text = describe_node(inside, column, unit);
        if is_flagged(|a| &a.dead, column, unit) {
            text.push_str(
                "\nDead: outputs 0 for every training row, so no gradient reaches it and it \
                 cannot learn again",
            );
        } else if is_flagged(|a| &a.saturated, column, unit) {
            text.push_str(
                "\nSaturated: at the limit of its activation for nearly every training row, \
                 where its slope (and so its gradient) is almost zero",
            );
        }
        text
    };
    let describe_edge = |ends: EdgeEnds| describe_edge(inside, ends);
    let overlay = DiagramOverlay {
        edge: Some(&edge),
        node_fill: Some(&node_fill),
        describe_node: Some(&describe_node),
        describe_edge: Some(&describe_edge),
        highlight,
        selected,
        crossed: Some(&is_dead),
    };
    network_diagram_overlay_ui(ui, model, &diagram_style, &overlay)
}

/// The snapshot may be a frame behind a change of network: then it is not drawn on this one.
fn matches_shape(inside: &InsideSnapshot, model: &DiagramModel) -> bool {
    inside.model.mlp.n_inputs() == model.x_names.len()
        && inside.model.mlp.hidden_sizes() == model.hidden_sizes
}

/// How strongly node `(column, unit)` is on, from −1 to 1.
fn node_level(inside: &InsideSnapshot, column: usize, unit: usize) -> Option<f32> {
    let explanation = &inside.explanation;
    if column == 0 {
        let x = explanation.standardised_x.get(unit)?;
        return Some((x / INPUT_FULL_SCALE).clamp(-1.0, 1.0));
    }
    let layer = explanation.layers.get(column - 1)?;
    let value = *layer.post.get(unit)?;
    let is_output = column == explanation.layers.len();
    let level = if is_output {
        value / INPUT_FULL_SCALE
    } else {
        match inside.model.mlp.activation() {
            Activation::Tanh => value,
            Activation::Sigmoid => 2.0 * value - 1.0,
            Activation::Relu | Activation::Identity => {
                let max = layer.post.iter().fold(0.0f32, |max, v| max.max(v.abs()));
                value / max.max(1e-6)
            }
        }
    };
    Some(level.clamp(-1.0, 1.0))
}

fn describe_node(inside: &InsideSnapshot, column: usize, unit: usize) -> String {
    let model = &inside.model;
    let explanation = &inside.explanation;
    let name = unit_symbol(model, column, unit);
    if column == 0 {
        return match (
            explanation.x.get(unit),
            explanation.standardised_x.get(unit),
        ) {
            (Some(x), Some(standardised)) => format!(
                "{name} = {} (standardised {})",
                number(*x),
                number(*standardised)
            ),
            _ => name,
        };
    }
    let layer = column - 1;
    let (Some(values), Some(bias)) = (
        explanation.layers.get(layer),
        model.mlp.parameters().get(2 * layer + 1),
    ) else {
        return name;
    };
    let (Some(pre), Some(post), Some(bias)) = (
        values.pre.get(unit),
        values.post.get(unit),
        bias.data().get(unit),
    ) else {
        return name;
    };
    if column == explanation.layers.len() {
        format!(
            "{name} (output, linear)\nbias {}\noutput {} (standardised)\nprediction {} {name}\n\
             Click to see its arithmetic",
            number(*bias),
            number(*post),
            number(explanation.prediction)
        )
    } else {
        format!(
            "{name}\nbias {}\npre-activation {}\n{}({}) = {}\nClick to see its arithmetic",
            number(*bias),
            number(*pre),
            model.mlp.activation(),
            number(*pre),
            number(*post)
        )
    }
}

fn describe_edge(inside: &InsideSnapshot, ends: EdgeEnds) -> String {
    let model = &inside.model;
    let (weight, _) = model.mlp.layer(ends.layer);
    let w = weight.at(ends.to, ends.from);
    let gradient = inside
        .last_gradients
        .get(2 * ends.layer)
        .filter(|g| g.shape() == weight.shape())
        .map(|g| g.at(ends.to, ends.from));
    let gradient = match gradient {
        Some(g) => format!("last gradient {}", number(g)),
        None => "no gradient yet: train a step".to_owned(),
    };
    format!(
        "w{}[{},{}] = {}\nfrom {} to {}\n{gradient}",
        ends.layer + 1,
        ends.to + 1,
        ends.from + 1,
        number(w),
        unit_symbol(model, ends.layer, ends.from),
        unit_symbol(model, ends.layer + 1, ends.to),
    )
}

fn lerp(a: Color32, b: Color32, t: f32) -> Color32 {
    let mix = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
    Color32::from_rgb(mix(a.r(), b.r()), mix(a.g(), b.g()), mix(a.b(), b.b()))
}

//! Drawing a [`DiagramLayout`]: edges, nodes and text, neutral or styled by the caller, and the
//! widget that lays out, draws and reports the hovered node.

use super::*;

/// One edge: from `from` of `layer` to `to` of `layer + 1` (the weight `W[layer][to][from]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeEnds {
    pub layer: usize,
    pub from: usize,
    pub to: usize,
}

/// Looks the caller computes from the network's numbers; `None` keeps the neutral look
/// (faint edges, outlined nodes).
#[derive(Clone, Copy, Default)]
pub struct DiagramOverlay<'a> {
    /// e.g. colour by the weight's sign and width by its size.
    pub edge: Option<&'a dyn Fn(EdgeEnds) -> Stroke>,
    /// Fill of `(layer, unit)`, e.g. by its activation.
    pub node_fill: Option<&'a dyn Fn(usize, usize) -> Color32>,
    /// What hovering a node says (its numbers); the unit's name when `None`.
    pub describe_node: Option<&'a dyn Fn(usize, usize) -> String>,
    /// What hovering an edge says; edges are not hoverable when `None`.
    pub describe_edge: Option<&'a dyn Fn(EdgeEnds) -> String>,
    /// A node to ring, e.g. the unit whose curve is hovered in the fit plot.
    pub highlight: Option<(usize, usize)>,
    /// A node to mark as chosen, e.g. the one whose arithmetic is shown.
    pub selected: Option<(usize, usize)>,
    /// Nodes to cross out, e.g. units that are dead.
    pub crossed: Option<&'a dyn Fn(usize, usize) -> bool>,
}

/// What the pointer did on the diagram this frame.
pub struct DiagramInteraction {
    pub response: egui::Response,
    /// The node under the pointer, `(layer, unit)`.
    pub hovered_node: Option<(usize, usize)>,
    /// The node clicked this frame.
    pub clicked_node: Option<(usize, usize)>,
    /// Where each drawn node is, `(layer, unit)` and centre.
    pub node_centers: Vec<((usize, usize), Pos2)>,
}

/// Pointer slack around an edge, in points.
const EDGE_HOVER_DISTANCE: f32 = 4.0;

/// Paints a layout: edges first, so that the nodes cover their ends, then nodes and text.
pub fn paint_diagram(
    painter: &egui::Painter,
    layout: &DiagramLayout,
    style: &DiagramStyle,
    overlay: &DiagramOverlay,
) {
    let neutral_edge = Stroke::new(style.edge_width, style.edge);
    for pair in layout.columns.windows(2) {
        let [from, to] = pair else { continue };
        let (Some(from), Some(to)) = (layout.nodes.get(from.clone()), layout.nodes.get(to.clone()))
        else {
            continue;
        };
        for a in from {
            for b in to {
                let ends = EdgeEnds {
                    layer: a.layer,
                    from: a.unit,
                    to: b.unit,
                };
                let stroke = overlay.edge.map_or(neutral_edge, |edge| edge(ends));
                painter.line_segment([a.center, b.center], stroke);
            }
        }
    }
    let radius = layout.node_radius;
    let outline = Stroke::new(1.5 * style.edge_width.max(1.0), style.node_stroke);
    for node in &layout.nodes {
        let fill = overlay
            .node_fill
            .map_or(style.node_fill, |fill| fill(node.layer, node.unit));
        painter.circle(node.center, radius, fill, outline);
        if overlay
            .crossed
            .is_some_and(|crossed| crossed(node.layer, node.unit))
        {
            let arm = radius * std::f32::consts::FRAC_1_SQRT_2;
            let cross = Stroke::new(2.0 * style.edge_width.max(1.0), style.text);
            painter.line_segment(
                [node.center - vec2(arm, arm), node.center + vec2(arm, arm)],
                cross,
            );
            painter.line_segment(
                [node.center - vec2(arm, -arm), node.center + vec2(arm, -arm)],
                cross,
            );
        }
    }
    // Three dots rather than the "⋮" glyph: they scale with the nodes and need no font support.
    for (_, center) in &layout.ellipses {
        for step in [-0.7, 0.0, 0.7] {
            painter.circle_filled(
                *center + vec2(0.0, step * radius),
                (0.2 * radius).max(1.0),
                style.text,
            );
        }
    }
    for label in &layout.labels {
        painter.text(
            label.rect.center(),
            Align2::CENTER_CENTER,
            &label.text,
            FontId::proportional(label.font_size),
            style.text,
        );
    }
}

/// Takes all the available space (at least 200×120) and draws the diagram, in its neutral look
/// or with edges and nodes styled and described by the caller (e.g. from the weights); reports
/// the hovered and the clicked node. A node's name (or the caller's description of it) is its
/// hover text.
pub fn network_diagram_overlay_ui(
    ui: &mut egui::Ui,
    model: &DiagramModel,
    style: &DiagramStyle,
    overlay: &DiagramOverlay,
) -> DiagramInteraction {
    // In a scroll area the available size can be unbounded: take the minimum there.
    let available = ui.available_size();
    let finite_or = |value: f32, min: f32| {
        Some(value)
            .filter(|v| v.is_finite())
            .map_or(min, |v| v.max(min))
    };
    let size = vec2(
        finite_or(available.x, MIN_SIZE.x),
        finite_or(available.y, MIN_SIZE.y),
    );
    let sense = if overlay.describe_node.is_some() {
        Sense::click()
    } else {
        Sense::hover()
    };
    let (response, painter) = ui.allocate_painter(size, sense);
    let measure = |text: &str, font_size: f32| {
        let font = FontId::proportional(font_size);
        let galley = painter
            .fonts_mut(|fonts| fonts.layout_no_wrap(text.to_owned(), font, Color32::PLACEHOLDER));
        galley.size().x
    };
    let layout = layout_diagram(response.rect, model, style, measure);
    paint_diagram(&painter, &layout, style, overlay);

    let ring = |layer_unit: (usize, usize), width: f32, color: Color32| {
        if let Some(node) = layout
            .nodes
            .iter()
            .find(|node| (node.layer, node.unit) == layer_unit)
        {
            let stroke = Stroke::new(width, color);
            painter.circle_stroke(node.center, layout.node_radius + stroke.width, stroke);
        }
    };
    if let Some(selected) = overlay.selected {
        ring(selected, 3.0 * style.edge_width.max(1.0), style.text);
    }
    if let Some(highlight) = overlay.highlight {
        ring(highlight, 2.0 * style.edge_width.max(1.0), style.text);
    }

    let pointer = response.hover_pos();
    let hovered = pointer.and_then(|pointer| layout.node_at(pointer));
    let hovered_edge = match (hovered, pointer, overlay.describe_edge) {
        (None, Some(pointer), Some(_)) => edge_at(&layout, pointer),
        _ => None,
    };
    let hover_text = if let Some(node) = hovered {
        let ring = Stroke::new(2.0 * style.edge_width.max(1.0), style.text);
        painter.circle_stroke(node.center, layout.node_radius + ring.width, ring);
        Some(match overlay.describe_node {
            Some(describe) => describe(node.layer, node.unit),
            None => model.unit_name(node.layer, node.unit),
        })
    } else if let (Some((ends, a, b)), Some(describe)) = (hovered_edge, overlay.describe_edge) {
        painter.line_segment(
            [a, b],
            Stroke::new(3.0 * style.edge_width.max(1.0), style.text),
        );
        Some(describe(ends))
    } else {
        // A shortened name or caption tells its full text.
        let under = |pointer: Pos2| {
            layout
                .labels
                .iter()
                .find(|label| label.rect.contains(pointer))
        };
        let label = pointer.and_then(under);
        label
            .filter(|label| label.hover != label.text)
            .map(|label| label.hover.clone())
    };
    let hovered_node = hovered.map(|node| (node.layer, node.unit));
    let clicked_node = if response.clicked() {
        hovered_node
    } else {
        None
    };
    let response = match hover_text {
        Some(text) => response.on_hover_text_at_pointer(text),
        None => response,
    };
    DiagramInteraction {
        response,
        hovered_node,
        clicked_node,
        node_centers: layout
            .nodes
            .iter()
            .map(|node| ((node.layer, node.unit), node.center))
            .collect(),
    }
}

/// The drawn edge nearest to `pointer`, within [`EDGE_HOVER_DISTANCE`], with its ends.
fn edge_at(layout: &DiagramLayout, pointer: Pos2) -> Option<(EdgeEnds, Pos2, Pos2)> {
    let mut best: Option<(f32, (EdgeEnds, Pos2, Pos2))> = None;
    for pair in layout.columns.windows(2) {
        let [from, to] = pair else { continue };
        let (Some(from), Some(to)) = (layout.nodes.get(from.clone()), layout.nodes.get(to.clone()))
        else {
            continue;
        };
        // Only the pair of columns the pointer is between.
        let (Some(left), Some(right)) = (from.first(), to.first()) else {
            continue;
        };
        if pointer.x < left.center.x || pointer.x > right.center.x {
            continue;
        }
        for a in from {
            for b in to {
                let distance = distance_to_segment(pointer, a.center, b.center);
                if distance <= EDGE_HOVER_DISTANCE && best.is_none_or(|(d, _)| distance < d) {
                    let ends = EdgeEnds {
                        layer: a.layer,
                        from: a.unit,
                        to: b.unit,
                    };
                    best = Some((distance, (ends, a.center, b.center)));
                }
            }
        }
    }
    best.map(|(_, edge)| edge)
}

fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let length_squared = ab.length_sq();
    if length_squared == 0.0 {
        return p.distance(a);
    }
    let t = ((p - a).dot(ab) / length_squared).clamp(0.0, 1.0);
    p.distance(a + t * ab)
}

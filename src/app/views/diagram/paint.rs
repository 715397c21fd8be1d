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
}

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
    let font = FontId::proportional(layout.font_size);
    for label in &layout.labels {
        painter.text(
            label.rect.center(),
            Align2::CENTER_CENTER,
            &label.text,
            font.clone(),
            style.text,
        );
    }
}

/// Takes all the available space (at least 200×120) and draws the diagram in its neutral look.
/// Returns the response and the hovered node `(layer, unit)`, whose name is shown as hover text.
pub fn network_diagram_ui(
    ui: &mut egui::Ui,
    model: &DiagramModel,
    style: &DiagramStyle,
) -> (egui::Response, Option<(usize, usize)>) {
    network_diagram_overlay_ui(ui, model, style, &DiagramOverlay::default())
}

/// [`network_diagram_ui`] with edges and nodes styled by the caller (e.g. from the weights).
pub fn network_diagram_overlay_ui(
    ui: &mut egui::Ui,
    model: &DiagramModel,
    style: &DiagramStyle,
    overlay: &DiagramOverlay,
) -> (egui::Response, Option<(usize, usize)>) {
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
    let (response, painter) = ui.allocate_painter(size, Sense::hover());
    let measure = |text: &str, font_size: f32| {
        let font = FontId::proportional(font_size);
        let galley = painter
            .fonts_mut(|fonts| fonts.layout_no_wrap(text.to_owned(), font, Color32::PLACEHOLDER));
        galley.size().x
    };
    let layout = layout_diagram(response.rect, model, style, measure);
    paint_diagram(&painter, &layout, style, overlay);

    let pointer = response.hover_pos();
    let hovered = pointer.and_then(|pointer| layout.node_at(pointer));
    let hover_text = if let Some(node) = hovered {
        let ring = Stroke::new(2.0 * style.edge_width.max(1.0), style.text);
        painter.circle_stroke(node.center, layout.node_radius + ring.width, ring);
        Some(model.unit_name(node.layer, node.unit))
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
    let hovered = hovered.map(|node| (node.layer, node.unit));
    let response = match hover_text {
        Some(text) => response.on_hover_text_at_pointer(text),
        None => response,
    };
    (response, hovered)
}

//! The network diagram: one column of nodes per layer, edges between neighbouring columns, the
//! data's column names beside the input and output nodes and a caption under every column.
//!
//! This module owns the geometry (where every node, ellipsis and label goes so that nothing
//! overlaps or leaves its rect, at any size) and the painting. It must not know the network's
//! numbers: it draws what it is given, and weights or activations reach it only as strokes and
//! colours the caller computes ([`DiagramOverlay`]). [`layout_diagram`] is pure (text widths
//! come from a closure), so its guarantees are tested without a window.

use std::ops::Range;

use egui::{Align2, Color32, FontId, Pos2, Rangef, Rect, Sense, Stroke, Vec2, pos2, vec2};

use crate::nn::Activation;

/// Text row height as a multiple of the font size (egui's default font needs about 1.2).
const LINE_HEIGHT: f32 = 1.3;
/// Empty space between two nodes of a column, in node radii.
const NODE_GAP: f32 = 0.6;
/// Largest spacing of a column with room to spare, in node radii: further apart, a short column
/// stops reading as one layer.
const MAX_PITCH: f32 = 8.0;
/// Most nodes drawn in a column, however tall: more only thicken the mesh of edges, which
/// then cannot show the colour of any one weight.
const MAX_SLOTS: usize = 16;
/// Share of the width the names on each side may take; the network keeps the rest.
const NAME_SHARE: f32 = 0.33;
/// The font is at most the height divided by this: two caption lines plus three labelled slots
/// (first unit, ellipsis, last unit) then always fit, so every column shows its ends.
const HEIGHT_PER_FONT: f32 = 9.0;
/// Below these the rect is too small to draw anything legible, so nothing is drawn.
const MIN_FONT: f32 = 3.0;
const MIN_RADIUS: f32 = 1.5;
/// Pointer slack around small nodes, in points.
const MIN_HOVER_RADIUS: f32 = 6.0;
/// The smallest area [`network_diagram_ui`] takes, even when less is available.
const MIN_SIZE: Vec2 = vec2(200.0, 120.0);

/// What to draw: the layer sizes and the names, nothing about weights.
#[derive(Clone, Copy, Debug)]
pub struct DiagramModel<'a> {
    pub x_names: &'a [String],
    pub y_name: &'a str,
    pub hidden_sizes: &'a [usize],
    pub activation: Activation,
}

impl DiagramModel<'_> {
    /// Input, hidden layers and output.
    pub fn layer_count(&self) -> usize {
        self.hidden_sizes.len() + 2
    }

    /// Units of `layer` (0 = input, `layer_count() - 1` = the single output).
    pub fn units(&self, layer: usize) -> usize {
        match layer {
            0 => self.x_names.len(),
            _ => self.hidden_sizes.get(layer - 1).copied().unwrap_or(1),
        }
    }

    /// What hovering a unit says; units count from 1 for the class, as hidden layers do.
    pub fn unit_name(&self, layer: usize, unit: usize) -> String {
        let name = match layer {
            0 => self.x_names.get(unit).map_or("", String::as_str),
            _ if layer + 1 == self.layer_count() => self.y_name,
            _ => return format!("hidden {layer}, unit {}", unit + 1),
        };
        match (name.is_empty(), layer) {
            (false, _) => name.to_owned(),
            (true, 0) => format!("input {}", unit + 1),
            (true, _) => "output".to_owned(),
        }
    }

    /// The two caption lines under `layer`, in full or short for narrow columns.
    fn caption(&self, layer: usize, short: bool) -> [String; 2] {
        let units = self.units(layer);
        let (name, short_name, detail) = if layer == 0 {
            ("input".to_owned(), "in".to_owned(), String::new())
        } else if layer + 1 == self.layer_count() {
            // The output layer has no activation: it is linear whatever the hidden layers use.
            ("output".to_owned(), "out".to_owned(), " linear".to_owned())
        } else {
            (
                format!("hidden {layer}"),
                format!("h{layer}"),
                format!(" {}", self.activation),
            )
        };
        if short {
            [short_name, units.to_string()]
        } else {
            [name, format!("{units}{detail}")]
        }
    }

    /// The caption spelled out, shown when hovering it (short captions need it most).
    fn caption_hover(&self, layer: usize) -> String {
        let units = self.units(layer);
        let plural = if units == 1 { "" } else { "s" };
        match layer {
            0 => format!("input: {units} column{plural} of data"),
            _ if layer + 1 == self.layer_count() => "output: 1 unit, linear".to_owned(),
            _ => format!("hidden {layer}: {units} unit{plural}, {}", self.activation),
        }
    }
}

/// Sizes and colours; everything the diagram draws scales with these.
#[derive(Clone, Debug, PartialEq)]
pub struct DiagramStyle {
    pub font_size: f32,
    pub node_radius: f32,
    pub edge_width: f32,
    pub text: Color32,
    pub node_stroke: Color32,
    pub node_fill: Color32,
    pub edge: Color32,
}

impl DiagramStyle {
    /// The theme's colours at `scale` times the desk sizes (a projector view passes more).
    pub fn from_visuals(visuals: &egui::Visuals, scale: f32) -> Self {
        let scale = Some(scale).filter(|scale| scale.is_finite() && *scale > 0.0);
        let scale = scale.unwrap_or(1.0);
        Self {
            font_size: 14.0 * scale,
            node_radius: 8.0 * scale,
            edge_width: scale,
            text: visuals.strong_text_color(),
            node_stroke: visuals.text_color(),
            // The panel colour, so that a node hides the ends of the edges that meet under it.
            node_fill: visuals.panel_fill,
            edge: visuals.weak_text_color().gamma_multiply(0.5),
        }
    }
}

/// One drawn node: `unit` of `layer` (0 = input), both counted from 0 like the weights.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodeSlot {
    pub layer: usize,
    pub unit: usize,
    pub center: Pos2,
}

/// A piece of text and where it goes. `hover` is what hovering it says: a shortened name's full
/// text, a caption spelled out.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedLabel {
    pub text: String,
    pub rect: Rect,
    pub hover: String,
}

/// Where everything goes, from [`layout_diagram`]. Empty when the rect is too small.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiagramLayout {
    /// Column by column, top to bottom within a column.
    pub nodes: Vec<NodeSlot>,
    /// `nodes[columns[layer].clone()]` are the drawn nodes of `layer`.
    pub columns: Vec<Range<usize>>,
    /// `(layer, centre)` of the "⋮" standing for the units a long column leaves out.
    pub ellipses: Vec<(usize, Pos2)>,
    pub labels: Vec<PlacedLabel>,
    /// May be smaller than the style's, so that many layers still fit.
    pub node_radius: f32,
    /// May be smaller than the style's, so that a short rect still fits its captions.
    pub font_size: f32,
}

impl DiagramLayout {
    /// The drawn node under `pointer`, with some slack around small nodes.
    pub fn node_at(&self, pointer: Pos2) -> Option<&NodeSlot> {
        let reach = self.node_radius.max(MIN_HOVER_RADIUS);
        let distance = |node: &&NodeSlot| node.center.distance(pointer);
        let nearest = self
            .nodes
            .iter()
            .min_by(|a, b| distance(a).total_cmp(&distance(b)))?;
        (distance(&nearest) <= reach).then_some(nearest)
    }
}

/// Places the diagram inside `rect`. `measure(text, font_size)` is the width of `text` in
/// points: the real font in the UI, an estimate in tests.
pub fn layout_diagram(
    rect: Rect,
    model: &DiagramModel,
    style: &DiagramStyle,
    measure: impl Fn(&str, f32) -> f32,
) -> DiagramLayout {
    let Some(grid) = Grid::new(rect, model, style, &measure) else {
        return DiagramLayout::default();
    };
    let mut layout = DiagramLayout {
        node_radius: grid.radius,
        font_size: grid.font,
        ..DiagramLayout::default()
    };
    for layer in 0..grid.layers {
        place_column(&mut layout, &grid, layer, model.units(layer));
    }
    place_names(&mut layout, &grid, model, &measure);
    place_captions(&mut layout, &grid, model, &measure);
    layout
}

/// The measurements every part of a layout shares.
struct Grid {
    layers: usize,
    /// The rect less a small padding; nothing is placed outside it.
    inner: Rect,
    font: f32,
    line_height: f32,
    /// Between a node and its name, between captions, above the captions.
    gap: f32,
    radius: f32,
    /// Where node centres and names go vertically; the captions go below.
    nodes: Rangef,
    caption_top: f32,
    first_x: f32,
    spacing: f32,
}

impl Grid {
    /// `None` when `rect` is too small for anything legible.
    fn new(
        rect: Rect,
        model: &DiagramModel,
        style: &DiagramStyle,
        measure: &impl Fn(&str, f32) -> f32,
    ) -> Option<Self> {
        let font = style.font_size.min(rect.height() / HEIGHT_PER_FONT);
        if !rect.is_finite() || rect.width() <= 0.0 || font < MIN_FONT {
            return None;
        }
        let (line_height, gap) = (font * LINE_HEIGHT, 0.4 * font);
        let inner = rect.shrink(0.25 * font);
        let caption_top = inner.bottom() - 2.0 * line_height;
        let nodes = Rangef::new(inner.top(), caption_top - gap);

        // The names take the sides, up to a share of the width each; longer ones are shortened.
        let name_room = NAME_SHARE * inner.width();
        let margin = |width: f32| {
            if width > 0.0 {
                width.min(name_room) + gap
            } else {
                0.0
            }
        };
        let widest_x = model.x_names.iter().map(|name| measure(name, font));
        let left = inner.left() + margin(widest_x.fold(0.0, f32::max));
        let width = inner.right() - margin(measure(model.y_name, font)) - left;

        let layers = model.layer_count();
        let steps = (layers - 1) as f32;
        // At most 0.3 of the column spacing wide, and short enough for three slots a column.
        let radius = style
            .node_radius
            .min(0.3 * width / (steps + 0.6))
            .min(nodes.span() / (2.0 + 2.0 * (2.0 + NODE_GAP)));
        let grid = Self {
            layers,
            inner,
            font,
            line_height,
            gap,
            radius,
            nodes,
            caption_top,
            first_x: left + radius,
            spacing: (width - 2.0 * radius) / steps,
        };
        (radius >= MIN_RADIUS).then_some(grid)
    }

    fn column_x(&self, layer: usize) -> f32 {
        self.first_x + self.spacing * layer as f32
    }

    /// A caption may take the width halfway to each neighbour, so captions never meet.
    fn caption_room(&self, layer: usize) -> Rangef {
        let (x, half) = (self.column_x(layer), (self.spacing - self.gap) / 2.0);
        let min = if layer == 0 {
            self.inner.left()
        } else {
            x - half
        };
        let max = if layer + 1 == self.layers {
            self.inner.right()
        } else {
            x + half
        };
        Rangef::new(min, max)
    }
}

/// Spreads a column down the node band. A column with more units than slots shows its first
/// units, an ellipsis, and its last unit.
fn place_column(layout: &mut DiagramLayout, grid: &Grid, layer: usize, units: usize) {
    let start = layout.nodes.len();
    let node_pitch = (2.0 + NODE_GAP) * grid.radius;
    // The input and output nodes carry a name, so they also keep a text row apart and inside.
    let (half, min_pitch) = if layer == 0 || layer + 1 == grid.layers {
        let half = grid.radius.max(grid.line_height / 2.0);
        (half, node_pitch.max(1.05 * grid.line_height))
    } else {
        (grid.radius, node_pitch)
    };
    let span = (grid.nodes.span() - 2.0 * half).max(0.0);
    // The epsilon keeps an exact fit from losing its last slot to rounding.
    let slots = ((span / min_pitch + 1e-3).floor() as usize)
        .saturating_add(1)
        .min(MAX_SLOTS);
    let shown = units.min(slots);
    let widest = min_pitch.max(MAX_PITCH * grid.radius);
    let pitch = if shown > 1 {
        (span / (shown - 1) as f32).min(widest)
    } else {
        0.0
    };
    let first_y = grid.nodes.center() - pitch * shown.saturating_sub(1) as f32 / 2.0;
    let at = |slot: f32| pos2(grid.column_x(layer), first_y + pitch * slot);
    let mut push = |slot: usize, unit: usize| {
        let center = at(slot as f32);
        layout.nodes.push(NodeSlot {
            layer,
            unit,
            center,
        });
    };
    if units <= slots {
        (0..units).for_each(|unit| push(unit, unit));
    } else if shown >= 3 {
        (0..shown - 2).for_each(|unit| push(unit, unit));
        push(shown - 1, units - 1);
        layout.ellipses.push((layer, at((shown - 2) as f32)));
    } else {
        // Fewer than three slots, which the font and radius limits prevent: the ends only.
        push(0, 0);
        if shown == 2 {
            push(1, units - 1);
            layout.ellipses.push((layer, at(0.5)));
        }
    }
    layout.columns.push(start..layout.nodes.len());
}

/// The x column names left of the input nodes, the y name right of the output node.
fn place_names(
    layout: &mut DiagramLayout,
    grid: &Grid,
    model: &DiagramModel,
    measure: &impl Fn(&str, f32) -> f32,
) {
    let (reach, output) = (vec2(grid.radius + grid.gap, 0.0), grid.layers - 1);
    for node in &layout.nodes {
        let (name, anchor) = match node.layer {
            0 => (
                model.x_names.get(node.unit).map_or("", String::as_str),
                node.center - reach,
            ),
            layer if layer == output => (model.y_name, node.center + reach),
            _ => continue,
        };
        let (align, room) = if node.layer == 0 {
            (Align2::RIGHT_CENTER, anchor.x - grid.inner.left())
        } else {
            (Align2::LEFT_CENTER, grid.inner.right() - anchor.x)
        };
        if let Some((text, width)) = fit_text(name, room, grid.font, measure) {
            let rect = align.anchor_size(anchor, vec2(width, grid.line_height));
            let hover = name.to_owned();
            layout.labels.push(PlacedLabel { text, rect, hover });
        }
    }
}

/// Two lines under every column. The short form is used everywhere as soon as one full caption
/// does not fit, for a uniform look; a line that fits in neither is left out (the nodes' hover
/// text still names the layer).
fn place_captions(
    layout: &mut DiagramLayout,
    grid: &Grid,
    model: &DiagramModel,
    measure: &impl Fn(&str, f32) -> f32,
) {
    let fits = |line: &str, room: Rangef| measure(line, grid.font) <= room.span();
    let short = !(0..grid.layers).all(|layer| {
        let room = grid.caption_room(layer);
        model
            .caption(layer, false)
            .iter()
            .all(|line| fits(line, room))
    });
    for layer in 0..grid.layers {
        let room = grid.caption_room(layer);
        for (row, text) in model.caption(layer, short).into_iter().enumerate() {
            if !fits(&text, room) {
                continue;
            }
            // Centred under the column, slid inwards where the room is lopsided (at the ends).
            let width = measure(&text, grid.font);
            let center_x = grid
                .column_x(layer)
                .max(room.min + width / 2.0)
                .min(room.max - width / 2.0);
            let min = pos2(
                center_x - width / 2.0,
                grid.caption_top + row as f32 * grid.line_height,
            );
            let rect = Rect::from_min_size(min, vec2(width, grid.line_height));
            let hover = model.caption_hover(layer);
            layout.labels.push(PlacedLabel { text, rect, hover });
        }
    }
}

/// `text` if it fits in `room`, else its longest prefix that fits followed by "…", with its
/// width; `None` for an empty text or when not even one character fits.
fn fit_text(
    text: &str,
    room: f32,
    font: f32,
    measure: &impl Fn(&str, f32) -> f32,
) -> Option<(String, f32)> {
    // A hair of slack: the side margins were sized to these very widths.
    let room = room + 0.01;
    let width = measure(text, font);
    if text.is_empty() || width <= room {
        return (!text.is_empty()).then(|| (text.to_owned(), width));
    }
    let shortened = |chars: usize| {
        let end = text
            .char_indices()
            .nth(chars)
            .map_or(text.len(), |(index, _)| index);
        let text = format!("{}…", text[..end].trim_end());
        let width = measure(&text, font);
        (width <= room).then_some((text, width))
    };
    // Widths grow with the prefix, so bisect: `fitting` fits, `too_long` does not.
    let (mut fitting, mut too_long) = (1, text.chars().count());
    let mut best = shortened(fitting)?;
    while too_long - fitting > 1 {
        let middle = (fitting + too_long) / 2;
        match shortened(middle) {
            Some(found) => (fitting, best) = (middle, found),
            None => too_long = middle,
        }
    }
    Some(best)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    /// Roughly the width of egui's proportional font: 0.6 em a character.
    fn estimate(text: &str, font_size: f32) -> f32 {
        text.chars().count() as f32 * 0.6 * font_size
    }

    struct Net {
        x_names: Vec<String>,
        y_name: String,
        hidden: Vec<usize>,
    }

    impl Net {
        fn new(x_names: &[&str], y_name: &str, hidden: &[usize]) -> Self {
            let x_names = x_names.iter().map(|name| name.to_string()).collect();
            Self {
                x_names,
                y_name: y_name.to_owned(),
                hidden: hidden.to_vec(),
            }
        }

        fn model(&self) -> DiagramModel<'_> {
            DiagramModel {
                x_names: &self.x_names,
                y_name: &self.y_name,
                hidden_sizes: &self.hidden,
                activation: Activation::Tanh,
            }
        }
    }

    fn nets() -> Vec<Net> {
        let ten: Vec<String> = (1..=10).map(|i| format!("feature_{i}")).collect();
        let ten: Vec<&str> = ten.iter().map(String::as_str).collect();
        let cars = ["Miles_per_Gallon", "Horsepower", "Weight_in_lbs"];
        vec![
            Net::new(&["x"], "y", &[]),
            Net::new(&["x"], "y", &[16]),
            Net::new(&cars, "Acceleration", &[32, 32]),
            Net::new(&ten, "target", &[16]),
            Net::new(&["x"], "y", &[256; 8]),
            Net::new(&ten, "Miles_per_Gallon", &[256; 8]),
        ]
    }

    fn rects() -> [Rect; 3] {
        [(240.0, 140.0), (420.0, 260.0), (900.0, 500.0)]
            .map(|(w, h)| Rect::from_min_size(pos2(10.0, 20.0), vec2(w, h)))
    }

    fn styles() -> [DiagramStyle; 2] {
        [1.0, 2.0].map(|scale| DiagramStyle::from_visuals(&egui::Visuals::dark(), scale))
    }

    /// Every rect, model and scale, with what went where.
    fn every_layout() -> Vec<(String, Rect, Net, DiagramLayout)> {
        let mut all = Vec::new();
        for rect in rects() {
            for style in styles() {
                for net in nets() {
                    let layout = layout_diagram(rect, &net.model(), &style, estimate);
                    let case = format!(
                        "{} inputs, hidden {:?}, at font {} in {:?}",
                        net.x_names.len(),
                        net.hidden,
                        style.font_size,
                        rect.size()
                    );
                    all.push((case, rect, net, layout));
                }
            }
        }
        all
    }

    fn overlap(a: Rect, b: Rect) -> bool {
        let both = a.intersect(b);
        both.width() > 0.01 && both.height() > 0.01
    }

    #[test]
    fn nodes_stay_inside_and_apart() {
        for (case, rect, net, layout) in every_layout() {
            let radius = layout.node_radius;
            assert!(radius >= MIN_RADIUS, "{case}: nothing drawn");
            for node in &layout.nodes {
                assert!(
                    rect.shrink(radius - 0.01).contains(node.center),
                    "{case}: {node:?} at the edge"
                );
            }
            assert_eq!(layout.columns.len(), net.model().layer_count(), "{case}");
            // No two nodes overlap, in a column or across columns, nor do the ellipsis dots.
            for (i, node) in layout.nodes.iter().enumerate() {
                for other in &layout.nodes[i + 1..] {
                    let distance = node.center.distance(other.center);
                    assert!(distance >= 2.0 * radius, "{case}: {node:?} and {other:?}");
                }
                for (_, dots) in &layout.ellipses {
                    assert!(
                        node.center.distance(*dots) >= 1.9 * radius,
                        "{case}: {node:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn labels_stay_inside_and_apart() {
        for (case, rect, _, layout) in every_layout() {
            assert!(!layout.labels.is_empty(), "{case}: no labels");
            for (i, label) in layout.labels.iter().enumerate() {
                assert!(!label.text.is_empty(), "{case}");
                assert!(
                    rect.expand(0.01).contains_rect(label.rect),
                    "{case}: {label:?} outside"
                );
                for other in &layout.labels[i + 1..] {
                    assert!(
                        !overlap(label.rect, other.rect),
                        "{case}: {label:?} and {other:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_column_shows_its_first_and_last_unit_and_an_ellipsis_for_the_rest() {
        for (case, _, net, layout) in every_layout() {
            let model = net.model();
            for (layer, column) in layout.columns.iter().enumerate() {
                let units: Vec<usize> = layout.nodes[column.clone()]
                    .iter()
                    .map(|node| node.unit)
                    .collect();
                assert_eq!(units.first(), Some(&0), "{case}: layer {layer}");
                assert_eq!(
                    units.last(),
                    Some(&(model.units(layer) - 1)),
                    "{case}: layer {layer}"
                );
                let ellipses = layout.ellipses.iter().filter(|(l, _)| *l == layer).count();
                let hidden_units = units.len() < model.units(layer);
                assert_eq!(ellipses, usize::from(hidden_units), "{case}: layer {layer}");
            }
        }
    }

    #[test]
    fn a_wide_layer_is_cut_with_an_ellipsis_between_its_drawn_units() {
        let net = Net::new(&["x"], "y", &[256]);
        for rect in rects() {
            let layout = layout_diagram(rect, &net.model(), &styles()[0], estimate);
            let hidden: Vec<&NodeSlot> =
                layout.nodes.iter().filter(|node| node.layer == 1).collect();
            let (Some(first), Some(last)) = (hidden.first(), hidden.last()) else {
                panic!("no nodes")
            };
            assert_eq!((first.unit, last.unit), (0, 255));
            assert!(hidden.len() < 256);
            let [(1, dots)] = layout.ellipses[..] else {
                panic!("{:?}", layout.ellipses)
            };
            let before_last = hidden[hidden.len() - 2].center.y;
            assert!(before_last < dots.y && dots.y < last.center.y);
        }
    }

    #[test]
    fn the_smallest_network_has_two_nodes_and_one_caption_each() {
        let net = Net::new(&["x"], "y", &[]);
        for rect in rects() {
            let layout = layout_diagram(rect, &net.model(), &styles()[0], estimate);
            assert_eq!(layout.nodes.len(), 2);
            assert!(layout.ellipses.is_empty());
            let texts: Vec<&str> = layout
                .labels
                .iter()
                .map(|label| label.text.as_str())
                .collect();
            assert_eq!(texts, ["x", "y", "input", "1", "output", "1 linear"]);
        }
    }

    #[test]
    fn captions_are_full_when_wide_and_short_when_narrow() {
        let texts = |net: &Net, rect: Rect| -> Vec<String> {
            let layout = layout_diagram(rect, &net.model(), &styles()[0], estimate);
            layout.labels.into_iter().map(|label| label.text).collect()
        };
        let wide = texts(&Net::new(&["x"], "y", &[16]), rects()[2]);
        assert!(wide.contains(&"hidden 1".to_owned()) && wide.contains(&"16 tanh".to_owned()));
        let narrow = texts(&Net::new(&["x"], "y", &[256; 8]), rects()[1]);
        assert!(narrow.contains(&"h8".to_owned()) && narrow.contains(&"256".to_owned()));
        assert!(!narrow.iter().any(|text| text.starts_with("hidden")));
    }

    #[test]
    fn long_names_are_shortened_with_their_full_name_kept_for_hovering() {
        let long = "a_very_long_column_name_for_a_small_window";
        let layout = layout_diagram(
            rects()[0],
            &Net::new(&[long], "y", &[4]).model(),
            &styles()[0],
            estimate,
        );
        let label = layout
            .labels
            .iter()
            .find(|label| label.hover == long)
            .expect("a label");
        assert!(label.text.ends_with('…') && label.text.len() < long.len());
        assert!(long.starts_with(label.text.trim_end_matches('…')));
    }

    #[test]
    fn degenerate_inputs_draw_little_or_nothing_without_panicking() {
        let style = &styles()[0];
        let empty = Net::new(&[], "", &[0, 3]);
        for rect in [
            Rect::NOTHING,
            Rect::ZERO,
            Rect::EVERYTHING,
            Rect::from_min_size(Pos2::ZERO, vec2(30.0, 10.0)),
        ] {
            let layout = layout_diagram(rect, &empty.model(), style, estimate);
            assert!(layout.nodes.is_empty(), "{rect:?}");
        }
        // Finite but absurd: no overflow counting slots.
        let huge = Rect::from_min_size(Pos2::ZERO, vec2(1e30, 1e30));
        let net = Net::new(&["x"], "y", &[usize::MAX]);
        let drawn = layout_diagram(huge, &net.model(), style, estimate)
            .nodes
            .len();
        assert_eq!(
            drawn,
            1 + (MAX_SLOTS - 1) + 1,
            "input, the hidden slots but one, output"
        );
        let layout = layout_diagram(rects()[1], &empty.model(), style, estimate);
        assert_eq!(layout.nodes.len(), 4, "3 hidden units and the output");
        assert!(layout.labels.iter().all(|label| !label.text.is_empty()));
        let mut broken = style.clone();
        (broken.font_size, broken.node_radius) = (f32::NAN, -1.0);
        assert!(
            layout_diagram(rects()[1], &empty.model(), &broken, |_, _| f32::NAN)
                .nodes
                .is_empty()
        );
    }

    #[test]
    fn hover_finds_a_node_and_names_it() {
        let net = Net::new(&["Horsepower"], "mpg", &[16, 16]);
        let layout = layout_diagram(rects()[2], &net.model(), &styles()[0], estimate);
        let node = layout
            .nodes
            .iter()
            .find(|node| node.layer == 2 && node.unit == 4)
            .expect("drawn");
        let found = layout.node_at(node.center + vec2(1.0, 1.0));
        assert_eq!(found.map(|node| (node.layer, node.unit)), Some((2, 4)));
        assert_eq!(net.model().unit_name(2, 4), "hidden 2, unit 5");
        assert_eq!(net.model().unit_name(0, 0), "Horsepower");
        assert_eq!(net.model().unit_name(3, 0), "mpg");
        assert_eq!(layout.node_at(rects()[2].min), None);
    }
    #[test]
    fn the_ui_uses_the_real_font_and_reports_the_hovered_node() {
        struct Seen {
            hovered: Option<(usize, usize)>,
            layout: DiagramLayout,
            rect: Rect,
        }
        let net = Net::new(
            &["Miles_per_Gallon", "Horsepower"],
            "Acceleration",
            &[64, 8],
        );
        let mut harness = egui_kittest::Harness::builder()
            .with_size(vec2(640.0, 360.0))
            .build_ui_state(
                |ui, seen: &mut Seen| {
                    let style = DiagramStyle::from_visuals(ui.visuals(), 1.5);
                    let (response, hovered) = network_diagram_ui(ui, &net.model(), &style);
                    let measure = |text: &str, size| {
                        let (text, font) = (text.to_owned(), FontId::proportional(size));
                        let galley = ui.fonts_mut(|f| f.layout_no_wrap(text, font, Color32::WHITE));
                        galley.size().x
                    };
                    seen.layout = layout_diagram(response.rect, &net.model(), &style, measure);
                    (seen.hovered, seen.rect) = (hovered, response.rect);
                },
                Seen {
                    hovered: None,
                    layout: DiagramLayout::default(),
                    rect: Rect::NOTHING,
                },
            );
        harness.run();
        let layout = harness.state().layout.clone();
        assert_eq!(
            layout.labels.len(),
            3 + 8,
            "three names, two lines under four columns"
        );
        for (i, label) in layout.labels.iter().enumerate() {
            assert!(harness.state().rect.contains_rect(label.rect), "{label:?}");
            assert!(
                !layout.labels[i + 1..]
                    .iter()
                    .any(|other| overlap(label.rect, other.rect))
            );
        }
        let target = layout
            .nodes
            .iter()
            .find(|node| node.layer == 1)
            .expect("a hidden node");
        harness.hover_at(target.center);
        harness.run();
        assert_eq!(harness.state().hovered, Some((1, 0)));
        let tooltip =
            egui_kittest::kittest::Queryable::query_by_label(&harness, "hidden 1, unit 1");
        assert!(tooltip.is_some(), "the hover text names the unit");
    }
}

//! The network diagram: one column of nodes per layer, edges between neighbouring columns, the
//! data's column names beside the input and output nodes and a caption under every column.
//!
//! This module owns the geometry (where every node, ellipsis and label goes so that nothing
//! overlaps or leaves its rect, at any size) and the painting. It must not know the network's
//! numbers: it draws what it is given, and weights or activations reach it only as strokes and
//! colours the caller computes ([`DiagramOverlay`]). [`layout_diagram`] is pure (text widths
//! come from a closure), so its guarantees are tested without a window.

pub mod paint;

pub use paint::{DiagramInteraction, DiagramOverlay, EdgeEnds, network_diagram_overlay_ui};

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
/// The smallest area [`network_diagram_overlay_ui`] takes, even when less is available.
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
    pub font_size: f32,
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
            layout.labels.push(PlacedLabel {
                text,
                rect,
                hover,
                font_size: grid.font,
            });
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
    let fits_at = |line: &str, room: Rangef, font: f32| measure(line, font) <= room.span();
    let short = !(0..grid.layers).all(|layer| {
        let room = grid.caption_room(layer);
        model
            .caption(layer, false)
            .iter()
            .all(|line| fits_at(line, room, grid.font))
    });
    let font = grid.font;
    // Many narrow columns (8 layers of 256): the hidden layers share one caption across their
    // columns rather than each losing its own.
    let hidden = 1..grid.layers.saturating_sub(1);
    let is_shared = hidden.len() > 1
        && hidden.clone().any(|layer| {
            let room = grid.caption_room(layer);
            model
                .caption(layer, short)
                .iter()
                .any(|line| !fits_at(line, room, font))
        });
    if is_shared {
        let room = Rangef::new(
            grid.caption_room(hidden.start).min,
            grid.caption_room(hidden.end - 1).max,
        );
        let center_x = (grid.column_x(hidden.start) + grid.column_x(hidden.end - 1)) / 2.0;
        let sizes = &model.hidden_sizes;
        let n = hidden.len();
        let is_uniform = sizes.iter().all(|&size| size == sizes[0]);
        let units = if is_uniform {
            sizes[0].to_string()
        } else {
            format!("{} units", sizes.iter().sum::<usize>())
        };
        // The longest wording that fits; the last is cut with "…" if even it does not.
        let wordings = [
            [
                format!("hidden 1–{n}"),
                if is_uniform {
                    format!("{units} each, {}", model.activation)
                } else {
                    format!("{units}, {}", model.activation)
                },
            ],
            [format!("h1–h{n}"), format!("{units} each")],
            [format!("h1–{n}"), units],
        ];
        let lines = wordings
            .iter()
            .find(|lines| lines.iter().all(|line| fits_at(line, room, font)))
            .unwrap_or(&wordings[wordings.len() - 1])
            .clone();
        for (row, text) in lines.into_iter().enumerate() {
            let Some((text, width)) = fit_text(&text, room.span(), font, measure) else {
                continue;
            };
            let min = pos2(
                (center_x - width / 2.0).clamp(room.min, (room.max - width).max(room.min)),
                grid.caption_top + row as f32 * grid.line_height,
            );
            layout.labels.push(PlacedLabel {
                text,
                rect: Rect::from_min_size(min, vec2(width, grid.line_height)),
                hover: format!(
                    "{} hidden layers: {} units, {}",
                    hidden.len(),
                    sizes
                        .iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    model.activation
                ),
                font_size: font,
            });
        }
    }
    for layer in 0..grid.layers {
        if is_shared && hidden.contains(&layer) {
            continue;
        }
        let room = grid.caption_room(layer);
        for (row, text) in model.caption(layer, short).into_iter().enumerate() {
            if !fits_at(&text, room, font) {
                continue;
            }
            // Centred under the column, slid inwards where the room is lopsided (at the ends).
            let width = measure(&text, font);
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
            layout.labels.push(PlacedLabel {
                text,
                rect,
                hover,
                font_size: font,
            });
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

#[cfg(test)]
mod tests;

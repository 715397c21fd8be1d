//! Where every box and edge of a [`PredictionGraph`] goes, in layout units (text at
//! `font_size`; the view scales them when zooming). Pure: text widths come from a closure, so
//! tests measure with an estimate and no window.
//!
//! The look follows micrograd's `draw_dot` (a record "label | data 0.4100 | grad −1.200" per
//! value, edges running into the operation that makes it) with one change: a node is one box
//! with its operation as a header row ("*", "+", "tanh", "matmul") above its fields, stacked.
//! The graphs are long chains (a 1-32-32-1 network is a dozen columns deep), so the width of a
//! column decides how much can be read with the whole graph on screen; draw_dot's op circle in
//! a column of its own and its side-by-side fields make columns about 2.5 times wider. The
//! header keeps the lecture's reading: the edges arrive at the operation, which makes the
//! value below it.
//!
//! Columns are depths: a node sits one column left of its first consumer, so parameters and
//! the target sit next to where they are used and the loss is rightmost. An edge that skips
//! columns gets a waypoint in each column it crosses, placed like a thin box, so it passes
//! between the boxes instead of through them.

use egui::{Pos2, Rect, pos2, vec2};

use super::fields::{FieldKind, FieldText, node_fields};
use super::ordering::{ColumnGraph, order_columns, place_rows};
use crate::inside::{GraphLevel, PredictionGraph};

/// In font sizes: a row of a box, the padding around text, and the gaps between boxes.
const ROW_HEIGHT: f32 = 1.5;
const TEXT_PAD: f32 = 0.5;
const COLUMN_GAP: f32 = 2.5;
const ROW_GAP: f32 = 0.8;
/// The room an edge passing through a column takes (plus the row gap).
const WAYPOINT_HEIGHT: f32 = 0.3;
const MARGIN: f32 = 1.0;

/// One row of a box and where it goes.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedField {
    pub kind: FieldKind,
    pub text: String,
    pub rect: Rect,
}

/// A graph node as drawn: a box of rows, the operation first (leaves have none).
#[derive(Clone, Debug, PartialEq)]
pub struct NodeBox {
    pub column: usize,
    pub rect: Rect,
    pub fields: Vec<PlacedField>,
}

impl NodeBox {
    /// Where edges from the node's inputs arrive: its operation's row.
    pub fn input_anchor(&self) -> Pos2 {
        self.fields
            .first()
            .filter(|field| field.kind == FieldKind::Op)
            .map_or(self.rect.left_center(), |op| op.rect.left_center())
    }

    /// Where edges to the node's consumers leave.
    pub fn output_anchor(&self) -> Pos2 {
        self.rect.right_center()
    }
}

/// An edge from the box of `from` into the operation of `to`. The `points` alternate between
/// a straight piece across a column and a curve across the gap to the next column, starting
/// straight (often of length zero) and ending with the curve into the operation, so every piece
/// runs left to right.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgePath {
    pub from: usize,
    pub to: usize,
    pub points: Vec<Pos2>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GraphLayout {
    /// One per graph node, in the graph's order.
    pub boxes: Vec<NodeBox>,
    pub edges: Vec<EdgePath>,
    /// Everything drawn, with a margin: what "fit" shows.
    pub bounds: Rect,
    pub font_size: f32,
}

impl GraphLayout {
    /// Nothing to draw; its bounds are [`Rect::NOTHING`].
    pub fn empty(font_size: f32) -> Self {
        Self {
            boxes: Vec::new(),
            edges: Vec::new(),
            bounds: Rect::NOTHING,
            font_size,
        }
    }

    /// The node whose box contains `pos`.
    pub fn node_at(&self, pos: Pos2) -> Option<usize> {
        self.boxes.iter().position(|node| node.rect.contains(pos))
    }
}

/// Lays out `graph` with text of `font_size`; `measure(text, font_size)` is the width of
/// `text` in the same units.
pub fn layout_graph(
    graph: &PredictionGraph,
    font_size: f32,
    measure: impl Fn(&str, f32) -> f32,
) -> GraphLayout {
    let node_count = graph.nodes.len();
    if node_count == 0 {
        return GraphLayout::empty(font_size);
    }
    let font = font_size;
    let mut boxes: Vec<NodeBox> = graph
        .nodes
        .iter()
        .map(|node| {
            let fields = node_fields(node, graph.level);
            size_box(&fields, font, &measure)
        })
        .collect();
    let node_columns = assign_columns(graph);
    let column_count = node_columns.iter().max().map_or(0, |last| last + 1);

    // Items to order: the nodes, then a waypoint per column an edge skips.
    let mut item_columns = node_columns.clone();
    let mut heights: Vec<f32> = boxes
        .iter()
        .map(|node_box| node_box.rect.height())
        .collect();
    let mut chains = Vec::new();
    for (to, node) in graph.nodes.iter().enumerate() {
        for &from in &node.inputs {
            let mut chain = vec![from];
            for column in node_columns[from] + 1..node_columns[to] {
                chain.push(item_columns.len());
                item_columns.push(column);
                heights.push(WAYPOINT_HEIGHT * font);
            }
            chain.push(to);
            chains.push((from, to, chain));
        }
    }
    let mut column_graph = ColumnGraph {
        left: vec![Vec::new(); item_columns.len()],
        right: vec![Vec::new(); item_columns.len()],
        heights,
    };
    for (_, _, chain) in &chains {
        for pair in chain.windows(2) {
            column_graph.right[pair[0]].push(pair[1]);
            column_graph.left[pair[1]].push(pair[0]);
        }
    }
    // The tape's order is a fair start: it records a layer's units one after the other.
    let mut columns = vec![Vec::new(); column_count];
    for (item, &column) in item_columns.iter().enumerate() {
        columns[column].push(item);
    }
    let columns = order_columns(&column_graph, columns);
    let center_y = place_rows(&column_graph, &columns, ROW_GAP * font);

    let mut column_left = Vec::with_capacity(column_count);
    let mut column_right = Vec::with_capacity(column_count);
    let mut x = 0.0;
    for column in &columns {
        let width = column
            .iter()
            .filter(|&&item| item < node_count)
            .map(|&item| boxes[item].rect.width())
            .fold(0.0, f32::max);
        column_left.push(x);
        column_right.push(x + width);
        x += width + COLUMN_GAP * font;
    }
    for (item, node_box) in boxes.iter_mut().enumerate() {
        let column = node_columns[item];
        node_box.column = column;
        let top_left = pos2(
            column_left[column],
            center_y[item] - node_box.rect.height() / 2.0,
        );
        translate_box(node_box, top_left.to_vec2());
    }

    let edges: Vec<EdgePath> = chains
        .into_iter()
        .map(|(from, to, chain)| {
            let mut points = vec![boxes[from].output_anchor()];
            // `max`: the widest box ends at the column's edge, up to rounding.
            let column_end = column_right[node_columns[from]].max(points[0].x);
            points.push(pos2(column_end, points[0].y));
            for &waypoint in &chain[1..chain.len() - 1] {
                let (column, y) = (item_columns[waypoint], center_y[waypoint]);
                points.push(pos2(column_left[column], y));
                points.push(pos2(column_right[column], y));
            }
            points.push(boxes[to].input_anchor());
            EdgePath { from, to, points }
        })
        .collect();

    let mut bounds = Rect::NOTHING;
    for node_box in &boxes {
        bounds = bounds.union(node_box.rect);
    }
    for point in edges.iter().flat_map(|edge| &edge.points) {
        bounds.extend_with(*point);
    }
    GraphLayout {
        boxes,
        edges,
        bounds: bounds.expand(MARGIN * font),
        font_size,
    }
}

/// A fingerprint of everything a layout depends on: the graph's structure and names, and the
/// text size. Numbers are left out: their rows are sized for the widest number, so a new
/// snapshot of the same network reuses the layout with [`refresh_numbers`].
pub fn layout_key(graph: &PredictionGraph, font_size: f32, pixels_per_point: f32) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    (graph.level == GraphLevel::Layers).hash(&mut hasher);
    (font_size.to_bits(), pixels_per_point.to_bits(), graph.loss).hash(&mut hasher);
    for node in &graph.nodes {
        (&node.op, &node.label, &node.inputs, node.shape).hash(&mut hasher);
    }
    hasher.finish()
}

/// Writes `graph`'s numbers into a layout made for a graph of the same [`layout_key`].
/// Returns false, changing nothing, if the rows do not match (the layout is then stale).
pub fn refresh_numbers(layout: &mut GraphLayout, graph: &PredictionGraph) -> bool {
    if layout.boxes.len() != graph.nodes.len() {
        return false;
    }
    let fields: Vec<Vec<FieldText>> = graph
        .nodes
        .iter()
        .map(|node| node_fields(node, graph.level))
        .collect();
    let rows_match = |(node_box, fields): (&NodeBox, &Vec<FieldText>)| {
        node_box.fields.len() == fields.len()
            && (node_box.fields.iter().zip(fields)).all(|(placed, field)| placed.kind == field.kind)
    };
    if !layout.boxes.iter().zip(&fields).all(rows_match) {
        return false;
    }
    for (node_box, fields) in layout.boxes.iter_mut().zip(fields) {
        for (placed, field) in node_box.fields.iter_mut().zip(fields) {
            placed.text = field.text;
        }
    }
    true
}

/// The node's box at the origin, its rows as wide as the widest text; number rows are as wide
/// as the widest number they may show.
fn size_box(fields: &[FieldText], font: f32, measure: &impl Fn(&str, f32) -> f32) -> NodeBox {
    let row_height = ROW_HEIGHT * font;
    let text_width = |field: &FieldText| {
        let template_width = field
            .width_template
            .map_or(0.0, |widest| measure(widest, font));
        measure(&field.text, font).max(template_width)
    };
    let width = fields.iter().map(text_width).fold(0.0, f32::max) + 2.0 * TEXT_PAD * font;
    let fields: Vec<PlacedField> = fields
        .iter()
        .enumerate()
        .map(|(row, field)| PlacedField {
            kind: field.kind,
            text: field.text.clone(),
            rect: Rect::from_min_size(pos2(0.0, row as f32 * row_height), vec2(width, row_height)),
        })
        .collect();
    let height = fields.len() as f32 * row_height;
    NodeBox {
        column: 0,
        rect: Rect::from_min_size(Pos2::ZERO, vec2(width, height)),
        fields,
    }
}

fn translate_box(node_box: &mut NodeBox, by: egui::Vec2) {
    node_box.rect = node_box.rect.translate(by);
    for field in &mut node_box.fields {
        field.rect = field.rect.translate(by);
    }
}

/// Each node's column: one right of its deepest input at first, then moved right to just
/// before its first consumer, with the loss alone at the far right. A leaf thus sits by the
/// operation that uses it (the target by the subtraction, a layer's bias by its addition)
/// instead of far left with long edges.
pub fn assign_columns(graph: &PredictionGraph) -> Vec<usize> {
    let node_count = graph.nodes.len();
    let mut column = vec![0; node_count];
    let mut consumers = vec![Vec::new(); node_count];
    for (index, node) in graph.nodes.iter().enumerate() {
        for &input in &node.inputs {
            assert!(
                input < index,
                "graph node {index} uses node {input}, which is not before it: the nodes must \
                 be in topological order"
            );
            column[index] = column[index].max(column[input] + 1);
            consumers[input].push(index);
        }
    }
    let last = column.iter().copied().max().unwrap_or(0);
    if let Some(loss) = column.get_mut(graph.loss) {
        *loss = last;
    }
    for index in (0..node_count).rev() {
        if let Some(first) = consumers[index].iter().map(|&c| column[c]).min() {
            column[index] = first - 1;
        }
    }
    column
}

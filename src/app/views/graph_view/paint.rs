//! Drawing a [`GraphLayout`] through the view's pan and zoom: edges, boxes and their text. Text is laid out at the zoomed size every frame (never a scaled picture of
//! text), so it stays crisp at any zoom, and is left out when too small to read.

use egui::emath::TSTransform;
use egui::epaint::CubicBezierShape;
use egui::{Align2, Color32, FontId, Painter, Pos2, Rect, Shape, Stroke, StrokeKind, pos2, vec2};

use super::fields::{FieldKind, is_param};
use super::layout::{GraphLayout, NodeBox};
use crate::app::style::ViewStyle;
use crate::inside::PredictionGraph;

/// Below this size (in points) text is a smudge: boxes are drawn without it.
const MIN_TEXT_SIZE: f32 = 4.0;

/// What the graph is drawn with, from the theme and the app's view style.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GraphColors {
    pub text: Color32,
    pub strong_text: Color32,
    pub weak_text: Color32,
    pub box_fill: Color32,
    /// Parameters are tinted: they are what training changes.
    pub param_fill: Color32,
    pub loss_fill: Color32,
    /// The band of a box's operation row.
    pub op_fill: Color32,
    pub outline: Color32,
    pub edge: Color32,
    /// Gradients by sign: the two colours of the palette that stay apart for colour-blind
    /// readers and read on both themes; the sign is also written, so colour only helps.
    pub positive: Color32,
    pub negative: Color32,
}

impl GraphColors {
    pub fn new(visuals: &egui::Visuals, style: &ViewStyle) -> Self {
        let box_fill = visuals.extreme_bg_color;
        Self {
            text: visuals.text_color(),
            strong_text: visuals.strong_text_color(),
            weak_text: visuals.weak_text_color(),
            box_fill,
            param_fill: box_fill.lerp_to_gamma(style.validation, 0.22),
            loss_fill: box_fill.lerp_to_gamma(style.guide, 0.25),
            op_fill: box_fill.lerp_to_gamma(visuals.text_color(), 0.12),
            outline: visuals.text_color().gamma_multiply(0.6),
            edge: visuals.text_color().gamma_multiply(0.45),
            positive: style.train,
            negative: style.prediction,
        }
    }

    /// The colour of a gradient's text: by sign for a single number, plain for a norm (which
    /// has no sign), faint for zero (the loss does not depend on the node).
    pub fn grad(&self, grad: Option<f32>) -> Color32 {
        match grad {
            Some(g) if g > 0.0 => self.positive,
            Some(g) if g < 0.0 => self.negative,
            Some(_) => self.weak_text,
            None => self.text,
        }
    }
}

/// Paints `layout` with `to_screen` (layout units to screen points); `hovered` has its edges
/// drawn strong, so one can follow where a value comes from and goes.
pub fn paint_graph(
    painter: &Painter,
    graph: &PredictionGraph,
    layout: &GraphLayout,
    to_screen: TSTransform,
    colors: &GraphColors,
    hovered: Option<usize>,
) {
    let zoom = to_screen.scaling;
    let visible = painter.clip_rect();
    let font_size = {
        // Whole device pixels, rounded down, so text never outgrows the box sized for it.
        let pixels_per_point = painter.pixels_per_point();
        (layout.font_size * zoom * pixels_per_point).floor() / pixels_per_point
    };
    let font = (font_size >= MIN_TEXT_SIZE).then(|| FontId::proportional(font_size));
    let thin = zoom.clamp(0.5, 1.5);

    let is_hovered_edge = |from: usize, to: usize| hovered.is_some_and(|h| h == from || h == to);
    // Hovered edges last, so they lie on top.
    for strong in [false, true] {
        for edge in &layout.edges {
            if is_hovered_edge(edge.from, edge.to) != strong {
                continue;
            }
            let points: Vec<Pos2> = edge.points.iter().map(|p| to_screen * *p).collect();
            let reach = Rect::from_points(&points);
            if !visible.intersects(reach.expand(2.0)) {
                continue;
            }
            let stroke = if strong {
                Stroke::new(2.0 * thin, colors.strong_text)
            } else {
                Stroke::new(thin, colors.edge)
            };
            paint_edge(painter, &points, stroke, layout.font_size * zoom);
        }
    }

    for (index, node_box) in layout.boxes.iter().enumerate() {
        let screen_rect = to_screen * node_box.rect;
        if !visible.intersects(screen_rect) {
            continue;
        }
        let node = &graph.nodes[index];
        let fill = if index == graph.loss {
            colors.loss_fill
        } else if is_param(node) {
            colors.param_fill
        } else {
            colors.box_fill
        };
        let outline = if index == graph.loss || hovered == Some(index) {
            Stroke::new(2.5 * thin, colors.strong_text)
        } else {
            Stroke::new(thin, colors.outline)
        };
        let grad = node.grad.first().copied().filter(|_| node.is_scalar());
        paint_box(
            painter,
            node_box,
            to_screen,
            (fill, outline),
            font.as_ref(),
            colors,
            grad,
        );
    }
}

/// Straight pieces across columns, curves across the gaps between them, and an arrowhead
/// into the operation.
fn paint_edge(painter: &Painter, points: &[Pos2], stroke: Stroke, font_size: f32) {
    for (i, pair) in points.windows(2).enumerate() {
        let [start, end] = [pair[0], pair[1]];
        if i % 2 == 0 {
            if start != end {
                painter.line_segment([start, end], stroke);
            }
        } else {
            // Horizontal tangents at both ends, so pieces join smoothly.
            let pull = vec2((end.x - start.x) / 2.0, 0.0);
            painter.add(CubicBezierShape::from_points_stroke(
                [start, start + pull, end - pull, end],
                false,
                Color32::TRANSPARENT,
                stroke,
            ));
        }
    }
    if let Some(&tip) = points.last() {
        paint_arrowhead(painter, tip, 0.4 * font_size, stroke.color);
    }
}

fn paint_arrowhead(painter: &Painter, tip: Pos2, length: f32, color: Color32) {
    let back = tip - vec2(length, 0.0);
    let points = vec![
        tip,
        back + vec2(0.0, 0.45 * length),
        back - vec2(0.0, 0.45 * length),
    ];
    painter.add(Shape::convex_polygon(points, color, Stroke::NONE));
}

fn paint_box(
    painter: &Painter,
    node_box: &NodeBox,
    to_screen: TSTransform,
    (fill, outline): (Color32, Stroke),
    font: Option<&FontId>,
    colors: &GraphColors,
    grad: Option<f32>,
) {
    let rect = to_screen * node_box.rect;
    let rounding = (3.0 * to_screen.scaling).min(4.0);
    painter.rect(rect, rounding, fill, outline, StrokeKind::Inside);
    let divider = Stroke::new(outline.width.min(1.0), colors.outline);
    for (row, field) in node_box.fields.iter().enumerate() {
        let row_rect = to_screen * field.rect;
        if field.kind == FieldKind::Op {
            // The operation's band, so the eye finds where edges arrive.
            let band = row_rect.shrink(outline.width);
            let corners = egui::CornerRadius {
                nw: rounding as u8,
                ne: rounding as u8,
                ..Default::default()
            };
            painter.rect_filled(band, corners, colors.op_fill);
        }
        if row > 0 {
            painter.line_segment([row_rect.left_top(), row_rect.right_top()], divider);
        }
    }
    let Some(font) = font else { return };
    let pad = 0.5 * font.size;
    for field in &node_box.fields {
        let row_rect = to_screen * field.rect;
        let (color, anchor, pos) = match field.kind {
            FieldKind::Op => (colors.strong_text, Align2::CENTER_CENTER, row_rect.center()),
            kind => {
                let color = match kind {
                    FieldKind::Label => colors.strong_text,
                    FieldKind::Shape => colors.weak_text,
                    FieldKind::Grad => colors.grad(grad),
                    _ => colors.text,
                };
                let pos = pos2(row_rect.left() + pad, row_rect.center().y);
                (color, Align2::LEFT_CENTER, pos)
            }
        };
        painter.text(pos, anchor, &field.text, font.clone(), color);
    }
}

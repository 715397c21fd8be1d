//! The computation graph of one prediction, live, as micrograd's `draw_dot` draws it: every
//! node with its operation, value and gradient d(loss)/d(node), with pan (drag), zoom (scroll
//! wheel, pinch, or the toolbar's − + Fit) and a tooltip per box.
//!
//! The view draws a [`PredictionGraph`] the worker built; it computes nothing about the network.
//! `layout.rs` places the boxes (pure, tested without a window), `ordering.rs` orders and
//! aligns them within columns, `fields.rs` writes what a box says, `paint.rs` draws through the
//! pan and zoom, and `tooltip.rs` says what hovering tells.

mod fields;
mod layout;
mod ordering;
mod paint;
mod tooltip;

use egui::containers::DragPanButtons;
use egui::emath::TSTransform;
use egui::{Pos2, Rect, Role, Sense, Vec2, WidgetInfo, vec2};

use crate::app::style::ViewStyle;
use crate::inside::{GraphLevel, PredictionGraph};
use layout::{GraphLayout, layout_graph, layout_key, refresh_numbers};
use paint::{GraphColors, paint_graph};

/// The zooms the user may reach: far enough out to see a large graph whole, far enough in to
/// read one box across a room.
const MIN_ZOOM: f32 = 0.02;
const MAX_ZOOM: f32 = 8.0;
/// Fitting never enlarges beyond this, so a three-node graph is not drawn with giant letters.
const MAX_FIT_ZOOM: f32 = 1.5;
/// Below this zoom the boxes' text is too small to read from the back of a room.
const READABLE_ZOOM: f32 = 0.8;
/// One press of + or −.
const ZOOM_STEP: f32 = 1.25;
/// The smallest canvas, even when less room is available.
const MIN_CANVAS: Vec2 = vec2(200.0, 120.0);

/// The pan and zoom, kept between frames. A new graph arrives with every snapshot; while its
/// structure (node count and level) stays the same, the view stays where the user put it, and
/// a new structure starts again fitted to the window.
#[derive(Clone, Debug, Default)]
pub struct GraphViewState {
    /// Layout units to points relative to the canvas's top-left corner (so moving or resizing
    /// the panel does not move the graph within it). `None` before the first frame.
    layout_to_canvas: Option<TSTransform>,
    /// Until the user pans or zooms, the view keeps fitting the graph to the canvas, also as
    /// the window is resized.
    is_fitted: bool,
    structure: Option<(usize, GraphLevel)>,
    /// The last frame's layout and its [`layout_key`].
    layout: Option<GraphLayout>,
    layout_key: u64,
}

impl GraphViewState {
    /// Points per layout unit (1 draws text at the view style's size); `None` before the
    /// first frame.
    pub fn zoom(&self) -> Option<f32> {
        self.layout_to_canvas.map(|transform| transform.scaling)
    }

    /// Whether the whole graph is shown, fitted to the canvas.
    #[cfg(test)]
    pub fn is_fitted(&self) -> bool {
        self.is_fitted
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ViewCommand {
    ZoomIn,
    ZoomOut,
    Fit,
}

/// A toolbar row and, below it, the graph in all the remaining space. Returns the canvas's
/// response (hovered, dragged).
pub fn graph_view_ui(
    ui: &mut egui::Ui,
    graph: &PredictionGraph,
    state: &mut GraphViewState,
    style: &ViewStyle,
) -> egui::Response {
    let colors = GraphColors::new(ui.visuals(), style);
    let command = toolbar_ui(ui, graph, state, &colors);
    let available = ui.available_size();
    let finite_or = |value: f32, min: f32| {
        if value.is_finite() {
            value.max(min)
        } else {
            min
        }
    };
    let size = vec2(
        finite_or(available.x, MIN_CANVAS.x),
        finite_or(available.y, MIN_CANVAS.y),
    );
    let (rect, mut response) = ui.allocate_exact_size(size, Sense::click_and_drag());
    if graph.nodes.is_empty() {
        ui.painter_at(rect).text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            "No graph yet: it appears with the first prediction.",
            egui::TextStyle::Body.resolve(ui.style()),
            colors.weak_text,
        );
        return response;
    }
    let layout = cached_layout(ui, graph, state, style.font_size);

    let fitted = fit_transform(layout.bounds, rect.size());
    let structure = (graph.nodes.len(), graph.level);
    if state.structure != Some(structure) {
        state.structure = Some(structure);
        // A graph whose text would be too small to read when fitted starts at a readable
        // zoom on the loss, the end a lecture starts backward from; Fit shows it whole.
        state.is_fitted = fitted.scaling >= READABLE_ZOOM;
        if !state.is_fitted {
            state.layout_to_canvas = graph
                .nodes
                .get(graph.loss)
                .and(layout.boxes.get(graph.loss))
                .map(|loss| start_at(loss.rect, layout.bounds, rect.size()));
        }
    }
    let canvas = TSTransform::from_translation(rect.min.to_vec2());
    let mut to_screen = canvas
        * match state.layout_to_canvas {
            Some(transform) if !state.is_fitted => transform,
            _ => fitted,
        };
    match command {
        Some(ViewCommand::ZoomIn) => zoom_about(&mut to_screen, rect.center(), ZOOM_STEP),
        Some(ViewCommand::ZoomOut) => zoom_about(&mut to_screen, rect.center(), 1.0 / ZOOM_STEP),
        Some(ViewCommand::Fit) => to_screen = canvas * fitted,
        None => {}
    }
    pan_and_zoom(ui, &mut response, &mut to_screen);
    let is_moved = response.changed() || matches!(command, Some(c) if c != ViewCommand::Fit);
    if is_moved {
        state.is_fitted = false;
    } else if command == Some(ViewCommand::Fit) {
        state.is_fitted = true;
    }
    state.layout_to_canvas = Some(canvas.inverse() * to_screen);

    // Not `response.hover_pos()`: over a box, the box's own widget is the one hovered.
    let pointer = ui.input(|input| input.pointer.hover_pos());
    let pointer = pointer.filter(|_| response.contains_pointer());
    let pointer_in_layout = pointer.map(|pos| to_screen.inverse() * pos);
    let hovered = pointer_in_layout.and_then(|pos| layout.node_at(pos));
    let painter = ui.painter_at(rect);
    paint_graph(&painter, graph, &layout, to_screen, &colors, hovered);
    boxes_ui(ui, graph, &layout, to_screen, rect);
    state.layout = Some(layout);
    response
}

/// The layout of the previous frame with this frame's numbers when the graph's structure is
/// unchanged (laying out and measuring a 300-node graph every frame would take milliseconds).
fn cached_layout(
    ui: &egui::Ui,
    graph: &PredictionGraph,
    state: &mut GraphViewState,
    font_size: f32,
) -> GraphLayout {
    let key = layout_key(graph, font_size, ui.ctx().pixels_per_point());
    if let Some(mut layout) = state.layout.take().filter(|_| state.layout_key == key)
        && refresh_numbers(&mut layout, graph)
    {
        return layout;
    }
    state.layout_key = key;
    let painter = ui.painter();
    let measure = |text: &str, font_size: f32| {
        let font = egui::FontId::proportional(font_size);
        let galley = painter.fonts_mut(|fonts| {
            fonts.layout_no_wrap(text.to_owned(), font, egui::Color32::PLACEHOLDER)
        });
        galley.size().x
    };
    layout_graph(graph, font_size, measure)
}

/// Drag pans; the scroll wheel and pinch zoom about the pointer (egui's [`egui::Scene`]
/// input handling, applied to our own transform so text can be drawn at the zoomed size).
fn pan_and_zoom(ui: &egui::Ui, response: &mut egui::Response, to_screen: &mut TSTransform) {
    // Scene pans by drags measured inside its zoomed layer; ours are in screen points, so the
    // drag is applied here and Scene handles only the wheel and pinch.
    egui::Scene::new()
        .zoom_range(MIN_ZOOM..=MAX_ZOOM)
        .scroll_zooms(true)
        .drag_pan_buttons(DragPanButtons::empty())
        .register_pan_and_zoom(ui, response, to_screen);
    if response.dragged() && response.drag_delta() != Vec2::ZERO {
        to_screen.translation += response.drag_delta();
        response.mark_changed();
    }
    if response.contains_pointer() {
        // The wheel zoomed the graph: it must not also scroll a panel around the view.
        ui.input_mut(|input| input.smooth_scroll_delta = Vec2::ZERO);
    }
}

/// The whole layout centred in a canvas of `size`, no larger than [`MAX_FIT_ZOOM`].
fn fit_transform(bounds: Rect, size: Vec2) -> TSTransform {
    let scale = (size / bounds.size()).min_elem();
    let scale = if scale.is_finite() && scale > 0.0 {
        scale.clamp(MIN_ZOOM, MAX_FIT_ZOOM)
    } else {
        1.0
    };
    TSTransform::from_translation(size / 2.0 - scale * bounds.center().to_vec2())
        * TSTransform::from_scaling(scale)
}

/// [`READABLE_ZOOM`], the `loss` box at the right of a canvas of `size`, centred vertically.
fn start_at(loss: Rect, bounds: Rect, size: Vec2) -> TSTransform {
    let scale = READABLE_ZOOM;
    let right_margin = (bounds.right() - loss.right()).max(0.0) * scale + 16.0;
    let target = egui::pos2(
        size.x - right_margin - scale * loss.width() / 2.0,
        size.y / 2.0,
    );
    TSTransform::from_translation(target.to_vec2() - scale * loss.center().to_vec2())
        * TSTransform::from_scaling(scale)
}

/// Zooms by `factor` keeping the layout point under `center` in place.
fn zoom_about(to_screen: &mut TSTransform, center: Pos2, factor: f32) {
    let fixed = to_screen.inverse() * center;
    let scaling = (to_screen.scaling * factor).clamp(MIN_ZOOM, MAX_ZOOM);
    *to_screen = TSTransform::new(center.to_vec2() - scaling * fixed.to_vec2(), scaling);
}

/// An invisible widget over every box on screen: it carries the tooltip and the accessible
/// name (hover only, so dragging over a box still pans).
fn boxes_ui(
    ui: &mut egui::Ui,
    graph: &PredictionGraph,
    layout: &GraphLayout,
    to_screen: TSTransform,
    canvas: Rect,
) {
    for (index, node_box) in layout.boxes.iter().enumerate() {
        let on_screen = (to_screen * node_box.rect).intersect(canvas);
        if !on_screen.is_positive() {
            continue;
        }
        let id = ui.scope_id().with(("graph node", index));
        let response = ui.interact(on_screen, id, Sense::hover());
        response.widget_info(|| {
            WidgetInfo::labeled(Role::Label, true, tooltip::accessible_name(graph, index))
        });
        response.on_hover_ui(|ui| tooltip::node_tooltip_ui(ui, graph, index));
    }
}

fn toolbar_ui(
    ui: &mut egui::Ui,
    graph: &PredictionGraph,
    state: &GraphViewState,
    colors: &GraphColors,
) -> Option<ViewCommand> {
    let mut command = None;
    ui.horizontal_wrapped(|ui| {
        let buttons = [
            (
                ViewCommand::ZoomOut,
                "−",
                "Zoom out (or scroll the wheel down over the graph)",
            ),
            (
                ViewCommand::ZoomIn,
                "+",
                "Zoom in (or scroll the wheel up over the graph)",
            ),
            (ViewCommand::Fit, "Fit", "Show the whole graph"),
        ];
        for (action, text, hover) in buttons {
            if ui.button(text).on_hover_text(hover).clicked() {
                command = Some(action);
            }
        }
        if let Some(zoom) = state.zoom() {
            ui.label(format!("{:.0} %", 100.0 * zoom))
                .on_hover_text("Drag to pan, scroll to zoom");
        }
        ui.separator();
        swatch_ui(ui, colors.param_fill, colors.outline, "parameter");
        swatch_ui(ui, colors.box_fill, colors.outline, "value");
        swatch_ui(ui, colors.loss_fill, colors.strong_text, "loss");
        ui.separator();
        ui.colored_label(colors.positive, "grad > 0");
        ui.colored_label(colors.negative, "grad < 0");
        ui.separator();
        let level = match graph.level {
            GraphLevel::Scalars => "one box per number",
            GraphLevel::Layers => "one box per layer tensor; |data| and |grad| are norms",
        };
        ui.weak(level);
    });
    command
}

/// A small box in a given fill, then its name.
fn swatch_ui(ui: &mut egui::Ui, fill: egui::Color32, outline: egui::Color32, name: &str) {
    let height = ui.text_style_height(&egui::TextStyle::Body);
    let (rect, _) = ui.allocate_exact_size(vec2(1.6 * height, 0.8 * height), Sense::hover());
    let stroke = egui::Stroke::new(1.0, outline);
    ui.painter()
        .rect(rect, 2.0, fill, stroke, egui::StrokeKind::Inside);
    ui.label(name);
}

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod ui_tests;

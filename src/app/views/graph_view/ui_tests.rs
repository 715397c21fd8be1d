//! The view in a window: fitted at first, its boxes named for screen readers, zoomed by the
//! wheel and the buttons, panned by dragging, steady across snapshots, with tooltips.

use egui::{Rect, vec2};
use egui_kittest::kittest::Queryable;

use super::fixtures::{layer_mlp, micrograd_expression, scalar_mlp};
use super::*;

struct Shown {
    graph: PredictionGraph,
    view: GraphViewState,
    canvas: Rect,
}

fn harness(graph: PredictionGraph) -> egui_kittest::Harness<'static, Shown> {
    themed_harness(graph, false)
}

fn themed_harness(graph: PredictionGraph, is_dark: bool) -> egui_kittest::Harness<'static, Shown> {
    let settings = crate::app::state::ViewSettings {
        is_dark,
        ..Default::default()
    };
    let style = ViewStyle::new(&settings);
    let theme = if is_dark {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    };
    let shown = Shown {
        graph,
        view: GraphViewState::default(),
        canvas: Rect::NOTHING,
    };
    egui_kittest::Harness::builder()
        .with_size(vec2(900.0, 600.0))
        .build_ui_state(
            move |ui, shown: &mut Shown| {
                ui.ctx().set_theme(theme);
                let response = graph_view_ui(ui, &shown.graph, &mut shown.view, &style);
                shown.canvas = response.rect;
            },
            shown,
        )
}

#[test]
fn the_view_starts_fitted_names_its_boxes_and_zooms_with_the_wheel() {
    let mut harness = harness(micrograd_expression());
    harness.run();
    assert!(harness.state().view.is_fitted());
    let fitted_zoom = harness
        .state()
        .view
        .zoom()
        .expect("a zoom after the first frame");
    assert!(
        harness
            .query_by_label_contains("param: a, data 2.000")
            .is_some(),
        "the box of a is on screen with its number"
    );

    let center = harness.state().canvas.center();
    harness.hover_at(center);
    harness.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: vec2(0.0, 120.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
        modifiers: egui::Modifiers::NONE,
    });
    // Steps, not `run`: the wheel's smooth scrolling and the tooltip's delay keep repainting.
    harness.run_steps(30);
    let zoom = harness.state().view.zoom().expect("a zoom");
    assert!(zoom > fitted_zoom * 1.05, "{fitted_zoom} → {zoom}");
    assert!(!harness.state().view.is_fitted());

    harness.get_by_label("Fit").click();
    harness.run();
    assert!(harness.state().view.is_fitted());
    let zoom = harness.state().view.zoom().expect("a zoom");
    assert!((zoom - fitted_zoom).abs() < 1e-4, "{fitted_zoom} → {zoom}");
}

#[test]
fn the_view_keeps_its_zoom_for_new_numbers_and_refits_a_new_structure() {
    let mut harness = harness(scalar_mlp(&[1, 2, 1]));
    harness.run();
    harness.get_by_label("+").click();
    harness.run();
    let zoomed = harness.state().view.zoom().expect("a zoom");

    // The next snapshot: same structure, new numbers.
    let mut next = scalar_mlp(&[1, 2, 1]);
    next.nodes[1].value[0] = 0.75;
    harness.state_mut().graph = next;
    harness.run();
    assert_eq!(harness.state().view.zoom(), Some(zoomed));
    assert!(!harness.state().view.is_fitted());
    let layout = harness.state().view.layout.as_ref().expect("a layout");
    let texts: Vec<&str> = layout.boxes[1]
        .fields
        .iter()
        .map(|f| f.text.as_str())
        .collect();
    assert_eq!(
        texts,
        ["b1[0]", "data 0.7500", "grad 0.3074"],
        "the new number is shown"
    );

    // A new structure starts afresh: fitted when its text is readable so, else at a readable
    // zoom with the loss in view.
    harness.state_mut().graph = layer_mlp();
    harness.run();
    let zoom = harness.state().view.zoom().expect("a zoom");
    assert!(zoom != zoomed, "the old zoom is not kept");
    assert!(
        harness.state().view.is_fitted() || (zoom - READABLE_ZOOM).abs() < 1e-6,
        "a new structure starts fitted or at a readable zoom, not at {zoom}"
    );
    let layout = harness.state().view.layout.as_ref().expect("a layout");
    let loss = layout.boxes[layer_mlp().loss].rect;
    let to_canvas = harness.state().view.layout_to_canvas.expect("a transform");
    let canvas = Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(900.0, 600.0));
    assert!(
        canvas.contains_rect(to_canvas * loss),
        "the loss box is in view: {:?}",
        to_canvas * loss
    );
}

#[test]
fn dragging_pans_and_hovering_a_box_tells_its_values() {
    let mut harness = harness(micrograd_expression());
    harness.run();
    let before = harness.state().view.layout_to_canvas.expect("a transform");
    let start = harness.state().canvas.center() + vec2(0.0, 200.0);
    harness.drag_at(start);
    harness.run();
    harness.hover_at(start + vec2(-60.0, -40.0));
    harness.run();
    harness.drop_at(start + vec2(-60.0, -40.0));
    harness.run();
    let after = harness.state().view.layout_to_canvas.expect("a transform");
    let moved = after.translation - before.translation;
    assert!(
        (moved - vec2(-60.0, -40.0)).length() < 1.0,
        "moved by {moved:?}"
    );

    // Hover the box of a (node 0), wherever the pan left it.
    let shown = harness.state();
    let to_screen = TSTransform::from_translation(shown.canvas.min.to_vec2()) * after;
    let layout = shown.view.layout.as_ref().expect("the last frame's layout");
    let target = to_screen * layout.boxes[0].rect.center();
    harness.hover_at(target);
    harness.run();
    assert!(
        harness.query_by_label_contains("d(loss)/d(node)").is_some(),
        "the tooltip explains the gradient"
    );
    assert!(harness.query_by_label("−18.00").is_some(), "and lists it");
}

#[test]
fn an_empty_graph_says_why_the_view_is_empty() {
    let empty = PredictionGraph {
        level: crate::inside::GraphLevel::Scalars,
        nodes: Vec::new(),
        prediction: 0,
        loss: 0,
    };
    let mut harness = harness(empty);
    harness.run();
    assert_eq!(harness.state().view.zoom(), None, "nothing to zoom");
    harness.state_mut().graph = micrograd_expression();
    harness.run();
    assert!(
        harness.state().view.is_fitted(),
        "the first graph starts fitted"
    );
}

#[test]
#[ignore = "writes screenshots for people to look at: cargo test --lib graph_view -- --ignored"]
fn render_screenshots() {
    let dir = std::path::PathBuf::from(
        std::env::var("GRAPH_VIEW_SHOTS").unwrap_or_else(|_| "target/graph_view_shots".into()),
    );
    let options = egui_kittest::SnapshotOptions::new().output_path(&dir);
    // Writes `{name}.new.png`; there is no reference image to compare against.
    let shoot = |harness: &mut egui_kittest::Harness<'_, Shown>, name: &str| {
        let _ = harness.try_snapshot_options(name, &options);
        let path = dir.join(format!("{name}.new.png"));
        assert!(path.exists(), "{} written", path.display());
    };
    for (name, graph, is_dark) in [
        ("graph_scalar_1_2_1", scalar_mlp(&[1, 2, 1]), false),
        ("graph_scalar_1_2_1_dark", scalar_mlp(&[1, 2, 1]), true),
        ("graph_scalar_micrograd", micrograd_expression(), false),
        ("graph_scalar_300", scalar_mlp(&[2, 8, 8, 1]), false),
        ("graph_layers_1_32_32_1", layer_mlp(), false),
        ("graph_layers_1_32_32_1_dark", layer_mlp(), true),
    ] {
        let mut fitted = themed_harness(graph, is_dark);
        fitted.run();
        shoot(&mut fitted, name);
    }
    // Zoomed in far (text laid out at the zoomed size), and a box's tooltip.
    let mut zoomed = harness(layer_mlp());
    zoomed.run();
    for _ in 0..5 {
        zoomed.get_by_label("+").click();
        zoomed.run();
    }
    shoot(&mut zoomed, "graph_layers_zoomed");
    let mut hovered = harness(scalar_mlp(&[1, 2, 1]));
    hovered.run();
    let shown = hovered.state();
    let to_screen = TSTransform::from_translation(shown.canvas.min.to_vec2())
        * shown.view.layout_to_canvas.expect("a transform");
    let layout = shown.view.layout.as_ref().expect("a layout");
    hovered.hover_at(to_screen * layout.boxes[1].rect.center());
    hovered.run_steps(10);
    shoot(&mut hovered, "graph_scalar_tooltip");
}

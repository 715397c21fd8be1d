//! The inside views in the real app: each hidden unit's share on the fit plot, the numbers on
//! the diagram, a neuron's arithmetic on click, and a clicked data point as the probe.

mod common;

use common::{default_harness, step_for, step_until};
use egui::Pos2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nanograd::app::NanogradApp;
use nanograd::app::snapshot::Prediction;
use std::time::Duration;

fn ready_harness() -> Harness<'static, NanogradApp> {
    let mut harness = default_harness();
    step_until(&mut harness, "the inside of the first snapshot", |app| {
        app.inside().is_some() && !app.layout().diagram_nodes.is_empty()
    });
    harness
}

fn click_at(harness: &mut Harness<'_, NanogradApp>, pos: Pos2) {
    harness.hover_at(pos);
    harness.step();
    harness.drag_at(pos);
    harness.step();
    harness.drop_at(pos);
    harness.step();
}

fn node_center(app: &NanogradApp, node: (usize, usize)) -> Pos2 {
    app.layout()
        .diagram_nodes
        .iter()
        .find(|(at, _)| *at == node)
        .map(|(_, center)| *center)
        .unwrap_or_else(|| panic!("the diagram draws node {node:?}"))
}

#[test]
fn the_hidden_units_toggle_draws_one_share_per_unit_that_add_up_to_the_curve() {
    let mut harness = ready_harness();
    assert!(
        harness
            .state()
            .inside()
            .is_some_and(|inside| inside.curves.is_none())
    );
    harness.get_by_label("Hidden units").click();
    step_until(&mut harness, "the units' curves", |app| {
        app.inside().is_some_and(|inside| inside.curves.is_some())
    });
    // A snapshot taken after the request: curve and shares from the same weights.
    step_for(&mut harness, Duration::from_millis(200));
    let app = harness.state();
    let run = app.snapshot().and_then(|s| s.main_run()).expect("a run");
    let inside = run.inside.as_deref().expect("inside");
    let curves = inside.curves.as_ref().expect("curves");
    let last_hidden = *app
        .settings()
        .network
        .hidden_sizes
        .last()
        .expect("hidden layers");
    assert_eq!(
        curves.contributions.n_units, last_hidden,
        "one curve per unit"
    );
    let Prediction::Curve { points } = &run.prediction else {
        panic!("one input column gives a curve");
    };
    assert_eq!(curves.xs.len(), points.len());
    for (row, point) in points.iter().enumerate() {
        assert!((f64::from(curves.xs[row]) - point.x).abs() < 1e-9);
        let total = f64::from(curves.contributions.total(row));
        assert!(
            (total - point.y).abs() <= 1e-4 * point.y.abs().max(1.0),
            "row {row}: shares add up to {total}, the curve is at {}",
            point.y
        );
    }
    harness.get_by_label_contains("add up to the network's curve");
}

#[test]
fn hovering_a_unit_shows_its_numbers_and_clicking_it_opens_its_arithmetic() {
    let mut harness = ready_harness();
    let center = node_center(harness.state(), (1, 0));
    harness.hover_at(center);
    // Tooltips wait for the pointer to rest.
    step_for(&mut harness, Duration::from_millis(800));
    assert!(
        harness
            .query_all_by_label_contains("pre-activation")
            .next()
            .is_some(),
        "the hover text gives the unit's numbers"
    );
    click_at(&mut harness, center);
    assert_eq!(harness.state().selected_neuron(), Some((1, 0)));
    step_until(&mut harness, "the neuron's arithmetic", |app| {
        app.inside()
            .is_some_and(|inside| inside.arithmetic.is_some())
    });
    harness.step();
    harness.get_by_label("Neuron h1,1");
    harness.get_by_label_contains("h1,1 = tanh(");
    let arithmetic = harness
        .state()
        .inside()
        .and_then(|inside| inside.arithmetic.clone())
        .expect("arithmetic");
    let sum: f32 = arithmetic.bias + arithmetic.terms.iter().map(|t| t.product()).sum::<f32>();
    assert!((sum - arithmetic.pre).abs() < 1e-5);
    assert!((arithmetic.post - arithmetic.pre.tanh()).abs() < 1e-5);

    // The output node reads back in the target's units.
    let output = node_center(harness.state(), (3, 0));
    click_at(&mut harness, output);
    step_until(&mut harness, "the output's arithmetic", |app| {
        app.inside()
            .and_then(|inside| inside.arithmetic.as_ref())
            .is_some_and(|arithmetic| arithmetic.in_target_units.is_some())
    });
    harness.step();
    harness.get_by_label_contains("temp_max = ");
}

#[test]
fn clicking_a_data_point_makes_it_the_probe_of_the_diagram() {
    let mut harness = ready_harness();
    let ((x, y), at) = harness
        .state()
        .layout()
        .sample_data_point
        .expect("the fit plot draws training points");
    click_at(&mut harness, at);
    let probe = harness.state().probe().expect("a probe").clone();
    assert_eq!(probe.target, Some(y));
    assert!(
        (probe.x[0] - x).abs() <= 1e-3 * x.abs().max(1.0),
        "{probe:?} vs {x}"
    );
    step_until(&mut harness, "the diagram shows the point", |app| {
        app.inside()
            .is_some_and(|inside| inside.explanation.x == probe.x)
    });
}

#[test]
fn the_graph_view_opens_on_a_clicked_data_point_with_the_engines_numbers() {
    let mut harness = ready_harness();
    let (_, at) = harness
        .state()
        .layout()
        .sample_data_point
        .expect("the fit plot draws training points");
    click_at(&mut harness, at);
    let probe = harness.state().probe().expect("a clicked point").clone();
    let y = probe.target.expect("a clicked point brings its target");
    harness.get_by_label("View").click();
    harness.step();
    harness.step();
    harness.get_by_label("Computation graph…").click();
    step_until(&mut harness, "the graph of the clicked point", |app| {
        app.inside()
            .and_then(|inside| inside.graph.as_ref())
            .is_some_and(|graph| graph.target == y)
    });
    harness.step();
    harness.get_by_label("Computation graph");
    harness.get_by_label_contains("One data point:");
    let inside = harness.state().inside().expect("inside");
    let point = inside.graph.as_ref().expect("graph");
    assert_eq!(point.x, probe.x, "the graph is of the clicked point");
    // The loss node is the squared error of the standardised prediction, as trained.
    let graph = &point.graph;
    let prediction = graph.nodes[graph.prediction].value[0];
    let mut target = [y];
    inside.model.y_standardization.apply(&mut target);
    let loss = graph.nodes[graph.loss].value[0];
    assert!((loss - (prediction - target[0]).powi(2)).abs() <= 1e-5 * loss.max(1.0));
    assert_eq!(graph.nodes[graph.loss].grad, vec![1.0]);
    let expected = inside.model.predict(&point.x)[0];
    let y_scale = inside.model.y_standardization.std[0];
    let y_mean = inside.model.y_standardization.mean[0];
    assert!((prediction * y_scale + y_mean - expected).abs() <= 1e-3 * expected.abs().max(1.0));
}

#[test]
fn verify_the_engine_reports_a_pass_with_micrograds_values() {
    let mut harness = ready_harness();
    harness.get_by_label("Training").click();
    harness.step();
    harness.step();
    harness.get_by_label("Verify the engine…").click();
    // The action is applied after the frame; a new window's first frame only measures it.
    for _ in 0..3 {
        harness.step();
    }
    harness.get_by_label("Engine check");
    let start = std::time::Instant::now();
    while harness
        .query_by_label_contains("PASS: the engine's gradients are right")
        .is_none()
    {
        assert!(
            harness.query_by_label_contains("FAIL").is_none(),
            "the engine check failed"
        );
        assert!(
            start.elapsed() < common::TIMEOUT,
            "the engine check never finished"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.get_by_label_contains("Sanity check (y = −20, dy/dx = 46): right");
    // The engine's value beside micrograd's, equal.
    assert_eq!(harness.query_all_by_label("−20.0000").count(), 2);
    assert_eq!(harness.query_all_by_label("46.0000").count(), 2);
}

#[test]
fn verify_the_engine_waits_for_the_network_of_new_data_with_more_inputs() {
    let mut harness = ready_harness();
    assert_eq!(
        harness
            .state()
            .inside()
            .map(|inside| inside.model.n_inputs()),
        Some(1)
    );
    harness.get_by_label("Training").click();
    harness.step();
    harness.step();
    // A second x column, and while the new data loads, Verify: the data has two inputs when the
    // click is applied, the network on screen still one (the worker has not rebuilt it yet).
    harness.get_by_label("temp_min").click_accesskit();
    harness.step();
    std::thread::sleep(Duration::from_millis(300));
    harness.get_by_label("Verify the engine…").click_accesskit();
    for _ in 0..3 {
        harness.step();
    }
    assert_eq!(
        harness.state().dataset().map(|data| data.n_inputs()),
        Some(2)
    );
    // Which network Verify met depends on whether the worker's rebuilt network arrived in
    // those frames (on a loaded machine it can): either it waited, or it checks the new one.
    let was_refused = harness
        .state()
        .notices()
        .iter()
        .any(|notice| notice.message.contains("still being built"));
    let network_inputs = harness
        .state()
        .inside()
        .map(|inside| inside.model.n_inputs());
    if harness.query_by_label("Engine check").is_some() {
        assert_eq!(
            network_inputs,
            Some(2),
            "a check of the one-input network on two-input rows started"
        );
    } else {
        assert!(was_refused, "{:?}", harness.state().notices());
    }

    // Once the network of the new data is on screen, Verify checks it.
    step_until(&mut harness, "the network of the new data", |app| {
        app.inside()
            .is_some_and(|inside| inside.model.n_inputs() == 2)
    });
    harness.key_press(egui::Key::Escape);
    harness.step();
    harness.get_by_label("Training").click();
    harness.step();
    harness.step();
    harness.get_by_label("Verify the engine…").click();
    let start = std::time::Instant::now();
    while harness
        .query_by_label_contains("PASS: the engine's gradients are right")
        .is_none()
    {
        assert!(
            start.elapsed() < common::TIMEOUT,
            "the engine check never finished"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn step_batch_takes_exactly_one_step_and_shows_what_it_changed() {
    let mut harness = ready_harness();
    let steps_before = harness
        .state()
        .snapshot()
        .and_then(|s| s.main_run())
        .map(|run| run.steps)
        .expect("a run");
    harness.get_by_label("Step batch").click();
    step_until(&mut harness, "the batch's step in a snapshot", |app| {
        app.snapshot()
            .and_then(|s| s.main_run())
            .is_some_and(|run| run.steps != steps_before)
    });
    for _ in 0..3 {
        harness.step();
    }
    let run = harness
        .state()
        .snapshot()
        .and_then(|s| s.main_run())
        .expect("a run");
    assert_eq!(run.steps, steps_before + 1, "exactly one step");
    assert!(!harness.state().is_training(), "it pauses");
    harness.get_by_label("One batch");
    harness.get_by_label_contains("The batch's loss: ");
    harness.get_by_label_contains(&format!("Step {}: one update", steps_before + 1));
    assert!(
        harness.query_all_by_label_contains(" to h").count() >= 1,
        "the weights that moved most are named by the units they join"
    );
}

#[test]
fn the_gradients_tab_plots_each_layer_once_an_epoch_has_ended() {
    let mut harness = ready_harness();
    harness.get_by_label("Gradients").click();
    harness.step();
    harness.step();
    harness.get_by_label_contains("appear here when the first epoch ends");
    harness.get_by_label("Step").click();
    step_until(&mut harness, "an epoch's gradients", |app| {
        app.snapshot()
            .and_then(|s| s.main_run())
            .is_some_and(|run| !run.gradients.is_empty())
    });
    harness.step();
    let run = harness
        .state()
        .snapshot()
        .and_then(|s| s.main_run())
        .expect("a run");
    let point = run.gradients.latest().expect("a point");
    assert_eq!(point.layers.len(), 3, "two hidden layers and the output");
    assert!(point.layers.iter().all(|layer| layer.grad_norm > 0.0));
    harness.get_by_label("Update ratio");
    harness.get_by_label("Gradient norm");
}

//! Screenshots of the inside views in the real app, rendered by kittest (wgpu, software), for
//! people to look at: `NANOGRAD_SHOTS=dir cargo test --test ui_shots -- --ignored`. Scenes that
//! are hard to reach by pressing keys: a wide deep network's diagram, a 1-1 network, a small
//! network's graph drawn number by number.

mod common;

use std::time::Duration;

use common::{sized_harness, step_for, step_until, test_settings};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nanograd::app::NanogradApp;
use nanograd::app::state::Settings;
use nanograd::nn::Activation;

fn shoot(harness: &mut Harness<'_, NanogradApp>, name: &str) {
    let dir = std::path::PathBuf::from(
        std::env::var("NANOGRAD_SHOTS").unwrap_or_else(|_| "target/ui_shots".into()),
    );
    let options = egui_kittest::SnapshotOptions::new().output_path(&dir);
    // Writes `{name}.new.png`; there is no reference image to compare against.
    let _ = harness.try_snapshot_options(name, &options);
    assert!(dir.join(format!("{name}.new.png")).exists());
}

fn trained(settings: Settings, epochs: usize) -> Harness<'static, NanogradApp> {
    let mut harness = sized_harness(settings, egui::vec2(1280.0, 800.0));
    step_until(&mut harness, "the first snapshot", |app| {
        app.inside().is_some()
    });
    harness.get_by_label("Train").click();
    step_until(&mut harness, "some training", |app| app.epoch() >= epochs);
    harness.get_by_label("Pause").click();
    step_for(&mut harness, Duration::from_millis(300));
    harness
}

fn network(hidden: &[usize], activation: Activation) -> Settings {
    let mut settings = test_settings();
    settings.network.hidden_sizes = hidden.to_vec();
    settings.network.activation = activation;
    settings
}

#[test]
#[ignore = "writes screenshots: NANOGRAD_SHOTS=dir cargo test --test ui_shots -- --ignored"]
fn render_inside_views() {
    let mut units = trained(test_settings(), 3);
    units.get_by_label("Hidden units").click();
    step_for(&mut units, Duration::from_millis(500));
    let node = units
        .state()
        .layout()
        .diagram_nodes
        .iter()
        .find(|(at, _)| *at == (2, 5))
        .map(|(_, center)| *center)
        .expect("the diagram draws h2,6");
    units.hover_at(node);
    units.step();
    units.drag_at(node);
    units.step();
    units.drop_at(node);
    step_for(&mut units, Duration::from_millis(500));
    shoot(&mut units, "units_default");

    let mut deep = trained(network(&[256; 8], Activation::Relu), 1);
    shoot(&mut deep, "diagram_8x256_relu");

    let mut tiny = trained(network(&[1], Activation::Tanh), 5);
    tiny.get_by_label("Hidden units").click();
    step_for(&mut tiny, Duration::from_millis(500));
    shoot(&mut tiny, "network_1_1");

    let mut small = trained(network(&[4, 4], Activation::Tanh), 5);
    small.get_by_label("View").click();
    small.step();
    small.step();
    small.get_by_label("Computation graph…").click();
    step_until(&mut small, "the graph", |app| {
        app.inside().is_some_and(|inside| inside.graph.is_some())
    });
    step_for(&mut small, Duration::from_millis(300));
    shoot(&mut small, "graph_1_4_4_1");
}

#[test]
#[ignore = "writes screenshots: NANOGRAD_SHOTS=dir cargo test --test ui_shots -- --ignored"]
fn render_advice() {
    use nanograd::app::state::{ColumnChoice, DataSource, OptimizerKind};
    let size = egui::vec2(1280.0, 800.0);
    let mut settings = test_settings();
    settings.is_full_speed = true;
    settings.optimizer.kind = OptimizerKind::Sgd;
    settings.optimizer.sgd_learning_rate = 1.0;
    let mut diverged = sized_harness(settings, size);
    diverged.get_by_label("Train").click();
    step_until(&mut diverged, "a divergence", |app| {
        app.notices().iter().any(|n| n.title == "Training diverged")
    });
    step_for(&mut diverged, Duration::from_millis(300));
    shoot(&mut diverged, "advice-diverged");

    let mut settings = network(&[16, 16], Activation::Relu);
    settings.is_full_speed = true;
    settings.optimizer.adam_learning_rate = 1.0;
    let mut dead = sized_harness(settings, size);
    dead.get_by_label("Train").click();
    step_until(&mut dead, "dead units", |app| {
        app.notices().iter().any(|n| n.title.contains("dead"))
    });
    if dead.state().is_training() {
        common::press_space(&mut dead);
    }
    step_for(&mut dead, Duration::from_millis(300));
    shoot(&mut dead, "advice-dead-units");

    let mut settings = test_settings();
    settings.is_full_speed = true;
    settings.data = DataSource::Sample {
        name: "anscombe_quartet".to_owned(),
        columns: Some(ColumnChoice {
            x: vec!["x1".to_owned()],
            y: "y1".to_owned(),
        }),
    };
    settings.val_fraction = 0.3;
    settings.network.hidden_sizes = vec![64, 64];
    settings.optimizer.batch_size = 4;
    settings.optimizer.adam_learning_rate = 0.03;
    settings.optimizer.early_stopping = Some(30);
    let mut early = sized_harness(settings, size);
    early.get_by_label("Train").click();
    step_until(&mut early, "early stopping", |app| {
        app.notices().iter().any(|n| n.title == "Early stopping")
    });
    step_for(&mut early, Duration::from_millis(300));
    shoot(&mut early, "advice-early-stopping");

    let mut errors = trained(test_settings(), 20);
    errors.get_by_label("Errors").click();
    step_for(&mut errors, Duration::from_millis(300));
    shoot(&mut errors, "errors-parity");
    errors.get_by_label("residuals").click();
    step_for(&mut errors, Duration::from_millis(300));
    shoot(&mut errors, "errors-residuals");

    let mut settings = test_settings();
    settings.steps_per_second = 400.0;
    settings.race.is_on = true;
    let mut race = trained(settings, 8);
    shoot(&mut race, "race");
    race.get_by_label("Training").click();
    race.step();
    race.step();
    race.get_by_label("Compare runs…").click();
    step_for(&mut race, Duration::from_millis(300));
    shoot(&mut race, "race-window");

    let mut settings = test_settings();
    settings.steps_per_second = 2000.0;
    let mut notebook = trained(settings, 15);
    notebook.get_by_label("Reset").click();
    step_until(&mut notebook, "a history entry", |app| {
        app.history().len() == 1
    });
    notebook.get_by_label("Train").click();
    step_until(&mut notebook, "more training", |app| app.epoch() >= 25);
    notebook.get_by_label("Pause").click();
    step_for(&mut notebook, Duration::from_millis(300));
    notebook.get_by_label("Training").click();
    notebook.step();
    notebook.step();
    notebook.get_by_label("Run history…").click();
    for _ in 0..4 {
        notebook.step();
    }
    if let Some(ghost) = notebook.get_all_by_label("ghost").next() {
        ghost.click();
    }
    eprintln!("history entries: {}", notebook.state().history().len());
    step_for(&mut notebook, Duration::from_millis(300));
    shoot(&mut notebook, "history");
}

#[test]
#[ignore = "writes screenshots for people to look at"]
fn render_formula() {
    let mut harness = sized_harness(test_settings(), egui::vec2(1280.0, 800.0));
    step_until(&mut harness, "the first data", |app| {
        app.dataset().is_some()
    });
    harness.get_by_label("Formula").click();
    harness.step();
    let type_formula = |harness: &mut Harness<'_, NanogradApp>, formula: &str| {
        harness.get_by_label("y =").focus();
        harness.step();
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        harness.step();
        harness.get_by_label("y =").type_text(formula);
        harness.step();
        harness.step();
    };
    type_formula(&mut harness, "sin(3*z) + 0.2*noise");
    shoot(&mut harness, "formula_fault");
    type_formula(&mut harness, "sin(3*x) + 0.2*noise");
    harness.key_press(egui::Key::Enter);
    step_until(&mut harness, "the formula's data", |app| {
        !app.is_loading()
            && app
                .dataset()
                .is_some_and(|data| data.name.starts_with("y ="))
    });
    step_for(&mut harness, Duration::from_millis(300));
    shoot(&mut harness, "formula_data");
}

#[test]
#[ignore = "writes screenshots for people to look at"]
fn render_glossary() {
    let mut harness = sized_harness(test_settings(), egui::vec2(1280.0, 800.0));
    step_until(&mut harness, "the first data", |app| {
        app.dataset().is_some()
    });
    let center = harness
        .get_by_role_and_label(egui::accesskit::Role::Label, "Validation")
        .rect()
        .center();
    harness.get_by_label("Help").click();
    for _ in 0..6 {
        harness.step();
    }
    harness.get_by_label("Glossary…").click();
    for _ in 0..4 {
        harness.step();
    }
    shoot(&mut harness, "glossary");
    harness.get_by_label("Close window").click();
    harness.hover_at(center);
    step_for(&mut harness, Duration::from_millis(800));
    shoot(&mut harness, "glossary_tooltip");
}

//! Drives the real app with egui_kittest: no display, no native dialogs (paths are typed into
//! the app's own path field), a real training worker thread.
//!
//! Training is asynchronous, so tests step frames until a condition holds or a timeout passes;
//! every wait asserts, so a hang fails with a message instead of blocking.

mod common;

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::*;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use nanograd::app::state::Settings;

#[test]
fn opens_ready_on_the_built_in_data() {
    let mut harness = default_harness();
    step_until(&mut harness, "the first snapshot", |app| {
        app.snapshot().is_some()
    });
    let app = harness.state();
    let dataset = app
        .dataset()
        .expect("the built-in data is loaded before the first frame");
    assert!(dataset.n_rows() > 100, "the default sample is real data");
    assert_eq!(app.epoch(), 0);
    assert!(app.n_parameters().is_some_and(|n| n > 0));
    assert!(
        app.notices().is_empty(),
        "no message at a clean start: {:?}",
        app.notices()
    );
    assert!(!app.is_training());
}

#[test]
fn train_grows_epochs_and_loss_history_while_frames_run() {
    let mut harness = default_harness();
    step_until(&mut harness, "the first snapshot", |app| {
        app.snapshot().is_some()
    });
    let frames_before = harness.state().frames();
    let points_before = harness.state().loss_points();

    harness.get_by_label("Train").click();
    harness.step();
    assert!(harness.state().is_training());
    step_until(&mut harness, "three epochs", |app| app.epoch() >= 3);

    let app = harness.state();
    assert!(app.loss_points() > points_before, "the loss history grew");
    assert!(
        app.frames() > frames_before + 3,
        "the UI kept drawing frames while training"
    );
    let run = app.snapshot().and_then(|s| s.main_run()).expect("a run");
    assert!(run.train_loss.is_finite());
    assert!(run.steps_per_second > 0.0);
}

#[test]
fn pause_stops_training() {
    let mut harness = default_harness();
    press_space(&mut harness);
    step_until(&mut harness, "one epoch", |app| app.epoch() >= 1);
    press_space(&mut harness);
    assert!(!harness.state().is_training());
    // Let in-flight snapshots arrive, then nothing may move.
    step_for(&mut harness, Duration::from_millis(300));
    let epoch = harness.state().epoch();
    let steps = harness
        .state()
        .snapshot()
        .and_then(|s| s.main_run())
        .map(|r| r.steps);
    step_for(&mut harness, Duration::from_millis(500));
    assert_eq!(harness.state().epoch(), epoch);
    assert_eq!(
        harness
            .state()
            .snapshot()
            .and_then(|s| s.main_run())
            .map(|r| r.steps),
        steps
    );
}

#[test]
fn step_advances_exactly_one_epoch() {
    let mut harness = default_harness();
    step_until(&mut harness, "the first snapshot", |app| {
        app.snapshot().is_some()
    });
    harness.get_by_label("Step").click();
    step_until(&mut harness, "one epoch", |app| app.epoch() == 1);
    step_for(&mut harness, Duration::from_millis(400));
    assert_eq!(
        harness.state().epoch(),
        1,
        "Step trains one epoch, then stays paused"
    );
    assert!(!harness.state().is_training());

    harness.get_by_label("Step").click();
    step_until(&mut harness, "a second epoch", |app| app.epoch() == 2);
}

#[test]
fn changing_hidden_layers_changes_parameter_count_and_resets_the_model() {
    let mut harness = default_harness();
    press_space(&mut harness);
    step_until(&mut harness, "two epochs", |app| app.epoch() >= 2);
    let before = harness.state().n_parameters().expect("a model");
    let layers_before = harness.state().settings().network.hidden_sizes.len();

    harness.get_by_label("Add layer").click();
    harness.step();
    assert_eq!(
        harness.state().settings().network.hidden_sizes.len(),
        layers_before + 1
    );
    step_until(&mut harness, "a model with more parameters", |app| {
        app.n_parameters().is_some_and(|n| n > before)
    });
    // Reset: the epoch count starts over (it may already be moving again, since training
    // goes on playing, but it restarted from zero).
    let epoch_after_reset = harness.state().epoch();
    assert!(
        epoch_after_reset < 2,
        "the model was reset, epoch is {epoch_after_reset}"
    );

    harness
        .get_all_by_label("Remove")
        .next()
        .expect("a Remove button per hidden layer")
        .click();
    harness.step();
    assert_eq!(
        harness.state().settings().network.hidden_sizes.len(),
        layers_before
    );
}

#[test]
fn csv_without_usable_columns_shows_a_message_and_the_app_keeps_working() {
    let dir = temp_dir("bad-column");
    let path = dir.join("names.csv");
    std::fs::write(&path, "x,label\n1,apple\n2,pear\n3,plum\n").expect("write the CSV");

    let mut harness = default_harness();
    step_until(&mut harness, "the first snapshot", |app| {
        app.snapshot().is_some()
    });
    let rows_before = harness.state().dataset().map(|d| d.n_rows());

    harness.key_press_modifiers(Modifiers::COMMAND, Key::O);
    enter_path(&mut harness, &path, "Open");
    step_until(&mut harness, "an error message", |app| {
        app.notices().iter().any(|notice| notice.is_error)
    });
    let notice = harness
        .state()
        .notices()
        .iter()
        .find(|n| n.is_error)
        .cloned();
    let notice = notice.expect("an error notice");
    assert!(
        notice.message.contains("numeric") || notice.message.contains("label"),
        "the message says what is wrong: {notice:?}"
    );
    // The window shows it.
    harness.get_by_label_contains(&notice.title);
    // The previous data is still there and training works.
    assert_eq!(harness.state().dataset().map(|d| d.n_rows()), rows_before);
    press_space(&mut harness);
    step_until(&mut harness, "training on the previous data", |app| {
        app.epoch() >= 1
    });

    // A file that does not exist is a message too.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::O);
    enter_path(&mut harness, &dir.join("missing.csv"), "Open");
    // It replaces the message about the first file (one message per topic) and says what is
    // wrong with this one: it is missing, not malformed.
    step_until(&mut harness, "a message about the missing file", |app| {
        app.notices()
            .iter()
            .any(|notice| notice.is_error && notice.message.contains("There is no file at"))
    });
    let data_errors = harness
        .state()
        .notices()
        .iter()
        .filter(|notice| notice.is_error)
        .count();
    assert_eq!(data_errors, 1, "{:?}", harness.state().notices());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn csv_with_some_bad_rows_loads_and_reports_them() {
    let dir = temp_dir("bad-rows");
    let path = dir.join("points.csv");
    let mut text = String::from("x,y\n");
    for i in 0..50 {
        text.push_str(&format!("{i},{}\n", i * 2));
    }
    text.push_str("51,oops\n");
    std::fs::write(&path, text).expect("write the CSV");

    let mut harness = default_harness();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::O);
    enter_path(&mut harness, &path, "Open");
    step_until(&mut harness, "the new data", |app| {
        app.dataset().is_some_and(|d| d.n_rows() == 50)
    });
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn saved_weights_load_back_to_identical_predictions() {
    let dir = temp_dir("weights");
    let path = dir.join("model.safetensors");

    let mut harness = default_harness();
    harness.get_by_label("Step").click();
    step_until(&mut harness, "one epoch", |app| app.epoch() == 1);
    step_for(&mut harness, Duration::from_millis(100));
    let trained = harness
        .state()
        .prediction_curve()
        .expect("a prediction curve");

    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    enter_path(&mut harness, &path, "Save");
    step_until(&mut harness, "the weights to be saved", |app| {
        app.notices()
            .iter()
            .any(|notice| notice.title == "Weights saved")
    });
    assert!(path.is_file(), "the file exists under its final name");

    // Forget the trained model: a reset from another seed changes the curve.
    harness.get_by_label("Reset").click();
    harness.get_by_label("Add layer").click();
    step_until(&mut harness, "a different model", |app| {
        app.prediction_curve().is_some_and(|curve| curve != trained)
    });

    // Train the new model a little: its loss curve must survive the load.
    harness.get_by_label("Step").click();
    step_until(&mut harness, "an epoch of the new model", |app| {
        app.epoch() == 1
    });
    step_for(&mut harness, Duration::from_millis(100));
    let points_before_load = harness.state().loss_points();

    // The button sits low in the scrolling settings panel.
    harness.get_by_label("Load weights…").scroll_to_me();
    harness.step();
    harness.step();
    harness.get_by_label("Load weights…").click();
    enter_path(&mut harness, &path, "Load");
    step_until(&mut harness, "the loaded model's curve", |app| {
        app.notices()
            .iter()
            .any(|notice| notice.title == "Weights loaded")
            && app.prediction_curve().is_some_and(|curve| curve == trained)
    });
    // The loss curve goes on across the load, with a line where the weights changed.
    let app = harness.state();
    assert!(
        app.loss_points() >= points_before_load,
        "the loss history was kept ({} points before, {} after)",
        points_before_load,
        app.loss_points()
    );
    assert!(app.epoch() >= 1, "the epoch count goes on");
    let markers = &app
        .snapshot()
        .and_then(|snapshot| snapshot.main_run())
        .expect("a run")
        .markers;
    assert_eq!(markers.len(), 1, "{markers:?}");
    assert!(
        markers[0].label.contains("model.safetensors"),
        "{markers:?}"
    );
    // The network panel shows the loaded model's layers.
    let loaded_layers = harness.state().settings().network.hidden_sizes.clone();
    assert_eq!(loaded_layers, Settings::default().network.hidden_sizes);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn closing_mid_training_joins_the_worker() {
    let mut harness = default_harness();
    press_space(&mut harness);
    step_until(&mut harness, "training to run", |app| {
        app.snapshot()
            .and_then(|s| s.main_run())
            .is_some_and(|run| run.steps > 0)
    });
    let alive = harness.state().worker_alive_flag().expect("a worker");
    assert!(alive.load(Ordering::Acquire));
    // Closing the window calls `on_exit`, then drops the app.
    harness.state_mut().shutdown();
    assert!(!alive.load(Ordering::Acquire), "shutdown joined the worker");

    let mut harness = default_harness();
    press_space(&mut harness);
    step_for(&mut harness, Duration::from_millis(200));
    let alive = harness.state().worker_alive_flag().expect("a worker");
    drop(harness);
    assert!(
        !alive.load(Ordering::Acquire),
        "dropping the app joined the worker"
    );
}

#[test]
fn every_widget_has_an_accessible_label() {
    let mut harness = default_harness();
    step_until(&mut harness, "the first snapshot", |app| {
        app.snapshot().is_some()
    });
    harness.step();
    harness.check_accessibility();
    // The path window too.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::O);
    harness.step();
    harness.step();
    harness.check_accessibility();
}

#[test]
fn learning_rate_changes_while_training_without_a_reset() {
    let mut harness = default_harness();
    press_space(&mut harness);
    step_until(&mut harness, "two epochs", |app| app.epoch() >= 2);
    let slider = harness.get_by_role_and_label(egui::accesskit::Role::Slider, "Learning rate");
    slider.decrement_accesskit();
    harness.step();
    let wanted = harness.state().settings().optimizer.learning_rate();
    step_until(&mut harness, "the worker to use the new rate", |app| {
        app.snapshot()
            .and_then(|s| s.main_run())
            .is_some_and(|run| run.learning_rate == wanted)
    });
    assert!(harness.state().epoch() >= 2, "no reset: epochs went on");
}

#[test]
fn a_second_x_column_switches_to_predicted_versus_actual() {
    use nanograd::app::snapshot::Prediction;
    let mut harness = default_harness();
    step_until(&mut harness, "the first snapshot", |app| {
        app.snapshot().is_some()
    });
    harness.get_by_label("temp_min").click();
    step_until(&mut harness, "a two-input model", |app| {
        app.dataset().is_some_and(|d| d.n_inputs() == 2)
            && app
                .snapshot()
                .and_then(|s| s.main_run())
                .is_some_and(|run| matches!(run.prediction, Prediction::VersusActual { .. }))
    });
    let x = &harness
        .state()
        .settings()
        .data
        .columns()
        .expect("columns")
        .x;
    assert_eq!(x, &["day_of_year".to_owned(), "temp_min".to_owned()]);
}

#[test]
fn a_remembered_file_that_is_gone_falls_back_to_the_built_in_data_with_a_note() {
    use nanograd::app::state::DataSource;
    let settings = Settings {
        data: DataSource::File {
            path: PathBuf::from("/nonexistent/nanograd/data.csv"),
            columns: None,
        },
        ..Settings::default()
    };
    let mut harness = app_harness(settings);
    step_until(&mut harness, "the first snapshot", |app| {
        app.snapshot().is_some()
    });
    let app = harness.state();
    assert!(app.dataset().is_some_and(|d| d.n_rows() > 100));
    assert!(
        matches!(&app.settings().data, DataSource::Sample { name, .. } if name == nanograd::data::DEFAULT_SAMPLE),
        "the built-in set replaced the missing file: {:?}",
        app.settings().data
    );
    assert!(
        app.notices()
            .iter()
            .any(|notice| !notice.is_error
                && notice.message.contains("/nonexistent/nanograd/data.csv")),
        "a note says what happened: {:?}",
        app.notices()
    );
}

#[test]
fn remembered_network_and_optimizer_are_used_at_start() {
    use nanograd::app::state::OptimizerKind;
    let mut settings = Settings::default();
    settings.network.hidden_sizes = vec![4];
    settings.optimizer.kind = OptimizerKind::Sgd;
    let mut harness = app_harness(settings);
    step_until(&mut harness, "the first snapshot", |app| {
        app.snapshot().is_some()
    });
    // 1 input → 4 → 1: 4·1 + 4 + 4·1 + 1 = 13 parameters.
    assert_eq!(harness.state().n_parameters(), Some(13));
}

#[test]
fn saving_to_a_typed_path_asks_before_replacing_and_warns_about_a_data_file() {
    let dir = temp_dir("replace");
    let csv = dir.join("data.csv");
    let data = b"income,foodexp\n1000,600\n";
    std::fs::write(&csv, data).expect("a data file");

    let mut harness = default_harness();
    harness.get_by_label("Step").click();
    step_until(&mut harness, "one epoch", |app| app.epoch() == 1);

    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    enter_path(&mut harness, &csv, "Save");
    harness.step();
    harness.get_by_label_contains("is not a Nanograd weights file");
    step_for(&mut harness, Duration::from_millis(100));
    assert_eq!(std::fs::read(&csv).expect("read"), data, "not replaced yet");
    harness.get_by_label("Replace").click();
    step_until(&mut harness, "the weights to be saved", |app| {
        app.notices()
            .iter()
            .any(|notice| notice.title == "Weights saved")
    });
    assert!(nanograd::train::is_weights_file(&csv));

    // A weights file is asked about too; Cancel keeps it.
    let saved = std::fs::read(&csv).expect("read");
    harness.get_by_label("Step").click();
    step_until(&mut harness, "another epoch", |app| app.epoch() == 2);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    enter_path(&mut harness, &csv, "Save");
    harness.step();
    harness.get_by_label_contains("already exists. Replace it with these weights?");
    harness.get_by_label("Cancel").click();
    harness.step();
    assert!(harness.state().path_field_text().is_none());
    step_for(&mut harness, Duration::from_millis(100));
    assert_eq!(std::fs::read(&csv).expect("read"), saved);
}

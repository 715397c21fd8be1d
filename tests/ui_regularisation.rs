//! The app's L2 penalty, driven through its real UI and worker with egui_kittest: Auto chooses
//! it by the same cross-validation as `nanograd train` (Train waits for it, a notice says what
//! was chosen, the run trains with it), large data gets the fixed default at once, and a
//! penalty set by hand is used as given.

mod common;

use std::time::Duration;

use common::*;
use egui_kittest::kittest::Queryable;
use nanograd::app::state::{ColumnChoice, DataSource, L2Setting};
use nanograd::train::{
    CandidateModel, ChosenBy, CvSettings, DEFAULT_EPOCHS, LARGE_DATA_L2, choose_l2,
};

/// Ends the run on screen (Reset keeps it in the history) and returns the penalty it trained
/// with.
fn trained_penalty(harness: &mut egui_kittest::Harness<'_, nanograd::app::NanogradApp>) -> f32 {
    let before = harness.state().history().len();
    harness.get_by_label("Reset").click();
    step_until(harness, "the run in the history", |app| {
        app.history().len() == before + 1
    });
    harness.state().history()[0].config.l2
}

#[test]
fn auto_chooses_the_penalty_before_training_says_so_and_trains_with_it() {
    let mut settings = test_settings();
    assert_eq!(settings.optimizer.l2, L2Setting::Auto, "the default");
    settings.data = anscombe();
    settings.val_fraction = 0.0;
    let mut harness = app_harness(settings.clone());
    step_until(&mut harness, "the data", |app| app.dataset().is_some());
    press_space(&mut harness);
    if harness.state().is_choosing_l2() {
        // Train waits for the penalty.
        assert!(!harness.state().is_training());
        assert_eq!(harness.state().epoch(), 0);
    }
    step_until(&mut harness, "the penalty", |app| app.chosen_l2().is_some());
    let choice = harness.state().chosen_l2().cloned().expect("chosen");
    assert_eq!(choice.chosen_by, ChosenBy::CrossValidation);
    // The user's network is kept: six penalties, no linear model.
    assert_eq!(choice.candidates.len(), 6);
    assert!(
        choice
            .candidates
            .iter()
            .all(|c| c.model == CandidateModel::Network)
    );
    // The library's choice for the same data and configuration.
    let dataset = harness.state().dataset().cloned().expect("data");
    let expected = choose_l2(
        &dataset,
        &settings.train_config(),
        DEFAULT_EPOCHS,
        &CvSettings {
            linear: false,
            ..CvSettings::default()
        },
    )
    .expect("trains");
    assert_eq!(choice.l2, expected.l2);

    let notice = harness
        .state()
        .notices()
        .into_iter()
        .find(|n| n.title == "Regularisation chosen")
        .expect("a notice says what was chosen");
    assert!(
        notice
            .message
            .starts_with(&format!("L2 penalty {} chosen by 5-fold", choice.l2)),
        "{notice:?}"
    );
    step_until(&mut harness, "training", |app| {
        app.is_training() && app.epoch() >= 3
    });
    assert_eq!(trained_penalty(&mut harness), choice.l2);

    // Unticking Auto keeps the chosen number, now editable; nothing is chosen again.
    harness.get_by_label("Auto").click();
    harness.step();
    harness.step();
    assert_eq!(
        harness.state().settings().optimizer.l2,
        L2Setting::Fixed(choice.l2)
    );
    assert!(!harness.state().is_choosing_l2());
}

#[test]
fn large_data_gets_the_fixed_default_without_waiting() {
    // The built-in data: 1,461 rows, 1,169 of them training rows, above the limit.
    let mut harness = default_harness();
    step_until(&mut harness, "the data", |app| app.dataset().is_some());
    assert!(!harness.state().is_choosing_l2());
    let choice = harness
        .state()
        .chosen_l2()
        .cloned()
        .expect("chosen at once");
    assert_eq!(
        (choice.chosen_by, choice.l2),
        (ChosenBy::LargeDataDefault, LARGE_DATA_L2)
    );
    press_space(&mut harness);
    step_until(&mut harness, "training", |app| app.epoch() >= 1);
    press_space(&mut harness);
    step_for(&mut harness, Duration::from_millis(100));
    assert_eq!(trained_penalty(&mut harness), LARGE_DATA_L2);
}

#[test]
fn a_penalty_set_by_hand_is_used_as_given() {
    let mut settings = test_settings();
    settings.data = anscombe();
    settings.optimizer.l2 = L2Setting::Fixed(7.5);
    let mut harness = app_harness(settings);
    step_until(&mut harness, "the data", |app| app.dataset().is_some());
    assert!(!harness.state().is_choosing_l2());
    assert!(harness.state().chosen_l2().is_none());
    press_space(&mut harness);
    step_until(&mut harness, "training", |app| app.epoch() >= 3);
    assert_eq!(trained_penalty(&mut harness), 7.5);
}

#[test]
fn a_slow_choice_says_so_and_unticking_auto_trains_at_once() {
    let mut settings = test_settings();
    settings.data = DataSource::Sample {
        name: "cars_mpg".to_owned(),
        columns: Some(ColumnChoice {
            x: vec!["Horsepower".to_owned()],
            y: "Miles_per_Gallon".to_owned(),
        }),
    };
    // A wide network makes the 150 cross-validation runs take far longer than this test.
    settings.network.hidden_sizes = vec![256, 256];
    let mut harness = app_harness(settings);
    step_until(&mut harness, "the data", |app| app.dataset().is_some());
    harness.step();
    assert!(harness.state().is_choosing_l2());
    harness.get_by_label_contains("Choosing the L2 penalty by cross-validation");
    press_space(&mut harness);
    assert!(!harness.state().is_training(), "Train waits for the choice");
    harness.get_by_label_contains("training starts when it is done");

    harness.get_by_label("Auto").click();
    step_until(&mut harness, "training without a penalty", |app| {
        app.is_training() && app.epoch() >= 1
    });
    assert!(!harness.state().is_choosing_l2(), "the choice was dropped");
    assert_eq!(
        harness.state().settings().optimizer.l2,
        L2Setting::Fixed(0.0)
    );
    assert_eq!(trained_penalty(&mut harness), 0.0);
}

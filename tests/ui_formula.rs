//! Data typed as a formula in the app: the fault marked where it is, Generate, and a value
//! missing at some x found after generating.

mod common;

use common::{app_harness, step_until, test_settings};
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use nanograd::app::NanogradApp;
use nanograd::app::state::{DataSource, FormulaSettings};

fn open_formula_section() -> Harness<'static, NanogradApp> {
    let mut harness = app_harness(test_settings());
    step_until(&mut harness, "the first data", |app| {
        app.dataset().is_some()
    });
    harness.get_by_label("Formula").click();
    harness.step();
    harness.step();
    harness
}

fn type_formula(harness: &mut Harness<'_, NanogradApp>, formula: &str) {
    harness.get_by_label("y =").focus();
    harness.step();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.step();
    harness.get_by_label("y =").type_text(formula);
    harness.step();
    harness.step();
}

#[test]
fn a_fault_is_explained_under_the_field_and_generate_waits_for_a_correct_formula() {
    let mut harness = open_formula_section();
    type_formula(&mut harness, "sin(3*z) + 0.2*noise");
    harness.get_by_label_contains("unknown name `z` at character 7");
    assert!(
        harness
            .get_by_label("Generate")
            .accesskit_node()
            .is_disabled(),
        "Generate is greyed out while the formula is wrong"
    );

    type_formula(&mut harness, "2*x^2 - 1");
    assert!(
        harness.query_by_label_contains("unknown name").is_none(),
        "the message goes once the formula is right"
    );
    harness.get_by_label("Generate").click();
    step_until(&mut harness, "the formula's data", |app| {
        !app.is_loading() && matches!(app.settings().data, DataSource::Formula(_))
    });
    let dataset = harness.state().dataset().expect("data").clone();
    assert_eq!(dataset.name, "y = 2*x^2 - 1");
    let defaults = FormulaSettings::default();
    assert_eq!(dataset.n_rows(), defaults.n_points);
    assert_eq!(dataset.x[0], defaults.x_from as f32);
    assert_eq!(*dataset.x.last().expect("x"), defaults.x_to as f32);
    for (x, y) in dataset.x.iter().zip(&dataset.y) {
        assert!((y - (2.0 * x * x - 1.0)).abs() < 1e-5, "{x} {y}");
    }
    let settings = harness.state().settings().clone();
    assert_eq!(settings.clone().sanitized(), settings);
}

#[test]
fn a_value_missing_at_some_x_is_shown_after_generate_with_that_x() {
    let mut harness = open_formula_section();
    type_formula(&mut harness, "1 + sqrt(x)");
    // x = 1 has a value, so the text itself is not at fault.
    harness.get_by_label("Generate").click();
    step_until(&mut harness, "the failed load", |app| !app.is_loading());
    harness.step();
    harness.step();
    // Under the field, and in the notice of the failed load.
    harness.get_by_label("`sqrt(x)` has no value (outside the function's domain) at x = -2");
    harness.get_by_label_contains("The formula gives no data: `sqrt(x)` has no value");
    assert!(
        !matches!(harness.state().settings().data, DataSource::Formula(_)),
        "the data in use stays what it was"
    );
}

#[test]
fn enter_in_the_field_generates() {
    let mut harness = open_formula_section();
    type_formula(&mut harness, "x + 0.1*noise");
    harness.key_press(Key::Enter);
    step_until(&mut harness, "the formula's data", |app| {
        !app.is_loading() && matches!(app.settings().data, DataSource::Formula(_))
    });
    assert_eq!(
        harness.state().dataset().expect("data").name,
        "y = x + 0.1*noise"
    );
}

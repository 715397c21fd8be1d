//! Help → Glossary and the tooltips that explain terms on screen, in the glossary's words.

mod common;

use common::{app_harness, step_until, test_settings};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nanograd::app::NanogradApp;
use nanograd::app::glossary::{GLOSSARY, meaning};

fn ready() -> Harness<'static, NanogradApp> {
    let mut harness = app_harness(test_settings());
    step_until(&mut harness, "the first data", |app| {
        app.dataset().is_some()
    });
    harness
}

fn open_glossary(harness: &mut Harness<'_, NanogradApp>) {
    harness.get_by_label("Help").click();
    // The Help menu, wide with its table, takes a few frames to size itself before its
    // buttons take clicks.
    for _ in 0..6 {
        harness.step();
    }
    harness.get_by_label("Glossary…").click();
    // One frame applies the action, the next sizes the new window, then it is drawn.
    for _ in 0..4 {
        harness.step();
    }
}

#[test]
fn help_glossary_lists_every_term_and_filters_them() {
    let mut harness = ready();
    assert!(harness.query_by_label(GLOSSARY[0].meaning).is_none());
    open_glossary(&mut harness);
    harness.get_by_label("Find:");
    for entry in GLOSSARY {
        harness.get_by_label(entry.meaning);
    }
    harness.get_by_label("Find:").focus();
    harness.step();
    harness.get_by_label("Find:").type_text("vanish");
    harness.step();
    harness.step();
    harness.get_by_label(meaning("Sigmoid"));
    assert!(
        harness.query_by_label(meaning("Learning rate")).is_none(),
        "the filter keeps only the terms that mention it"
    );
    harness.get_by_label("Find:").type_text("zzz");
    harness.step();
    harness.step();
    harness.get_by_label("No term mentions \"vanishzzz\".");
}

#[test]
fn labels_that_name_a_term_explain_it_on_hover() {
    let mut harness = ready();
    for label in [
        "Learning rate",
        "Batch size",
        "Validation",
        "Activation",
        "L2 penalty",
    ] {
        let center = harness
            .get_by_role_and_label(egui::accesskit::Role::Label, label)
            .rect()
            .center();
        harness.hover_at(center);
        // Tooltips wait for the pointer to rest.
        for _ in 0..30 {
            harness.step();
            if harness.query_by_label(meaning(label)).is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        harness.get_by_label(meaning(label));
    }
}

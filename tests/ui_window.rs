//! The window in front of a class: at projector sizes, with larger text, in both themes and in
//! the projector view nothing is cut off; the settings stay reachable; messages do not pile up
//! or go stale; a typed path never triggers a shortcut.

mod common;

use std::time::Duration;

use common::*;
use egui::{Key, Rect, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nanograd::app::NanogradApp;
use nanograd::app::state::Settings;

const CLASSROOM_SIZES: [(f32, f32); 3] = [(1024.0, 768.0), (1280.0, 800.0), (1920.0, 1080.0)];

fn ready_harness(settings: Settings, (width, height): (f32, f32)) -> Harness<'static, NanogradApp> {
    let mut harness = sized_harness(settings, vec2(width, height));
    step_until(&mut harness, "the first snapshot", |app| {
        app.snapshot().is_some()
    });
    // A few frames so that panels and plot axes settle at their sizes.
    for _ in 0..4 {
        harness.step();
    }
    harness
}

fn assert_inside(what: &str, rect: Option<Rect>, window: Rect, min_size: egui::Vec2, case: &str) {
    let rect = rect.unwrap_or_else(|| panic!("{case}: the {what} was not drawn"));
    assert!(
        window.expand(0.5).contains_rect(rect),
        "{case}: the {what} {rect:?} runs outside the window {window:?}"
    );
    assert!(
        rect.width() >= min_size.x && rect.height() >= min_size.y,
        "{case}: the {what} is squashed to {:?} (needs at least {min_size:?})",
        rect.size()
    );
}

#[test]
fn plots_share_the_window_at_classroom_sizes_themes_text_sizes_and_in_projector_view() {
    for size in CLASSROOM_SIZES {
        for is_dark in [false, true] {
            for zoom in [1.25, 1.65] {
                for is_projector in [false, true] {
                    let mut settings = test_settings();
                    settings.view.is_dark = is_dark;
                    settings.view.zoom = zoom;
                    settings.view.is_projector = is_projector;
                    settings.view.is_settings_panel_shown = !is_projector;
                    let case = format!(
                        "{}x{} dark={is_dark} zoom={zoom} projector={is_projector}",
                        size.0, size.1
                    );
                    let harness = ready_harness(settings, size);
                    let layout = harness.state().layout().clone();
                    let window = layout.window.expect("the window rect is recorded");
                    // Only a window below 1920×1080 with the largest text is too short for the plots: they
                    // keep a readable size and the area below the toolbar scrolls.
                    let is_cramped = size.0 < 1920.0 && zoom > 1.5;
                    assert!(
                        !layout.is_central_scrolling || is_cramped,
                        "{case}: the plots scroll where they should fit"
                    );
                    let reachable = if layout.is_central_scrolling {
                        Rect::everything_below(window.top())
                            .intersect(Rect::everything_left_of(window.right() + 0.5))
                    } else {
                        window
                    };
                    // Projector text on top of the largest zoom at 1024×768 is over twice the
                    // normal size: the fit plot then keeps 120 points of height.
                    let min_fit = vec2(200.0, if is_cramped { 120.0 } else { 140.0 });
                    assert_inside("fit plot", layout.fit_plot, reachable, min_fit, &case);
                    let min_loss = vec2(200.0, 100.0);
                    assert_inside("loss plot", layout.loss_plot, reachable, min_loss, &case);
                    if let Some(diagram) = layout.diagram {
                        let min_diagram = vec2(150.0, 90.0);
                        assert_inside("diagram", Some(diagram), reachable, min_diagram, &case);
                    }
                    if size.0 >= 1280.0 && zoom < 1.5 {
                        assert!(
                            layout.diagram.is_some(),
                            "{case}: the network diagram is shown"
                        );
                    }
                    let fit = layout.fit_plot.unwrap_or(Rect::NOTHING);
                    let loss = layout.loss_plot.unwrap_or(Rect::NOTHING);
                    assert!(
                        fit.bottom() <= loss.top(),
                        "{case}: the fit plot {fit:?} overlaps the loss plot {loss:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_optimizer_panel_and_save_are_reachable_at_1024x768() {
    let mut harness = ready_harness(test_settings(), (1024.0, 768.0));
    let window = harness.state().layout().window.expect("window rect");
    for label in ["Learning rate", "Batch size", "Save weights…"] {
        // The first node with the label: the label itself (its slider is labelled by it too).
        let first = |harness: &Harness<'_, NanogradApp>| {
            harness
                .get_all_by_label(label)
                .next()
                .unwrap_or_else(|| panic!("no {label} in the window"))
                .rect()
        };
        harness
            .get_all_by_label(label)
            .next()
            .unwrap_or_else(|| panic!("no {label} in the window"))
            .scroll_to_me();
        // Scrolling is animated: give it a few frames.
        for _ in 0..4 {
            harness.step();
        }
        let rect = first(&harness);
        assert!(
            window.contains_rect(rect),
            "{label} at {rect:?} cannot be brought into the window {window:?} by scrolling"
        );
    }
}

#[test]
fn the_settings_panel_can_be_narrowed() {
    let mut harness = ready_harness(test_settings(), (1280.0, 800.0));
    let panel = harness
        .state()
        .layout()
        .settings_panel
        .expect("the settings panel is shown");
    // Drag its right edge 150 points to the left, in small moves as a hand does; the panel
    // narrows as far as its widest row allows.
    let edge = egui::pos2(panel.right(), panel.center().y);
    harness.hover_at(edge);
    harness.step();
    harness.drag_at(edge);
    harness.step();
    for dx in 1..=15 {
        harness.hover_at(edge - vec2(10.0 * dx as f32, 0.0));
        harness.step();
    }
    harness.drop_at(edge - vec2(150.0, 0.0));
    harness.step();
    harness.step();

    let narrowed = harness
        .state()
        .layout()
        .settings_panel
        .expect("the settings panel is still shown");
    assert!(
        narrowed.width() < panel.width() - 25.0 && narrowed.width() <= 270.0,
        "the panel went from {} to {} points wide",
        panel.width(),
        narrowed.width()
    );
}

#[test]
fn messages_do_not_pile_up_and_clear_when_they_no_longer_hold() {
    let dir = temp_dir("stale-messages");
    let mut settings = test_settings();
    settings.optimizer.epoch_limit = Some(1);
    let mut harness = ready_harness(settings, (1280.0, 800.0));
    // Four bad files in a row: one message, about the last one.
    for name in ["a", "b", "c", "d"] {
        let path = dir.join(format!("{name}.csv"));
        std::fs::write(&path, "only,text\nx,y\nz,w\n").expect("write the CSV");
        harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::O);
        enter_path(&mut harness, &path, "Open");
        step_until(&mut harness, "the message about this file", |app| {
            app.notices()
                .iter()
                .any(|notice| notice.message.contains(&format!("{name}.csv")))
        });
    }
    let errors: Vec<_> = harness
        .state()
        .notices()
        .into_iter()
        .filter(|notice| notice.is_error)
        .collect();
    assert_eq!(
        errors.len(),
        1,
        "one message for four bad files: {errors:?}"
    );

    // "Epoch limit reached" is about the network trained so far: Reset ends it.
    press_space(&mut harness);
    step_until(&mut harness, "the epoch limit message", |app| {
        app.notices()
            .iter()
            .any(|notice| notice.title == "Epoch limit reached")
    });
    harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::R);
    harness.step();
    harness.step();
    assert!(
        !harness
            .state()
            .notices()
            .iter()
            .any(|notice| notice.title == "Epoch limit reached"),
        "Reset cleared the stale message: {:?}",
        harness.state().notices()
    );

    // Good data ends the message about the bad file.
    let good = dir.join("good.csv");
    std::fs::write(&good, "x,y\n1,2\n2,4\n3,7\n4,8\n5,11\n6,12\n").expect("write the CSV");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::O);
    enter_path(&mut harness, &good, "Open");
    step_until(&mut harness, "the good file to load", |app| {
        app.dataset().is_some_and(|data| data.n_rows() == 6)
    });
    harness.step();
    assert!(
        harness
            .state()
            .notices()
            .iter()
            .all(|notice| !notice.is_error),
        "no error is left about data that is gone: {:?}",
        harness.state().notices()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn typing_a_path_with_dots_and_spaces_goes_only_into_the_field_and_esc_closes_it() {
    let mut harness = ready_harness(test_settings(), (1280.0, 800.0));
    let epoch = harness.state().epoch();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::O);
    harness.step();
    harness.step();
    assert!(
        harness.get_by_label("File path:").is_focused(),
        "the path field takes the keyboard at once"
    );
    // Typed as a person types: key presses ("." is Step, Space is Train) and their text.
    for c in "my data. v2.csv".chars() {
        let key = match c {
            ' ' => Some(Key::Space),
            '.' => Some(Key::Period),
            _ => None,
        };
        if let Some(key) = key {
            harness.key_press(key);
        }
        harness.event(egui::Event::Text(c.to_string()));
        harness.step();
    }
    step_for(&mut harness, Duration::from_millis(300));
    let app = harness.state();
    assert_eq!(app.path_field_text(), Some("my data. v2.csv"));
    assert!(!app.is_training(), "a space in the path started training");
    assert_eq!(app.epoch(), epoch, "a dot in the path stepped an epoch");

    harness.key_press(Key::Escape);
    harness.step();
    harness.step();
    assert_eq!(
        harness.state().path_field_text(),
        None,
        "Esc closes the window"
    );
}

#[test]
fn the_projector_view_is_one_key_away_and_tucks_the_settings_away() {
    let mut harness = ready_harness(test_settings(), (1024.0, 768.0));
    harness.key_press(Key::F5);
    harness.step();
    harness.step();
    let app = harness.state();
    assert!(app.settings().view.is_projector);
    assert_eq!(
        app.layout().settings_panel,
        None,
        "the settings are tucked away"
    );
    harness.key_press(Key::F5);
    harness.step();
    harness.step();
    assert!(!harness.state().settings().view.is_projector);
    assert!(harness.state().layout().settings_panel.is_some());
}

#[test]
fn turning_full_speed_off_returns_to_the_chosen_pace() {
    let mut settings = test_settings();
    settings.steps_per_second = 37.0;
    let mut harness = ready_harness(settings, (1280.0, 800.0));
    harness.get_by_label("Full speed").click();
    harness.step();
    assert!(harness.state().settings().is_full_speed);
    harness.get_by_label("Full speed").click();
    harness.step();
    let settings = harness.state().settings();
    assert!(!settings.is_full_speed);
    assert_eq!(settings.steps_per_second, 37.0);
}

#[test]
fn the_smallest_window_zoomed_in_past_the_largest_text_lays_out() {
    // 800 × 520 pixels is the window's minimum size. The View menu's largest text (3×) makes that
    // 267 × 173 points, and Ctrl + Plus (egui's own zoom, up to 5×) goes further, until the
    // settings panel (at least 220 points) leaves the plots less width than their scroll bar.
    let mut settings = test_settings();
    settings.view.zoom = 3.0;
    let mut harness = ready_harness(settings, (800.0, 520.0));
    for _ in 0..5 {
        harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::Plus);
        harness.step();
        harness.set_size(vec2(800.0, 520.0) / harness.ctx.zoom_factor());
        for _ in 0..3 {
            harness.step();
        }
    }
    assert!(harness.ctx.zoom_factor() > 3.4, "Ctrl + Plus zoomed in");
    let layout = harness.state().layout().clone();
    let window = layout.window.expect("window rect");
    let panel = layout.settings_panel.expect("the settings panel is shown");
    assert!(
        window.right() - panel.right() < 20.0,
        "{panel:?} in {window:?}"
    );
    // The plots get whatever width is left, none at worst, never less.
    for (name, rect) in [
        ("fit plot", layout.fit_plot),
        ("loss plot", layout.loss_plot),
    ] {
        let rect = rect.unwrap_or_else(|| panic!("the {name} was not drawn"));
        assert!(
            rect.width() >= 0.0 && rect.height() >= 0.0,
            "{name}: {rect:?}"
        );
    }
}

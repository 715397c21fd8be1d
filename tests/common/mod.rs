//! Helpers shared by the app tests: a harness around the real app, and waits that assert.
//!
//! Training is asynchronous, so tests step frames until a condition holds or a timeout passes;
//! every wait asserts, so a hang fails with a message instead of blocking.
#![allow(dead_code)] // Each test binary uses its own subset.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nanograd::app::state::Settings;
use nanograd::app::{AppOptions, NanogradApp};

pub const TIMEOUT: Duration = Duration::from_secs(60);

pub fn app_harness(settings: Settings) -> Harness<'static, NanogradApp> {
    sized_harness(settings, egui::vec2(1500.0, 1400.0))
}

/// The real app in a window of `size` screen pixels. kittest lays out in points and does not
/// apply the app's zoom to the window size, so the window is `size / zoom` points, as on the
/// desktop.
pub fn sized_harness(settings: Settings, size: egui::Vec2) -> Harness<'static, NanogradApp> {
    let zoom = settings.view.zoom;
    Harness::builder()
        .with_size(size / zoom)
        .build_eframe(move |cc| {
            NanogradApp::with_options(
                &cc.egui_ctx,
                AppOptions {
                    settings,
                    use_native_dialogs: false,
                    ..AppOptions::default()
                },
            )
        })
}

/// Default settings but a brisk pace: the default (20 steps a second, for a class to watch)
/// would make every test that waits for epochs take seconds.
pub fn test_settings() -> Settings {
    Settings {
        steps_per_second: 5_000.0,
        ..Settings::default()
    }
}

/// Anscombe's first set (11 rows): small data, where the L2 penalty is cross-validated.
pub fn anscombe() -> nanograd::app::state::DataSource {
    nanograd::app::state::DataSource::Sample {
        name: "anscombe_quartet".to_owned(),
        columns: Some(nanograd::app::state::ColumnChoice {
            x: vec!["x1".to_owned()],
            y: "y1".to_owned(),
        }),
    }
}

pub fn default_harness() -> Harness<'static, NanogradApp> {
    app_harness(test_settings())
}

/// Step frames until `condition` holds; panics with `what` after [`TIMEOUT`].
pub fn step_until(
    harness: &mut Harness<'_, NanogradApp>,
    what: &str,
    mut condition: impl FnMut(&NanogradApp) -> bool,
) {
    let start = Instant::now();
    loop {
        harness.step();
        if condition(harness.state()) {
            return;
        }
        assert!(start.elapsed() < TIMEOUT, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Step frames for `duration` (the worker keeps running meanwhile).
pub fn step_for(harness: &mut Harness<'_, NanogradApp>, duration: Duration) {
    let start = Instant::now();
    while start.elapsed() < duration {
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub fn press_space(harness: &mut Harness<'_, NanogradApp>) {
    harness.key_press(Key::Space);
    harness.step();
}

pub fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nanograd-ui-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a temporary folder");
    dir
}

/// Type `path` into the open path window and press its confirm button.
pub fn enter_path(harness: &mut Harness<'_, NanogradApp>, path: &Path, confirm: &str) {
    // One frame applies the action that opens the window, the next draws it.
    harness.step();
    harness.step();
    let field = harness.get_by_label("File path:");
    field.focus();
    harness.step();
    // Replace any proposed text.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.step();
    harness
        .get_by_label("File path:")
        .type_text(&path.display().to_string());
    harness.step();
    harness.get_by_label(confirm).click();
    harness.step();
}

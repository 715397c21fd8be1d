//! What must hold after every action, and the end: back to a known good state and training.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use egui::accesskit::{self, Role};
use egui::{Event, Key, Modifiers, vec2};
use nanograd::app::NanogradApp;

use crate::guard::{PANICS, lock};
use crate::monkey::Monkey;
use crate::widgets::targets;

const WORKER_DIED: &str = "The training thread stopped unexpectedly";

impl Monkey {
    /// What must hold after every action.
    pub(crate) fn check(&self, action: &str) {
        let panics = lock(&PANICS).clone();
        assert!(
            panics.is_empty(),
            "after {action}: a thread panicked: {panics:#?}"
        );
        let app = self.app();
        assert!(
            !app.notices()
                .iter()
                .any(|notice| notice.title == WORKER_DIED),
            "after {action}: the worker died and was restarted: {:?}",
            app.notices()
        );
        // The app clamps what it reads back from storage; what it holds must already be in
        // range, or a restart would quietly change it (or it trains with a value the panel
        // cannot show).
        let settings = app.settings().clone();
        assert_eq!(
            settings.clone().sanitized(),
            settings,
            "after {action}: a setting is out of its range"
        );
    }

    /// Puts the app, through its own UI, where training must work, then trains.
    pub(crate) fn train_from_a_known_good_state(&mut self) {
        for _ in 0..3 {
            self.press(Modifiers::NONE, Key::Escape);
        }
        if self.app().path_field_text().is_some() {
            self.press_button("Cancel");
        }
        self.harness.set_size(vec2(1280.0, 800.0) / 1.25);
        self.step(2);
        if self.app().settings().view.is_projector {
            self.press(Modifiers::NONE, Key::F5);
        }
        if !self.app().settings().view.is_settings_panel_shown {
            self.press_button("Settings");
        }
        self.step(2);
        for section in ["Network", "Optimizer"] {
            let collapsed = targets(&self.harness, &[Role::DisclosureTriangle])
                .into_iter()
                .find(|target| target.label == section && target.is_collapsed);
            if let Some(collapsed) = collapsed {
                self.accesskit(&collapsed, accesskit::Action::Click, None);
                self.step(2);
            }
        }
        // Adam at its usual rate, at full speed, with a fixed penalty: a run that neither
        // diverges, nor waits for a cross-validation, nor crawls at one step a second.
        assert!(self.press_button("Adam"), "the Adam button");
        for (label, value) in [("Learning rate", 0.01), ("β1", 0.9), ("β2", 0.999)] {
            let slider = targets(&self.harness, &[Role::Slider])
                .into_iter()
                .find(|target| target.label == label)
                .unwrap_or_else(|| panic!("the {label} slider"));
            self.accesskit(
                &slider,
                accesskit::Action::SetValue,
                Some(accesskit::ActionData::NumericValue(value)),
            );
        }
        if !self.app().settings().is_full_speed {
            assert!(self.press_button("Full speed"), "the Full speed box");
        }
        if self.app().settings().optimizer.l2.is_auto() {
            assert!(self.press_button("Auto"), "the L2 Auto box");
        }
        // No stop rule: an epoch limit of 1 or a target loss met at once would pause training.
        for rule in ["Stop at", "Stop at", "After"] {
            let checked = targets(&self.harness, &[Role::CheckBox])
                .into_iter()
                .find(|target| target.label == rule && target.is_checked);
            if let Some(checked) = checked {
                self.accesskit(&checked, accesskit::Action::Click, None);
                self.step(2);
            }
        }
        self.step(2);
        let optimizer = &self.app().settings().optimizer;
        assert!(
            optimizer.kind == nanograd::app::state::OptimizerKind::Adam
                && optimizer.adam_learning_rate == 0.01
                && !optimizer.l2.is_auto()
                && self.app().settings().is_full_speed
                && optimizer.epoch_limit.is_none()
                && optimizer.target_loss.is_none()
                // Its box is greyed out without validation rows, where it never stops a run.
                && (optimizer.early_stopping.is_none() || self.app().settings().val_fraction == 0.0),
            "the known-good settings did not take: {optimizer:?}"
        );

        let anscombe =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/data/anscombe_quartet.csv");
        self.press(Modifiers::COMMAND, Key::O);
        self.step(2);
        self.press(Modifiers::COMMAND, Key::A);
        self.harness
            .event(Event::Text(anscombe.display().to_string()));
        self.harness.step();
        assert!(self.press_button("Open"), "the path window's Open button");
        self.wait_for("the good data", |app| {
            !app.is_loading()
                && app.dataset().is_some_and(|data| data.n_rows() == 11)
                && matches!(&app.settings().data,
                    nanograd::app::state::DataSource::File { path, .. } if *path == anscombe)
        });
        if self.app().is_training() {
            self.press(Modifiers::NONE, Key::Space);
        }
        self.press(Modifiers::COMMAND, Key::R);
        self.wait_for("a fresh model", |app| app.epoch() == 0);
        let alive = self.app().worker_alive_flag().expect("a worker");
        assert!(alive.load(Ordering::Acquire), "the worker is alive");
        assert!(self.press_button("Train"), "the Train button");
        self.wait_for("three epochs", |app| app.epoch() >= 3);
        assert!(alive.load(Ordering::Acquire), "the worker is still alive");
        self.check("training from a known good state");
    }

    pub(crate) fn wait_for(&mut self, what: &str, mut condition: impl FnMut(&NanogradApp) -> bool) {
        let start = Instant::now();
        while !condition(self.app()) {
            assert!(
                start.elapsed() < crate::common::TIMEOUT,
                "timed out waiting for {what}: notices {:?}",
                self.app().notices()
            );
            self.harness.step();
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

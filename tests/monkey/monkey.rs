//! The monkey and its hands: pointer, keys, AccessKit requests and its random choices.

use std::sync::{Arc, Mutex};

use egui::accesskit::{self, Role};
use egui::{Event, Key, Modifiers, PointerButton, Pos2, Rect, pos2, vec2};
use egui_kittest::Harness;
use nanograd::app::NanogradApp;
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rand::seq::IndexedRandom;

use crate::files::Files;
use crate::guard::{LOG_TAIL, Log, lock, resident_mb};
use crate::vocabulary::{CLICKABLE, TEXTS, VALUES};
use crate::widgets::{Target, find};

pub(crate) struct Monkey {
    pub(crate) harness: Harness<'static, NanogradApp>,
    pub(crate) rng: ChaCha8Rng,
    pub(crate) files: Files,
    pub(crate) log: Arc<Mutex<Log>>,
    /// Print every action as it is done (`NANOGRAD_MONKEY_VERBOSE=1`).
    pub(crate) is_verbose: bool,
}

impl Monkey {
    pub(crate) fn note(&self, action: String) {
        if self.is_verbose {
            let count = lock(&self.log).count + 1;
            let resident = resident_mb().unwrap_or(0.0);
            println!("monkey #{count} ({resident:.0} MB): {action}");
        }
        let mut log = lock(&self.log);
        log.count += 1;
        log.tail.push_back(action);
        if log.tail.len() > LOG_TAIL {
            log.tail.pop_front();
        }
    }

    pub(crate) fn app(&self) -> &NanogradApp {
        self.harness.state()
    }

    pub(crate) fn window(&self) -> Rect {
        self.app()
            .layout()
            .window
            .unwrap_or(Rect::from_min_size(Pos2::ZERO, vec2(800.0, 600.0)))
    }

    pub(crate) fn random_point(&mut self, rect: Rect) -> Pos2 {
        let rect = if rect.is_positive() {
            rect
        } else {
            self.window()
        };
        pos2(
            self.rng.random_range(rect.left()..=rect.right()),
            self.rng.random_range(rect.top()..=rect.bottom()),
        )
    }

    pub(crate) fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
        items.choose(&mut self.rng).cloned()
    }

    pub(crate) fn step(&mut self, frames: usize) {
        for _ in 0..frames {
            self.harness.step();
        }
    }

    pub(crate) fn press(&mut self, modifiers: Modifiers, key: Key) {
        self.harness.key_press_modifiers(modifiers, key);
        self.harness.step();
    }

    pub(crate) fn pointer_click(&mut self, pos: Pos2, button: PointerButton, modifiers: Modifiers) {
        self.harness.event(Event::PointerMoved(pos));
        for pressed in [true, false] {
            self.harness.event(Event::PointerButton {
                pos,
                button,
                pressed,
                modifiers,
            });
        }
        self.harness.step();
    }

    pub(crate) fn accesskit(
        &mut self,
        target: &Target,
        action: accesskit::Action,
        data: Option<accesskit::ActionData>,
    ) {
        self.harness
            .event(Event::AccessKitActionRequest(accesskit::ActionRequest {
                action,
                target_tree: target.node.1,
                target_node: target.node.0,
                data,
            }));
        self.harness.step();
    }

    /// A click as a person makes it where the widget is on screen, else as assistive technology
    /// makes it (a widget scrolled out of the settings panel).
    pub(crate) fn click(&mut self, target: &Target) {
        let center = target.rect.center();
        if self.window().contains(center) {
            self.pointer_click(center, PointerButton::Primary, Modifiers::NONE);
        } else {
            self.accesskit(target, accesskit::Action::Click, None);
        }
    }

    /// Clicks the widget labelled `label`, if there is one; says whether there was.
    pub(crate) fn click_label(&mut self, label: &str) -> bool {
        match find(&self.harness, label, CLICKABLE) {
            Some(target) => {
                self.click(&target);
                self.step(2);
                true
            }
            None => false,
        }
    }

    /// Clicks the widget labelled `label` through AccessKit, which reaches it wherever it is
    /// scrolled and whatever covers it.
    pub(crate) fn press_button(&mut self, label: &str) -> bool {
        match find(&self.harness, label, &[Role::Button, Role::CheckBox]) {
            Some(target) => {
                self.accesskit(&target, accesskit::Action::Click, None);
                self.step(2);
                true
            }
            None => false,
        }
    }

    pub(crate) fn random_text(&mut self) -> String {
        match self.rng.random_range(0..10) {
            0 => format!(
                "{}",
                self.rng.random::<f64>() * 10f64.powi(self.rng.random_range(-40..40))
            ),
            1 => format!("{}", self.rng.random::<i64>()),
            2 => {
                let len = self.rng.random_range(1..40);
                (0..len)
                    .map(|_| char::from_u32(self.rng.random_range(0x20..0x2FFF)).unwrap_or('?'))
                    .collect()
            }
            3 => "9".repeat(self.rng.random_range(20..400)),
            _ => self.pick(TEXTS).unwrap_or_default().to_owned(),
        }
    }

    pub(crate) fn random_value(&mut self) -> f64 {
        if self.rng.random_bool(0.25) {
            let exponent = self.rng.random_range(-12..12);
            let sign = if self.rng.random_bool(0.5) { -1.0 } else { 1.0 };
            sign * self.rng.random::<f64>() * 10f64.powi(exponent)
        } else {
            self.pick(VALUES).unwrap_or(0.0)
        }
    }

    pub(crate) fn drag(
        &mut self,
        from: Pos2,
        to: Pos2,
        button: PointerButton,
        modifiers: Modifiers,
    ) {
        self.harness.event(Event::PointerMoved(from));
        self.harness.event(Event::PointerButton {
            pos: from,
            button,
            pressed: true,
            modifiers,
        });
        let moves = self.rng.random_range(1..8);
        for index in 1..=moves {
            let t = index as f32 / moves as f32;
            self.harness.event(Event::PointerMoved(from.lerp(to, t)));
        }
        self.harness.event(Event::PointerButton {
            pos: to,
            button,
            pressed: false,
            modifiers,
        });
        self.harness.step();
    }

    pub(crate) fn wheel(&mut self, at: Pos2, modifiers: Modifiers) -> egui::Vec2 {
        // Up to a fast flick of the wheel in one frame (Ctrl + 600 points zooms 20-fold).
        let delta = vec2(
            self.rng.random_range(-400.0..400.0),
            self.rng.random_range(-600.0..600.0),
        );
        self.harness.event(Event::PointerMoved(at));
        self.harness.event(Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta,
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers,
        });
        self.harness.step();
        delta
    }
}

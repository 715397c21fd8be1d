//! The monkey's actions. Each says what it did; the caller logs it.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::{self, Role};
use egui::{Event, Key, Modifiers, PointerButton, Rect, pos2, vec2};
use rand::RngExt;
use rand::seq::IndexedRandom;

use crate::files::DroppedPath;
use crate::monkey::Monkey;
use crate::vocabulary::{CLICKABLE, KEYS, MENU_WINDOWS, TYPABLE, VALUED};
use crate::widgets::{Target, find, targets};

impl Monkey {
    pub(crate) fn click_random_widget(&mut self) -> String {
        let all = targets(&self.harness, CLICKABLE);
        let Some(target) = self.pick(&all) else {
            return "click: nothing to click".to_owned();
        };
        let how = match self.rng.random_range(0..20) {
            0..=13 => {
                self.click(&target);
                "click"
            }
            14..=15 => {
                self.accesskit(&target, accesskit::Action::Click, None);
                "accesskit click"
            }
            16 => {
                self.pointer_click(
                    target.rect.center(),
                    PointerButton::Secondary,
                    Modifiers::NONE,
                );
                "right click"
            }
            17 => {
                let pos = target.rect.center();
                self.pointer_click(pos, PointerButton::Primary, Modifiers::NONE);
                self.pointer_click(pos, PointerButton::Primary, Modifiers::NONE);
                "double click"
            }
            18 => {
                let modifiers = *[Modifiers::SHIFT, Modifiers::COMMAND, Modifiers::ALT]
                    .choose(&mut self.rng)
                    .unwrap_or(&Modifiers::SHIFT);
                self.pointer_click(target.rect.center(), PointerButton::Primary, modifiers);
                "modified click"
            }
            _ => {
                self.accesskit(&target, accesskit::Action::Focus, None);
                self.press(Modifiers::NONE, Key::Space);
                "focus + space"
            }
        };
        format!("{how} {}", target.describe())
    }

    /// Opens a menu or a combo box, then clicks something that appeared.
    pub(crate) fn click_into_popup(&mut self) -> String {
        let openers: Vec<Target> = targets(&self.harness, CLICKABLE)
            .into_iter()
            .filter(|target| {
                target.role == Role::ComboBox
                    || ["File", "Training", "View", "Help", "Samples", "Sample data"]
                        .contains(&target.label.as_str())
            })
            .collect();
        let Some(opener) = self.pick(&openers) else {
            return "popup: no menu".to_owned();
        };
        let before: Vec<(Role, String)> = targets(&self.harness, CLICKABLE)
            .into_iter()
            .map(|target| (target.role, target.label))
            .collect();
        self.click(&opener);
        self.step(2);
        let new: Vec<Target> = targets(&self.harness, CLICKABLE)
            .into_iter()
            .filter(|target| !before.contains(&(target.role, target.label.clone())))
            .collect();
        match self.pick(&new) {
            Some(item) => {
                self.click(&item);
                format!("open {} → {}", opener.describe(), item.describe())
            }
            None => format!("open {} (nothing new)", opener.describe()),
        }
    }

    pub(crate) fn press_random_key(&mut self) -> String {
        let (modifiers, key) = self.pick(KEYS).unwrap_or((Modifiers::NONE, Key::Space));
        let times = if self.rng.random_bool(0.1) {
            self.rng.random_range(2..30)
        } else {
            1
        };
        for _ in 0..times {
            self.harness.key_press_modifiers(modifiers, key);
        }
        self.harness.step();
        format!("key {modifiers:?} {key:?} ×{times}")
    }

    pub(crate) fn type_into_random_field(&mut self) -> String {
        let fields = targets(&self.harness, TYPABLE);
        let Some(field) = self.pick(&fields) else {
            return "type: no field".to_owned();
        };
        let is_path = self.app().path_field_text().is_some() && field.role == Role::TextInput;
        let text = if is_path && self.rng.random_bool(0.5) {
            let path = self.pick(&self.files.data.clone()).unwrap_or_default();
            path.display().to_string()
        } else {
            self.random_text()
        };
        if self.rng.random_bool(0.8) {
            self.pointer_click(field.rect.center(), PointerButton::Primary, Modifiers::NONE);
        } else {
            self.accesskit(&field, accesskit::Action::Focus, None);
        }
        self.step(1);
        if self.rng.random_bool(0.8) {
            self.press(Modifiers::COMMAND, Key::A);
        }
        self.harness.event(Event::Text(text.clone()));
        self.harness.step();
        let end = match self.rng.random_range(0..5) {
            0 | 1 => {
                self.press(Modifiers::NONE, Key::Enter);
                "Enter"
            }
            2 => {
                self.press(Modifiers::NONE, Key::Tab);
                "Tab"
            }
            3 => {
                self.press(Modifiers::NONE, Key::Escape);
                "Esc"
            }
            _ => "stays focused",
        };
        format!("type {text:?} into {} then {end}", field.describe())
    }

    pub(crate) fn set_random_value(&mut self) -> String {
        let widgets = targets(&self.harness, VALUED);
        let Some(widget) = self.pick(&widgets) else {
            return "value: no slider".to_owned();
        };
        match self.rng.random_range(0..4) {
            0 | 1 => {
                let value = self.random_value();
                self.accesskit(
                    &widget,
                    accesskit::Action::SetValue,
                    Some(accesskit::ActionData::NumericValue(value)),
                );
                format!("set {} to {value}", widget.describe())
            }
            2 => {
                let times = self.rng.random_range(1..50);
                let action = if self.rng.random_bool(0.5) {
                    accesskit::Action::Increment
                } else {
                    accesskit::Action::Decrement
                };
                for _ in 0..times {
                    self.harness
                        .event(Event::AccessKitActionRequest(accesskit::ActionRequest {
                            action,
                            target_tree: widget.node.1,
                            target_node: widget.node.0,
                            data: None,
                        }));
                }
                self.harness.step();
                format!("{action:?} {} ×{times}", widget.describe())
            }
            _ => {
                // Grab the widget and fling it past both ends, as a hand does.
                let from = widget.rect.center();
                let to = pos2(
                    from.x + self.rng.random_range(-3000.0..3000.0),
                    from.y + self.rng.random_range(-300.0..300.0),
                );
                self.drag(from, to, PointerButton::Primary, Modifiers::NONE);
                format!("drag {} to {to:?}", widget.describe())
            }
        }
    }

    pub(crate) fn gesture_on_a_plot(&mut self) -> String {
        let layout = self.app().layout().clone();
        let areas: Vec<(&str, Rect)> = [
            ("fit plot", layout.fit_plot),
            ("loss plot", layout.loss_plot),
            ("diagram", layout.diagram),
            ("settings panel", layout.settings_panel),
        ]
        .into_iter()
        .filter_map(|(name, rect)| rect.map(|rect| (name, rect)))
        .collect();
        let Some((name, area)) = self.pick(&areas) else {
            return "plot: none drawn".to_owned();
        };
        match self.rng.random_range(0..9) {
            0 | 1 => {
                let from = self.random_point(area);
                let to = self.random_point(area.expand(200.0));
                self.drag(from, to, PointerButton::Primary, Modifiers::NONE);
                format!("drag on the {name} {from:?} → {to:?}")
            }
            2 => {
                let from = self.random_point(area);
                let to = self.random_point(area);
                self.drag(from, to, PointerButton::Secondary, Modifiers::NONE);
                format!("right-drag on the {name} {from:?} → {to:?}")
            }
            3 => {
                let at = self.random_point(area);
                let modifiers = *[Modifiers::NONE, Modifiers::COMMAND, Modifiers::SHIFT]
                    .choose(&mut self.rng)
                    .unwrap_or(&Modifiers::NONE);
                let delta = self.wheel(at, modifiers);
                format!("wheel {delta:?} {modifiers:?} on the {name}")
            }
            4 => {
                let at = self.random_point(area);
                self.pointer_click(at, PointerButton::Primary, Modifiers::NONE);
                self.pointer_click(at, PointerButton::Primary, Modifiers::NONE);
                format!("double click on the {name} at {at:?}")
            }
            // The points as the last frame placed them: a plot squeezed to no width (a window
            // zoomed in past the settings panel) places them nowhere, at infinity.
            5 => match layout
                .sample_data_point
                .filter(|(_, at)| self.window().contains(*at))
            {
                Some((_, at)) => {
                    self.pointer_click(at, PointerButton::Primary, Modifiers::NONE);
                    format!("click the data point at {at:?}")
                }
                None => "click a data point: none on screen".to_owned(),
            },
            6 => match self
                .pick(&layout.diagram_nodes)
                .filter(|(_, at)| at.is_finite())
            {
                Some((node, at)) => {
                    self.pointer_click(at, PointerButton::Primary, Modifiers::NONE);
                    format!("click diagram node {node:?}")
                }
                None => "click a diagram node: none drawn".to_owned(),
            },
            7 => {
                // The settings panel's edge, dragged as far as it goes either way.
                let edge = layout
                    .settings_panel
                    .map_or(area.left_center(), |panel| panel.right_center());
                let to = pos2(edge.x + self.rng.random_range(-2000.0..2000.0), edge.y);
                self.drag(edge, to, PointerButton::Primary, Modifiers::NONE);
                format!("drag the settings panel's edge to {to:?}")
            }
            _ => {
                let at = self.random_point(area);
                self.harness.event(Event::PointerMoved(at));
                self.harness.step();
                format!("hover the {name} at {at:?}")
            }
        }
    }

    /// Opens the path window for `purpose`, the way a person might.
    pub(crate) fn open_path_window(&mut self, openers: &[(Option<&str>, &str)]) -> String {
        let (menu, item) = self.pick(openers).unwrap_or((None, "Open CSV…"));
        match (menu, item) {
            (None, "Ctrl+O") => self.press(Modifiers::COMMAND, Key::O),
            (None, "Ctrl+S") => self.press(Modifiers::COMMAND, Key::S),
            (None, label) => {
                self.click_label(label);
            }
            (Some(menu), label) => {
                self.click_label(menu);
                self.click_label(label);
            }
        }
        self.step(2);
        match menu {
            Some(menu) => format!("{menu} → {item}"),
            None => item.to_owned(),
        }
    }

    /// Types `path` into the open path window, then confirms, cancels or leaves it.
    pub(crate) fn enter_path(&mut self, path: &Path) -> &'static str {
        if self.app().path_field_text().is_none() {
            return "no path window";
        }
        self.press(Modifiers::COMMAND, Key::A);
        self.harness.event(Event::Text(path.display().to_string()));
        self.harness.step();
        let confirm = ["Open", "Save", "Load", "Export"];
        match self.rng.random_range(0..10) {
            0..=4 => {
                self.press(Modifiers::NONE, Key::Enter);
                self.step(1);
                // A save over an existing file asks first; say yes most of the time.
                if self.rng.random_bool(0.7) && self.click_label("Replace") {
                    return "Enter, Replace";
                }
                "Enter"
            }
            5..=7 => {
                for label in confirm {
                    if self.click_label(label) {
                        break;
                    }
                }
                "confirm button"
            }
            8 => {
                self.click_label("Cancel");
                "Cancel"
            }
            _ => "left open",
        }
    }

    pub(crate) fn open_a_data_file(&mut self) -> String {
        let path = self.pick(&self.files.data.clone()).unwrap_or_default();
        if self.rng.random_bool(0.35) {
            // Dragged over the window (the hint shows), then dropped.
            self.harness
                .input_mut()
                .hovered_files
                .push(egui::HoveredFile {
                    path: Some(path.clone()),
                    mime: String::new(),
                });
            self.harness.step();
            self.harness.input_mut().hovered_files.clear();
            if self.rng.random_bool(0.1) {
                self.harness.step();
                return format!("drag {} over the window and away", path.display());
            }
            let dropped: egui::DroppedFileHandle = Arc::new(DroppedPath(path.clone()));
            self.harness.input_mut().dropped_files.push(dropped);
            self.harness.step();
            return format!("drop {}", path.display());
        }
        let how = self.open_path_window(&[
            (None, "Ctrl+O"),
            (None, "Open CSV…"),
            (Some("File"), "Open CSV…"),
            (Some("File"), "Open CSV by path…"),
        ]);
        let end = self.enter_path(&path);
        format!("{how}: {} then {end}", path.display())
    }

    pub(crate) fn save_or_load_weights(&mut self) -> String {
        if self.rng.random_bool(0.5) {
            let how = self.open_path_window(&[
                (None, "Ctrl+S"),
                (None, "Save weights…"),
                (Some("File"), "Save weights…"),
                (Some("File"), "Save weights to path…"),
            ]);
            if self.rng.random_bool(0.2) {
                // The proposed name, in the working folder (the temporary folder).
                self.press(Modifiers::NONE, Key::Enter);
                return format!("{how}: the proposed path");
            }
            let path = self
                .pick(&self.files.save_targets.clone())
                .unwrap_or_default();
            let end = self.enter_path(&path);
            format!("{how}: {} then {end}", path.display())
        } else {
            let how = self.open_path_window(&[
                (None, "Load weights…"),
                (Some("File"), "Load weights…"),
                (Some("File"), "Load weights from path…"),
            ]);
            let path = self.pick(&self.files.weights.clone()).unwrap_or_default();
            let end = self.enter_path(&path);
            format!("{how}: {} then {end}", path.display())
        }
    }

    pub(crate) fn change_layers(&mut self) -> String {
        match self.rng.random_range(0..4) {
            0 => format!("Add layer: {}", self.click_label("Add layer")),
            1 => {
                let removes: Vec<Target> = targets(&self.harness, &[Role::Button])
                    .into_iter()
                    .filter(|target| target.label == "Remove")
                    .collect();
                match self.pick(&removes) {
                    Some(remove) => {
                        self.click(&remove);
                        "Remove a layer".to_owned()
                    }
                    None => "Remove: no layer".to_owned(),
                }
            }
            _ => {
                let layers: Vec<Target> = targets(&self.harness, &[Role::SpinButton])
                    .into_iter()
                    .filter(|target| target.label.starts_with("Layer "))
                    .collect();
                let Some(layer) = self.pick(&layers) else {
                    return "units: no layer".to_owned();
                };
                let value = if self.rng.random_bool(0.5) {
                    self.rng.random_range(-10.0..1000.0f64).round()
                } else {
                    self.random_value()
                };
                self.accesskit(
                    &layer,
                    accesskit::Action::SetValue,
                    Some(accesskit::ActionData::NumericValue(value)),
                );
                format!("set {} to {value}", layer.describe())
            }
        }
    }

    pub(crate) fn training_control(&mut self) -> String {
        let choices = [
            "Train",
            "Pause",
            "Step",
            "Step batch",
            "Reset",
            "Space",
            ".",
            ",",
            "Ctrl+R",
        ];
        let choice = self.pick(&choices).unwrap_or("Space");
        match choice {
            "Space" => self.press(Modifiers::NONE, Key::Space),
            "." => self.press(Modifiers::NONE, Key::Period),
            "," => self.press(Modifiers::NONE, Key::Comma),
            "Ctrl+R" => self.press(Modifiers::COMMAND, Key::R),
            label => {
                self.click_label(label);
            }
        }
        choice.to_owned()
    }

    pub(crate) fn switch_optimizer_or_activation(&mut self) -> String {
        if self.rng.random_bool(0.5) {
            let label = self.pick(&["SGD", "Adam"]).unwrap_or("SGD");
            format!("{label}: {}", self.click_label(label))
        } else {
            let Some(combo) = find(&self.harness, "Activation", &[Role::ComboBox]) else {
                return "activation: no combo".to_owned();
            };
            self.click(&combo);
            self.step(2);
            let choices: Vec<String> = nanograd::nn::Activation::ALL
                .iter()
                .map(ToString::to_string)
                .collect();
            let choice = self.pick(&choices).unwrap_or_default();
            format!("activation {choice}: {}", self.click_label(&choice))
        }
    }

    pub(crate) fn open_a_window(&mut self) -> String {
        let (menu, item) = self.pick(MENU_WINDOWS).unwrap_or(("Help", "Keys"));
        self.click_label(menu);
        let clicked = self.click_label(item);
        format!("{menu} → {item}: {clicked}")
    }

    pub(crate) fn resize(&mut self) -> String {
        // From the window's minimum size (800 × 520 pixels) to a large screen, in points at the
        // zoom of the moment (the View menu's text size, or egui's Ctrl + Plus).
        let pixels = vec2(
            self.rng.random_range(800.0..2560.0),
            self.rng.random_range(520.0..1600.0),
        );
        let size = pixels / self.harness.ctx.zoom_factor();
        self.harness.set_size(size);
        self.harness.step();
        format!("resize to {pixels:?} pixels, {size:?} points")
    }

    pub(crate) fn wait(&mut self) -> String {
        let duration = Duration::from_millis(self.rng.random_range(0..400));
        let start = Instant::now();
        while start.elapsed() < duration {
            self.harness.step();
            std::thread::sleep(Duration::from_millis(10));
        }
        format!("wait {duration:?}")
    }

    pub(crate) fn random_action(&mut self) -> String {
        match self.rng.random_range(0..100) {
            0..=27 => self.click_random_widget(),
            28..=35 => self.click_into_popup(),
            36..=45 => self.press_random_key(),
            46..=55 => self.type_into_random_field(),
            56..=62 => self.set_random_value(),
            63..=69 => self.gesture_on_a_plot(),
            70..=75 => self.open_a_data_file(),
            76..=78 => self.save_or_load_weights(),
            79..=83 => self.change_layers(),
            84..=88 => self.training_control(),
            89..=91 => self.switch_optimizer_or_activation(),
            92..=94 => self.open_a_window(),
            95..=96 => self.resize(),
            _ => self.wait(),
        }
    }
}

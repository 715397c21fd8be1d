//! The monkey: thousands of seeded random actions on the real app (clicks on every enabled
//! widget, the app's shortcuts, numbers and garbage typed into fields, values set through
//! AccessKit as assistive technology sets them, drags and wheels on the plots, good and bad
//! files opened through the path window and by drag and drop, weights saved and loaded, window
//! resizes) with no panic on any thread, the settings always within the ranges the app
//! enforces, the worker alive at the end and memory bounded.
//!
//! `NANOGRAD_MONKEY_SEED` picks the seed (printed at the start) and `NANOGRAD_MONKEY_ACTIONS` the
//! number of actions (2,000). The seed fixes the monkey's choices, but the worker's timing
//! changes what is on screen (a Pause button instead of Train, a message that pushes the plots
//! down), so a run replays approximately; the log of the last actions, printed when the test
//! fails, is the exact record (`NANOGRAD_MONKEY_VERBOSE=1` prints every action as it goes).
//!
//! Nothing opens a native file dialog: the app is built with `use_native_dialogs: false`, as in
//! every UI test, so Open CSV…, Save weights…, Load weights… and Export CSV… open the app's own
//! path window, which the monkey types paths into. The one widget left out is File → Quit
//! (see [`EXCLUDED`]). The process works in a temporary folder, since the path window proposes
//! the working folder for saved weights and exported history.

mod common;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use common::{temp_dir, test_settings};
use egui::accesskit::{self, Role};
use egui::{Event, Key, Modifiers, PointerButton, Pos2, Rect, pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT, Queryable};
use nanograd::app::{AppOptions, NanogradApp};
use rand::rngs::ChaCha8Rng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};

const DEFAULT_SEED: u64 = 20_140_614;
const DEFAULT_ACTIONS: usize = 2_000;
/// Actions before the first memory reading: by then the app has met most of its windows, data
/// sets and network sizes, so what it holds after that is what it keeps, not what it needs.
const WARM_UP_ACTIONS: usize = 200;
/// The most the resident memory may grow between the warm-up and the end. What the app may
/// legitimately keep growing into after the warm-up is bounded: the run history keeps at most 50
/// runs, each with its weights (at most 8 × 256 units, 1.8 MB) and loss curve, about 100 MB in
/// all; the largest data set it can be given here (a 100,000-point synthetic set) is a few MB,
/// and the allocator keeps some freed memory per thread. A leak of 150 kB per action (a
/// snapshot, a table or a texture kept per click) passes this over the 1,800 actions after the
/// warm-up and fails.
const MAX_GROWTH_MB: f64 = 250.0;
/// Resident memory at which the watchdog stops the test, before an allocation that runs away
/// takes the machine's memory (and the test with it, killed with nothing said): ten times what
/// the app needs at most.
const MAX_RESIDENT_MB: f64 = 3000.0;
/// How long one action may take before the watchdog calls it a hang.
const HANG: Duration = Duration::from_secs(120);
const LOG_TAIL: usize = 25;
const WORKER_DIED: &str = "The training thread stopped unexpectedly";

/// Left out of the random clicks, and why.
/// - "Quit" closes the window: in the desktop app that ends the process, and in the harness the
///   close command is ignored, so it would test nothing. Closing mid-training is tested by
///   `closing_the_window_keeps_the_run_in_training_in_the_history` (ui_experiments.rs).
const EXCLUDED: &[&str] = &["Quit"];

/// What a person can click, toggle or open.
const CLICKABLE: &[Role] = &[
    Role::Button,
    Role::DefaultButton,
    Role::CheckBox,
    Role::RadioButton,
    Role::Switch,
    Role::ComboBox,
    Role::MenuItem,
    Role::MenuItemCheckBox,
    Role::MenuItemRadio,
    Role::MenuListOption,
    Role::ListBoxOption,
    Role::Tab,
    Role::Link,
    Role::DisclosureTriangle,
    Role::SpinButton,
    Role::Slider,
];
const TYPABLE: &[Role] = &[Role::TextInput, Role::MultilineTextInput, Role::SpinButton];
const VALUED: &[Role] = &[Role::Slider, Role::SpinButton, Role::Splitter];

/// Numbers and not-quite-numbers typed into number boxes and fields.
const TEXTS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1",
    "0.5",
    "2",
    "1e30",
    "-1e30",
    "1e300",
    "1e-30",
    "1e-300",
    "3.5e38",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "infinity",
    "255",
    "256",
    "257",
    "4096",
    "4097",
    "100000",
    "1000000000",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999",
    "0.999999",
    "1.0000001",
    "",
    " ",
    "abc",
    "1,5",
    "1.2.3",
    "--1",
    "0x10",
    "½",
    "٣",
    "😀",
    "1e",
    ".",
    "-",
    "+5",
    "  42  ",
    "1 000",
    "none",
    "16,16",
    "4096,4096",
    "300,300",
    "256,256,256,256,256,256,256,256",
    "1,1,1,1,1,1,1,1,1",
    "0,0",
    "16,,16",
    " 8 , 8 ",
    "a,b",
    "1000000,1000000",
    "~/",
    "/",
    "\\\\?\\C:\\",
];

/// Numbers set through AccessKit, as a screen reader or an automation tool sets them.
const VALUES: &[f64] = &[
    0.0,
    -0.0,
    -1.0,
    1.0,
    0.5,
    1e30,
    -1e30,
    1e300,
    -1e300,
    1e-30,
    f64::MAX,
    f64::MIN,
    f64::MIN_POSITIVE,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    256.0,
    4096.0,
    1e9,
    18_446_744_073_709_551_615.0,
];

/// Keys and shortcuts: the app's own, the ones egui gives every app, and stray ones.
const KEYS: &[(Modifiers, Key)] = &[
    (Modifiers::NONE, Key::Space),
    (Modifiers::NONE, Key::Period),
    (Modifiers::NONE, Key::Comma),
    (Modifiers::NONE, Key::F5),
    (Modifiers::COMMAND, Key::R),
    (Modifiers::COMMAND, Key::O),
    (Modifiers::COMMAND, Key::S),
    (Modifiers::COMMAND, Key::A),
    (Modifiers::COMMAND, Key::Z),
    (Modifiers::COMMAND, Key::Plus),
    (Modifiers::COMMAND, Key::Minus),
    (Modifiers::COMMAND, Key::Num0),
    (Modifiers::NONE, Key::Escape),
    (Modifiers::NONE, Key::Enter),
    (Modifiers::NONE, Key::Tab),
    (Modifiers::SHIFT, Key::Tab),
    (Modifiers::NONE, Key::ArrowUp),
    (Modifiers::NONE, Key::ArrowDown),
    (Modifiers::NONE, Key::ArrowLeft),
    (Modifiers::NONE, Key::ArrowRight),
    (Modifiers::NONE, Key::Home),
    (Modifiers::NONE, Key::End),
    (Modifiers::NONE, Key::PageUp),
    (Modifiers::NONE, Key::PageDown),
    (Modifiers::NONE, Key::Backspace),
    (Modifiers::NONE, Key::Delete),
    (Modifiers::NONE, Key::F1),
    (Modifiers::SHIFT, Key::Space),
    (Modifiers::COMMAND, Key::Period),
];

/// Windows reached through the menu bar: the menu, then its item.
const MENU_WINDOWS: &[(&str, &str)] = &[
    ("Training", "Compare runs…"),
    ("Training", "Run history…"),
    ("Training", "Verify the engine…"),
    ("Training", "Stop & keep current weights"),
    ("View", "Computation graph…"),
    ("View", "Hidden units on the fit plot"),
    ("View", "Network diagram"),
    ("View", "Settings panel"),
    ("View", "Projector view"),
    ("View", "Dark theme"),
    ("View", "Log-scale loss"),
    ("View", "Larger text"),
    ("View", "Smaller text"),
    ("View", "Default text size"),
    ("Help", "Keys"),
];

/// Every panic on any thread (the worker, the loader, a check), so that one on a helper thread
/// fails the test too, instead of only printing.
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn record_panics_on_every_thread() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_owned();
        lock(&PANICS).push(format!("thread {thread}: {info}"));
        default(info);
    }));
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a number")),
        Err(_) => default,
    }
}

/// Resident memory of this process, in MB (Linux).
fn resident_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The actions done so far, for the report on failure.
struct Log {
    seed: u64,
    count: usize,
    tail: VecDeque<String>,
}

impl Log {
    fn report(&self) -> String {
        let mut text = format!(
            "monkey seed {} (replay with NANOGRAD_MONKEY_SEED={}); the last {} of {} actions:\n",
            self.seed,
            self.seed,
            self.tail.len(),
            self.count
        );
        let first = self.count - self.tail.len();
        for (index, action) in self.tail.iter().enumerate() {
            text.push_str(&format!("  #{}: {action}\n", first + index + 1));
        }
        text
    }
}

/// Prints the log when the test fails, whatever fails it.
struct ReportOnPanic(Arc<Mutex<Log>>);

impl Drop for ReportOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}", lock(&self.0).report());
        }
    }
}

/// Aborts with the log when one action takes longer than [`HANG`] (a hang would otherwise
/// block the test run with nothing said), or memory runs away past [`MAX_RESIDENT_MB`].
struct Watchdog {
    last_progress: Arc<AtomicU64>,
    is_done: Arc<AtomicBool>,
    start: Instant,
}

impl Watchdog {
    fn start(log: Arc<Mutex<Log>>) -> Self {
        let last_progress = Arc::new(AtomicU64::new(0));
        let is_done = Arc::new(AtomicBool::new(false));
        let start = Instant::now();
        let (progress, done) = (Arc::clone(&last_progress), Arc::clone(&is_done));
        std::thread::Builder::new()
            .name("monkey-watchdog".to_owned())
            .spawn(move || {
                while !done.load(Ordering::Acquire) {
                    std::thread::sleep(Duration::from_millis(100));
                    let since = start.elapsed().as_secs() - progress.load(Ordering::Acquire);
                    if since > HANG.as_secs() && !done.load(Ordering::Acquire) {
                        eprintln!("HANG: no progress for {since} s\n{}", lock(&log).report());
                        std::process::abort();
                    }
                    if let Some(resident) = resident_mb().filter(|&mb| mb > MAX_RESIDENT_MB) {
                        eprintln!(
                            "MEMORY: {resident:.0} MB resident, over {MAX_RESIDENT_MB} MB\n{}",
                            lock(&log).report()
                        );
                        std::process::abort();
                    }
                }
            })
            .expect("start the watchdog");
        Self {
            last_progress,
            is_done,
            start,
        }
    }

    fn progress(&self) {
        self.last_progress
            .store(self.start.elapsed().as_secs(), Ordering::Release);
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.is_done.store(true, Ordering::Release);
    }
}

/// A file dropped onto the window, as eframe hands it over.
#[derive(Debug)]
struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|err| err.to_string())
    }
}

/// The files the monkey opens: good data, bad data, weights, and places to save to.
struct Files {
    dir: PathBuf,
    data: Vec<PathBuf>,
    weights: Vec<PathBuf>,
    save_targets: Vec<PathBuf>,
}

impl Files {
    fn new(rng: &mut ChaCha8Rng) -> Self {
        let dir = temp_dir("monkey");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        // Copies: the monkey may save weights over any file it can open, as a person may.
        let mut data = Vec::new();
        for folder in ["assets/data", "tests/data"] {
            let copies = dir.join(folder);
            std::fs::create_dir_all(&copies).expect("a folder for the copies");
            let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(folder))
                .expect("the data folder")
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext != "md"))
                .filter_map(|path| {
                    let copy = copies.join(path.file_name()?);
                    std::fs::copy(&path, &copy).ok().map(|_| copy)
                })
                .collect();
            files.sort();
            data.extend(files);
        }
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).expect("write a test file");
            path
        };
        let mut noise = vec![0u8; 4096];
        rng.fill(&mut noise[..]);
        data.push(write("noise.csv", &noise));
        data.push(write("empty.csv", b""));
        data.push(write("header_only.csv", b"x,y\n"));
        data.push(write(
            "huge_numbers.csv",
            b"x,y\n1e300,1e308\n-1e308,1e300\n3.5e38,-3.5e38\n1e38,1e38\n-1e38,2e38\n0,1e-320\n",
        ));
        data.push(write(
            "tiny_numbers.csv",
            b"x,y\n1e-45,1e-44\n2e-45,3e-44\n3e-45,1e-40\n4e-45,0\n",
        ));
        data.push(write("one_column.csv", b"x\n1\n2\n3\n"));
        data.push(write("same_x.csv", b"x,y\n1,1\n1,2\n1,3\n1,4\n"));
        let mut many_rows = String::from("a,b,c\n");
        for row in 0..20_000u32 {
            let x = f64::from(row) * 0.001;
            many_rows.push_str(&format!("{x},{},{}\n", x.sin(), row % 7));
        }
        data.push(write("many_rows.csv", many_rows.as_bytes()));
        let mut wide = (0..200)
            .map(|c| format!("c{c}"))
            .collect::<Vec<_>>()
            .join(",");
        wide.push('\n');
        for row in 0..30 {
            let values: Vec<String> = (0..200).map(|c| (row * c % 17).to_string()).collect();
            wide.push_str(&values.join(","));
            wide.push('\n');
        }
        data.push(write("wide.csv", wide.as_bytes()));
        data.push(dir.join("missing.csv"));
        data.push(dir.clone());
        data.push(dir.join("no folder").join("data.csv"));

        let weights_one = dir.join("seattle.safetensors");
        trained_model_on_the_default_data()
            .save(&weights_one)
            .expect("save weights");
        let weights_two = dir.join("cars.safetensors");
        trained_model_on_two_inputs()
            .save(&weights_two)
            .expect("save weights");
        let bytes = std::fs::read(&weights_one).expect("read weights");
        let truncated = write("truncated.safetensors", &bytes[..bytes.len() / 2]);
        let mut flipped = bytes.clone();
        for index in (0..flipped.len()).step_by(97) {
            flipped[index] ^= 0x5a;
        }
        let flipped = write("flipped.safetensors", &flipped);
        // Weights offered as data and data offered as weights.
        data.push(weights_one.clone());
        let weights = vec![
            weights_one,
            weights_two,
            truncated,
            flipped,
            dir.join("assets/data/anscombe_quartet.csv"),
            dir.join("missing.safetensors"),
            dir.clone(),
        ];
        // A folder as the name to save to (the weights then go beside it, with the extension).
        let folder = dir.join("a folder");
        std::fs::create_dir_all(&folder).expect("a folder");
        let save_targets = vec![
            dir.join("saved.safetensors"),
            dir.join("saved"),
            dir.join("noise.csv"),
            dir.join("no folder").join("saved.safetensors"),
            folder,
            dir.join("ünïcödé wéights.safetensors"),
        ];
        Self {
            dir,
            data,
            weights,
            save_targets,
        }
    }
}

fn trained_model_on_the_default_data() -> nanograd::train::Model {
    let (data, _) = nanograd::data::default_dataset().expect("the default data");
    train_a_little(&data)
}

fn trained_model_on_two_inputs() -> nanograd::train::Model {
    use nanograd::data::ColumnRef;
    let table = nanograd::data::load_sample("cars_mpg").expect("a sample");
    let x = [
        ColumnRef::from("Horsepower"),
        ColumnRef::from("Weight_in_lbs"),
    ];
    let (data, _) = table
        .select(&x, &ColumnRef::from("Miles_per_Gallon"))
        .expect("columns");
    train_a_little(&data)
}

fn train_a_little(data: &nanograd::data::Dataset) -> nanograd::train::Model {
    let config = nanograd::train::TrainConfig {
        hidden_sizes: vec![8],
        ..nanograd::train::TrainConfig::default()
    };
    let mut trainer = nanograd::train::Trainer::new(data, &config).expect("a trainer");
    trainer.run_epoch().expect("an epoch");
    trainer.model()
}

/// The app as `common::sized_harness` builds it at 1280 × 800 pixels, except for characters the
/// fonts lack: the monkey types any character, the app draws one it has no glyph for as a box
/// (egui's default), and the harness would panic on it instead (its policy for text the app
/// itself writes, which the other UI tests keep).
fn monkey_harness() -> Harness<'static, NanogradApp> {
    let settings = test_settings();
    let zoom = settings.view.zoom;
    Harness::builder()
        .with_size(vec2(1280.0, 800.0) / zoom)
        .allow_missing_glyphs()
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

/// A widget found in the accessibility tree, owned so that the harness can step after.
#[derive(Clone, Debug)]
struct Target {
    role: Role,
    label: String,
    rect: Rect,
    node: (accesskit::NodeId, accesskit::TreeId),
    is_checked: bool,
    is_collapsed: bool,
}

impl Target {
    fn describe(&self) -> String {
        format!("{:?} {:?}", self.role, self.label)
    }
}

fn targets(harness: &Harness<'_, NanogradApp>, roles: &[Role]) -> Vec<Target> {
    let ppp = harness.ctx.pixels_per_point();
    harness
        .query_all(By::new().predicate(|node| {
            roles.contains(&node.role()) && !node.is_disabled() && !node.is_hidden()
        }))
        .filter_map(|node| {
            let node = node.accesskit_node();
            let bounds = node.bounding_box()?;
            let label = node.label().or_else(|| node.value()).unwrap_or_default();
            Some(Target {
                role: node.role(),
                rect: Rect::from_min_max(
                    pos2(bounds.x0 as f32 / ppp, bounds.y0 as f32 / ppp),
                    pos2(bounds.x1 as f32 / ppp, bounds.y1 as f32 / ppp),
                ),
                label,
                node: node.locate(),
                is_checked: node.toggled() == Some(accesskit::Toggled::True),
                is_collapsed: node.data().is_expanded() == Some(false),
            })
        })
        .filter(|target| !EXCLUDED.contains(&target.label.as_str()))
        .collect()
}

fn find(harness: &Harness<'_, NanogradApp>, label: &str, roles: &[Role]) -> Option<Target> {
    targets(harness, roles)
        .into_iter()
        .find(|target| target.label == label)
}

struct Monkey {
    harness: Harness<'static, NanogradApp>,
    rng: ChaCha8Rng,
    files: Files,
    log: Arc<Mutex<Log>>,
    /// Print every action as it is done (`NANOGRAD_MONKEY_VERBOSE=1`).
    is_verbose: bool,
}

impl Monkey {
    fn note(&self, action: String) {
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

    fn app(&self) -> &NanogradApp {
        self.harness.state()
    }

    fn window(&self) -> Rect {
        self.app()
            .layout()
            .window
            .unwrap_or(Rect::from_min_size(Pos2::ZERO, vec2(800.0, 600.0)))
    }

    fn random_point(&mut self, rect: Rect) -> Pos2 {
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

    fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
        items.choose(&mut self.rng).cloned()
    }

    fn step(&mut self, frames: usize) {
        for _ in 0..frames {
            self.harness.step();
        }
    }

    fn press(&mut self, modifiers: Modifiers, key: Key) {
        self.harness.key_press_modifiers(modifiers, key);
        self.harness.step();
    }

    fn pointer_click(&mut self, pos: Pos2, button: PointerButton, modifiers: Modifiers) {
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

    fn accesskit(
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
    fn click(&mut self, target: &Target) {
        let center = target.rect.center();
        if self.window().contains(center) {
            self.pointer_click(center, PointerButton::Primary, Modifiers::NONE);
        } else {
            self.accesskit(target, accesskit::Action::Click, None);
        }
    }

    /// Clicks the widget labelled `label`, if there is one; says whether there was.
    fn click_label(&mut self, label: &str) -> bool {
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
    fn press_button(&mut self, label: &str) -> bool {
        match find(&self.harness, label, &[Role::Button, Role::CheckBox]) {
            Some(target) => {
                self.accesskit(&target, accesskit::Action::Click, None);
                self.step(2);
                true
            }
            None => false,
        }
    }

    fn random_text(&mut self) -> String {
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

    fn random_value(&mut self) -> f64 {
        if self.rng.random_bool(0.25) {
            let exponent = self.rng.random_range(-12..12);
            let sign = if self.rng.random_bool(0.5) { -1.0 } else { 1.0 };
            sign * self.rng.random::<f64>() * 10f64.powi(exponent)
        } else {
            self.pick(VALUES).unwrap_or(0.0)
        }
    }

    // ----------------------------------------------------------------------------------------
    // The actions. Each says what it did; the caller logs it.

    fn click_random_widget(&mut self) -> String {
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
    fn click_into_popup(&mut self) -> String {
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

    fn press_random_key(&mut self) -> String {
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

    fn type_into_random_field(&mut self) -> String {
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

    fn set_random_value(&mut self) -> String {
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

    fn drag(&mut self, from: Pos2, to: Pos2, button: PointerButton, modifiers: Modifiers) {
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

    fn wheel(&mut self, at: Pos2, modifiers: Modifiers) -> egui::Vec2 {
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

    fn gesture_on_a_plot(&mut self) -> String {
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
    fn open_path_window(&mut self, openers: &[(Option<&str>, &str)]) -> String {
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
    fn enter_path(&mut self, path: &Path) -> &'static str {
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

    fn open_a_data_file(&mut self) -> String {
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

    fn save_or_load_weights(&mut self) -> String {
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

    fn change_layers(&mut self) -> String {
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

    fn training_control(&mut self) -> String {
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

    fn switch_optimizer_or_activation(&mut self) -> String {
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

    fn open_a_window(&mut self) -> String {
        let (menu, item) = self.pick(MENU_WINDOWS).unwrap_or(("Help", "Keys"));
        self.click_label(menu);
        let clicked = self.click_label(item);
        format!("{menu} → {item}: {clicked}")
    }

    fn resize(&mut self) -> String {
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

    fn wait(&mut self) -> String {
        let duration = Duration::from_millis(self.rng.random_range(0..400));
        let start = Instant::now();
        while start.elapsed() < duration {
            self.harness.step();
            std::thread::sleep(Duration::from_millis(10));
        }
        format!("wait {duration:?}")
    }

    fn random_action(&mut self) -> String {
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

    /// What must hold after every action.
    fn check(&self, action: &str) {
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
    fn train_from_a_known_good_state(&mut self) {
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

    fn wait_for(&mut self, what: &str, mut condition: impl FnMut(&NanogradApp) -> bool) {
        let start = Instant::now();
        while !condition(self.app()) {
            assert!(
                start.elapsed() < common::TIMEOUT,
                "timed out waiting for {what}: notices {:?}",
                self.app().notices()
            );
            self.harness.step();
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

#[test]
fn two_thousand_random_actions_leave_the_app_working() {
    record_panics_on_every_thread();
    let seed = env_number("NANOGRAD_MONKEY_SEED", DEFAULT_SEED);
    let actions = env_number("NANOGRAD_MONKEY_ACTIONS", DEFAULT_ACTIONS);
    println!(
        "monkey: seed {seed}, {actions} actions (NANOGRAD_MONKEY_SEED, NANOGRAD_MONKEY_ACTIONS)"
    );
    let log = Arc::new(Mutex::new(Log {
        seed,
        count: 0,
        tail: VecDeque::new(),
    }));
    let _report = ReportOnPanic(Arc::clone(&log));
    let watchdog = Watchdog::start(Arc::clone(&log));

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let files = Files::new(&mut rng);
    // The path window proposes the working folder for saved weights and the exported history.
    std::env::set_current_dir(&files.dir).expect("work in the temporary folder");
    let harness = monkey_harness();
    let mut monkey = Monkey {
        harness,
        rng,
        files,
        log: Arc::clone(&log),
        is_verbose: std::env::var_os("NANOGRAD_MONKEY_VERBOSE").is_some(),
    };
    monkey.step(2);

    let start = Instant::now();
    let warm_up = WARM_UP_ACTIONS.min(actions / 10);
    let mut warm_memory = None;
    for index in 0..actions {
        let action = monkey.random_action();
        monkey.note(action.clone());
        let frames = monkey.rng.random_range(1..=3);
        monkey.step(frames);
        monkey.check(&action);
        watchdog.progress();
        if index + 1 == warm_up {
            warm_memory = resident_mb();
        }
    }
    let elapsed = start.elapsed();
    monkey.note("known good state, then train".to_owned());
    monkey.train_from_a_known_good_state();
    let end_memory = resident_mb();
    println!(
        "monkey: {actions} actions in {:.1} s; resident memory {warm_memory:?} MB after {warm_up} \
         actions, {end_memory:?} MB at the end",
        elapsed.as_secs_f64()
    );
    if let (Some(warm), Some(end)) = (warm_memory, end_memory) {
        assert!(
            end - warm < MAX_GROWTH_MB,
            "resident memory grew by {:.0} MB after the warm-up ({warm:.0} → {end:.0} MB)",
            end - warm
        );
    }
    let _ = std::fs::remove_dir_all(&monkey.files.dir);
}

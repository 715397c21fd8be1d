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

#[path = "../common/mod.rs"]
mod common;

mod actions;
mod checks;
mod files;
mod guard;
mod monkey;
mod vocabulary;
mod widgets;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use common::test_settings;
use egui::vec2;
use egui_kittest::Harness;
use nanograd::app::{AppOptions, NanogradApp};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use files::Files;
use guard::{Log, ReportOnPanic, Watchdog, record_panics_on_every_thread, resident_mb};
use monkey::Monkey;

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

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a number")),
        Err(_) => default,
    }
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

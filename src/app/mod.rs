//! The desktop app: watch a network learn.
//!
//! Layout of this module (nothing outside `app` imports egui):
//! - [`NanogradApp`] (`nanograd_app.rs`): runtime state, start-up, worker and loader events;
//!   `actions.rs` applies what panels and menus ask for.
//! - `layout.rs`: the frame: toolbar, settings panel; `central.rs`: the central area's plots and
//!   diagram, sharing its height.
//! - `state.rs`: the settings remembered between runs (eframe persistence).
//! - `session/`: the training worker thread (`worker/`), commands in, events out, joined on
//!   drop; `pictures/` computes what its snapshots show.
//! - `inspector.rs`: what the user looks at inside the network (probe input, chosen neuron),
//!   turned into the request the worker computes the inside views for.
//! - `snapshot.rs`: what the worker sends: ready-to-draw pictures of every run.
//! - `panels/`: the data, network, optimizer and controls panels, small `*_ui` functions that
//!   edit narrow state and return actions.
//! - `views/`: the fit plot, the loss plot, the network diagram, the inside views (unit curves,
//!   weights on the diagram), and their axes and legends.
//! - `menus.rs`, `status.rs`, `notices.rs`, `style.rs`: the menu bar, the status line, the
//!   messages area, and the look (normal and projector view).
//! - `numbers.rs`: how numbers are written on screen; `queries.rs`: the app's state read back
//!   (for tests).
//! - `loader.rs`: loading CSV files and sample/synthetic data on a helper thread.
//! - `dialogs.rs`: native file dialogs off the UI thread, and a typed-path fallback.
//!
//! [`run`] opens the window; tests build [`NanogradApp`] with [`AppOptions`] inside
//! `egui_kittest`.

mod actions;
mod advice;
mod central;
mod dialogs;
pub mod glossary;
pub mod history;
mod history_ui;
mod inspector;
mod l2_choice;
mod layout;
mod loader;
mod menus;
mod nanograd_app;
pub mod notices;
mod numbers;
mod panels;
mod pictures;
mod queries;
pub mod session;
pub mod snapshot;
pub mod state;
mod status;
mod style;
mod views;

pub use layout::LayoutReport;
pub use nanograd_app::{AppOptions, NanogradApp};
pub use notices::{Notice, Topic};

/// Application id: the persistence folder, the Wayland app id and the `.desktop` file name.
pub const APP_ID: &str = "nanograd";

/// Open the Nanograd window and run until it is closed; with `file`, on that CSV file (what a
/// double-click on a file, or `nanograd FILE`, asks for) instead of the data last used.
///
/// Fails (instead of panicking) when there is no display or no graphics driver.
pub fn run(file: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Nanograd — watch a neural network learn")
        .with_app_id(APP_ID)
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([800.0, 520.0])
        .with_drag_and_drop(true);
    match eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon.png")) {
        Ok(icon) => viewport = viewport.with_icon(icon),
        Err(err) => log_warning(&format!("window icon not decoded: {err}")),
    }
    let mut options = eframe::NativeOptions {
        viewport,
        persist_window: true,
        ..Default::default()
    };
    // Frames are driven by the trainer's snapshots, not by the display: no need to wait for
    // vsync, and without a GPU (software rendering) waiting for it costs CPU the trainer needs.
    options.glow_options.vsync = false;
    limit_software_renderer_threads();
    eframe::run_native(
        APP_ID,
        options,
        Box::new(|cc| Ok(Box::new(NanogradApp::new(cc, file)))),
    )
    .map_err(|err| anyhow::anyhow!("could not open the Nanograd window: {err}"))
}

/// The icon is compiled in, so this only fires on a broken build; stderr is enough.
fn log_warning(message: &str) {
    eprintln!("nanograd: {message}");
}

/// Without a GPU, Mesa's llvmpipe renders the window on as many threads as there are cores,
/// and on a 2-core machine that takes the trainer's core: keep rendering to one thread
/// (measured under Xvfb: training speed with the window open went from 82 % to 89 % of
/// headless). A GPU driver ignores the variable; a value the user set is kept.
fn limit_software_renderer_threads() {
    const VARIABLE: &str = "LP_NUM_THREADS";
    if std::env::var_os(VARIABLE).is_none() {
        // SAFETY: called from `run` before the window, the worker or any other thread of
        // this process exists, so nothing can read the environment concurrently.
        unsafe { std::env::set_var(VARIABLE, "1") };
    }
}

//! The training worker: a thread that owns the trainer(s) and is a thin loop around
//! `Trainer::step()`.
//!
//! Commands go in over a channel, [`Event`]s come out over another, and after every send the
//! worker calls `request_repaint()` so the UI wakes up. An `Arc<AtomicBool>` stops it between two
//! steps; [`Session`] sets it and joins the thread on drop, so closing the window, resetting or
//! dropping the app mid-training always ends the thread cleanly.
//!
//! The pictures in a snapshot are computed by `pictures.rs`; this module decides when.
//!
//! Snapshots are rate-limited: at most ~30 a second (2 at full speed, since every snapshot
//! makes the UI draw a frame, and drawing competes with training for the CPU), and never more
//! than ~3 % of the worker's time (a snapshot evaluates the metrics on the whole data set and
//! the curve), so training with the window open stays close to headless speed.
//!
//! A session holds a list of runs: one, or several trained side by side from the same start.

mod worker;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::thread::JoinHandle;

use crate::data::Dataset;
use crate::train::history::LossPoint;
use crate::train::{Model, StopRules, TrainConfig};

use super::snapshot::{Event, InsideRequest};
use worker::Worker;

/// Commands from the UI to the worker.
#[derive(Debug)]
pub enum Command {
    /// Build fresh models from the configs' seeds on this data, one run each (several race side
    /// by side); stays paused or playing as it was.
    Reset {
        dataset: Arc<Dataset>,
        configs: Vec<TrainConfig>,
    },
    Play,
    Pause,
    /// Train exactly one epoch (finishing the current one), then pause.
    StepEpoch,
    /// Train one mini-batch, then pause; the worker says what it changed.
    StepBatch,
    SetLearningRate(f32),
    /// The epoch limit, a target loss, early stopping: for every run.
    SetStopRules(StopRules),
    /// Pause and keep the current weights, even where early stopping would go back to the best.
    StopKeepingWeights,
    /// Train at most this many optimizer steps a second (so a class can watch), or `None` for
    /// full speed.
    SetPace(Option<f32>),
    /// What the inside views want in the snapshots.
    SetInside(InsideRequest),
    SaveModel(PathBuf),
    /// Load weights and continue from them on the current data.
    LoadModel(PathBuf),
    /// Continue from a run of the history: its weights and settings, its loss curve.
    Restore(Box<Restore>),
}

/// A run of the history to continue from.
#[derive(Debug)]
pub struct Restore {
    pub model: Model,
    pub config: TrainConfig,
    /// Its loss curve, continued by the restored run.
    pub curve: Vec<LossPoint>,
    pub epochs: usize,
    /// Said on the loss plot where it starts again ("run #3 restored").
    pub label: String,
}

/// The UI's handle on the worker thread.
pub struct Session {
    commands: Sender<Command>,
    events: Receiver<Event>,
    stop: Arc<AtomicBool>,
    /// True while the worker thread runs; cleared by the thread itself as it ends.
    alive: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl Session {
    /// Start the worker. `ctx` is repainted after every event it sends.
    pub fn spawn(ctx: &egui::Context) -> std::io::Result<Self> {
        let (command_tx, command_rx) = mpsc::channel();
        let (event_tx, event_rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let worker = Worker::new(ctx.clone(), event_tx, Arc::clone(&stop));
        let alive = Arc::new(AtomicBool::new(true));
        let alive_in_worker = AliveGuard(Arc::clone(&alive));
        let handle = std::thread::Builder::new()
            .name("nanograd-trainer".to_owned())
            .spawn(move || {
                let _alive = alive_in_worker;
                worker.run(&command_rx);
            })?;
        Ok(Self {
            commands: command_tx,
            events: event_rx,
            stop,
            alive,
            worker: Some(handle),
        })
    }

    /// Queue a command. Returns false when the worker is gone (it crashed); the caller restarts.
    pub fn send(&self, command: Command) -> bool {
        self.commands.send(command).is_ok()
    }

    /// Events waiting, without blocking. `Err(())` once the worker has ended unexpectedly.
    pub fn drain_events(&self) -> Result<Vec<Event>, Vec<Event>> {
        let mut events = Vec::new();
        loop {
            match self.events.try_recv() {
                Ok(event) => events.push(event),
                Err(TryRecvError::Empty) => return Ok(events),
                Err(TryRecvError::Disconnected) => return Err(events),
            }
        }
    }

    /// Whether the worker thread is still running.
    pub fn is_running(&self) -> bool {
        self.worker
            .as_ref()
            .is_some_and(|handle| !handle.is_finished())
    }

    /// A flag that stays true while the worker thread runs (even after this handle is dropped,
    /// which lets a test check that dropping joined it).
    pub fn alive_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.alive)
    }

    /// Stop the worker between two steps and wait for it. Idempotent.
    pub fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(handle) = self.worker.take() {
            // A panic inside the worker was already reported as a disconnect; nothing to add.
            let _ = handle.join();
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Clears the flag when the worker ends, however it ends (a panic included).
struct AliveGuard(Arc<AtomicBool>);

impl Drop for AliveGuard {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

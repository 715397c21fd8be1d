//! The L2 penalty when the Optimizer panel says Auto: chosen by the same cross-validation as
//! `nanograd train`'s default, on a thread of its own so the window never waits for it. A
//! choice is kept for the data and the configuration it was made for, so a Reset with nothing
//! changed reuses it; anything else that resets the model chooses again.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, Weak};
use std::time::Instant;

use crate::data::Dataset;
use crate::train::{
    CvSettings, L2Choice, TrainConfig, TrainError, choose_l2_watched, large_data_choice,
};

/// What a choice was made for: the data (by identity) and the configuration without its
/// penalty.
#[derive(Clone, Debug)]
struct ChoiceKey {
    dataset: Weak<Dataset>,
    config: TrainConfig,
    epochs: usize,
}

impl ChoiceKey {
    fn new(dataset: &Arc<Dataset>, config: &TrainConfig, epochs: usize) -> Self {
        Self {
            dataset: Arc::downgrade(dataset),
            config: TrainConfig {
                l2: 0.0,
                ..config.clone()
            },
            epochs,
        }
    }

    fn matches(&self, other: &Self) -> bool {
        Weak::ptr_eq(&self.dataset, &other.dataset)
            && self.config == other.config
            && self.epochs == other.epochs
    }
}

struct Job {
    key: ChoiceKey,
    cancel: Arc<AtomicBool>,
    /// The share done, as f32 bits.
    progress: Arc<AtomicU32>,
    result: Receiver<Result<Option<L2Choice>, TrainError>>,
    started: Instant,
}

/// A choice that has just been made, or why it could not be.
pub struct Finished {
    pub result: Result<L2Choice, String>,
    pub seconds: f64,
}

pub struct L2Desk {
    ctx: egui::Context,
    job: Option<Job>,
    chosen: Option<(ChoiceKey, L2Choice)>,
    /// Why the last choice could not start, until [`Self::poll`] reports it.
    failed_to_start: Option<String>,
}

impl L2Desk {
    pub fn new(ctx: &egui::Context) -> Self {
        Self {
            ctx: ctx.clone(),
            job: None,
            chosen: None,
            failed_to_start: None,
        }
    }

    /// The penalty chosen for training `config` for `epochs` epochs on `dataset`, if it is
    /// known. If not, choosing starts (any other choice in progress is dropped) and `None`
    /// comes back; [`Self::poll`] says when it is done.
    pub fn choice_for(
        &mut self,
        dataset: &Arc<Dataset>,
        config: &TrainConfig,
        epochs: usize,
    ) -> Option<&L2Choice> {
        let key = ChoiceKey::new(dataset, config, epochs);
        let is_known = self
            .chosen
            .as_ref()
            .is_some_and(|(chosen_for, _)| chosen_for.matches(&key));
        if is_known {
            return self.chosen.as_ref().map(|(_, choice)| choice);
        }
        if self.job.as_ref().is_some_and(|job| job.key.matches(&key)) {
            return None;
        }
        // Above the row limit the penalty is a fixed default that needs no thread.
        if let Some(choice) = large_data_choice(dataset, &key.config, &app_settings()) {
            self.cancel();
            self.chosen = Some((key, choice));
            return self.chosen.as_ref().map(|(_, choice)| choice);
        }
        self.start(Arc::clone(dataset), key);
        None
    }

    fn start(&mut self, dataset: Arc<Dataset>, key: ChoiceKey) {
        self.cancel();
        // Only one choice is kept: the one for what is being trained.
        self.chosen = None;
        let cancel = Arc::new(AtomicBool::new(false));
        let progress = Arc::new(AtomicU32::new(0.0f32.to_bits()));
        let (sender, result) = mpsc::channel();
        let job = Job {
            key: key.clone(),
            cancel: Arc::clone(&cancel),
            progress: Arc::clone(&progress),
            result,
            started: Instant::now(),
        };
        let ctx = self.ctx.clone();
        let settings = app_settings();
        let spawned = std::thread::Builder::new()
            .name("nanograd-l2".to_owned())
            .spawn(move || {
                let mut last_repaint = Instant::now();
                let outcome =
                    choose_l2_watched(&dataset, &key.config, key.epochs, &settings, &mut |done| {
                        progress.store((done as f32).to_bits(), Ordering::Relaxed);
                        if last_repaint.elapsed().as_millis() > 100 {
                            last_repaint = Instant::now();
                            ctx.request_repaint();
                        }
                        !cancel.load(Ordering::Relaxed)
                    });
                // The desk may be gone (the window closed): nothing is waiting then.
                let _ = sender.send(outcome);
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.job = Some(job),
            Err(err) => {
                self.failed_to_start = Some(format!(
                    "Its thread did not start ({err}), so training goes on without a penalty. \
                     Close other programs and press Reset, or set a penalty by hand."
                ));
            }
        }
    }

    /// Drops the choice in progress, if any.
    pub fn cancel(&mut self) {
        if let Some(job) = self.job.take() {
            job.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// The choice that has just finished, if one has; it is kept for [`Self::choice_for`].
    pub fn poll(&mut self) -> Option<Finished> {
        if let Some(message) = self.failed_to_start.take() {
            return Some(Finished {
                result: Err(message),
                seconds: 0.0,
            });
        }
        let job = self.job.as_ref()?;
        let result = match job.result.try_recv() {
            Ok(result) => result,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => Ok(None),
        };
        let job = self.job.take()?;
        let seconds = job.started.elapsed().as_secs_f64();
        let result = match result {
            Ok(Some(choice)) => {
                self.chosen = Some((job.key, choice.clone()));
                Ok(choice)
            }
            // Cancelled, or the thread ended without a word: nothing to report.
            Ok(None) => return None,
            Err(err) => Err(format!(
                "Cross-validation could not train the network: {err}."
            )),
        };
        Some(Finished { result, seconds })
    }

    /// The share of the choice in progress that is done, 0 to 1.
    pub fn progress(&self) -> Option<f32> {
        self.job
            .as_ref()
            .map(|job| f32::from_bits(job.progress.load(Ordering::Relaxed)))
    }

    pub fn is_choosing(&self) -> bool {
        self.job.is_some()
    }

    /// The choice for what is being trained (or was, before the penalty was set by hand).
    pub fn last_choice(&self) -> Option<&L2Choice> {
        self.chosen.as_ref().map(|(_, choice)| choice)
    }
}

impl Drop for L2Desk {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// `nanograd train`'s cross-validation, except that the network stays the user's design: only
/// its penalty is chosen, no linear model.
fn app_settings() -> CvSettings {
    CvSettings {
        linear: false,
        ..CvSettings::default()
    }
}

//! One run of the session: its trainer, its loss curve, the stop rules applied to it, and what
//! is going wrong with it (the advice), measured now and then rather than at every snapshot.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::optim::OptimizerConfig;
use crate::train::advice::{Advice, RunState, UnitActivity, after_divergence, diagnose};
use crate::train::history::LossHistory;
use crate::train::{
    GradientHistory, RunMonitor, SharedStart, StopReason, StopRules, TrainConfig, TrainError,
    Trainer,
};

use super::super::super::snapshot::{EpochMarker, NetworkSummary, PauseReason, RunId};

/// The advice and the units' activity are measured at most this often while training: a pass
/// over the training rows, too much for every snapshot at 30 a second.
const DIAGNOSIS_INTERVAL: Duration = Duration::from_secs(1);
/// Rows the units' activity is measured on at most, spread evenly over the training rows: a
/// wide network on a large file would otherwise spend a noticeable share of training time on it.
const MAX_ACTIVITY_ROWS: usize = 2048;

pub(super) struct Run {
    pub(super) run_id: RunId,
    /// Epochs trained before this run's trainer took over (weights loaded mid-session).
    pub(super) epochs_before: usize,
    /// Moments on the loss curve worth a line (where weights were loaded).
    pub(super) markers: Vec<EpochMarker>,
    pub(super) trainer: Trainer,
    pub(super) history: LossHistory,
    pub(super) learning_rate: f32,
    /// For steps per second: steps and time at the last snapshot.
    pub(super) rate_mark: (u64, Instant),
    pub(super) steps_per_second: f64,
    pub(super) network: NetworkSummary,
    pub(super) gradients_sent: SharedHistory,
    /// Applies a target loss and early stopping; `None` when neither is on, so that nothing
    /// is measured after each epoch that no rule needs.
    monitor: Option<RunMonitor>,
    /// Why the run stopped by itself; cleared when training goes on.
    pub(super) stopped: Option<StopReason>,
    pub(super) advice: Arc<Vec<Advice>>,
    pub(super) activity: Option<Arc<UnitActivity>>,
    next_diagnosis: Instant,
    /// What sets it apart from the other runs of a race.
    pub(super) label: String,
    pub(super) shared_start: SharedStart,
}

/// The gradient history as last sent, copied again only when it has grown.
#[derive(Default)]
pub(super) struct SharedHistory(Option<Arc<GradientHistory>>);

impl SharedHistory {
    pub(super) fn share(&mut self, history: &GradientHistory) -> Arc<GradientHistory> {
        match &self.0 {
            Some(sent)
                if sent.n_pushed() == history.n_pushed() && sent.latest() == history.latest() =>
            {
                Arc::clone(sent)
            }
            _ => Arc::clone(self.0.insert(Arc::new(history.clone()))),
        }
    }
}

impl Run {
    pub(super) fn new(
        run_id: RunId,
        trainer: Trainer,
        history: LossHistory,
        rules: StopRules,
    ) -> Self {
        let mlp = trainer.mlp();
        let network = NetworkSummary {
            layer_sizes: mlp.layer_sizes(),
            activation: mlp.activation(),
            n_parameters: mlp.n_parameters(),
        };
        let mut run = Self {
            run_id,
            network,
            learning_rate: trainer.learning_rate(),
            trainer,
            history,
            rate_mark: (0, Instant::now()),
            steps_per_second: 0.0,
            epochs_before: 0,
            markers: Vec::new(),
            gradients_sent: SharedHistory::default(),
            monitor: None,
            stopped: None,
            advice: Arc::default(),
            activity: None,
            next_diagnosis: Instant::now(),
            label: String::new(),
            shared_start: SharedStart::WeightsAndBatches,
        };
        run.set_rules(rules);
        run
    }

    pub(super) fn labelled(mut self, label: String, shared_start: SharedStart) -> Self {
        self.label = label;
        self.shared_start = shared_start;
        self
    }

    /// Epochs done, counting those before weights were loaded.
    pub(super) fn epoch(&self) -> usize {
        self.epochs_before + self.trainer.epoch()
    }

    /// Epochs done, fractional: how far along the run is, to keep raced runs level.
    pub(super) fn progress(&self) -> f64 {
        self.epochs_before as f64
            + self.trainer.steps() as f64 / self.trainer.steps_per_epoch().max(1) as f64
    }

    /// New rules apply from the next epoch; the best epoch so far is measured again from now.
    pub(super) fn set_rules(&mut self, rules: StopRules) {
        let needs_monitor = rules.target_loss.is_some()
            || (rules.early_stopping.is_some() && self.trainer.validation_set().is_some());
        let same = self.monitor.as_ref().map(RunMonitor::rules) == Some(rules);
        if !needs_monitor {
            self.monitor = None;
        } else if !same {
            self.monitor = Some(RunMonitor::new(rules, &mut self.trainer).0);
        }
    }

    /// Whether the epoch limit stops this run.
    pub(super) fn is_at_limit(&self, rules: &StopRules) -> bool {
        rules.max_epochs.is_some_and(|limit| self.epoch() >= limit)
    }

    /// Ready to train again after a stop: patience starts over.
    pub(super) fn resume(&mut self, rules: StopRules) {
        self.stopped = None;
        if self.monitor.is_some() {
            self.monitor = None;
            self.set_rules(rules);
        }
    }

    /// One optimizer step, and at the end of an epoch the stop rules. Returns why the run
    /// stopped, if it did.
    pub(super) fn step(&mut self, rules: &StopRules) -> Option<PauseReason> {
        let report = match self.trainer.step() {
            Ok(report) => report,
            Err(error) => return Some(self.diverged(&error)),
        };
        if !report.epoch_finished {
            return None;
        }
        if let Some(monitor) = &mut self.monitor {
            let (_, stop) = monitor.epoch_finished(&mut self.trainer, f64::from(report.loss));
            let best_epoch = monitor.best().map(|best| self.epochs_before + best.epoch);
            if let Some(reason) = stop {
                self.stopped = Some(reason);
                if let (StopReason::EarlyStopping, Some(best)) = (reason, best_epoch) {
                    self.markers.push(EpochMarker {
                        epoch: best as f64,
                        label: format!("best validation at epoch {best}"),
                    });
                }
                return Some(PauseReason::RuleMet {
                    reason,
                    epoch: self.epoch(),
                    best_epoch,
                });
            }
        }
        if self.is_at_limit(rules) {
            self.stopped = Some(StopReason::Epochs);
            return Some(PauseReason::EpochLimit {
                epoch: self.epoch(),
            });
        }
        None
    }

    pub(super) fn diverged(&mut self, error: &TrainError) -> PauseReason {
        self.stopped = Some(StopReason::Diverged);
        match error {
            TrainError::Diverged { restored_epoch, .. } => PauseReason::Diverged {
                message: format!("{error}."),
                advice: after_divergence(
                    self.trainer.config().optimizer,
                    self.epochs_before + restored_epoch,
                ),
            },
            other => PauseReason::Diverged {
                message: format!("{other}."),
                advice: after_divergence(self.trainer.config().optimizer, self.epoch()),
            },
        }
    }

    /// Measures the advice when it is due (or `now` when forced, e.g. on a pause), from the
    /// loss curve, the fit and the hidden units on the training rows.
    pub(super) fn diagnose_if_due(&mut self, train_r2: f64, early_stopping: bool, is_forced: bool) {
        let now = Instant::now();
        if !is_forced && now < self.next_diagnosis {
            return;
        }
        self.next_diagnosis = now + DIAGNOSIS_INTERVAL;
        let activity = UnitActivity::measure(&self.trainer.model(), &activity_rows(&self.trainer));
        let points: Vec<_> = self.history.iter_with_latest().copied().collect();
        let state = RunState {
            history: &points,
            train_r2,
            optimizer: self.trainer.config().optimizer,
            activation: self.trainer.config().activation,
            activity: Some(&activity),
            early_stopping,
        };
        self.advice = Arc::new(diagnose(&state));
        self.activity = Some(Arc::new(activity));
    }
}

/// A raced run's name for the legend: its optimizer and rate, and whatever else differs from
/// the first run (network, activation, batch). Empty for a lone run.
pub(super) fn describe_run(config: &TrainConfig, first: &TrainConfig, is_race: bool) -> String {
    if !is_race {
        return String::new();
    }
    let mut parts = vec![match config.optimizer {
        OptimizerConfig::Sgd {
            learning_rate,
            momentum,
            ..
        } if momentum > 0.0 => format!("SGD {learning_rate}, momentum {momentum}"),
        OptimizerConfig::Sgd { learning_rate, .. } => format!("SGD {learning_rate}"),
        OptimizerConfig::Adam { learning_rate, .. } => format!("Adam {learning_rate}"),
    }];
    if config.hidden_sizes != first.hidden_sizes {
        let sizes: Vec<String> = config.hidden_sizes.iter().map(usize::to_string).collect();
        parts.push(if sizes.is_empty() {
            "no hidden layer".to_owned()
        } else {
            sizes.join("-")
        });
    }
    if config.activation != first.activation {
        parts.push(config.activation.name().to_owned());
    }
    if config.batch_size != first.batch_size {
        parts.push(format!("batch {}", config.batch_size));
    }
    parts.join(", ")
}

/// The training rows the units' activity is measured on: all of them, or an even spread of
/// [`MAX_ACTIVITY_ROWS`].
fn activity_rows(trainer: &Trainer) -> Vec<f32> {
    let set = trainer.train_set();
    let stride = set.n_rows().div_ceil(MAX_ACTIVITY_ROWS).max(1);
    (0..set.n_rows())
        .step_by(stride)
        .flat_map(|row| set.x_row(row).iter().copied())
        .collect()
}

//! The worker thread itself: a thin loop around `Trainer::step()` that handles commands, paces
//! training, and sends snapshots; the UI's handle on it is [`super::Session`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::{Duration, Instant};

use crate::data::Dataset;
use crate::train::history::{LossHistory, LossPoint};
use crate::train::{StopReason, StopRules, TrainConfig, Trainer, shared_start};

use super::super::notices::Topic;
use super::super::pictures::{curve_xs, data_view, inside_snapshot, prediction, row_predictions};
use super::super::snapshot::{
    EpochMarker, Event, FinishedRun, Generation, InsideRequest, PauseReason, RunId, RunSnapshot,
    Snapshot,
};
use super::Command;

mod run;
mod weights;

use run::{Run, describe_run};
use weights::CarriedHistory;

/// Kept points of the loss curve.
const HISTORY_CAPACITY: usize = 2048;
/// At most this many snapshots a second.
const MIN_SNAPSHOT_INTERVAL: Duration = Duration::from_millis(33);
/// Between snapshots when training at full speed (2 a second).
const FULL_SPEED_SNAPSHOT_INTERVAL: Duration = Duration::from_millis(500);
/// A snapshot may take at most 1/this of the time between snapshots.
const SNAPSHOT_BUDGET_RATIO: u32 = 30;

pub(super) struct Worker {
    ctx: egui::Context,
    events: Sender<Event>,
    stop: Arc<AtomicBool>,
    generation: Generation,
    state: Option<Training>,
    is_training: bool,
    rules: StopRules,
    /// Optimizer steps per second, `None` for as fast as possible.
    pace: Option<f32>,
    /// Steps of the main run and the time when pacing last restarted.
    pace_mark: (u64, Instant),
    inside_request: InsideRequest,
    /// Time spent training the current runs (for the run history).
    trained_for: Duration,
}

/// Everything that is rebuilt by a reset.
struct Training {
    dataset: Arc<Dataset>,
    config: TrainConfig,
    runs: Vec<Run>,
    /// x values of the prediction curve (one input only).
    curve_x: Vec<f32>,
}

impl Worker {
    pub(super) fn new(ctx: egui::Context, events: Sender<Event>, stop: Arc<AtomicBool>) -> Self {
        Self {
            ctx,
            events,
            stop,
            generation: 0,
            state: None,
            is_training: false,
            rules: StopRules::default(),
            pace: None,
            pace_mark: (0, Instant::now()),
            inside_request: InsideRequest::default(),
            trained_for: Duration::ZERO,
        }
    }

    pub(super) fn run(mut self, commands: &Receiver<Command>) {
        let mut next_snapshot = Instant::now();
        let mut is_dirty = false;
        loop {
            if self.stop.load(Ordering::Acquire) {
                // Closing the window ends the run too: the history keeps it, as after a Reset.
                self.archive_runs();
                return;
            }
            // Drain commands first; block only when there is nothing to train or to send.
            let received = if self.is_training {
                commands.try_recv().map_err(|err| match err {
                    TryRecvError::Empty => RecvTimeoutError::Timeout,
                    TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
                })
            } else {
                let wait = if is_dirty {
                    next_snapshot.saturating_duration_since(Instant::now())
                } else {
                    Duration::from_millis(100)
                };
                commands.recv_timeout(wait)
            };
            match received {
                Ok(command) => {
                    self.handle(command);
                    is_dirty = true;
                    continue;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }

            if self.is_training {
                let started = Instant::now();
                self.train_until(next_snapshot);
                self.trained_for += started.elapsed();
                is_dirty = true;
                if !self.is_training {
                    // Stopped by itself: show where it stopped now, not at the next full-speed
                    // snapshot half a second later.
                    next_snapshot = Instant::now();
                }
            }
            let now = Instant::now();
            if is_dirty && now >= next_snapshot {
                self.send_snapshot();
                is_dirty = false;
                let cost = now.elapsed();
                // At full speed, training comes first: fewer pictures, so that drawing them
                // (software rendering can cost more than a core) does not slow the trainer.
                let interval = if self.pace.is_some() || !self.is_training {
                    MIN_SNAPSHOT_INTERVAL
                } else {
                    FULL_SPEED_SNAPSHOT_INTERVAL
                };
                next_snapshot = Instant::now() + interval.max(cost * SNAPSHOT_BUDGET_RATIO);
            }
        }
    }

    fn send(&self, event: Event) {
        // The UI may already be gone while closing; then nobody needs the event.
        if self.events.send(event).is_ok() {
            self.ctx.request_repaint();
        }
    }

    fn fail(&self, topic: Topic, what: &str, message: String) {
        self.send(Event::Failed {
            topic,
            what: what.to_owned(),
            message,
        });
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Reset { dataset, configs } => match configs
                .iter()
                .map(|config| Trainer::new(&dataset, config))
                .collect::<Result<Vec<_>, _>>()
            {
                Ok(trainers) => {
                    self.archive_runs();
                    self.start(dataset, &configs, trainers, None);
                }
                Err(err) => {
                    self.state = None;
                    self.is_training = false;
                    self.fail(
                        Topic::Training,
                        "Could not build the model",
                        format!("{err}. Check the data and the network settings."),
                    );
                }
            },
            Command::Play => self.play(),
            Command::Pause => self.is_training = false,
            Command::StopKeepingWeights => {
                self.is_training = false;
                if let Some(training) = &mut self.state {
                    for run in &mut training.runs {
                        run.stopped = Some(StopReason::Stopped);
                    }
                }
            }
            Command::StepEpoch => {
                self.is_training = false;
                self.step_epoch();
            }
            Command::StepBatch => {
                self.is_training = false;
                self.step_batch();
            }
            Command::SetLearningRate(learning_rate) => {
                // The main run's: raced runs keep the rates they are compared at.
                if let Some(training) = &mut self.state {
                    training.config.optimizer =
                        with_learning_rate(training.config.optimizer, learning_rate);
                    if let Some(run) = training.runs.first_mut() {
                        run.trainer.set_learning_rate(learning_rate);
                        run.learning_rate = learning_rate;
                    }
                }
            }
            Command::SetStopRules(rules) => {
                self.rules = rules;
                if let Some(training) = &mut self.state {
                    for run in &mut training.runs {
                        run.set_rules(rules);
                    }
                }
            }
            Command::SetPace(pace) => {
                self.pace = pace.filter(|pace| pace.is_finite() && *pace > 0.0);
                self.mark_rates();
            }
            Command::SetInside(request) => self.inside_request = request,
            Command::SaveModel(path) => self.save(path),
            Command::LoadModel(path) => self.load(path),
            Command::Restore(restore) => self.restore(*restore),
        }
    }

    /// Hands the runs that trained to the UI's run history before they are replaced.
    fn archive_runs(&mut self) {
        let seconds = std::mem::take(&mut self.trained_for).as_secs_f64();
        let Some(training) = &mut self.state else {
            return;
        };
        let finished: Vec<FinishedRun> = training
            .runs
            .iter_mut()
            .filter(|run| run.trainer.steps() > 0)
            .map(|run| FinishedRun {
                data_name: run.trainer.train_set().name.clone(),
                x_names: run.trainer.train_set().x_names.clone(),
                y_name: run.trainer.train_set().y_name.clone(),
                config: run.trainer.config().clone(),
                label: run.label.clone(),
                model: run.trainer.model(),
                epochs: run.epoch(),
                steps: run.trainer.steps(),
                seconds,
                history: run.history.clone(),
                metrics: run.trainer.metrics(),
            })
            .collect();
        if !finished.is_empty() {
            self.send(Event::RunsFinished(finished));
        }
    }

    /// Make `trainers` the session's runs, the first one the main run; `configs` are theirs.
    /// `carried` continues the main run's loss curve and epoch count from the run it replaces
    /// (loading weights), instead of starting them again.
    fn start(
        &mut self,
        dataset: Arc<Dataset>,
        configs: &[TrainConfig],
        trainers: Vec<Trainer>,
        carried: Option<CarriedHistory>,
    ) {
        let (Some(first), Some(config)) = (trainers.first(), configs.first()) else {
            return;
        };
        let config = config.clone();
        self.generation += 1;
        self.pace_mark = (0, Instant::now());
        let data_view = data_view(self.generation, first);
        let curve_x = match data_view.x_range {
            Some((min, max)) => curve_xs(min, max),
            None => Vec::new(),
        };
        let mut runs: Vec<Run> = trainers
            .into_iter()
            .zip(configs)
            .enumerate()
            .map(|(index, (trainer, run_config))| {
                let label = describe_run(run_config, &config, configs.len() > 1);
                let shared_start = shared_start(&config, run_config, &trainer);
                Run::new(
                    RunId(index as u32),
                    trainer,
                    LossHistory::new(HISTORY_CAPACITY),
                    self.rules,
                )
                .labelled(label, shared_start)
            })
            .collect();
        let run = &mut runs[0];
        if let Some(carried) = carried {
            run.history = carried.history;
            run.epochs_before = carried.epochs;
            run.markers = carried.markers;
            run.markers.push(EpochMarker {
                epoch: carried.epochs as f64,
                label: carried.reason,
            });
        }
        self.state = Some(Training {
            dataset,
            config,
            runs,
            curve_x,
        });
        self.send(Event::DataView(Arc::new(data_view)));
        // The starting point of the loss curve, and the untrained curve.
        self.send_snapshot();
    }

    fn main_steps(&self) -> u64 {
        self.state
            .as_ref()
            .and_then(|training| training.runs.first())
            .map_or(0, |run| run.trainer.steps())
    }

    /// When pacing, the moment the main run may take its next step.
    fn next_step_due(&self) -> Option<Instant> {
        let steps_per_second = f64::from(self.pace?);
        let run = self.state.as_ref()?.runs.first()?;
        let (mark_steps, mark_time) = self.pace_mark;
        let steps_done = run.trainer.steps().saturating_sub(mark_steps) as f64;
        Some(mark_time + Duration::from_secs_f64(steps_done / steps_per_second))
    }

    /// Train again: every run that stopped by itself goes on, unless the epoch limit holds
    /// them all.
    fn play(&mut self) {
        let rules = self.rules;
        let Some(training) = &mut self.state else {
            return;
        };
        if training.runs.iter().all(|run| run.is_at_limit(&rules)) {
            let epoch = training.runs.first().map_or(0, Run::epoch);
            self.send(Event::Paused {
                run: None,
                reason: PauseReason::EpochLimit { epoch },
            });
            return;
        }
        for run in &mut training.runs {
            if !run.is_at_limit(&rules) {
                run.resume(rules);
            }
        }
        self.is_training = true;
        self.mark_rates();
    }

    fn mark_rates(&mut self) {
        self.pace_mark = (self.main_steps(), Instant::now());
        if let Some(training) = &mut self.state {
            for run in &mut training.runs {
                run.rate_mark = (run.trainer.steps(), Instant::now());
            }
        }
    }

    /// Train every run, one step each in turn, until `deadline`, the stop flag, or a pause.
    fn train_until(&mut self, deadline: Instant) {
        if self.state.is_none() {
            self.is_training = false;
            return;
        }
        loop {
            if let Some(due) = self.next_step_due() {
                let now = Instant::now();
                if due > now {
                    // Sleep in short naps so a stop request is seen quickly.
                    let wake = due.min(deadline).min(now + Duration::from_millis(20));
                    std::thread::sleep(wake - now);
                    if self.stop.load(Ordering::Relaxed) || Instant::now() >= deadline {
                        return;
                    }
                    continue;
                }
            }
            let rules = self.rules;
            let Some(training) = &mut self.state else {
                return;
            };
            // The run furthest behind takes the next step, so raced runs stay level in epochs
            // whatever their batch sizes.
            let next = training
                .runs
                .iter()
                .enumerate()
                .filter(|(_, run)| run.stopped.is_none())
                .min_by(|(_, a), (_, b)| a.progress().total_cmp(&b.progress()))
                .map(|(index, _)| index);
            let Some(index) = next else {
                self.is_training = false;
                return;
            };
            let is_race = training.runs.len() > 1;
            let run = &mut training.runs[index];
            if let Some(reason) = run.step(&rules) {
                let run_id = run.run_id;
                if training.runs.iter().all(|run| run.stopped.is_some()) {
                    self.is_training = false;
                    self.send(Event::Paused {
                        run: is_race.then_some(run_id),
                        reason,
                    });
                    return;
                }
                self.send(Event::RunStopped {
                    run: run_id,
                    reason,
                });
            }
            if self.stop.load(Ordering::Relaxed) || Instant::now() >= deadline {
                return;
            }
        }
    }

    fn step_epoch(&mut self) {
        let rules = self.rules;
        let Some(training) = &mut self.state else {
            return;
        };
        let mut news = Vec::new();
        let is_race = training.runs.len() > 1;
        for run in &mut training.runs {
            let epoch = run.epoch();
            run.resume(rules);
            while run.epoch() == epoch {
                if self.stop.load(Ordering::Relaxed) {
                    return;
                }
                if let Some(reason) = run.step(&rules) {
                    // Stepping past the limit by hand is asked for; other stops are news.
                    if !matches!(reason, PauseReason::EpochLimit { .. }) {
                        news.push((is_race.then_some(run.run_id), reason));
                    }
                    break;
                }
            }
        }
        for (run, reason) in news {
            self.send(Event::Paused { run, reason });
        }
    }

    /// One mini-batch of the main run, and what it changed.
    fn step_batch(&mut self) {
        let Some(run) = self
            .state
            .as_mut()
            .and_then(|training| training.runs.first_mut())
        else {
            return;
        };
        match run.trainer.step_one_batch() {
            Ok(change) => self.send(Event::BatchStepped(Box::new(change))),
            Err(err) => {
                let reason = run.diverged(&err);
                self.send(Event::Paused { run: None, reason });
            }
        }
    }

    /// Evaluate every run and send the picture. The losses are also appended to each run's
    /// history here, so the loss curve's resolution is the snapshot rate and costs no extra pass.
    fn send_snapshot(&mut self) {
        let generation = self.generation;
        let is_training = self.is_training;
        let inside_request = self.inside_request.clone();
        let has_early_stopping = self.rules.early_stopping.is_some();
        let Some(training) = &mut self.state else {
            return;
        };
        let now = Instant::now();
        let mut runs = Vec::with_capacity(training.runs.len());
        for run in &mut training.runs {
            let trainer = &mut run.trainer;
            let metrics = trainer.metrics();
            let steps = trainer.steps();
            let steps_per_epoch = trainer.steps_per_epoch().max(1);
            if is_training {
                let (mark_steps, mark_time) = run.rate_mark;
                let seconds = now.duration_since(mark_time).as_secs_f64();
                if seconds > 0.0 {
                    let rate = (steps - mark_steps) as f64 / seconds;
                    // Smooth a little so the number can be read.
                    run.steps_per_second = if run.steps_per_second > 0.0 {
                        0.7 * run.steps_per_second + 0.3 * rate
                    } else {
                        rate
                    };
                }
            } else {
                run.steps_per_second = 0.0;
            }
            run.rate_mark = (steps, now);

            let point = LossPoint {
                epoch: run.epochs_before as f64 + steps as f64 / steps_per_epoch as f64,
                train_loss: metrics.train_loss as f32,
                validation_loss: metrics.validation_loss.map(|loss| loss as f32),
            };
            if run.history.latest() != Some(&point) {
                run.history.push(point);
            }

            run.diagnose_if_due(metrics.train.r2, has_early_stopping, !is_training);
            let trainer = &mut run.trainer;
            let prediction = prediction(trainer, &training.curve_x);
            let rows = inside_request
                .want_rows
                .then(|| Arc::new(row_predictions(trainer)));
            let inside = inside_snapshot(trainer, &inside_request, &training.curve_x);
            runs.push(RunSnapshot {
                run_id: run.run_id,
                label: run.label.clone(),
                shared_start: run.shared_start,
                epoch: run.epochs_before + trainer.epoch(),
                steps,
                steps_per_epoch,
                steps_per_second: run.steps_per_second,
                learning_rate: run.learning_rate,
                train_loss: metrics.train_loss as f32,
                validation_loss: metrics.validation_loss.map(|loss| loss as f32),
                train_r2: metrics.train.r2 as f32,
                validation_r2: metrics.validation.map(|fit| fit.r2 as f32),
                train_rmse: metrics.train.rmse as f32,
                validation_rmse: metrics.validation.map(|fit| fit.rmse as f32),
                train_mae: metrics.train.mae as f32,
                validation_mae: metrics.validation.map(|fit| fit.mae as f32),
                stopped: run.stopped,
                advice: Arc::clone(&run.advice),
                activity: run.activity.clone(),
                rows,
                history: run.history.clone(),
                prediction,
                network: run.network.clone(),
                inside: Some(Arc::new(inside)),
                markers: run.markers.clone(),
                gradients: run.gradients_sent.share(trainer.gradient_history()),
            });
        }
        self.send(Event::Snapshot(Box::new(Snapshot {
            generation,
            is_training,
            runs,
        })));
    }
}

fn with_learning_rate(
    optimizer: crate::optim::OptimizerConfig,
    new_rate: f32,
) -> crate::optim::OptimizerConfig {
    use crate::optim::OptimizerConfig;
    match optimizer {
        OptimizerConfig::Sgd {
            momentum, nesterov, ..
        } => OptimizerConfig::Sgd {
            learning_rate: new_rate,
            momentum,
            nesterov,
        },
        OptimizerConfig::Adam {
            beta1,
            beta2,
            weight_decay,
            ..
        } => OptimizerConfig::Adam {
            learning_rate: new_rate,
            beta1,
            beta2,
            weight_decay,
        },
    }
}

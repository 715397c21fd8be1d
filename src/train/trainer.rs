//! `Trainer`: one optimizer step at a time on mini-batches of a data set. Pure and
//! synchronous: it knows nothing of threads or UI (the app runs it on a worker thread).

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use thiserror::Error;

use super::batch_change::{BatchChange, largest_moves};
use super::config::TrainConfig;
use super::gradient_stats::{GRADIENT_HISTORY_CAPACITY, GradientHistory, GradientPoint};
use super::guard::{DivergenceCause, DivergenceGuard};
use super::metrics::{Fit, Metrics};
use super::model::Model;
use crate::data::{Dataset, Standardization};
use crate::engine::{Gradients, NodeId, ParamId, Tape, Tensor};
use crate::nn::{LossKind, Mlp};
use crate::optim::Optimizer;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum TrainError {
    #[error("the network needs {expected} input column(s) but the data has {found}")]
    InputMismatch { expected: usize, found: usize },
    #[error("a hidden layer has no units: every layer needs at least 1")]
    EmptyLayer,
    #[error(
        "training diverged at step {step}: the loss {}. The weights of epoch {restored_epoch}, \
         from before it went wrong, were put back; lower the learning rate and continue, or reset",
        describe_loss(*loss, cause)
    )]
    Diverged {
        step: u64,
        loss: f32,
        cause: DivergenceCause,
        /// The epoch whose weights and optimizer state were put back.
        restored_epoch: usize,
    },
}

/// The outcome of one optimizer step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepReport {
    /// The mini-batch loss before the update, in standardised units.
    pub loss: f32,
    /// True when this step used the last batch of an epoch.
    pub epoch_finished: bool,
}

pub struct Trainer {
    config: TrainConfig,
    train_set: Dataset,
    validation_set: Option<Dataset>,
    x_standardization: Standardization,
    y_standardization: Standardization,
    /// The training rows, standardised once up front.
    train_x: Vec<f32>,
    train_y: Vec<f32>,
    mlp: Mlp,
    /// Parameters before the latest update, for what a step changed.
    last_good: Vec<Tensor>,
    /// Weights and optimizer state worth going back to when training blows up.
    guard: DivergenceGuard,
    /// Sum and count of this epoch's batch losses so far.
    epoch_loss: (f64, u32),
    optimizer: Box<dyn Optimizer>,
    tape: Tape,
    gradients: Gradients,
    gradient_history: GradientHistory,
    shuffle_rng: ChaCha8Rng,
    order: Vec<usize>,
    cursor: usize,
    batch_x: Vec<f32>,
    batch_y: Vec<f32>,
    epoch: usize,
    steps: u64,
}

impl Trainer {
    /// Splits off the validation rows, fits the standardisation on the training rows and
    /// initialises the network from the seed.
    pub fn new(dataset: &Dataset, config: &TrainConfig) -> Result<Self, TrainError> {
        if config.hidden_sizes.contains(&0) {
            return Err(TrainError::EmptyLayer);
        }
        let (train_set, _) = dataset.split(config.val_fraction, config.seed);
        let mlp = Mlp::new(
            dataset.n_inputs(),
            &config.hidden_sizes,
            config.activation,
            config.seed,
        );
        let model = Model {
            mlp,
            x_standardization: train_set.x_standardization(),
            y_standardization: train_set.y_standardization(),
            x_names: dataset.x_names.clone(),
            y_name: dataset.y_name.clone(),
        };
        Self::from_model(dataset, config, model)
    }

    /// Continues from a trained model (its architecture and standardisation win over the
    /// config's), e.g. one loaded from a weights file.
    pub fn from_model(
        dataset: &Dataset,
        config: &TrainConfig,
        model: Model,
    ) -> Result<Self, TrainError> {
        if model.n_inputs() != dataset.n_inputs() {
            return Err(TrainError::InputMismatch {
                expected: model.n_inputs(),
                found: dataset.n_inputs(),
            });
        }
        let (train_set, validation_set) = dataset.split(config.val_fraction, config.seed);
        let mut train_x = train_set.x.clone();
        model.x_standardization.apply(&mut train_x);
        let mut train_y = train_set.y.clone();
        model.y_standardization.apply(&mut train_y);
        let order = (0..train_set.n_rows()).collect();
        let mut config = config.clone();
        config.hidden_sizes = model.mlp.hidden_sizes().to_vec();
        config.activation = model.mlp.activation();
        let optimizer = config.optimizer.build();
        Ok(Self {
            guard: DivergenceGuard::new(model.mlp.parameters(), optimizer.as_ref(), 0),
            epoch_loss: (0.0, 0),
            optimizer,
            // The shuffle stream is apart from the split and init streams, so changing the
            // batch size does not change the initial weights.
            shuffle_rng: ChaCha8Rng::seed_from_u64(config.seed ^ 0x5eed_5eed_5eed_5eed),
            config,
            last_good: model.mlp.parameters().to_vec(),
            mlp: model.mlp,
            x_standardization: model.x_standardization,
            y_standardization: model.y_standardization,
            train_set,
            validation_set,
            train_x,
            train_y,
            tape: Tape::new(),
            gradients: Gradients::new(),
            gradient_history: GradientHistory::new(GRADIENT_HISTORY_CAPACITY),
            order,
            cursor: 0,
            batch_x: Vec::new(),
            batch_y: Vec::new(),
            epoch: 0,
            steps: 0,
        })
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    pub fn batch_size(&self) -> usize {
        self.config.batch_size.clamp(1, self.train_set.n_rows())
    }

    pub fn steps_per_epoch(&self) -> usize {
        self.train_set.n_rows().div_ceil(self.batch_size())
    }

    /// Completed epochs.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// Optimizer steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    pub fn train_set(&self) -> &Dataset {
        &self.train_set
    }

    pub fn validation_set(&self) -> Option<&Dataset> {
        self.validation_set.as_ref()
    }

    pub fn mlp(&self) -> &Mlp {
        &self.mlp
    }

    /// Takes effect from the next step; the optimizer keeps its momentum and moments.
    pub fn set_learning_rate(&mut self, learning_rate: f32) {
        self.optimizer.set_learning_rate(learning_rate);
        self.config.optimizer = self.config.optimizer.with_learning_rate(learning_rate);
    }

    pub fn learning_rate(&self) -> f32 {
        self.optimizer.learning_rate()
    }

    /// One optimizer step on the next mini-batch. The rows are reshuffled (seeded) at the
    /// start of every epoch.
    pub fn step(&mut self) -> Result<StepReport, TrainError> {
        let n_inputs = self.mlp.n_inputs();
        if self.cursor == 0 && self.batch_size() < self.order.len() {
            self.order.shuffle(&mut self.shuffle_rng);
        }
        let end = (self.cursor + self.batch_size()).min(self.order.len());
        self.batch_x.clear();
        self.batch_y.clear();
        for &row in &self.order[self.cursor..end] {
            self.batch_x
                .extend_from_slice(&self.train_x[row * n_inputs..(row + 1) * n_inputs]);
            self.batch_y.push(self.train_y[row]);
        }
        let batch_rows = end - self.cursor;

        let loss_node = self.record_batch_loss(batch_rows);
        let loss = self.tape.item(loss_node);
        self.tape.backward_into(loss_node, &mut self.gradients);
        self.add_l2_gradient();
        if let Some(cause) = self.guard.judge(loss, self.gradients.all_finite()) {
            let restored_epoch = self
                .guard
                .restore(self.mlp.parameters_mut(), &mut self.optimizer);
            for (good, parameter) in self.last_good.iter_mut().zip(self.mlp.parameters()) {
                good.data_mut().copy_from_slice(parameter.data());
            }
            self.epoch_loss = (0.0, 0);
            return Err(TrainError::Diverged {
                step: self.steps + 1,
                loss,
                cause,
                restored_epoch,
            });
        }
        for (good, parameter) in self.last_good.iter_mut().zip(self.mlp.parameters()) {
            good.data_mut().copy_from_slice(parameter.data());
        }
        self.optimizer
            .step(self.mlp.parameters_mut(), &self.gradients);
        self.steps += 1;
        self.cursor = end;
        self.epoch_loss.0 += f64::from(loss);
        self.epoch_loss.1 += 1;
        let epoch_finished = self.cursor == self.order.len();
        if epoch_finished {
            self.cursor = 0;
            self.epoch += 1;
            let (total, count) = std::mem::take(&mut self.epoch_loss);
            self.guard.epoch_finished(
                self.epoch,
                self.steps,
                total / f64::from(count.max(1)),
                self.mlp.parameters(),
                self.optimizer.as_ref(),
            );
            // Once an epoch, not every step: it is a pass over every parameter.
            self.gradient_history.push(GradientPoint::measure(
                self.epoch as f64,
                &self.last_good,
                self.mlp.parameters(),
                &self.gradients,
            ));
        }
        Ok(StepReport {
            loss,
            epoch_finished,
        })
    }

    /// Adds the gradient of [`Self::l2_penalty`], alpha / n · w, to every weight's gradient
    /// (parameter `2l` of layer `l`; the biases are not penalised). One pass over the weights
    /// per step, nothing when the penalty is 0.
    fn add_l2_gradient(&mut self) {
        let scale = self.l2_scale();
        if scale == 0.0 {
            return;
        }
        for (index, weight) in self.mlp.parameters().iter().enumerate().step_by(2) {
            if let Some(gradient) = self.gradients.get_mut(ParamId(index)) {
                for (g, &w) in gradient.data_mut().iter_mut().zip(weight.data()) {
                    *g += scale * w;
                }
            }
        }
    }

    /// alpha / n: the penalty's gradient per unit of weight.
    fn l2_scale(&self) -> f32 {
        self.config.l2 / self.train_set.n_rows().max(1) as f32
    }

    /// The L2 penalty the steps minimise besides the loss: alpha / (2 n) · Σ w² over the
    /// weights (not the biases), n the training rows. 0 without one.
    pub fn l2_penalty(&self) -> f64 {
        let sum_of_squares: f64 = self
            .mlp
            .parameters()
            .iter()
            .step_by(2)
            .flat_map(|w| w.data())
            .map(|&w| f64::from(w) * f64::from(w))
            .sum();
        f64::from(self.l2_scale()) / 2.0 * sum_of_squares
    }

    /// Records on the tape the loss of the batch in `batch_x` and `batch_y` with the current
    /// weights, and returns its node.
    fn record_batch_loss(&mut self, batch_rows: usize) -> NodeId {
        self.tape.clear();
        let x = self
            .tape
            .input(batch_rows, self.mlp.n_inputs(), &self.batch_x);
        let y = self.tape.input(batch_rows, 1, &self.batch_y);
        let prediction = self.mlp.forward(&mut self.tape, x);
        self.config.loss.apply(&mut self.tape, prediction, y)
    }

    /// One ordinary [`Self::step`], so stepping batch by batch is the same training as running
    /// epochs, and what it changed: the batch's loss before and after the update, and the
    /// parameters that moved most.
    pub fn step_one_batch(&mut self) -> Result<BatchChange, TrainError> {
        let start = self.cursor;
        let report = self.step()?;
        // `step` shuffles before it takes an epoch's first batch, never after, so `order` still
        // holds this batch's rows.
        let end = if report.epoch_finished {
            self.order.len()
        } else {
            self.cursor
        };
        let train_rows = self.order[start..end].to_vec();
        // The tape is scratch space between steps and the batch is still in `batch_x`, so
        // measuring leaves the gradients, the optimizer and the shuffle as they were.
        let loss_node = self.record_batch_loss(train_rows.len());
        Ok(BatchChange {
            step: self.steps,
            rows: train_rows.len(),
            train_rows,
            loss_before: report.loss,
            loss_after: self.tape.item(loss_node),
            epoch_finished: report.epoch_finished,
            largest_moves: largest_moves(&self.last_good, self.mlp.parameters()),
        })
    }

    /// Replaces the weights (same shapes), e.g. with the best ones kept by early stopping. The
    /// optimizer's state stays as it is.
    pub fn set_parameters(&mut self, parameters: &[Tensor]) {
        for ((parameter, good), new) in self
            .mlp
            .parameters_mut()
            .iter_mut()
            .zip(&mut self.last_good)
            .zip(parameters)
        {
            parameter.data_mut().copy_from_slice(new.data());
            good.data_mut().copy_from_slice(new.data());
        }
    }

    /// The loss over every training row with the current weights, in standardised units.
    pub fn train_loss(&mut self) -> f64 {
        let predictions = self.mlp.predict(&mut self.tape, &self.train_x);
        loss_value(self.config.loss, &predictions, &self.train_y)
    }

    /// The loss over the validation rows, when there are any.
    pub fn validation_loss(&mut self) -> Option<f64> {
        let validation_set = self.validation_set.take()?;
        let (loss, _) = self.evaluate(&validation_set);
        self.validation_set = Some(validation_set);
        Some(loss)
    }

    /// Each layer's gradient norm and update ratio, one point per finished epoch.
    pub fn gradient_history(&self) -> &GradientHistory {
        &self.gradient_history
    }

    /// The latest step's gradients, indexed like [`Mlp::parameters`] (of the step that failed,
    /// after a [`TrainError::Diverged`]); none before the first step.
    pub fn last_gradients(&self) -> &Gradients {
        &self.gradients
    }

    /// Steps until the current epoch ends; returns the mean batch loss over those steps.
    pub fn run_epoch(&mut self) -> Result<f32, TrainError> {
        let (mut total, mut count) = (0.0f64, 0u32);
        loop {
            let report = self.step()?;
            total += f64::from(report.loss);
            count += 1;
            if report.epoch_finished {
                return Ok((total / f64::from(count)) as f32);
            }
        }
    }

    /// The current network with the standardisation it was trained with.
    pub fn model(&self) -> Model {
        Model {
            mlp: self.mlp.clone(),
            x_standardization: self.x_standardization.clone(),
            y_standardization: self.y_standardization.clone(),
            x_names: self.train_set.x_names.clone(),
            y_name: self.train_set.y_name.clone(),
        }
    }

    /// Predictions in the target's units for rows in the inputs' units.
    pub fn predict(&mut self, x_rows: &[f32]) -> Vec<f32> {
        let mut x = x_rows.to_vec();
        self.x_standardization.apply(&mut x);
        let mut y = self.mlp.predict(&mut self.tape, &x);
        self.y_standardization.invert(&mut y);
        y
    }

    /// Each hidden layer's activations (n × units) for rows in the inputs' units.
    pub fn hidden_unit_outputs(&mut self, x_rows: &[f32]) -> Vec<Tensor> {
        self.model().hidden_unit_outputs(x_rows)
    }

    /// Loss and fit on the training rows and the validation rows, with the current weights.
    pub fn metrics(&mut self) -> Metrics {
        let train_set = std::mem::replace(&mut self.train_set, placeholder());
        let (train_loss, train) = self.evaluate(&train_set);
        self.train_set = train_set;
        let validation_set = self.validation_set.take();
        let validation = validation_set.as_ref().map(|set| self.evaluate(set));
        self.validation_set = validation_set;
        Metrics {
            train_loss,
            validation_loss: validation.map(|(loss, _)| loss),
            train,
            validation: validation.map(|(_, fit)| fit),
        }
    }

    fn evaluate(&mut self, set: &Dataset) -> (f64, Fit) {
        let predictions = self.predict(&set.x);
        let fit = Fit::new(&predictions, &set.y);
        let mut standardised_predictions = predictions;
        self.y_standardization.apply(&mut standardised_predictions);
        let mut standardised_targets = set.y.clone();
        self.y_standardization.apply(&mut standardised_targets);
        (
            loss_value(
                self.config.loss,
                &standardised_predictions,
                &standardised_targets,
            ),
            fit,
        )
    }
}

fn describe_loss(loss: f32, cause: &DivergenceCause) -> String {
    match cause {
        DivergenceCause::NonFinite if loss.is_finite() => {
            format!("was {loss} but a gradient was not a finite number")
        }
        DivergenceCause::NonFinite => format!("became {loss}"),
        DivergenceCause::BlowUp { best_loss } => {
            format!("jumped to {loss:.3e}, far above the best so far ({best_loss:.3e})")
        }
    }
}

/// The loss over a whole set, in f64, without recording a tape.
fn loss_value(kind: LossKind, predictions: &[f32], targets: &[f32]) -> f64 {
    let n = targets.len().max(1) as f64;
    let errors = predictions
        .iter()
        .zip(targets)
        .map(|(&p, &t)| f64::from(p) - f64::from(t));
    match kind {
        LossKind::Mse => errors.map(|e| e * e).sum::<f64>() / n,
        LossKind::Mae => errors.map(f64::abs).sum::<f64>() / n,
    }
}

/// An empty stand-in so a set can be borrowed while `self` is borrowed mutably.
fn placeholder() -> Dataset {
    Dataset {
        name: String::new(),
        x_names: Vec::new(),
        y_name: String::new(),
        x: Vec::new(),
        y: Vec::new(),
    }
}

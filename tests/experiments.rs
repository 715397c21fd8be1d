//! Experiments on real data: the divergence guard, the stop rules, runs raced side by side, and
//! each piece of advice on a situation crafted to produce it.

use nanograd::data::{ColumnRef, DEFAULT_SAMPLE, DEFAULT_X, DEFAULT_Y, Dataset, load_sample};
use nanograd::nn::Activation;
use nanograd::optim::OptimizerConfig;
use nanograd::train::advice::{
    AdviceAction, AdviceKind, RunState, UnitActivity, after_divergence, diagnose,
};
use nanograd::train::history::LossPoint;
use nanograd::train::{
    DivergenceCause, EarlyStopping, Race, RunMonitor, SharedStart, StopReason, StopRules,
    TrainConfig, TrainError, Trainer,
};

fn sample(name: &str, x: &[&str], y: &str) -> Dataset {
    let table = load_sample(name).expect("built-in sample loads");
    let x: Vec<ColumnRef> = x.iter().map(|c| ColumnRef::from(*c)).collect();
    let (dataset, _) = table
        .select(&x, &ColumnRef::from(y))
        .expect("columns exist");
    dataset
}

fn default_data() -> Dataset {
    sample(DEFAULT_SAMPLE, &[DEFAULT_X], DEFAULT_Y)
}

fn engel() -> Dataset {
    sample("engel_food", &["income"], "foodexp")
}

fn sgd(learning_rate: f32) -> OptimizerConfig {
    OptimizerConfig::Sgd {
        learning_rate,
        momentum: 0.9,
        nesterov: false,
    }
}

/// Epochs until the trainer diverges (the error), or `None` within `epochs`.
fn train_until_divergence(trainer: &mut Trainer, epochs: usize) -> Option<TrainError> {
    (0..epochs).find_map(|_| trainer.run_epoch().err())
}

#[test]
fn after_a_divergence_good_weights_come_back_and_a_lower_rate_trains_on() {
    // The app's highest learning rate with SGD and momentum, on the data the app opens with.
    let data = default_data();
    let config = TrainConfig {
        optimizer: sgd(1.0),
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(&data, &config).expect("valid config");
    let initial_loss = trainer.train_loss();
    let error = train_until_divergence(&mut trainer, 200).expect("SGD at 1.0 diverges");
    let TrainError::Diverged { restored_epoch, .. } = error else {
        panic!("expected a divergence, got {error}");
    };
    let restored_loss = trainer.train_loss();
    assert!(
        restored_loss.is_finite() && restored_loss <= 1.5 * initial_loss,
        "the weights put back are good: loss {restored_loss} against {initial_loss} at the start"
    );
    let advice = after_divergence(trainer.config().optimizer, restored_epoch);
    assert_eq!(advice.kind, AdviceKind::Diverged);
    let Some(AdviceAction::SetLearningRate { learning_rate }) = advice.action else {
        panic!("the advice offers a lower learning rate: {advice:?}");
    };
    assert!((learning_rate - 0.1).abs() < 1e-6, "{learning_rate}");
    // Applying the advice, without a reset, trains on.
    trainer.set_learning_rate(learning_rate);
    assert!(
        train_until_divergence(&mut trainer, 100).is_none(),
        "no divergence after lowering the rate as advised"
    );
    assert!(trainer.train_loss() < restored_loss);
}

#[test]
fn a_finite_blow_up_is_caught_before_the_numbers_overflow() {
    let data = engel();
    let mut trainer = Trainer::new(&data, &TrainConfig::default()).expect("valid config");
    for _ in 0..50 {
        trainer.run_epoch().expect("the defaults train");
    }
    let trained_loss = trainer.train_loss();
    trainer.set_learning_rate(30.0);
    let error = train_until_divergence(&mut trainer, 20).expect("Adam at 30 diverges");
    let TrainError::Diverged { cause, loss, .. } = error else {
        panic!("expected a divergence, got {error}");
    };
    assert!(
        matches!(cause, DivergenceCause::BlowUp { .. }),
        "caught while the loss ({loss}) was still a number"
    );
    let restored = trainer.train_loss();
    assert!(
        restored <= 3.0 * trained_loss,
        "trained weights come back: {restored} against {trained_loss}"
    );
}

#[test]
fn the_target_loss_stops_at_the_first_epoch_that_reaches_it() {
    let data = engel();
    let mut trainer = Trainer::new(&data, &TrainConfig::default()).expect("valid config");
    let rules = StopRules {
        max_epochs: Some(500),
        target_loss: Some(0.16),
        early_stopping: None,
    };
    let (mut monitor, start) = RunMonitor::new(rules, &mut trainer);
    assert!(start.train_loss > 0.16);
    let mut losses = Vec::new();
    let reason = loop {
        let mean = trainer.run_epoch().expect("finite");
        let (epoch_losses, stop) = monitor.epoch_finished(&mut trainer, f64::from(mean));
        losses.push(epoch_losses.train_loss);
        if let Some(reason) = stop {
            break reason;
        }
    };
    assert_eq!(reason, StopReason::TargetLoss);
    let (last, before) = (losses[losses.len() - 1], &losses[..losses.len() - 1]);
    assert!(
        last <= 0.16 && before.iter().all(|&loss| loss > 0.16),
        "{losses:?}"
    );
    assert!(
        (trainer.train_loss() - last).abs() < 1e-12,
        "the loss measured is the run's"
    );
}

#[test]
fn early_stopping_keeps_the_best_validation_epoch() {
    // 32-32 tanh units on 11 points overfit quickly.
    let data = sample("anscombe_quartet", &["x1"], "y1");
    let config = TrainConfig {
        val_fraction: 0.3,
        batch_size: 4,
        optimizer: OptimizerConfig::Adam {
            learning_rate: 0.03,
            beta1: 0.9,
            beta2: 0.999,
            weight_decay: 0.0,
        },
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(&data, &config).expect("valid config");
    let rules = StopRules {
        max_epochs: Some(2000),
        target_loss: None,
        early_stopping: Some(EarlyStopping::with_patience(25)),
    };
    let (mut monitor, _) = RunMonitor::new(rules, &mut trainer);
    let mut validation = Vec::new();
    let reason = loop {
        let mean = trainer.run_epoch().expect("finite");
        let (losses, stop) = monitor.epoch_finished(&mut trainer, f64::from(mean));
        validation.push(losses.validation_loss.expect("a validation split"));
        if let Some(reason) = stop {
            break reason;
        }
    };
    assert_eq!(reason, StopReason::EarlyStopping);
    let best = monitor.best().expect("a best epoch");
    assert_eq!(trainer.epoch() - best.epoch, 25, "patience of 25 epochs");
    let lowest = validation.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(
        best.loss, lowest,
        "the best is the lowest validation loss seen"
    );
    assert_eq!(
        trainer.validation_loss(),
        Some(best.loss),
        "the best epoch's weights are back, bit for bit"
    );
}

#[test]
fn raced_runs_start_from_the_same_weights_and_a_diverging_run_stops_alone() {
    let data = engel();
    let base = TrainConfig::default();
    let configs = [
        TrainConfig {
            optimizer: sgd(0.05),
            ..base.clone()
        },
        TrainConfig {
            optimizer: sgd(5.0),
            ..base.clone()
        },
        base.clone(),
        TrainConfig {
            hidden_sizes: vec![8],
            ..base.clone()
        },
        TrainConfig {
            batch_size: 8,
            ..base.clone()
        },
    ];
    let rules = StopRules {
        max_epochs: Some(20),
        ..StopRules::default()
    };
    let mut race = Race::new(&data, &configs, rules).expect("valid runs");
    let starts: Vec<f64> = race.runs.iter().map(|run| run.train_loss[0]).collect();
    assert_eq!(starts[0].to_bits(), starts[1].to_bits());
    assert_eq!(starts[0].to_bits(), starts[2].to_bits());
    assert_ne!(
        starts[0], starts[3],
        "another architecture starts elsewhere"
    );
    let kinds: Vec<SharedStart> = race.runs.iter().map(|run| run.shared_start).collect();
    assert_eq!(
        kinds,
        [
            SharedStart::WeightsAndBatches,
            SharedStart::WeightsAndBatches,
            SharedStart::WeightsAndBatches,
            SharedStart::SeedOnly,
            SharedStart::Weights
        ]
    );
    for (a, b) in race.runs[0]
        .trainer
        .mlp()
        .parameters()
        .iter()
        .zip(race.runs[2].trainer.mlp().parameters())
    {
        assert_eq!(a.data(), b.data(), "identical initial weights");
    }
    race.run_to_end();
    let stopped: Vec<_> = race.runs.iter().map(|run| run.stopped).collect();
    assert_eq!(stopped[1], Some(StopReason::Diverged));
    assert!(race.runs[1].advice.is_some());
    for index in [0, 2, 3, 4] {
        assert_eq!(stopped[index], Some(StopReason::Epochs), "run {index}");
        assert_eq!(race.runs[index].train_loss.len(), 21, "epoch 0 to 20");
        assert_eq!(race.runs[index].trainer.epoch(), 20);
    }
}

fn history_of(losses: &[(f64, f32, Option<f32>)]) -> Vec<LossPoint> {
    losses
        .iter()
        .map(|&(epoch, train_loss, validation_loss)| LossPoint {
            epoch,
            train_loss,
            validation_loss,
        })
        .collect()
}

/// Trains `epochs` epochs and records the loss curve as the app does, one point an epoch.
fn trained(data: &Dataset, config: &TrainConfig, epochs: usize) -> (Trainer, Vec<LossPoint>) {
    let mut trainer = Trainer::new(data, config).expect("valid config");
    let mut history = Vec::new();
    for _ in 0..epochs {
        trainer.run_epoch().expect("finite");
        let metrics = trainer.metrics();
        history.push(LossPoint {
            epoch: trainer.epoch() as f64,
            train_loss: metrics.train_loss as f32,
            validation_loss: metrics.validation_loss.map(|loss| loss as f32),
        });
    }
    (trainer, history)
}

fn kinds_for(trainer: &mut Trainer, history: &[LossPoint], measure_units: bool) -> Vec<AdviceKind> {
    let activity = measure_units.then(|| {
        let rows = trainer.train_set().x.clone();
        UnitActivity::measure(&trainer.model(), &rows)
    });
    let state = RunState {
        history,
        train_r2: trainer.metrics().train.r2,
        optimizer: trainer.config().optimizer,
        activation: trainer.config().activation,
        activity: activity.as_ref(),
        early_stopping: false,
    };
    diagnose(&state).iter().map(|advice| advice.kind).collect()
}

#[test]
fn a_straight_line_through_a_seasonal_curve_is_a_flat_fit() {
    // Temperature against day of year is a hump: its best straight line explains 2 %.
    let data = default_data();
    let config = TrainConfig {
        activation: Activation::Identity,
        ..TrainConfig::default()
    };
    let (mut trainer, history) = trained(&data, &config, 60);
    assert_eq!(
        kinds_for(&mut trainer, &history, true),
        [AdviceKind::FlatFit]
    );
    // The defaults fit it: no advice.
    let (mut trainer, history) = trained(&data, &TrainConfig::default(), 60);
    assert_eq!(kinds_for(&mut trainer, &history, true), []);
}

#[test]
fn crawling_sgd_on_a_poor_fit_is_a_plateau_and_adam_is_advised() {
    let data = engel();
    let config = TrainConfig {
        optimizer: OptimizerConfig::Sgd {
            learning_rate: 1e-5,
            momentum: 0.0,
            nesterov: false,
        },
        ..TrainConfig::default()
    };
    let (mut trainer, history) = trained(&data, &config, 60);
    let state = RunState {
        history: &history,
        train_r2: trainer.metrics().train.r2,
        optimizer: config.optimizer,
        activation: config.activation,
        activity: None,
        early_stopping: false,
    };
    let advice = diagnose(&state);
    let plateau = advice
        .iter()
        .find(|advice| advice.kind == AdviceKind::Plateau)
        .expect("a plateau");
    assert_eq!(plateau.action, Some(AdviceAction::SwitchToAdam));
}

#[test]
fn relu_units_pushed_below_zero_on_every_row_are_dead() {
    let data = engel();
    let config = TrainConfig {
        activation: Activation::Relu,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(&data, &config).expect("valid config");
    // Half the first layer's units get a bias no standardised input can overcome.
    let mut parameters = trainer.mlp().parameters().to_vec();
    for unit in 0..16 {
        parameters[1].data_mut()[unit] = -100.0;
    }
    trainer.set_parameters(&parameters);
    let rows = trainer.train_set().x.clone();
    let activity = UnitActivity::measure(&trainer.model(), &rows);
    assert_eq!(activity.dead[0].iter().filter(|&&dead| dead).count(), 16);
    assert!(activity.dead[0][..16].iter().all(|&dead| dead));
    let kinds = kinds_for(&mut trainer, &[], true);
    assert_eq!(kinds, [AdviceKind::DeadUnits]);
    // Freshly initialised, every first-layer unit fires on part of the data.
    let fresh = Trainer::new(&data, &config).expect("valid config");
    let activity = UnitActivity::measure(&fresh.model(), &rows);
    assert!(activity.dead[0].iter().all(|&dead| !dead));
}

#[test]
fn tanh_units_with_huge_weights_and_biases_are_saturated() {
    let data = engel();
    let mut trainer = Trainer::new(&data, &TrainConfig::default()).expect("valid config");
    let mut parameters = trainer.mlp().parameters().to_vec();
    // Large weights and biases pin every first-layer unit at its limit.
    parameters[0]
        .data_mut()
        .iter_mut()
        .for_each(|w| *w *= 200.0);
    parameters[1].data_mut().iter_mut().for_each(|b| *b = 50.0);
    trainer.set_parameters(&parameters);
    let kinds = kinds_for(&mut trainer, &[], true);
    assert_eq!(kinds, [AdviceKind::SaturatedUnits]);
    let rows = trainer.train_set().x.clone();
    let fresh = Trainer::new(&data, &TrainConfig::default()).expect("valid config");
    assert_eq!(
        UnitActivity::measure(&fresh.model(), &rows).n_saturated(),
        0
    );
}

#[test]
fn a_rising_validation_loss_under_a_falling_training_loss_is_overfitting() {
    let data = sample("anscombe_quartet", &["x1"], "y1");
    let config = TrainConfig {
        hidden_sizes: vec![64, 64],
        val_fraction: 0.3,
        batch_size: 4,
        optimizer: OptimizerConfig::Adam {
            learning_rate: 0.03,
            beta1: 0.9,
            beta2: 0.999,
            weight_decay: 0.0,
        },
        ..TrainConfig::default()
    };
    let (mut trainer, history) = trained(&data, &config, 300);
    let kinds = kinds_for(&mut trainer, &history, false);
    assert!(kinds.contains(&AdviceKind::Overfitting), "{kinds:?}");
    // The same curve with the validation loss still falling is not.
    let falling = history_of(&[(1.0, 1.0, Some(1.0)), (30.0, 0.5, Some(0.6))]);
    let state = RunState {
        history: &falling,
        train_r2: 0.9,
        optimizer: config.optimizer,
        activation: config.activation,
        activity: None,
        early_stopping: false,
    };
    assert!(diagnose(&state).is_empty());
}

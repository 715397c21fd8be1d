//! What is going wrong with a run, in plain words, and what to do about it: divergence, a
//! plateau with a poor fit, a flat fit, dead ReLU units, saturated tanh or sigmoid units, and
//! overfitting. Each diagnosis is a pure function of numbers the trainer already has (the loss
//! history, R², the hidden units' activity), so the app and the CLI give the same advice and
//! tests can craft each situation.

mod activity;

use serde::Serialize;

pub use activity::{SATURATED_OUTPUT, SATURATED_ROW_SHARE, UnitActivity};

use crate::nn::Activation;
use crate::optim::OptimizerConfig;
use crate::train::StopReason;
use crate::train::history::LossPoint;

/// How many times lower the advised learning rate is after a divergence: within the 3–10×
/// that usually brings a run back, at the end that leaves no doubt.
pub const DIVERGENCE_RATE_CUT: f32 = 10.0;
/// A layer whose share of dead or saturated units reaches this gets a warning. Not lower: on
/// one input, about a quarter of a second ReLU layer's units are dead from the start by chance
/// (each is dead when its weighted sums on both sides of the input's mean are negative).
pub const UNIT_SHARE_WARNING: f64 = 0.5;
/// R² below this after the warm-up is a flat fit: no better than predicting the mean.
pub const FLAT_R2: f64 = 0.05;
/// R² below this on a loss that no longer falls is a plateau with a poor fit. Real data are
/// noisy (horsepower explains 70 % of fuel economy at best), so only a fit that leaves more
/// than half the variance unexplained is called poor.
pub const POOR_R2: f64 = 0.5;
/// Epochs before a plateau or a flat fit is judged: every run starts slowly.
pub const WARM_UP_EPOCHS: f64 = 50.0;
/// Over the last fifth of the run (at least this many epochs), a loss that fell by less than
/// [`PLATEAU_IMPROVEMENT`] of itself is on a plateau: at that pace, halving it takes hundreds
/// of epochs more.
pub const PLATEAU_MIN_EPOCHS: f64 = 20.0;
pub const PLATEAU_IMPROVEMENT: f64 = 0.05;
/// Overfitting: the validation loss this much above its best, at least
/// [`OVERFIT_MIN_EPOCHS`] after the best, while the training loss kept falling.
pub const OVERFIT_RISE: f64 = 1.1;
pub const OVERFIT_MIN_EPOCHS: f64 = 10.0;

/// What the advice is about, for code that reacts to one kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdviceKind {
    Diverged,
    FlatFit,
    Plateau,
    DeadUnits,
    SaturatedUnits,
    Overfitting,
}

/// A change the app can make for the user with one button.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AdviceAction {
    /// Continue from the restored weights with this learning rate.
    SetLearningRate {
        learning_rate: f32,
    },
    /// Start again from new weights with this learning rate (dead units do not come back).
    ResetWithLearningRate {
        learning_rate: f32,
    },
    /// Turn early stopping on with this patience and go back to the best epoch's weights.
    EnableEarlyStopping {
        patience: usize,
    },
    SwitchToAdam,
}

impl AdviceAction {
    /// The button's words.
    pub fn label(&self) -> String {
        match self {
            Self::SetLearningRate { learning_rate } => {
                format!("Set learning rate to {}", short(*learning_rate))
            }
            Self::ResetWithLearningRate { learning_rate } => {
                format!("Reset with learning rate {}", short(*learning_rate))
            }
            Self::EnableEarlyStopping { patience } => {
                format!("Turn on early stopping (patience {patience})")
            }
            Self::SwitchToAdam => "Switch to Adam".to_owned(),
        }
    }
}

/// One diagnosis: what happened, why it matters, what to do.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Advice {
    pub kind: AdviceKind,
    /// One short line: what is happening.
    pub headline: String,
    /// Two or three sentences a student can follow: why, and what to do.
    pub explanation: String,
    pub action: Option<AdviceAction>,
}

/// What the diagnoses look at.
#[derive(Clone, Debug)]
pub struct RunState<'a> {
    /// The loss curve so far (epochs may be fractional).
    pub history: &'a [LossPoint],
    /// R² on the training rows now.
    pub train_r2: f64,
    pub optimizer: OptimizerConfig,
    pub activation: Activation,
    /// The hidden units on the training rows, when measured.
    pub activity: Option<&'a UnitActivity>,
    /// Whether early stopping is already on.
    pub early_stopping: bool,
}

/// The advice after a divergence the trainer caught: it has already put back good weights and
/// the optimizer state that went with them.
pub fn after_divergence(optimizer: OptimizerConfig, restored_epoch: usize) -> Advice {
    let rate = optimizer.learning_rate();
    let lower = rounded_rate(rate / DIVERGENCE_RATE_CUT);
    let momentum_note = match optimizer {
        OptimizerConfig::Sgd { momentum, .. } if momentum >= 0.95 => {
            " High momentum adds to it: each step carries most of the last one."
        }
        _ => "",
    };
    Advice {
        kind: AdviceKind::Diverged,
        headline: "The loss blew up: the learning rate is too high".to_owned(),
        explanation: format!(
            "Each step overshot the bottom of the loss valley and landed higher up the other \
             side, until the numbers overflowed.{momentum_note} The weights of epoch \
             {restored_epoch} (from before it went wrong) and the optimizer's state are back: \
             lower the learning rate from {} to {} and train again.",
            short(rate),
            short(lower)
        ),
        action: Some(AdviceAction::SetLearningRate {
            learning_rate: lower,
        }),
    }
}

/// Every diagnosis that applies to the run now, the most important first.
pub fn diagnose(state: &RunState<'_>) -> Vec<Advice> {
    let mut advice = Vec::new();
    advice.extend(dead_units(state));
    advice.extend(saturated_units(state));
    if let Some(flat) = flat_fit(state) {
        advice.push(flat);
    } else {
        advice.extend(plateau(state));
    }
    advice.extend(overfitting(state));
    advice
}

fn latest_epoch(history: &[LossPoint]) -> f64 {
    history.last().map_or(0.0, |point| point.epoch)
}

fn flat_fit(state: &RunState<'_>) -> Option<Advice> {
    if latest_epoch(state.history) < WARM_UP_EPOCHS || state.train_r2 >= FLAT_R2 {
        return None;
    }
    let cause = if state.activation == Activation::Identity {
        "With the identity activation the whole network is one straight line (a flat plane \
         with several inputs), and the data do not follow one. Choose tanh or ReLU."
    } else {
        "The network has not found the pattern yet: it may be too small, the learning rate too \
         low, or the inputs may not predict the target at all."
    };
    Some(Advice {
        kind: AdviceKind::FlatFit,
        headline: format!(
            "A flat fit: R² {:.2}, no better than predicting the average",
            state.train_r2
        ),
        explanation: cause.to_owned(),
        action: None,
    })
}

fn plateau(state: &RunState<'_>) -> Option<Advice> {
    let history = state.history;
    let now = latest_epoch(history);
    if now < WARM_UP_EPOCHS || state.train_r2 >= POOR_R2 {
        return None;
    }
    let window = (now / 5.0).max(PLATEAU_MIN_EPOCHS);
    let start = history.iter().find(|point| point.epoch >= now - window)?;
    let end = history.last()?;
    let (before, after) = (f64::from(start.train_loss), f64::from(end.train_loss));
    if before - after > PLATEAU_IMPROVEMENT * before {
        return None;
    }
    let rate = state.optimizer.learning_rate();
    let (explanation, action) = match state.optimizer {
        OptimizerConfig::Sgd { .. } => (
            format!(
                "The loss has barely moved for {window:.0} epochs while the fit is still poor \
                 (R² {:.2}). Plain gradient descent crawls across flat stretches of the loss; \
                 Adam scales each step to the slope it has seen and gets across. A higher \
                 learning rate (3× to {}) may also do.",
                state.train_r2,
                short(rounded_rate(rate * 3.0))
            ),
            AdviceAction::SwitchToAdam,
        ),
        OptimizerConfig::Adam { .. } => (
            format!(
                "The loss has barely moved for {window:.0} epochs while the fit is still poor \
                 (R² {:.2}). The network may be too small for the shape of the data (add \
                 units or a layer), or the steps too small to leave a flat region (try {}).",
                state.train_r2,
                short(rounded_rate(rate * 3.0))
            ),
            AdviceAction::SetLearningRate {
                learning_rate: rounded_rate(rate * 3.0),
            },
        ),
    };
    Some(Advice {
        kind: AdviceKind::Plateau,
        headline: "Stuck on a plateau with a poor fit".to_owned(),
        explanation,
        action: Some(action),
    })
}

fn dead_units(state: &RunState<'_>) -> Option<Advice> {
    let activity = state.activity?;
    let worst = worst_layer(&activity.dead)?;
    let rate = state.optimizer.learning_rate();
    Some(Advice {
        kind: AdviceKind::DeadUnits,
        headline: format!(
            "{} of {} ReLU units are dead (never fire on the data)",
            activity.n_dead(),
            activity.n_units()
        ),
        explanation: format!(
            "A dead unit outputs 0 for every row, so no gradient reaches its weights and it \
             can never learn again; in hidden layer {} {:.0} % are dead. A learning rate too \
             high pushes biases far negative; some units are also dead from the start by \
             chance. Start again with a lower rate ({}), or use tanh.",
            worst.0 + 1,
            100.0 * worst.1,
            short(rounded_rate(rate / 3.0))
        ),
        action: Some(AdviceAction::ResetWithLearningRate {
            learning_rate: rounded_rate(rate / 3.0),
        }),
    })
}

fn saturated_units(state: &RunState<'_>) -> Option<Advice> {
    let activity = state.activity?;
    let worst = worst_layer(&activity.saturated)?;
    let name = state.activation.name();
    let rate = state.optimizer.learning_rate();
    Some(Advice {
        kind: AdviceKind::SaturatedUnits,
        headline: format!(
            "{} of {} {name} units are saturated (stuck at their limits)",
            activity.n_saturated(),
            activity.n_units()
        ),
        explanation: format!(
            "A saturated unit gives nearly the same output for every row, where its slope is \
             almost zero, so it barely learns; in hidden layer {} {:.0} % are. Large weights \
             cause it, often from a learning rate too high. Start again with a lower rate ({}).",
            worst.0 + 1,
            100.0 * worst.1,
            short(rounded_rate(rate / 3.0))
        ),
        action: Some(AdviceAction::ResetWithLearningRate {
            learning_rate: rounded_rate(rate / 3.0),
        }),
    })
}

/// The layer with the largest share of flagged units, when that share warrants a warning.
fn worst_layer(flags: &[Vec<bool>]) -> Option<(usize, f64)> {
    flags
        .iter()
        .enumerate()
        .filter(|(_, units)| !units.is_empty())
        .map(|(layer, units)| {
            let share = units.iter().filter(|&&f| f).count() as f64 / units.len() as f64;
            (layer, share)
        })
        .filter(|&(_, share)| share >= UNIT_SHARE_WARNING)
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

fn overfitting(state: &RunState<'_>) -> Option<Advice> {
    let history = state.history;
    let (best_index, best) = history
        .iter()
        .enumerate()
        .filter_map(|(i, point)| Some((i, point.validation_loss?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    let end = history.last()?;
    let now_validation = end.validation_loss?;
    let best_point = history[best_index];
    let is_rising = f64::from(now_validation) > OVERFIT_RISE * f64::from(best)
        && end.epoch - best_point.epoch >= OVERFIT_MIN_EPOCHS;
    let train_fell = end.train_loss < best_point.train_loss;
    if !(is_rising && train_fell) {
        return None;
    }
    let action = (!state.early_stopping).then_some(AdviceAction::EnableEarlyStopping {
        patience: OVERFIT_MIN_EPOCHS as usize * 2,
    });
    Some(Advice {
        kind: AdviceKind::Overfitting,
        headline: format!(
            "Overfitting: the validation loss is rising since epoch {:.0}",
            best_point.epoch
        ),
        explanation: "The training loss keeps falling while the loss on rows the network never \
                      trains on goes up: it is learning the training rows' noise, not the \
                      pattern. Stop at the best validation epoch (early stopping), or use a \
                      smaller network or weight decay."
            .to_owned(),
        action,
    })
}

/// Advice for a run that ended: how it ended, in words.
pub fn describe_stop(reason: StopReason, best_epoch: Option<usize>, epoch: usize) -> String {
    match (reason, best_epoch) {
        (StopReason::EarlyStopping, Some(best)) => format!(
            "stopped at epoch {epoch}: best validation loss at epoch {best}, whose weights \
             were kept"
        ),
        (StopReason::TargetLoss, _) => format!("stopped at epoch {epoch}: target loss reached"),
        (StopReason::Diverged, _) => format!("stopped at epoch {epoch}: training diverged"),
        (StopReason::Stopped, _) => format!("stopped at epoch {epoch}, current weights kept"),
        _ => format!("stopped at epoch {epoch}: epoch limit reached"),
    }
}

/// `rate` to one significant figure (1/3 of 0.01 is advised as 0.003, not 0.0033333): a
/// setting a person would type.
fn rounded_rate(rate: f32) -> f32 {
    if !(rate.is_finite() && rate > 0.0) {
        return rate;
    }
    let magnitude = 10f32.powf(rate.log10().floor());
    let rounded = (rate / magnitude).round() * magnitude;
    // Printed and parsed back, so 0.3 is the f32 nearest 0.3, not 0.30000001.
    format!("{rounded:.1e}").parse().unwrap_or(rounded)
}

/// A learning rate as a person would write it: 0.05, 0.003, 1e-5.
fn short(value: f32) -> String {
    if value != 0.0 && (value.abs() < 1e-3 || value.abs() >= 1e4) {
        format!("{value:.0e}")
    } else {
        let text = format!("{value:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::{rounded_rate, short};

    #[test]
    fn advised_rates_have_one_significant_figure() {
        assert_eq!(rounded_rate(1.0 / 3.0), 0.3);
        assert_eq!(rounded_rate(0.01 / 3.0), 0.003);
        assert_eq!(rounded_rate(0.05 / 10.0), 0.005);
        assert_eq!(rounded_rate(0.01 * 3.0), 0.03);
        assert_eq!(rounded_rate(0.7 * 3.0), 2.0);
    }

    #[test]
    fn learning_rates_read_as_written() {
        assert_eq!(short(0.05), "0.05");
        assert_eq!(short(0.1), "0.1");
        assert_eq!(short(3.0), "3");
        assert_eq!(short(0.0033333), "0.0033");
        assert_eq!(short(1e-5), "1e-5");
    }
}

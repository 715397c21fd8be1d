//! Advice in the window: a divergence caught by the trainer, a stop rule that ended the run,
//! and the live diagnoses the worker measures (flat fit, plateau, dead or saturated units,
//! overfitting), each as a message with a button that does what it advises.

use crate::train::StopReason;
use crate::train::advice::{Advice, AdviceAction, AdviceKind, describe_stop};

use super::nanograd_app::NanogradApp;
use super::notices::{Notice, NoticeResponse, Topic};
use super::session::Command;
use super::snapshot::{PauseReason, RunId};
use super::state::{OptimizerKind, OptimizerSettings};

/// Validation share the app sets when early stopping is asked for on data with none held out.
const EARLY_STOPPING_VALIDATION: f32 = 0.2;

/// What the advice messages on screen offer, and which live advice the user dismissed.
#[derive(Default)]
pub struct AdviceDesk {
    /// The action behind each message's button, by the message's topic.
    actions: Vec<(Topic, AdviceAction)>,
    /// The live advice on screen.
    shown: Option<AdviceKind>,
    /// The live advice the user closed: not shown again while it stays the same.
    dismissed: Option<AdviceKind>,
}

impl NanogradApp {
    /// Shows `advice` as a message about `topic`, with its button.
    fn advise(&mut self, topic: Topic, title: &str, message: String, advice: &Advice) {
        self.advice_desk
            .actions
            .retain(|(shown, _)| *shown != topic);
        if let Some(action) = advice.action {
            self.advice_desk.actions.push((topic, action));
        }
        self.notices.push(Notice {
            topic,
            is_error: advice.kind == AdviceKind::Diverged,
            title: title.to_owned(),
            message,
            fades: false,
            action: advice.action.map(|action| action.label()),
        });
    }

    /// A run stopped by itself: why, and for a divergence what to do, with its button.
    pub(super) fn on_stopped(&mut self, run: Option<RunId>, reason: PauseReason) {
        let prefix = run.map_or_else(String::new, |run| format!("Run {}: ", run.0 + 1));
        match reason {
            PauseReason::EpochLimit { epoch } => self.note(
                Topic::Training,
                "Epoch limit reached",
                format!(
                    "{prefix}Training paused after {epoch} epochs. Raise or untick the epoch \
                     limit in the Optimizer panel to go on, or press Reset."
                ),
            ),
            PauseReason::Diverged { advice, .. } => {
                let message = format!("{prefix}{}. {}", advice.headline, advice.explanation);
                if run.is_some_and(|run| run.0 > 0) {
                    // A raced run's rate is set in the Compare window, not by the button,
                    // which would change the main run's.
                    self.error(Topic::Training, "Training diverged", message);
                } else {
                    self.advise(Topic::Training, "Training diverged", message, &advice);
                }
            }
            PauseReason::RuleMet {
                reason,
                epoch,
                best_epoch,
            } => {
                let title = match reason {
                    StopReason::EarlyStopping => "Early stopping",
                    StopReason::TargetLoss => "Target loss reached",
                    _ => "Training stopped",
                };
                let said = describe_stop(reason, best_epoch, epoch);
                let said = said.strip_prefix("stopped").unwrap_or(&said);
                self.note(
                    Topic::Training,
                    title,
                    format!(
                        "{prefix}Stopped{said}. Press Train to go on, or Reset to start again."
                    ),
                );
            }
        }
    }

    /// Keeps the live advice message in step with the main run's diagnosis.
    pub(super) fn follow_live_advice(&mut self) {
        let top = self.main_run().and_then(|run| run.advice.first().cloned());
        let desk = &mut self.advice_desk;
        if top.as_ref().map(|advice| advice.kind) != desk.dismissed {
            desk.dismissed = None;
        }
        match top {
            None => {
                if desk.shown.take().is_some() {
                    self.notices.clear(Topic::Advice);
                    self.advice_desk
                        .actions
                        .retain(|(topic, _)| *topic != Topic::Advice);
                }
            }
            Some(advice) => {
                let is_new = desk.shown != Some(advice.kind);
                if is_new && desk.dismissed != Some(advice.kind) {
                    desk.shown = Some(advice.kind);
                    let message = advice.explanation.clone();
                    self.advise(Topic::Advice, &advice.headline, message, &advice);
                }
            }
        }
    }

    /// A message's button was pressed or a message closed.
    pub(super) fn on_notice_response(&mut self, response: NoticeResponse) {
        if response.dismissed == Some(Topic::Advice) {
            self.advice_desk.dismissed = self.advice_desk.shown.take();
        }
        let Some(topic) = response.acted_on else {
            return;
        };
        let action = self
            .advice_desk
            .actions
            .iter()
            .find(|(shown, _)| *shown == topic)
            .map(|(_, action)| *action);
        self.notices.clear(topic);
        self.advice_desk
            .actions
            .retain(|(shown, _)| *shown != topic);
        if topic == Topic::Advice {
            self.advice_desk.shown = None;
        }
        if let Some(action) = action {
            self.apply_advice(action);
        }
    }

    /// Does what a piece of advice offers.
    pub fn apply_advice(&mut self, action: AdviceAction) {
        let clamp = |rate: f32| {
            rate.clamp(
                OptimizerSettings::MIN_LEARNING_RATE,
                OptimizerSettings::MAX_LEARNING_RATE,
            )
        };
        match action {
            AdviceAction::SetLearningRate { learning_rate } => {
                let rate = clamp(learning_rate);
                *self.settings.optimizer.learning_rate_mut() = rate;
                self.send(Command::SetLearningRate(rate));
                self.note(
                    Topic::Training,
                    "Learning rate lowered",
                    format!(
                        "It is {rate:.1e} now. Press Train to go on from the weights put back."
                    ),
                );
            }
            AdviceAction::ResetWithLearningRate { learning_rate } => {
                *self.settings.optimizer.learning_rate_mut() = clamp(learning_rate);
                self.reset_model();
            }
            AdviceAction::EnableEarlyStopping { patience } => {
                self.settings.optimizer.early_stopping = Some(patience);
                if self.settings.val_fraction <= 0.0 {
                    // Early stopping watches rows the network does not train on.
                    self.settings.val_fraction = EARLY_STOPPING_VALIDATION;
                    self.reset_model();
                } else {
                    self.send(Command::SetStopRules(self.settings.optimizer.stop_rules()));
                }
            }
            AdviceAction::SwitchToAdam => {
                self.settings.optimizer.kind = OptimizerKind::Adam;
                self.reset_model();
            }
        }
    }
}

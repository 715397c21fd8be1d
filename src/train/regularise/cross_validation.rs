//! k-fold cross-validation of the L2 penalty on the training rows, and the rule that picks a
//! candidate from the folds' losses.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;

use super::{
    CandidateModel, CandidateScore, ChosenBy, CvRule, CvSettings, L2Choice, LINEAR_EPOCHS,
    LINEAR_L2, linear_config,
};
use crate::data::Dataset;
use crate::nn::LossKind;
use crate::train::config::TrainConfig;
use crate::train::trainer::{TrainError, Trainer};

/// k-fold cross-validation of the penalty: the rows are shuffled (seeded by `config.seed`) and
/// dealt into `settings.folds` folds (at most one per row); each candidate is trained `epochs`
/// epochs on all folds but one and scored on that one, for every fold. The loss is pooled over
/// every row; `settings.rule` picks the winner (the smaller penalty on a tie). Every run has
/// `config`'s settings, its seed, and no validation split. `keep_going` as in
/// [`choose_l2_watched`].
pub fn cross_validate_l2(
    dataset: &Dataset,
    config: &TrainConfig,
    epochs: usize,
    settings: &CvSettings,
    keep_going: &mut dyn FnMut(f64) -> bool,
) -> Result<Option<L2Choice>, TrainError> {
    let n = dataset.n_rows();
    let folds = settings.folds.clamp(2, n.max(2));
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(
        config.seed ^ 0xc0ff_ee00_f01d_5eed,
    ));
    // Scored in the standardised units of all the rows, the same for every fold.
    let y_standardization = dataset.y_standardization();
    let mut candidates: Vec<(CandidateModel, f32)> = settings
        .candidates
        .iter()
        .map(|&l2| (CandidateModel::Network, l2))
        .collect();
    if settings.linear && !config.hidden_sizes.is_empty() {
        candidates.push((CandidateModel::Linear, LINEAR_L2));
    }
    let epochs_of = |model: CandidateModel| match model {
        CandidateModel::Network => epochs,
        CandidateModel::Linear => LINEAR_EPOCHS,
    };
    let total_epochs =
        (folds * candidates.iter().map(|&(m, _)| epochs_of(m)).sum::<usize>()).max(1) as f64;
    let mut epochs_done = 0;
    // Each candidate's loss summed over each fold's rows, and the fold's row count.
    let mut fold_losses = vec![Vec::with_capacity(folds); candidates.len()];
    let mut fold_rows = Vec::with_capacity(folds);
    for fold in 0..folds {
        let (mut held_out, mut kept) = (Vec::new(), Vec::new());
        for (position, &row) in order.iter().enumerate() {
            if position % folds == fold {
                held_out.push(row);
            } else {
                kept.push(row);
            }
        }
        if held_out.is_empty() || kept.len() < 2 {
            continue;
        }
        let train = dataset.subset(&kept);
        let scored = dataset.subset(&held_out);
        let mut targets = scored.y.clone();
        y_standardization.apply(&mut targets);
        fold_rows.push(held_out.len());
        for (&(model, l2), losses) in candidates.iter().zip(&mut fold_losses) {
            let (run_config, run_epochs) = match model {
                CandidateModel::Network => (
                    TrainConfig {
                        l2,
                        ..config.clone()
                    },
                    epochs,
                ),
                CandidateModel::Linear => (linear_config(config), LINEAR_EPOCHS),
            };
            let run_config = TrainConfig {
                val_fraction: 0.0,
                ..run_config
            };
            let mut trainer = Trainer::new(&train, &run_config)?;
            let mut diverged = false;
            for epoch in 1..=run_epochs {
                diverged = trainer.run_epoch().is_err();
                // A diverged run's remaining epochs count as done: they will not be run.
                epochs_done += if diverged { run_epochs - epoch + 1 } else { 1 };
                if !keep_going(epochs_done as f64 / total_epochs) {
                    return Ok(None);
                }
                if diverged {
                    break;
                }
            }
            losses.push(if diverged {
                f64::INFINITY
            } else {
                let mut predictions = trainer.predict(&scored.x);
                y_standardization.apply(&mut predictions);
                loss_sum(config.loss, &predictions, &targets)
            });
        }
    }
    let scored_rows: usize = fold_rows.iter().sum();
    let scores: Vec<CandidateScore> = candidates
        .iter()
        .zip(&fold_losses)
        .map(|(&(model, l2), losses)| {
            let cv_loss = losses.iter().sum::<f64>() / scored_rows.max(1) as f64;
            // Each fold's mean loss, and their spread.
            let means: Vec<f64> = losses
                .iter()
                .zip(&fold_rows)
                .map(|(loss, &rows)| loss / rows as f64)
                .collect();
            let k = means.len() as f64;
            let mean = means.iter().sum::<f64>() / k;
            let variance =
                means.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (k - 1.0).max(1.0);
            CandidateScore {
                model,
                l2,
                cv_loss,
                cv_loss_se: (variance / k).sqrt(),
            }
        })
        .collect();
    // Simplest first: the linear model, then the network from the largest penalty down.
    let simplicity = |s: &CandidateScore| (s.model == CandidateModel::Network, -s.l2);
    let best = scores
        .iter()
        .filter(|s| s.cv_loss.is_finite())
        .min_by(|a, b| a.cv_loss.total_cmp(&b.cv_loss).then(a.l2.total_cmp(&b.l2)));
    let rule = settings.rule.for_rows(n);
    let chosen = match (best, rule) {
        (None, _) => None,
        (Some(best), CvRule::Min | CvRule::BySize) => Some(best),
        (Some(best), CvRule::OneStandardError) => scores
            .iter()
            .filter(|s| s.cv_loss <= best.cv_loss + best.cv_loss_se)
            .min_by(|a, b| {
                let (a, b) = (simplicity(a), simplicity(b));
                a.0.cmp(&b.0).then(a.1.total_cmp(&b.1))
            }),
        (Some(best), CvRule::LeastPenalty) => scores
            .iter()
            .filter(|s| s.cv_loss <= best.cv_loss + best.cv_loss_se)
            .max_by(|a, b| {
                let (a, b) = (simplicity(a), simplicity(b));
                a.0.cmp(&b.0).then(a.1.total_cmp(&b.1))
            }),
    };
    Ok(Some(L2Choice {
        model: chosen.map_or(CandidateModel::Network, |c| c.model),
        l2: chosen.map_or(0.0, |c| c.l2),
        chosen_by: ChosenBy::CrossValidation,
        folds: fold_rows.len(),
        rule: Some(rule),
        candidates: scores,
    }))
}

/// The loss summed (not averaged) over rows.
fn loss_sum(kind: LossKind, predictions: &[f32], targets: &[f32]) -> f64 {
    let errors = predictions
        .iter()
        .zip(targets)
        .map(|(&p, &t)| f64::from(p) - f64::from(t));
    match kind {
        LossKind::Mse => errors.map(|e| e * e).sum(),
        LossKind::Mae => errors.map(f64::abs).sum(),
    }
}

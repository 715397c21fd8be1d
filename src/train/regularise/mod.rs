//! Choosing the L2 penalty a run trains with: by k-fold cross-validation on the training rows
//! when there are few enough of them for that to be cheap, and a fixed default otherwise. The
//! held-out benchmark in `benches/generalise` is what the candidates, the fold count and the
//! row limit were measured with (see its README).

use serde::Serialize;

use super::config::TrainConfig;
use super::trainer::TrainError;
use crate::data::Dataset;

mod cross_validation;

pub use cross_validation::cross_validate_l2;

/// The penalties cross-validation chooses among (scikit-learn's `alpha`, see
/// [`TrainConfig::l2`]).
pub const L2_CANDIDATES: [f32; 6] = [0.1, 0.3, 1.0, 3.0, 10.0, 30.0];

/// Folds of the cross-validation (fewer when there are fewer rows).
pub const CV_FOLDS: usize = 5;

/// Above this many training rows the penalty is not cross-validated (it would cost
/// `CV_FOLDS × candidates` runs) but set to [`LARGE_DATA_L2`].
pub const CV_MAX_ROWS: usize = 1000;

/// The penalty for data sets too large to cross-validate.
pub const LARGE_DATA_L2: f32 = 0.1;

/// Below this many training rows [`CvRule::BySize`] takes the one-standard-error rule, at or
/// above it the lowest loss. On a few dozen rows the folds' losses scatter so widely that the
/// lowest is often a lucky draw, and the simplest candidate within one standard error predicts
/// held-out rows better (benchmark: 14 of 14 pairs against 11 for the lowest loss); on hundreds
/// of rows the lowest is reliable, and the one-standard-error rule there over-smooths (cars_mpg
/// in-sample R² 0.683 against scikit-learn's 0.693, where the lowest loss gives 0.695).
pub const ONE_SE_MAX_ROWS: usize = 100;

/// The linear candidate (no hidden layer) is trained full batch, which converges onto the
/// least-squares fit in this many epochs (one step each) at [`LINEAR_LEARNING_RATE`].
pub const LINEAR_EPOCHS: usize = 2000;
pub const LINEAR_LEARNING_RATE: f32 = 0.05;
/// A slight ridge for the linear candidate, which steadies strongly collinear inputs.
pub const LINEAR_L2: f32 = 0.1;

/// What a candidate trains: the configured network with a penalty, or a linear model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateModel {
    /// The network as configured.
    Network,
    /// No hidden layer: (ridge) linear regression, [`linear_config`].
    Linear,
}

/// The configuration of the linear candidate for `config`: no hidden layer, full batch, the
/// same optimizer at [`LINEAR_LEARNING_RATE`], penalty [`LINEAR_L2`]; run [`LINEAR_EPOCHS`].
pub fn linear_config(config: &TrainConfig) -> TrainConfig {
    TrainConfig {
        hidden_sizes: Vec::new(),
        batch_size: usize::MAX,
        optimizer: config.optimizer.with_learning_rate(LINEAR_LEARNING_RATE),
        l2: LINEAR_L2,
        ..config.clone()
    }
}

/// Which candidate cross-validation picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CvRule {
    /// The lowest cross-validated loss.
    Min,
    /// The simplest candidate whose loss is within one standard error (over the folds) of the
    /// lowest: the linear model, then the network from the largest penalty to the smallest.
    OneStandardError,
    /// The most flexible candidate (the network with the smallest penalty) whose loss is within
    /// one standard error of the lowest: where the folds cannot tell candidates apart, the one
    /// that gives up the least fit to the training rows.
    LeastPenalty,
    /// [`Self::OneStandardError`] below [`ONE_SE_MAX_ROWS`] training rows, else
    /// [`Self::LeastPenalty`].
    BySize,
}

impl CvRule {
    /// The rule this one applies on `rows` training rows.
    pub fn for_rows(self, rows: usize) -> Self {
        match self {
            Self::BySize if rows < ONE_SE_MAX_ROWS => Self::OneStandardError,
            Self::BySize => Self::LeastPenalty,
            rule => rule,
        }
    }
}

/// How the penalty is cross-validated.
#[derive(Clone, Debug, PartialEq)]
pub struct CvSettings {
    pub folds: usize,
    pub candidates: Vec<f32>,
    pub rule: CvRule,
    /// Also try a linear model (no hidden layer), see [`linear_config`].
    pub linear: bool,
    /// Above this many training rows, no cross-validation: [`LARGE_DATA_L2`].
    pub max_rows: usize,
}

impl Default for CvSettings {
    fn default() -> Self {
        Self {
            folds: CV_FOLDS,
            candidates: L2_CANDIDATES.to_vec(),
            rule: CvRule::BySize,
            linear: true,
            max_rows: CV_MAX_ROWS,
        }
    }
}

/// How the penalty was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChosenBy {
    /// None asked for: no penalty, the unregularised fit (what `TrainConfig::default` does).
    Default,
    /// Given by the user (`--l2`).
    User,
    CrossValidation,
    /// The fixed default for data sets above [`CV_MAX_ROWS`] rows.
    LargeDataDefault,
}

/// One candidate's cross-validated loss: the mean over every row of the loss of the model
/// trained without that row's fold, in standardised units.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CandidateScore {
    pub model: CandidateModel,
    pub l2: f32,
    /// Infinite when a fold diverged.
    pub cv_loss: f64,
    /// The standard error of `cv_loss` over the folds.
    pub cv_loss_se: f64,
}

/// The chosen penalty, and what it was chosen from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct L2Choice {
    /// The network as configured, or the linear model.
    pub model: CandidateModel,
    pub l2: f32,
    pub chosen_by: ChosenBy,
    /// Folds used (0 unless cross-validated).
    pub folds: usize,
    /// The rule that picked the candidate (`OneStandardError` or `Min`), when cross-validated.
    pub rule: Option<CvRule>,
    pub candidates: Vec<CandidateScore>,
}

impl L2Choice {
    /// No penalty, because none was asked for.
    pub fn none() -> Self {
        Self {
            chosen_by: ChosenBy::Default,
            ..Self::user(0.0)
        }
    }

    /// A user's penalty, kept as given.
    pub fn user(l2: f32) -> Self {
        Self {
            model: CandidateModel::Network,
            l2,
            chosen_by: ChosenBy::User,
            folds: 0,
            rule: None,
            candidates: Vec::new(),
        }
    }

    /// The configuration and epoch count to train with this choice: `config` with the penalty,
    /// or the linear model's configuration and [`LINEAR_EPOCHS`].
    pub fn apply(&self, config: &TrainConfig, epochs: usize) -> (TrainConfig, usize) {
        match self.model {
            CandidateModel::Network => (
                TrainConfig {
                    l2: self.l2,
                    ..config.clone()
                },
                epochs,
            ),
            CandidateModel::Linear => (linear_config(config), LINEAR_EPOCHS),
        }
    }

    /// One line for people, e.g. "L2 penalty 3 chosen by 5-fold cross-validation among 0.1…30".
    pub fn describe(&self) -> String {
        let l2 = self.l2;
        match self.chosen_by {
            ChosenBy::Default => "no L2 penalty".to_owned(),
            ChosenBy::User => format!("L2 penalty {l2} (as given)"),
            ChosenBy::CrossValidation => {
                let listed: Vec<String> = self
                    .candidates
                    .iter()
                    .filter(|c| c.model == CandidateModel::Network)
                    .map(|c| c.l2.to_string())
                    .collect();
                let has_linear = self
                    .candidates
                    .iter()
                    .any(|c| c.model == CandidateModel::Linear);
                let chosen = match self.model {
                    CandidateModel::Network => format!("L2 penalty {l2}"),
                    CandidateModel::Linear => {
                        format!("a linear model (no hidden layer, L2 penalty {l2})")
                    }
                };
                let rule = match self.rule {
                    Some(CvRule::OneStandardError) => {
                        ", the simplest within one standard error of the lowest loss"
                    }
                    Some(CvRule::Min) => ", the lowest loss",
                    Some(CvRule::LeastPenalty) => {
                        ", the smallest penalty within one standard error of the lowest loss"
                    }
                    Some(CvRule::BySize) | None => "",
                };
                format!(
                    "{chosen} chosen by {}-fold cross-validation among penalties {}{}{rule}",
                    self.folds,
                    listed.join(", "),
                    if has_linear {
                        " and a linear model"
                    } else {
                        ""
                    }
                )
            }
            ChosenBy::LargeDataDefault => {
                format!("L2 penalty {l2}, the default for large data (not cross-validated)")
            }
        }
    }
}

/// The penalty for training `config` on `dataset` for `epochs` epochs: cross-validated on the
/// training rows (those `config.val_fraction` leaves) when there are at most
/// `settings.max_rows`, else [`LARGE_DATA_L2`].
pub fn choose_l2(
    dataset: &Dataset,
    config: &TrainConfig,
    epochs: usize,
    settings: &CvSettings,
) -> Result<L2Choice, TrainError> {
    let choice = choose_l2_watched(dataset, config, epochs, settings, &mut |_| true)?;
    Ok(choice.unwrap_or_else(L2Choice::none))
}

/// [`choose_l2`] for a caller that shows progress and may give up: `keep_going` is told the
/// share of the work done (0 to 1) after every epoch of every fold, and `None` comes back as
/// soon as it answers false.
pub fn choose_l2_watched(
    dataset: &Dataset,
    config: &TrainConfig,
    epochs: usize,
    settings: &CvSettings,
    keep_going: &mut dyn FnMut(f64) -> bool,
) -> Result<Option<L2Choice>, TrainError> {
    if let Some(choice) = large_data_choice(dataset, config, settings) {
        return Ok(Some(choice));
    }
    let (train_set, _) = dataset.split(config.val_fraction, config.seed);
    cross_validate_l2(&train_set, config, epochs, settings, keep_going)
}

/// The fixed choice for training rows above `settings.max_rows`, made at once without
/// training; `None` when the penalty is to be cross-validated.
pub fn large_data_choice(
    dataset: &Dataset,
    config: &TrainConfig,
    settings: &CvSettings,
) -> Option<L2Choice> {
    let validation_rows = dataset.validation_rows(config.val_fraction);
    (dataset.n_rows() - validation_rows > settings.max_rows).then(|| L2Choice {
        model: CandidateModel::Network,
        l2: LARGE_DATA_L2,
        chosen_by: ChosenBy::LargeDataDefault,
        folds: 0,
        rule: None,
        candidates: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Synthetic, synthetic};
    use rand::rngs::ChaCha8Rng;
    use rand::seq::SliceRandom;
    use rand::{RngExt, SeedableRng};

    fn settings() -> CvSettings {
        CvSettings {
            candidates: vec![0.1, 1.0, 30.0],
            rule: CvRule::Min,
            linear: false,
            ..CvSettings::default()
        }
    }

    fn cv(dataset: &Dataset, config: &TrainConfig, epochs: usize, with: &CvSettings) -> L2Choice {
        cross_validate_l2(dataset, config, epochs, with, &mut |_| true)
            .expect("trains")
            .expect("not cancelled")
    }

    #[test]
    fn the_rule_by_size_is_one_standard_error_on_few_rows_and_the_lowest_loss_on_many() {
        let by_size = CvSettings {
            rule: CvRule::BySize,
            ..settings()
        };
        let config = TrainConfig::default();
        for (rows, rule) in [
            (ONE_SE_MAX_ROWS - 1, CvRule::OneStandardError),
            (ONE_SE_MAX_ROWS, CvRule::LeastPenalty),
        ] {
            let data = synthetic(Synthetic::Sine, rows, 0.3, 2);
            let choice = cv(&data, &config, 2, &by_size);
            assert_eq!(choice.rule, Some(rule), "{rows} rows");
            let best = choice
                .candidates
                .iter()
                .min_by(|a, b| a.cv_loss.total_cmp(&b.cv_loss))
                .expect("candidates");
            let within = |c: &CandidateScore| c.cv_loss <= best.cv_loss + best.cv_loss_se;
            let chosen = choice
                .candidates
                .iter()
                .find(|c| c.l2 == choice.l2)
                .expect("chosen is a candidate");
            let penalties_within = || choice.candidates.iter().filter(|c| within(c)).map(|c| c.l2);
            let expected = match rule {
                CvRule::OneStandardError => penalties_within().fold(0.0, f32::max),
                _ => penalties_within().fold(f32::INFINITY, f32::min),
            };
            assert_eq!(chosen.l2, expected, "{rows} rows: {choice:?}");
        }
    }

    #[test]
    fn the_watched_choice_reports_progress_and_gives_up_when_told() {
        let data = synthetic(Synthetic::Sine, 20, 0.1, 3);
        let config = TrainConfig::default();
        let mut seen = Vec::new();
        let choice = choose_l2_watched(&data, &config, 4, &settings(), &mut |done| {
            seen.push(done);
            true
        })
        .expect("trains");
        assert!(choice.is_some());
        // 5 folds × 3 candidates × 4 epochs, rising to exactly all of it.
        assert_eq!(seen.len(), 60);
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(seen.last().copied(), Some(1.0));
        let mut calls = 0;
        let cancelled = choose_l2_watched(&data, &config, 4, &settings(), &mut |_| {
            calls += 1;
            calls < 10
        })
        .expect("trains");
        assert_eq!((cancelled, calls), (None, 10));
    }

    #[test]
    fn a_noisy_straight_line_gets_the_linear_model() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let x: Vec<f32> = (0..16).map(|i| i as f32).collect();
        let y: Vec<f32> = x
            .iter()
            .map(|&x| 2.0 * x + 6.0 * (rng.random::<f32>() - 0.5))
            .collect();
        let line = Dataset::new("line", vec!["x".into()], "y", x, y).expect("valid");
        let with_linear = CvSettings {
            linear: true,
            ..settings()
        };
        let choice = cv(&line, &TrainConfig::default(), 300, &with_linear);
        assert_eq!(choice.model, CandidateModel::Linear, "{choice:?}");
        assert_eq!(choice.l2, LINEAR_L2);
        assert_eq!(choice.candidates.len(), 4);
        assert!(
            choice.describe().contains("a linear model"),
            "{}",
            choice.describe()
        );
        // A network without hidden layers has no linear candidate besides itself.
        let linear_already = TrainConfig {
            hidden_sizes: Vec::new(),
            ..TrainConfig::default()
        };
        let choice = cv(&line, &linear_already, 50, &with_linear);
        assert_eq!(choice.candidates.len(), 3);
    }

    #[test]
    fn a_clean_curve_gets_a_small_penalty_and_pure_noise_a_large_one() {
        let config = TrainConfig::default();
        let curve = synthetic(Synthetic::Sine, 30, 0.0, 1);
        let choice = cv(&curve, &config, 300, &settings());
        assert_eq!(choice.l2, 0.1, "{choice:?}");
        assert_eq!(
            (choice.folds, choice.chosen_by),
            (5, ChosenBy::CrossValidation)
        );
        // Targets with nothing to do with x: the flattest fit predicts unseen rows best.
        let mut noise = curve.clone();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut values: Vec<f32> = (0..noise.n_rows()).map(|i| (i % 7) as f32).collect();
        values.shuffle(&mut rng);
        noise.y = values;
        let choice = cv(&noise, &config, 300, &settings());
        assert_eq!(choice.l2, 30.0, "{choice:?}");
        assert!(choice.candidates.iter().all(|c| c.cv_loss.is_finite()));
    }

    #[test]
    fn few_rows_get_one_fold_per_row_and_many_rows_the_fixed_default() {
        let config = TrainConfig::default();
        let tiny = synthetic(Synthetic::Polynomial, 3, 0.0, 1);
        let choice = cv(&tiny, &config, 5, &settings());
        assert_eq!(choice.folds, 3);
        let large = synthetic(Synthetic::Polynomial, CV_MAX_ROWS + 1, 0.0, 1);
        let choice = choose_l2(&large, &config, 5, &settings()).expect("trains");
        assert_eq!(
            (choice.l2, choice.chosen_by),
            (LARGE_DATA_L2, ChosenBy::LargeDataDefault)
        );
        // The validation rows are not part of the rows that count.
        let held = TrainConfig {
            val_fraction: 0.5,
            ..config
        };
        let choice = choose_l2(&large, &held, 5, &settings()).expect("trains");
        assert_eq!(choice.chosen_by, ChosenBy::CrossValidation);
    }

    #[test]
    fn one_standard_error_takes_the_largest_penalty_near_the_best() {
        let config = TrainConfig::default();
        let curve = synthetic(Synthetic::Sine, 20, 0.3, 3);
        let min = cv(&curve, &config, 200, &settings());
        let one_se = CvSettings {
            rule: CvRule::OneStandardError,
            ..settings()
        };
        let chosen = cv(&curve, &config, 200, &one_se);
        let best = min
            .candidates
            .iter()
            .find(|c| c.l2 == min.l2)
            .expect("a candidate");
        let expected = min
            .candidates
            .iter()
            .filter(|c| c.cv_loss <= best.cv_loss + best.cv_loss_se)
            .map(|c| c.l2)
            .fold(f32::MIN, f32::max);
        assert_eq!(chosen.l2, expected);
        assert!(chosen.l2 >= min.l2);
    }
}

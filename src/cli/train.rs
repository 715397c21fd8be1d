//! `nanograd train`: one run on columns of a CSV file, with the stop rules, and the flags that
//! describe a model and a run, which `race` shares.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::json;

use crate::data::Dataset;
use crate::nn::{Activation, LossKind};
use crate::optim::OptimizerConfig;
use crate::train::advice::{after_divergence, describe_stop};
use crate::train::{
    self, CV_FOLDS, ChosenBy, CvRule, CvSettings, DEFAULT_EPOCHS, EarlyStopping, L2Choice,
    RunMonitor, StopReason, StopRules, TrainConfig, TrainError, Trainer,
};

/// `--hidden` when not given.
const DEFAULT_HIDDEN: &str = "32,32";

/// The network, the optimizer and the batching: what a run is made of.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelFlags {
    /// Hidden layer sizes, comma-separated; "none" for no hidden layer (linear regression).
    #[arg(long, default_value = DEFAULT_HIDDEN)]
    pub hidden: String,
    /// Hidden activation: tanh, relu, sigmoid or identity.
    #[arg(long, default_value = "tanh")]
    pub activation: String,
    /// adam or sgd.
    #[arg(long, default_value = "adam")]
    pub optimizer: String,
    /// Learning rate (default 0.01 for Adam, 0.05 for SGD).
    #[arg(long)]
    pub lr: Option<f32>,
    /// SGD momentum (0 to 1).
    #[arg(long, default_value_t = 0.9)]
    pub momentum: f32,
    /// Use Nesterov momentum with SGD.
    #[arg(long)]
    pub nesterov: bool,
    /// Adam's β1, the decay of its running mean of gradients (0 to 1).
    #[arg(long, default_value_t = 0.9)]
    pub beta1: f32,
    /// Adam's β2, the decay of its running mean of squared gradients (0 to 1).
    #[arg(long, default_value_t = 0.999)]
    pub beta2: f32,
    /// Adam's decoupled weight decay (AdamW).
    #[arg(long, default_value_t = 0.0)]
    pub weight_decay: f32,
    /// L2 penalty on the weights (not the biases) as scikit-learn's alpha: each step
    /// minimises loss + ALPHA / (2 n) · Σ w², n the training rows; 0 for none. "auto", train's
    /// default: chosen by cross-validation on the training rows (see --cv-folds); race's
    /// default is 0.
    #[arg(long, value_name = "ALPHA|auto")]
    pub l2: Option<L2Flag>,
    /// Loss: mse or mae.
    #[arg(long, default_value = "mse")]
    pub loss: String,
    /// Rows per optimizer step (larger than the data means full batch).
    #[arg(long, default_value_t = 32)]
    pub batch: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Share of rows held out for validation (0 to 0.9).
    #[arg(long, default_value_t = 0.0)]
    pub val_fraction: f32,
}

/// `--l2`: a penalty, or `auto` to choose one by cross-validation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum L2Flag {
    Auto,
    Fixed(f32),
}

impl std::str::FromStr for L2Flag {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.trim().eq_ignore_ascii_case("auto") {
            return Ok(Self::Auto);
        }
        text.trim().parse().map(Self::Fixed).map_err(|_| {
            format!("\"{text}\" is not a penalty: give a number of at least 0, or auto")
        })
    }
}

/// When a run ends.
#[derive(Debug, Clone, clap::Args)]
pub struct StopFlags {
    /// Stop after this many epochs at most.
    #[arg(long, default_value_t = DEFAULT_EPOCHS)]
    pub epochs: usize,
    /// Stop when the validation loss has not improved for this many epochs, and keep the
    /// weights of the best epoch (needs --val-fraction).
    #[arg(long, value_name = "PATIENCE")]
    pub early_stopping: Option<usize>,
    /// Stop once the training loss (standardised units, as printed) is at or below this.
    #[arg(long, value_name = "F")]
    pub target_loss: Option<f64>,
}

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// The CSV file to train on.
    pub data: PathBuf,
    /// Input column, by header name or 0-based index; repeat for several inputs.
    #[arg(long = "x", required = true)]
    pub x: Vec<String>,
    /// Target column, by header name or 0-based index.
    #[arg(long)]
    pub y: String,
    #[command(flatten)]
    pub model: ModelFlags,
    #[command(flatten)]
    pub stop: StopFlags,
    /// Folds of the cross-validation that chooses the L2 penalty with --l2 auto
    /// (at most one per row; above the row limit the penalty is a fixed default).
    #[arg(long, value_name = "K", default_value_t = CV_FOLDS)]
    pub cv_folds: usize,
    /// The penalties that cross-validation chooses among, comma-separated.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub l2_candidates: Option<Vec<f32>>,
    /// Which candidate the cross-validation takes: "one-se", the simplest (linear, then the
    /// largest penalty) within one standard error of the lowest loss; "min", the lowest; or
    /// "auto", one-se below 100 training rows and min from 100.
    #[arg(long, value_name = "RULE", default_value = "auto")]
    pub cv_rule: String,
    /// Leave the linear model (no hidden layer) out of the cross-validation's candidates; it
    /// is one only while --hidden and --lr are left at their defaults.
    #[arg(long)]
    pub no_linear: bool,
    /// Write the trained weights to this .safetensors file.
    #[arg(long)]
    pub save: Option<PathBuf>,
    /// Print one JSON object on stdout instead of progress text.
    #[arg(long)]
    pub json: bool,
}

/// Most hidden layers `--hidden` takes: far deeper than anything a class trains, and small
/// enough that a typo cannot ask for millions of layers.
pub const MAX_HIDDEN_LAYERS: usize = 64;
/// Most weights between hidden layers (4 bytes each, plus the gradient and Adam's two moments:
/// 16 bytes each, so 320 MB), so that a typo cannot exhaust the memory before training starts.
pub const MAX_HIDDEN_WEIGHTS: usize = 20_000_000;

/// Parses "16,16" into layer sizes; "none" or "" means no hidden layer.
pub fn parse_hidden_sizes(text: &str) -> anyhow::Result<Vec<usize>> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    let sizes = text
        .split(',')
        .map(|part| match part.trim().parse::<usize>() {
            Ok(units) if (1..=4096).contains(&units) => Ok(units),
            _ => bail!("--hidden: \"{}\" is not a layer size (use whole numbers from 1 to 4096, e.g. 16,16)", part.trim()),
        })
        .collect::<anyhow::Result<Vec<usize>>>()?;
    if sizes.len() > MAX_HIDDEN_LAYERS {
        bail!(
            "--hidden: {} layers is more than the {MAX_HIDDEN_LAYERS} Nanograd trains",
            sizes.len()
        );
    }
    let weights: usize = sizes.windows(2).map(|pair| pair[0] * pair[1]).sum();
    if weights > MAX_HIDDEN_WEIGHTS {
        bail!(
            "--hidden: {weights} weights between the hidden layers is more than the \
             {MAX_HIDDEN_WEIGHTS} Nanograd trains; use fewer or smaller layers"
        );
    }
    Ok(sizes)
}

impl ModelFlags {
    pub fn to_config(&self) -> anyhow::Result<TrainConfig> {
        let activation = Activation::from_name(&self.activation).with_context(|| {
            format!(
                "--activation: unknown \"{}\" (use tanh, relu, sigmoid or identity)",
                self.activation
            )
        })?;
        let loss = LossKind::from_name(&self.loss)
            .with_context(|| format!("--loss: unknown \"{}\" (use mse or mae)", self.loss))?;
        let in_unit_range = |value: f32| (0.0..1.0).contains(&value);
        let optimizer = match self.optimizer.to_ascii_lowercase().as_str() {
            "adam" => OptimizerConfig::Adam {
                learning_rate: self
                    .lr
                    .unwrap_or(OptimizerConfig::default_adam().learning_rate()),
                beta1: self.beta1,
                beta2: self.beta2,
                weight_decay: self.weight_decay,
            },
            "sgd" if self.weight_decay > 0.0 => {
                bail!(
                    "--weight-decay applies to Adam (AdamW) only; leave it out with --optimizer sgd"
                )
            }
            "sgd" => OptimizerConfig::Sgd {
                learning_rate: self
                    .lr
                    .unwrap_or(OptimizerConfig::default_sgd().learning_rate()),
                momentum: self.momentum,
                nesterov: self.nesterov,
            },
            other => bail!("--optimizer: unknown \"{other}\" (use adam or sgd)"),
        };
        if !(optimizer.learning_rate() > 0.0 && optimizer.learning_rate().is_finite()) {
            bail!("--lr must be a positive number");
        }
        if !in_unit_range(self.momentum) {
            bail!("--momentum must be at least 0 and below 1");
        }
        if !in_unit_range(self.beta1) || !in_unit_range(self.beta2) {
            bail!("--beta1 and --beta2 must be at least 0 and below 1");
        }
        if !(0.0..1.0).contains(&self.weight_decay) {
            bail!("--weight-decay must be at least 0 and below 1");
        }
        if let Some(L2Flag::Fixed(l2)) = self.l2
            && !(l2.is_finite() && l2 >= 0.0)
        {
            bail!("--l2 must be a number of at least 0, or auto");
        }
        if !(0.0..=0.9).contains(&self.val_fraction) {
            bail!("--val-fraction must be between 0 and 0.9");
        }
        if self.batch == 0 {
            bail!("--batch must be at least 1");
        }
        Ok(TrainConfig {
            hidden_sizes: parse_hidden_sizes(&self.hidden)?,
            activation,
            optimizer,
            batch_size: self.batch,
            seed: self.seed,
            val_fraction: self.val_fraction,
            loss,
            l2: match self.l2 {
                Some(L2Flag::Fixed(l2)) => l2,
                Some(L2Flag::Auto) | None => 0.0,
            },
        })
    }
}

impl StopFlags {
    pub fn to_rules(&self, val_fraction: f32) -> anyhow::Result<StopRules> {
        if self.early_stopping.is_some() && val_fraction <= 0.0 {
            bail!(
                "--early-stopping watches the validation loss: hold some rows out with \
                 --val-fraction (e.g. 0.2)"
            );
        }
        if self.early_stopping == Some(0) {
            bail!("--early-stopping: the patience must be at least 1 epoch");
        }
        if let Some(target) = self.target_loss
            && !(target.is_finite() && target >= 0.0)
        {
            bail!("--target-loss must be a number of at least 0");
        }
        Ok(StopRules {
            max_epochs: Some(self.epochs),
            target_loss: self.target_loss,
            early_stopping: self.early_stopping.map(EarlyStopping::with_patience),
        })
    }
}

/// Loads the chosen columns with the data module's loader, reporting skipped rows on stderr.
pub fn load_dataset(path: &Path, x: &[String], y: &str) -> anyhow::Result<Dataset> {
    let (dataset, report, warnings) =
        crate::data::load_dataset(path, x, y).with_context(|| format!("{}", path.display()))?;
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
    if report.skipped > 0 {
        eprintln!("warning: {}", report.summary());
    }
    Ok(dataset)
}

/// How a run went: why it ended and where its best validation loss was.
struct Outcome {
    stopped_because: StopReason,
    best_epoch: Option<usize>,
    last_epoch_loss: f32,
    /// Said when training diverged.
    advice: Option<String>,
}

fn run(trainer: &mut Trainer, rules: StopRules, show_progress: bool) -> Outcome {
    let (mut monitor, _) = RunMonitor::new(rules, trainer);
    let epochs = rules.max_epochs.unwrap_or(usize::MAX);
    let mut last_epoch_loss = f32::NAN;
    let mut stopped_because = StopReason::Epochs;
    let mut advice = None;
    while trainer.epoch() < epochs {
        match trainer.run_epoch() {
            Ok(loss) => last_epoch_loss = loss,
            Err(TrainError::Diverged { restored_epoch, .. }) => {
                let said = after_divergence(trainer.config().optimizer, restored_epoch);
                advice = Some(format!("{}. {}", said.headline, said.explanation));
                stopped_because = StopReason::Diverged;
                break;
            }
            // Only divergence can end a step of a trainer that was built.
            Err(_) => break,
        }
        let (_, stop) = monitor.epoch_finished(trainer, f64::from(last_epoch_loss));
        let epoch = trainer.epoch();
        if show_progress && (epoch.is_multiple_of(50) || epoch == epochs) {
            eprint!("\repoch {epoch}/{epochs}  loss {last_epoch_loss:.5}");
            let _ = std::io::stderr().flush();
        }
        if let Some(reason) = stop {
            stopped_because = reason;
            break;
        }
    }
    Outcome {
        stopped_because,
        best_epoch: monitor.best().map(|best| best.epoch),
        last_epoch_loss,
        advice,
    }
}

/// The penalty to train with: the user's, or one chosen on the training rows.
fn choose_l2(
    args: &TrainArgs,
    dataset: &Dataset,
    config: &TrainConfig,
) -> anyhow::Result<L2Choice> {
    let mut settings = CvSettings {
        folds: args.cv_folds,
        // The linear model (trained at its own learning rate) is a candidate only while the
        // network and the learning rate are left at their defaults.
        linear: args.model.hidden.trim() == DEFAULT_HIDDEN
            && args.model.lr.is_none()
            && !args.no_linear,
        rule: match args.cv_rule.to_ascii_lowercase().as_str() {
            "auto" => CvRule::BySize,
            "one-se" => CvRule::OneStandardError,
            "min" => CvRule::Min,
            "least-penalty" => CvRule::LeastPenalty,
            other => {
                bail!("--cv-rule: unknown \"{other}\" (use auto, one-se, least-penalty or min)")
            }
        },
        ..CvSettings::default()
    };
    if let Some(candidates) = &args.l2_candidates {
        settings.candidates = candidates.clone();
    }
    if settings.candidates.is_empty()
        || settings
            .candidates
            .iter()
            .any(|c| !(c.is_finite() && *c >= 0.0))
    {
        bail!("--l2-candidates: give penalties of at least 0, comma-separated (e.g. 0.1,1,10)");
    }
    if settings.folds < 2 {
        bail!("--cv-folds must be at least 2");
    }
    let asks_for_cv = args.cv_folds != CV_FOLDS
        || args.l2_candidates.is_some()
        || !args.cv_rule.eq_ignore_ascii_case("auto")
        || args.no_linear;
    if let Some(L2Flag::Fixed(l2)) = args.model.l2 {
        if asks_for_cv {
            bail!(
                "--cv-folds, --l2-candidates, --cv-rule and --no-linear tune the cross-validated \
                 penalty, which --l2 {l2} replaces: leave one or the other out"
            );
        }
        return Ok(L2Choice::user(l2));
    }
    Ok(train::choose_l2(
        dataset,
        config,
        args.stop.epochs,
        &settings,
    )?)
}

pub fn train(args: &TrainArgs) -> anyhow::Result<()> {
    let mut config = args.model.to_config()?;
    let rules = args.stop.to_rules(config.val_fraction)?;
    let dataset = load_dataset(&args.data, &args.x, &args.y)?;
    let show_progress = !args.json && std::io::stderr().is_terminal();
    let choosing = Instant::now();
    let is_auto = !matches!(args.model.l2, Some(L2Flag::Fixed(_)));
    if show_progress && is_auto {
        eprint!("choosing the L2 penalty…");
        let _ = std::io::stderr().flush();
    }
    let regularisation = choose_l2(args, &dataset, &config)?;
    let choosing_seconds = choosing.elapsed().as_secs_f64();
    if show_progress && is_auto {
        eprintln!();
    }
    let mut rules = rules;
    let epochs;
    (config, epochs) = regularisation.apply(&config, args.stop.epochs);
    rules.max_epochs = Some(epochs);
    let mut trainer = Trainer::new(&dataset, &config)?;
    let start = Instant::now();
    let outcome = run(&mut trainer, rules, show_progress);
    let seconds = start.elapsed().as_secs_f64();
    if show_progress {
        eprintln!();
    }
    let metrics = trainer.metrics();
    if let Some(path) = &args.save {
        trainer.model().save(path)?;
    }
    let stop_text = describe_stop(outcome.stopped_because, outcome.best_epoch, trainer.epoch());
    if args.json {
        let summary = json!({
            "data": args.data.display().to_string(),
            "x": dataset.x_names,
            "y": dataset.y_name,
            "rows": dataset.n_rows(),
            "train_rows": trainer.train_set().n_rows(),
            "validation_rows": trainer.validation_set().map(Dataset::n_rows),
            "hidden": config.hidden_sizes,
            "activation": config.activation.name(),
            "optimizer": config.optimizer.name(),
            "learning_rate": config.optimizer.learning_rate(),
            "batch": trainer.batch_size(),
            "regularisation": {
                "l2": regularisation.l2,
                "model": regularisation.model,
                "chosen_by": regularisation.chosen_by,
                "folds": (regularisation.folds > 0).then_some(regularisation.folds),
                "rule": regularisation.rule,
                "candidates": regularisation.candidates,
                "seconds": choosing_seconds,
                "said": regularisation.describe(),
            },
            "parameters": trainer.mlp().n_parameters(),
            "epochs": trainer.epoch(),
            "steps": trainer.steps(),
            "stopped_because": outcome.stopped_because.key(),
            "stopped": stop_text,
            "best_epoch": outcome.best_epoch,
            "advice": outcome.advice,
            "last_epoch_loss": outcome.last_epoch_loss,
            "train_loss": metrics.train_loss,
            "val_loss": metrics.validation_loss,
            "r2": metrics.train.r2,
            "rmse": metrics.train.rmse,
            "mae": metrics.train.mae,
            "mse": metrics.train.mse,
            // One validation row has no variation to explain: no R².
            "val_r2": metrics
                .validation
                .filter(|_| trainer.validation_set().is_some_and(|set| set.n_rows() >= 2))
                .map(|f| f.r2),
            "val_rmse": metrics.validation.map(|f| f.rmse),
            "val_mae": metrics.validation.map(|f| f.mae),
            "seconds": seconds,
            "steps_per_s": trainer.steps() as f64 / seconds.max(1e-9),
            "saved": args.save.as_ref().map(|p| p.display().to_string()),
        });
        println!("{summary}");
    } else {
        println!(
            "{} epochs, {} steps in {seconds:.2} s ({:.0} steps/s); {stop_text}",
            trainer.epoch(),
            trainer.steps(),
            trainer.steps() as f64 / seconds.max(1e-9)
        );
        if let Some(advice) = &outcome.advice {
            println!("{advice}");
        }
        match regularisation.chosen_by {
            ChosenBy::CrossValidation => println!(
                "regularisation: {} ({choosing_seconds:.2} s)",
                regularisation.describe()
            ),
            _ => println!("regularisation: {}", regularisation.describe()),
        }
        println!(
            "train: loss {:.5}  R² {:.4}  RMSE {:.4}  MAE {:.4}",
            metrics.train_loss, metrics.train.r2, metrics.train.rmse, metrics.train.mae
        );
        if let (Some(loss), Some(fit)) = (metrics.validation_loss, metrics.validation) {
            println!(
                "validation: loss {loss:.5}  R² {:.4}  RMSE {:.4}  MAE {:.4}",
                fit.r2, fit.rmse, fit.mae
            );
        }
        if let Some(path) = &args.save {
            println!("saved weights to {}", path.display());
        }
    }
    if outcome.stopped_because == StopReason::Diverged {
        return Err(super::RunFailed(
            "training diverged; the weights kept are from before it went wrong".to_owned(),
        )
        .into());
    }
    Ok(())
}

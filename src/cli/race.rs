//! `nanograd race`: several configurations trained side by side on the same data, from the same
//! initial weights where the architecture is the same, an epoch each in turn.

use std::path::PathBuf;

use anyhow::{Context, bail};
use serde_json::json;

use super::train::{ModelFlags, StopFlags, load_dataset};
use crate::optim::OptimizerConfig;
use crate::train::advice::describe_stop;
use crate::train::{MAX_RACE_RUNS, Race, RaceRun, SharedStart, TrainConfig};

#[derive(Debug, clap::Args)]
pub struct RaceArgs {
    /// The CSV file to train on.
    pub data: PathBuf,
    /// Input column, by header name or 0-based index; repeat for several inputs.
    #[arg(long = "x", required = true)]
    pub x: Vec<String>,
    /// Target column, by header name or 0-based index.
    #[arg(long)]
    pub y: String,
    /// One run's settings that differ from the shared flags, e.g. "optimizer=sgd,lr=0.1" or
    /// "hidden=16,16,activation=relu". Keys: optimizer, lr, momentum, beta1, beta2, hidden,
    /// activation, batch. Repeat for each run.
    #[arg(long = "run", required = true, value_name = "SETTINGS")]
    pub runs: Vec<String>,
    /// Settings every run shares unless its --run says otherwise.
    #[command(flatten)]
    pub model: ModelFlags,
    #[command(flatten)]
    pub stop: StopFlags,
    /// Print one JSON object on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Applies one `--run` text to a copy of the shared flags. A `hidden` list keeps its commas:
/// a part without `=` after `hidden=` is its next layer.
fn run_flags(shared: &ModelFlags, text: &str) -> anyhow::Result<ModelFlags> {
    let mut flags = shared.clone();
    let mut last_key = "";
    for part in text
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        let Some((key, value)) = part.split_once('=') else {
            if last_key == "hidden" {
                flags.hidden = format!("{},{part}", flags.hidden);
                continue;
            }
            bail!("--run \"{text}\": \"{part}\" is not key=value");
        };
        let (key, value) = (key.trim(), value.trim());
        let number = |what: &str| -> anyhow::Result<f32> {
            value
                .parse::<f32>()
                .with_context(|| format!("--run \"{text}\": {what} \"{value}\" is not a number"))
        };
        match key.to_ascii_lowercase().as_str() {
            "optimizer" => flags.optimizer = value.to_owned(),
            "lr" => flags.lr = Some(number("lr")?),
            "momentum" => flags.momentum = number("momentum")?,
            "beta1" => flags.beta1 = number("beta1")?,
            "beta2" => flags.beta2 = number("beta2")?,
            "hidden" => flags.hidden = value.to_owned(),
            "activation" => flags.activation = value.to_owned(),
            "batch" => {
                flags.batch = value.parse().with_context(|| {
                    format!("--run \"{text}\": batch \"{value}\" is not a whole number")
                })?
            }
            other => bail!(
                "--run \"{text}\": unknown setting \"{other}\" (use optimizer, lr, momentum, \
                 beta1, beta2, hidden, activation or batch)"
            ),
        }
        last_key = if key.eq_ignore_ascii_case("hidden") {
            "hidden"
        } else {
            ""
        };
    }
    Ok(flags)
}

pub fn race(args: &RaceArgs) -> anyhow::Result<()> {
    if args.runs.len() > MAX_RACE_RUNS {
        bail!("--run: at most {MAX_RACE_RUNS} runs race at once");
    }
    if matches!(args.model.l2, Some(super::train::L2Flag::Auto)) {
        bail!("--l2 auto chooses a penalty for train only; give race a number");
    }
    let mut configs = Vec::with_capacity(args.runs.len());
    for text in &args.runs {
        configs.push(run_flags(&args.model, text)?.to_config()?);
    }
    let rules = args.stop.to_rules(args.model.val_fraction)?;
    let dataset = load_dataset(&args.data, &args.x, &args.y)?;
    let mut race = Race::new(&dataset, &configs, rules)?;
    race.run_to_end();
    let runs: Vec<_> = race
        .runs
        .iter_mut()
        .zip(&args.runs)
        .map(|(run, label)| run_json(run, label))
        .collect();
    if args.json {
        println!(
            "{}",
            json!({
                "data": args.data.display().to_string(),
                "x": dataset.x_names,
                "y": dataset.y_name,
                "runs": runs,
            })
        );
    } else {
        print_table(&runs);
    }
    Ok(())
}

fn run_json(run: &mut RaceRun, label: &str) -> serde_json::Value {
    let config = &run.config;
    let metrics = run.trainer.metrics();
    let stopped = run.stopped.unwrap_or(crate::train::StopReason::Epochs);
    let best_epoch = run.monitor.best().map(|best| best.epoch);
    json!({
        "label": label,
        "settings": settings_json(config, run.trainer.batch_size()),
        "shared_start": run.shared_start,
        "same_initial_weights": run.shared_start != SharedStart::SeedOnly,
        "epochs": run.trainer.epoch(),
        "steps": run.trainer.steps(),
        "train_loss": run.train_loss,
        "val_loss": run.val_loss,
        "r2": metrics.train.r2,
        "rmse": metrics.train.rmse,
        "mae": metrics.train.mae,
        "val_r2": metrics
            .validation
            .filter(|_| run.trainer.validation_set().is_some_and(|set| set.n_rows() >= 2))
            .map(|fit| fit.r2),
        "val_rmse": metrics.validation.map(|fit| fit.rmse),
        "val_mae": metrics.validation.map(|fit| fit.mae),
        "stopped_because": stopped.key(),
        "stopped": describe_stop(stopped, best_epoch, run.trainer.epoch()),
        "best_epoch": best_epoch,
        "advice": run.advice.as_ref().map(|advice| format!("{}. {}", advice.headline, advice.explanation)),
    })
}

/// A run's settings, flat, with the optimizer's own knobs only.
fn settings_json(config: &TrainConfig, batch: usize) -> serde_json::Value {
    let mut settings = json!({
        "optimizer": config.optimizer.name(),
        "lr": decimal(config.optimizer.learning_rate()),
        "hidden": config.hidden_sizes,
        "activation": config.activation.name(),
        "batch": batch,
        "seed": config.seed,
        "val_fraction": config.val_fraction,
    });
    let knobs = match config.optimizer {
        OptimizerConfig::Sgd {
            momentum, nesterov, ..
        } => json!({ "momentum": decimal(momentum), "nesterov": nesterov }),
        OptimizerConfig::Adam {
            beta1,
            beta2,
            weight_decay,
            ..
        } => json!({
            "beta1": decimal(beta1),
            "beta2": decimal(beta2),
            "weight_decay": decimal(weight_decay),
        }),
    };
    if let (Some(settings), Some(knobs)) = (settings.as_object_mut(), knobs.as_object()) {
        settings.extend(knobs.clone());
    }
    settings
}

/// An f32 setting as the decimal a person typed (0.1, not 0.10000000149011612).
fn decimal(value: f32) -> f64 {
    value.to_string().parse().unwrap_or(f64::from(value))
}

fn print_table(runs: &[serde_json::Value]) {
    println!(
        "{:<36} {:>7} {:>11} {:>8}  stopped because",
        "run", "epochs", "train loss", "R²"
    );
    for run in runs {
        let final_loss = run["train_loss"]
            .as_array()
            .and_then(|losses| losses.last())
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(f64::NAN);
        println!(
            "{:<36} {:>7} {:>11.5} {:>8.4}  {}",
            run["label"].as_str().unwrap_or_default(),
            run["epochs"],
            final_loss,
            run["r2"].as_f64().unwrap_or(f64::NAN),
            run["stopped_because"].as_str().unwrap_or_default()
        );
        if let Some(advice) = run["advice"].as_str() {
            println!("  {advice}");
        }
    }
}

//! The headless subcommands: `train`, `predict`, `bench`, `inspect`, `explain`, `graph` and
//! `check`. Parses arguments, calls the library, prints text on a terminal or one JSON object
//! with `--json`. Errors end as one line on stderr and exit status 2 (bad input) or 1 (anything
//! else); `check` exits 1 when the engine fails it.

pub mod check;

mod inside;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use serde_json::json;

use crate::bench::BenchArgs;
use crate::cli::check::CheckArgs;
use crate::data::{Dataset, InspectArgs, LoadOptions, load_csv_path, run_inspect};
use crate::nn::{Activation, LossKind};
use crate::optim::OptimizerConfig;
use crate::train::{DEFAULT_EPOCHS, Model, TrainConfig, Trainer};

#[derive(Debug, Parser)]
#[command(
    name = "nanograd",
    version,
    about = "Watch a neural network learn. Without a subcommand, opens the desktop app."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train an MLP on columns of a CSV file.
    Train(TrainArgs),
    /// Predict with a saved weights file.
    Predict(PredictArgs),
    /// Run the reference benchmark protocol and print one JSON line per config.
    Bench(BenchArgs),
    /// Show what the loader detects in a CSV file.
    Inspect(InspectArgs),
    /// Show every layer's values for one input and each last-hidden unit's share of the
    /// prediction.
    Explain(inside::ExplainArgs),
    /// Print the computation graph of one prediction and its squared error (DOT or JSON),
    /// with every node's value and gradient.
    Graph(inside::GraphArgs),
    /// Check the engine's gradients against finite differences and micrograd's reference values.
    Check(CheckArgs),
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
    /// Hidden layer sizes, comma-separated; "none" for no hidden layer (linear regression).
    #[arg(long, default_value = "32,32")]
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
    /// SGD momentum.
    #[arg(long, default_value_t = 0.9)]
    pub momentum: f32,
    /// Use Nesterov momentum with SGD.
    #[arg(long)]
    pub nesterov: bool,
    /// Adam's decoupled weight decay (AdamW).
    #[arg(long, default_value_t = 0.0)]
    pub weight_decay: f32,
    /// Loss: mse or mae.
    #[arg(long, default_value = "mse")]
    pub loss: String,
    /// Rows per optimizer step (larger than the data means full batch).
    #[arg(long, default_value_t = 32)]
    pub batch: usize,
    #[arg(long, default_value_t = DEFAULT_EPOCHS)]
    pub epochs: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Share of rows held out for validation (0 to 0.9).
    #[arg(long, default_value_t = 0.0)]
    pub val_fraction: f32,
    /// Write the trained weights to this .safetensors file.
    #[arg(long)]
    pub save: Option<PathBuf>,
    /// Print one JSON object on stdout instead of progress text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct PredictArgs {
    /// A weights file written by `nanograd train --save` or the app.
    pub weights: PathBuf,
    /// One input value per input column, in order (repeat --x for several inputs).
    #[arg(long = "x", allow_negative_numbers = true, conflicts_with = "csv")]
    pub x: Vec<f32>,
    /// Predict every row of a CSV file that has the model's input columns.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs a subcommand and returns the process exit status.
pub fn run(command: Command) -> i32 {
    let result = match command {
        Command::Train(args) => train(&args),
        Command::Predict(args) => predict(&args),
        Command::Bench(args) => crate::bench::run_cli(&args),
        Command::Inspect(args) => return run_inspect(&args),
        Command::Explain(args) => inside::explain_command(&args),
        Command::Graph(args) => inside::graph_command(&args),
        Command::Check(args) => return check::run(&args),
    };
    match result {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("error: {error:#}");
            2
        }
    }
}

/// Parses "16,16" into layer sizes; "none" or "" means no hidden layer.
pub fn parse_hidden_sizes(text: &str) -> anyhow::Result<Vec<usize>> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|part| match part.trim().parse::<usize>() {
            Ok(units) if (1..=4096).contains(&units) => Ok(units),
            _ => bail!("--hidden: \"{}\" is not a layer size (use whole numbers from 1 to 4096, e.g. 16,16)", part.trim()),
        })
        .collect()
}

fn train_config(args: &TrainArgs) -> anyhow::Result<TrainConfig> {
    let activation = Activation::from_name(&args.activation).with_context(|| {
        format!(
            "--activation: unknown \"{}\" (use tanh, relu, sigmoid or identity)",
            args.activation
        )
    })?;
    let loss = LossKind::from_name(&args.loss)
        .with_context(|| format!("--loss: unknown \"{}\" (use mse or mae)", args.loss))?;
    let optimizer = match args.optimizer.to_ascii_lowercase().as_str() {
        "adam" => OptimizerConfig::Adam {
            learning_rate: args
                .lr
                .unwrap_or(OptimizerConfig::default_adam().learning_rate()),
            beta1: 0.9,
            beta2: 0.999,
            weight_decay: args.weight_decay,
        },
        "sgd" => OptimizerConfig::Sgd {
            learning_rate: args
                .lr
                .unwrap_or(OptimizerConfig::default_sgd().learning_rate()),
            momentum: args.momentum,
            nesterov: args.nesterov,
        },
        other => bail!("--optimizer: unknown \"{other}\" (use adam or sgd)"),
    };
    if !(optimizer.learning_rate() > 0.0 && optimizer.learning_rate().is_finite()) {
        bail!("--lr must be a positive number");
    }
    if !(0.0..=0.9).contains(&args.val_fraction) {
        bail!("--val-fraction must be between 0 and 0.9");
    }
    if args.batch == 0 {
        bail!("--batch must be at least 1");
    }
    Ok(TrainConfig {
        hidden_sizes: parse_hidden_sizes(&args.hidden)?,
        activation,
        optimizer,
        batch_size: args.batch,
        seed: args.seed,
        val_fraction: args.val_fraction,
        loss,
    })
}

/// Loads the chosen columns with the data module's loader, reporting skipped rows on stderr.
fn load_dataset(path: &Path, x: &[String], y: &str) -> anyhow::Result<Dataset> {
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

fn train(args: &TrainArgs) -> anyhow::Result<()> {
    let config = train_config(args)?;
    let dataset = load_dataset(&args.data, &args.x, &args.y)?;
    let mut trainer = Trainer::new(&dataset, &config)?;
    let show_progress = !args.json && std::io::stderr().is_terminal();
    let start = Instant::now();
    let mut last_loss = f32::NAN;
    for epoch in 1..=args.epochs {
        last_loss = trainer.run_epoch()?;
        if show_progress && (epoch % 50 == 0 || epoch == args.epochs) {
            eprint!("\repoch {epoch}/{}  loss {last_loss:.5}", args.epochs);
            let _ = std::io::stderr().flush();
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    if show_progress {
        eprintln!();
    }
    let metrics = trainer.metrics();
    if let Some(path) = &args.save {
        trainer.model().save(path)?;
    }
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
            "parameters": trainer.mlp().n_parameters(),
            "epochs": trainer.epoch(),
            "steps": trainer.steps(),
            "last_epoch_loss": last_loss,
            "train_loss": metrics.train_loss,
            "val_loss": metrics.validation_loss,
            "r2": metrics.train.r2,
            "rmse": metrics.train.rmse,
            "mae": metrics.train.mae,
            "mse": metrics.train.mse,
            "val_r2": metrics.validation.map(|f| f.r2),
            "val_rmse": metrics.validation.map(|f| f.rmse),
            "seconds": seconds,
            "steps_per_s": trainer.steps() as f64 / seconds.max(1e-9),
            "saved": args.save.as_ref().map(|p| p.display().to_string()),
        });
        println!("{summary}");
    } else {
        println!(
            "{} epochs, {} steps in {seconds:.2} s ({:.0} steps/s)",
            trainer.epoch(),
            trainer.steps(),
            trainer.steps() as f64 / seconds.max(1e-9)
        );
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
    Ok(())
}

fn predict(args: &PredictArgs) -> anyhow::Result<()> {
    let model = Model::load(&args.weights)?;
    let n_inputs = model.n_inputs();
    let (x_rows, n_rows) = if let Some(csv) = &args.csv {
        let table = load_csv_path(
            csv,
            &LoadOptions::default(),
            &|_| {},
            &AtomicBool::new(false),
        )
        .with_context(|| format!("{}", csv.display()))?;
        let mut columns = Vec::with_capacity(n_inputs);
        for name in &model.x_names {
            let index = table.resolve_column(name).with_context(|| {
                format!(
                    "{} has no input column \"{name}\" that the model was trained on",
                    csv.display()
                )
            })?;
            let values = table
                .numeric_values(index)
                .with_context(|| format!("column \"{name}\" is not numeric"))?;
            columns.push(values);
        }
        let n_rows = table.n_rows();
        let mut x = Vec::with_capacity(n_rows * n_inputs);
        for row in 0..n_rows {
            x.extend(columns.iter().map(|c| c[row] as f32));
        }
        (x, n_rows)
    } else {
        if args.x.is_empty() {
            bail!(
                "give the inputs with --x (one per input column: {}) or a file with --csv",
                model.x_names.join(", ")
            );
        }
        if !args.x.len().is_multiple_of(n_inputs) {
            bail!(
                "the model takes {n_inputs} input(s) ({}), got {} value(s)",
                model.x_names.join(", "),
                args.x.len()
            );
        }
        (args.x.clone(), args.x.len() / n_inputs)
    };
    let predictions = model.predict(&x_rows);
    if args.json {
        let values: Vec<serde_json::Value> = predictions
            .iter()
            .map(|&p| {
                if p.is_finite() {
                    json!(p)
                } else {
                    serde_json::Value::Null
                }
            })
            .collect();
        println!(
            "{}",
            json!({ "x_names": model.x_names, "y_name": model.y_name, "rows": n_rows, "predictions": values })
        );
    } else {
        let mut out = std::io::stdout().lock();
        for prediction in predictions {
            // A missing input cell gives NaN; printing it keeps rows aligned with the file.
            writeln!(out, "{prediction}")?;
        }
    }
    Ok(())
}

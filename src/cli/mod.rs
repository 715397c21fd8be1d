//! The headless subcommands: `train`, `race`, `predict`, `export`, `bench`, `inspect`,
//! `explain`, `graph`, `check` and `generate`. Parses arguments, calls the library, prints text
//! on a terminal or one JSON object with `--json`. Errors end as one line on stderr and exit status 2 (bad input) or 1 (anything
//! else); `check` exits 1 when the engine fails it.

pub mod check;

mod export;
mod generate;
mod inside;
mod race;
mod train;

pub use train::parse_hidden_sizes;

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use serde_json::json;

use crate::bench::BenchArgs;
use crate::cli::check::CheckArgs;
use crate::data::{InspectArgs, LoadOptions, load_csv_path, run_inspect};
use crate::export::ExportError;
use crate::train::{CheckpointError, Model};

#[derive(Debug, Parser)]
#[command(
    name = "nanograd",
    version,
    about = "Watch a neural network learn. Without a subcommand, opens the desktop app.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A CSV file to open in the desktop app (instead of the data last used).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train an MLP on columns of a CSV file.
    Train(train::TrainArgs),
    /// Train several configurations side by side from the same start and compare them.
    Race(race::RaceArgs),
    /// Predict with a saved weights file.
    Predict(PredictArgs),
    /// Write a saved network as a standalone PyTorch script that predicts the same.
    Export(export::ExportArgs),
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
    /// Write the CSV (header x,y) of a formula such as "sin(3*x) + 0.2*noise" to stdout.
    Generate(generate::GenerateArgs),
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
        Command::Train(args) => train::train(&args),
        Command::Race(args) => race::race(&args),
        Command::Predict(args) => predict(&args),
        Command::Export(args) => export::export_command(&args),
        Command::Bench(args) => crate::bench::run_cli(&args),
        Command::Inspect(args) => return run_inspect(&args),
        Command::Explain(args) => inside::explain_command(&args),
        Command::Graph(args) => inside::graph_command(&args),
        Command::Check(args) => return check::run(&args),
        Command::Generate(args) => generate::generate(&args),
    };
    match result {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("error: {}", describe(&error));
            exit_status(&error)
        }
    }
}

/// The error and its causes on one line, each cause once: most of this crate's errors already
/// say their cause (the app shows only the top message), and anyhow's `{:#}` would repeat it
/// ("could not read w.safetensors: No such file… (os error 2): No such file… (os error 2)").
pub fn describe(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let cause = cause.to_string();
        if text.contains(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

/// A failure that is not the input's fault, such as a run that diverged: exit status 1.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RunFailed(pub String);

/// 1 when the work itself failed (training diverged, a file could not be written), 2 when the
/// input was wrong (arguments, data, a weights file that cannot be read).
fn exit_status(error: &anyhow::Error) -> i32 {
    let work_failed = error.chain().any(|cause| {
        cause.is::<RunFailed>()
            || matches!(
                cause.downcast_ref::<CheckpointError>(),
                Some(CheckpointError::Write { .. })
            )
            || matches!(
                cause.downcast_ref::<ExportError>(),
                Some(ExportError::Write { .. })
            )
    });
    if work_failed { 1 } else { 2 }
}

fn predict(args: &PredictArgs) -> anyhow::Result<()> {
    let model = Model::load(&args.weights)?;
    let n_inputs = model.n_inputs();
    let (x_rows, n_rows) = if let Some(csv) = &args.csv {
        let options = LoadOptions {
            allow_one_row: true,
            ..LoadOptions::default()
        };
        let table = load_csv_path(csv, &options, &|_| {}, &AtomicBool::new(false))
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
            x.extend(columns.iter().map(|c| c[row]));
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

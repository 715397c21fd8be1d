//! `nanograd export WEIGHTS --pytorch FILE`: a saved network as a standalone PyTorch script.

use std::path::PathBuf;

use serde_json::json;

use crate::export::{Existing, architecture, export_pytorch};

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// A weights file written by `nanograd train --save` or the app.
    pub weights: PathBuf,
    /// Write a PyTorch script that builds the same network, loads WEIGHTS and predicts
    /// (`python FILE WEIGHTS 90,2500 200,4500`, or import it).
    #[arg(long, value_name = "FILE")]
    pub pytorch: PathBuf,
    /// Replace FILE if it exists (never the weights file itself).
    #[arg(long)]
    pub force: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn export_command(args: &ExportArgs) -> anyhow::Result<()> {
    let existing = if args.force {
        Existing::Replace
    } else {
        Existing::Refuse
    };
    let exported = export_pytorch(&args.weights, &args.pytorch, existing)?;
    let model = &exported.model;
    let script = args.pytorch.display().to_string();
    if args.json {
        let summary = json!({
            "weights": args.weights.display().to_string(),
            "pytorch": script,
            "replaced": exported.replaced,
            "bytes": exported.bytes,
            "x_names": model.x_names,
            "y_name": model.y_name,
            "hidden": model.mlp.hidden_sizes(),
            "activation": model.mlp.activation().name(),
            "network": architecture(model),
            "run": exported.run_command,
        });
        println!("{summary}");
    } else {
        println!(
            "wrote {script}, PyTorch for {}; try: {}",
            architecture(model),
            exported.run_command
        );
    }
    Ok(())
}

//! A trained network taken out of Nanograd: [`pytorch`] renders a standalone PyTorch script
//! for a weights file, and [`export_pytorch`] writes it without ever replacing a file the
//! user did not say may be replaced.

pub mod pytorch;

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use pytorch::{ScriptNames, architecture, pytorch_script, run_command, torch_module};

use crate::train::{CheckpointError, Model};

#[derive(Debug, Error)]
pub enum ExportError {
    /// The weights file is missing or is not one Nanograd can read.
    #[error(transparent)]
    Weights(#[from] CheckpointError),
    #[error("{} already exists: give --force to replace it, or another file name", .0.display())]
    Exists(PathBuf),
    #[error("{} is a folder: give the name of the script to write", .0.display())]
    IsFolder(PathBuf),
    #[error("{} is the weights file the script reads: write the script to another file", .0.display())]
    WouldReplaceWeights(PathBuf),
    #[error("could not write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

/// What to do when the script's file already exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    Refuse,
    Replace,
}

/// What [`export_pytorch`] wrote.
#[derive(Debug)]
pub struct Exported {
    /// The model the script was written for.
    pub model: Model,
    /// Whether a file was there before and was replaced.
    pub replaced: bool,
    pub bytes: usize,
    /// The script run on two example rows ("python model.py w.safetensors 104 143").
    pub run_command: String,
}

/// Reads the weights file at `weights` and writes a PyTorch script for its network to
/// `script`, whole or not at all. The docstring's instructions name the files as given.
pub fn export_pytorch(
    weights: &Path,
    script: &Path,
    existing: Existing,
) -> Result<Exported, ExportError> {
    let model = Model::load(weights)?;
    // symlink_metadata: a dangling link counts too, since writing through it creates a file.
    // A file created between this check and the write would still be replaced; nothing but
    // the user's own commands writes there in that instant.
    let replaced = std::fs::symlink_metadata(script).is_ok();
    if replaced {
        if script.is_dir() {
            return Err(ExportError::IsFolder(script.to_path_buf()));
        }
        if is_same_file(weights, script) {
            // Refused even with --force: the script would be useless without its weights.
            return Err(ExportError::WouldReplaceWeights(script.to_path_buf()));
        }
        if existing == Existing::Refuse {
            return Err(ExportError::Exists(script.to_path_buf()));
        }
    }
    let (weights_name, script_name) = (weights.to_string_lossy(), script.to_string_lossy());
    let names = ScriptNames {
        weights: &weights_name,
        script: &script_name,
    };
    let text = pytorch_script(&model, names);
    let run_command = run_command(&model, names);
    crate::files::write_atomically(script, text.as_bytes()).map_err(|source| {
        ExportError::Write {
            path: script.to_path_buf(),
            source,
        }
    })?;
    Ok(Exported {
        model,
        replaced,
        bytes: text.len(),
        run_command,
    })
}

/// Whether both paths lead to one file (through links, `..` or another spelling).
fn is_same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

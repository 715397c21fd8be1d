//! The run history, a lab notebook: every run trained until a reset or a settings change, with
//! its settings, how far it got, its final and best losses, R², time, a thinned loss curve (to
//! draw as a ghost) and its weights (to restore). Bounded, exported as CSV, and kept across
//! restarts: the entries in eframe's storage, the weights as safetensors files in a folder of
//! the app's own.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::train::history::LossPoint;
use crate::train::{CheckpointError, Model, TrainConfig};

use super::snapshot::FinishedRun;

/// Key under which eframe stores the entries.
pub const HISTORY_KEY: &str = "nanograd-history";
/// Most runs kept; the oldest go first.
pub const MAX_ENTRIES: usize = 50;
/// Points of a ghost curve: enough for its shape.
const CURVE_POINTS: usize = 200;

#[derive(Debug, Error)]
pub enum HistoryError {
    #[error("this run's weights are no longer there ({0}); it can still be read, not restored")]
    WeightsMissing(String),
    #[error("{0}")]
    Weights(#[from] CheckpointError),
    #[error("could not write {path}: {source}")]
    Export {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} already exists: choose another name, so no file is overwritten")]
    ExportExists(PathBuf),
    #[error("could not write the CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// One finished run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: u64,
    /// Seconds since 1970 when it ended.
    pub finished_at: u64,
    pub data_name: String,
    pub x_names: Vec<String>,
    pub y_name: String,
    /// What set it apart in a race; empty for a lone run.
    pub label: String,
    pub config: TrainConfig,
    pub epochs: usize,
    pub steps: u64,
    pub seconds: f64,
    pub train_loss: f64,
    pub validation_loss: Option<f64>,
    pub best_train_loss: f64,
    pub best_validation_loss: Option<f64>,
    /// Where the validation loss was lowest.
    pub best_validation_epoch: Option<f64>,
    pub r2: f64,
    pub validation_r2: Option<f64>,
    pub curve: Vec<LossPoint>,
    /// Drawn faintly on the loss plot.
    pub is_ghost: bool,
    /// The weights file in the history folder, when there is one.
    pub weights_file: Option<PathBuf>,
    /// The weights of a run of this session (a restart reads them from `weights_file`).
    #[serde(skip)]
    pub model: Option<Arc<Model>>,
}

#[derive(Default)]
pub struct RunHistory {
    entries: Vec<HistoryEntry>,
    next_id: u64,
    /// Where weights files go; `None` keeps them in memory only (tests, no storage).
    folder: Option<PathBuf>,
}

impl RunHistory {
    /// The history read back from storage, its weights in `folder`.
    pub fn new(entries: Vec<HistoryEntry>, folder: Option<PathBuf>) -> Self {
        let mut entries = entries;
        entries.truncate(MAX_ENTRIES);
        let next_id = entries.iter().map(|entry| entry.id + 1).max().unwrap_or(0);
        Self {
            entries,
            next_id,
            folder,
        }
    }

    pub fn entries(&self) -> &[HistoryEntry] {
        &self.entries
    }

    pub fn entries_mut(&mut self) -> &mut [HistoryEntry] {
        &mut self.entries
    }

    /// Records a finished run, newest first; saves its weights when there is a folder. A
    /// weights file that cannot be written leaves the entry restorable in this session only.
    pub fn add(&mut self, run: FinishedRun) {
        let id = self.next_id;
        self.next_id += 1;
        let points: Vec<LossPoint> = run.history.iter_with_latest().copied().collect();
        let best_train_loss = points
            .iter()
            .map(|point| f64::from(point.train_loss))
            .fold(run.metrics.train_loss, f64::min);
        let best_validation = points
            .iter()
            .filter_map(|point| Some((point.epoch, f64::from(point.validation_loss?))))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let weights_file = self.folder.as_ref().and_then(|folder| {
            let path = folder.join(format!("run-{id}.safetensors"));
            let saved = std::fs::create_dir_all(folder)
                .ok()
                .and_then(|()| run.model.save(&path).ok());
            saved.map(|()| path)
        });
        let entry = HistoryEntry {
            id,
            finished_at: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |since| since.as_secs()),
            data_name: run.data_name,
            x_names: run.x_names,
            y_name: run.y_name,
            label: run.label,
            config: run.config,
            epochs: run.epochs,
            steps: run.steps,
            seconds: run.seconds,
            train_loss: run.metrics.train_loss,
            validation_loss: run.metrics.validation_loss,
            best_train_loss,
            best_validation_loss: best_validation.map(|(_, loss)| loss),
            best_validation_epoch: best_validation.map(|(epoch, _)| epoch),
            r2: run.metrics.train.r2,
            validation_r2: run.metrics.validation.map(|fit| fit.r2),
            curve: thinned(&points),
            is_ghost: false,
            weights_file,
            model: Some(Arc::new(run.model)),
        };
        self.entries.insert(0, entry);
        while self.entries.len() > MAX_ENTRIES {
            if let Some(oldest) = self.entries.pop() {
                remove_weights(&oldest);
            }
        }
    }

    pub fn delete(&mut self, id: u64) {
        if let Some(index) = self.entries.iter().position(|entry| entry.id == id) {
            remove_weights(&self.entries.remove(index));
        }
    }

    pub fn clear(&mut self) {
        for entry in self.entries.drain(..) {
            remove_weights(&entry);
        }
    }

    /// The weights of entry `id`: from this session's memory, or from its file.
    pub fn model(&self, id: u64) -> Result<Arc<Model>, HistoryError> {
        let entry = self
            .entries
            .iter()
            .find(|entry| entry.id == id)
            .ok_or_else(|| HistoryError::WeightsMissing(format!("run #{id}")))?;
        if let Some(model) = &entry.model {
            return Ok(Arc::clone(model));
        }
        let path = entry
            .weights_file
            .as_ref()
            .ok_or_else(|| HistoryError::WeightsMissing(format!("run #{id}")))?;
        if !path.is_file() {
            return Err(HistoryError::WeightsMissing(path.display().to_string()));
        }
        Ok(Arc::new(Model::load(path)?))
    }

    /// The history as CSV, one row per run, newest first.
    pub fn to_csv(&self) -> Result<Vec<u8>, HistoryError> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record([
            "run",
            "finished_unix_s",
            "data",
            "x",
            "y",
            "hidden",
            "activation",
            "optimizer",
            "learning_rate",
            "batch",
            "seed",
            "l2",
            "validation_share",
            "epochs",
            "steps",
            "seconds",
            "train_loss",
            "validation_loss",
            "best_train_loss",
            "best_validation_loss",
            "best_validation_epoch",
            "r2",
            "validation_r2",
        ])?;
        let optional = |value: Option<f64>| value.map_or_else(String::new, |v| v.to_string());
        for entry in &self.entries {
            let hidden: Vec<String> = entry
                .config
                .hidden_sizes
                .iter()
                .map(usize::to_string)
                .collect();
            writer.write_record([
                entry.id.to_string(),
                entry.finished_at.to_string(),
                entry.data_name.clone(),
                entry.x_names.join(" "),
                entry.y_name.clone(),
                hidden.join(" "),
                entry.config.activation.name().to_owned(),
                entry.config.optimizer.name().to_owned(),
                entry.config.optimizer.learning_rate().to_string(),
                entry.config.batch_size.to_string(),
                entry.config.seed.to_string(),
                entry.config.l2.to_string(),
                entry.config.val_fraction.to_string(),
                entry.epochs.to_string(),
                entry.steps.to_string(),
                format!("{:.3}", entry.seconds),
                entry.train_loss.to_string(),
                optional(entry.validation_loss),
                entry.best_train_loss.to_string(),
                optional(entry.best_validation_loss),
                optional(entry.best_validation_epoch),
                entry.r2.to_string(),
                optional(entry.validation_r2),
            ])?;
        }
        writer
            .into_inner()
            .map_err(|err| HistoryError::Csv(err.into_error().into()))
    }

    /// Writes the CSV to a new file; refuses to replace one that exists.
    pub fn export(&self, path: &Path) -> Result<(), HistoryError> {
        let bytes = self.to_csv()?;
        let export_error = |source| HistoryError::Export {
            path: path.to_path_buf(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|source| {
                if source.kind() == std::io::ErrorKind::AlreadyExists {
                    HistoryError::ExportExists(path.to_path_buf())
                } else {
                    export_error(source)
                }
            })?;
        std::io::Write::write_all(&mut file, &bytes).map_err(export_error)?;
        file.sync_all().map_err(export_error)
    }
}

fn remove_weights(entry: &HistoryEntry) {
    if let Some(path) = &entry.weights_file {
        // Already gone is fine: the entry is what is being removed.
        let _ = std::fs::remove_file(path);
    }
}

/// At most [`CURVE_POINTS`] evenly spread points, the last one always kept.
fn thinned(points: &[LossPoint]) -> Vec<LossPoint> {
    if points.len() <= CURVE_POINTS {
        return points.to_vec();
    }
    let stride = points.len().div_ceil(CURVE_POINTS);
    let mut kept: Vec<LossPoint> = points.iter().step_by(stride).copied().collect();
    if let (Some(last), Some(kept_last)) = (points.last(), kept.last())
        && kept_last != last
    {
        kept.push(*last);
    }
    kept
}

//! Loading data off the UI thread: CSV files (with progress and cancel), the built-in samples,
//! the synthetic generators, and re-selecting columns of a table already loaded.
//!
//! Each load is a [`LoadJob`]: a helper thread that reports progress through an atomic, can be
//! cancelled through another, sends one [`Loaded`] result back and repaints the UI.
//! This module knows the data module and egui's `Context`, nothing else of the app.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

use crate::data::{self, ColumnRef, Dataset, LoadOptions, RowReport, Table};

use super::state::{ColumnChoice, DataSource, SyntheticKind, SyntheticSettings};

/// Data ready to train on.
pub struct Loaded {
    /// What was loaded, with the columns actually used.
    pub source: DataSource,
    /// The table, for choosing other columns later (none for synthetic data).
    pub table: Option<Arc<Table>>,
    pub dataset: Arc<Dataset>,
    pub report: Option<RowReport>,
}

/// Why a load failed, for the user; the table is kept when only the columns were refused.
pub struct LoadFailure {
    pub source: DataSource,
    pub message: String,
    pub table: Option<Arc<Table>>,
}

/// A load running on a helper thread.
pub struct LoadJob {
    pub label: String,
    progress: Arc<AtomicU32>,
    cancel: Arc<AtomicBool>,
    result: Receiver<Result<Loaded, LoadFailure>>,
}

pub enum Poll {
    Running,
    Done(Box<Result<Loaded, LoadFailure>>),
}

impl LoadJob {
    /// Fraction done, 0 to 1 (file loads only; others finish almost at once).
    pub fn progress(&self) -> f32 {
        f32::from_bits(self.progress.load(Ordering::Relaxed))
    }

    /// Ask the loader to stop; its result will be a failure saying so.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn poll(&self) -> Poll {
        match self.result.try_recv() {
            Ok(result) => Poll::Done(Box::new(result)),
            Err(TryRecvError::Empty) => Poll::Running,
            Err(TryRecvError::Disconnected) => Poll::Done(Box::new(Err(LoadFailure {
                source: DataSource::default(),
                message: "The loader stopped unexpectedly. Try again, or choose another file."
                    .to_owned(),
                table: None,
            }))),
        }
    }

    /// Wait for the result (tests and the first frame of a built-in set only).
    pub fn wait(self, timeout: Duration) -> Option<Result<Loaded, LoadFailure>> {
        self.result.recv_timeout(timeout).ok()
    }
}

/// Start loading `source`. `columns` of the source are used when they fit the table, else the
/// first usable column is x and the last is y.
pub fn spawn(ctx: &egui::Context, source: DataSource) -> LoadJob {
    let label = match &source {
        DataSource::Sample { name, .. } => format!("Loading sample {name}"),
        DataSource::File { path, .. } => format!("Loading {}", file_name(path)),
        DataSource::Synthetic(settings) => format!("Generating {}", settings.kind.label()),
        DataSource::Formula(settings) => format!("Generating y = {}", settings.formula.trim()),
    };
    spawn_job(ctx, label, move |progress, cancel| {
        load(source, progress, cancel)
    })
}

/// Select other columns of an already loaded table.
pub fn spawn_select(
    ctx: &egui::Context,
    source: DataSource,
    table: Arc<Table>,
    choice: ColumnChoice,
) -> LoadJob {
    spawn_job(ctx, "Selecting columns".to_owned(), move |_, _| {
        select(source, table, Some(&choice))
    })
}

fn spawn_job(
    ctx: &egui::Context,
    label: String,
    work: impl FnOnce(&dyn Fn(f32), &AtomicBool) -> Result<Loaded, LoadFailure> + Send + 'static,
) -> LoadJob {
    let progress = Arc::new(AtomicU32::new(0.0f32.to_bits()));
    let cancel = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let job = LoadJob {
        label,
        progress: Arc::clone(&progress),
        cancel: Arc::clone(&cancel),
        result: rx,
    };
    let ctx = ctx.clone();
    let spawned = std::thread::Builder::new()
        .name("nanograd-loader".to_owned())
        .spawn(move || {
            // Repaint for progress at most ~20 times a second.
            let last_repaint = std::sync::Mutex::new(Instant::now());
            let report_progress = |fraction: f32| {
                progress.store(fraction.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
                if let Ok(mut last) = last_repaint.lock()
                    && last.elapsed() > Duration::from_millis(50)
                {
                    *last = Instant::now();
                    ctx.request_repaint();
                }
            };
            let result = work(&report_progress, &cancel);
            // The app may have dropped the job (a newer load replaced it): nothing to do then.
            let _ = tx.send(result);
            ctx.request_repaint();
        });
    if let Err(err) = spawned {
        // Without a thread, report the failure through the channel the job would have used.
        let (tx, rx) = mpsc::channel();
        let _ = tx.send(Err(LoadFailure {
            source: DataSource::default(),
            message: format!("Could not start the loader: {err}"),
            table: None,
        }));
        return LoadJob { result: rx, ..job };
    }
    job
}

fn load(
    source: DataSource,
    progress: &dyn Fn(f32),
    cancel: &AtomicBool,
) -> Result<Loaded, LoadFailure> {
    let table = match &source {
        DataSource::Formula(settings) => {
            let dataset = data::formula_dataset(&settings.spec()).map_err(|err| LoadFailure {
                message: format!("The formula gives no data: {err}"),
                source: source.clone(),
                table: None,
            })?;
            progress(1.0);
            return Ok(generated(source, dataset));
        }
        DataSource::Synthetic(settings) => {
            let dataset = synthetic(settings);
            progress(1.0);
            return Ok(generated(source, dataset));
        }
        DataSource::Sample { name, .. } => data::load_sample(name).map_err(|err| LoadFailure {
            message: format!("Could not load the sample \"{name}\": {err}"),
            source: source.clone(),
            table: None,
        })?,
        DataSource::File { path, .. } => {
            data::load_csv_path(path, &LoadOptions::default(), progress, cancel).map_err(|err| {
                let message = if cancel.load(Ordering::Relaxed) {
                    format!("Loading {} was cancelled.", file_name(path))
                } else {
                    file_failure_message(path, &err)
                };
                LoadFailure {
                    message,
                    source: source.clone(),
                    table: None,
                }
            })?
        }
    };
    let remembered = source.columns().cloned();
    select(source, Arc::new(table), remembered.as_ref())
}

/// What went wrong with a file, and what to do, in the words the failure calls for: a missing
/// file is not a malformed CSV.
fn file_failure_message(path: &Path, err: &data::DataError) -> String {
    use std::io::ErrorKind;
    let name = file_name(path);
    match err {
        data::DataError::Io { source, .. } => match source.kind() {
            ErrorKind::NotFound => format!(
                "There is no file at {}. Check the path, or choose the file with Open CSV….",
                path.display()
            ),
            ErrorKind::PermissionDenied => format!(
                "Nanograd is not allowed to read {name}. Copy it to a folder of yours, or ask \
                 for read permission."
            ),
            ErrorKind::IsADirectory => {
                format!("{name} is a folder, not a file: choose a CSV file in it.")
            }
            _ => format!("Could not read {name}: {source}."),
        },
        other => format!("{name}: {other}."),
    }
}

fn select(
    source: DataSource,
    table: Arc<Table>,
    wanted: Option<&ColumnChoice>,
) -> Result<Loaded, LoadFailure> {
    let choice = match wanted.filter(|choice| fits(&table, choice)) {
        Some(choice) => choice.clone(),
        None => match default_choice(&source, &table) {
            Some(choice) => choice,
            None => {
                return Err(LoadFailure {
                    message: format!(
                        "{} has no two numeric columns to use as x and y. Choose a CSV file with \
                         at least two columns of numbers.",
                        source_name(&source)
                    ),
                    source,
                    table: Some(table),
                });
            }
        },
    };
    let x: Vec<ColumnRef> = choice
        .x
        .iter()
        .map(|name| ColumnRef::Name(name.clone()))
        .collect();
    let y = ColumnRef::Name(choice.y.clone());
    match table.select(&x, &y) {
        Ok((mut dataset, report)) => {
            let mut source = source;
            dataset.name = source_name(&source);
            source.set_columns(choice);
            if dataset.n_rows() < 2 {
                return Err(LoadFailure {
                    message: format!(
                        "Only {} usable row(s) with these columns ({}). Choose other columns or \
                         another file.",
                        dataset.n_rows(),
                        report.summary()
                    ),
                    source,
                    table: Some(table),
                });
            }
            Ok(Loaded {
                source,
                table: Some(table),
                dataset: Arc::new(dataset),
                report: Some(report),
            })
        }
        Err(err) => Err(LoadFailure {
            message: format!(
                "The column choice ({} from {}) was refused: {err}. Choose other columns in the Data \
                 panel.",
                choice.y,
                choice.x.join(", ")
            ),
            source,
            table: Some(table),
        }),
    }
}

/// Whether all the chosen columns exist and may be chosen.
fn fits(table: &Table, choice: &ColumnChoice) -> bool {
    let usable = usable_columns(table);
    !choice.x.is_empty()
        && choice.x.iter().all(|name| usable.contains(name))
        && usable.contains(&choice.y)
        && !choice.x.contains(&choice.y)
}

/// Names of the columns that can be x or y.
pub fn usable_columns(table: &Table) -> Vec<String> {
    table
        .columns()
        .iter()
        .filter(|column| column_is_usable(column))
        .map(|column| column.name.clone())
        .collect()
}

pub fn column_is_usable(column: &data::ColumnInfo) -> bool {
    column.is_numeric()
}

/// The loader's preferred columns for a sample, else first usable → last usable.
fn default_choice(source: &DataSource, table: &Table) -> Option<ColumnChoice> {
    if let DataSource::Sample { name, .. } = source
        && let Ok(sample) = data::sample(name)
    {
        let choice = ColumnChoice {
            x: sample
                .default_x
                .iter()
                .map(|name| (*name).to_owned())
                .collect(),
            y: sample.default_y.to_owned(),
        };
        if fits(table, &choice) {
            return Some(choice);
        }
    }
    let usable = usable_columns(table);
    if usable.len() < 2 {
        return None;
    }
    Some(ColumnChoice {
        x: vec![usable[0].clone()],
        y: usable[usable.len() - 1].clone(),
    })
}

/// Data made by Nanograd rather than read: no table to choose other columns from.
fn generated(source: DataSource, dataset: Dataset) -> Loaded {
    Loaded {
        source,
        table: None,
        dataset: Arc::new(dataset),
        report: None,
    }
}

fn synthetic(settings: &SyntheticSettings) -> Dataset {
    let kind = match settings.kind {
        SyntheticKind::Sine => data::Synthetic::Sine,
        SyntheticKind::Polynomial => data::Synthetic::Polynomial,
        SyntheticKind::Step => data::Synthetic::Step,
    };
    let mut dataset = data::synthetic(kind, settings.n_points, settings.noise, settings.seed);
    dataset.name = format!("{} (noise {})", settings.kind.label(), settings.noise);
    dataset
}

/// A short human name for the source: the file or sample name.
pub fn source_name(source: &DataSource) -> String {
    match source {
        DataSource::Sample { name, .. } => name.clone(),
        DataSource::File { path, .. } => file_name(path),
        DataSource::Synthetic(settings) => settings.kind.label().to_owned(),
        DataSource::Formula(settings) => format!("y = {}", settings.formula.trim()),
    }
}

pub fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// The source for a path the user chose (drop, dialog or path field).
pub fn file_source(path: PathBuf) -> DataSource {
    DataSource::File {
        path,
        columns: None,
    }
}

//! `nanograd inspect`: what the loader detected in a file, as a serde-serialisable report and
//! as text for a terminal. The lead's `cli.rs` wires [`InspectArgs`] and [`run_inspect`] as a
//! subcommand; this module owns the output format and the exit codes (0 ok, 2 refused).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{
    ColumnKind, ColumnRef, DataError, LoadOptions, RowReport, SkipReasons, Table, delimiter_name,
    load_csv_path,
};

/// Arguments of `nanograd inspect`.
#[derive(Clone, Debug, clap::Args)]
pub struct InspectArgs {
    /// The CSV file to inspect.
    pub path: PathBuf,
    /// Input column (header name or 0-based index); repeat for several inputs.
    #[arg(long = "x")]
    pub x: Vec<String>,
    /// Target column (header name or 0-based index).
    #[arg(long)]
    pub y: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// One column as `inspect` shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ColumnSummary {
    pub name: String,
    pub kind: ColumnKind,
    pub missing: usize,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Text cells in the column (stray ones in a numeric column, or all of a text column).
    pub text_cells: usize,
    /// Why the column cannot be chosen, when it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unusable: Option<String>,
}

/// Everything `inspect` prints; `--json` serialises exactly this.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InspectReport {
    pub file: String,
    /// The delimiter character itself (`","`, `";"`, `"\t"`, `"|"`).
    pub delimiter: String,
    /// `"."` or `","`.
    pub decimal: String,
    pub header: bool,
    pub encoding: String,
    pub line_endings: String,
    /// Data rows (header and blank rows excluded).
    pub rows: usize,
    pub columns: Vec<ColumnSummary>,
    pub warnings: Vec<String>,
    /// Chosen input names (when columns were chosen).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// Rows used for the chosen columns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<usize>,
    /// First skipped rows as 1-based physical lines (header = line 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped_lines: Option<Vec<usize>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_reasons: Option<SkipReasons>,
}

/// Builds the report for a loaded table and, when given, a column choice.
pub fn inspect_report(
    file: &str,
    table: &Table,
    choice: Option<(&[ColumnRef], &ColumnRef)>,
) -> Result<InspectReport, DataError> {
    let detected = table.detected();
    let mut report = InspectReport {
        file: file.to_owned(),
        delimiter: char::from(detected.delimiter).to_string(),
        decimal: detected.decimal.as_char().to_string(),
        header: detected.has_header,
        encoding: detected.encoding.clone(),
        line_endings: detected.line_endings.clone(),
        rows: detected.data_rows,
        columns: table
            .columns()
            .iter()
            .map(|c| ColumnSummary {
                name: c.name.clone(),
                kind: c.kind,
                missing: c.missing,
                min: c.min,
                max: c.max,
                text_cells: c.text_cells,
                unusable: c.unusable_reason(),
            })
            .collect(),
        warnings: table.warnings().to_vec(),
        x: None,
        y: None,
        used: None,
        skipped: None,
        skipped_lines: None,
        skip_reasons: None,
    };
    if let Some((x, y)) = choice {
        let (dataset, rows): (_, RowReport) = table.select(x, y)?;
        report.x = Some(dataset.x_names.clone());
        report.y = Some(dataset.y_name.clone());
        report.used = Some(rows.used);
        report.skipped = Some(rows.skipped);
        report.skipped_lines = Some(rows.skipped_lines);
        report.skip_reasons = Some(rows.reasons);
    }
    Ok(report)
}

impl InspectReport {
    /// The report as terminal text.
    pub fn to_text(&self) -> String {
        let delimiter = self.delimiter.bytes().next().unwrap_or(b',');
        let mut out = format!(
            "{}\n  encoding: {}\n  delimiter: {} ({:?})\n  decimal separator: {:?}\n  \
             header row: {}\n  line endings: {}\n  data rows: {}\n\ncolumns:\n",
            self.file,
            self.encoding,
            delimiter_name(delimiter),
            self.delimiter,
            self.decimal,
            if self.header { "yes" } else { "no" },
            self.line_endings,
            self.rows,
        );
        let width = self
            .columns
            .iter()
            .map(|c| c.name.chars().count())
            .max()
            .unwrap_or(0);
        for (i, c) in self.columns.iter().enumerate() {
            let kind = match c.kind {
                ColumnKind::Numeric => "numeric",
                ColumnKind::Text => "text",
                ColumnKind::Empty => "empty",
            };
            let range = match (c.min, c.max) {
                (Some(min), Some(max)) => format!("  range {min} … {max}"),
                _ => String::new(),
            };
            let stray = if c.kind == ColumnKind::Numeric && c.text_cells > 0 {
                format!("  {} text cell(s)", c.text_cells)
            } else {
                String::new()
            };
            let unusable = c
                .unusable
                .as_ref()
                .map(|r| format!("  (cannot be chosen: {r})"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {i:>3}  {:<width$}  {kind:<7}  missing {}{range}{stray}{unusable}\n",
                c.name, c.missing
            ));
        }
        if !self.warnings.is_empty() {
            out.push_str("\nwarnings:\n");
            for w in &self.warnings {
                out.push_str(&format!("  - {w}\n"));
            }
        }
        if let (Some(x), Some(y), Some(used), Some(skipped)) =
            (&self.x, &self.y, self.used, self.skipped)
        {
            out.push_str(&format!(
                "\n{} → {y}: {used} rows used, {skipped} skipped",
                x.join(" + ")
            ));
            if let Some(lines) = self.skipped_lines.as_ref().filter(|l| !l.is_empty()) {
                let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                let more = if skipped > lines.len() { ", …" } else { "" };
                out.push_str(&format!(" (lines {}{more})", lines.join(", ")));
            }
            out.push('\n');
        }
        out
    }
}

/// Runs `nanograd inspect` and returns the process exit code: 0 when the file (and the chosen
/// columns) load, 2 when they are refused (one line on stderr; `{"error": …}` on stdout with
/// `--json`).
pub fn run_inspect(args: &InspectArgs) -> i32 {
    let file = args.path.display().to_string();
    let started = Instant::now();
    let show_progress = !args.json && std::io::stderr().is_terminal();
    // Progress only for loads that take more than a second, on a terminal, on one line.
    let progress = |fraction: f32| {
        if show_progress && started.elapsed() > Duration::from_secs(1) {
            eprint!("\rloading {file}: {:>3.0}%", fraction * 100.0);
        }
    };
    let loaded = load_csv_path(
        &args.path,
        &LoadOptions::default(),
        &progress,
        &AtomicBool::new(false),
    );
    if show_progress && started.elapsed() > Duration::from_secs(1) {
        eprint!("\r\x1b[K");
    }
    let outcome = loaded.and_then(|table| {
        let choice = match (&args.x[..], &args.y) {
            ([], None) => None,
            ([], Some(_)) => return Err(DataError::NoInputs),
            (_, None) => {
                return Err(DataError::UnknownColumn {
                    spec: "(none given with --y)".to_owned(),
                    available: table
                        .columns()
                        .iter()
                        .map(|c| format!("`{}`", c.name))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            (x, Some(y)) => Some((
                x.iter()
                    .map(|s| ColumnRef::from(s.as_str()))
                    .collect::<Vec<_>>(),
                ColumnRef::from(y.as_str()),
            )),
        };
        inspect_report(
            &file,
            &table,
            choice.as_ref().map(|(x, y)| (x.as_slice(), y)),
        )
    });
    let mut stdout = std::io::stdout().lock();
    match outcome {
        Ok(report) => {
            let written = if args.json {
                match serde_json::to_string_pretty(&report) {
                    Ok(json) => writeln!(stdout, "{json}"),
                    Err(e) => writeln!(stdout, "{{\"error\": {:?}}}", e.to_string()),
                }
            } else {
                write!(stdout, "{}", report.to_text())
            };
            // A closed pipe (`| head`) is not an error of the file.
            let _ = written;
            0
        }
        Err(e) => {
            // An I/O error already names the path.
            let message = match e {
                DataError::Io { .. } => e.to_string(),
                _ => format!("{file}: {e}"),
            };
            eprintln!("error: {message}");
            if args.json {
                let json = serde_json::json!({ "error": message });
                let _ = writeln!(stdout, "{json}");
            }
            2
        }
    }
}

//! File dialogs that never block the UI, and a typed path for systems without a dialog.
//!
//! An `rfd` dialog is built on the UI thread (so it can be parented to the window), then moved to
//! a helper thread where it blocks until the user answers; the answer comes back over a channel
//! and the UI is repainted. Without an XDG portal or zenity, rfd returns `None` at once: a `None`
//! faster than a person can cancel is taken to mean "no dialog here", and the app opens a
//! [`PathField`] instead of doing nothing.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

/// A `None` quicker than this is "no dialog available", not "the user cancelled".
const TOO_FAST_TO_BE_A_PERSON: Duration = Duration::from_millis(400);

/// What a path is being asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathPurpose {
    OpenCsv,
    SaveWeights,
    LoadWeights,
    ExportHistory,
}

impl PathPurpose {
    pub fn title(self) -> &'static str {
        match self {
            Self::OpenCsv => "Open a CSV file",
            Self::SaveWeights => "Save weights",
            Self::LoadWeights => "Load weights",
            Self::ExportHistory => "Export the run history as CSV",
        }
    }

    pub fn confirm_label(self) -> &'static str {
        match self {
            Self::OpenCsv => "Open",
            Self::SaveWeights => "Save",
            Self::LoadWeights => "Load",
            Self::ExportHistory => "Export",
        }
    }
}

/// A native dialog running on a helper thread.
pub struct DialogJob {
    pub purpose: PathPurpose,
    started: Instant,
    answer: Receiver<Option<PathBuf>>,
}

pub enum DialogOutcome {
    Picked(PathBuf),
    Cancelled,
    /// The system has no usable dialog (or it could not start): offer the path field.
    Unavailable,
}

impl DialogJob {
    /// Open the native dialog for `purpose`. `default_name` is proposed when saving.
    pub fn spawn(
        ctx: &egui::Context,
        frame: Option<&eframe::Frame>,
        purpose: PathPurpose,
        default_name: &str,
    ) -> Self {
        let mut dialog = rfd::FileDialog::new().set_title(purpose.title());
        dialog = match purpose {
            PathPurpose::OpenCsv => dialog
                .add_filter("CSV files", &["csv", "tsv", "txt"])
                .add_filter("All files", &["*"]),
            PathPurpose::SaveWeights => dialog
                .add_filter("Weights", &["safetensors"])
                .set_file_name(default_name)
                .set_can_create_directories(true),
            PathPurpose::LoadWeights => dialog
                .add_filter("Weights", &["safetensors"])
                .add_filter("All files", &["*"]),
            PathPurpose::ExportHistory => dialog
                .add_filter("CSV files", &["csv"])
                .set_file_name("nanograd-history.csv")
                .set_can_create_directories(true),
        };
        if let Some(frame) = frame {
            dialog = dialog.set_parent(frame);
        }
        let (tx, rx) = mpsc::channel();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("nanograd-dialog".to_owned())
            .spawn(move || {
                let answer = match purpose {
                    PathPurpose::SaveWeights | PathPurpose::ExportHistory => dialog.save_file(),
                    PathPurpose::OpenCsv | PathPurpose::LoadWeights => dialog.pick_file(),
                };
                let _ = tx.send(answer);
                ctx.request_repaint();
            });
        if spawned.is_err() {
            // Reported as Unavailable at the first poll: the channel's sender is gone.
        }
        Self {
            purpose,
            started: Instant::now(),
            answer: rx,
        }
    }

    /// `None` while the dialog is still open.
    pub fn poll(&self) -> Option<DialogOutcome> {
        match self.answer.try_recv() {
            Ok(Some(path)) => Some(DialogOutcome::Picked(path)),
            Ok(None) if self.started.elapsed() < TOO_FAST_TO_BE_A_PERSON => {
                Some(DialogOutcome::Unavailable)
            }
            Ok(None) => Some(DialogOutcome::Cancelled),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(DialogOutcome::Unavailable),
        }
    }
}

/// A modal window with a text field for a path: the fallback when no dialog is available, and
/// always reachable from the File menu. While it is open it has the keyboard: the field takes the
/// focus at once, so a "." or a space in a path never reaches the app's shortcuts, and Esc closes
/// it.
#[derive(Clone, Debug)]
pub struct PathField {
    pub purpose: PathPurpose,
    pub text: String,
    /// Why the field is shown (e.g. "No file dialog on this system").
    pub note: Option<String>,
    has_focused: bool,
    /// A file that saving would replace, shown with a warning until the user confirms.
    replacing: Option<Replacing>,
}

/// An existing file that a save would replace.
#[derive(Clone, Debug)]
struct Replacing {
    path: PathBuf,
    /// Whether it is a Nanograd weights file (else replacing it loses something else).
    is_weights: bool,
}

pub enum PathFieldAction {
    Confirm(PathBuf),
    Close,
}

impl PathField {
    pub fn new(purpose: PathPurpose, text: String, note: Option<String>) -> Self {
        Self {
            purpose,
            text,
            note,
            has_focused: false,
            replacing: None,
        }
    }

    /// Where confirming saves or opens: a weights file gets its extension.
    fn target(&self, path: &str) -> PathBuf {
        let path = expand_home(path);
        if self.purpose == PathPurpose::SaveWeights && path.extension().is_none() {
            path.with_extension("safetensors")
        } else {
            path
        }
    }

    /// An example of what to type, for the empty field.
    fn hint(&self) -> &'static str {
        match self.purpose {
            PathPurpose::OpenCsv => "/home/me/data.csv",
            PathPurpose::SaveWeights | PathPurpose::LoadWeights => "/home/me/model.safetensors",
            PathPurpose::ExportHistory => "/home/me/history.csv",
        }
    }

    /// Show the window; returns what the user chose, if anything.
    pub fn window_ui(&mut self, ctx: &egui::Context) -> Option<PathFieldAction> {
        let mut action = None;
        let modal = egui::Modal::new(egui::Id::unique("nanograd-path-field")).show(ctx, |ui| {
            ui.set_max_width(560.0);
            ui.heading(self.purpose.title());
            if let Some(note) = &self.note {
                ui.label(note);
            }
            let label = ui.label("File path:");
            let hint = self.hint();
            let response = ui.add(
                egui::TextEdit::singleline(&mut self.text)
                    .desired_width(520.0)
                    .hint_text(hint),
            );
            let response = response.labelled_by(label.id);
            if response.changed() {
                self.replacing = None;
            }
            if !std::mem::replace(&mut self.has_focused, true) {
                response.request_focus();
            }
            if let Some(replacing) = &self.replacing {
                let name = replacing.path.display();
                let warning = if replacing.is_weights {
                    format!("{name} already exists. Replace it with these weights?")
                } else {
                    format!(
                        "{name} exists and is not a Nanograd weights file: replacing it loses \
                         what it holds (a data file, perhaps). Replace it anyway?"
                    )
                };
                ui.colored_label(ui.visuals().warn_fg_color, warning);
            }
            let is_entered =
                response.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                let path = self.text.trim().to_owned();
                let label = if self.replacing.is_some() {
                    "Replace"
                } else {
                    self.purpose.confirm_label()
                };
                let confirm = ui.add_enabled(!path.is_empty(), egui::Button::new(label));
                if (confirm.clicked() || is_entered) && !path.is_empty() {
                    let target = self.target(&path);
                    let asked = self
                        .replacing
                        .as_ref()
                        .is_some_and(|replacing| replacing.path == target);
                    // A typed path replaces a file only once the user has seen what it is.
                    if self.purpose == PathPurpose::SaveWeights && target.exists() && !asked {
                        self.replacing = Some(Replacing {
                            is_weights: crate::train::is_weights_file(&target),
                            path: target,
                        });
                    } else {
                        action = Some(PathFieldAction::Confirm(target));
                    }
                }
                if ui.button("Cancel").on_hover_text("Esc").clicked() {
                    action = Some(PathFieldAction::Close);
                }
            });
        });
        if action.is_none() && modal.should_close() {
            action = Some(PathFieldAction::Close);
        }
        action
    }
}

/// `~/x` → `$HOME/x`, as people type it.
fn expand_home(path: &str) -> PathBuf {
    if let Some(rest) = path.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    PathBuf::from(path)
}

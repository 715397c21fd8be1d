//! The menu bar: File, Training, View and Help. Returns [`Action`]s like the panels; the View
//! toggles edit the view settings directly and say so with [`Action::ApplyStyle`].

use super::dialogs::PathPurpose;
use super::panels::{Action, sample_items_ui, shortcuts};
use super::state::ViewSettings;

pub fn menu_bar_ui(ui: &mut egui::Ui, view: &mut ViewSettings, is_training: bool) -> Vec<Action> {
    let mut actions = Vec::new();
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| file_menu_ui(ui, &mut actions));
        ui.menu_button("Training", |ui| {
            training_menu_ui(ui, is_training, &mut actions)
        });
        ui.menu_button("View", |ui| view_menu_ui(ui, view, &mut actions));
        ui.menu_button("Help", |ui| help_menu_ui(ui, &mut actions));
    });
    actions
}

fn file_menu_ui(ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    let ctx = ui.ctx().clone();
    let item = |text: &str, shortcut: Option<&egui::KeyboardShortcut>| {
        let button = egui::Button::new(text);
        match shortcut {
            Some(shortcut) => button.shortcut_text(ctx.format_shortcut(shortcut)),
            None => button,
        }
    };
    if ui.add(item("Open CSV…", Some(&shortcuts::OPEN))).clicked() {
        actions.push(Action::OpenDialog(PathPurpose::OpenCsv));
    }
    if ui.add(item("Open CSV by path…", None)).clicked() {
        actions.push(Action::OpenPathField(PathPurpose::OpenCsv));
    }
    ui.menu_button("Sample data", |ui| sample_items_ui(ui, actions));
    ui.separator();
    if ui
        .add(item("Save weights…", Some(&shortcuts::SAVE)))
        .clicked()
    {
        actions.push(Action::OpenDialog(PathPurpose::SaveWeights));
    }
    if ui.add(item("Save weights to path…", None)).clicked() {
        actions.push(Action::OpenPathField(PathPurpose::SaveWeights));
    }
    if ui.add(item("Load weights…", None)).clicked() {
        actions.push(Action::OpenDialog(PathPurpose::LoadWeights));
    }
    if ui.add(item("Load weights from path…", None)).clicked() {
        actions.push(Action::OpenPathField(PathPurpose::LoadWeights));
    }
    ui.separator();
    if ui.button("Quit").clicked() {
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }
}

fn training_menu_ui(ui: &mut egui::Ui, is_training: bool, actions: &mut Vec<Action>) {
    let ctx = ui.ctx().clone();
    let play = if is_training { "Pause" } else { "Train" };
    if ui
        .add(egui::Button::new(play).shortcut_text("Space"))
        .clicked()
    {
        actions.push(Action::TogglePlay);
    }
    if ui
        .add_enabled(
            is_training,
            egui::Button::new("Stop & keep current weights"),
        )
        .on_hover_text(
            "Pause here and keep these weights, even where early stopping would go back to its \
             best epoch",
        )
        .clicked()
    {
        actions.push(Action::StopKeepingWeights);
    }
    if ui
        .add(
            egui::Button::new("Step one epoch")
                .shortcut_text(ctx.format_shortcut(&shortcuts::STEP)),
        )
        .clicked()
    {
        actions.push(Action::StepEpoch);
    }
    if ui
        .add(
            egui::Button::new("Step one batch")
                .shortcut_text(ctx.format_shortcut(&shortcuts::STEP_BATCH)),
        )
        .clicked()
    {
        actions.push(Action::StepBatch);
    }
    if ui
        .add(egui::Button::new("Reset").shortcut_text(ctx.format_shortcut(&shortcuts::RESET)))
        .clicked()
    {
        actions.push(Action::ResetModel);
    }
    ui.separator();
    if ui
        .button("Compare runs…")
        .on_hover_text(
            "Train up to four settings side by side from the same start: SGD against Adam, \
             one learning rate against another, tanh against ReLU",
        )
        .clicked()
    {
        actions.push(Action::ShowRace);
    }
    if ui
        .button("Run history…")
        .on_hover_text(
            "Every run trained until a reset or a change of settings: its settings and results, \
             its loss curve as a ghost, and its weights to restore",
        )
        .clicked()
    {
        actions.push(Action::ShowHistory);
    }
    if ui
        .button("Verify the engine…")
        .on_hover_text(
            "Check every gradient of the current network on the current data against finite \
             differences, and micrograd's reference values",
        )
        .clicked()
    {
        actions.push(Action::VerifyEngine);
    }
}

fn view_menu_ui(ui: &mut egui::Ui, view: &mut ViewSettings, actions: &mut Vec<Action>) {
    let ctx = ui.ctx().clone();
    let mut is_projector = view.is_projector;
    if ui
        .add(
            egui::Button::selectable(is_projector, "Projector view")
                .shortcut_text(ctx.format_shortcut(&shortcuts::PROJECTOR)),
        )
        .on_hover_text(
            "Larger text, thicker lines, bigger points and full-contrast colours for a classroom \
             projector; the settings panel is tucked away (Settings button to show it)",
        )
        .clicked()
    {
        is_projector = !is_projector;
        actions.push(Action::SetProjector(is_projector));
    }
    if ui
        .checkbox(&mut view.is_settings_panel_shown, "Settings panel")
        .changed()
    {
        actions.push(Action::ApplyStyle);
    }
    ui.checkbox(&mut view.is_diagram_shown, "Network diagram");
    ui.checkbox(
        &mut view.is_unit_curves_shown,
        "Hidden units on the fit plot",
    )
    .on_hover_text("Each unit of the last hidden layer as its share of the prediction");
    if ui
        .button("Computation graph…")
        .on_hover_text(
            "Every value and gradient of one data point's prediction and squared error, as the \
             engine computed them (click a data point first to choose it)",
        )
        .clicked()
    {
        actions.push(Action::ShowGraph);
    }
    ui.checkbox(&mut view.log_loss, "Log-scale loss");
    if ui.checkbox(&mut view.is_dark, "Dark theme").changed() {
        actions.push(Action::ApplyStyle);
    }
    ui.separator();
    let zoom_steps = [
        ("Larger text", 0.1),
        ("Smaller text", -0.1),
        ("Default text size", 0.0),
    ];
    for (label, step) in zoom_steps {
        if ui.button(label).clicked() {
            view.zoom = if step == 0.0 {
                ViewSettings::default().zoom
            } else {
                (view.zoom + step).clamp(0.6, 3.0)
            };
            actions.push(Action::ApplyStyle);
        }
    }
}

/// What each part of the window means, a sentence each.
const HELP: &[(&str, &str)] = &[
    (
        "Data panel",
        "Choose a CSV file or a sample set, which column the network predicts (y) and from which \
         columns (x), and how many rows to hold out for validation.",
    ),
    (
        "Network panel",
        "The hidden layers between input and output, their units, and the activation function \
         that bends each unit's output; any change starts a fresh network.",
    ),
    (
        "Optimizer panel",
        "How the weights are updated: SGD or Adam, the learning rate (how big each step is), the \
         batch size (rows per step) and the seed that fixes the starting weights.",
    ),
    (
        "Fit plot",
        "The data as points and the network's prediction as a line; beyond the dashed lines the \
         network has seen no data. With several x columns it shows predicted against actual.",
    ),
    (
        "Loss plot",
        "The mean squared error after each epoch on the training rows and on the held-out \
         validation rows, in standardised units: 1 is no better than predicting the mean.",
    ),
    (
        "Network diagram",
        "Each circle is a unit and each line a weight, from the input columns on the left to the \
         predicted column on the right.",
    ),
];

fn help_menu_ui(ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    let ctx = ui.ctx().clone();
    ui.set_max_width(520.0);
    if ui
        .button("Glossary…")
        .on_hover_text("Every term on screen, from activation to weight, in a sentence or two")
        .clicked()
    {
        actions.push(Action::ShowGlossary);
    }
    ui.separator();
    ui.label(egui::RichText::new("What you see").strong());
    egui::Grid::new("help-grid")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (term, meaning) in HELP {
                ui.label(egui::RichText::new(*term).strong());
                ui.add(egui::Label::new(*meaning).wrap());
                ui.end_row();
            }
        });
    ui.separator();
    ui.label(egui::RichText::new("Keys").strong());
    ui.label("Space: train / pause");
    ui.label(format!(
        "{}: one epoch",
        ctx.format_shortcut(&shortcuts::STEP)
    ));
    ui.label(format!("{}: reset", ctx.format_shortcut(&shortcuts::RESET)));
    ui.label(format!(
        "{}: projector view",
        ctx.format_shortcut(&shortcuts::PROJECTOR)
    ));
    ui.label(format!(
        "{}: open a CSV",
        ctx.format_shortcut(&shortcuts::OPEN)
    ));
    ui.label(format!(
        "{}: save weights",
        ctx.format_shortcut(&shortcuts::SAVE)
    ));
    ui.label("Drop a CSV file onto the window to load it.");
    ui.label("Plots: drag to pan, Ctrl+scroll to zoom, double-click to fit.");
}

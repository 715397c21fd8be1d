//! The Compare runs window: up to three runs beside the main one, each changing its optimizer,
//! learning rate, momentum, activation, hidden layers or batch size, trained side by side from
//! the same start. Presets set up the classic comparisons in one click.

use crate::cli::parse_hidden_sizes;
use crate::nn::Activation;

use super::super::state::{
    MAX_HIDDEN_LAYERS, MAX_RACE_RUNS, MAX_UNITS, OptimizerKind, OptimizerSettings, RaceEntry,
    RaceSettings, Settings,
};
use super::super::style::ViewStyle;
use super::loss_plot::run_color;

/// Shows the window; returns true when the runs training changed (they must be built again).
pub fn race_window(
    ctx: &egui::Context,
    is_open: &mut bool,
    settings: &mut Settings,
    style: &ViewStyle,
) -> bool {
    let before = settings.race.clone();
    let main = RaceEntry::from_main(settings);
    egui::Window::new("Compare runs")
        .open(is_open)
        .resizable(false)
        .default_width(640.0)
        .show(ctx, |ui| {
            let race = &mut settings.race;
            ui.checkbox(&mut race.is_on, "Train these runs side by side")
                .on_hover_text(
                    "Each run trains an epoch in turn, so they advance at the same pace and \
                     the race is fair to watch",
                );
            ui.horizontal_wrapped(|ui| {
                ui.label("Presets:");
                presets_ui(ui, race, &main);
            });
            ui.add_space(4.0);
            runs_grid_ui(ui, race, &main, style);
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(
                        race.runs.len() < MAX_RACE_RUNS - 1,
                        egui::Button::new("Add run"),
                    )
                    .on_hover_text("Another run, starting as a copy of the main settings")
                    .clicked()
                {
                    race.runs.push(main.clone());
                }
            });
            ui.add_space(4.0);
            ui.label(
                egui::RichText::new(
                    "Runs with the same network and batch size start from identical weights \
                     and see the same batches in the same order; the others share the seed \
                     only (hover a run in the status line to see which). Run 1 follows the \
                     settings panel. Any change starts the race again.",
                )
                .small(),
            );
        });
    // Entries edited while the race is off change nothing that trains.
    settings.race != before && (before.is_on || settings.race.is_on)
}

fn presets_ui(ui: &mut egui::Ui, race: &mut RaceSettings, main: &RaceEntry) {
    let with = |change: &dyn Fn(&mut RaceEntry)| {
        let mut entry = main.clone();
        change(&mut entry);
        entry
    };
    let mut chosen = None;
    if ui
        .button("SGD · momentum · Adam")
        .on_hover_text("Plain SGD and SGD with momentum 0.9 against the main run (set it to Adam)")
        .clicked()
    {
        chosen = Some(vec![
            with(&|e| {
                e.kind = OptimizerKind::Sgd;
                e.learning_rate = 0.05;
                e.momentum = 0.0;
            }),
            with(&|e| {
                e.kind = OptimizerKind::Sgd;
                e.learning_rate = 0.05;
                e.momentum = 0.9;
            }),
        ]);
    }
    if ui
        .button("Learning rate ÷10, ÷100")
        .on_hover_text("The main run's learning rate, 10 and 100 times smaller")
        .clicked()
    {
        chosen = Some(vec![
            with(&|e| e.learning_rate = (e.learning_rate / 10.0).max(1e-5)),
            with(&|e| e.learning_rate = (e.learning_rate / 100.0).max(1e-5)),
        ]);
    }
    if ui
        .button("tanh · ReLU · sigmoid")
        .on_hover_text("The same network with each other activation")
        .clicked()
    {
        let others: Vec<RaceEntry> = [Activation::Tanh, Activation::Relu, Activation::Sigmoid]
            .into_iter()
            .filter(|&activation| activation != main.activation)
            .map(|activation| with(&|e| e.activation = activation))
            .collect();
        chosen = Some(others);
    }
    if ui
        .button("Small · big network")
        .on_hover_text("One hidden layer of 4 units, and three of 64, against the main network")
        .clicked()
    {
        chosen = Some(vec![
            with(&|e| e.hidden_sizes = vec![4]),
            with(&|e| e.hidden_sizes = vec![64, 64, 64]),
        ]);
    }
    if let Some(runs) = chosen {
        race.runs = runs;
        race.is_on = true;
    }
}

fn runs_grid_ui(ui: &mut egui::Ui, race: &mut RaceSettings, main: &RaceEntry, style: &ViewStyle) {
    let mut removed = None;
    egui::Grid::new("race-runs")
        .num_columns(8)
        .spacing([10.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            for heading in [
                "",
                "optimizer",
                "learning rate",
                "momentum",
                "activation",
                "hidden layers",
                "batch",
                "",
            ] {
                ui.label(egui::RichText::new(heading).strong());
            }
            ui.end_row();
            let name = |ui: &mut egui::Ui, index: usize| {
                ui.label(
                    egui::RichText::new(format!("run {}", index + 1))
                        .strong()
                        .color(run_color(style, index)),
                )
            };
            name(ui, 0);
            ui.label(kind_name(main.kind));
            ui.label(format!("{:.1e}", main.learning_rate));
            ui.label(if main.kind == OptimizerKind::Sgd {
                format!("{}", main.momentum)
            } else {
                "—".to_owned()
            });
            ui.label(main.activation.name());
            ui.label(hidden_text(&main.hidden_sizes));
            ui.label(main.batch_size.to_string());
            ui.label("(settings panel)");
            ui.end_row();
            for (index, entry) in race.runs.iter_mut().enumerate() {
                name(ui, index + 1);
                entry_row_ui(ui, index + 1, entry);
                if ui.button("Remove").clicked() {
                    removed = Some(index);
                }
                ui.end_row();
            }
        });
    if let Some(index) = removed {
        race.runs.remove(index);
    }
}

fn entry_row_ui(ui: &mut egui::Ui, run: usize, entry: &mut RaceEntry) {
    egui::ComboBox::from_id_salt(("race-optimizer", run))
        .selected_text(kind_name(entry.kind))
        .width(70.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut entry.kind, OptimizerKind::Sgd, "SGD");
            ui.selectable_value(&mut entry.kind, OptimizerKind::Adam, "Adam");
        });
    ui.scope(|ui| {
        ui.spacing_mut().slider_width = 90.0;
        ui.add(
            egui::Slider::new(
                &mut entry.learning_rate,
                OptimizerSettings::MIN_LEARNING_RATE..=OptimizerSettings::MAX_LEARNING_RATE,
            )
            .logarithmic(true)
            .custom_formatter(|value, _| format!("{value:.1e}")),
        );
    });
    ui.add_enabled(
        entry.kind == OptimizerKind::Sgd,
        egui::DragValue::new(&mut entry.momentum)
            .range(0.0..=0.99)
            .speed(0.01),
    );
    egui::ComboBox::from_id_salt(("race-activation", run))
        .selected_text(entry.activation.name())
        .width(80.0)
        .show_ui(ui, |ui| {
            for activation in Activation::ALL {
                ui.selectable_value(&mut entry.activation, activation, activation.name());
            }
        });
    hidden_field_ui(ui, run, entry);
    ui.add(
        egui::DragValue::new(&mut entry.batch_size)
            .range(1..=OptimizerSettings::MAX_BATCH_SIZE)
            .speed(0.5),
    );
}

/// The hidden layers as text ("32,32"), applied when the field loses focus so that typing does
/// not restart the race at every key; a text that is not a list of sizes is shown in red.
fn hidden_field_ui(ui: &mut egui::Ui, run: usize, entry: &mut RaceEntry) {
    let id = ui.scope_id().with(("race-hidden", run));
    let mut text = ui
        .data_mut(|data| data.get_temp::<String>(id))
        .unwrap_or_else(|| hidden_text(&entry.hidden_sizes));
    let parsed = hidden_sizes_allowed(&text);
    let mut field = egui::TextEdit::singleline(&mut text)
        .desired_width(80.0)
        .hint_text("none");
    if parsed.is_none() {
        field = field.text_color(ui.visuals().error_fg_color);
    }
    let response = ui.add(field).on_hover_text(
        "Units per hidden layer (1 to 256), comma-separated (e.g. 32,32); empty or \"none\" for \
         no hidden layer",
    );
    if response.lost_focus()
        && let Some(sizes) = hidden_sizes_allowed(&text)
    {
        entry.hidden_sizes = sizes;
        text = hidden_text(&entry.hidden_sizes);
    }
    if response.has_focus() || parsed.is_none() {
        ui.data_mut(|data| data.insert_temp(id, text));
    } else {
        ui.data_mut(|data| data.remove::<String>(id));
    }
}

/// The sizes in `text` if the network panel allows them too: the command line's parser takes up
/// to 4096 units a layer, the app at most [`MAX_UNITS`], and a raced run beyond that would be
/// clamped (changed) when the settings are read back at the next start.
fn hidden_sizes_allowed(text: &str) -> Option<Vec<usize>> {
    parse_hidden_sizes(text).ok().filter(|sizes| {
        sizes.len() <= MAX_HIDDEN_LAYERS && sizes.iter().all(|&units| units <= MAX_UNITS)
    })
}

fn hidden_text(sizes: &[usize]) -> String {
    if sizes.is_empty() {
        "none".to_owned()
    } else {
        let sizes: Vec<String> = sizes.iter().map(usize::to_string).collect();
        sizes.join(",")
    }
}

fn kind_name(kind: OptimizerKind) -> &'static str {
    match kind {
        OptimizerKind::Sgd => "SGD",
        OptimizerKind::Adam => "Adam",
    }
}

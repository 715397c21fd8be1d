//! Where the data comes from, which columns are x and y, and the validation split.

use crate::data::{self, RowReport, Table};

use super::super::dialogs::PathPurpose;
use super::super::loader::column_is_usable;
use super::super::numbers::count;
use super::super::state::{ColumnChoice, DataSource, SyntheticKind, SyntheticSettings};
use super::{Action, labelled, shortcuts};

/// What the data panel shows but does not edit.
pub struct DataView<'a> {
    pub source: &'a DataSource,
    pub source_name: &'a str,
    pub table: Option<&'a Table>,
    pub report: Option<&'a RowReport>,
    pub n_train: usize,
    pub n_validation: usize,
    /// A load in progress: its label and fraction done.
    pub loading: Option<(&'a str, f32)>,
}

pub fn data_ui(
    ui: &mut egui::Ui,
    view: &DataView<'_>,
    val_fraction: &mut f32,
    synthetic: &mut SyntheticSettings,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let open_hint = format!(
        "Choose a CSV file ({}), or drop one onto the window",
        ui.ctx().format_shortcut(&shortcuts::OPEN)
    );
    ui.horizontal_wrapped(|ui| {
        if ui.button("Open CSV…").on_hover_text(open_hint).clicked() {
            actions.push(Action::OpenDialog(PathPurpose::OpenCsv));
        }
        ui.menu_button("Samples", |ui| sample_items_ui(ui, &mut actions))
            .response
            .on_hover_text("Real data sets built into Nanograd");
    });

    if let Some((label, progress)) = view.loading {
        ui.horizontal(|ui| {
            ui.add(
                egui::ProgressBar::new(progress)
                    .text(format!("{label}… {:.0} %", progress * 100.0))
                    .desired_width(220.0),
            );
            if ui.button("Cancel").on_hover_text("Stop loading").clicked() {
                actions.push(Action::CancelLoading);
            }
        });
    }

    ui.label(egui::RichText::new(view.source_name).strong())
        .on_hover_text(source_detail(view.source));
    if let Some(report) = view.report {
        ui.label(report.summary());
    }
    ui.label(format!(
        "{}, {}",
        count(view.n_train, "training row", "training rows"),
        count(view.n_validation, "validation row", "validation rows")
    ));

    if let Some(table) = view.table {
        let none_yet = ColumnChoice {
            x: Vec::new(),
            y: String::new(),
        };
        columns_ui(
            ui,
            table,
            view.source.columns().unwrap_or(&none_yet),
            &mut actions,
        );
    }

    egui::Grid::new("split-grid").num_columns(2).show(ui, |ui| {
        let changed = labelled(ui, "Validation", |ui| {
            ui.add(
                egui::Slider::new(val_fraction, 0.0..=0.5)
                    .step_by(0.05)
                    .custom_formatter(|value, _| format!("{:.0} %", value * 100.0)),
            )
            .on_hover_text("Rows held out to check the fit on data the network never trains on")
        })
        .changed();
        if changed {
            actions.push(Action::ResetModel);
        }
    });

    ui.collapsing("Synthetic data", |ui| {
        egui::Grid::new("synthetic-grid")
            .num_columns(2)
            .show(ui, |ui| {
                labelled(ui, "Function", |ui| {
                    egui::ComboBox::from_id_salt("synthetic-kind")
                        .selected_text(synthetic.kind.label())
                        .show_ui(ui, |ui| {
                            for kind in SyntheticKind::ALL {
                                ui.selectable_value(&mut synthetic.kind, kind, kind.label());
                            }
                        })
                        .response
                });
                labelled(ui, "Noise", |ui| {
                    ui.add(egui::Slider::new(&mut synthetic.noise, 0.0..=1.0))
                });
                labelled(ui, "Points", |ui| {
                    ui.add(
                        egui::DragValue::new(&mut synthetic.n_points)
                            .range(2..=SyntheticSettings::MAX_POINTS)
                            .speed(2.0),
                    )
                });
            });
        if ui
            .button("Generate")
            .on_hover_text("Replace the data with this function plus noise")
            .clicked()
        {
            actions.push(Action::LoadSource(DataSource::Synthetic(synthetic.clone())));
        }
    });
    actions
}

/// One button per built-in sample set (in the panel's Samples menu and the File menu).
pub fn sample_items_ui(ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    for sample in data::samples() {
        if ui
            .button(sample.name)
            .on_hover_text(sample.description)
            .clicked()
        {
            actions.push(Action::LoadSource(DataSource::Sample {
                name: sample.name.to_owned(),
                columns: None,
            }));
        }
    }
}

/// y as a drop-down, x as check boxes; columns that cannot be used are shown greyed with why.
fn columns_ui(ui: &mut egui::Ui, table: &Table, current: &ColumnChoice, actions: &mut Vec<Action>) {
    let mut choice = current.clone();
    egui::Grid::new("y-column").num_columns(2).show(ui, |ui| {
        labelled(ui, "y column", |ui| {
            egui::ComboBox::from_id_salt("y-column-combo")
                .selected_text(choice.y.as_str())
                .show_ui(ui, |ui| {
                    for column in table.columns() {
                        let usable = column_is_usable(column);
                        let response = ui.add_enabled(
                            usable,
                            egui::Button::selectable(choice.y == column.name, column.name.as_str()),
                        );
                        if let Some(reason) = column.unusable_reason() {
                            response.clone().on_disabled_hover_text(reason);
                        }
                        if response.clicked() {
                            choice = with_target(&choice, &column.name);
                        }
                    }
                })
                .response
        });
    });
    ui.label("x column(s):");
    ui.horizontal_wrapped(|ui| {
        for column in table.columns() {
            if column.name == choice.y {
                continue;
            }
            let mut is_x = choice.x.contains(&column.name);
            let response = ui.add_enabled(
                column_is_usable(column),
                egui::Checkbox::new(&mut is_x, column.name.as_str()),
            );
            if let Some(reason) = column.unusable_reason() {
                response.clone().on_disabled_hover_text(reason);
            }
            if response.changed() {
                if is_x {
                    choice.x.push(column.name.clone());
                } else {
                    choice.x.retain(|x| *x != column.name);
                }
            }
        }
    });
    if choice.x.is_empty() || choice.y.is_empty() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "Choose a y column and at least one x column.",
        );
    } else if choice != *current {
        actions.push(Action::SelectColumns(choice));
    }
}

/// The choice with `target` as y. Choosing the current x column as y swaps the two, which is
/// what a user who picks it means; otherwise x would be left empty and nothing would happen.
fn with_target(choice: &ColumnChoice, target: &str) -> ColumnChoice {
    let mut x: Vec<String> = choice.x.iter().filter(|x| *x != target).cloned().collect();
    if x.is_empty() && !choice.y.is_empty() && choice.y != target {
        x.push(choice.y.clone());
    }
    ColumnChoice {
        x,
        y: target.to_owned(),
    }
}

fn source_detail(source: &DataSource) -> String {
    match source {
        DataSource::Sample { name, .. } => format!("Built-in sample set {name}"),
        DataSource::File { path, .. } => path.display().to_string(),
        DataSource::Synthetic(settings) => format!(
            "{} with noise {}, {} points, seed {}",
            settings.kind.label(),
            settings.noise,
            settings.n_points,
            settings.seed
        ),
        DataSource::Formula(settings) => format!(
            "y = {} for x from {} to {}, {} points, seed {}",
            settings.formula.trim(),
            settings.x_from,
            settings.x_to,
            settings.n_points,
            settings.seed
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(x: &[&str], y: &str) -> ColumnChoice {
        ColumnChoice {
            x: x.iter().map(|name| (*name).to_owned()).collect(),
            y: y.to_owned(),
        }
    }

    #[test]
    fn choosing_the_only_x_column_as_y_swaps_them() {
        let swapped = with_target(&choice(&["Miles_per_Gallon"], "Year"), "Miles_per_Gallon");
        assert_eq!(swapped, choice(&["Year"], "Miles_per_Gallon"));
    }

    #[test]
    fn choosing_one_of_several_x_columns_as_y_keeps_the_others() {
        let chosen = with_target(&choice(&["a", "b"], "c"), "a");
        assert_eq!(chosen, choice(&["b"], "a"));
    }

    #[test]
    fn choosing_another_column_as_y_keeps_x() {
        let chosen = with_target(&choice(&["a"], "c"), "d");
        assert_eq!(chosen, choice(&["a"], "d"));
    }
}

//! Help → Glossary: every term the window uses, with a filter, in the glossary's own words.

use super::super::glossary;

/// The window, while `filter` holds the text typed into its filter (`None`: closed).
pub fn glossary_window(ctx: &egui::Context, filter: &mut Option<String>) {
    let Some(text) = filter else {
        return;
    };
    let mut is_open = true;
    egui::Window::new("Glossary")
        .open(&mut is_open)
        .default_width(560.0)
        .default_height(480.0)
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label("Find:");
                ui.add(
                    egui::TextEdit::singleline(text)
                        .hint_text("a word, such as rate or overfitting")
                        .desired_width(240.0),
                )
                .labelled_by(label.id);
            });
            ui.separator();
            egui::ScrollArea::vertical().show(ui, |ui| {
                let mut shown = 0;
                egui::Grid::new("glossary-grid")
                    .num_columns(2)
                    .striped(true)
                    .spacing([12.0, 8.0])
                    .show(ui, |ui| {
                        for entry in glossary::matching(text) {
                            ui.label(egui::RichText::new(entry.term).strong());
                            ui.add(egui::Label::new(entry.meaning).wrap());
                            ui.end_row();
                            shown += 1;
                        }
                    });
                if shown == 0 {
                    ui.label(format!("No term mentions \"{}\".", text.trim()));
                }
            });
        });
    if !is_open {
        *filter = None;
    }
}

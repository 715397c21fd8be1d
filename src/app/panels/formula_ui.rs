//! Data typed as a formula: the formula, with the part at fault marked in the field itself and
//! explained under it, the x range, the number of points, the seed, and Generate.

use std::ops::Range;

use crate::data::{self, FormulaError};

use super::super::state::{DataSource, FormulaSettings};
use super::{Action, labelled};

/// What the formula section edits, and what was found wrong with it.
pub struct FormulaDraft {
    pub settings: FormulaSettings,
    /// The settings last judged and the fault found in them. Typing is judged by the formula's
    /// text alone (one evaluation); a value missing at some x is found when the points are
    /// generated, on the loader's thread, and handed back through [`FormulaDraft::failed`].
    judged: Option<(FormulaSettings, Option<FormulaError>)>,
}

impl FormulaDraft {
    pub fn new(settings: FormulaSettings) -> Self {
        Self {
            settings,
            judged: None,
        }
    }

    /// The fault in the current settings, judged again only when they changed.
    fn fault(&mut self) -> Option<&FormulaError> {
        let is_current = self
            .judged
            .as_ref()
            .is_some_and(|(judged, _)| *judged == self.settings);
        if !is_current {
            let fault = judge(&self.settings);
            self.judged = Some((self.settings.clone(), fault));
        }
        self.judged.as_ref().and_then(|(_, fault)| fault.as_ref())
    }

    /// Generating `settings` failed: find out where, so that the field shows it. Run once per
    /// failed Generate, so the full evaluation stays off the frames of typing.
    pub fn failed(&mut self, settings: &FormulaSettings) {
        if let Err(fault) = data::generate_formula(&settings.spec()) {
            self.settings = settings.clone();
            self.judged = Some((settings.clone(), Some(fault)));
        }
    }
}

/// The text, the range and the number of points; not the values at every x.
fn judge(settings: &FormulaSettings) -> Option<FormulaError> {
    let (from, to) = (settings.x_from, settings.x_to);
    if !(from.is_finite() && to.is_finite() && from < to) {
        return Some(FormulaError::BadRange { from, to });
    }
    data::check_formula(&settings.formula).err()
}

const HELP: &str = "y as a function of x. Known: x; noise, a standard normal draw for each \
                    point (the seed fixes them); pi and e. Operations: + − * / and ^ for a \
                    power (x^2). Functions: sin cos tan, asin acos atan, sinh cosh tanh, exp, \
                    ln (natural logarithm), log (base 10), log2, sqrt, cbrt, abs, sign, floor, \
                    ceil, round, min, max, pow, hypot. Press Enter to generate.";

pub fn formula_ui(ui: &mut egui::Ui, draft: &mut FormulaDraft, actions: &mut Vec<Action>) {
    let error_color = ui.visuals().error_fg_color;
    let fault = draft.fault().cloned();
    let marked = fault.as_ref().and_then(|fault| {
        let span = fault.span()?;
        Some((draft.settings.formula.clone(), span))
    });
    let mut layouter = |ui: &egui::Ui, text: &dyn egui::TextBuffer, wrap_width: f32| {
        let mut job = formula_job(ui, text.as_str(), marked.as_ref(), error_color);
        job.wrap.max_width = wrap_width;
        ui.fonts_mut(|fonts| fonts.layout_job(job))
    };
    let field = ui
        .horizontal(|ui| {
            let label = ui.label("y =");
            ui.add(
                egui::TextEdit::singleline(&mut draft.settings.formula)
                    .hint_text("sin(3*x) + 0.2*noise")
                    // As wide as the panel already is: a wider field would widen the panel
                    // and squeeze the plots.
                    .desired_width(ui.available_width().min(240.0))
                    .layouter(&mut layouter),
            )
            .labelled_by(label.id)
            .on_hover_text(HELP)
        })
        .inner;
    let fault = draft.fault().cloned();
    if let Some(fault) = &fault {
        ui.colored_label(error_color, fault.to_string());
    }

    egui::Grid::new("formula-grid")
        .num_columns(2)
        .show(ui, |ui| {
            labelled(ui, "x from", |ui| {
                ui.horizontal(|ui| {
                    let from = ui.add(egui::DragValue::new(&mut draft.settings.x_from).speed(0.05));
                    ui.label("to");
                    let to = ui.add(egui::DragValue::new(&mut draft.settings.x_to).speed(0.05));
                    from | to
                })
                .inner
            });
            labelled(ui, "Points", |ui| {
                ui.add(
                    egui::DragValue::new(&mut draft.settings.n_points)
                        .range(2..=FormulaSettings::MAX_POINTS)
                        .speed(2.0),
                )
            });
            labelled(ui, "Seed", |ui| {
                ui.add(egui::DragValue::new(&mut draft.settings.seed))
                    .on_hover_text("Fixes the noise: the same seed draws the same noise")
            });
        });

    let can_generate = fault.is_none();
    let entered = field.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
    let clicked = ui
        .add_enabled(can_generate, egui::Button::new("Generate"))
        .on_hover_text("Replace the data with points of this formula")
        .on_disabled_hover_text("Correct the formula first")
        .clicked();
    if can_generate && (clicked || entered) {
        actions.push(Action::LoadSource(DataSource::Formula(
            draft.settings.clone(),
        )));
    }
}

/// The formula as the field draws it, with the part at fault in the error colour and
/// underlined, while the text is still the one judged.
fn formula_job(
    ui: &egui::Ui,
    text: &str,
    marked: Option<&(String, Range<usize>)>,
    error_color: egui::Color32,
) -> egui::text::LayoutJob {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let plain = egui::TextFormat::simple(font.clone(), ui.visuals().text_color());
    let mut job = egui::text::LayoutJob::default();
    let span = marked
        .filter(|(judged, span)| {
            judged == text
                && !span.is_empty()
                && text.is_char_boundary(span.start)
                && text.is_char_boundary(span.end)
        })
        .map(|(_, span)| span.clone());
    match span {
        Some(span) => {
            job.append(&text[..span.start], 0.0, plain.clone());
            job.append(
                &text[span.clone()],
                0.0,
                egui::TextFormat {
                    color: error_color,
                    underline: egui::Stroke::new(2.0, error_color),
                    ..egui::TextFormat::simple(font, error_color)
                },
            );
            job.append(&text[span.end..], 0.0, plain);
        }
        None => job.append(text, 0.0, plain),
    }
    job
}

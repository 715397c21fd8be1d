//! A legend drawn as a row above a plot, so it never covers the data (egui_plot's legend sits
//! inside the plot, over the points, on a narrow projector window).

use egui::{Color32, Pos2, Sense, Shape, Stroke, vec2};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Symbol {
    Dot,
    Diamond,
    Line,
    DashedLine,
}

pub struct LegendItem<'a> {
    pub symbol: Symbol,
    pub color: Color32,
    pub name: &'a str,
    pub hover: &'a str,
}

/// One row of symbols and names; wraps when the plot is narrow.
pub fn legend_ui(ui: &mut egui::Ui, items: &[LegendItem<'_>], line_width: f32) {
    ui.horizontal_wrapped(|ui| {
        for item in items {
            let size = ui.text_style_height(&egui::TextStyle::Body);
            let (rect, response) = ui.allocate_exact_size(vec2(size * 1.6, size), Sense::hover());
            let center = rect.center();
            let radius = size * 0.28;
            let painter = ui.painter();
            match item.symbol {
                Symbol::Dot => {
                    painter.circle_filled(center, radius, item.color);
                }
                Symbol::Diamond => {
                    let points = vec![
                        center + vec2(0.0, -radius * 1.3),
                        center + vec2(radius * 1.3, 0.0),
                        center + vec2(0.0, radius * 1.3),
                        center + vec2(-radius * 1.3, 0.0),
                    ];
                    painter.add(Shape::closed_line(points, Stroke::new(2.0, item.color)));
                }
                Symbol::Line => {
                    painter.line_segment(
                        [
                            Pos2::new(rect.left() + 2.0, center.y),
                            Pos2::new(rect.right() - 2.0, center.y),
                        ],
                        Stroke::new(line_width, item.color),
                    );
                }
                Symbol::DashedLine => {
                    painter.add(Shape::dashed_line(
                        &[
                            Pos2::new(rect.left() + 2.0, center.y),
                            Pos2::new(rect.right() - 2.0, center.y),
                        ],
                        Stroke::new(1.5, item.color),
                        4.0,
                        3.0,
                    ));
                }
            }
            response.on_hover_text(item.hover);
            ui.label(item.name).on_hover_text(item.hover);
            ui.add_space(8.0);
        }
    });
}

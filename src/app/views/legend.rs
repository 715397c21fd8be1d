//! A legend drawn as a row above a plot, so it never covers the data (egui_plot's legend sits
//! inside the plot, over the points, on a narrow projector window).

use egui::{Color32, Pos2, Rect, Sense, Shape, Stroke, vec2};

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

/// One row of symbols and names; wraps when the plot is narrow. Each symbol and its name are
/// one widget, so a wrap never separates them.
pub fn legend_ui(ui: &mut egui::Ui, items: &[LegendItem<'_>], line_width: f32) {
    ui.horizontal_wrapped(|ui| legend_items_ui(ui, items, line_width));
}

/// The legend's items added to a row that is already wrapping (a plot's header).
pub fn legend_items_ui(ui: &mut egui::Ui, items: &[LegendItem<'_>], line_width: f32) {
    for item in items {
        legend_item_ui(ui, item, line_width);
        ui.add_space(8.0);
    }
}

fn legend_item_ui(ui: &mut egui::Ui, item: &LegendItem<'_>, line_width: f32) {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let text_color = ui.visuals().text_color();
    let galley = ui
        .painter()
        .layout_no_wrap(item.name.to_owned(), font, text_color);
    let height = ui.text_style_height(&egui::TextStyle::Body);
    let symbol_width = height * 1.6;
    let gap = ui.spacing().item_spacing.x;
    let size = vec2(
        symbol_width + gap + galley.size().x,
        height.max(galley.size().y),
    );
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    if ui.is_rect_visible(rect) {
        let symbol_rect = Rect::from_min_size(rect.min, vec2(symbol_width, rect.height()));
        paint_symbol(ui.painter(), symbol_rect, item, line_width);
        let text_pos = Pos2::new(
            symbol_rect.right() + gap,
            rect.center().y - galley.size().y / 2.0,
        );
        ui.painter().galley(text_pos, galley, text_color);
    }
    response.on_hover_text(item.hover);
}

fn paint_symbol(painter: &egui::Painter, rect: Rect, item: &LegendItem<'_>, line_width: f32) {
    let center = rect.center();
    let radius = rect.height() * 0.28;
    let ends = [
        Pos2::new(rect.left() + 2.0, center.y),
        Pos2::new(rect.right() - 2.0, center.y),
    ];
    match item.symbol {
        Symbol::Dot => {
            painter.circle_filled(center, radius, item.color);
        }
        Symbol::Diamond => {
            let reach = radius * 1.3;
            let points = vec![
                center + vec2(0.0, -reach),
                center + vec2(reach, 0.0),
                center + vec2(0.0, reach),
                center + vec2(-reach, 0.0),
            ];
            painter.add(Shape::closed_line(points, Stroke::new(2.0, item.color)));
        }
        Symbol::Line => {
            painter.line_segment(ends, Stroke::new(line_width, item.color));
        }
        Symbol::DashedLine => {
            painter.extend(Shape::dashed_line(
                &ends,
                Stroke::new(1.5, item.color),
                4.0,
                3.0,
            ));
        }
    }
}

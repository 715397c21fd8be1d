//! How the window looks: text sizes, the theme, and the sizes and colours the views draw with,
//! in the normal view and in the projector view.
//!
//! Colours come from the Okabe–Ito palette, chosen to stay apart for the common forms of colour
//! blindness; the projector view makes text, lines and markers larger, and text black on white
//! (or white on black), because a washed-out projector loses thin and grey things first.

use egui::Color32;

use super::state::ViewSettings;

/// Text in the projector view, relative to the normal view.
const PROJECTOR_TEXT_SCALE: f32 = 1.3;

/// Distinct colours for plots of many series (one per layer); past these, a plot repeats them
/// with another line style.
pub const SERIES_COLORS: usize = 7;

/// What the plots and the diagram draw with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewStyle {
    pub is_projector: bool,
    pub train: Color32,
    pub validation: Color32,
    pub prediction: Color32,
    /// Reference lines: the data range, the perfect-fit diagonal.
    pub guide: Color32,
    /// Signs of weights and activations: blue for positive, vermillion (orange on dark) for
    /// negative, the pair of the palette that stays apart for every common colour blindness.
    pub positive: Color32,
    pub negative: Color32,
    /// One colour per series, in order, for plots of many series (one per layer or unit).
    pub series: [Color32; SERIES_COLORS],
    /// Width of curves (the network, the losses).
    pub line_width: f32,
    /// Radius of data points.
    pub marker_radius: f32,
    /// Size of tick labels and body text, in points.
    pub font_size: f32,
    /// Scale of the network diagram.
    pub diagram_scale: f32,
}

impl ViewStyle {
    pub fn new(view: &ViewSettings) -> Self {
        let scale = if view.is_projector { 1.6 } else { 1.0 };
        let (train, prediction) = if view.is_dark {
            // Sky blue and yellow: the bright members of the palette for a dark background.
            (
                Color32::from_rgb(0x56, 0xb4, 0xe9),
                Color32::from_rgb(0xf0, 0xe4, 0x42),
            )
        } else {
            // Blue and vermillion.
            (
                Color32::from_rgb(0x00, 0x72, 0xb2),
                Color32::from_rgb(0xd5, 0x5e, 0x00),
            )
        };
        let validation = if view.is_dark {
            Color32::from_rgb(0xe6, 0x9f, 0x00)
        } else {
            // Orange, darkened a little so outlined diamonds read on white.
            Color32::from_rgb(0xc7, 0x86, 0x00)
        };
        let guide = if view.is_dark {
            Color32::from_gray(150)
        } else {
            Color32::from_gray(110)
        };
        let (positive, negative) = if view.is_dark {
            (
                Color32::from_rgb(0x56, 0xb4, 0xe9),
                Color32::from_rgb(0xe6, 0x9f, 0x00),
            )
        } else {
            (
                Color32::from_rgb(0x00, 0x72, 0xb2),
                Color32::from_rgb(0xd5, 0x5e, 0x00),
            )
        };
        // Okabe–Ito's seven colours, leaving out the one that vanishes on the background
        // (yellow on white, black on dark) for a grey that does not.
        let series = if view.is_dark {
            [
                Color32::from_rgb(0x56, 0xb4, 0xe9),
                Color32::from_rgb(0xe6, 0x9f, 0x00),
                Color32::from_rgb(0x00, 0x9e, 0x73),
                Color32::from_rgb(0xcc, 0x79, 0xa7),
                Color32::from_rgb(0xf0, 0xe4, 0x42),
                Color32::from_rgb(0xd5, 0x5e, 0x00),
                Color32::from_gray(200),
            ]
        } else {
            [
                Color32::from_rgb(0x00, 0x72, 0xb2),
                Color32::from_rgb(0xd5, 0x5e, 0x00),
                Color32::from_rgb(0x00, 0x9e, 0x73),
                Color32::from_rgb(0xcc, 0x79, 0xa7),
                Color32::from_rgb(0xc7, 0x86, 0x00),
                Color32::from_rgb(0x56, 0xb4, 0xe9),
                Color32::from_gray(40),
            ]
        };
        Self {
            is_projector: view.is_projector,
            positive,
            negative,
            train,
            validation,
            prediction,
            guide,
            series,
            line_width: 2.5 * scale,
            marker_radius: 2.5 * scale,
            font_size: body_size(view),
            diagram_scale: if view.is_projector { 1.4 } else { 1.0 },
        }
    }
}

fn body_size(view: &ViewSettings) -> f32 {
    14.5 * if view.is_projector {
        PROJECTOR_TEXT_SCALE
    } else {
        1.0
    }
}

/// Apply the theme, the zoom and the text sizes of `view` to the whole app.
pub fn apply_style(ctx: &egui::Context, view: &ViewSettings) {
    ctx.set_zoom_factor(view.zoom);
    ctx.set_theme(if view.is_dark {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    });
    let text_scale = if view.is_projector {
        PROJECTOR_TEXT_SCALE
    } else {
        1.0
    };
    let is_projector = view.is_projector;
    ctx.all_styles_mut(|style| {
        use egui::{FontFamily, FontId, TextStyle};
        let size = |points: f32| points * text_scale;
        style.text_styles = [
            (
                TextStyle::Heading,
                FontId::new(size(20.0), FontFamily::Proportional),
            ),
            (
                TextStyle::Body,
                FontId::new(size(14.5), FontFamily::Proportional),
            ),
            (
                TextStyle::Monospace,
                FontId::new(size(14.0), FontFamily::Monospace),
            ),
            (
                TextStyle::Button,
                FontId::new(size(14.5), FontFamily::Proportional),
            ),
            (
                TextStyle::Small,
                FontId::new(size(11.5), FontFamily::Proportional),
            ),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
        style.spacing.slider_width = 150.0;
        // Scroll bars that are always drawn, so a panel that scrolls shows it.
        style.spacing.scroll = egui::style::ScrollStyle::solid();
        if is_projector {
            // Full-contrast text: a projector washes out grey.
            let strong = if style.visuals.dark_mode {
                Color32::WHITE
            } else {
                Color32::BLACK
            };
            style.visuals.override_text_color = Some(strong);
        } else {
            style.visuals.override_text_color = None;
        }
    });
}

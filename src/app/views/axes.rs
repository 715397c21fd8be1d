//! Our tick logic ([`super::ticks`]) plugged into egui_plot.
//!
//! egui_plot asks a grid spacer for marks and, separately, a formatter for each mark's label. The
//! spacer here computes the ticks once per call and keeps them in a cell the formatter reads, so
//! a mark is labelled exactly when the tick logic gave it a label: minor marks stay lines, and no
//! mark outside the visible range exists to be labelled.

use std::cell::RefCell;
use std::rc::Rc;

use egui_plot::{AxisHints, GridInput, GridMark, HoverPosition, Plot, PlotPoint};

use super::ticks::{self, AxisGeometry, Tick};

/// egui_plot's minimum grid spacing, in points; it also defines `GridInput::base_step_size`.
const GRID_MIN_SPACING: f32 = 8.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    Linear,
    /// Plot coordinates are log10 of the value; labels show the value.
    Log10,
}

/// Give `plot` our ticks and labels on both axes, with the axis titles.
pub fn with_axes<'a>(
    plot: Plot<'a>,
    font_size: f32,
    (x_title, x_scale): (String, Scale),
    (y_title, y_scale): (String, Scale),
) -> Plot<'a> {
    let x_ticks = Rc::new(RefCell::new(Vec::new()));
    let y_ticks = Rc::new(RefCell::new(Vec::new()));
    plot.grid_spacing(egui::Rangef::new(GRID_MIN_SPACING, 300.0))
        .x_grid_spacer(spacer(Rc::clone(&x_ticks), x_scale, true, font_size))
        .y_grid_spacer(spacer(Rc::clone(&y_ticks), y_scale, false, font_size))
        .custom_x_axes(vec![axis_hints(AxisHints::new_x(), x_title, x_ticks)])
        .custom_y_axes(vec![axis_hints(AxisHints::new_y(), y_title, y_ticks)])
}

fn spacer(
    cache: Rc<RefCell<Vec<Tick>>>,
    scale: Scale,
    is_horizontal: bool,
    font_size: f32,
) -> impl Fn(GridInput) -> Vec<GridMark> {
    move |input: GridInput| {
        let (low, high) = input.bounds;
        let length_px = if input.base_step_size > 0.0 {
            ((high - low) / input.base_step_size * f64::from(GRID_MIN_SPACING)) as f32
        } else {
            0.0
        };
        let axis = AxisGeometry {
            low,
            high,
            length_px,
            is_horizontal,
            font_size,
        };
        let ticks = match scale {
            Scale::Linear => ticks::linear_ticks(&axis),
            Scale::Log10 => ticks::log10_ticks(&axis),
        };
        let marks = ticks
            .iter()
            .map(|tick| GridMark {
                value: tick.value,
                step_size: tick.spacing,
            })
            .collect();
        *cache.borrow_mut() = ticks;
        marks
    }
}

fn axis_hints<'a>(
    hints: AxisHints<'a>,
    title: String,
    cache: Rc<RefCell<Vec<Tick>>>,
) -> AxisHints<'a> {
    hints
        .label(title)
        // The tick logic already keeps labels apart; egui's own fading would hide some of them.
        .label_spacing(egui::Rangef::new(1.0, 2.0))
        .formatter(move |mark, _range| {
            cache
                .borrow()
                .iter()
                .find(|tick| tick.value == mark.value)
                .and_then(|tick| tick.label.clone())
                .unwrap_or_default()
        })
}

/// A plot against epochs: as wide as there is room, no scroll zoom, and epochs 0 to 1 at least,
/// so that a fresh run's single point does not sit in a range of ±0.003 epochs with negative
/// epochs on the axis. `readout(series name, point)` is the hover text.
pub fn epoch_plot<'a>(
    id: &str,
    width: f32,
    readout: impl Fn(&str, PlotPoint) -> String + 'a,
) -> Plot<'a> {
    Plot::new(id)
        .width(width)
        .allow_scroll(false)
        .include_x(0.0)
        .include_x(1.0)
        .label_formatter(move |position: &HoverPosition<'_>| {
            let (name, point) = match position {
                HoverPosition::NearDataPoint {
                    plot_name,
                    position,
                    ..
                } => (*plot_name, *position),
                HoverPosition::Elsewhere { position } => ("", *position),
            };
            Some(readout(name, point))
        })
}

//! Axis ticks for the plots: where grid lines go and which of them carry a number.
//!
//! egui_plot draws a label for every grid mark a spacer returns, unclipped, whenever the mark's
//! `step_size` spans the label on screen. Its own spacers can leave a lone "0" on a long axis,
//! or no number at all on a log axis whose loss stays in a narrow band, and a spacer that
//! returns marks outside the visible range puts labels on other widgets. This module picks the
//! ticks itself and guarantees: every tick lies inside the visible range, no label sticks out
//! past an end of the axis, labels never overlap, and there are at least three labels whenever
//! three nice values fit.
//!
//! It knows numbers only: the visible range, the axis length and the font size (label sizes are
//! estimated from character counts). It must not know egui or what is plotted: the plot views
//! turn [`Tick`]s into grid marks and labels.

mod log;

pub use log::log10_ticks;

/// Estimated width of a label character, in font sizes (digits are narrower; erring wide keeps
/// labels apart).
const CHAR_WIDTH_EM: f64 = 0.62;
/// Estimated height of a label, in font sizes.
const LINE_HEIGHT_EM: f64 = 1.3;
/// Room between labels on a horizontal axis, in font sizes.
const HORIZONTAL_MARGIN_EM: f64 = 1.0;
/// Distance between label centres on a vertical axis, in label heights.
const VERTICAL_PITCH_LINES: f64 = 1.25;
/// More labels than this on one axis is clutter.
const MAX_LABELS: f64 = 12.0;
/// An axis with fewer labels cannot be read on its own.
const WANTED_LABELS: usize = 3;
/// Unlabelled lines closer than this (points) are left out; egui_plot hides them under 8 points.
const MIN_MINOR_GAP_PX: f64 = 10.0;
/// A range narrower than this fraction of its magnitude is beyond what f64 labels can tell apart.
const MIN_RELATIVE_SPAN: f64 = 1e-12;
/// Steps are kept well above the subnormals, where f64 loses digits.
const MIN_STEP: f64 = 1e-290;
/// Log axes are labelled only this many decades from 1, so that exponents stay exact integers.
const MAX_LOG_EXPONENT: f64 = 1e6;
const THIN_SPACE: char = '\u{2009}';

/// One axis as it is on screen.
pub struct AxisGeometry {
    /// Visible range in plot coordinates (for a log axis these are log10 values).
    pub low: f64,
    pub high: f64,
    /// Length of the axis on screen, in points.
    pub length_px: f32,
    /// Is this a horizontal (x) axis? Labels then need their *width* of room along the axis; on
    /// a vertical axis their *height*.
    pub is_horizontal: bool,
    /// Font size of the tick labels, in points.
    pub font_size: f32,
}

/// A grid line, with or without a label.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// Position in plot coordinates.
    pub value: f64,
    /// `None`: a grid line only.
    pub label: Option<String>,
    /// For egui_plot's `GridMark::step_size` (larger draws a stronger line), in plot units: for
    /// a labelled tick the distance to its nearer labelled neighbour, so egui's "does the label
    /// fit" check passes; for an unlabelled tick on a step (an end tick whose label would stick
    /// out) the distance to the nearer such tick; for a minor line, to the nearer line.
    pub spacing: f64,
}

impl AxisGeometry {
    /// The visible span, or `None` when there is nothing sensible to draw.
    fn span(&self) -> Option<f64> {
        let span = self.high - self.low;
        let usable = span.is_finite()
            && span > 0.0
            && self.length_px.is_finite()
            && self.length_px > 0.0
            && self.font_size.is_finite()
            && self.font_size > 0.0;
        usable.then_some(span)
    }

    fn px_per_unit(&self) -> f64 {
        f64::from(self.length_px) / (self.high - self.low)
    }

    /// How much of the axis a label covers.
    fn label_extent(&self, label: &str) -> f64 {
        let size = f64::from(self.font_size);
        if self.is_horizontal {
            label.chars().count() as f64 * CHAR_WIDTH_EM * size
        } else {
            LINE_HEIGHT_EM * size
        }
    }

    /// The least on-screen distance between two neighbouring labels.
    fn min_label_gap(&self, a: &str, b: &str) -> f64 {
        let size = f64::from(self.font_size);
        if self.is_horizontal {
            self.label_extent(a).max(self.label_extent(b)) + HORIZONTAL_MARGIN_EM * size
        } else {
            LINE_HEIGHT_EM * size * VERTICAL_PITCH_LINES
        }
    }
}

/// Ticks at multiples of 1, 2 or 5 × 10^k: the finest step whose labels fit.
pub fn linear_ticks(axis: &AxisGeometry) -> Vec<Tick> {
    let Some(span) = axis.span() else {
        return Vec::new();
    };
    let largest = axis.low.abs().max(axis.high.abs());
    if span < largest * MIN_RELATIVE_SPAN || span / MAX_LABELS < MIN_STEP {
        return Vec::new();
    }
    let px_per_unit = axis.px_per_unit();
    let ticks = pick_step(span / (MAX_LABELS - 1.0), span, |step| {
        let size = step.value();
        let majors = multiples(size, axis.low, axis.high)
            .map(|(_, value)| (value, format_tick(value, size, largest)))
            .collect();
        let parts = step.subdivisions();
        let minor_size = size / f64::from(parts);
        let minors = if minor_size * px_per_unit >= MIN_MINOR_GAP_PX {
            multiples(minor_size, axis.low, axis.high)
                .filter(|(index, _)| index % i64::from(parts) != 0)
                .map(|(_, value)| value)
                .collect()
        } else {
            Vec::new()
        };
        lay_out(axis, majors, minors)
    });
    ticks.unwrap_or_default()
}

/// A step of 1, 2 or 5 × 10^exponent.
#[derive(Clone, Copy)]
struct NiceStep {
    mantissa: u8,
    exponent: i32,
}

impl NiceStep {
    /// The smallest nice step at least `minimum` (positive and finite).
    fn at_least(minimum: f64) -> Self {
        let mut step = Self {
            mantissa: 1,
            exponent: minimum.log10().floor() as i32,
        };
        // log10 may be off by an ulp: a step or two up settles it.
        for _ in 0..6 {
            if step.value() >= minimum * (1.0 - 1e-9) {
                break;
            }
            step = step.next();
        }
        step
    }

    fn next(self) -> Self {
        let (mantissa, exponent) = match self.mantissa {
            1 => (2, self.exponent),
            2 => (5, self.exponent),
            _ => (1, self.exponent + 1),
        };
        Self { mantissa, exponent }
    }

    fn value(self) -> f64 {
        f64::from(self.mantissa) * power_of_ten(self.exponent)
    }

    /// Parts for unlabelled lines: 1 → 5 × 0.2, 2 → 2 × 1, 5 → 5 × 1.
    fn subdivisions(self) -> u8 {
        if self.mantissa == 2 { 2 } else { 5 }
    }
}

/// 10^exponent; dividing for negative exponents keeps 0.1, 0.01 … correctly rounded.
fn power_of_ten(exponent: i32) -> f64 {
    if exponent >= 0 {
        10f64.powi(exponent)
    } else {
        1.0 / 10f64.powi(-exponent)
    }
}

/// Tries nice steps from `minimum` upwards; returns the first layout with three labels, else
/// the fitting layout with the most labels (the finer on a tie). Past `stop` (the span) at most
/// one tick is left, so a handful of steps is all there is to try.
fn pick_step(
    minimum: f64,
    stop: f64,
    mut layout_for: impl FnMut(NiceStep) -> Option<Vec<Tick>>,
) -> Option<Vec<Tick>> {
    let mut best: Option<Vec<Tick>> = None;
    let mut step = NiceStep::at_least(minimum);
    for _ in 0..12 {
        if let Some(ticks) = layout_for(step) {
            let count = label_count(&ticks);
            if count >= WANTED_LABELS {
                return Some(ticks);
            }
            if best.as_ref().is_none_or(|best| count > label_count(best)) {
                best = Some(ticks);
            }
        }
        if step.value() > stop {
            break;
        }
        step = step.next();
    }
    best
}

/// The integer multiples `index × step` between `low` and `high`.
fn multiples(step: f64, low: f64, high: f64) -> impl Iterator<Item = (i64, f64)> {
    let (first, last) = ((low / step).ceil(), (high / step).floor());
    // Callers keep the count near MAX_LABELS; the cap is a backstop against a runaway range.
    let (first, last) = if first.is_finite() && last.is_finite() && last - first <= 10_000.0 {
        (first as i64, last as i64)
    } else {
        (1, 0)
    };
    (first..=last).map(move |index| (index, index as f64 * step))
}

fn label_count(ticks: &[Tick]) -> usize {
    ticks.iter().filter(|tick| tick.label.is_some()).count()
}

/// Turns candidate ticks (ascending) into [`Tick`]s: drops those outside the range, unlabels
/// those whose label would stick out past an end, and works out spacings. `None` when two labels
/// would overlap or read the same. Minor lines come all or none, so their density stays even.
fn lay_out(axis: &AxisGeometry, majors: Vec<(f64, String)>, minors: Vec<f64>) -> Option<Vec<Tick>> {
    let (low, high, length) = (axis.low, axis.high, f64::from(axis.length_px));
    let px_per_unit = axis.px_per_unit();
    let inside = |value: f64| low <= value && value <= high;
    let majors: Vec<(f64, Option<String>)> = majors
        .into_iter()
        .filter(|(value, _)| inside(*value))
        .map(|(value, label)| {
            let position = (value - low) * px_per_unit;
            let half = axis.label_extent(&label) / 2.0;
            (
                value,
                (position >= half && length - position >= half).then_some(label),
            )
        })
        .collect();
    let labelled: Vec<(f64, &str)> = majors
        .iter()
        .filter_map(|(value, label)| Some((*value, label.as_deref()?)))
        .collect();
    for pair in labelled.windows(2) {
        let [(a, a_label), (b, b_label)] = pair else {
            continue;
        };
        if (b - a) * px_per_unit < axis.min_label_gap(a_label, b_label) || a_label == b_label {
            return None;
        }
    }

    let span = high - low;
    let major_values: Vec<f64> = majors.iter().map(|(value, _)| *value).collect();
    let labelled_values: Vec<f64> = labelled.iter().map(|(value, _)| *value).collect();
    let mut ticks = Vec::with_capacity(majors.len() + minors.len());
    let mut labelled_index = 0;
    for (index, (value, label)) in majors.into_iter().enumerate() {
        let spacing = match &label {
            Some(text) => {
                let spacing = nearest_gap(&labelled_values, labelled_index).unwrap_or_else(|| {
                    // A lone label: as wide as its grid line or its own room, whichever is wider.
                    let line = nearest_gap(&major_values, index).unwrap_or(span);
                    line.max(axis.min_label_gap(text, text) / px_per_unit)
                });
                labelled_index += 1;
                spacing
            }
            None => nearest_gap(&major_values, index).unwrap_or(span),
        };
        ticks.push(Tick {
            value,
            label,
            spacing,
        });
    }

    let minors: Vec<f64> = minors.into_iter().filter(|value| inside(*value)).collect();
    let mut lines = major_values;
    lines.extend_from_slice(&minors);
    lines.sort_by(f64::total_cmp);
    let mut minor_ticks = Vec::with_capacity(minors.len());
    for value in minors {
        let spacing =
            nearest_gap(&lines, lines.partition_point(|line| *line < value)).unwrap_or(span);
        if spacing * px_per_unit < MIN_MINOR_GAP_PX {
            minor_ticks.clear();
            break;
        }
        minor_ticks.push(Tick {
            value,
            label: None,
            spacing,
        });
    }
    ticks.extend(minor_ticks);
    ticks.sort_by(|a, b| a.value.total_cmp(&b.value));
    Some(ticks)
}

/// Distance from `values[index]` to its nearer neighbour in the sorted `values`.
fn nearest_gap(values: &[f64], index: usize) -> Option<f64> {
    let value = *values.get(index)?;
    let before = index
        .checked_sub(1)
        .and_then(|i| values.get(i))
        .map(|v| value - v);
    let after = values.get(index + 1).map(|v| v - value);
    match (before, after) {
        (Some(before), Some(after)) => Some(before.min(after)),
        (gap, None) | (None, gap) => gap,
    }
}

/// "digit × 10^exponent" as a person writes it: "0.02", "50", "1000"; "2e-6", "1e4" further out.
fn digit_label(digit: u8, exponent: i64) -> String {
    let zeros = |count: i64| "0".repeat(usize::try_from(count).unwrap_or(0));
    match exponent {
        0..=3 => format!("{digit}{}", zeros(exponent)),
        -3..=-1 => format!("0.{}{digit}", zeros(-exponent - 1)),
        _ => format!("{digit}e{exponent}"),
    }
}

/// The label for a linear tick `value` on an axis with labels every `step`, where `largest` is
/// the largest magnitude in the visible range (so that a whole axis shares one notation).
///
/// Fixed notation with the decimals the step needs ("0.15" for step 0.05), integers from 10 000
/// grouped with thin spaces; scientific ("1e9", "2.5e-6", "1.0000002e9") when `largest` is at
/// least 1e6 or below 1e-3, with the mantissa digits the step needs. Zero is "0", never "-0".
pub fn format_tick(value: f64, step: f64, largest: f64) -> String {
    if !value.is_finite() {
        return String::new();
    }
    let magnitude = value.abs();
    let place = if step.is_finite() && step != 0.0 {
        last_digit_place(step.abs())
    } else if magnitude > 0.0 {
        leading_place(magnitude) - 3 // no step to go by: four significant digits
    } else {
        0
    };
    if magnitude < 0.5 * power_of_ten(place) {
        return "0".to_owned(); // also catches -0.0 and rounding noise around zero
    }
    if largest >= 1e6 || (largest > 0.0 && largest < 1e-3) {
        let decimals = usize::try_from(leading_place(magnitude) - place).unwrap_or(0);
        let text = format!("{value:.decimals$e}");
        let Some((mantissa, exponent)) = text.split_once('e') else {
            return text;
        };
        let mantissa = if mantissa.contains('.') {
            mantissa.trim_end_matches('0').trim_end_matches('.')
        } else {
            mantissa
        };
        format!("{mantissa}e{exponent}")
    } else {
        let decimals = usize::try_from(-place).unwrap_or(0);
        let text = format!("{value:.decimals$}");
        if !text.bytes().any(|byte| matches!(byte, b'1'..=b'9')) {
            return "0".to_owned(); // "-0.0" from a value that rounds to zero
        }
        group_thousands(&text)
    }
}

/// The place of a number's leading digit: 2 for 500, -2 for 0.05.
fn leading_place(magnitude: f64) -> i32 {
    // Nudged up so that an exact power of ten is not taken for the digit below it.
    (magnitude.log10() + 1e-12).floor() as i32
}

/// The place of the last digit a step needs: 2 for 500, -2 for 0.05 and for 0.25.
fn last_digit_place(step: f64) -> i32 {
    let leading = leading_place(step);
    // A few places past the leading digit cover every step a person picks (0.25, 0.125).
    (leading - 3..=leading)
        .rev()
        .find(|&place| {
            let units = step / power_of_ten(place);
            (units - units.round()).abs() <= 1e-6 * units
        })
        .unwrap_or(leading - 3)
}

/// "80000.5" → "80 000.5" (thin spaces) for integer parts of five digits or more.
fn group_thousands(text: &str) -> String {
    let (sign, unsigned) = text
        .strip_prefix('-')
        .map_or(("", text), |rest| ("-", rest));
    let (integer, fraction) = unsigned
        .split_once('.')
        .map_or((unsigned, None), |(i, f)| (i, Some(f)));
    if integer.len() < 5 {
        return text.to_owned();
    }
    let mut grouped = String::from(sign);
    for (index, digit) in integer.chars().enumerate() {
        if index > 0 && (integer.len() - index) % 3 == 0 {
            grouped.push(THIN_SPACE);
        }
        grouped.push(digit);
    }
    if let Some(fraction) = fraction {
        grouped.push('.');
        grouped.push_str(fraction);
    }
    grouped
}

#[cfg(test)]
mod tests;

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

/// Ticks for an axis that plots log10(value); labels show the value itself. Tries, coarse to
/// fine: a label every k decades; 1, 2, 5 × 10^n; as many of 1…9 × 10^n as fit; and for a
/// narrow band, nice linear
/// steps of the value. The first with three labels wins, else the one with the most.
pub fn log10_ticks(axis: &AxisGeometry) -> Vec<Tick> {
    let Some(span) = axis.span() else {
        return Vec::new();
    };
    if axis.low.abs().max(axis.high.abs()) > MAX_LOG_EXPONENT {
        return Vec::new();
    }
    let families: [LogFamily; 4] = [
        decade_ticks,
        one_two_five_ticks,
        fitting_digit_ticks,
        value_ticks,
    ];
    let mut best: Option<Vec<Tick>> = None;
    for family in families {
        let Some(ticks) = family(axis, span) else {
            continue;
        };
        let count = label_count(&ticks);
        if count > MAX_LABELS as usize {
            continue; // 1…9 × 10^n over a decade and a half: clutter
        }
        if count >= WANTED_LABELS {
            return ticks;
        }
        if best.as_ref().is_none_or(|best| count > label_count(best)) {
            best = Some(ticks);
        }
    }
    best.unwrap_or_default()
}

/// One way of placing log ticks; `None` when it does not suit the span (in decades).
type LogFamily = fn(&AxisGeometry, f64) -> Option<Vec<Tick>>;

/// A label every k decades, k = 1, 2, 5, 10, …; unlabelled lines at 2…9 × 10^n (k = 1) or at
/// whole decades in between.
fn decade_ticks(axis: &AxisGeometry, span: f64) -> Option<Vec<Tick>> {
    let px_per_decade = axis.px_per_unit();
    pick_step((span / (MAX_LABELS - 1.0)).max(1.0), span, |step| {
        let decades = step.value();
        let majors = multiples(decades, axis.low, axis.high)
            .map(|(_, exponent)| (exponent, digit_label(1, exponent as i64)))
            .collect();
        let minors = if decades == 1.0 {
            // 2…9 × 10^n when 9 and 10 are far enough apart, else just 2 and 5 (k = 1 only
            // when the span is at most MAX_LABELS decades: a short loop).
            let digits: &[u8] = if (10f64 / 9.0).log10() * px_per_decade >= MIN_MINOR_GAP_PX {
                &[2, 3, 4, 5, 6, 7, 8, 9]
            } else {
                &[2, 5]
            };
            let (first, last) = (axis.low.floor() as i64, axis.high.floor() as i64);
            (first..=last)
                .flat_map(|n| digits.iter().map(move |&d| n as f64 + f64::from(d).log10()))
                .collect()
        } else {
            let parts = i64::from(step.subdivisions());
            multiples(decades / parts as f64, axis.low, axis.high)
                .filter(|(index, _)| index % parts != 0)
                .map(|(_, exponent)| exponent)
                .collect()
        };
        lay_out(axis, majors, minors)
    })
}

/// 1, 2, 5 × 10^n labelled, the other digits as lines.
fn one_two_five_ticks(axis: &AxisGeometry, span: f64) -> Option<Vec<Tick>> {
    if span > 6.0 {
        return None; // beyond a dozen labels
    }
    digit_ticks(axis, &[1, 2, 5], &[3, 4, 6, 7, 8, 9])
}

/// As many of 1…9 × 10^n as fit, chosen in the order 1, 2, 5, 3, 4, 6, 7, 8, 9: a band a
/// little under a decade (a loss from 0.17 to 1.2) gets "0.2 0.3 0.5 1" where 1, 2, 5 alone
/// would give two labels and all nine digits would overlap.
fn fitting_digit_ticks(axis: &AxisGeometry, span: f64) -> Option<Vec<Tick>> {
    const PRIORITY: [u8; 9] = [1, 2, 5, 3, 4, 6, 7, 8, 9];
    if span > 3.0 {
        return None;
    }
    let (first, last) = (axis.low.floor() as i64, axis.high.floor() as i64);
    let px_per_unit = axis.px_per_unit();
    let length = f64::from(axis.length_px);
    let mut chosen: Vec<(f64, String)> = Vec::new();
    for digit in PRIORITY {
        for n in first..=last {
            let value = n as f64 + f64::from(digit).log10();
            if !(axis.low <= value && value <= axis.high) {
                continue;
            }
            let label = digit_label(digit, n);
            let position = (value - axis.low) * px_per_unit;
            let half = axis.label_extent(&label) / 2.0;
            if position < half || length - position < half {
                continue;
            }
            let keeps_apart = chosen.iter().all(|(other, other_label)| {
                (value - other).abs() * px_per_unit >= axis.min_label_gap(&label, other_label)
            });
            if keeps_apart && chosen.len() < MAX_LABELS as usize {
                chosen.push((value, label));
            }
        }
    }
    chosen.sort_by(|a, b| a.0.total_cmp(&b.0));
    let minors = (first..=last)
        .flat_map(|n| (2..=9u8).map(move |d| n as f64 + f64::from(d).log10()))
        .filter(|value| {
            !chosen
                .iter()
                .any(|(label_at, _)| (label_at - value).abs() < 1e-12)
        })
        .collect();
    lay_out(axis, chosen, minors)
}

/// Labels at `labelled` digits × 10^n, lines only at `unlabelled` ones (spans of a few decades).
fn digit_ticks(axis: &AxisGeometry, labelled: &[u8], unlabelled: &[u8]) -> Option<Vec<Tick>> {
    let (first, last) = (axis.low.floor() as i64, axis.high.floor() as i64);
    let at = |n: i64, digit: u8| n as f64 + f64::from(digit).log10();
    let majors = (first..=last)
        .flat_map(|n| labelled.iter().map(move |&d| (at(n, d), digit_label(d, n))))
        .collect();
    let minors = (first..=last)
        .flat_map(|n| unlabelled.iter().map(move |&d| at(n, d)))
        .collect();
    lay_out(axis, majors, minors)
}

/// A narrow band (a loss between 0.0312 and 0.0347): nice linear steps of the value itself,
/// each placed at log10(value). Labels crowd towards the top; `lay_out` checks every gap.
fn value_ticks(axis: &AxisGeometry, span: f64) -> Option<Vec<Tick>> {
    if span > 3.0 {
        return None; // whole digits (1…9 × 10^n) label wider bands
    }
    let (low, high) = (10f64.powf(axis.low), 10f64.powf(axis.high));
    let value_span = high - low;
    if !(high.is_finite() && value_span > 0.0)
        || value_span < high * MIN_RELATIVE_SPAN
        || value_span / MAX_LABELS < MIN_STEP
    {
        return None;
    }
    let px_per_decade = axis.px_per_unit();
    pick_step(value_span / (MAX_LABELS - 1.0), value_span, |step| {
        let size = step.value();
        let positive = |(_, value): &(i64, f64)| *value > 0.0;
        let majors = multiples(size, low, high)
            .filter(positive)
            .map(|(_, value)| (value.log10(), format_tick(value, size, high)))
            .collect();
        let parts = i64::from(step.subdivisions());
        let minor_size = size / parts as f64;
        // log10 squeezes the top of the range most: the tightest gap is there.
        let minors =
            if (high.log10() - (high - minor_size).log10()) * px_per_decade >= MIN_MINOR_GAP_PX {
                multiples(minor_size, low, high)
                    .filter(|item| positive(item) && item.0 % parts != 0)
                    .map(|(_, value)| value.log10())
                    .collect()
            } else {
                Vec::new()
            };
        lay_out(axis, majors, minors)
    })
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
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    const LINEAR_RANGES: [(f64, f64); 9] = [
        (0.0, 1.0),
        (0.0, 80_019.0),
        (0.0, 940.0),
        (-3.7, 12.2),
        (-5e-7, 5e-7),
        (1e9, 1e9 + 500.0),
        (-1e9, 1e9),
        (1e-7, 3e-7),
        (0.999, 1.001),
    ];
    /// In log10 units: 0.0006…2.5, a loss stuck between 0.0312 and 0.0347, 1e-12…1e9, …
    const LOG_RANGES: [(f64, f64); 6] = [
        (-3.2, 0.4),
        (-1.506, -1.46),
        (-12.0, 9.0),
        (-0.2, 0.2),
        (2.0, 2.05),
        (-30.0, -29.9),
    ];

    fn axis(low: f64, high: f64, length_px: f32, is_horizontal: bool, font: f32) -> AxisGeometry {
        let font_size = font;
        AxisGeometry {
            low,
            high,
            length_px,
            is_horizontal,
            font_size,
        }
    }

    fn axes(ranges: &[(f64, f64)]) -> Vec<AxisGeometry> {
        let mut axes = Vec::new();
        for &(low, high) in ranges {
            for length_px in [150.0, 300.0, 600.0, 1500.0] {
                for is_horizontal in [true, false] {
                    for font_size in [14.0, 22.0] {
                        axes.push(axis(low, high, length_px, is_horizontal, font_size));
                    }
                }
            }
        }
        axes
    }

    fn labels(ticks: &[Tick]) -> Vec<&str> {
        ticks
            .iter()
            .filter_map(|tick| tick.label.as_deref())
            .collect()
    }

    /// Rules 1, 2 and 6 for one axis, measured with the brief's own estimates of label size.
    fn check(axis: &AxisGeometry, ticks: &[Tick], is_log: bool) {
        let name = format!(
            "{}..{} on {} px {}, font {}",
            axis.low,
            axis.high,
            axis.length_px,
            if axis.is_horizontal {
                "across"
            } else {
                "upright"
            },
            axis.font_size
        );
        let length = f64::from(axis.length_px);
        let px_per_unit = length / (axis.high - axis.low);
        let font = f64::from(axis.font_size);
        let extent = |label: &str| match axis.is_horizontal {
            true => label.chars().count() as f64 * 0.62 * font,
            false => 1.3 * font,
        };
        for pair in ticks.windows(2) {
            assert!(pair[0].value < pair[1].value, "{name}: unsorted {pair:?}");
        }
        for tick in ticks {
            assert!(
                (axis.low..=axis.high).contains(&tick.value),
                "{name}: {tick:?} outside"
            );
            assert!(
                tick.spacing.is_finite() && tick.spacing > 0.0,
                "{name}: {tick:?}"
            );
            if tick.label.is_none() {
                assert!(
                    tick.spacing * px_per_unit >= 10.0,
                    "{name}: crowded line {tick:?}"
                );
            }
        }
        let labelled: Vec<(f64, &str, f64)> = ticks
            .iter()
            .filter_map(|t| Some((t.value, t.label.as_deref()?, t.spacing)))
            .collect();
        assert!(labelled.len() <= 12, "{name}: {} labels", labelled.len());
        for &(value, label, spacing) in &labelled {
            let position = (value - axis.low) * px_per_unit;
            let half = extent(label) / 2.0;
            assert!(
                position >= half && length - position >= half,
                "{name}: {label} sticks out"
            );
            assert!(
                spacing * px_per_unit >= extent(label),
                "{name}: egui would hide {label}"
            );
            let shown: f64 = label.replace(THIN_SPACE, "").parse().expect("a number");
            if is_log {
                let meant = 10f64.powf(value);
                assert!(
                    (shown / meant - 1.0).abs() < 1e-9,
                    "{name}: {label} is not {meant}"
                );
            } else {
                assert!(
                    (shown - value).abs() <= spacing * 1e-6,
                    "{name}: {label} is not {value}"
                );
            }
            assert!(!(label.starts_with('-') && shown == 0.0), "{name}: {label}");
        }
        for pair in labelled.windows(2) {
            let ((a, a_label, _), (b, b_label, _)) = (pair[0], pair[1]);
            let needed = match axis.is_horizontal {
                true => extent(a_label).max(extent(b_label)) + font,
                false => 1.3 * font * 1.25,
            };
            assert!(
                (b - a) * px_per_unit >= needed,
                "{name}: {a_label} and {b_label} overlap"
            );
        }
        let mut distinct: Vec<&str> = labelled.iter().map(|&(_, label, _)| label).collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            labelled.len(),
            "{name}: repeated label in {labelled:?}"
        );
    }

    /// The most labels any nice candidate can carry, by brute force over every step (of the value,
    /// on a log axis), every k-decade step and the 1-2-5 and 1…9 digits.
    fn most_labels_possible(axis: &AxisGeometry, is_log: bool) -> usize {
        let count = |majors| lay_out(axis, majors, Vec::new()).map_or(0, |t| label_count(&t));
        let (low, high) = match is_log {
            true => (10f64.powf(axis.low), 10f64.powf(axis.high)),
            false => (axis.low, axis.high),
        };
        let largest = low.abs().max(high.abs());
        let place = |value: f64| if is_log { value.log10() } else { value };
        let mut best = 0;
        let top = (high - low).log10().ceil() as i32;
        for exponent in top - 6..=top {
            for mantissa in [1, 2, 5] {
                let step = NiceStep { mantissa, exponent }.value();
                if (high - low) / step > 200.0 {
                    continue; // labels 20 points apart: at most 75 on these axes
                }
                let majors = multiples(step, low, high)
                    .filter(|&(_, value)| !is_log || value > 0.0)
                    .map(|(_, value)| (place(value), format_tick(value, step, largest)))
                    .collect();
                best = best.max(count(majors));
            }
        }
        if is_log {
            for decades in [1.0, 2.0, 5.0, 10.0, 20.0] {
                let majors = multiples(decades, axis.low, axis.high)
                    .map(|(_, exponent)| (exponent, digit_label(1, exponent as i64)))
                    .collect();
                best = best.max(count(majors));
            }
            let (first, last) = (axis.low.floor() as i64, axis.high.floor() as i64);
            for digits in [&[1u8, 2, 5][..], &[1, 2, 3, 4, 5, 6, 7, 8, 9]] {
                let majors = (first..=last)
                    .flat_map(|n| digits.iter().map(move |&d| (n, d)))
                    .map(|(n, d)| (n as f64 + f64::from(d).log10(), digit_label(d, n)))
                    .collect();
                best = best.max(count(majors));
            }
        }
        best
    }

    #[test]
    fn every_axis_in_the_table_keeps_the_rules_and_shows_three_labels_when_they_fit() {
        for (ranges, is_log) in [(&LINEAR_RANGES[..], false), (&LOG_RANGES[..], true)] {
            for axis in axes(ranges) {
                let ticks = if is_log {
                    log10_ticks(&axis)
                } else {
                    linear_ticks(&axis)
                };
                check(&axis, &ticks, is_log);
                let shown = labels(&ticks);
                let possible = most_labels_possible(&axis, is_log);
                let name = format!("{}..{} on {} px", axis.low, axis.high, axis.length_px);
                assert!(
                    shown.len() >= possible.min(3),
                    "{name}: {shown:?}, {possible} fit"
                );
                // A floor that does not lean on the brute force. (Three 12-character labels at
                // 22 points need ~500 of 600 px: nice values rarely land there.)
                let roomy = match axis.is_horizontal {
                    true => {
                        axis.length_px >= 1500.0
                            || (axis.length_px >= 600.0 && axis.font_size < 20.0)
                    }
                    false => axis.length_px >= 300.0,
                };
                assert!(!roomy || shown.len() >= 3, "{name}: only {shown:?}");
            }
        }
    }

    #[test]
    fn linear_labels_read_like_a_teacher_writes_them() {
        let cases = [
            (80_000.0, 20_000.0, 80_019.0, "80\u{2009}000"),
            (12_345.5, 0.5, 20_000.0, "12\u{2009}345.5"),
            (1000.0, 500.0, 1000.0, "1000"),
            (0.15, 0.05, 1.0, "0.15"),
            (0.1, 0.05, 1.0, "0.10"),
            (0.0315, 0.0005, 0.0347, "0.0315"),
            (14.0, 2.0, 20.0, "14"),
            (-2.5, 0.5, 5.0, "-2.5"),
            (1e9, 5e8, 1e9, "1e9"),
            (-5e8, 5e8, 1e9, "-5e8"),
            (1.5e6, 5e5, 2e6, "1.5e6"),
            (1e9 + 200.0, 100.0, 1e9 + 500.0, "1.0000002e9"),
            (2.5e-6, 5e-7, 3e-6, "2.5e-6"),
            (1e-6, 5e-7, 3e-6, "1e-6"),
            (3e-7, 5e-8, 3e-7, "3e-7"),
        ];
        for (value, step, largest, expected) in cases {
            assert_eq!(
                format_tick(value, step, largest),
                expected,
                "{value} by {step}"
            );
        }
        let axis = axis(0.0, 80_019.0, 600.0, true, 14.0);
        assert!(labels(&linear_ticks(&axis)).contains(&"20\u{2009}000"));
    }

    #[test]
    fn log_labels_read_like_a_teacher_writes_them() {
        let cases = [
            (1, -3, "0.001"),
            (1, -2, "0.01"),
            (1, -1, "0.1"),
            (1, 0, "1"),
            (1, 1, "10"),
            (1, 2, "100"),
            (1, 3, "1000"),
            (1, 4, "1e4"),
            (1, -6, "1e-6"),
            (2, -6, "2e-6"),
            (2, -2, "0.02"),
            (5, 1, "50"),
        ];
        for (digit, exponent, expected) in cases {
            assert_eq!(digit_label(digit, exponent), expected);
        }
        // A loss stuck between 0.0312 and 0.0347 still gets numbers.
        let band = axis(-1.506, -1.46, 300.0, false, 14.0);
        assert!(labels(&log10_ticks(&band)).contains(&"0.0315"));
    }

    #[test]
    fn zero_is_exactly_zero_and_never_minus_zero() {
        for (value, step) in [(-0.0, 0.1), (-1e-17, 0.1), (-0.04, 0.1), (0.0, 5e-7)] {
            assert_eq!(format_tick(value, step, 1.0), "0");
            assert_eq!(format_tick(value, step, 5e-7), "0");
        }
        let axis = axis(-3.7, 12.2, 600.0, true, 14.0);
        let ticks = linear_ticks(&axis);
        let zero = ticks.iter().find(|tick| tick.label.as_deref() == Some("0"));
        assert_eq!(zero.map(|tick| tick.value.to_bits()), Some(0f64.to_bits()));
    }

    #[test]
    fn a_log_band_under_a_decade_gets_three_labels_where_1_2_5_gives_two() {
        // A loss falling from about 1.2 to 0.2 on a short upright axis: 1, 2, 5 × 10^n gives
        // only "0.5" and "1" (0.2 sits on the bottom edge), all nine digits overlap, and even
        // steps of the value crowd at the top.
        let cases = [
            (0.2f64, 1.2f64, 200.0, 14.5),
            (0.195, 1.25, 250.0, 14.5),
            (0.195, 1.25, 330.0, 18.9),
        ];
        for (low, high, length, font) in cases {
            let ticks = log10_ticks(&axis(low.log10(), high.log10(), length, false, font));
            let labels: Vec<&str> = ticks.iter().filter_map(|t| t.label.as_deref()).collect();
            assert!(
                labels.len() >= 3,
                "{low}..{high} on {length} px at {font} pt: only {labels:?}"
            );
        }
    }

    #[test]
    fn a_log_axis_with_room_gets_lines_at_2_to_9_times_each_decade() {
        let axis = axis(-3.2, 0.4, 1500.0, false, 14.0);
        let ticks = log10_ticks(&axis);
        for value in [2f64.log10() - 1.0, 9f64.log10() - 3.0] {
            let line = ticks.iter().find(|tick| (tick.value - value).abs() < 1e-12);
            assert!(
                line.is_some_and(|tick| tick.label.is_none()),
                "{value}: {ticks:?}"
            );
        }
    }

    #[test]
    fn degenerate_axes_return_quickly_without_panicking() {
        let start = Instant::now();
        let ranges = [
            (f64::NAN, 1.0),
            (0.0, f64::NAN),
            (f64::NEG_INFINITY, f64::INFINITY),
            (1.0, 1.0),
            (2.0, 1.0),
            (-1e300, 1e300),
            (-8e307, 8e307),
            (-f64::MAX, f64::MAX),
            (0.0, 1e-300),
            (0.0, 1e-320),
            (1.0, 1.0 + 1e-15),
            (-2e6, 2e6),
        ];
        for (low, high) in ranges {
            for length_px in [0.0, -5.0, f32::NAN, 1.0, 300.0, 1e7, f32::INFINITY] {
                for font_size in [14.0, 0.0, f32::NAN, 1e30] {
                    for is_horizontal in [true, false] {
                        let axis = axis(low, high, length_px, is_horizontal, font_size);
                        for ticks in [linear_ticks(&axis), log10_ticks(&axis)] {
                            let usable = high > low && length_px > 0.0 && font_size > 0.0;
                            assert!(usable || ticks.is_empty(), "{low}..{high}: {ticks:?}");
                            assert!(ticks.len() <= 200, "{low}..{high} on {length_px}");
                            assert!(ticks.iter().all(|t| (low..=high).contains(&t.value)));
                            assert!(labels(&ticks).len() <= 12);
                        }
                    }
                }
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "took {:?}",
            start.elapsed()
        );
    }
}

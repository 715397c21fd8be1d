//! Ticks for a log10 axis: the families tried from coarse to fine, and the pick between them.

use super::*;

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

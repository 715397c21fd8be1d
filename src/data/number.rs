//! How one trimmed cell becomes a number, a missing value or text. This is the hot path of a
//! 2-million-row load, so the common case (a plain number) is a single `str::parse`.

use serde::Serialize;

/// The decimal separator of the numbers in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Decimal {
    /// `3.14` (and `1,234.5` with thousands separators).
    #[serde(rename = ".")]
    Point,
    /// `3,14` (and `1.234,5`), as in semicolon files exported with a European locale.
    #[serde(rename = ",")]
    Comma,
}

impl Decimal {
    /// The separator character.
    pub fn as_char(self) -> char {
        match self {
            Decimal::Point => '.',
            Decimal::Comma => ',',
        }
    }
}

/// Cell texts that mean "no value" in the programs people export from: empty (Excel, pandas),
/// `NA` (R), `#N/A` (Excel), `NaN`/`null` (Python, JSON tools), `-` (hand-made tables),
/// `?` (UCI repository files such as auto-mpg).
pub const MISSING_TOKENS: [&str; 9] = ["", "NA", "N/A", "NaN", "null", "#N/A", "-", "?", "None"];

/// Whether a trimmed cell is one of [`MISSING_TOKENS`] (ignoring ASCII case).
pub fn is_missing(cell: &str) -> bool {
    // Every token is at most 4 bytes: one length check keeps numbers off the slow path.
    cell.len() <= 4 && MISSING_TOKENS.iter().any(|t| cell.eq_ignore_ascii_case(t))
}

/// Parses a trimmed, non-missing cell as a number.
///
/// Returns `Some(±inf)` for values that are numbers but not finite (`inf`, `1e400`) so the
/// caller can report them as such, and `None` for text (including `nan`, which callers have
/// already classed as missing). Thousands separators are accepted only where unambiguous:
/// groups of exactly three digits, e.g. `1,234.5` with a decimal point or `1.234,5` with a
/// decimal comma.
pub fn parse_number(cell: &str, decimal: Decimal) -> Option<f64> {
    if let Ok(v) = cell.parse::<f64>() {
        return (!v.is_nan()).then_some(v);
    }
    let (thousands, point) = match decimal {
        Decimal::Point => (',', '.'),
        Decimal::Comma => ('.', ','),
    };
    let mut normalised = String::with_capacity(cell.len());
    let (mantissa, exponent) = match cell.find(['e', 'E']) {
        Some(i) => cell.split_at(i),
        None => (cell, ""),
    };
    let (sign, unsigned) = match mantissa.strip_prefix(['+', '-']) {
        Some(rest) => (&mantissa[..1], rest),
        None => ("", mantissa),
    };
    let (int, frac) = match unsigned.split_once(point) {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    if !int.contains(thousands) {
        if decimal == Decimal::Point {
            // No thousands separator and plain parse failed: it is text.
            return None;
        }
    } else if !valid_thousands_grouping(int, thousands) {
        return None;
    }
    normalised.push_str(sign);
    normalised.extend(int.chars().filter(|&c| c != thousands));
    if let Some(frac) = frac {
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        normalised.push('.');
        normalised.push_str(frac);
    }
    normalised.push_str(exponent);
    normalised.parse::<f64>().ok().filter(|v| !v.is_nan())
}

/// `1,234,567`: 1–3 leading digits, then groups of exactly three.
fn valid_thousands_grouping(int: &str, separator: char) -> bool {
    let mut groups = int.split(separator);
    let first_ok = groups
        .next()
        .is_some_and(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()));
    first_ok && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scientific_and_non_finite_numbers_parse() {
        assert_eq!(parse_number("3.5", Decimal::Point), Some(3.5));
        assert_eq!(parse_number("-1.5e-3", Decimal::Point), Some(-0.0015));
        assert_eq!(parse_number("1e400", Decimal::Point), Some(f64::INFINITY));
        assert_eq!(
            parse_number("-inf", Decimal::Point),
            Some(f64::NEG_INFINITY)
        );
        assert_eq!(parse_number("nan", Decimal::Point), None);
        assert_eq!(parse_number("abc", Decimal::Point), None);
    }

    #[test]
    fn thousands_separators_only_when_grouped_by_three() {
        assert_eq!(parse_number("1,234.5", Decimal::Point), Some(1234.5));
        assert_eq!(
            parse_number("-12,345,678", Decimal::Point),
            Some(-12_345_678.0)
        );
        assert_eq!(parse_number("1,23.5", Decimal::Point), None);
        assert_eq!(parse_number("1,5", Decimal::Point), None);
        assert_eq!(parse_number("1.234,5", Decimal::Comma), Some(1234.5));
        assert_eq!(parse_number("3,25", Decimal::Comma), Some(3.25));
        assert_eq!(parse_number("-2,5e3", Decimal::Comma), Some(-2500.0));
        assert_eq!(parse_number("1.23,5", Decimal::Comma), None);
        assert_eq!(parse_number("1,2,3", Decimal::Comma), None);
    }

    #[test]
    fn missing_tokens_ignore_case() {
        for cell in ["", "NA", "na", "N/A", "NaN", "NULL", "#N/A", "-", "?"] {
            assert!(is_missing(cell), "{cell:?} should be missing");
        }
        assert!(!is_missing("0"));
        assert!(!is_missing("-1"));
    }
}

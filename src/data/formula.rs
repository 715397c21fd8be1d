//! Data typed as a formula: `y = f(x)` on an even grid of x, with `noise` a seeded standard
//! normal draw per point, as in `sin(3*x) + 0.2*noise`.
//!
//! The expression language is `nanoexpr`'s (`^` is power and binds tighter than a leading
//! minus, `ln` is the natural logarithm, `log` is base 10; `pi` and `e` are known). Its errors
//! carry the span of the text at fault, which the app underlines and the command line marks.

use std::ops::Range;

use nanoexpr::{ErrorKind, Math};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use super::Dataset;
use super::synthetic::standard_normal;

/// The most points a formula may generate (a few MB; the app's synthetic sets stop there too).
pub const MAX_POINTS: usize = 1_000_000;
/// The longest formula accepted, in bytes: far beyond any a lesson needs, and it bounds the
/// parser's work on pasted garbage.
pub const MAX_FORMULA_BYTES: usize = 1_000;

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct FormulaSpec {
    pub formula: String,
    /// The first and last x, both included.
    pub x_range: (f64, f64),
    pub n_points: usize,
    /// Seeds `noise`: the same seed gives the same draws, whatever the formula.
    pub seed: u64,
}

/// Why a formula gives no data.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FormulaError {
    #[error("the formula is empty: type y as a function of x, such as sin(3*x) + 0.2*noise")]
    Empty,
    #[error("the formula is {bytes} characters long; at most {MAX_FORMULA_BYTES} are accepted")]
    TooLong { bytes: usize },
    /// The text at `span` (byte offsets into the formula) is at fault everywhere.
    #[error("{message}")]
    Syntax { message: String, span: Range<usize> },
    /// The formula reads well but has no value at `x`.
    #[error("{message} at x = {x}")]
    NoValue {
        message: String,
        span: Range<usize>,
        x: f64,
    },
    #[error("the x range must go from a smaller to a larger number, got {from} to {to}")]
    BadRange { from: f64, to: f64 },
    #[error("the number of points must be between 2 and {MAX_POINTS}, got {0}")]
    BadPointCount(usize),
}

impl FormulaError {
    /// The byte range of the formula at fault, if the error is about a part of it.
    pub fn span(&self) -> Option<Range<usize>> {
        match self {
            Self::Syntax { span, .. } | Self::NoValue { span, .. } => Some(span.clone()),
            _ => None,
        }
    }

    /// The message, then the formula with the part at fault marked by carets beneath it, for a
    /// terminal.
    pub fn with_caret(&self, formula: &str) -> String {
        let Some(span) = self.span() else {
            return self.to_string();
        };
        let start = formula
            .get(..span.start)
            .map_or(0, |before| before.chars().count());
        let width = formula
            .get(span.clone())
            .map_or(1, |part| part.chars().count().max(1));
        format!(
            "{self}\n  {formula}\n  {}{}",
            " ".repeat(start),
            "^".repeat(width)
        )
    }
}

/// The x values and `y = formula(x)` of `spec`, in the order of x.
pub fn generate(spec: &FormulaSpec) -> Result<(Vec<f64>, Vec<f64>), FormulaError> {
    let (from, to) = spec.x_range;
    if !(from.is_finite() && to.is_finite() && from < to) {
        return Err(FormulaError::BadRange { from, to });
    }
    if !(2..=MAX_POINTS).contains(&spec.n_points) {
        return Err(FormulaError::BadPointCount(spec.n_points));
    }
    check(&spec.formula)?;
    let n = spec.n_points;
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut xs = Vec::with_capacity(n);
    let mut ys = Vec::with_capacity(n);
    for i in 0..n {
        // The last point is `to` itself, not `from` plus a sum that rounds past or short of it.
        let x = if i + 1 == n {
            to
        } else {
            from + (to - from) * i as f64 / (n - 1) as f64
        };
        // One draw per point, used or not, so that a formula's noise is the same whatever
        // else it computes.
        let noise = standard_normal(&mut rng);
        ys.push(evaluate(&spec.formula, x, noise)?);
        xs.push(x);
    }
    Ok((xs, ys))
}

/// The dataset of `spec`, named after its formula, with columns `x` and `y`.
pub fn formula_dataset(spec: &FormulaSpec) -> Result<Dataset, super::DataError> {
    let (xs, ys) = generate(spec).map_err(super::DataError::Formula)?;
    Dataset::new(
        format!("y = {}", spec.formula.trim()),
        vec!["x".to_owned()],
        "y".to_owned(),
        xs.iter().map(|&x| x as f32).collect(),
        ys.iter().map(|&y| y as f32).collect(),
    )
}

/// Whether `formula` reads as an expression of `x` and `noise`: syntax, names and the number
/// of arguments, judged at one point (x = 1, no noise). A value missing at that point (`ln(x -
/// 1)`) is not a fault of the text and passes.
pub fn check(formula: &str) -> Result<(), FormulaError> {
    if formula.trim().is_empty() {
        return Err(FormulaError::Empty);
    }
    if formula.len() > MAX_FORMULA_BYTES {
        return Err(FormulaError::TooLong {
            bytes: formula.len(),
        });
    }
    match evaluate(formula, 1.0, 0.0) {
        Err(FormulaError::NoValue { .. }) | Ok(_) => Ok(()),
        Err(error) => Err(error),
    }
}

fn evaluate(formula: &str, x: f64, noise: f64) -> Result<f64, FormulaError> {
    let variables = [("x", x), ("noise", noise)];
    let value =
        nanoexpr::evaluate_with::<f64, _>(formula, &(variables, Math)).map_err(|error| {
            let span = error.span.start..error.span.end;
            let part = formula.get(span.clone()).unwrap_or_default();
            match error.kind {
                ErrorKind::DivisionByZero => FormulaError::NoValue {
                    message: format!("`{part}` divides by zero"),
                    span,
                    x,
                },
                ErrorKind::Domain => FormulaError::NoValue {
                    message: format!("`{part}` has no value (outside the function's domain)"),
                    span,
                    x,
                },
                ErrorKind::Overflow => FormulaError::NoValue {
                    message: format!("`{part}` is too large"),
                    span,
                    x,
                },
                kind => FormulaError::Syntax {
                    message: syntax_message(kind, formula, span.clone()),
                    span,
                },
            }
        })?;
    if value.is_finite() {
        // -0 (from -x^2 at 0) would print as "-0" in a CSV.
        Ok(value + 0.0)
    } else {
        Err(FormulaError::NoValue {
            message: "the formula has no finite value".to_owned(),
            span: 0..formula.len(),
            x,
        })
    }
}

/// A message a student understands, naming the part of the formula at fault.
fn syntax_message(kind: ErrorKind, formula: &str, span: Range<usize>) -> String {
    let part = formula.get(span.clone()).unwrap_or_default();
    let column = formula
        .get(..span.start)
        .map_or(span.start, |before| before.chars().count())
        + 1;
    let after_a_number = formula
        .get(..span.start)
        .and_then(|before| before.trim_end().chars().last())
        .is_some_and(|c| c.is_ascii_digit() || c == ')');
    let starts_a_name_or_group = part.starts_with(|c: char| c.is_alphabetic() || c == '(');
    match kind {
        ErrorKind::UnexpectedToken if after_a_number && starts_a_name_or_group => format!(
            "`{part}` at character {column} follows a number with nothing between: write the \
             multiplication, as in 3*x or 2*(x + 1)"
        ),
        ErrorKind::InvalidNumber => {
            format!("`{part}` at character {column} is not a number that fits")
        }
        ErrorKind::UnknownVariable => format!(
            "unknown name `{part}` at character {column}: use x, noise, pi or e (and * between \
             a number and a name, as in 3*x)"
        ),
        ErrorKind::UnknownFunction => format!(
            "unknown function `{part}` at character {column}: try sin, cos, tan, exp, ln, log, \
             sqrt, abs, tanh, min, max, floor, round"
        ),
        ErrorKind::ArgumentCount | ErrorKind::TooManyArguments => {
            format!("`{part}` at character {column} has the wrong number of arguments")
        }
        ErrorKind::UnclosedParenthesis => {
            format!("the parenthesis at character {column} is never closed")
        }
        ErrorKind::UnexpectedEnd => {
            "the formula ends too early: something is missing at its end".to_owned()
        }
        ErrorKind::UnexpectedCharacter | ErrorKind::UnexpectedToken if !part.is_empty() => {
            format!("`{part}` at character {column} does not belong there")
        }
        other => format!("{other} at character {column}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(formula: &str, x_range: (f64, f64), n_points: usize) -> FormulaSpec {
        FormulaSpec {
            formula: formula.to_owned(),
            x_range,
            n_points,
            seed: 7,
        }
    }

    #[test]
    fn the_grid_is_even_and_ends_exactly_at_both_ends() {
        let (xs, ys) = generate(&spec("2*x^2 - 1", (-0.3, 0.7), 11)).expect("generates");
        assert_eq!(xs.len(), 11);
        assert_eq!((xs[0], xs[10]), (-0.3, 0.7));
        for (x, y) in xs.iter().zip(&ys) {
            assert!((y - (2.0 * x * x - 1.0)).abs() < 1e-12, "{x} {y}");
        }
        assert!((xs[5] - 0.2).abs() < 1e-12);
    }

    #[test]
    fn power_is_caret_and_binds_tighter_than_a_leading_minus() {
        let (_, ys) = generate(&spec("-x^2 + 2^3^2", (2.0, 3.0), 2)).expect("generates");
        assert_eq!(ys, [-4.0 + 512.0, -9.0 + 512.0]);
    }

    #[test]
    fn noise_is_seeded_standard_normal_and_the_same_whatever_the_formula() {
        let noise = |seed| {
            let mut s = spec("noise", (0.0, 1.0), 20_000);
            s.seed = seed;
            generate(&s).expect("generates").1
        };
        let draws = noise(3);
        assert_eq!(draws, noise(3));
        assert_ne!(draws, noise(4));
        let n = draws.len() as f64;
        let mean = draws.iter().sum::<f64>() / n;
        let variance = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((variance - 1.0).abs() < 0.05, "variance {variance}");
        let mut shifted = spec("x + 0.5*noise", (0.0, 1.0), 20_000);
        shifted.seed = 3;
        let (xs, ys) = generate(&shifted).expect("generates");
        for i in [0, 1, 9_999, 19_999] {
            assert!((ys[i] - (xs[i] + 0.5 * draws[i])).abs() < 1e-12);
        }
    }

    #[test]
    fn syntax_errors_point_at_their_place() {
        let cases = [
            ("sin(3*z) + 1", 6..7, "unknown name `z`"),
            ("sine(x)", 0..4, "unknown function `sine`"),
            ("3x + 1", 1..2, "write the multiplication, as in 3*x"),
            ("x @ 2", 2..3, "`@` at character 3 does not belong there"),
            ("(x + 1", 0..1, "never closed"),
            ("x +", 3..3, "ends too early"),
            ("atan2(x)", 0..8, "wrong number of arguments"),
        ];
        for (formula, expected_span, expected_text) in cases {
            let error = check(formula).expect_err(formula);
            assert_eq!(
                error.span(),
                Some(expected_span.clone()),
                "{formula}: {error}"
            );
            assert!(
                error.to_string().contains(expected_text),
                "{formula}: {error}"
            );
        }
        assert_eq!(check("   "), Err(FormulaError::Empty));
        let long = "x+".repeat(600) + "x";
        assert!(matches!(check(&long), Err(FormulaError::TooLong { .. })));
    }

    #[test]
    fn a_value_missing_at_some_x_names_the_part_and_the_x() {
        assert_eq!(
            check("sqrt(x - 2)"),
            Ok(()),
            "x = 1 is not the text's fault"
        );
        let error = generate(&spec("1 + sqrt(x)", (-1.0, 1.0), 3)).expect_err("sqrt(-1)");
        assert!(
            matches!(&error, FormulaError::NoValue { x, .. } if *x == -1.0),
            "{error}"
        );
        assert_eq!(error.span(), Some(4..11));
        let error = generate(&spec("1/x", (-1.0, 1.0), 3)).expect_err("1/0");
        assert!(
            error.to_string().contains("divides by zero at x = 0"),
            "{error}"
        );
    }

    #[test]
    fn the_caret_sits_under_the_fault_counted_in_characters() {
        let error = check("π + zz").expect_err("zz");
        let text = error.with_caret("π + zz");
        assert!(text.ends_with("\n  π + zz\n  ^"), "{text:?}");
        let error = check("2 + zz").expect_err("zz");
        assert!(error.with_caret("2 + zz").ends_with("\n      ^^"));
    }

    #[test]
    fn ranges_and_counts_out_of_bounds_are_refused() {
        let bad = [
            spec("x", (1.0, 1.0), 10),
            spec("x", (2.0, 1.0), 10),
            spec("x", (f64::NAN, 1.0), 10),
            spec("x", (0.0, 1.0), 1),
            spec("x", (0.0, 1.0), MAX_POINTS + 1),
        ];
        for spec in bad {
            assert!(generate(&spec).is_err(), "{spec:?}");
        }
    }
}

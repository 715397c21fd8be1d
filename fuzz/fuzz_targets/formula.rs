//! Typed formulas (`check_formula`, then `generate_formula` on a few points) on arbitrary text.
//! A refusal must be a `FormulaError` whose span, if any, lies on character boundaries of the
//! formula (the app underlines it there); generated data must be finite and on the grid asked for.

#![no_main]

use libfuzzer_sys::fuzz_target;
use nanograd::data::{FormulaSpec, check_formula, generate_formula};

fuzz_target!(|bytes: &[u8]| {
    let Ok(formula) = std::str::from_utf8(bytes) else {
        return;
    };
    let check_span = |error: &nanograd::data::FormulaError| {
        assert!(!error.to_string().is_empty());
        if let Some(span) = error.span() {
            assert!(span.start <= span.end && span.end <= formula.len(), "{span:?}");
            assert!(formula.is_char_boundary(span.start) && formula.is_char_boundary(span.end));
        }
        let _ = error.with_caret(formula);
    };
    if let Err(error) = check_formula(formula) {
        check_span(&error);
        return;
    }
    let spec = FormulaSpec {
        formula: formula.to_owned(),
        x_range: (-3.0, 3.0),
        n_points: 7,
        seed: 1,
    };
    match generate_formula(&spec) {
        Ok((xs, ys)) => {
            assert_eq!((xs.len(), ys.len()), (7, 7));
            assert_eq!((xs[0], xs[6]), (-3.0, 3.0));
            assert!(ys.iter().all(|y| y.is_finite()));
        }
        Err(error) => check_span(&error),
    }
});

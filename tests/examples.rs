//! The examples are library tours; running them here keeps them true as the library changes.

#[path = "../examples/linear_regression.rs"]
mod linear_regression;
#[path = "../examples/sine_fit.rs"]
mod sine_fit;

#[test]
fn linear_regression_example_recovers_slope_and_intercept() {
    linear_regression::main();
    let (slope, intercept) = linear_regression::fit_line();
    assert!((slope - 2.5).abs() < 0.05 && (intercept + 1.0).abs() < 0.05);
}

#[test]
fn sine_fit_example_bends_the_curve() {
    sine_fit::main();
}

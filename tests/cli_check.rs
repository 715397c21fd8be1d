//! `nanograd check`, run as a user would run it: exit status, the JSON object and the text.

use std::process::{Command, Output};

fn nanograd_check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nanograd"))
        .arg("check")
        .args(args)
        .output()
        .expect("binary runs")
}

fn number(value: &serde_json::Value, what: &str) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {value}"))
}

#[test]
fn check_json_passes_and_reports_the_worst_entry_and_micrograds_values() {
    let output = nanograd_check(&["--json"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("not one JSON object ({e}): {stdout}"));

    assert_eq!(report["passed"], true);
    let tolerance = number(&report["tolerance"], "tolerance");
    assert_eq!(tolerance, 1e-2);

    let worst = &report["worst"];
    let relative_error = number(&worst["relative_error"], "worst.relative_error");
    assert!((0.0..=tolerance).contains(&relative_error), "{worst}");
    let parameter = worst["parameter"].as_str().expect("a parameter name");
    assert!(
        ["layers.0", "layers.1", "layers.2"]
            .iter()
            .any(|layer| parameter == format!("{layer}.weight")
                || parameter == format!("{layer}.bias")),
        "{parameter}"
    );
    for key in ["row", "col"] {
        assert!(worst[key].is_u64(), "worst.{key}: {}", worst[key]);
    }
    let (analytic, numeric) = (
        number(&worst["analytic"], "analytic"),
        number(&worst["numeric"], "numeric"),
    );
    assert!((analytic - numeric).abs() <= tolerance * analytic.abs().max(numeric.abs()) + 1e-9);

    // 2 → 8 → 8 → 1: 2·8 + 8 + 8·8 + 8 + 8 + 1 = 105 parameters, all checked.
    let networks = report["networks"].as_array().expect("an array of networks");
    let activations: Vec<&str> = networks
        .iter()
        .map(|n| n["activation"].as_str().expect("a name"))
        .collect();
    assert_eq!(activations, ["tanh", "relu", "sigmoid"]);
    for network in networks {
        assert_eq!(network["n_parameters"], 105, "{network}");
        assert_eq!(
            network["n_checked"]
                .as_u64()
                .zip(network["n_skipped_at_kinks"].as_u64())
                .map(|(c, s)| c + s),
            Some(105),
            "{network}"
        );
        assert_eq!(network["within_tolerance"], true, "{network}");
    }

    let sanity = &report["micrograd"]["sanity"];
    assert_eq!(number(&sanity["y"], "y"), -20.0);
    assert_eq!(number(&sanity["dy_dx"], "dy/dx"), 46.0);
    assert_eq!(sanity["passed"], true);
    let more_ops = &report["micrograd"]["more_ops"];
    for (key, printed) in [("g", 24.7041), ("dg_da", 138.8338), ("dg_db", 645.5773)] {
        let value = number(&more_ops[key], key);
        assert!(
            (value - printed).abs() < 5e-5,
            "{key} = {value}, micrograd prints {printed}"
        );
    }
    assert_eq!(more_ops["passed"], true);
}

#[test]
fn check_text_says_pass_and_shows_micrograds_expected_values() {
    let output = nanograd_check(&[]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("engine check: PASS"), "{text}");
    for expected in [
        "worst relative error",
        "y = -20 (expected -20), dy/dx = 46 (expected 46)",
        "g = 24.7041 (expected 24.7041)",
        "dg/da = 138.8338 (expected 138.8338)",
        "dg/db = 645.5773 (expected 645.5773)",
    ] {
        assert!(text.contains(expected), "no \"{expected}\" in:\n{text}");
    }
}

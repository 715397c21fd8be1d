//! `nanograd generate`: a formula's CSV on stdout, checked against values computed by hand.

use std::process::{Command, Output};

fn nanograd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nanograd"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn stdout(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The (x, y) rows of a generated CSV, after checking its header.
fn rows(csv: &str) -> Vec<(f64, f64)> {
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("x,y"));
    lines
        .map(|line| {
            let (x, y) = line.split_once(',').expect("two cells");
            (x.parse().expect("x"), y.parse().expect("y"))
        })
        .collect()
}

#[test]
fn a_formula_gives_evenly_spaced_x_and_its_values() {
    let csv = stdout(&nanograd(&[
        "generate",
        "2*x^2 - 1",
        "--range",
        "-1,1",
        "--n",
        "5",
    ]));
    assert_eq!(csv, "x,y\n-1,1\n-0.5,-0.5\n0,-1\n0.5,-0.5\n1,1\n");
    // A formula and a range that start with a minus sign are not taken for flags; -0 prints
    // as 0.
    let csv = stdout(&nanograd(&[
        "generate", "-x^2", "--range", "-3,3", "--n", "3",
    ]));
    assert_eq!(csv, "x,y\n-3,-9\n0,0\n3,-9\n");
    let csv = stdout(&nanograd(&[
        "generate",
        "exp(x) + ln(x) + sqrt(x) + abs(-x) + pi",
        "--range",
        "1,4",
        "--n",
        "4",
    ]));
    for (x, y) in rows(&csv) {
        let expected = x.exp() + x.ln() + x.sqrt() + x + std::f64::consts::PI;
        assert!((y - expected).abs() <= 1e-12 * expected.abs(), "{x}: {y}");
    }
}

#[test]
fn noise_is_seeded_and_adds_a_standard_normal_draw() {
    let run = |seed: &str| {
        rows(&stdout(&nanograd(&[
            "generate",
            "x + noise",
            "--range",
            "0,1",
            "--n",
            "4000",
            "--seed",
            seed,
        ])))
    };
    let first = run("5");
    assert_eq!(first, run("5"));
    assert_ne!(first, run("6"));
    let residuals: Vec<f64> = first.iter().map(|(x, y)| y - x).collect();
    let n = residuals.len() as f64;
    let mean = residuals.iter().sum::<f64>() / n;
    let sd = (residuals.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / n).sqrt();
    assert!(mean.abs() < 0.06 && (sd - 1.0).abs() < 0.06, "{mean} {sd}");
}

#[test]
fn a_bad_formula_is_refused_with_its_place_marked() {
    let output = nanograd(&["generate", "sin(3*z) + 1", "--range", "0,1", "--n", "5"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: unknown name `z` at character 7"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("\n  sin(3*z) + 1\n        ^\n"),
        "{stderr:?}"
    );

    let output = nanograd(&["generate", "1/x", "--range", "-1,1", "--n", "3"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("divides by zero at x = 0"));
    for args in [
        ["x", "--range", "1,0", "--n", "5"],
        ["x", "--range", "0,1", "--n", "1"],
        ["x", "--range", "0;1", "--n", "5"],
    ] {
        let output = nanograd(&[&["generate"], &args[..]].concat());
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn the_csv_trains() {
    let csv = stdout(&nanograd(&[
        "generate",
        "sin(3*x) + 0.1*noise",
        "--range",
        "-1,1",
        "--n",
        "50",
    ]));
    let path = std::env::temp_dir().join(format!("nanograd-generate-{}.csv", std::process::id()));
    std::fs::write(&path, csv).expect("write");
    let output = nanograd(&[
        "train",
        &path.to_string_lossy(),
        "--x",
        "x",
        "--y",
        "y",
        "--epochs",
        "3",
        "--json",
    ]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

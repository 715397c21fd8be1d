//! The `nanograd` binary's headless subcommands, run as a user would run them.

use std::path::PathBuf;
use std::process::{Command, Output};

fn nanograd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nanograd"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn asset(name: &str) -> String {
    format!("{}/assets/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("nanograd-cli-{}-{name}", std::process::id()))
}

fn json(output: &Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("not one JSON object ({e}): {stdout}"))
}

#[test]
fn train_json_reports_the_fit_and_saves_weights_that_predict() {
    let weights = temp_path("engel.safetensors");
    let weights_arg = weights.to_string_lossy().into_owned();
    let engel = asset("engel_food.csv");
    let args = [
        "train",
        &engel,
        "--x",
        "income",
        "--y",
        "foodexp",
        "--epochs",
        "100",
        "--val-fraction",
        "0.2",
    ];
    let output = nanograd(&[&args[..], &["--json", "--save", &weights_arg]].concat());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = json(&output);
    assert_eq!(summary["epochs"], 100);
    assert_eq!(summary["train_rows"], 188); // 235 − round(0.2 × 235)
    assert_eq!(summary["steps"], 100 * 6); // ceil(188 / 32) steps per epoch
    for key in ["train_loss", "val_loss", "r2", "rmse", "seconds"] {
        assert!(
            summary[key].as_f64().is_some_and(f64::is_finite),
            "{key}: {}",
            summary[key]
        );
    }
    assert!(summary["r2"].as_f64().is_some_and(|r2| r2 > 0.8));

    let predicted = nanograd(&[
        "predict",
        &weights_arg,
        "--x",
        "1000",
        "--x",
        "2500",
        "--json",
    ]);
    assert!(
        predicted.status.success(),
        "{}",
        String::from_utf8_lossy(&predicted.stderr)
    );
    let predictions = json(&predicted)["predictions"]
        .as_array()
        .cloned()
        .expect("array");
    assert_eq!(predictions.len(), 2);
    // Food expenditure rises with income, in Belgian francs.
    let (low, high) = (
        predictions[0].as_f64().expect("number"),
        predictions[1].as_f64().expect("number"),
    );
    assert!(300.0 < low && low < high, "{low} {high}");

    let from_csv = nanograd(&["predict", &weights_arg, "--csv", &engel]);
    assert!(from_csv.status.success());
    assert_eq!(
        String::from_utf8_lossy(&from_csv.stdout).lines().count(),
        235
    );
    // One row is enough to predict (fitting needs two).
    let one_row = temp_path("one-row.csv");
    std::fs::write(&one_row, "income,foodexp\n1000,0\n").expect("temp file");
    let from_one_row = nanograd(&["predict", &weights_arg, "--csv", &one_row.to_string_lossy()]);
    assert!(
        from_one_row.status.success(),
        "{}",
        String::from_utf8_lossy(&from_one_row.stderr)
    );
    let one = String::from_utf8_lossy(&from_one_row.stdout);
    assert_eq!(one.trim().parse::<f32>().ok(), Some(low as f32), "{one}");
    let _ = std::fs::remove_file(one_row);
    let _ = std::fs::remove_file(weights);
}

#[test]
fn val_loss_is_null_without_a_validation_split() {
    let output = nanograd(&[
        "train",
        &asset("anscombe_quartet.csv"),
        "--x",
        "x1",
        "--y",
        "y1",
        "--epochs",
        "5",
        "--json",
    ]);
    assert!(output.status.success());
    assert!(json(&output)["val_loss"].is_null());
}

#[test]
fn columns_by_index_and_no_hidden_layer() {
    // Column 0 of cars_mpg is Miles_per_Gallon, 3 is Horsepower.
    let output = nanograd(&[
        "train",
        &asset("cars_mpg.csv"),
        "--x",
        "3",
        "--y",
        "0",
        "--hidden",
        "none",
        "--batch",
        "1000",
        "--json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = json(&output);
    assert_eq!(summary["x"][0], "Horsepower");
    assert_eq!(summary["parameters"], 2);
    // Least squares of mpg on horsepower: R² = 0.6059.
    assert!((summary["r2"].as_f64().expect("r2") - 0.6059).abs() < 5e-4);
}

#[test]
fn bad_input_exits_2_with_one_clear_line() {
    let cases: [&[&str]; 4] = [
        &[
            "train",
            &asset("engel_food.csv"),
            "--x",
            "salary",
            "--y",
            "foodexp",
        ],
        &[
            "train",
            &asset("engel_food.csv"),
            "--x",
            "income",
            "--y",
            "foodexp",
            "--hidden",
            "16,x",
        ],
        &[
            "train",
            &asset("engel_food.csv"),
            "--x",
            "income",
            "--y",
            "foodexp",
            "--activation",
            "softmax",
        ],
        &["predict", "/nonexistent/model.safetensors", "--x", "1"],
    ];
    for args in cases {
        let output = nanograd(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
    let unknown = nanograd(&[
        "train",
        &asset("engel_food.csv"),
        "--x",
        "salary",
        "--y",
        "foodexp",
    ]);
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("income"),
        "lists the real columns"
    );
}

#[test]
fn bench_reproduces_the_reference_after_200_steps() {
    let output = nanograd(&[
        "bench", "--config", "tiny", "--steps", "200", "--warmup", "0",
    ]);
    assert!(output.status.success());
    let result = json(&output);
    assert_eq!(result["impl"], "nanograd");
    assert_eq!(result["steps"], 200);
    // The reference trainers' README (shared/bench): tiny, initial MSE 0.520714, after 200 steps 0.0299338.
    let close = |key: &str, reference: f64| {
        let value = result[key].as_f64().expect("number");
        assert!(
            (value - reference).abs() / reference < 1e-4,
            "{key} {value} vs {reference}"
        );
    };
    close("init_mse", 0.520714);
    close("final_mse", 0.0299338);
}

#[test]
fn train_reports_skipped_rows_on_stderr() {
    let path = temp_path("with-missing.csv");
    std::fs::write(&path, "income,foodexp\n1,2\n2,NA\n3,5\n4,4\n").expect("write");
    let output = nanograd(&[
        "train",
        &path.to_string_lossy(),
        "--x",
        "income",
        "--y",
        "foodexp",
        "--epochs",
        "3",
        "--json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("skipped 1") && stderr.contains("line 3"),
        "{stderr}"
    );
    assert_eq!(json(&output)["rows"], 3);
    let _ = std::fs::remove_file(path);
}

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
    // Without early stopping the validation loss is not followed epoch by epoch.
    assert!(summary["best_epoch"].is_null(), "{}", summary["best_epoch"]);

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
    let as_text = nanograd(&["predict", &weights_arg, "--x", "1000"]);
    assert_eq!(
        String::from_utf8_lossy(&from_one_row.stdout),
        String::from_utf8_lossy(&as_text.stdout)
    );
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
    let cases: [&[&str]; 6] = [
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
        // 65 layers; and 2 × 4096² weights between hidden layers (268 MB before training).
        &[
            "train",
            &asset("engel_food.csv"),
            "--x",
            "income",
            "--y",
            "foodexp",
            "--hidden",
            &vec!["2"; 65].join(","),
        ],
        &[
            "train",
            &asset("engel_food.csv"),
            "--x",
            "income",
            "--y",
            "foodexp",
            "--hidden",
            "4096,4096,4096",
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
        // A cause the message already gives is not printed again after it.
        for clause in stderr.trim().split(": ").filter(|clause| clause.len() > 12) {
            assert_eq!(stderr.matches(clause).count(), 1, "{args:?}: {stderr}");
        }
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

#[test]
fn train_chooses_its_l2_penalty_by_cross_validation_by_default() {
    let anscombe = asset("anscombe_quartet.csv");
    let base = [
        "train", &anscombe, "--x", "x1", "--y", "y1", "--epochs", "50",
    ];
    // --l2 0: no penalty, the unregularised fit.
    let plain = nanograd(&[&base[..], &["--l2", "0", "--json"]].concat());
    let regularisation = json(&plain)["regularisation"].clone();
    assert_eq!(regularisation["chosen_by"], "user");
    assert_eq!(regularisation["l2"].as_f64(), Some(0.0));
    assert!(
        regularisation["candidates"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );

    // Left out, it is --l2 auto.
    let left_out = json(&nanograd(&[&base[..], &["--json"]].concat()))["regularisation"].clone();
    let auto = json(&nanograd(
        &[&base[..], &["--l2", "auto", "--json"]].concat(),
    ))["regularisation"]
        .clone();
    assert_eq!(left_out["chosen_by"], "cross_validation");
    for key in ["l2", "model", "candidates", "rule"] {
        assert_eq!(left_out[key], auto[key], "{key}");
    }

    let base = [&base[..], &["--l2", "auto"]].concat();
    let chosen = nanograd(&[&base[..], &["--json"]].concat());
    assert!(
        chosen.status.success(),
        "{}",
        String::from_utf8_lossy(&chosen.stderr)
    );
    let regularisation = json(&chosen)["regularisation"].clone();
    assert_eq!(regularisation["chosen_by"], "cross_validation");
    assert_eq!(regularisation["folds"], 5);
    // 8 training rows: the one-standard-error rule.
    assert_eq!(regularisation["rule"], "one_standard_error");
    let candidates = regularisation["candidates"].as_array().expect("array");
    // Six penalties for the network and the linear model.
    assert_eq!(candidates.len(), 7);
    assert_eq!(candidates[6]["model"], "linear");
    // The simplest candidate within one standard error of the lowest loss: the linear
    // model first, then the network from the largest penalty down.
    let loss = |c: &serde_json::Value| c["cv_loss"].as_f64().expect("number");
    let best = candidates
        .iter()
        .min_by(|a, b| loss(a).total_cmp(&loss(b)))
        .expect("candidates");
    let bound = loss(best) + best["cv_loss_se"].as_f64().expect("number");
    let simplest = candidates
        .iter()
        .filter(|c| loss(c) <= bound)
        .min_by(|a, b| {
            let key = |c: &serde_json::Value| (c["model"] == "network", -c["l2"].as_f64().unwrap());
            let (a, b) = (key(a), key(b));
            a.0.cmp(&b.0).then(a.1.total_cmp(&b.1))
        })
        .expect("the best at least");
    assert_eq!(simplest["l2"], regularisation["l2"], "{regularisation}");
    assert_eq!(
        simplest["model"], regularisation["model"],
        "{regularisation}"
    );
    let summary = json(&chosen);
    let hidden_layers = summary["hidden"].as_array().expect("array").len();
    match regularisation["model"].as_str() {
        Some("linear") => assert_eq!((hidden_layers, summary["epochs"].as_u64()), (0, Some(2000))),
        _ => assert_eq!((hidden_layers, summary["epochs"].as_u64()), (2, Some(50))),
    }

    // Another network: no linear candidate.
    let other = nanograd(&[&base[..], &["--hidden", "8", "--json"]].concat());
    assert!(other.status.success());
    let regularisation = json(&other)["regularisation"].clone();
    assert_eq!(
        regularisation["candidates"].as_array().map(Vec::len),
        Some(6)
    );
    assert_eq!(regularisation["model"], "network");

    let given = nanograd(&[
        "train", &anscombe, "--x", "x1", "--y", "y1", "--epochs", "50", "--l2", "2.5", "--json",
    ]);
    assert!(given.status.success());
    let regularisation = json(&given)["regularisation"].clone();
    assert_eq!(regularisation["chosen_by"], "user");
    assert_eq!(regularisation["l2"].as_f64(), Some(2.5));
    assert!(regularisation["folds"].is_null());

    // The lowest loss, when asked for.
    let lowest = json(&nanograd(
        &[&base[..], &["--cv-rule", "min", "--json"]].concat(),
    ))["regularisation"]
        .clone();
    assert_eq!(lowest["rule"], "min");
    let candidates = lowest["candidates"].as_array().expect("array");
    let best = candidates
        .iter()
        .min_by(|a, b| loss(a).total_cmp(&loss(b)))
        .expect("candidates");
    assert_eq!(
        (&best["l2"], &best["model"]),
        (&lowest["l2"], &lowest["model"])
    );

    // Fewer folds and other candidates; the text output says what was chosen.
    let text = nanograd(&[&base[..], &["--cv-folds", "3", "--l2-candidates", "0.5,7"]].concat());
    assert!(text.status.success());
    let stdout = String::from_utf8_lossy(&text.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("regularisation: "))
        .unwrap_or_else(|| panic!("no regularisation line: {stdout}"));
    assert!(
        line.contains("3-fold cross-validation among penalties 0.5, 7 and a linear model"),
        "{line}"
    );

    for bad in [
        &["--l2=-1"][..],
        &["--l2", "lots"],
        &["--cv-folds", "1"],
        &["--l2-candidates", "1,x"],
        &["--cv-rule", "median"],
        &["--l2", "1", "--cv-folds", "3"],
        &["--l2", "0", "--no-linear"],
    ] {
        let plain = [
            "train", &anscombe, "--x", "x1", "--y", "y1", "--epochs", "50",
        ];
        let output = nanograd(&[&plain[..], bad].concat());
        assert_eq!(output.status.code(), Some(2), "{bad:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("cannot be used multiple times"),
            "{stderr}"
        );
    }
}

#[test]
fn a_file_argument_opens_the_app_and_anything_else_is_refused_clearly() {
    // `nanograd FILE` is what a double-click on a CSV runs; it needs a display, so only the
    // refusals can be checked here: a path that is not a file, and a mistyped subcommand.
    for wrong in ["no-such-file.csv", "trian"] {
        let output = nanograd(&[wrong]);
        assert_eq!(output.status.code(), Some(2), "{wrong}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!(
                "\"{wrong}\" is neither a file to open nor a subcommand"
            )),
            "{stderr}"
        );
    }
    let help = nanograd(&["--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("[FILE]"));
    // A subcommand still wins over a file of the same name.
    let output = nanograd(&["check", "--help"]);
    assert!(output.status.success());
}

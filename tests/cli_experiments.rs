//! `nanograd train`'s stop rules and `nanograd race`, end to end through the binary.

use std::process::{Command, Output};

fn nanograd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nanograd"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn engel() -> String {
    format!("{}/assets/data/engel_food.csv", env!("CARGO_MANIFEST_DIR"))
}

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("not one JSON object ({e}): {stdout}"))
}

fn train(extra: &[&str]) -> Output {
    let data = engel();
    let args = ["train", &data, "--x", "income", "--y", "foodexp"];
    nanograd(&[&args[..], extra].concat())
}

#[test]
fn early_stopping_reports_the_best_epoch_and_why_it_stopped() {
    let summary = json(&train(&[
        "--val-fraction",
        "0.25",
        "--early-stopping",
        "20",
        "--json",
    ]));
    assert_eq!(summary["stopped_because"], "early_stopping");
    let (epochs, best) = (
        summary["epochs"].as_u64().expect("epochs"),
        summary["best_epoch"].as_u64().expect("a best epoch"),
    );
    assert_eq!(epochs - best, 20, "stopped 20 epochs after the best");
    assert!(epochs < 500, "stopped before the epoch limit");
    let said = summary["stopped"].as_str().expect("said in words");
    assert!(
        said.contains(&format!("best validation loss at epoch {best}")),
        "{said}"
    );
}

#[test]
fn the_epoch_limit_and_the_target_loss_are_reasons_too() {
    let summary = json(&train(&["--epochs", "7", "--json"]));
    assert_eq!(summary["stopped_because"], "epochs");
    assert_eq!(summary["epochs"], 7);
    assert!(
        summary["best_epoch"].is_null(),
        "no validation split, no best epoch"
    );
    let summary = json(&train(&["--target-loss", "0.2", "--json"]));
    assert_eq!(summary["stopped_because"], "target_loss");
    assert!(summary["train_loss"].as_f64().expect("a loss") <= 0.2);
}

#[test]
fn a_diverging_run_exits_1_with_advice_and_keeps_good_weights() {
    let output = train(&["--optimizer", "sgd", "--lr", "5", "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    assert_eq!(summary["stopped_because"], "diverged");
    let advice = summary["advice"].as_str().expect("advice");
    assert!(advice.contains("from 5 to 0.5"), "{advice}");
    let loss = summary["train_loss"].as_f64().expect("a finite loss");
    assert!(loss < 1.0, "good weights kept: {loss}");
}

#[test]
fn stop_rules_are_checked() {
    for (args, message) in [
        (&["--early-stopping", "10"][..], "--val-fraction"),
        (
            &["--val-fraction", "0.2", "--early-stopping", "0"][..],
            "at least 1",
        ),
        (&["--target-loss=-1"][..], "--target-loss"),
        (&["--momentum", "NaN"][..], "--momentum"),
        (&["--beta2", "1.5"][..], "--beta1 and --beta2"),
        (&["--weight-decay", "NaN"][..], "--weight-decay"),
        (&["--weight-decay=-5"][..], "--weight-decay"),
        (
            &["--optimizer", "sgd", "--weight-decay", "0.1"][..],
            "Adam (AdamW) only",
        ),
    ] {
        let output = train(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn a_race_starts_equal_architectures_from_the_same_loss() {
    let data = engel();
    let summary = json(&nanograd(&[
        "race",
        &data,
        "--x",
        "income",
        "--y",
        "foodexp",
        "--run",
        "optimizer=sgd,lr=0.1,momentum=0",
        "--run",
        "optimizer=sgd,lr=0.1",
        "--run",
        "optimizer=adam",
        "--run",
        "optimizer=adam,hidden=16,16,activation=relu",
        "--run",
        "optimizer=sgd,lr=50",
        "--epochs",
        "12",
        "--json",
    ]));
    let runs = summary["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 5);
    let first_loss = |run: &serde_json::Value| run["train_loss"][0].as_f64().expect("epoch 0");
    for run in &runs[..3] {
        assert_eq!(first_loss(run), first_loss(&runs[0]), "same start");
        assert_eq!(run["train_loss"].as_array().map(Vec::len), Some(13));
        assert_eq!(run["stopped_because"], "epochs");
        assert!(run["val_loss"].is_null());
    }
    assert_eq!(runs[1]["settings"]["momentum"], 0.9, "shared flag kept");
    assert_eq!(runs[3]["settings"]["hidden"], serde_json::json!([16, 16]));
    assert_eq!(runs[3]["settings"]["activation"], "relu");
    assert_eq!(runs[3]["same_initial_weights"], false);
    assert_ne!(first_loss(&runs[3]), first_loss(&runs[0]));
    assert_eq!(runs[4]["stopped_because"], "diverged");
    assert!(runs[4]["advice"].as_str().is_some());
    let adam_loss = runs[2]["train_loss"][12].as_f64().expect("a loss");
    assert!(adam_loss < first_loss(&runs[2]), "Adam learned");
}

#[test]
fn a_bad_run_setting_is_named() {
    let data = engel();
    for (run, message) in [
        ("optimizer=sgd,speed=3", "unknown setting \"speed\""),
        ("lr=fast", "lr \"fast\" is not a number"),
        ("adam", "is not key=value"),
    ] {
        let output = nanograd(&[
            "race", &data, "--x", "income", "--y", "foodexp", "--run", run,
        ]);
        assert_eq!(output.status.code(), Some(2), "{run}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{run}: {stderr}");
    }
}

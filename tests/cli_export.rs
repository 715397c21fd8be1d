//! `nanograd export WEIGHTS --pytorch FILE`, run as a user would run it: the script is written
//! (and is Python), an existing file is kept unless `--force`, and a missing or broken weights
//! file is a clear error that writes nothing. That the script predicts what `nanograd predict`
//! does needs PyTorch, which CI does not install: `scripts/verify_pytorch_export.py` checks it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn nanograd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nanograd"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A fresh folder for one test.
fn scratch(test: &str) -> PathBuf {
    let folder =
        std::env::temp_dir().join(format!("nanograd-cli-export-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("scratch folder");
    folder
}

fn text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Trains a small network on cars_mpg for a few epochs and saves it to `folder/name`.
fn train(folder: &Path, name: &str, x: &[&str], hidden: &str, activation: &str) -> PathBuf {
    let weights = folder.join(name);
    let data = format!("{}/assets/data/cars_mpg.csv", env!("CARGO_MANIFEST_DIR"));
    let mut args = vec!["train", &data, "--y", "Miles_per_Gallon"];
    for column in x {
        args.extend(["--x", column]);
    }
    let weights_arg = text(&weights);
    args.extend([
        "--hidden",
        hidden,
        "--activation",
        activation,
        "--epochs",
        "3",
        "--l2",
        "0",
        "--save",
        &weights_arg,
    ]);
    let output = nanograd(&args);
    assert!(output.status.success(), "train: {}", stderr(&output));
    weights
}

/// `python3`, when this machine has it.
fn python3() -> Option<&'static str> {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    found.then_some("python3")
}

/// Parses `script` with Python's own parser and returns the names of its top-level functions
/// and classes, or `None` (with a note) when there is no python3 to ask.
fn python_definitions(script: &Path) -> Option<Vec<String>> {
    let Some(python) = python3() else {
        eprintln!("note: no python3 here, so the script was not parsed as Python");
        return None;
    };
    let program = "import ast, sys\n\
                   tree = ast.parse(open(sys.argv[1], encoding='utf-8').read(), sys.argv[1])\n\
                   for node in tree.body:\n\
                   \x20   if isinstance(node, (ast.FunctionDef, ast.ClassDef)):\n\
                   \x20       print(node.name)\n\
                   \x20   elif isinstance(node, ast.If) and ast.unparse(node.test) == \"__name__ == '__main__'\":\n\
                   \x20       print('__main__')\n";
    let output = Command::new(python)
        .args(["-c", program, &text(script)])
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{} is not valid Python: {}",
        script.display(),
        stderr(&output)
    );
    Some(stdout(&output).lines().map(str::to_owned).collect())
}

#[test]
fn export_writes_a_python_script_of_the_network_and_says_so() {
    let folder = scratch("writes");
    let weights = train(
        &folder,
        "cars.safetensors",
        &["Horsepower", "Weight_in_lbs"],
        "8,4",
        "tanh",
    );
    let script = folder.join("model.py");
    let output = nanograd(&["export", &text(&weights), "--pytorch", &text(&script)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let said = stdout(&output);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.contains("2 inputs (Horsepower, Weight_in_lbs) -> 8 tanh -> 4 tanh -> 1 output (Miles_per_Gallon)"),
        "{said}"
    );
    let source = std::fs::read_to_string(&script).expect("script written");
    for line in [
        "        nn.Linear(2, 8),  # layers.0 in the weights file",
        "        nn.Linear(8, 4),  # layers.1 in the weights file",
        "        nn.Linear(4, 1),  # layers.2 in the weights file",
        "X_NAMES = [\"Horsepower\", \"Weight_in_lbs\"]",
        "Y_NAME = \"Miles_per_Gallon\"",
        "from safetensors.torch import load_file",
    ] {
        assert!(source.contains(line), "missing {line:?} in\n{source}");
    }
    // The weights are read from the file when the script runs, never copied into it.
    assert!(!source.contains("tensor([["), "{source}");
    if let Some(definitions) = python_definitions(&script) {
        for name in ["build_model", "load", "Standardised", "main", "__main__"] {
            assert!(
                definitions.iter().any(|d| d == name),
                "no {name} in {definitions:?}"
            );
        }
    }
    // Nothing but the script was added beside the weights (no temporary file left).
    let mut names: Vec<_> = std::fs::read_dir(&folder)
        .expect("list")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["cars.safetensors", "model.py"]);
    let _ = std::fs::remove_dir_all(folder);
}

#[test]
fn every_activation_and_depth_gives_valid_python() {
    let folder = scratch("every");
    for activation in ["tanh", "relu", "sigmoid", "identity"] {
        for hidden in ["none", "3", "4,3,2"] {
            let name = format!("{activation}-{}", hidden.replace(',', "-"));
            let weights = train(
                &folder,
                &format!("{name}.safetensors"),
                &["Horsepower"],
                hidden,
                activation,
            );
            let script = folder.join(format!("{name}.py"));
            let output = nanograd(&["export", &text(&weights), "--pytorch", &text(&script)]);
            assert!(output.status.success(), "{name}: {}", stderr(&output));
            let source = std::fs::read_to_string(&script).expect("script written");
            let layers = if hidden == "none" {
                0
            } else {
                hidden.split(',').count()
            };
            assert_eq!(source.matches("nn.Linear(").count(), layers + 1, "{name}");
            let module = match activation {
                "tanh" => "nn.Tanh()",
                "relu" => "nn.ReLU()",
                "sigmoid" => "nn.Sigmoid()",
                _ => "nn.Identity()",
            };
            assert_eq!(source.matches(module).count(), layers, "{name}");
            python_definitions(&script);
        }
    }
    let _ = std::fs::remove_dir_all(folder);
}

#[test]
fn an_existing_file_is_kept_unless_force_and_the_weights_never_replaced() {
    let folder = scratch("overwrite");
    let weights = train(&folder, "w.safetensors", &["Horsepower"], "4", "relu");
    let script = folder.join("model.py");
    std::fs::write(&script, "my own notes\n").expect("write");

    let refused = nanograd(&["export", &text(&weights), "--pytorch", &text(&script)]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("already exists"),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("--force"), "{}", stderr(&refused));
    assert!(stdout(&refused).is_empty());
    assert_eq!(
        std::fs::read_to_string(&script).expect("read"),
        "my own notes\n"
    );

    let replaced = nanograd(&[
        "export",
        &text(&weights),
        "--pytorch",
        &text(&script),
        "--force",
        "--json",
    ]);
    assert!(replaced.status.success(), "{}", stderr(&replaced));
    let summary: serde_json::Value =
        serde_json::from_str(stdout(&replaced).trim()).expect("one JSON object");
    assert_eq!(summary["replaced"], true);
    assert_eq!(summary["hidden"], serde_json::json!([4]));
    assert_eq!(summary["activation"], "relu");
    assert_eq!(summary["x_names"], serde_json::json!(["Horsepower"]));
    assert_eq!(summary["pytorch"], text(&script));
    let source = std::fs::read_to_string(&script).expect("read");
    assert!(source.contains("nn.ReLU()"));
    assert_eq!(summary["bytes"], source.len());

    // Not even --force writes the script over the weights it is meant to read.
    let before = std::fs::read(&weights).expect("read");
    let onto_weights = nanograd(&[
        "export",
        &text(&weights),
        "--pytorch",
        &text(&folder.join(".").join("w.safetensors")),
        "--force",
    ]);
    assert_eq!(onto_weights.status.code(), Some(2));
    assert!(
        stderr(&onto_weights).contains("is the weights file"),
        "{}",
        stderr(&onto_weights)
    );
    assert_eq!(std::fs::read(&weights).expect("read"), before);

    let onto_folder = nanograd(&[
        "export",
        &text(&weights),
        "--pytorch",
        &text(&folder),
        "--force",
    ]);
    assert_eq!(onto_folder.status.code(), Some(2));
    assert!(
        stderr(&onto_folder).contains("is a folder"),
        "{}",
        stderr(&onto_folder)
    );
    let _ = std::fs::remove_dir_all(folder);
}

#[test]
fn missing_or_broken_weights_are_a_clear_error_and_write_nothing() {
    let folder = scratch("broken");
    let script = folder.join("model.py");

    let missing = nanograd(&[
        "export",
        &text(&folder.join("nope.safetensors")),
        "--pytorch",
        &text(&script),
    ]);
    assert_eq!(missing.status.code(), Some(2));
    let said = stderr(&missing);
    assert!(said.starts_with("error: could not read "), "{said}");
    assert!(said.contains("nope.safetensors"), "{said}");
    assert_eq!(said.lines().count(), 1, "{said}");

    let csv = format!("{}/assets/data/cars_mpg.csv", env!("CARGO_MANIFEST_DIR"));
    let broken = nanograd(&["export", &csv, "--pytorch", &text(&script)]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        stderr(&broken).contains("not a readable weights file"),
        "{}",
        stderr(&broken)
    );
    assert!(!script.exists(), "a script was written for no network");

    let no_flag = nanograd(&["export", &csv]);
    assert_eq!(no_flag.status.code(), Some(2));
    assert!(
        stderr(&no_flag).contains("--pytorch"),
        "{}",
        stderr(&no_flag)
    );
    let _ = std::fs::remove_dir_all(folder);
}

#[test]
fn a_script_that_cannot_be_written_is_a_failure_of_the_work() {
    let folder = scratch("unwritable");
    let weights = train(&folder, "w.safetensors", &["Horsepower"], "2", "tanh");
    let script = folder.join("no such folder").join("model.py");
    let output = nanograd(&["export", &text(&weights), "--pytorch", &text(&script)]);
    // As `train --save` into a missing folder: the input was fine, the writing failed.
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with("error: could not write "),
        "{}",
        stderr(&output)
    );
    let _ = std::fs::remove_dir_all(folder);
}

#[test]
fn column_names_with_quotes_backslashes_and_newlines_stay_names() {
    let folder = scratch("names");
    let data = folder.join("odd.csv");
    std::fs::write(
        &data,
        "\"in \"\"put\"\" \\ {{layers}}\nnext\",\"out\"\"\"\"\"\"\"\n1,2\n2,3\n3,5\n4,4\n5,7\n",
    )
    .expect("write");
    let weights = folder.join("odd.safetensors");
    let trained = nanograd(&[
        "train",
        &text(&data),
        "--x",
        "0",
        "--y",
        "1",
        "--hidden",
        "2",
        "--epochs",
        "2",
        "--l2",
        "0",
        "--save",
        &text(&weights),
    ]);
    assert!(trained.status.success(), "{}", stderr(&trained));
    let script = folder.join("odd.py");
    let output = nanograd(&[
        "export",
        &text(&weights),
        "--pytorch",
        &text(&script),
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary: serde_json::Value =
        serde_json::from_str(stdout(&output).trim()).expect("one JSON object");
    assert_eq!(
        summary["x_names"],
        serde_json::json!(["in \"put\" \\ {{layers}}\nnext"])
    );
    let Some(python) = python3() else {
        eprintln!("note: no python3 here, so the script's names were not read back");
        return;
    };
    // Python reads back the very names the model has, and the network is built once.
    let program = "import ast, json, sys\n\
                   tree = ast.parse(open(sys.argv[1], encoding='utf-8').read())\n\
                   found = {}\n\
                   for node in tree.body:\n\
                   \x20   if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):\n\
                   \x20       found[node.targets[0].id] = ast.literal_eval(node.value)\n\
                   print(json.dumps({'x_names': found['X_NAMES'], 'y_name': found['Y_NAME']}))\n";
    let read = Command::new(python)
        .args(["-c", program, &text(&script)])
        .output()
        .expect("python3 runs");
    assert!(read.status.success(), "{}", stderr(&read));
    let names: serde_json::Value =
        serde_json::from_str(stdout(&read).trim()).expect("one JSON object");
    assert_eq!(names["x_names"], summary["x_names"]);
    assert_eq!(names["y_name"], summary["y_name"]);
    let source = std::fs::read_to_string(&script).expect("read");
    assert_eq!(source.matches("nn.Linear(1, 2)").count(), 1, "{source}");
    let _ = std::fs::remove_dir_all(folder);
}

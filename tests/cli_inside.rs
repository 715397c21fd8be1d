//! `nanograd explain` and `nanograd graph`, run as a user would, on a network trained here.

use std::path::PathBuf;
use std::process::{Command, Output};

fn nanograd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nanograd"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    let stdout = succeeded(output);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// Trains a small network on the Engel food data and returns its weights file.
fn trained(name: &str, hidden: &str) -> PathBuf {
    let weights = std::env::temp_dir().join(format!(
        "nanograd-cli-inside-{}-{name}.safetensors",
        std::process::id()
    ));
    let data = format!("{}/assets/data/engel_food.csv", env!("CARGO_MANIFEST_DIR"));
    let path = weights.to_string_lossy().into_owned();
    let args = [
        "train", &data, "--x", "income", "--y", "foodexp", "--hidden", hidden, "--epochs", "20",
        "--save", &path, "--json",
    ];
    succeeded(&nanograd(&args));
    weights
}

#[test]
fn explain_contributions_and_constant_add_up_to_what_predict_prints() {
    let weights = trained("explain", "6,5");
    let path = weights.to_string_lossy().into_owned();
    let explained = json(&nanograd(&["explain", &path, "--x", "1200", "--json"]));
    let predicted = json(&nanograd(&["predict", &path, "--x", "1200", "--json"]));
    let prediction = predicted["predictions"][0].as_f64().expect("a prediction");
    assert_eq!(explained["prediction"].as_f64(), Some(prediction));
    let contributions: Vec<f64> = explained["contributions"]
        .as_array()
        .expect("contributions")
        .iter()
        .map(|c| c.as_f64().expect("a number"))
        .collect();
    assert_eq!(
        contributions.len(),
        5,
        "one per unit of the last hidden layer"
    );
    let total =
        explained["constant"].as_f64().expect("constant") + contributions.iter().sum::<f64>();
    assert!(
        (total - prediction).abs() <= 1e-4 * prediction.abs(),
        "{total} vs {prediction}"
    );
    let layers = explained["layers"].as_array().expect("layers");
    assert_eq!(layers.len(), 3);
    for (layer, units) in layers.iter().zip([6, 5, 1]) {
        assert_eq!(layer["pre"].as_array().map(Vec::len), Some(units));
        assert_eq!(layer["post"].as_array().map(Vec::len), Some(units));
    }
    let text = succeeded(&nanograd(&["explain", &path, "--x", "1200"]));
    assert!(text.contains("h2,1 = tanh("), "{text}");
    assert!(text.contains("foodexp = "), "{text}");
    let _ = std::fs::remove_file(weights);
}

#[test]
fn graph_json_gives_every_node_the_loss_and_gradients_by_tensor_name() {
    for (hidden, level, n_params) in [("4", "scalars", 13), ("16,16", "layers", 321)] {
        let weights = trained(&format!("graph-{level}"), hidden);
        let path = weights.to_string_lossy().into_owned();
        let graph = json(&nanograd(&[
            "graph", &path, "--x", "900", "--y", "600", "--format", "json",
        ]));
        assert_eq!(graph["level"], level);
        assert!(
            graph["note"]
                .as_str()
                .is_some_and(|n| n.contains("standardised"))
        );
        let nodes = graph["nodes"].as_array().expect("nodes");
        for node in nodes {
            for key in ["op", "inputs", "shape", "value", "grad"] {
                assert!(!node[key].is_null(), "{key} missing in {node}");
            }
        }
        let loss = graph["loss"].as_f64().expect("loss");
        let last = &nodes[nodes.len() - 1];
        assert_eq!(last["value"][0].as_f64(), Some(loss));
        assert_eq!(last["grad"][0].as_f64(), Some(1.0));
        let grads = graph["param_grads"].as_object().expect("param_grads");
        let mut count = 0;
        for (name, value) in grads {
            assert!(name.starts_with("layers."), "{name}");
            count += if name.ends_with(".weight") {
                value
                    .as_array()
                    .expect("rows")
                    .iter()
                    .map(|r| r.as_array().map_or(0, Vec::len))
                    .sum::<usize>()
            } else {
                value.as_array().map_or(0, Vec::len)
            };
        }
        assert_eq!(count, n_params, "every parameter has its gradient");
        let first_weight = grads["layers.0.weight"]
            .as_array()
            .expect("layers.0.weight");
        assert_eq!(
            first_weight.len(),
            hidden
                .split(',')
                .next()
                .and_then(|h| h.parse().ok())
                .unwrap_or(0)
        );

        let dot = succeeded(&nanograd(&["graph", &path, "--x", "900", "--y", "600"]));
        assert!(
            dot.starts_with("// values and gradients are in standardised units"),
            "{dot}"
        );
        assert!(dot.contains("digraph prediction {"));
        let _ = std::fs::remove_file(weights);
    }
}

#[test]
fn explain_refuses_the_wrong_number_of_inputs_with_a_clear_message() {
    let weights = trained("refuse", "3");
    let path = weights.to_string_lossy().into_owned();
    let output = nanograd(&["explain", &path, "--x", "1", "--x", "2"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("takes 1 input(s) (income), got 2"),
        "{stderr}"
    );
    let bad_format = nanograd(&["graph", &path, "--x", "1", "--y", "2", "--format", "svg"]);
    assert!(String::from_utf8_lossy(&bad_format.stderr).contains("use dot or json"));
    let _ = std::fs::remove_file(weights);
}

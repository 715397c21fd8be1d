//! `nanograd explain` and `nanograd graph`: what a saved network computes inside for one input,
//! from the same library code as the app's views.

use std::path::{Path, PathBuf};

use anyhow::bail;
use serde_json::{Value, json};

use crate::inside::{
    GraphLevel, NamedGradient, explain, neuron_arithmetic, prediction_graph, to_dot, unit_symbol,
};
use crate::train::Model;

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A weights file written by `nanograd train --save` or the app.
    pub weights: PathBuf,
    /// One input value per input column, in order (repeat --x for several inputs).
    #[arg(long = "x", allow_negative_numbers = true, required = true)]
    pub x: Vec<f32>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// A weights file written by `nanograd train --save` or the app.
    pub weights: PathBuf,
    /// One input value per input column, in order (repeat --x for several inputs).
    #[arg(long = "x", allow_negative_numbers = true, required = true)]
    pub x: Vec<f32>,
    /// The true target value for this input, in the target's units.
    #[arg(long, allow_negative_numbers = true)]
    pub y: f32,
    /// dot (graphviz: `nanograd graph … | dot -Tsvg > graph.svg`) or json.
    #[arg(long, default_value = "dot")]
    pub format: String,
}

/// What the graph's numbers are in, said in every output.
const UNITS_NOTE: &str = "values and gradients are in standardised units: the squared error \
                          here is the loss the optimizer sees, not the error in the target's units";

fn load_for_input(weights: &Path, x: &[f32]) -> anyhow::Result<Model> {
    let model = Model::load(weights)?;
    if x.len() != model.n_inputs() {
        bail!(
            "the model takes {} input(s) ({}), got {} value(s)",
            model.n_inputs(),
            model.x_names.join(", "),
            x.len()
        );
    }
    if let Some(bad) = x.iter().find(|v| !v.is_finite()) {
        bail!("--x {bad} is not a finite number");
    }
    Ok(model)
}

pub fn explain_command(args: &ExplainArgs) -> anyhow::Result<()> {
    let model = load_for_input(&args.weights, &args.x)?;
    let explanation = explain(&model, &args.x);
    let n_columns = model.mlp.n_layers() + 1;
    if args.json {
        let last_hidden_column = n_columns - 2;
        let units: Vec<String> = (0..explanation.contributions.len())
            .map(|unit| unit_symbol(&model, last_hidden_column, unit))
            .collect();
        let summary = json!({
            "x_names": model.x_names,
            "y_name": model.y_name,
            "x": explanation.x,
            "standardised_x": explanation.standardised_x,
            "activation": model.mlp.activation().name(),
            "layers": explanation.layers,
            "contribution_units": units,
            "contributions": explanation.contributions,
            "constant": explanation.constant,
            "prediction": explanation.prediction,
            "note": "layers are in standardised units; contributions, constant and prediction \
                     in the target's units, and contributions + constant = prediction",
        });
        println!("{summary}");
        return Ok(());
    }
    for column in 1..n_columns {
        let Some(layer) = explanation.layers.get(column - 1) else {
            continue;
        };
        let title = if column + 1 == n_columns {
            "output (linear)".to_owned()
        } else {
            format!("hidden layer {column} ({})", model.mlp.activation())
        };
        println!("{title}: {} unit(s), standardised units", layer.post.len());
        for unit in 0..layer.post.len() {
            if let Some(arithmetic) = neuron_arithmetic(&model, &explanation, column, unit) {
                println!("  {}", arithmetic.equation(4));
                if let Some(line) = arithmetic.target_equation() {
                    println!("  {line}");
                }
            }
        }
    }
    println!("contributions to {} (target's units):", model.y_name);
    for (unit, contribution) in explanation.contributions.iter().enumerate() {
        println!(
            "  {:>10}  {contribution}",
            unit_symbol(&model, n_columns - 2, unit)
        );
    }
    println!("  {:>10}  {}", "constant", explanation.constant);
    println!("prediction: {}", explanation.prediction);
    Ok(())
}

pub fn graph_command(args: &GraphArgs) -> anyhow::Result<()> {
    let format = args.format.to_ascii_lowercase();
    if format != "dot" && format != "json" {
        bail!("--format: unknown \"{}\" (use dot or json)", args.format);
    }
    if !args.y.is_finite() {
        bail!("--y {} is not a finite number", args.y);
    }
    let model = load_for_input(&args.weights, &args.x)?;
    let (graph, gradients) = prediction_graph(&model, &args.x, args.y);
    if format == "dot" {
        print!("// {UNITS_NOTE}\n{}", to_dot(&graph));
        return Ok(());
    }
    let nodes: Vec<Value> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(id, node)| {
            json!({
                "id": id,
                "op": node.op,
                "label": node.label,
                "inputs": node.inputs,
                "shape": [node.shape.0, node.shape.1],
                "value": node.value,
                "grad": node.grad,
            })
        })
        .collect();
    let summary = json!({
        "level": match graph.level {
            GraphLevel::Scalars => "scalars",
            GraphLevel::Layers => "layers",
        },
        "note": UNITS_NOTE,
        "loss": graph.nodes[graph.loss].value[0],
        "prediction": graph.nodes[graph.prediction].value[0],
        "prediction_node": graph.prediction,
        "loss_node": graph.loss,
        "nodes": nodes,
        "param_grads": param_grads_json(&gradients),
    });
    println!("{summary}");
    Ok(())
}

/// `{"layers.0.weight": [[…], …], "layers.0.bias": […]}`: weights as rows (out × in) and biases
/// flat, as the weights file stores them.
fn param_grads_json(gradients: &[NamedGradient]) -> Value {
    let mut map = serde_json::Map::new();
    for gradient in gradients {
        let value = if gradient.name.ends_with(".bias") {
            json!(gradient.values)
        } else {
            let cols = gradient.shape.1.max(1);
            json!(gradient.values.chunks(cols).collect::<Vec<_>>())
        };
        map.insert(gradient.name.clone(), value);
    }
    Value::Object(map)
}

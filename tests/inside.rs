//! The inside views' library: per-unit contributions add up to the prediction, the graph of one
//! prediction carries the engine's gradients (checked against finite differences), and a
//! neuron's arithmetic reproduces its value.

use nanograd::data::Standardization;
use nanograd::engine::Tape;
use nanograd::inside::{
    GraphLevel, MAX_SCALAR_GRAPH_PARAMETERS, explain, neuron_arithmetic, prediction_graph, to_dot,
    unit_curves,
};
use nanograd::nn::{Activation, Mlp};
use nanograd::train::Model;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

fn model(n_inputs: usize, hidden: &[usize], activation: Activation, seed: u64) -> Model {
    let mut mlp = Mlp::new(n_inputs, hidden, activation, seed);
    // Non-zero biases, so that a bias left out of a sum would show.
    let mut rng = ChaCha8Rng::seed_from_u64(seed + 1000);
    for (index, tensor) in mlp.parameters_mut().iter_mut().enumerate() {
        if index % 2 == 1 {
            tensor
                .data_mut()
                .iter_mut()
                .for_each(|b| *b = rng.random_range(-0.5..0.5));
        }
    }
    Model {
        mlp,
        x_standardization: Standardization {
            mean: (0..n_inputs).map(|i| 3.0 + i as f32).collect(),
            std: (0..n_inputs).map(|i| 2.0 + 0.5 * i as f32).collect(),
        },
        y_standardization: Standardization {
            mean: vec![40.0],
            std: vec![7.5],
        },
        x_names: (0..n_inputs).map(|i| format!("in{i}")).collect(),
        y_name: "target".to_owned(),
    }
}

fn random_input(rng: &mut ChaCha8Rng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(-2.0..8.0)).collect()
}

const SHAPES: [&[usize]; 5] = [&[], &[1], &[8], &[16, 16], &[5, 7, 3]];

#[test]
fn contributions_plus_constant_equal_the_prediction_for_random_networks() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for activation in Activation::ALL {
        for hidden in SHAPES {
            for n_inputs in [1, 3] {
                let model = model(n_inputs, hidden, activation, rng.random_range(0..1000));
                let x = random_input(&mut rng, n_inputs);
                let explanation = explain(&model, &x);
                let expected_units = hidden.last().copied().unwrap_or(n_inputs);
                assert_eq!(explanation.contributions.len(), expected_units);
                assert_eq!(explanation.layers.len(), hidden.len() + 1);
                let total: f32 =
                    explanation.constant + explanation.contributions.iter().sum::<f32>();
                let predicted = model.predict(&x)[0];
                assert_eq!(explanation.prediction, predicted);
                assert!(
                    (total - predicted).abs() <= 1e-5 * predicted.abs().max(1.0),
                    "{activation} {hidden:?}: {total} vs {predicted}"
                );
                // The output layer's pre-activation, un-standardised, is the prediction too.
                let output = explanation.layers.last().expect("output layer").post[0];
                assert!((output * 7.5 + 40.0 - predicted).abs() <= 1e-4 * predicted.abs().max(1.0));
            }
        }
    }
}

#[test]
fn unit_curves_add_up_to_the_prediction_at_every_row() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for activation in Activation::ALL {
        for hidden in SHAPES {
            let model = model(1, hidden, activation, 3);
            let xs = random_input(&mut rng, 50);
            let curves = unit_curves(&model, &xs);
            let predictions = model.predict(&xs);
            assert_eq!(curves.n_rows(), 50);
            for (row, predicted) in predictions.iter().enumerate() {
                let total = curves.total(row);
                assert!(
                    (total - predicted).abs() <= 1e-5 * predicted.abs().max(1.0),
                    "{activation} {hidden:?} row {row}: {total} vs {predicted}"
                );
            }
        }
    }
}

#[test]
fn a_neurons_arithmetic_reproduces_its_value() {
    let model = model(2, &[6, 4], Activation::Tanh, 5);
    let explanation = explain(&model, &[3.5, 1.0]);
    for column in 1..=3 {
        let units = explanation.layers[column - 1].post.len();
        for unit in 0..units {
            let arithmetic = neuron_arithmetic(&model, &explanation, column, unit).expect("a unit");
            let sum: f32 =
                arithmetic.bias + arithmetic.terms.iter().map(|t| t.product()).sum::<f32>();
            assert!((sum - arithmetic.pre).abs() < 1e-5, "{}", arithmetic.name);
            let products: Vec<f32> = arithmetic.terms.iter().map(|t| t.product().abs()).collect();
            assert!(products.windows(2).all(|w| w[0] >= w[1]), "largest first");
        }
    }
    let hidden = neuron_arithmetic(&model, &explanation, 2, 2).expect("h2,3");
    let text = hidden.equation(2);
    assert!(text.starts_with("h2,3 = tanh("), "{text}");
    assert!(text.contains("(4 more terms: "), "{text}");
    let output = neuron_arithmetic(&model, &explanation, 3, 0).expect("output");
    let in_units = output
        .target_equation()
        .expect("output in the target's units");
    assert!(in_units.starts_with("target = "), "{in_units}");
    assert!(neuron_arithmetic(&model, &explanation, 0, 0).is_none());
    assert!(neuron_arithmetic(&model, &explanation, 1, 6).is_none());
}

/// The squared error in standardised units for the model's parameters, as training sees it.
fn squared_error(model: &Model, x: &[f32], target: f32) -> f64 {
    let mut x = x.to_vec();
    model.x_standardization.apply(&mut x);
    let mut t = [target];
    model.y_standardization.apply(&mut t);
    let prediction = model.mlp.predict(&mut Tape::new(), &x)[0];
    let error = f64::from(prediction) - f64::from(t[0]);
    error * error
}

// Finite differences: h = 1e-2 and |analytic − numeric| ≤ 2e-3·max(1, |numeric|), the step and
// tolerance of tests/gradcheck.rs, whose module docs give the error budget for f32.
#[test]
fn graph_gradients_match_finite_differences_at_both_levels() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for (hidden, level) in [
        (&[4, 4][..], GraphLevel::Scalars),
        (&[16, 8][..], GraphLevel::Layers),
    ] {
        for activation in [Activation::Tanh, Activation::Sigmoid] {
            let model = model(2, hidden, activation, 9);
            assert_eq!(
                model.mlp.n_parameters() <= MAX_SCALAR_GRAPH_PARAMETERS,
                level == GraphLevel::Scalars
            );
            let x = random_input(&mut rng, 2);
            let target = 45.0;
            let (graph, gradients) = prediction_graph(&model, &x, target);
            assert_eq!(graph.level, level);
            let loss = graph.nodes[graph.loss].value[0];
            let expected_loss = squared_error(&model, &x, target);
            assert!((f64::from(loss) - expected_loss).abs() <= 1e-4 * expected_loss.max(1.0));
            assert_eq!(graph.nodes[graph.loss].grad, vec![1.0]);
            for (index, gradient) in gradients.iter().enumerate() {
                assert_eq!(gradient.values.len(), model.mlp.parameters()[index].len());
                for flat in 0..gradient.values.len() {
                    let h = 1e-2;
                    let mut plus = model.clone();
                    plus.mlp.parameters_mut()[index].data_mut()[flat] += h;
                    let mut minus = model.clone();
                    minus.mlp.parameters_mut()[index].data_mut()[flat] -= h;
                    let numeric = (squared_error(&plus, &x, target)
                        - squared_error(&minus, &x, target))
                        / (2.0 * f64::from(h));
                    let analytic = f64::from(gradient.values[flat]);
                    assert!(
                        (analytic - numeric).abs() <= 2e-3 * numeric.abs().max(1.0),
                        "{level:?} {activation} {}[{flat}]: {analytic} vs {numeric}",
                        gradient.name
                    );
                }
            }
        }
    }
}

#[test]
fn every_graph_node_has_its_inputs_before_it_and_the_dot_names_every_node() {
    for hidden in [&[3][..], &[32, 32][..]] {
        let model = model(1, hidden, Activation::Relu, 1);
        let (graph, _) = prediction_graph(&model, &[4.0], 39.0);
        for (index, node) in graph.nodes.iter().enumerate() {
            assert!(node.inputs.iter().all(|&input| input < index));
            assert_eq!(node.value.len(), node.shape.0 * node.shape.1);
            assert_eq!(node.grad.len(), node.value.len());
        }
        assert_eq!(graph.loss, graph.nodes.len() - 1);
        assert_eq!(graph.nodes[graph.prediction].label, "prediction");
        let dot = to_dot(&graph);
        assert!(dot.starts_with("digraph"));
        for index in 0..graph.nodes.len() {
            assert!(
                dot.contains(&format!("  n{index} [shape=record")),
                "node {index}"
            );
        }
    }
    // A 1-3-1 network: x, 3 hidden units of (b, w, *, +, tanh) and the output's 7 nodes.
    let small = model(1, &[3], Activation::Tanh, 1);
    let (graph, _) = prediction_graph(&small, &[4.0], 39.0);
    assert_eq!(graph.level, GraphLevel::Scalars);
    let params = graph.nodes.iter().filter(|n| n.op == "param").count();
    assert_eq!(
        params,
        small.mlp.n_parameters() + 1,
        "every weight and bias, and x"
    );
}

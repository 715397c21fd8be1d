//! `nanograd check`: the engine check ([`crate::inside::check`]) on fixed seeded networks,
//! printed for people or as one JSON object. Exit status 0 when it passes, 1 when it fails.

use std::time::Instant;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde_json::json;

use crate::inside::check::{
    GradientCheck, GradientEntry, MAX_ROWS, MicrogradCheck, check_gradients, micrograd_check,
};
use crate::nn::{Activation, Mlp};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The networks checked: 2 inputs → 8 → 8 → 1 with each activation that has a slope to get
/// wrong (identity's gradients are those of the linear layers, which these cover too).
pub const ACTIVATIONS: [Activation; 3] = [Activation::Tanh, Activation::Relu, Activation::Sigmoid];
pub const N_INPUTS: usize = 2;
pub const HIDDEN_SIZES: [usize; 2] = [8, 8];
const NETWORK_SEED: u64 = 0;
const BATCH_SEED: u64 = 1;

/// One network's gradient check.
struct NetworkCheck {
    activation: Activation,
    gradients: GradientCheck,
}

/// Runs the check and returns the exit status.
pub fn run(args: &CheckArgs) -> i32 {
    match check(args) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(error) => {
            eprintln!("error: {}", super::describe(&error));
            2
        }
    }
}

/// A batch of [`MAX_ROWS`] rows, inputs and target uniform in ±√3 (mean 0, variance 1: the
/// standardised units the trainer feeds the network).
fn seeded_batch() -> (Vec<f32>, Vec<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(BATCH_SEED);
    let bound = 3.0_f32.sqrt();
    let x = (0..MAX_ROWS * N_INPUTS)
        .map(|_| rng.random_range(-bound..bound))
        .collect();
    let y = (0..MAX_ROWS)
        .map(|_| rng.random_range(-bound..bound))
        .collect();
    (x, y)
}

fn check(args: &CheckArgs) -> anyhow::Result<bool> {
    let start = Instant::now();
    let (x, y) = seeded_batch();
    let mut networks = Vec::with_capacity(ACTIVATIONS.len());
    for activation in ACTIVATIONS {
        let mlp = Mlp::new(N_INPUTS, &HIDDEN_SIZES, activation, NETWORK_SEED);
        networks.push(NetworkCheck {
            activation,
            gradients: check_gradients(&mlp, &x, &y)?,
        });
    }
    let micrograd = micrograd_check();
    let seconds = start.elapsed().as_secs_f64();
    let passed = networks.iter().all(|n| n.gradients.within_tolerance) && micrograd.passed();
    if args.json {
        println!("{}", report_json(&networks, &micrograd, passed, seconds)?);
    } else {
        print!("{}", report_text(&networks, &micrograd, passed, seconds));
    }
    Ok(passed)
}

/// The network whose worst entry is the worst of all, and that entry.
fn overall_worst(networks: &[NetworkCheck]) -> Option<(Activation, &GradientEntry)> {
    networks
        .iter()
        .filter_map(|n| n.gradients.worst.as_ref().map(|w| (n.activation, w)))
        .max_by(|a, b| a.1.relative_error.total_cmp(&b.1.relative_error))
}

fn report_json(
    networks: &[NetworkCheck],
    micrograd: &MicrogradCheck,
    passed: bool,
    seconds: f64,
) -> anyhow::Result<serde_json::Value> {
    let worst = match overall_worst(networks) {
        Some((activation, entry)) => {
            let mut worst = serde_json::to_value(entry)?;
            worst["activation"] = json!(activation.name());
            worst
        }
        None => serde_json::Value::Null,
    };
    let mut network_reports = Vec::with_capacity(networks.len());
    for network in networks {
        let mut report = serde_json::to_value(&network.gradients)?;
        report["activation"] = json!(network.activation.name());
        report["n_inputs"] = json!(N_INPUTS);
        report["hidden"] = json!(HIDDEN_SIZES);
        network_reports.push(report);
    }
    Ok(json!({
        "passed": passed,
        "tolerance": crate::inside::check::TOLERANCE,
        "worst": worst,
        "networks": network_reports,
        "micrograd": micrograd,
        "seconds": seconds,
    }))
}

fn pass_or_fail(passed: bool) -> &'static str {
    if passed { "pass" } else { "FAIL" }
}

fn report_text(
    networks: &[NetworkCheck],
    micrograd: &MicrogradCheck,
    passed: bool,
    seconds: f64,
) -> String {
    let mut out = String::new();
    let sizes: Vec<String> = std::iter::once(N_INPUTS)
        .chain(HIDDEN_SIZES)
        .chain([1])
        .map(|s| s.to_string())
        .collect();
    let tolerance = networks
        .first()
        .map_or(crate::inside::check::TOLERANCE, |n| n.gradients.tolerance);
    out += &format!(
        "engine check: {}\n\ngradients against f64 central differences, network {}, {} rows, MSE \
         loss, tolerance {tolerance:.0e} relative\n",
        if passed { "PASS" } else { "FAIL" },
        sizes.join(" → "),
        networks.first().map_or(0, |n| n.gradients.n_rows),
    );
    for network in networks {
        let gradients = &network.gradients;
        out += &format!(
            "  {:<8} {}  {} of {} entries",
            network.activation.name(),
            pass_or_fail(gradients.within_tolerance),
            gradients.n_checked,
            gradients.n_parameters,
        );
        if gradients.n_skipped_at_kinks > 0 {
            out += &format!(" ({} skipped at a relu kink)", gradients.n_skipped_at_kinks);
        }
        match &gradients.worst {
            Some(worst) => {
                out += &format!(
                    ", worst relative error {:.1e} at {}[{}, {}]\n{:<17}engine {:.6e}, finite \
                     difference {:.6e}\n",
                    worst.relative_error,
                    worst.parameter,
                    worst.row,
                    worst.col,
                    "",
                    worst.analytic,
                    worst.numeric
                );
            }
            None => out += ", nothing could be compared\n",
        }
    }
    let sanity = &micrograd.sanity;
    let more_ops = &micrograd.more_ops;
    out += &format!(
        "\nmicrograd's reference expressions on the engine's tape\n  \
         test_sanity_check {}  y = {} (expected {}), dy/dx = {} (expected {})\n  \
         test_more_ops     {}  g = {:.4} (expected {:.4}), dg/da = {:.4} (expected {:.4}), \
         dg/db = {:.4} (expected {:.4})\n",
        pass_or_fail(sanity.passed),
        sanity.y,
        sanity.expected_y,
        sanity.dy_dx,
        sanity.expected_dy_dx,
        pass_or_fail(more_ops.passed),
        more_ops.g,
        more_ops.expected_g,
        more_ops.dg_da,
        more_ops.expected_dg_da,
        more_ops.dg_db,
        more_ops.expected_dg_db,
    );
    out += &format!("\nchecked in {seconds:.3} s\n");
    out
}

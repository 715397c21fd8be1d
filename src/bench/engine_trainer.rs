//! The autograd engine driven through the benchmark protocol: the same `Mlp`, `Tape` and
//! optimizers the app trains with, with the protocol's data, initial weights and batches.

use super::args::{BenchArgs, RunOptions};
use super::protocol::{BenchConfig, BenchOptimizer, init_params, make_dataset};
use super::runner::{BenchTrainer, run_protocol};
use crate::engine::{Gradients, Tape, Tensor};
use crate::nn::{Activation, LossKind, Mlp};
use crate::optim::{Adam, Optimizer, Sgd};

pub struct EngineTrainer {
    cfg: &'static BenchConfig,
    x: Vec<f32>,
    y: Vec<f32>,
    mlp: Mlp,
    initial: Vec<Tensor>,
    optimizer: Box<dyn Optimizer>,
    tape: Tape,
    gradients: Gradients,
}

impl EngineTrainer {
    pub fn new(cfg: &'static BenchConfig) -> Self {
        let (x, y) = make_dataset(cfg);
        let layers = cfg.layers;
        let parameters: Vec<Tensor> = init_params(layers)
            .into_iter()
            .zip(layers.windows(2))
            .flat_map(|((weights, biases), pair)| {
                [Tensor::new(pair[1], pair[0], weights), Tensor::row(biases)]
            })
            .collect();
        let hidden = &layers[1..layers.len() - 1];
        assert_eq!(
            layers[layers.len() - 1],
            1,
            "the protocol's networks have one output"
        );
        let mlp = Mlp::from_parameters(layers[0], hidden, Activation::Tanh, parameters.clone())
            .expect("protocol weights have the protocol's shapes");
        Self {
            cfg,
            x,
            y,
            mlp,
            initial: parameters,
            optimizer: build_optimizer(cfg.optimizer),
            tape: Tape::new(),
            gradients: Gradients::new(),
        }
    }

    pub fn mlp(&self) -> &Mlp {
        &self.mlp
    }
}

fn build_optimizer(optimizer: BenchOptimizer) -> Box<dyn Optimizer> {
    match optimizer {
        BenchOptimizer::Adam { learning_rate } => Box::new(
            Adam::new(learning_rate as f32)
                .with_betas(
                    BenchOptimizer::ADAM_BETA1 as f32,
                    BenchOptimizer::ADAM_BETA2 as f32,
                )
                .with_epsilon(BenchOptimizer::ADAM_EPSILON as f32),
        ),
        BenchOptimizer::SgdMomentum {
            learning_rate,
            momentum,
        } => Box::new(Sgd::new(learning_rate as f32, momentum as f32)),
    }
}

impl BenchTrainer for EngineTrainer {
    fn step(&mut self, batch_index: usize) {
        let rows = self.cfg.batch_rows(batch_index);
        let d = self.cfg.n_inputs();
        self.tape.clear();
        let x = self
            .tape
            .input(rows.len(), d, &self.x[rows.start * d..rows.end * d]);
        let y = self.tape.input(rows.len(), 1, &self.y[rows.clone()]);
        let prediction = self.mlp.forward(&mut self.tape, x);
        let loss = LossKind::Mse.apply(&mut self.tape, prediction, y);
        self.tape.backward_into(loss, &mut self.gradients);
        self.optimizer
            .step(self.mlp.parameters_mut(), &self.gradients);
    }

    fn reset(&mut self) {
        for (parameter, initial) in self.mlp.parameters_mut().iter_mut().zip(&self.initial) {
            parameter.data_mut().copy_from_slice(initial.data());
        }
        self.optimizer.reset();
    }

    fn full_mse(&mut self) -> f64 {
        let predictions = self.mlp.predict(&mut self.tape, &self.x);
        let total: f64 = predictions
            .iter()
            .zip(&self.y)
            .map(|(&p, &y)| (f64::from(p) - f64::from(y)).powi(2))
            .sum();
        total / self.y.len() as f64
    }
}

/// `nanograd bench`: one JSON line per selected configuration on stdout.
pub fn run_cli(args: &BenchArgs) -> anyhow::Result<()> {
    let configs = args.selected_configs()?;
    let options: RunOptions = args.run_options()?;
    let threads = options.threads.unwrap_or(1);
    for cfg in configs {
        let mut trainer = EngineTrainer::new(cfg);
        let result = run_protocol(cfg, &mut trainer, &options, "nanograd", "engine", threads);
        println!("{}", serde_json::to_string(&result)?);
    }
    Ok(())
}

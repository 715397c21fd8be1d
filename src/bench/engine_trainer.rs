//! The autograd engine driven through the benchmark protocol: the same `Mlp`, `Tape` and
//! optimizers the app trains with, with the protocol's data, initial weights and batches.

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::args::{BenchArgs, RunOptions};
use super::protocol::{BenchConfig, BenchOptimizer, flops_per_step, init_params, make_dataset};
use super::runner::{BenchTrainer, run_protocol};
use super::shards::{ShardPool, SharedBatch};
use crate::engine::{Gradients, Tape, Tensor};
use crate::nn::{Activation, Mlp};
use crate::optim::{Adam, Optimizer, Sgd};

pub struct EngineTrainer {
    cfg: &'static BenchConfig,
    batch: Arc<SharedBatch>,
    pool: ShardPool,
    initial: Vec<Tensor>,
    optimizer: Box<dyn Optimizer>,
    tape: Tape,
    gradients: Gradients,
}

impl EngineTrainer {
    /// On the calling thread alone.
    pub fn new(cfg: &'static BenchConfig) -> Self {
        Self::with_threads(cfg, 1)
    }

    /// Each step's batch cut into `threads` shards, one per thread (see [`super::shards`]).
    pub fn with_threads(cfg: &'static BenchConfig, threads: usize) -> Self {
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
        let batch = Arc::new(SharedBatch {
            x,
            y,
            n_inputs: cfg.n_inputs(),
            mlp: RwLock::new(mlp),
        });
        let pool = ShardPool::new(&batch, threads);
        Self {
            cfg,
            batch,
            pool,
            initial: parameters,
            optimizer: build_optimizer(cfg.optimizer),
            tape: Tape::new(),
            gradients: Gradients::new(),
        }
    }

    /// The network as it stands.
    pub fn mlp(&self) -> RwLockReadGuard<'_, Mlp> {
        read(&self.batch)
    }

    /// Threads a step runs on (fewer than asked only if one could not be started).
    pub fn threads(&self) -> usize {
        self.pool.shards()
    }
}

// A poisoned lock means a shard panicked mid-step; the panic itself is what gets reported.
fn read(batch: &SharedBatch) -> RwLockReadGuard<'_, Mlp> {
    batch.mlp.read().unwrap_or_else(PoisonError::into_inner)
}

fn write(batch: &SharedBatch) -> RwLockWriteGuard<'_, Mlp> {
    batch.mlp.write().unwrap_or_else(PoisonError::into_inner)
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
        self.pool
            .gradients(&self.batch, rows, &mut self.tape, &mut self.gradients);
        let mut mlp = write(&self.batch);
        self.optimizer.step(mlp.parameters_mut(), &self.gradients);
    }

    fn reset(&mut self) {
        let mut mlp = write(&self.batch);
        for (parameter, initial) in mlp.parameters_mut().iter_mut().zip(&self.initial) {
            parameter.data_mut().copy_from_slice(initial.data());
        }
        self.optimizer.reset();
    }

    fn full_mse(&mut self) -> f64 {
        let predictions = read(&self.batch).predict(&mut self.tape, &self.batch.x);
        let total: f64 = predictions
            .iter()
            .zip(&self.batch.y)
            .map(|(&p, &y)| (f64::from(p) - f64::from(y)).powi(2))
            .sum();
        total / self.batch.y.len() as f64
    }
}

/// Work per thread below which a second thread costs more than it saves. Measured with two
/// threads on this 2-core machine: `medium` (2.5 MFLOP a step, 25 µs) ran at 0.77× of one
/// thread and `tiny` (0.35 MFLOP) at 0.96×, while `small` (6.5 MFLOP) ran at 1.67× and `wide`
/// (104 MFLOP) at 1.64×. The spinning hand-off is only 0.2-1.6 µs a round trip; the loss is
/// more likely each shard's tape paying the per-node costs again and the gradients and
/// parameters moving between cores every step (not broken down further).
const MIN_FLOPS_PER_THREAD: u64 = 3_000_000;

/// At most `requested` threads, and no more than the step's work can keep busy.
pub fn threads_worth_using(cfg: &BenchConfig, requested: usize) -> usize {
    let affordable = (flops_per_step(cfg) / MIN_FLOPS_PER_THREAD).max(1);
    requested.clamp(1, affordable.try_into().unwrap_or(usize::MAX))
}

/// `nanograd bench`: one JSON line per selected configuration on stdout.
pub fn run_cli(args: &BenchArgs) -> anyhow::Result<()> {
    let configs = args.selected_configs()?;
    let options: RunOptions = args.run_options()?;
    let threads = options.threads.unwrap_or(1);
    for cfg in configs {
        let mut trainer = EngineTrainer::with_threads(cfg, threads_worth_using(cfg, threads));
        let threads = trainer.threads();
        let result = run_protocol(cfg, &mut trainer, &options, "nanograd", "engine", threads);
        println!("{}", serde_json::to_string(&result)?);
    }
    Ok(())
}

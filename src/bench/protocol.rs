//! The reference benchmark protocol, ported bit for bit from the Python reference
//! (`common.py` of the reference trainers): the four configurations, the SplitMix64 generator,
//! the synthetic data set, the initial weights, and the derived numbers (FLOPs per step,
//! parameter count, order-sensitive checksums).
//!
//! Everything here is plain IEEE f64 arithmetic in the same order as the Python code, with one
//! cast to f32 at the end, so a port that matches the golden values matches every value. It
//! knows nothing about how a network is trained: the engine and the reference trainer consume it.

use std::ops::Range;

/// SplitMix64 (Steele, Lea, Flood 2014): the generator the protocol draws its shuffle and its
/// initial weights from. Wrapping arithmetic is the `& MASK64` of the Python code.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits: `(next_u64() >> 11) * 2^-53`, exact in f64.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }
}

/// Seed of the one Fisher–Yates shuffle of the data set's rows.
pub const DATA_SEED: u64 = 12345;
/// Seed of the initial weights.
pub const INIT_SEED: u64 = 0;
/// Warm-up steps when none are asked for is `max(DEFAULT_MIN_WARMUP_STEPS, 2 · steps_per_epoch)`.
pub const DEFAULT_MIN_WARMUP_STEPS: u64 = 20;
/// Measured time budget when neither `--steps` nor `--seconds` is given.
pub const DEFAULT_SECONDS: f64 = 5.0;

/// The optimizer of a configuration, with PyTorch's semantics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BenchOptimizer {
    /// Adam with torch defaults: beta1 0.9, beta2 0.999, epsilon 1e-8, bias-corrected.
    Adam { learning_rate: f64 },
    /// SGD with momentum, dampening 0, no Nesterov: `buf = μ·buf + g; p -= lr·buf`.
    SgdMomentum { learning_rate: f64, momentum: f64 },
}

impl BenchOptimizer {
    pub const ADAM_BETA1: f64 = 0.9;
    pub const ADAM_BETA2: f64 = 0.999;
    pub const ADAM_EPSILON: f64 = 1e-8;

    pub fn learning_rate(&self) -> f64 {
        match *self {
            Self::Adam { learning_rate } | Self::SgdMomentum { learning_rate, .. } => learning_rate,
        }
    }

    /// Short name as the Python configs spell it (`"adam"`, `"sgd"`).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Adam { .. } => "adam",
            Self::SgdMomentum { .. } => "sgd",
        }
    }
}

/// One benchmark configuration: an MLP `layers[0] → … → layers[last]` (tanh hidden, linear
/// output, MSE) trained on `n` rows in contiguous mini-batches of `batch` rows.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchConfig {
    pub name: &'static str,
    /// Layer widths, input first: `[n_inputs, hidden…, n_outputs]`.
    pub layers: &'static [usize],
    /// Rows in the data set.
    pub n: usize,
    /// Rows per mini-batch; `n` is a multiple of it.
    pub batch: usize,
    pub optimizer: BenchOptimizer,
    /// `n / batch`: optimizer steps per pass over the data.
    pub steps_per_epoch: usize,
}

/// The four configurations of the protocol, in the order the Python code lists them.
pub const BENCH_CONFIGS: [BenchConfig; 4] = [
    BenchConfig {
        name: "tiny",
        layers: &[1, 16, 16, 1],
        n: 200,
        batch: 200,
        optimizer: BenchOptimizer::Adam {
            learning_rate: 0.01,
        },
        steps_per_epoch: 1,
    },
    BenchConfig {
        name: "small",
        layers: &[1, 32, 32, 1],
        n: 1000,
        batch: 1000,
        optimizer: BenchOptimizer::Adam {
            learning_rate: 0.01,
        },
        steps_per_epoch: 1,
    },
    BenchConfig {
        name: "medium",
        layers: &[1, 64, 64, 1],
        n: 1000,
        batch: 100,
        optimizer: BenchOptimizer::SgdMomentum {
            learning_rate: 0.05,
            momentum: 0.9,
        },
        steps_per_epoch: 10,
    },
    BenchConfig {
        name: "wide",
        layers: &[8, 256, 256, 1],
        n: 8192,
        batch: 256,
        optimizer: BenchOptimizer::Adam {
            learning_rate: 1e-3,
        },
        steps_per_epoch: 32,
    },
];

impl BenchConfig {
    /// The configuration called `name`, if there is one.
    pub fn by_name(name: &str) -> Option<&'static BenchConfig> {
        BENCH_CONFIGS.iter().find(|cfg| cfg.name == name)
    }

    /// Names of all configurations, for error messages and `--config all`.
    pub fn names() -> impl Iterator<Item = &'static str> {
        BENCH_CONFIGS.iter().map(|cfg| cfg.name)
    }

    pub fn n_inputs(&self) -> usize {
        self.layers[0]
    }

    pub fn n_outputs(&self) -> usize {
        self.layers[self.layers.len() - 1]
    }

    /// Rows of mini-batch `batch_index`: `[b·B, (b+1)·B)` of the shuffled data set.
    pub fn batch_rows(&self, batch_index: usize) -> Range<usize> {
        assert!(
            batch_index < self.steps_per_epoch,
            "batch {batch_index} out of range: {} has {} batches",
            self.name,
            self.steps_per_epoch
        );
        batch_index * self.batch..(batch_index + 1) * self.batch
    }

    /// Warm-up steps when `--warmup` is not given: `max(20, 2 · steps_per_epoch)`.
    pub fn default_warmup_steps(&self) -> u64 {
        DEFAULT_MIN_WARMUP_STEPS.max(2 * self.steps_per_epoch as u64)
    }
}

/// Multipliers of the rank-1 lattice that makes each input column a permutation of the grid:
/// `a_0 = 1`, `a_j = floor(n · frac(j·φ)) | 1`, bumped by 2 until coprime with `n`.
pub fn lattice_multipliers(n: usize, d: usize) -> Vec<u64> {
    let phi = (1.0 + 5.0_f64.sqrt()) / 2.0;
    let n_u64 = n as u64;
    (0..d)
        .map(|j| {
            if j == 0 {
                return 1;
            }
            let f = j as f64 * phi;
            let f = f - f.floor();
            // `int(math.floor(n * f)) | 1`: the product is in [0, n), so the cast is exact.
            let mut a = (n as f64 * f).floor() as u64 | 1;
            while gcd(a, n_u64) != 1 {
                a += 2;
            }
            a
        })
        .collect()
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The uniform grid every input column is a permutation of: `x_k = -3 + 6k/(n-1)`, in f64.
pub fn grid(n: usize) -> Vec<f64> {
    assert!(n >= 2, "a grid needs at least two points, got {n}");
    (0..n)
        .map(|k| -3.0 + 6.0 * k as f64 / (n - 1) as f64)
        .collect()
}

/// The regression target of one f64 input row: `Σ_j (sin(2 x_j) + 0.3 x_j)`.
///
/// Python's `sum(...)` of floats starts from the integer 0 and adds left to right (before 3.12,
/// which switched to compensated summation); `0 + v` is exact, so a left fold matches it.
/// `f64::sin` is the platform libm's `sin`, the same one CPython's `math.sin` calls; the golden
/// tests pin its bits.
pub fn target(row: &[f64]) -> f64 {
    row.iter()
        .fold(0.0, |acc, &xj| acc + ((2.0 * xj).sin() + 0.3 * xj))
}

/// The data set of `cfg`: `(x, y)` with `x` row-major `n × d` and `y` of length `n`, rows already
/// shuffled. Values are computed in f64 exactly as the Python code does and cast to f32 once.
pub fn make_dataset(cfg: &BenchConfig) -> (Vec<f32>, Vec<f32>) {
    let n = cfg.n;
    let d = cfg.n_inputs();
    let grid = grid(n);
    let multipliers = lattice_multipliers(n, d);
    let x64: Vec<f64> = (0..n)
        .flat_map(|k| {
            let grid = &grid;
            multipliers
                .iter()
                .map(move |&a| grid[((k as u64 * a) % n as u64) as usize])
        })
        .collect();
    let y64: Vec<f64> = x64.chunks_exact(d).map(target).collect();

    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix64::new(DATA_SEED);
    for i in (1..n).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }

    let x = order
        .iter()
        .flat_map(|&row| x64[row * d..(row + 1) * d].iter().map(|&v| v as f32))
        .collect();
    let y = order.iter().map(|&row| y64[row] as f32).collect();
    (x, y)
}

/// Weights `W` (`fan_out × fan_in`, row-major: PyTorch's `nn.Linear` layout) and bias `b` of one
/// layer.
pub type LayerParams = (Vec<f32>, Vec<f32>);

/// Initial parameters for `layers`: PyTorch's `U(±1/√fan_in)` drawn from SplitMix64(0) in layer
/// order, each layer's weights row-major then its biases.
pub fn init_params(layers: &[usize]) -> Vec<LayerParams> {
    let mut rng = SplitMix64::new(INIT_SEED);
    layers
        .windows(2)
        .map(|pair| {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            let bound = 1.0 / (fan_in as f64).sqrt();
            let mut draw = || ((2.0 * rng.next_f64() - 1.0) * bound) as f32;
            let weights: Vec<f32> = (0..fan_out * fan_in).map(|_| draw()).collect();
            let biases: Vec<f32> = (0..fan_out).map(|_| draw()).collect();
            (weights, biases)
        })
        .collect()
}

/// Matmul FLOPs of one optimizer step, forward and backward: `3 · 2 · B · Σ in·out`.
pub fn flops_per_step(cfg: &BenchConfig) -> u64 {
    let macs_per_row: u64 = cfg
        .layers
        .windows(2)
        .map(|pair| (pair[0] * pair[1]) as u64)
        .sum();
    3 * 2 * cfg.batch as u64 * macs_per_row
}

/// Number of trainable scalars: `Σ in·out + out`.
pub fn n_params(layers: &[usize]) -> usize {
    layers
        .windows(2)
        .map(|pair| pair[0] * pair[1] + pair[1])
        .sum()
}

/// Order-sensitive f64 checksums of the f32 values (plain sums cancel: the grid is symmetric).
/// Sums run left to right as in Python before 3.12; golden values agree to ~1e-12 relative.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Checksums {
    /// `Σ x²` over all inputs.
    pub sum_x2: f64,
    /// `Σ (i+1)·x_i` over the row-major inputs.
    pub wsum_x: f64,
    /// `Σ (i+1)·y_i`.
    pub wsum_y: f64,
    /// `Σ p` over all parameters, layer by layer, weights row-major then biases.
    pub sum_params: f64,
    /// `Σ (i+1)·p_i` in the same order.
    pub wsum_params: f64,
}

pub fn checksums(x: &[f32], y: &[f32], params: &[LayerParams]) -> Checksums {
    let weighted_sum = |values: &mut dyn Iterator<Item = f64>| {
        values
            .enumerate()
            .fold(0.0, |acc, (i, v)| acc + (i + 1) as f64 * v)
    };
    let flat_params = || {
        params
            .iter()
            .flat_map(|(weights, biases)| weights.iter().chain(biases))
            .map(|&v| f64::from(v))
    };
    Checksums {
        sum_x2: x
            .iter()
            .map(|&v| f64::from(v))
            .fold(0.0, |acc, v| acc + v * v),
        wsum_x: weighted_sum(&mut x.iter().map(|&v| f64::from(v))),
        wsum_y: weighted_sum(&mut y.iter().map(|&v| f64::from(v))),
        sum_params: flat_params().fold(0.0, |acc, v| acc + v),
        wsum_params: weighted_sum(&mut flat_params()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_are_consistent() {
        for cfg in &BENCH_CONFIGS {
            assert_eq!(cfg.n % cfg.batch, 0, "{}", cfg.name);
            assert_eq!(cfg.steps_per_epoch, cfg.n / cfg.batch, "{}", cfg.name);
            assert_eq!(BenchConfig::by_name(cfg.name), Some(cfg));
        }
        assert_eq!(BenchConfig::by_name("huge"), None);
    }

    #[test]
    fn splitmix64_matches_published_sequence_for_seed_zero() {
        // First outputs of SplitMix64(0), as in the reference implementation (Vigna).
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(rng.next_u64(), 0x06c4_5d18_8009_454f);
    }
}

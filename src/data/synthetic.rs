//! Synthetic lesson sets: a sine, a cubic and a step, with a chosen number of points and
//! Gaussian noise, generated from a seed. x is an even grid so that curves plot cleanly; only
//! the noise is random.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use super::Dataset;

/// The shape of a synthetic set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Synthetic {
    /// `y = sin(x)` on x ∈ [−π, π]: smooth, one hump each way.
    Sine,
    /// `y = x³ − x` on x ∈ [−1.5, 1.5]: a wiggle that a straight line cannot follow.
    Polynomial,
    /// `y = 0` for x < 0, `1` otherwise, on x ∈ [−1, 1]: a jump that smooth activations blur.
    Step,
}

impl Synthetic {
    /// Every kind, for menus.
    pub const ALL: [Synthetic; 3] = [Synthetic::Sine, Synthetic::Polynomial, Synthetic::Step];

    /// Lower-case name: "sine", "polynomial", "step".
    pub fn name(self) -> &'static str {
        match self {
            Synthetic::Sine => "sine",
            Synthetic::Polynomial => "polynomial",
            Synthetic::Step => "step",
        }
    }

    /// The x range of the grid.
    fn range(self) -> (f64, f64) {
        match self {
            Synthetic::Sine => (-std::f64::consts::PI, std::f64::consts::PI),
            Synthetic::Polynomial => (-1.5, 1.5),
            Synthetic::Step => (-1.0, 1.0),
        }
    }

    /// The noise-free curve.
    fn curve(self, x: f64) -> f64 {
        match self {
            Synthetic::Sine => x.sin(),
            Synthetic::Polynomial => x * x * x - x,
            Synthetic::Step => {
                if x < 0.0 {
                    0.0
                } else {
                    1.0
                }
            }
        }
    }
}

impl std::fmt::Display for Synthetic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `n_points` evenly spaced x values (at least 2) and `y = curve(x) + noise · N(0, 1)`.
///
/// The same `seed` always gives the same noise. A non-finite or negative `noise` counts as 0.
pub fn synthetic(kind: Synthetic, n_points: usize, noise: f32, seed: u64) -> Dataset {
    let n = n_points.max(2);
    let noise = if noise.is_finite() {
        f64::from(noise.max(0.0))
    } else {
        0.0
    };
    let (lo, hi) = kind.range();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let xi = lo + (hi - lo) * i as f64 / (n - 1) as f64;
        x.push(xi as f32);
        y.push((kind.curve(xi) + noise * standard_normal(&mut rng)) as f32);
    }
    // Built directly: the grid spans a non-empty range, so x is never constant, and every
    // curve differs between its first and last grid point, so y is not constant either.
    Dataset {
        name: format!("{kind} ({n} points)"),
        x_names: vec!["x".to_owned()],
        y_name: "y".to_owned(),
        x,
        y,
    }
}

/// One N(0, 1) sample by the Box–Muller transform (rand_distr is not a dependency).
pub(super) fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    // 1 − u keeps the logarithm's argument in (0, 1].
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

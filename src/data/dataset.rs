//! `Dataset` (chosen inputs and one target, in user units, as `f32`), its standardisation
//! statistics and its seeded train/validation split. It does not know where the numbers came
//! from (a CSV, a sample, a generator) and it never parses text.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;

use super::DataError;

/// Per-column mean and standard deviation, so that inputs and targets can be fed to the
/// network with zero mean and unit spread, and predictions mapped back to user units.
#[derive(Clone, Debug, PartialEq)]
pub struct Standardization {
    /// One mean per column.
    pub mean: Vec<f32>,
    /// One standard deviation per column; a constant column gets 1.0 so `apply` never divides by 0.
    pub std: Vec<f32>,
}

impl Standardization {
    /// Fits the statistics of row-major `values` with `n_columns` columns.
    ///
    /// Sums run in `f64`: with millions of rows an `f32` running sum loses the digits that
    /// separate the values. The std is the population std (divide by n), as in scikit-learn's
    /// `StandardScaler`.
    pub fn fit(values: &[f32], n_columns: usize) -> Self {
        assert!(
            n_columns > 0,
            "Standardization::fit needs at least one column"
        );
        assert!(
            values.len().is_multiple_of(n_columns),
            "Standardization::fit: {} values do not fill rows of {n_columns} columns",
            values.len()
        );
        let n_rows = values.len() / n_columns;
        if n_rows == 0 {
            return Self::identity(n_columns);
        }
        let mut mean = vec![0.0f64; n_columns];
        for row in values.chunks_exact(n_columns) {
            for (m, &v) in mean.iter_mut().zip(row) {
                *m += f64::from(v);
            }
        }
        for m in &mut mean {
            *m /= n_rows as f64;
        }
        // Two-pass variance: sum of squared deviations is stable where E[x²] − E[x]² is not.
        let mut var = vec![0.0f64; n_columns];
        for row in values.chunks_exact(n_columns) {
            for ((s, &v), m) in var.iter_mut().zip(row).zip(&mean) {
                let d = f64::from(v) - m;
                *s += d * d;
            }
        }
        let std = var
            .iter()
            .map(|s| {
                let std = (s / n_rows as f64).sqrt() as f32;
                // A constant column (or one whose spread underflows f32) is left unscaled.
                if std.is_normal() { std } else { 1.0 }
            })
            .collect();
        Self {
            mean: mean.iter().map(|&m| m as f32).collect(),
            std,
        }
    }

    /// Statistics that leave values unchanged (mean 0, std 1).
    pub fn identity(n_columns: usize) -> Self {
        Self {
            mean: vec![0.0; n_columns],
            std: vec![1.0; n_columns],
        }
    }

    /// Number of columns these statistics describe.
    pub fn n_columns(&self) -> usize {
        self.mean.len()
    }

    /// `v ← (v − mean) / std`, row-major.
    pub fn apply(&self, values: &mut [f32]) {
        let n = self.n_columns();
        assert!(
            values.len().is_multiple_of(n),
            "Standardization::apply: {} values do not fill rows of {n} columns",
            values.len()
        );
        for row in values.chunks_exact_mut(n) {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = (*v - m) / s;
            }
        }
    }

    /// `v ← v · std + mean`, row-major: the inverse of [`Standardization::apply`].
    pub fn invert(&self, values: &mut [f32]) {
        let n = self.n_columns();
        assert!(
            values.len().is_multiple_of(n),
            "Standardization::invert: {} values do not fill rows of {n} columns",
            values.len()
        );
        for row in values.chunks_exact_mut(n) {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = *v * s + m;
            }
        }
    }
}

/// Chosen input columns and one target column, row-major, in the user's units.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Shown in titles, e.g. a file stem or "sine (200 points)".
    pub name: String,
    /// Original names of the input columns, for axis labels and the weights file.
    pub x_names: Vec<String>,
    /// Original name of the target column.
    pub y_name: String,
    /// `n_rows × n_inputs` values, row-major.
    pub x: Vec<f32>,
    /// `n_rows` target values.
    pub y: Vec<f32>,
}

impl Dataset {
    /// Checks and builds a dataset: shapes agree, every value is finite, there are at least
    /// 2 rows, and neither the target nor any input is constant (there would be nothing to learn).
    pub fn new(
        name: impl Into<String>,
        x_names: Vec<String>,
        y_name: impl Into<String>,
        x: Vec<f32>,
        y: Vec<f32>,
    ) -> Result<Self, DataError> {
        let y_name = y_name.into();
        let n_inputs = x_names.len();
        if n_inputs == 0 {
            return Err(DataError::NoInputs);
        }
        if x.len() != y.len() * n_inputs {
            return Err(DataError::Shape(format!(
                "{} input values for {} target values and {n_inputs} input column(s)",
                x.len(),
                y.len()
            )));
        }
        if let Some(row) = y.iter().position(|v| !v.is_finite()) {
            return Err(DataError::NonFinite {
                column: y_name,
                row,
            });
        }
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(DataError::NonFinite {
                column: x_names[i % n_inputs].clone(),
                row: i / n_inputs,
            });
        }
        if y.len() < 2 {
            return Err(DataError::TooFewRows {
                usable: y.len(),
                skipped: 0,
            });
        }
        if y.iter().all(|&v| v == y[0]) {
            return Err(DataError::ConstantTarget {
                name: y_name,
                value: f64::from(y[0]),
            });
        }
        for (c, x_name) in x_names.iter().enumerate() {
            let first = x[c];
            if x.iter().skip(c).step_by(n_inputs).all(|&v| v == first) {
                return Err(DataError::ConstantInput {
                    name: x_name.clone(),
                    value: f64::from(first),
                });
            }
        }
        Ok(Self {
            name: name.into(),
            x_names,
            y_name,
            x,
            y,
        })
    }

    /// Number of rows (examples).
    pub fn n_rows(&self) -> usize {
        self.y.len()
    }

    /// Number of input columns.
    pub fn n_inputs(&self) -> usize {
        self.x_names.len()
    }

    /// The inputs of one row.
    pub fn x_row(&self, row: usize) -> &[f32] {
        let n = self.n_inputs();
        &self.x[row * n..(row + 1) * n]
    }

    /// Mean and std of each input column.
    pub fn x_standardization(&self) -> Standardization {
        Standardization::fit(&self.x, self.n_inputs())
    }

    /// Mean and std of the target.
    pub fn y_standardization(&self) -> Standardization {
        Standardization::fit(&self.y, 1)
    }

    /// Seeded shuffle, then the first `round(val_fraction · n)` rows go to validation.
    ///
    /// At least one row stays in training; a fraction of 0 (or one that rounds to no rows)
    /// gives `None`. The same seed always gives the same split (ChaCha8 is portable across
    /// platforms and rand versions of the same major).
    pub fn split(&self, val_fraction: f32, seed: u64) -> (Dataset, Option<Dataset>) {
        let n = self.n_rows();
        let n_val = self.validation_rows(val_fraction);
        if n_val == 0 {
            return (self.clone(), None);
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        let (val_rows, train_rows) = order.split_at(n_val);
        (self.subset(train_rows), Some(self.subset(val_rows)))
    }

    /// How many rows [`Self::split`] holds out for `val_fraction`.
    pub fn validation_rows(&self, val_fraction: f32) -> usize {
        let n = self.n_rows();
        let fraction = if val_fraction.is_finite() {
            val_fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
        ((fraction as f64 * n as f64).round() as usize).min(n.saturating_sub(1))
    }

    /// The given rows, in the given order. No re-validation: a subset of a valid dataset may
    /// legitimately be constant (e.g. a 1-row validation set).
    pub fn subset(&self, rows: &[usize]) -> Dataset {
        let n_inputs = self.n_inputs();
        let mut x = Vec::with_capacity(rows.len() * n_inputs);
        let mut y = Vec::with_capacity(rows.len());
        for &r in rows {
            x.extend_from_slice(self.x_row(r));
            y.push(self.y[r]);
        }
        Dataset {
            name: self.name.clone(),
            x_names: self.x_names.clone(),
            y_name: self.y_name.clone(),
            x,
            y,
        }
    }
}

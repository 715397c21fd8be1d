//! `Tensor`: an owned, row-major, two-dimensional block of `f32`.
//!
//! Parameters and data live in tensors outside the tape; the tape copies what it reads so a
//! forward pass never aliases the values an optimizer is about to change.

/// A row-major `rows × cols` matrix of `f32`. A 1×1 tensor serves as a scalar.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    rows: usize,
    cols: usize,
    data: Vec<f32>,
}

impl Tensor {
    /// Panics if `data.len() != rows * cols`: a shape mismatch here is a programming error.
    pub fn new(rows: usize, cols: usize, data: Vec<f32>) -> Self {
        assert_eq!(
            data.len(),
            rows * cols,
            "Tensor::new: {rows}×{cols} needs {} values, got {}",
            rows * cols,
            data.len()
        );
        Self { rows, cols, data }
    }

    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self::new(rows, cols, vec![0.0; rows * cols])
    }

    pub fn scalar(value: f32) -> Self {
        Self::new(1, 1, vec![value])
    }

    /// A single row, as a bias vector is stored.
    pub fn row(data: Vec<f32>) -> Self {
        let cols = data.len();
        Self::new(1, cols, data)
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn data(&self) -> &[f32] {
        &self.data
    }

    pub fn data_mut(&mut self) -> &mut [f32] {
        &mut self.data
    }

    pub fn into_data(self) -> Vec<f32> {
        self.data
    }

    /// The value at (`row`, `col`).
    pub fn at(&self, row: usize, col: usize) -> f32 {
        self.data[row * self.cols + col]
    }

    /// The single value of a 1×1 tensor.
    pub fn item(&self) -> f32 {
        assert_eq!(
            self.data.len(),
            1,
            "item() needs a 1×1 tensor, got {}×{}",
            self.rows,
            self.cols
        );
        self.data[0]
    }
}

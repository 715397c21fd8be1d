//! Row and column broadcasting for the element-wise binary ops, as in numpy: a dimension of
//! size 1 is reused along the other operand's.

/// Index strides that map an output element (i, j) of a broadcast to an operand's element:
/// a dimension of size 1 gets stride 0, so the same element is reused along it.
#[derive(Clone, Copy)]
pub(super) struct Broadcast {
    pub(super) rows: usize,
    pub(super) cols: usize,
    pub(super) a: (usize, usize),
    pub(super) b: (usize, usize),
}

impl Broadcast {
    pub(super) fn new(a: (usize, usize), b: (usize, usize), op_name: &str) -> Self {
        let dim = |x: usize, y: usize| {
            assert!(
                x == y || x == 1 || y == 1,
                "{op_name}: shapes {}×{} and {}×{} cannot be broadcast",
                a.0,
                a.1,
                b.0,
                b.1
            );
            x.max(y)
        };
        let rows = dim(a.0, b.0);
        let cols = dim(a.1, b.1);
        let strides =
            |(r, c): (usize, usize)| (if r == 1 { 0 } else { c }, if c == 1 { 0 } else { 1 });
        Self {
            rows,
            cols,
            a: strides(a),
            b: strides(b),
        }
    }

    pub(super) fn same_shape(&self) -> bool {
        self.a == (self.cols, 1) && self.b == (self.cols, 1)
    }

    pub(super) fn for_each(&self, mut f: impl FnMut(usize, usize, usize)) {
        let mut out = 0;
        for i in 0..self.rows {
            for j in 0..self.cols {
                f(
                    out,
                    i * self.a.0 + j * self.a.1,
                    i * self.b.0 + j * self.b.1,
                );
                out += 1;
            }
        }
    }
}

//! The tape: an arena of nodes in the order they were computed, and reverse-mode backward.
//!
//! Insertion order is a topological order, so backward is one reverse loop with no recursion
//! and no reference counting. Each node owns its value and gradient buffers; `clear` keeps
//! them, so a training loop that records the same graph every step allocates nothing after
//! the first one. Parameters live outside the tape (see [`Tape::param`]) and `backward`
//! hands their gradients back in a fresh [`Gradients`] store: there is nothing to zero.
//!
//! This file holds the node types and the forward ops; `backward.rs` the reverse pass and each
//! op's backward rule, `gradients.rs` the gradient store, `broadcast.rs` the shape rule of the
//! element-wise ops, `inspect.rs` reading nodes back.

mod backward;
mod broadcast;
mod gradients;
mod inspect;

pub use gradients::Gradients;
pub use inspect::{NodeRecord, OpName};

use broadcast::Broadcast;

use super::gemm::{Start, narrow_gemm};
use super::kernels::{MatRef, Nonlinearity, matmul_into, sigmoid_slice, tanh_slice};
use super::tensor::Tensor;

/// A node recorded on a [`Tape`]. Valid until the tape is cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeId(usize);

/// Names a parameter tensor that lives outside the tape (its index in the model's list).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParamId(pub usize);

/// The axis a per-axis reduction runs along, as in numpy: `Rows` (axis 0) sums each column
/// over all rows giving 1×cols; `Cols` (axis 1) sums each row giving rows×1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    Rows,
    Cols,
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Input,
    Param(ParamId),
    Add(NodeId, NodeId),
    Sub(NodeId, NodeId),
    Mul(NodeId, NodeId),
    Div(NodeId, NodeId),
    Neg(NodeId),
    AddScalar(NodeId),
    MulScalar(NodeId, f32),
    PowScalar(NodeId, f32),
    Exp(NodeId),
    Log(NodeId),
    Tanh(NodeId),
    Relu(NodeId),
    Sigmoid(NodeId),
    MatMul(NodeId, NodeId),
    Transpose(NodeId),
    Sum(NodeId),
    Mean(NodeId),
    SumAxis(NodeId, Axis),
    MeanAxis(NodeId, Axis),
    /// mean((prediction − target)²) over same-shaped operands, in one node: the value and
    /// gradients of `mean(mul(sub(p, t), sub(p, t)))` in one pass each way instead of six.
    MeanSquaredError(NodeId, NodeId),
    /// `f(input @ weightᵀ + bias)`, with the weight in PyTorch's (out × in) layout: one
    /// node instead of four, so a layer costs one pass over its output and no temporary.
    Linear {
        input: NodeId,
        weight: NodeId,
        bias: NodeId,
        nonlinearity: Nonlinearity,
    },
}

impl Op {
    /// Calls `f` once per operand (twice for a node used twice, as in `mul(x, x)`).
    fn for_each_operand(self, mut f: impl FnMut(NodeId)) {
        match self {
            Op::Input | Op::Param(_) => {}
            Op::Add(a, b)
            | Op::Sub(a, b)
            | Op::Mul(a, b)
            | Op::Div(a, b)
            | Op::MatMul(a, b)
            | Op::MeanSquaredError(a, b) => {
                f(a);
                f(b);
            }
            Op::Neg(a)
            | Op::AddScalar(a)
            | Op::MulScalar(a, _)
            | Op::PowScalar(a, _)
            | Op::Exp(a)
            | Op::Log(a)
            | Op::Tanh(a)
            | Op::Relu(a)
            | Op::Sigmoid(a)
            | Op::Transpose(a)
            | Op::Sum(a)
            | Op::Mean(a)
            | Op::SumAxis(a, _)
            | Op::MeanAxis(a, _) => f(a),
            Op::Linear {
                input,
                weight,
                bias,
                ..
            } => {
                f(input);
                f(weight);
                f(bias);
            }
        }
    }
}

struct Node {
    op: Op,
    rows: usize,
    cols: usize,
    needs_grad: bool,
    /// False until the first gradient reaches this node in a backward pass; until then
    /// `grad` holds stale values, and the first contribution overwrites instead of adding.
    /// This saves zeroing every buffer before each pass.
    has_grad: bool,
    /// How many operands of later nodes name this one. A fused layer used exactly once may
    /// have its activation's derivative applied by that one consumer (see `backward_linear`).
    uses: usize,
    /// Set when the consumer already multiplied `grad` by the activation's derivative, so
    /// this fused layer's own backward must not do it again.
    grad_past_activation: bool,
    /// Set when the consumer also summed the bias gradient of this fused layer while it had
    /// the rows at hand, so this layer's backward skips that pass.
    bias_grad_done: bool,
    value: Vec<f32>,
    grad: Vec<f32>,
}

/// Records operations on 2-D f32 tensors and differentiates a scalar result with respect to
/// every parameter it depends on.
#[derive(Default)]
pub struct Tape {
    nodes: Vec<Node>,
    len: usize,
}

impl Tape {
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets every node but keeps their buffers for the next recording.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Number of nodes recorded since the last `clear`.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn shape(&self, id: NodeId) -> (usize, usize) {
        let node = self.node(id);
        (node.rows, node.cols)
    }

    pub fn value(&self, id: NodeId) -> &[f32] {
        &self.node(id).value
    }

    /// The value of a node as an owned tensor.
    pub fn to_tensor(&self, id: NodeId) -> Tensor {
        let node = self.node(id);
        Tensor::new(node.rows, node.cols, node.value.clone())
    }

    /// The single value of a 1×1 node.
    pub fn item(&self, id: NodeId) -> f32 {
        let node = self.node(id);
        assert_eq!(
            node.value.len(),
            1,
            "item() needs a 1×1 node, got {}×{}",
            node.rows,
            node.cols
        );
        node.value[0]
    }

    fn node(&self, id: NodeId) -> &Node {
        assert!(
            id.0 < self.len,
            "node {id:?} is not on this tape (cleared since?)"
        );
        &self.nodes[id.0]
    }

    /// Appends a node, reusing a buffer from an earlier recording when there is one, and
    /// returns its index. The caller fills `value` completely.
    fn push(&mut self, op: Op, rows: usize, cols: usize, needs_grad: bool) -> usize {
        let index = self.len;
        if index == self.nodes.len() {
            self.nodes.push(Node {
                op,
                rows,
                cols,
                needs_grad,
                has_grad: false,
                uses: 0,
                grad_past_activation: false,
                bias_grad_done: false,
                value: Vec::new(),
                grad: Vec::new(),
            });
        }
        let node = &mut self.nodes[index];
        node.op = op;
        node.rows = rows;
        node.cols = cols;
        node.needs_grad = needs_grad;
        // A buffer reused from an earlier recording holds that recording's gradient.
        node.has_grad = false;
        node.uses = 0;
        node.value.resize(rows * cols, 0.0);
        op.for_each_operand(|operand| self.nodes[operand.0].uses += 1);
        self.len += 1;
        index
    }

    /// Splits the arena into the nodes before `index` (read-only inputs) and the node itself.
    fn split(&mut self, index: usize) -> (&[Node], &mut Node) {
        let (before, rest) = self.nodes.split_at_mut(index);
        (before, &mut rest[0])
    }

    fn check(&self, id: NodeId) -> &Node {
        self.node(id)
    }

    // ----- leaves -------------------------------------------------------------------------

    /// Data that needs no gradient (inputs, targets, constants), copied onto the tape.
    pub fn input(&mut self, rows: usize, cols: usize, data: &[f32]) -> NodeId {
        assert_eq!(
            data.len(),
            rows * cols,
            "input: {rows}×{cols} needs {} values",
            rows * cols
        );
        let index = self.push(Op::Input, rows, cols, false);
        self.nodes[index].value.copy_from_slice(data);
        NodeId(index)
    }

    pub fn constant(&mut self, tensor: &Tensor) -> NodeId {
        self.input(tensor.rows(), tensor.cols(), tensor.data())
    }

    /// A parameter: its value is copied onto the tape and its gradient is returned by
    /// `backward` under `id`.
    pub fn param(&mut self, id: ParamId, tensor: &Tensor) -> NodeId {
        let index = self.push(Op::Param(id), tensor.rows(), tensor.cols(), true);
        self.nodes[index].value.copy_from_slice(tensor.data());
        NodeId(index)
    }

    // ----- elementwise binary ops, with row/column broadcasting -----------------------------

    fn binary(
        &mut self,
        op: Op,
        a: NodeId,
        b: NodeId,
        name: &str,
        f: impl Fn(f32, f32) -> f32,
    ) -> NodeId {
        let (na, nb) = (self.check(a), self.check(b));
        let shape = Broadcast::new((na.rows, na.cols), (nb.rows, nb.cols), name);
        let needs_grad = na.needs_grad || nb.needs_grad;
        let index = self.push(op, shape.rows, shape.cols, needs_grad);
        let (before, out) = self.split(index);
        let (av, bv) = (&before[a.0].value, &before[b.0].value);
        if shape.same_shape() {
            for ((o, x), y) in out.value.iter_mut().zip(av).zip(bv) {
                *o = f(*x, *y);
            }
        } else {
            shape.for_each(|o, i, j| out.value[o] = f(av[i], bv[j]));
        }
        NodeId(index)
    }

    /// a + b
    pub fn add(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(Op::Add(a, b), a, b, "add", |x, y| x + y)
    }

    /// a - b
    pub fn sub(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(Op::Sub(a, b), a, b, "sub", |x, y| x - y)
    }

    /// a * b, elementwise
    pub fn mul(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(Op::Mul(a, b), a, b, "mul", |x, y| x * y)
    }

    /// a / b, elementwise
    pub fn div(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(Op::Div(a, b), a, b, "div", |x, y| x / y)
    }

    // ----- elementwise unary ops ------------------------------------------------------------

    fn unary(&mut self, op: Op, a: NodeId, f: impl Fn(f32) -> f32) -> NodeId {
        let na = self.check(a);
        let (rows, cols, needs_grad) = (na.rows, na.cols, na.needs_grad);
        let index = self.push(op, rows, cols, needs_grad);
        let (before, out) = self.split(index);
        for (o, x) in out.value.iter_mut().zip(&before[a.0].value) {
            *o = f(*x);
        }
        NodeId(index)
    }

    /// As `unary`, with a kernel that maps a whole slice (so it can be vectorised).
    fn unary_slice(&mut self, op: Op, a: NodeId, kernel: fn(&mut [f32], &[f32])) -> NodeId {
        let na = self.check(a);
        let (rows, cols, needs_grad) = (na.rows, na.cols, na.needs_grad);
        let index = self.push(op, rows, cols, needs_grad);
        let (before, out) = self.split(index);
        kernel(&mut out.value, &before[a.0].value);
        NodeId(index)
    }

    /// -a
    pub fn neg(&mut self, a: NodeId) -> NodeId {
        self.unary(Op::Neg(a), a, |x| -x)
    }

    /// a + c for a constant c
    pub fn add_scalar(&mut self, a: NodeId, c: f32) -> NodeId {
        self.unary(Op::AddScalar(a), a, |x| x + c)
    }

    /// a * c for a constant c
    pub fn mul_scalar(&mut self, a: NodeId, c: f32) -> NodeId {
        self.unary(Op::MulScalar(a, c), a, |x| x * c)
    }

    /// a^p for a constant exponent p
    pub fn pow_scalar(&mut self, a: NodeId, p: f32) -> NodeId {
        self.unary(Op::PowScalar(a, p), a, |x| pow(x, p))
    }

    /// e^a
    pub fn exp(&mut self, a: NodeId) -> NodeId {
        self.unary(Op::Exp(a), a, f32::exp)
    }

    /// natural logarithm of a
    pub fn log(&mut self, a: NodeId) -> NodeId {
        self.unary(Op::Log(a), a, f32::ln)
    }

    /// tanh(a), through the fast approximation in `kernels` (|error| < 1e-6)
    pub fn tanh(&mut self, a: NodeId) -> NodeId {
        self.unary_slice(Op::Tanh(a), a, tanh_slice)
    }

    /// max(a, 0)
    pub fn relu(&mut self, a: NodeId) -> NodeId {
        self.unary(Op::Relu(a), a, |x| x.max(0.0))
    }

    /// 1 / (1 + e^-a)
    pub fn sigmoid(&mut self, a: NodeId) -> NodeId {
        self.unary_slice(Op::Sigmoid(a), a, sigmoid_slice)
    }

    // ----- matrix ops -----------------------------------------------------------------------

    /// a @ b
    pub fn matmul(&mut self, a: NodeId, b: NodeId) -> NodeId {
        let (na, nb) = (self.check(a), self.check(b));
        assert_eq!(
            na.cols, nb.rows,
            "matmul: {}×{} @ {}×{}: inner dimensions differ",
            na.rows, na.cols, nb.rows, nb.cols
        );
        let (rows, inner, cols) = (na.rows, na.cols, nb.cols);
        let needs_grad = na.needs_grad || nb.needs_grad;
        let index = self.push(Op::MatMul(a, b), rows, cols, needs_grad);
        let (before, out) = self.split(index);
        let av = MatRef::new(&before[a.0].value, rows, inner);
        let bv = MatRef::new(&before[b.0].value, inner, cols);
        matmul_into(av, bv, &mut out.value, 0.0);
        NodeId(index)
    }

    /// aᵀ
    pub fn transpose(&mut self, a: NodeId) -> NodeId {
        let na = self.check(a);
        let (rows, cols, needs_grad) = (na.rows, na.cols, na.needs_grad);
        let index = self.push(Op::Transpose(a), cols, rows, needs_grad);
        let (before, out) = self.split(index);
        transpose_into(&before[a.0].value, rows, cols, &mut out.value, false);
        NodeId(index)
    }

    /// `input @ weightᵀ + bias`: a dense layer, with `weight` stored out × in and `bias` 1 × out.
    pub fn linear(&mut self, input: NodeId, weight: NodeId, bias: NodeId) -> NodeId {
        self.linear_with(input, weight, bias, Nonlinearity::Identity)
    }

    /// `f(input @ weightᵀ + bias)` in one node: the same values and gradients as `linear`
    /// followed by `tanh`, `relu` or `sigmoid`, but the activation is applied to each block
    /// of rows as the product finishes it, and its derivative folded into the layer's
    /// backward, saving two passes over the output each way.
    pub fn linear_with(
        &mut self,
        input: NodeId,
        weight: NodeId,
        bias: NodeId,
        nonlinearity: Nonlinearity,
    ) -> NodeId {
        let (ni, nw, nb) = (self.check(input), self.check(weight), self.check(bias));
        assert_eq!(
            ni.cols, nw.cols,
            "linear: input has {} columns but the weight expects {}",
            ni.cols, nw.cols
        );
        assert_eq!(
            (nb.rows, nb.cols),
            (1, nw.rows),
            "linear: bias must be 1×{}",
            nw.rows
        );
        let (rows, n_in, n_out) = (ni.rows, ni.cols, nw.rows);
        let needs_grad = ni.needs_grad || nw.needs_grad || nb.needs_grad;
        let index = self.push(
            Op::Linear {
                input,
                weight,
                bias,
                nonlinearity,
            },
            rows,
            n_out,
            needs_grad,
        );
        let (before, out) = self.split(index);
        let x = MatRef::new(&before[input.0].value, rows, n_in);
        let w = MatRef::new(&before[weight.0].value, n_out, n_in);
        let bias = &before[bias.0].value;
        // A one-unit output is a column of dot products, which the general path does best.
        let fused = n_out > 1
            && narrow_gemm(x, w.t(), &mut out.value, Start::Bias(bias), &mut |rows| {
                nonlinearity.apply_in_place(rows)
            });
        if !fused {
            if let [only] = bias[..] {
                // One memcpy call per row of a single float cost 3 % of a `small` step.
                out.value.fill(only);
            } else {
                for row in out.value.chunks_exact_mut(n_out) {
                    row.copy_from_slice(bias);
                }
            }
            matmul_into(x, w.t(), &mut out.value, 1.0);
            nonlinearity.apply_in_place(&mut out.value);
        }
        NodeId(index)
    }

    // ----- reductions -----------------------------------------------------------------------

    fn reduce_all(&mut self, op: Op, a: NodeId, scale_by_len: bool) -> NodeId {
        let needs_grad = self.check(a).needs_grad;
        let index = self.push(op, 1, 1, needs_grad);
        let (before, out) = self.split(index);
        let values = &before[a.0].value;
        // Summed in f64: a loss over thousands of rows loses digits in an f32 accumulator.
        let total: f64 = values.iter().map(|&v| f64::from(v)).sum();
        let n = values.len().max(1) as f64;
        out.value[0] = if scale_by_len { total / n } else { total } as f32;
        NodeId(index)
    }

    /// Sum of all elements, 1×1.
    pub fn sum(&mut self, a: NodeId) -> NodeId {
        self.reduce_all(Op::Sum(a), a, false)
    }

    /// Mean of all elements, 1×1.
    pub fn mean(&mut self, a: NodeId) -> NodeId {
        self.reduce_all(Op::Mean(a), a, true)
    }

    fn reduce_axis(&mut self, op: Op, a: NodeId, axis: Axis, scale: bool) -> NodeId {
        let na = self.check(a);
        let (rows, cols, needs_grad) = (na.rows, na.cols, na.needs_grad);
        let (out_rows, out_cols, count) = match axis {
            Axis::Rows => (1, cols, rows),
            Axis::Cols => (rows, 1, cols),
        };
        let index = self.push(op, out_rows, out_cols, needs_grad);
        let (before, out) = self.split(index);
        out.value.fill(0.0);
        for (i, row) in before[a.0].value.chunks_exact(cols.max(1)).enumerate() {
            match axis {
                Axis::Rows => out.value.iter_mut().zip(row).for_each(|(o, v)| *o += v),
                Axis::Cols => out.value[i] = row.iter().sum(),
            }
        }
        if scale && count > 0 {
            let inv = 1.0 / count as f32;
            out.value.iter_mut().for_each(|v| *v *= inv);
        }
        NodeId(index)
    }

    /// Sum along an axis: `Axis::Rows` gives 1×cols, `Axis::Cols` gives rows×1.
    pub fn sum_axis(&mut self, a: NodeId, axis: Axis) -> NodeId {
        self.reduce_axis(Op::SumAxis(a, axis), a, axis, false)
    }

    /// Mean along an axis: `Axis::Rows` gives 1×cols, `Axis::Cols` gives rows×1.
    pub fn mean_axis(&mut self, a: NodeId, axis: Axis) -> NodeId {
        self.reduce_axis(Op::MeanAxis(a, axis), a, axis, true)
    }

    // ----- losses ---------------------------------------------------------------------------

    /// mean((prediction − target)²), 1×1; the two must have the same shape.
    pub fn mse(&mut self, prediction: NodeId, target: NodeId) -> NodeId {
        let (np, nt) = (self.check(prediction), self.check(target));
        assert_eq!(
            (np.rows, np.cols),
            (nt.rows, nt.cols),
            "mse: prediction is {}×{} but target is {}×{}",
            np.rows,
            np.cols,
            nt.rows,
            nt.cols
        );
        let needs_grad = np.needs_grad || nt.needs_grad;
        let index = self.push(Op::MeanSquaredError(prediction, target), 1, 1, needs_grad);
        let (before, out) = self.split(index);
        let (p, t) = (&before[prediction.0].value, &before[target.0].value);
        // Summed in f64, as `mean` does.
        let total: f64 = p
            .iter()
            .zip(t)
            .map(|(&p, &t)| {
                let e = p - t;
                f64::from(e * e)
            })
            .sum();
        out.value[0] = (total / p.len().max(1) as f64) as f32;
        NodeId(index)
    }
}

/// x^p with the integer powers that losses and tests use taken exactly (`powf` of a negative
/// base with an integral exponent is fine, but `x * x` is faster and bit-exact).
#[inline]
fn pow(x: f32, p: f32) -> f32 {
    if p == 2.0 {
        x * x
    } else if p == 1.0 {
        x
    } else if p == 0.0 {
        1.0
    } else {
        x.powf(p)
    }
}

/// Writes (or with `accumulate`, adds) the transpose of the rows × cols matrix `src` into
/// the cols × rows matrix `dst`.
fn transpose_into(src: &[f32], rows: usize, cols: usize, dst: &mut [f32], accumulate: bool) {
    for i in 0..rows {
        for j in 0..cols {
            let v = src[i * cols + j];
            let d = &mut dst[j * rows + i];
            *d = if accumulate { *d + v } else { v };
        }
    }
}

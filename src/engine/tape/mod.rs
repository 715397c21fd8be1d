//! The tape: an arena of nodes in the order they were computed, and reverse-mode backward.
//!
//! Insertion order is a topological order, so backward is one reverse loop with no recursion
//! and no reference counting. Each node owns its value and gradient buffers; `clear` keeps
//! them, so a training loop that records the same graph every step allocates nothing after
//! the first one. Parameters live outside the tape (see [`Tape::param`]) and `backward`
//! hands their gradients back in a fresh [`Gradients`] store: there is nothing to zero.

mod inspect;

pub use inspect::{NodeRecord, OpName};

use super::gemm::{Start, narrow_gemm};
use super::kernels::{
    MatRef, Nonlinearity, column_sums_into, matmul_into, sigmoid_slice, tanh_slice,
};
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

/// Gradients of one backward pass, indexed by [`ParamId`]. A parameter the loss does not
/// depend on has no entry.
#[derive(Clone, Debug, Default)]
pub struct Gradients {
    slots: Vec<Tensor>,
    present: Vec<bool>,
}

impl Gradients {
    pub fn new() -> Self {
        Self::default()
    }

    /// The gradient of the loss with respect to parameter `id`, if the loss depends on it.
    pub fn get(&self, id: ParamId) -> Option<&Tensor> {
        match self.present.get(id.0) {
            Some(true) => self.slots.get(id.0),
            _ => None,
        }
    }

    /// True when every stored gradient value is finite.
    pub fn all_finite(&self) -> bool {
        self.slots
            .iter()
            .zip(&self.present)
            .filter(|(_, present)| **present)
            .all(|(t, _)| t.data().iter().all(|v| v.is_finite()))
    }

    /// No parameter has a gradient, as before any backward pass (buffers are kept).
    pub fn clear(&mut self) {
        self.present.iter_mut().for_each(|p| *p = false);
    }

    /// Adds every gradient of `other` to this one's (a parameter present only in `other`
    /// is copied): the gradient of a sum of losses from the gradients of each.
    pub fn add(&mut self, other: &Gradients) {
        for (index, (tensor, &present)) in other.slots.iter().zip(&other.present).enumerate() {
            if present {
                let (rows, cols) = tensor.shape();
                self.accumulate(ParamId(index), rows, cols, tensor.data());
            }
        }
    }

    fn accumulate(&mut self, id: ParamId, rows: usize, cols: usize, grad: &[f32]) {
        if self.slots.len() <= id.0 {
            self.slots.resize_with(id.0 + 1, || Tensor::zeros(0, 0));
            self.present.resize(id.0 + 1, false);
        }
        let slot = &mut self.slots[id.0];
        if self.present[id.0] {
            assert_eq!(
                slot.shape(),
                (rows, cols),
                "parameter {id:?} used with two shapes"
            );
            slot.data_mut()
                .iter_mut()
                .zip(grad)
                .for_each(|(s, g)| *s += g);
        } else {
            if slot.shape() == (rows, cols) {
                slot.data_mut().copy_from_slice(grad);
            } else {
                *slot = Tensor::new(rows, cols, grad.to_vec());
            }
            self.present[id.0] = true;
        }
    }
}

/// Index strides that map an output element (i, j) of a broadcast to an operand's element:
/// a dimension of size 1 gets stride 0, so the same element is reused along it.
#[derive(Clone, Copy)]
struct Broadcast {
    rows: usize,
    cols: usize,
    a: (usize, usize),
    b: (usize, usize),
}

impl Broadcast {
    fn new(a: (usize, usize), b: (usize, usize), op_name: &str) -> Self {
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

    fn same_shape(&self) -> bool {
        self.a == (self.cols, 1) && self.b == (self.cols, 1)
    }

    fn for_each(&self, mut f: impl FnMut(usize, usize, usize)) {
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

    // ----- backward -------------------------------------------------------------------------

    /// Gradients of the 1×1 node `loss` with respect to every parameter it depends on.
    pub fn backward(&mut self, loss: NodeId) -> Gradients {
        let mut grads = Gradients::new();
        self.backward_into(loss, &mut grads);
        grads
    }

    /// As [`Tape::backward`], reusing the buffers of `grads` (a training loop calls this so a
    /// step allocates nothing).
    pub fn backward_into(&mut self, loss: NodeId, grads: &mut Gradients) {
        let (rows, cols) = self.shape(loss);
        assert_eq!(
            (rows, cols),
            (1, 1),
            "backward needs a 1×1 loss, got {rows}×{cols}"
        );
        grads.clear();
        for node in &mut self.nodes[..=loss.0] {
            node.has_grad = false;
            node.grad_past_activation = false;
            node.bias_grad_done = false;
            if node.needs_grad {
                // Same length as last step: no work. The contents are overwritten before use.
                node.grad.resize(node.rows * node.cols, 0.0);
            }
        }
        if !self.nodes[loss.0].needs_grad {
            return;
        }
        self.nodes[loss.0].grad[0] = 1.0;
        self.nodes[loss.0].has_grad = true;
        for index in (0..=loss.0).rev() {
            let node = &mut self.nodes[index];
            if !node.needs_grad {
                continue;
            }
            if !node.has_grad {
                // The loss does not depend on this node. A parameter reached only this way
                // gets no entry (as PyTorch leaves its .grad None), so optimizers skip it.
                continue;
            }
            // The output gradient is taken out of its node for the duration, so input
            // gradients can be borrowed mutably beside it without aliasing.
            let mut out_grad = std::mem::take(&mut self.nodes[index].grad);
            self.backward_node(index, &mut out_grad);
            let node = &mut self.nodes[index];
            node.grad = out_grad;
            if let Op::Param(id) = node.op {
                grads.accumulate(id, node.rows, node.cols, &node.grad);
            }
        }
    }

    /// Adds `input_grad += local_grad` for every input of node `index` that needs a gradient.
    /// `g`, the node's own gradient, is scratch afterwards (a fused layer scales it in place).
    fn backward_node(&mut self, index: usize, g: &mut [f32]) {
        let op = self.nodes[index].op;
        match op {
            Op::Input | Op::Param(_) => {}
            Op::Add(a, b) => {
                self.accumulate_binary(index, a, b, g, true, |g, _, _| g);
                self.accumulate_binary(index, a, b, g, false, |g, _, _| g);
            }
            Op::Sub(a, b) => {
                self.accumulate_binary(index, a, b, g, true, |g, _, _| g);
                self.accumulate_binary(index, a, b, g, false, |g, _, _| -g);
            }
            // d(ab)/da = b, d(ab)/db = a
            Op::Mul(a, b) => {
                self.accumulate_binary(index, a, b, g, true, |g, _, y| g * y);
                self.accumulate_binary(index, a, b, g, false, |g, x, _| g * x);
            }
            // d(a/b)/da = 1/b, d(a/b)/db = -a/b²
            Op::Div(a, b) => {
                self.accumulate_binary(index, a, b, g, true, |g, _, y| g / y);
                self.accumulate_binary(index, a, b, g, false, |g, x, y| -g * x / (y * y));
            }
            Op::Neg(a) => self.accumulate_unary(index, a, g, |g, _, _| -g),
            Op::AddScalar(a) => self.accumulate_unary(index, a, g, |g, _, _| g),
            Op::MulScalar(a, c) => self.accumulate_unary(index, a, g, |g, _, _| g * c),
            // d(x^p)/dx = p x^(p-1)
            Op::PowScalar(a, p) => {
                self.accumulate_unary(index, a, g, |g, x, _| g * p * pow(x, p - 1.0))
            }
            // d(e^x)/dx = e^x, the output itself
            Op::Exp(a) => self.accumulate_unary(index, a, g, |g, _, y| g * y),
            // d(ln x)/dx = 1/x
            Op::Log(a) => self.accumulate_unary(index, a, g, |g, x, _| g / x),
            // d(tanh x)/dx = 1 - tanh²x
            Op::Tanh(a) => self.accumulate_unary(index, a, g, |g, _, y| g * (1.0 - y * y)),
            // the subgradient 0 is taken at x = 0, as PyTorch does
            Op::Relu(a) => {
                self.accumulate_unary(index, a, g, |g, x, _| if x > 0.0 { g } else { 0.0 })
            }
            // dσ/dx = σ(1 - σ)
            Op::Sigmoid(a) => self.accumulate_unary(index, a, g, |g, _, y| g * y * (1.0 - y)),
            Op::MatMul(a, b) => self.backward_matmul(index, a, b, g),
            Op::Transpose(a) => {
                let (rows, cols) = (self.nodes[index].rows, self.nodes[index].cols);
                if let Some(mut ga) = self.take_grad(a) {
                    transpose_into(g, rows, cols, &mut ga.data, !ga.fresh);
                    self.put_grad(a, ga);
                }
            }
            Op::Sum(a) => self.accumulate_unary(index, a, g, |g, _, _| g),
            Op::Mean(a) => {
                let n = self.nodes[a.0].value.len().max(1) as f32;
                self.accumulate_unary(index, a, g, |g, _, _| g / n);
            }
            // d/dp mean((p − t)²) = 2(p − t)/n, and the negative of that for t
            Op::MeanSquaredError(p, t) => self.backward_mse(p, t, g[0]),
            Op::SumAxis(a, axis) => self.backward_reduce_axis(a, axis, g, false),
            Op::MeanAxis(a, axis) => self.backward_reduce_axis(a, axis, g, true),
            Op::Linear {
                input,
                weight,
                bias,
                nonlinearity,
            } => {
                // Through the activation first: dZ = dY ⊙ f'(Z), from the stored output,
                // unless the one consumer of this layer already did.
                if !self.nodes[index].grad_past_activation {
                    nonlinearity.scale_by_derivative(g, &self.nodes[index].value);
                }
                self.backward_linear(index, input, weight, bias, g)
            }
        }
    }

    /// Takes the gradient buffer of `id` out of its node if it needs one; give it back with
    /// `put_grad`. `fresh` says the buffer holds stale values that must be overwritten.
    fn take_grad(&mut self, id: NodeId) -> Option<GradBuffer> {
        let node = &mut self.nodes[id.0];
        node.needs_grad.then(|| GradBuffer {
            data: std::mem::take(&mut node.grad),
            fresh: !node.has_grad,
        })
    }

    fn put_grad(&mut self, id: NodeId, buffer: GradBuffer) {
        let node = &mut self.nodes[id.0];
        node.grad = buffer.data;
        node.has_grad = true;
    }

    /// For an elementwise unary node y = f(x): grad_x += local(g, x, y); a 1×1 output (a
    /// full reduction) broadcasts its single gradient over the whole input.
    fn accumulate_unary(
        &mut self,
        index: usize,
        a: NodeId,
        g: &[f32],
        local: impl Fn(f32, f32, f32) -> f32,
    ) {
        let Some(mut ga) = self.take_grad(a) else {
            return;
        };
        let (before, out) = self.split(index);
        let x = &before[a.0].value;
        let fresh = ga.fresh;
        if g.len() == ga.data.len() {
            let terms = ga.data.iter_mut().zip(g).zip(x).zip(&out.value);
            if fresh {
                terms.for_each(|(((ga, &g), &x), &y)| *ga = local(g, x, y));
            } else {
                terms.for_each(|(((ga, &g), &x), &y)| *ga += local(g, x, y));
            }
        } else {
            let (g, y) = (g[0], out.value[0]);
            for (ga, &x) in ga.data.iter_mut().zip(x) {
                *ga = if fresh { 0.0 } else { *ga } + local(g, x, y);
            }
        }
        self.put_grad(a, ga);
    }

    /// For a broadcast binary node z = f(a, b): grad_a += local(g, a, b) when `wrt_a`, else
    /// grad_b += local(g, a, b). A broadcast operand sums over the dimension it was repeated
    /// along (stride 0 makes the `+=` do the reduction). Handles `a == b` (x * x) because each
    /// side is accumulated in its own pass.
    fn accumulate_binary(
        &mut self,
        index: usize,
        a: NodeId,
        b: NodeId,
        g: &[f32],
        wrt_a: bool,
        local: impl Fn(f32, f32, f32) -> f32,
    ) {
        let target = if wrt_a { a } else { b };
        let Some(mut grad) = self.take_grad(target) else {
            return;
        };
        let (before, _) = self.split(index);
        let (na, nb) = (&before[a.0], &before[b.0]);
        let shape = Broadcast::new((na.rows, na.cols), (nb.rows, nb.cols), "backward");
        let (av, bv) = (&na.value, &nb.value);
        if shape.same_shape() {
            let terms = grad.data.iter_mut().zip(g).zip(av).zip(bv);
            if grad.fresh {
                terms.for_each(|(((gr, &g), &x), &y)| *gr = local(g, x, y));
            } else {
                terms.for_each(|(((gr, &g), &x), &y)| *gr += local(g, x, y));
            }
        } else {
            let data = grad.zeroed();
            shape.for_each(|o, i, j| {
                let k = if wrt_a { i } else { j };
                data[k] += local(g[o], av[i], bv[j]);
            });
        }
        self.put_grad(target, grad);
    }

    // L = mean((p − t)²): dp += g·2(p − t)/n, dt += g·2(t − p)/n
    fn backward_mse(&mut self, prediction: NodeId, target: NodeId, g: f32) {
        let scale = 2.0 * g / self.nodes[prediction.0].value.len().max(1) as f32;
        for (operand, sign) in [(prediction, 1.0f32), (target, -1.0)] {
            let Some(mut grad) = self.take_grad(operand) else {
                continue;
            };
            let factor = sign * scale;
            let (p, t) = (&self.nodes[prediction.0].value, &self.nodes[target.0].value);
            let terms = grad.data.iter_mut().zip(p).zip(t);
            if grad.fresh {
                terms.for_each(|((d, &p), &t)| *d = factor * (p - t));
            } else {
                terms.for_each(|((d, &p), &t)| *d += factor * (p - t));
            }
            self.put_grad(operand, grad);
        }
    }

    // C = A B: dA += dC Bᵀ, dB += Aᵀ dC
    fn backward_matmul(&mut self, index: usize, a: NodeId, b: NodeId, g: &[f32]) {
        let (rows, cols) = (self.nodes[index].rows, self.nodes[index].cols);
        let inner = self.nodes[a.0].cols;
        let gm = MatRef::new(g, rows, cols);
        if let Some(mut ga) = self.take_grad(a) {
            let bv = MatRef::new(&self.nodes[b.0].value, inner, cols);
            let beta = ga.beta();
            matmul_into(gm, bv.t(), &mut ga.data, beta);
            self.put_grad(a, ga);
        }
        if let Some(mut gb) = self.take_grad(b) {
            let av = MatRef::new(&self.nodes[a.0].value, rows, inner);
            let beta = gb.beta();
            matmul_into(av.t(), gm, &mut gb.data, beta);
            self.put_grad(b, gb);
        }
    }

    // Y = X Wᵀ + b: dX += dY W, dW += dYᵀ X, db += column sums of dY
    fn backward_linear(
        &mut self,
        index: usize,
        input: NodeId,
        weight: NodeId,
        bias: NodeId,
        g: &[f32],
    ) {
        let (rows, n_out) = (self.nodes[index].rows, self.nodes[index].cols);
        let n_in = self.nodes[input.0].cols;
        let gm = MatRef::new(g, rows, n_out);
        if let Some(mut gx) = self.take_grad(input) {
            // When the input is a fused layer and this is its only consumer, dX is all of its
            // gradient: apply its activation's derivative to each block of rows as the
            // product finishes it, and sum the rows into its bias gradient while they are in
            // L1, instead of two more passes over dX in its own backward.
            let fold = match self.nodes[input.0].op {
                Op::Linear {
                    nonlinearity, bias, ..
                } if nonlinearity != Nonlinearity::Identity
                    && self.nodes[input.0].uses == 1
                    && gx.fresh =>
                {
                    Some((nonlinearity, bias))
                }
                _ => None,
            };
            let mut source_bias_grad = fold.and_then(|(_, bias)| self.take_grad(bias));
            let w = MatRef::new(&self.nodes[weight.0].value, n_out, n_in);
            if let Some((nonlinearity, _)) = fold {
                let output = &self.nodes[input.0].value;
                let mut bias_sums = source_bias_grad.as_mut().map(|gb| {
                    let beta = gb.beta();
                    gb.fresh = false;
                    (&mut gb.data, beta)
                });
                let mut done = 0;
                let mut finish = |rows: &mut [f32]| {
                    let end = done + rows.len();
                    nonlinearity.scale_by_derivative(rows, &output[done..end]);
                    if let Some((sums, beta)) = bias_sums.as_mut() {
                        column_sums_into(sums, rows, *beta);
                        *beta = 1.0;
                    }
                    done = end;
                };
                if !narrow_gemm(gm, w, &mut gx.data, Start::Zero, &mut finish) {
                    matmul_into(gm, w, &mut gx.data, 0.0);
                    finish(&mut gx.data);
                }
            } else {
                let beta = gx.beta();
                matmul_into(gm, w, &mut gx.data, beta);
            }
            self.put_grad(input, gx);
            self.nodes[input.0].grad_past_activation = fold.is_some();
            if let (Some((_, bias)), Some(gb)) = (fold, source_bias_grad) {
                self.put_grad(bias, gb);
                self.nodes[input.0].bias_grad_done = true;
            }
        }
        if let Some(mut gw) = self.take_grad(weight) {
            let x = MatRef::new(&self.nodes[input.0].value, rows, n_in);
            let beta = gw.beta();
            matmul_into(gm.t(), x, &mut gw.data, beta);
            self.put_grad(weight, gw);
        }
        if self.nodes[index].bias_grad_done {
            return;
        }
        if let Some(mut gb) = self.take_grad(bias) {
            let beta = gb.beta();
            column_sums_into(&mut gb.data, g, beta);
            self.put_grad(bias, gb);
        }
    }

    fn backward_reduce_axis(&mut self, a: NodeId, axis: Axis, g: &[f32], scale: bool) {
        let (rows, cols) = (self.nodes[a.0].rows, self.nodes[a.0].cols);
        let Some(mut ga) = self.take_grad(a) else {
            return;
        };
        let count = match axis {
            Axis::Rows => rows,
            Axis::Cols => cols,
        };
        let factor = if scale && count > 0 {
            1.0 / count as f32
        } else {
            1.0
        };
        for (i, row) in ga.zeroed().chunks_exact_mut(cols.max(1)).enumerate() {
            match axis {
                Axis::Rows => row.iter_mut().zip(g).for_each(|(ga, g)| *ga += g * factor),
                Axis::Cols => row.iter_mut().for_each(|ga| *ga += g[i] * factor),
            }
        }
        self.put_grad(a, ga);
    }
}

/// A gradient buffer taken out of its node during backward.
struct GradBuffer {
    data: Vec<f32>,
    /// Holds stale values from an earlier pass: the first contribution must overwrite them.
    fresh: bool,
}

impl GradBuffer {
    /// The buffer ready for `+=`: zeroed first if it was fresh.
    fn zeroed(&mut self) -> &mut [f32] {
        if self.fresh {
            self.data.fill(0.0);
            self.fresh = false;
        }
        &mut self.data
    }

    /// The `beta` of `out = beta·out + a·b`: 0 overwrites a fresh buffer, 1 accumulates.
    fn beta(&self) -> f32 {
        if self.fresh { 0.0 } else { 1.0 }
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

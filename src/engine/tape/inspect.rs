//! Reading back what a tape recorded, node by node: the operation, its operands, the value and
//! (after `backward`) the gradient. This is how the computation graph of a prediction is shown
//! with the engine's own numbers instead of a second implementation.

use super::{NodeId, Op, ParamId, Tape};

/// The name of a recorded operation, with the constant it carries (`mul_scalar`'s factor,
/// `pow_scalar`'s exponent).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OpName {
    Input,
    Param(ParamId),
    Add,
    Sub,
    Mul,
    Div,
    Neg,
    AddScalar,
    MulScalar(f32),
    PowScalar(f32),
    Exp,
    Log,
    Tanh,
    Relu,
    Sigmoid,
    MatMul,
    Transpose,
    Sum,
    Mean,
    SumAxis,
    MeanAxis,
    MeanSquaredError,
    Linear,
}

impl OpName {
    /// A short symbol as micrograd's `draw_dot` labels its operation nodes.
    pub fn symbol(self) -> String {
        match self {
            Self::Input => "input".to_owned(),
            Self::Param(_) => "param".to_owned(),
            Self::Add | Self::AddScalar => "+".to_owned(),
            Self::Sub => "-".to_owned(),
            Self::Mul => "*".to_owned(),
            Self::Div => "/".to_owned(),
            Self::Neg => "neg".to_owned(),
            Self::MulScalar(c) => format!("*{c}"),
            Self::PowScalar(p) => format!("**{p}"),
            Self::Exp => "exp".to_owned(),
            Self::Log => "log".to_owned(),
            Self::Tanh => "tanh".to_owned(),
            Self::Relu => "relu".to_owned(),
            Self::Sigmoid => "sigmoid".to_owned(),
            Self::MatMul => "matmul".to_owned(),
            Self::Transpose => "transpose".to_owned(),
            Self::Sum => "sum".to_owned(),
            Self::Mean => "mean".to_owned(),
            Self::SumAxis => "sum_axis".to_owned(),
            Self::MeanAxis => "mean_axis".to_owned(),
            Self::MeanSquaredError => "mse".to_owned(),
            Self::Linear => "linear".to_owned(),
        }
    }
}

/// One recorded node as a reader sees it.
#[derive(Clone, Debug)]
pub struct NodeRecord<'a> {
    pub op: OpName,
    /// Operands in order (a node used twice, as in `mul(x, x)`, appears twice).
    pub operands: Vec<NodeId>,
    /// (rows, cols)
    pub shape: (usize, usize),
    pub value: &'a [f32],
    /// d(loss)/d(node) from the latest `backward`, or `None` where the loss does not depend
    /// on the node, the node needs no gradient (inputs), or no backward ran since it was
    /// recorded. A fused layer's buffer holds the gradient past its activation after backward,
    /// which is not this node's gradient, so it reports `None` too.
    pub grad: Option<&'a [f32]>,
}

impl Tape {
    /// Every node recorded since the last `clear`, in recording order.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + use<> {
        (0..self.len).map(NodeId)
    }

    /// What node `id` is: its operation, operands, value and gradient.
    pub fn record(&self, id: NodeId) -> NodeRecord<'_> {
        let node = self.node(id);
        let mut operands = Vec::new();
        node.op.for_each_operand(|operand| operands.push(operand));
        let is_fused = matches!(node.op, Op::Linear { .. });
        let grad = (node.needs_grad && node.has_grad && !is_fused)
            .then_some(&node.grad[..])
            .filter(|grad| grad.len() == node.value.len());
        NodeRecord {
            op: op_name(node.op),
            operands,
            shape: (node.rows, node.cols),
            value: &node.value,
            grad,
        }
    }
}

fn op_name(op: Op) -> OpName {
    match op {
        Op::Input => OpName::Input,
        Op::Param(id) => OpName::Param(id),
        Op::Add(..) => OpName::Add,
        Op::Sub(..) => OpName::Sub,
        Op::Mul(..) => OpName::Mul,
        Op::Div(..) => OpName::Div,
        Op::Neg(_) => OpName::Neg,
        Op::AddScalar(_) => OpName::AddScalar,
        Op::MulScalar(_, c) => OpName::MulScalar(c),
        Op::PowScalar(_, p) => OpName::PowScalar(p),
        Op::Exp(_) => OpName::Exp,
        Op::Log(_) => OpName::Log,
        Op::Tanh(_) => OpName::Tanh,
        Op::Relu(_) => OpName::Relu,
        Op::Sigmoid(_) => OpName::Sigmoid,
        Op::MatMul(..) => OpName::MatMul,
        Op::Transpose(_) => OpName::Transpose,
        Op::Sum(_) => OpName::Sum,
        Op::Mean(_) => OpName::Mean,
        Op::SumAxis(..) => OpName::SumAxis,
        Op::MeanAxis(..) => OpName::MeanAxis,
        Op::MeanSquaredError(..) => OpName::MeanSquaredError,
        Op::Linear { .. } => OpName::Linear,
    }
}

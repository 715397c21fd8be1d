//! Reverse-mode backward: one reverse loop over the nodes, each op's backward rule, and the
//! fused layer's, which folds its activation's derivative into the product.

use super::super::gemm::{Start, narrow_gemm};
use super::super::kernels::{MatRef, Nonlinearity, column_sums_into, matmul_into};
use super::{Axis, Broadcast, Gradients, NodeId, Op, Tape, pow, transpose_into};

impl Tape {
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

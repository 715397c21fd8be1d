//! The autograd engine: f32 2-D tensors, a tape that records operations, and reverse-mode
//! differentiation. It knows nothing of networks, optimizers, data or UI.
//!
//! ```
//! use nanograd::engine::{ParamId, Tape, Tensor};
//!
//! // y = w * x + b at w = 3, x = 2, b = 1: dy/dw = x = 2, dy/db = 1
//! let mut tape = Tape::new();
//! let w = tape.param(ParamId(0), &Tensor::scalar(3.0));
//! let b = tape.param(ParamId(1), &Tensor::scalar(1.0));
//! let x = tape.input(1, 1, &[2.0]);
//! let wx = tape.mul(w, x);
//! let y = tape.add(wx, b);
//! assert_eq!(tape.item(y), 7.0);
//! let grads = tape.backward(y);
//! assert_eq!(grads.get(ParamId(0)).unwrap().item(), 2.0);
//! assert_eq!(grads.get(ParamId(1)).unwrap().item(), 1.0);
//! ```

pub mod gemm;
pub mod isa;
pub mod kernels;
mod tape;
mod tensor;

pub use kernels::Nonlinearity;
pub use tape::{Axis, Gradients, NodeId, NodeRecord, OpName, ParamId, Tape};
pub use tensor::Tensor;

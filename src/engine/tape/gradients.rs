//! The gradient store `backward` hands back: one tensor per parameter the loss depends on,
//! indexed by [`ParamId`], its buffers kept between passes.

use super::ParamId;
use crate::engine::Tensor;

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

    /// The stored gradient of parameter `id` to change in place (e.g. to add a penalty's
    /// gradient), if the loss depends on it.
    pub fn get_mut(&mut self, id: ParamId) -> Option<&mut Tensor> {
        match self.present.get(id.0) {
            Some(true) => self.slots.get_mut(id.0),
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

    pub(super) fn accumulate(&mut self, id: ParamId, rows: usize, cols: usize, grad: &[f32]) {
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

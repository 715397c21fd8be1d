//! A bounded history of training values, for plots that run for hours.
//!
//! [`BoundedHistory`] keeps at most `capacity` points. It records one point out of every `stride`
//! offered; when it is full it drops every other point and doubles the stride, so the kept points
//! stay evenly spaced over the whole run and memory stays flat however long training goes on
//! (the scheme of burn's `FullHistoryPlot::resize`). The newest point offered is always kept apart
//! in [`BoundedHistory::latest`], so a plot can end exactly at "now".
//!
//! This module knows nothing of threads or of the UI: the trainer side fills it, a plot reads it.

use serde::{Deserialize, Serialize};

/// One point of a loss curve: where in training it was taken and the losses there.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossPoint {
    /// Epochs completed, fractional within an epoch (`steps / steps_per_epoch`).
    pub epoch: f64,
    /// Training loss (the optimizer's objective, in standardised units).
    pub train_loss: f32,
    /// Validation loss in the same units, when there is a validation set.
    pub validation_loss: Option<f32>,
}

/// The loss curve of one run, bounded.
pub type LossHistory = BoundedHistory<LossPoint>;

/// At most `capacity` evenly thinned points out of everything pushed, plus the latest one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoundedHistory<T> {
    capacity: usize,
    /// Keep one point out of every `stride` pushed; a power of two.
    stride: u64,
    /// How many points were ever pushed.
    n_pushed: u64,
    /// Pushed points number `0, stride, 2·stride, …`.
    points: Vec<T>,
    latest: Option<T>,
}

impl<T: Clone> BoundedHistory<T> {
    /// A history that never keeps more than `capacity` points (at least 2).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(2);
        Self {
            capacity,
            stride: 1,
            n_pushed: 0,
            points: Vec::with_capacity(capacity),
            latest: None,
        }
    }

    /// Offer a point; it is kept if it falls on the current stride.
    pub fn push(&mut self, point: T) {
        if self.n_pushed.is_multiple_of(self.stride) {
            self.points.push(point.clone());
            if self.points.len() > self.capacity {
                self.halve();
            }
        }
        self.n_pushed += 1;
        self.latest = Some(point);
    }

    /// Keep the points at even positions and double the stride. Kept point `i` was pushed as
    /// number `i·stride`, so the survivors are exactly the pushes that are multiples of the new
    /// stride, and later pushes continue that pattern.
    fn halve(&mut self) {
        let mut index = 0;
        self.points.retain(|_| {
            let keep = index % 2 == 0;
            index += 1;
            keep
        });
        self.stride *= 2;
    }

    /// The kept points, oldest first (the latest point may or may not be among them).
    pub fn points(&self) -> &[T] {
        &self.points
    }

    /// The kept points followed by the latest one when it was not kept: what a plot should draw.
    pub fn iter_with_latest(&self) -> impl Iterator<Item = &T> {
        let latest_was_kept = self
            .n_pushed
            .checked_sub(1)
            .is_some_and(|last| last.is_multiple_of(self.stride));
        let tail = if latest_was_kept {
            None
        } else {
            self.latest.as_ref()
        };
        self.points.iter().chain(tail)
    }

    /// The newest point pushed.
    pub fn latest(&self) -> Option<&T> {
        self.latest.as_ref()
    }

    /// Number of kept points (never more than [`Self::capacity`]).
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether nothing was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.n_pushed == 0
    }

    /// How many points were ever pushed.
    pub fn n_pushed(&self) -> u64 {
        self.n_pushed
    }

    /// One kept point per this many pushed.
    pub fn stride(&self) -> u64 {
        self.stride
    }

    /// The most points ever kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forget everything, keeping the capacity.
    pub fn clear(&mut self) {
        *self = Self::new(self.capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(capacity: usize, n: u64) -> BoundedHistory<u64> {
        let mut history = BoundedHistory::new(capacity);
        for i in 0..n {
            history.push(i);
        }
        history
    }

    #[test]
    fn keeps_everything_until_full() {
        let history = filled(8, 8);
        assert_eq!(history.points(), &[0, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(history.stride(), 1);
    }

    #[test]
    fn halves_points_and_doubles_stride_when_full() {
        // 9 pushes into 8 slots: keep 0,2,4,6,8 (stride 2).
        let history = filled(8, 9);
        assert_eq!(history.points(), &[0, 2, 4, 6, 8]);
        assert_eq!(history.stride(), 2);
    }

    #[test]
    fn kept_points_stay_evenly_spaced_after_many_halvings() {
        let history = filled(10, 100_003);
        let points = history.points();
        let stride = history.stride();
        assert!(points.len() <= 10);
        assert!(points.len() >= 5, "halving never leaves fewer than half");
        for (i, &p) in points.iter().enumerate() {
            assert_eq!(p, i as u64 * stride, "point {i} is push number i·stride");
        }
    }

    #[test]
    fn stays_bounded_over_hours_of_snapshots() {
        // 30 snapshots a second for 10 hours.
        let mut history = BoundedHistory::new(2048);
        for i in 0..(30 * 3600 * 10) {
            history.push(i as f32);
            assert!(history.len() <= 2048);
        }
        assert!(history.len() >= 1024);
        assert_eq!(history.n_pushed(), 30 * 3600 * 10);
    }

    #[test]
    fn latest_point_is_always_drawn() {
        let history = filled(8, 12);
        // stride 2 after the first halving: 0,2,4,6,8,10 kept, 11 is only the latest.
        let drawn: Vec<u64> = history.iter_with_latest().copied().collect();
        assert_eq!(drawn, vec![0, 2, 4, 6, 8, 10, 11]);
        let history = filled(8, 11);
        let drawn: Vec<u64> = history.iter_with_latest().copied().collect();
        assert_eq!(
            drawn,
            vec![0, 2, 4, 6, 8, 10],
            "latest kept: not drawn twice"
        );
    }

    #[test]
    fn clear_forgets_points_and_stride() {
        let mut history = filled(4, 100);
        history.clear();
        assert!(history.is_empty());
        assert_eq!(history.stride(), 1);
        assert_eq!(history.capacity(), 4);
        assert_eq!(history.iter_with_latest().count(), 0);
    }
}

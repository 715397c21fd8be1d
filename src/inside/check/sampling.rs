//! How many entries of each parameter tensor the finite differences can afford: all of them
//! when the network fits the [`WORK_BUDGET`], otherwise the same number from every tensor,
//! drawn with a fixed seed (see the module docs, "Size"). It knows the cost of the f64 forward
//! pass, not what is compared.

use crate::nn::Mlp;

/// Multiply-adds the finite differences may spend (an activation counted as
/// [`ACTIVATION_COST`] of them): at the ~1e9 a second one core does in these f64 loops,
/// about a third of a second.
pub const WORK_BUDGET: usize = 300_000_000;
/// An f64 tanh or exp costs about as much as this many multiply-adds, which is what a narrow
/// network's forward pass mostly spends.
pub const ACTIVATION_COST: usize = 40;
/// Seed of the sample of entries, fixed so that checking twice checks the same entries.
pub(super) const SAMPLE_SEED: u64 = 0x6772_6164;

/// How many entries of each parameter tensor fit the [`WORK_BUDGET`] (`usize::MAX` when the
/// whole network does), at least one. An entry of layer l costs two forward passes through
/// layers l and later: per row, in · out multiply-adds and out activations a layer.
pub(super) fn entries_per_tensor(mlp: &Mlp, n_rows: usize) -> usize {
    let sizes = mlp.layer_sizes();
    let layer_costs: Vec<usize> = sizes
        .windows(2)
        .map(|w| w[0] * w[1] + ACTIVATION_COST * w[1])
        .collect();
    // (entries, multiply-adds per entry) for every tensor
    let tensors: Vec<(usize, usize)> = mlp
        .parameters()
        .iter()
        .enumerate()
        .map(|(index, p)| {
            let from_layer: usize = layer_costs[index / 2..].iter().sum();
            (p.len(), 2 * n_rows * from_layer)
        })
        .collect();
    let cost_of = |per_tensor: usize| -> usize {
        tensors
            .iter()
            .map(|&(len, cost)| len.min(per_tensor).saturating_mul(cost))
            .fold(0, usize::saturating_add)
    };
    if cost_of(usize::MAX) <= WORK_BUDGET {
        return usize::MAX;
    }
    let mut per_tensor = 1;
    while cost_of(per_tensor + 1) <= WORK_BUDGET {
        per_tensor += 1;
    }
    per_tensor
}

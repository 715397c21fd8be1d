//! Where items go within their columns: their order (few edge crossings) and their heights
//! (edges as level as the order allows, nothing overlapping). Items are abstract here: boxes
//! or the waypoints of long edges, known only by their column, height and neighbours.

/// Barycenter sweeps: more rarely lower the crossings of the graphs we draw.
const ORDER_SWEEPS: usize = 6;
/// Alignment sweeps: after a few, items barely move.
const ROW_SWEEPS: usize = 4;

/// Items in columns, each linked only to items of the neighbouring columns.
pub struct ColumnGraph {
    /// Neighbours of each item in the column before its own.
    pub left: Vec<Vec<usize>>,
    /// Neighbours of each item in the column after its own.
    pub right: Vec<Vec<usize>>,
    pub heights: Vec<f32>,
}

/// Reorders each column to reduce crossings: items move towards the mean position of their
/// neighbours in the previous column (left to right), then in the next one (right to left);
/// the best order seen is kept, since barycenter sweeps can make things worse again.
pub fn order_columns(graph: &ColumnGraph, mut columns: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let mut position = vec![0; graph.heights.len()];
    for column in &columns {
        for (slot, &item) in column.iter().enumerate() {
            position[item] = slot;
        }
    }
    let mut fewest = crossings(graph, &columns, &position);
    let mut best = columns.clone();
    for _ in 0..ORDER_SWEEPS {
        if fewest == 0 {
            break;
        }
        for c in 1..columns.len() {
            let (before, rest) = columns.split_at_mut(c);
            sort_by_barycenter(
                &mut rest[0],
                before[c - 1].len(),
                &graph.left,
                &mut position,
            );
        }
        for c in (0..columns.len().saturating_sub(1)).rev() {
            let (rest, after) = columns.split_at_mut(c + 1);
            sort_by_barycenter(&mut rest[c], after[0].len(), &graph.right, &mut position);
        }
        let count = crossings(graph, &columns, &position);
        if count < fewest {
            (fewest, best) = (count, columns.clone());
        }
    }
    best
}

fn sort_by_barycenter(
    column: &mut [usize],
    neighbour_column_len: usize,
    neighbours: &[Vec<usize>],
    position: &mut [usize],
) {
    // An item without neighbours keeps its relative place, rescaled to the neighbour column's
    // positions so that it competes fairly with the barycenters.
    let scale = neighbour_column_len.max(1) as f32 / column.len().max(1) as f32;
    let mut keyed: Vec<(f32, usize)> = column
        .iter()
        .map(|&item| {
            let linked = &neighbours[item];
            let key = if linked.is_empty() {
                position[item] as f32 * scale
            } else {
                linked
                    .iter()
                    .map(|&other| position[other] as f32)
                    .sum::<f32>()
                    / linked.len() as f32
            };
            (key, item)
        })
        .collect();
    // Stable, so ties keep their current order and the sweeps settle.
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (slot, (_, item)) in keyed.into_iter().enumerate() {
        column[slot] = item;
        position[item] = slot;
    }
}

/// Edge crossings between all neighbouring columns, given each item's position in its column.
pub fn crossings(graph: &ColumnGraph, columns: &[Vec<usize>], position: &[usize]) -> usize {
    let mut total = 0;
    for column in columns {
        let mut ends: Vec<(usize, usize)> = column
            .iter()
            .flat_map(|&item| {
                graph.right[item]
                    .iter()
                    .map(move |&other| (position[item], position[other]))
            })
            .collect();
        // Sorted by their left end, two edges cross when their right ends are inverted.
        ends.sort_unstable();
        let mut right_ends: Vec<usize> = ends.into_iter().map(|(_, right)| right).collect();
        total += inversions(&mut right_ends);
    }
    total
}

/// Pairs i < j with values[i] > values[j], counted while merge sorting (n log n, so a
/// 300-node graph is counted in microseconds).
fn inversions(values: &mut [usize]) -> usize {
    if values.len() < 2 {
        return 0;
    }
    let middle = values.len() / 2;
    let mut count = inversions(&mut values[..middle]) + inversions(&mut values[middle..]);
    let mut merged = Vec::with_capacity(values.len());
    let (mut i, mut j) = (0, middle);
    while i < middle && j < values.len() {
        if values[j] < values[i] {
            // values[j] jumps ahead of everything left in the first half.
            count += middle - i;
            merged.push(values[j]);
            j += 1;
        } else {
            merged.push(values[i]);
            i += 1;
        }
    }
    merged.extend_from_slice(&values[i..middle]);
    merged.extend_from_slice(&values[j..]);
    values.copy_from_slice(&merged);
    count
}

/// The vertical centre of every item: each column is first stacked around 0, then items are
/// pulled towards their neighbours' heights, sweeping left to right and back. The last sweep
/// aligns items with the ones they feed, so a chain into the loss runs level.
pub fn place_rows(graph: &ColumnGraph, columns: &[Vec<usize>], gap: f32) -> Vec<f32> {
    let mut center = vec![0.0; graph.heights.len()];
    for column in columns {
        let desired = vec![0.0; column.len()];
        let heights: Vec<f32> = column.iter().map(|&item| graph.heights[item]).collect();
        for (&item, y) in column.iter().zip(pack(&desired, &heights, gap)) {
            center[item] = y;
        }
    }
    for _ in 0..ROW_SWEEPS {
        for column in columns.iter().skip(1) {
            align(column, &graph.left, &graph.heights, gap, &mut center);
        }
        for column in columns.iter().rev().skip(1) {
            align(column, &graph.right, &graph.heights, gap, &mut center);
        }
    }
    center
}

fn align(
    column: &[usize],
    neighbours: &[Vec<usize>],
    heights: &[f32],
    gap: f32,
    center: &mut [f32],
) {
    let desired: Vec<f32> = column
        .iter()
        .map(|&item| {
            let linked = &neighbours[item];
            if linked.is_empty() {
                center[item]
            } else {
                linked.iter().map(|&other| center[other]).sum::<f32>() / linked.len() as f32
            }
        })
        .collect();
    let heights: Vec<f32> = column.iter().map(|&item| heights[item]).collect();
    for (&item, y) in column.iter().zip(pack(&desired, &heights, gap)) {
        center[item] = y;
    }
}

/// The centres closest to `desired` (least squares) that keep the items in order with at least
/// `gap` between neighbours. Less each item's smallest offset from the first, the centres must
/// only be non-decreasing: an isotonic regression, solved by pooling adjacent violators.
pub fn pack(desired: &[f32], heights: &[f32], gap: f32) -> Vec<f32> {
    let mut offsets = Vec::with_capacity(desired.len());
    let mut offset = 0.0;
    for (i, height) in heights.iter().enumerate() {
        if i > 0 {
            offset += (heights[i - 1] + height) / 2.0 + gap;
        }
        offsets.push(offset);
    }
    // Blocks of items that share one (shifted) centre: (sum of targets, item count).
    let mut blocks: Vec<(f32, usize)> = Vec::with_capacity(desired.len());
    for (target, offset) in desired.iter().zip(&offsets) {
        blocks.push((target - offset, 1));
        while let [.., (sum_a, count_a), (sum_b, count_b)] = blocks[..] {
            if sum_a / count_a as f32 <= sum_b / count_b as f32 {
                break;
            }
            blocks.pop();
            let last = blocks.len() - 1;
            blocks[last] = (sum_a + sum_b, count_a + count_b);
        }
    }
    let shifted = blocks
        .iter()
        .flat_map(|&(sum, count)| std::iter::repeat_n(sum / count as f32, count));
    shifted
        .zip(&offsets)
        .map(|(z, offset)| z + offset)
        .collect()
}

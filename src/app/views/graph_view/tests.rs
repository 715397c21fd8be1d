//! The layout's guarantees on hand-built graphs, with an estimated font: boxes apart, edges
//! left to right and between boxes, the loss rightmost, known bounds, and speed.

use egui::{Rect, vec2};

use super::fields::{FieldKind, format_number, node_fields};
use super::fixtures::{layer_mlp, micrograd_expression, scalar_mlp};
use super::layout::{assign_columns, layout_graph, layout_key, refresh_numbers};
use super::ordering::{ColumnGraph, crossings, order_columns, pack};
use crate::inside::{GraphNode, PredictionGraph};

const FONT: f32 = 14.0;

/// Roughly the width of egui's proportional font: 0.6 em a character.
fn estimate(text: &str, font_size: f32) -> f32 {
    text.chars().count() as f32 * 0.6 * font_size
}

fn fixtures() -> Vec<(&'static str, PredictionGraph)> {
    vec![
        ("a·b + c", micrograd_expression()),
        ("1-2-1 scalars", scalar_mlp(&[1, 2, 1])),
        ("2-8-8-1 scalars", scalar_mlp(&[2, 8, 8, 1])),
        ("1-32-32-1 layers", layer_mlp()),
    ]
}

fn overlap(a: Rect, b: Rect) -> bool {
    let both = a.intersect(b);
    both.width() > 0.01 && both.height() > 0.01
}

#[test]
fn numbers_have_four_significant_digits_a_true_minus_and_no_negative_zero() {
    assert_eq!(format_number(0.41), "0.4100");
    assert_eq!(format_number(-1.2), "−1.200");
    assert_eq!(format_number(12.345_6), "12.35");
    assert_eq!(format_number(12_346.0), "1.235e4");
    assert_eq!(format_number(0.001_234), "0.001234");
    assert_eq!(format_number(-0.000_012_34), "−1.234e−5");
    // Rounding up a digit must not add one: 9.9996 has 4 significant digits as "10.00".
    assert_eq!(format_number(9.999_6), "10.00");
    assert_eq!(format_number(-0.0), "0");
    assert_eq!(format_number(f32::NAN), "NaN");
    assert_eq!(format_number(f32::NEG_INFINITY), "−∞");
    for tiny in [-1e-30, -1e-9, -4e-4, -0.000_5] {
        let text = format_number(tiny);
        assert!(text.starts_with('−'), "{tiny} → {text}");
        assert!(
            text.chars().any(|c| ('1'..='9').contains(&c)),
            "{tiny} → {text}"
        );
    }
}

#[test]
fn the_default_fonts_have_every_character_the_view_writes() {
    let ctx = egui::Context::default();
    // One frame loads the fonts; its texture upload is not needed here.
    let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
    output.textures_delta.clear();
    let mut text = String::from("∞NaN|");
    for (_, graph) in fixtures() {
        for node in &graph.nodes {
            text.push_str(&node.op);
            for field in node_fields(node, graph.level) {
                text.push_str(&field.text);
                text.extend(field.width_template);
            }
        }
    }
    let font = egui::FontId::proportional(FONT);
    ctx.fonts_mut(|fonts| {
        for c in text.chars() {
            assert!(fonts.has_glyph(&font, c), "no glyph for {c:?}");
        }
        // Why norms are written "|grad|": the double bar is missing.
        assert!(!fonts.has_glyph(&font, '‖'));
    });
}

#[test]
fn a_scalar_box_reads_like_micrograd_and_a_tensor_box_shows_shape_and_norms() {
    let graph = micrograd_expression();
    let texts = |node: &GraphNode, level| -> Vec<String> {
        node_fields(node, level)
            .into_iter()
            .map(|f| f.text)
            .collect()
    };
    // a = 2, d(loss)/da = 2·(a·b + c − target)·b = 2·3·(−3) = −18
    assert_eq!(
        texts(&graph.nodes[0], graph.level),
        ["a", "data 2.000", "grad −18.00"]
    );
    let graph = layer_mlp();
    let weight = &graph.nodes[1];
    let fields = node_fields(weight, graph.level);
    let kinds: Vec<FieldKind> = fields.iter().map(|f| f.kind).collect();
    use FieldKind::*;
    assert_eq!(
        kinds,
        [Label, Shape, Value, Grad],
        "a leaf has no operation row"
    );
    assert_eq!(fields[1].text, "32×1");
    assert!(fields[3].text.starts_with("|grad| "), "{}", fields[3].text);
    let prediction = texts(&graph.nodes[graph.prediction], graph.level);
    assert_eq!(prediction[..3], ["+", "prediction", "1×1"]);
    assert!(
        prediction[3].starts_with("data "),
        "a 1×1 node shows its number"
    );
}

#[test]
fn boxes_never_overlap() {
    for (name, graph) in fixtures() {
        let layout = layout_graph(&graph, FONT, estimate);
        assert_eq!(layout.boxes.len(), graph.nodes.len(), "{name}");
        for (i, a) in layout.boxes.iter().enumerate() {
            for (j, b) in layout.boxes.iter().enumerate().skip(i + 1) {
                assert!(!overlap(a.rect, b.rect), "{name}: boxes {i} and {j}");
            }
        }
    }
}

#[test]
fn every_edge_runs_left_to_right_from_its_input_into_its_op() {
    for (name, graph) in fixtures() {
        let layout = layout_graph(&graph, FONT, estimate);
        let edge_count: usize = graph.nodes.iter().map(|node| node.inputs.len()).sum();
        assert_eq!(layout.edges.len(), edge_count, "{name}");
        for edge in &layout.edges {
            let (from, to) = (&layout.boxes[edge.from], &layout.boxes[edge.to]);
            assert_eq!(edge.points.first(), Some(&from.output_anchor()), "{name}");
            assert_eq!(edge.points.last(), Some(&to.input_anchor()), "{name}");
            assert!(graph.nodes[edge.to].inputs.contains(&edge.from), "{name}");
            for pair in edge.points.windows(2) {
                assert!(pair[0].x <= pair[1].x, "{name}: {edge:?} turns back");
            }
            assert!(from.rect.right() < to.rect.left(), "{name}: {edge:?}");
        }
    }
}

#[test]
fn edges_pass_between_boxes_not_through_them() {
    for (name, graph) in fixtures() {
        let layout = layout_graph(&graph, FONT, estimate);
        for edge in &layout.edges {
            for (piece, pair) in edge.points.windows(2).enumerate() {
                let span = Rect::from_two_pos(pair[0], pair[1]);
                for (index, node_box) in layout.boxes.iter().enumerate() {
                    let body = node_box.rect.shrink(0.1);
                    let hits = if piece % 2 == 0 {
                        // A straight piece: level, so its band must miss every other box.
                        index != edge.from && overlap(span.expand2(vec2(0.0, 0.05)), body)
                    } else {
                        // A curve can bend anywhere between its ends: no box may stand there.
                        body.x_range()
                            .intersects(span.shrink2(vec2(0.1, 0.0)).x_range())
                    };
                    assert!(
                        !hits,
                        "{name}: edge {edge:?} piece {piece} crosses box {index}"
                    );
                }
            }
        }
    }
}

#[test]
fn inputs_sit_left_of_their_consumers_and_the_loss_is_rightmost() {
    for (name, graph) in fixtures() {
        let columns = assign_columns(&graph);
        for (index, node) in graph.nodes.iter().enumerate() {
            for &input in &node.inputs {
                assert!(columns[input] < columns[index], "{name}: {input} → {index}");
            }
        }
        let last = columns.iter().max().copied();
        assert_eq!(Some(columns[graph.loss]), last, "{name}");
    }
    // Leaves sit by their consumer: the target one column before the subtraction.
    let graph = micrograd_expression();
    let columns = assign_columns(&graph);
    assert_eq!(
        columns[5] + 1,
        columns[6],
        "target next to (prediction − target)"
    );
}

#[test]
fn the_bounds_hold_everything_drawn() {
    for (name, graph) in fixtures() {
        let layout = layout_graph(&graph, FONT, estimate);
        for node_box in &layout.boxes {
            assert!(layout.bounds.contains_rect(node_box.rect), "{name}");
        }
        for point in layout.edges.iter().flat_map(|edge| &edge.points) {
            assert!(layout.bounds.contains(*point), "{name}");
        }
    }
}

#[test]
fn a_300_node_graph_is_laid_out_in_well_under_10_ms() {
    let graph = scalar_mlp(&[2, 8, 8, 1]);
    assert!(graph.nodes.len() >= 300, "{} nodes", graph.nodes.len());
    // The best of a few runs: the machine is shared, and a slow run says little.
    let fastest = (0..5)
        .map(|_| {
            let start = std::time::Instant::now();
            std::hint::black_box(layout_graph(&graph, FONT, estimate));
            start.elapsed()
        })
        .min()
        .unwrap_or_default();
    assert!(fastest.as_secs_f64() < 0.010, "took {fastest:?}");
}

#[test]
fn a_new_snapshot_of_the_same_network_reuses_the_layout_with_its_numbers() {
    let first = scalar_mlp(&[1, 2, 1]);
    let mut next = first.clone();
    next.nodes[1].value[0] = -123.456;
    next.nodes[1].grad[0] = 1e-12;
    let key = |graph: &PredictionGraph| layout_key(graph, FONT, 1.0);
    assert_eq!(key(&first), key(&next), "numbers are not part of the key");

    let mut reused = layout_graph(&first, FONT, estimate);
    assert!(refresh_numbers(&mut reused, &next));
    assert_eq!(reused, layout_graph(&next, FONT, estimate));
    assert!(
        reused.boxes[1]
            .fields
            .iter()
            .any(|f| f.text == "data −123.5")
    );

    let mut renamed = next.clone();
    renamed.nodes[1].label = "bias".to_owned();
    assert_ne!(key(&next), key(&renamed));
    assert_ne!(key(&next), layout_key(&next, FONT + 1.0, 1.0));
    let mut stale = layout_graph(&micrograd_expression(), FONT, estimate);
    assert!(
        !refresh_numbers(&mut stale, &next),
        "another graph's layout is refused"
    );
}

#[test]
fn ordering_untangles_two_crossed_edges() {
    // Column 0 holds a, b; column 1 holds d, c in that (recorded) order; a → c and b → d.
    let (a, b, c, d) = (0, 1, 2, 3);
    let graph = ColumnGraph {
        left: vec![vec![], vec![], vec![a], vec![b]],
        right: vec![vec![c], vec![d], vec![], vec![]],
        heights: vec![1.0; 4],
    };
    let start = vec![vec![a, b], vec![d, c]];
    let position = [0, 1, 1, 0];
    assert_eq!(crossings(&graph, &start, &position), 1);
    let ordered = order_columns(&graph, start);
    let mut position = [0; 4];
    for column in &ordered {
        for (slot, &item) in column.iter().enumerate() {
            position[item] = slot;
        }
    }
    assert_eq!(crossings(&graph, &ordered, &position), 0, "{ordered:?}");
}

#[test]
fn packing_keeps_order_and_gaps_and_moves_nothing_that_fits() {
    let heights = [2.0, 1.0, 3.0];
    // Room to spare: every item goes exactly where it wants.
    assert_eq!(pack(&[0.0, 10.0, 20.0], &heights, 0.5), [0.0, 10.0, 20.0]);
    // All want 0: they spread evenly about it, (2+1)/2 + 0.5 = 2 and (1+3)/2 + 0.5 = 2.5 apart.
    let packed = pack(&[0.0, 0.0, 0.0], &heights, 0.5);
    assert!((packed[1] - packed[0] - 2.0).abs() < 1e-5, "{packed:?}");
    assert!((packed[2] - packed[1] - 2.5).abs() < 1e-5, "{packed:?}");
    assert!(
        (packed.iter().sum::<f32>()).abs() < 1e-4,
        "centred on 0: {packed:?}"
    );
}

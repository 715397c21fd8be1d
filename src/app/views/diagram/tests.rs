use super::*;

/// Roughly the width of egui's proportional font: 0.6 em a character.
fn estimate(text: &str, font_size: f32) -> f32 {
    text.chars().count() as f32 * 0.6 * font_size
}

struct Net {
    x_names: Vec<String>,
    y_name: String,
    hidden: Vec<usize>,
}

impl Net {
    fn new(x_names: &[&str], y_name: &str, hidden: &[usize]) -> Self {
        let x_names = x_names.iter().map(|name| name.to_string()).collect();
        Self {
            x_names,
            y_name: y_name.to_owned(),
            hidden: hidden.to_vec(),
        }
    }

    fn model(&self) -> DiagramModel<'_> {
        DiagramModel {
            x_names: &self.x_names,
            y_name: &self.y_name,
            hidden_sizes: &self.hidden,
            activation: Activation::Tanh,
        }
    }
}

fn nets() -> Vec<Net> {
    let ten: Vec<String> = (1..=10).map(|i| format!("feature_{i}")).collect();
    let ten: Vec<&str> = ten.iter().map(String::as_str).collect();
    let cars = ["Miles_per_Gallon", "Horsepower", "Weight_in_lbs"];
    vec![
        Net::new(&["x"], "y", &[]),
        Net::new(&["x"], "y", &[16]),
        Net::new(&cars, "Acceleration", &[32, 32]),
        Net::new(&ten, "target", &[16]),
        Net::new(&["x"], "y", &[256; 8]),
        Net::new(&ten, "Miles_per_Gallon", &[256; 8]),
    ]
}

fn rects() -> [Rect; 3] {
    [(240.0, 140.0), (420.0, 260.0), (900.0, 500.0)]
        .map(|(w, h)| Rect::from_min_size(pos2(10.0, 20.0), vec2(w, h)))
}

fn styles() -> [DiagramStyle; 2] {
    [1.0, 2.0].map(|scale| DiagramStyle::from_visuals(&egui::Visuals::dark(), scale))
}

/// Every rect, model and scale, with what went where.
fn every_layout() -> Vec<(String, Rect, Net, DiagramLayout)> {
    let mut all = Vec::new();
    for rect in rects() {
        for style in styles() {
            for net in nets() {
                let layout = layout_diagram(rect, &net.model(), &style, estimate);
                let case = format!(
                    "{} inputs, hidden {:?}, at font {} in {:?}",
                    net.x_names.len(),
                    net.hidden,
                    style.font_size,
                    rect.size()
                );
                all.push((case, rect, net, layout));
            }
        }
    }
    all
}

fn overlap(a: Rect, b: Rect) -> bool {
    let both = a.intersect(b);
    both.width() > 0.01 && both.height() > 0.01
}

#[test]
fn nodes_stay_inside_and_apart() {
    for (case, rect, net, layout) in every_layout() {
        let radius = layout.node_radius;
        assert!(radius >= MIN_RADIUS, "{case}: nothing drawn");
        for node in &layout.nodes {
            assert!(
                rect.shrink(radius - 0.01).contains(node.center),
                "{case}: {node:?} at the edge"
            );
        }
        assert_eq!(layout.columns.len(), net.model().layer_count(), "{case}");
        // No two nodes overlap, in a column or across columns, nor do the ellipsis dots.
        for (i, node) in layout.nodes.iter().enumerate() {
            for other in &layout.nodes[i + 1..] {
                let distance = node.center.distance(other.center);
                assert!(distance >= 2.0 * radius, "{case}: {node:?} and {other:?}");
            }
            for (_, dots) in &layout.ellipses {
                assert!(
                    node.center.distance(*dots) >= 1.9 * radius,
                    "{case}: {node:?}"
                );
            }
        }
    }
}

#[test]
fn labels_stay_inside_and_apart() {
    for (case, rect, _, layout) in every_layout() {
        assert!(!layout.labels.is_empty(), "{case}: no labels");
        for (i, label) in layout.labels.iter().enumerate() {
            assert!(!label.text.is_empty(), "{case}");
            assert!(
                rect.expand(0.01).contains_rect(label.rect),
                "{case}: {label:?} outside"
            );
            for other in &layout.labels[i + 1..] {
                assert!(
                    !overlap(label.rect, other.rect),
                    "{case}: {label:?} and {other:?}"
                );
            }
        }
    }
}

#[test]
fn every_column_shows_its_first_and_last_unit_and_an_ellipsis_for_the_rest() {
    for (case, _, net, layout) in every_layout() {
        let model = net.model();
        for (layer, column) in layout.columns.iter().enumerate() {
            let units: Vec<usize> = layout.nodes[column.clone()]
                .iter()
                .map(|node| node.unit)
                .collect();
            assert_eq!(units.first(), Some(&0), "{case}: layer {layer}");
            assert_eq!(
                units.last(),
                Some(&(model.units(layer) - 1)),
                "{case}: layer {layer}"
            );
            let ellipses = layout.ellipses.iter().filter(|(l, _)| *l == layer).count();
            let hidden_units = units.len() < model.units(layer);
            assert_eq!(ellipses, usize::from(hidden_units), "{case}: layer {layer}");
        }
    }
}

#[test]
fn a_wide_layer_is_cut_with_an_ellipsis_between_its_drawn_units() {
    let net = Net::new(&["x"], "y", &[256]);
    for rect in rects() {
        let layout = layout_diagram(rect, &net.model(), &styles()[0], estimate);
        let hidden: Vec<&NodeSlot> = layout.nodes.iter().filter(|node| node.layer == 1).collect();
        let (Some(first), Some(last)) = (hidden.first(), hidden.last()) else {
            panic!("no nodes")
        };
        assert_eq!((first.unit, last.unit), (0, 255));
        assert!(hidden.len() < 256);
        let [(1, dots)] = layout.ellipses[..] else {
            panic!("{:?}", layout.ellipses)
        };
        let before_last = hidden[hidden.len() - 2].center.y;
        assert!(before_last < dots.y && dots.y < last.center.y);
    }
}

#[test]
fn the_smallest_network_has_two_nodes_and_one_caption_each() {
    let net = Net::new(&["x"], "y", &[]);
    for rect in rects() {
        let layout = layout_diagram(rect, &net.model(), &styles()[0], estimate);
        assert_eq!(layout.nodes.len(), 2);
        assert!(layout.ellipses.is_empty());
        let texts: Vec<&str> = layout
            .labels
            .iter()
            .map(|label| label.text.as_str())
            .collect();
        assert_eq!(texts, ["x", "y", "input", "1", "output", "1 linear"]);
    }
}

fn texts(net: &Net, rect: Rect) -> Vec<String> {
    let layout = layout_diagram(rect, &net.model(), &styles()[0], estimate);
    layout.labels.into_iter().map(|label| label.text).collect()
}

#[test]
fn captions_are_full_when_wide_and_short_when_narrow() {
    let wide = texts(&Net::new(&["x"], "y", &[16]), rects()[2]);
    assert!(wide.contains(&"hidden 1".to_owned()) && wide.contains(&"16 tanh".to_owned()));
    let narrow = texts(&Net::new(&["x"], "y", &[256; 8]), rects()[1]);
    assert!(narrow.contains(&"h8".to_owned()) && narrow.contains(&"256".to_owned()));
    assert!(!narrow.iter().any(|text| text.starts_with("hidden")));
}

#[test]
fn long_names_are_shortened_with_their_full_name_kept_for_hovering() {
    let long = "a_very_long_column_name_for_a_small_window";
    let layout = layout_diagram(
        rects()[0],
        &Net::new(&[long], "y", &[4]).model(),
        &styles()[0],
        estimate,
    );
    let label = layout
        .labels
        .iter()
        .find(|label| label.hover == long)
        .expect("a label");
    assert!(label.text.ends_with('…') && label.text.len() < long.len());
    assert!(long.starts_with(label.text.trim_end_matches('…')));
}

#[test]
fn degenerate_inputs_draw_little_or_nothing_without_panicking() {
    let style = &styles()[0];
    let empty = Net::new(&[], "", &[0, 3]);
    for rect in [
        Rect::NOTHING,
        Rect::ZERO,
        Rect::EVERYTHING,
        Rect::from_min_size(Pos2::ZERO, vec2(30.0, 10.0)),
    ] {
        let layout = layout_diagram(rect, &empty.model(), style, estimate);
        assert!(layout.nodes.is_empty(), "{rect:?}");
    }
    // Finite but absurd: no overflow counting slots.
    let huge = Rect::from_min_size(Pos2::ZERO, vec2(1e30, 1e30));
    let net = Net::new(&["x"], "y", &[usize::MAX]);
    let drawn = layout_diagram(huge, &net.model(), style, estimate)
        .nodes
        .len();
    assert_eq!(
        drawn,
        1 + (MAX_SLOTS - 1) + 1,
        "input, the hidden slots but one, output"
    );
    let layout = layout_diagram(rects()[1], &empty.model(), style, estimate);
    assert_eq!(layout.nodes.len(), 4, "3 hidden units and the output");
    assert!(layout.labels.iter().all(|label| !label.text.is_empty()));
    let mut broken = style.clone();
    (broken.font_size, broken.node_radius) = (f32::NAN, -1.0);
    assert!(
        layout_diagram(rects()[1], &empty.model(), &broken, |_, _| f32::NAN)
            .nodes
            .is_empty()
    );
}

#[test]
fn hover_finds_a_node_and_names_it() {
    let net = Net::new(&["Horsepower"], "mpg", &[16, 16]);
    let layout = layout_diagram(rects()[2], &net.model(), &styles()[0], estimate);
    let node = layout
        .nodes
        .iter()
        .find(|node| node.layer == 2 && node.unit == 4)
        .expect("drawn");
    let found = layout.node_at(node.center + vec2(1.0, 1.0));
    assert_eq!(found.map(|node| (node.layer, node.unit)), Some((2, 4)));
    assert_eq!(net.model().unit_name(2, 4), "hidden 2, unit 5");
    assert_eq!(net.model().unit_name(0, 0), "Horsepower");
    assert_eq!(net.model().unit_name(3, 0), "mpg");
    assert_eq!(layout.node_at(rects()[2].min), None);
}
#[test]
fn the_ui_uses_the_real_font_and_reports_the_hovered_node() {
    struct Seen {
        hovered: Option<(usize, usize)>,
        layout: DiagramLayout,
        rect: Rect,
    }
    let net = Net::new(
        &["Miles_per_Gallon", "Horsepower"],
        "Acceleration",
        &[64, 8],
    );
    let mut harness = egui_kittest::Harness::builder()
        .with_size(vec2(640.0, 360.0))
        .build_ui_state(
            |ui, seen: &mut Seen| {
                let style = DiagramStyle::from_visuals(ui.visuals(), 1.5);
                let shown = network_diagram_overlay_ui(
                    ui,
                    &net.model(),
                    &style,
                    &DiagramOverlay::default(),
                );
                let (response, hovered) = (shown.response, shown.hovered_node);
                let measure = |text: &str, size| {
                    let (text, font) = (text.to_owned(), FontId::proportional(size));
                    let galley = ui.fonts_mut(|f| f.layout_no_wrap(text, font, Color32::WHITE));
                    galley.size().x
                };
                seen.layout = layout_diagram(response.rect, &net.model(), &style, measure);
                (seen.hovered, seen.rect) = (hovered, response.rect);
            },
            Seen {
                hovered: None,
                layout: DiagramLayout::default(),
                rect: Rect::NOTHING,
            },
        );
    harness.run();
    let layout = harness.state().layout.clone();
    assert_eq!(
        layout.labels.len(),
        3 + 8,
        "three names, two lines under four columns"
    );
    for (i, label) in layout.labels.iter().enumerate() {
        assert!(harness.state().rect.contains_rect(label.rect), "{label:?}");
        assert!(
            !layout.labels[i + 1..]
                .iter()
                .any(|other| overlap(label.rect, other.rect))
        );
    }
    let target = layout
        .nodes
        .iter()
        .find(|node| node.layer == 1)
        .expect("a hidden node");
    harness.hover_at(target.center);
    harness.run();
    assert_eq!(harness.state().hovered, Some((1, 0)));
    let tooltip = egui_kittest::kittest::Queryable::query_by_label(&harness, "hidden 1, unit 1");
    assert!(tooltip.is_some(), "the hover text names the unit");
}

#[test]
fn hidden_layers_too_narrow_for_their_own_captions_share_one() {
    let deep = Net::new(&["x"], "y", &[256; 8]);
    // Ten columns in 220 points: no room for "256" under each.
    let narrow = texts(&deep, Rect::from_min_size(Pos2::ZERO, vec2(220.0, 250.0)));
    assert!(narrow.contains(&"hidden 1–8".to_owned()), "{narrow:?}");
    assert!(narrow.contains(&"256 each, tanh".to_owned()), "{narrow:?}");
    assert!(!narrow.contains(&"h1".to_owned()), "{narrow:?}");
    assert!(narrow.contains(&"in".to_owned()) && narrow.contains(&"out".to_owned()));
    // With room, each layer keeps its own caption.
    let wide = texts(&deep, Rect::from_min_size(Pos2::ZERO, vec2(1200.0, 400.0)));
    assert!(!wide.contains(&"hidden 1–8".to_owned()), "{wide:?}");
}

//! Dashed lines that stay cheap however far a plot is zoomed in.
//!
//! egui_plot leaves out the segments of a line that miss the plot, but hands a segment that
//! crosses it to epaint whole, and epaint cuts a dashed segment into dashes along its whole length
//! on screen, the parts far outside the plot too. Zoomed in a thousandfold, a segment is a
//! million points long and a frame makes a hundred thousand dashes; further in, epaint's f32
//! position along the segment stops advancing, and the frame never ends while memory fills (found
//! by the monkey test). So a dashed line's segments are cut first to the part of the plot around
//! what it showed in the last frame, and what lies beyond is left out.

use egui_plot::{PlotBounds, PlotUi};

/// `points` cut for drawing dashed in `plot_ui`: each segment to the plot's last bounds widened by
/// half their size on each side (room for this frame's pan or zoom), with a NaN point where the
/// line leaves that area (egui_plot breaks a line at a point that is not finite).
pub fn dashed_line_points(points: &[[f64; 2]], plot_ui: &PlotUi<'_>) -> Vec<[f64; 2]> {
    clip_polyline(points, &plot_ui.plot_bounds())
}

fn clip_polyline(points: &[[f64; 2]], bounds: &PlotBounds) -> Vec<[f64; 2]> {
    let (min, max) = (bounds.min(), bounds.max());
    let (width, height) = (max[0] - min[0], max[1] - min[1]);
    let is_known = width.is_finite() && height.is_finite() && width > 0.0 && height > 0.0;
    if !is_known || points.len() < 2 {
        // Before the plot's first frame there are no bounds to cut to.
        return points.to_vec();
    }
    let area = (
        [min[0] - width / 2.0, min[1] - height / 2.0],
        [max[0] + width / 2.0, max[1] + height / 2.0],
    );
    let mut clipped: Vec<[f64; 2]> = Vec::with_capacity(points.len());
    for pair in points.windows(2) {
        let Some((start, end)) = clip_segment(pair[0], pair[1], area) else {
            continue;
        };
        if clipped.last() != Some(&start) {
            if !clipped.is_empty() {
                clipped.push([f64::NAN, f64::NAN]);
            }
            clipped.push(start);
        }
        clipped.push(end);
    }
    clipped
}

/// The part of the segment `a`–`b` inside `area` (Liang–Barsky), if any.
fn clip_segment(
    a: [f64; 2],
    b: [f64; 2],
    (low, high): ([f64; 2], [f64; 2]),
) -> Option<([f64; 2], [f64; 2])> {
    if !a.iter().chain(&b).all(|value| value.is_finite()) {
        return None;
    }
    let (mut enter, mut leave) = (0.0f64, 1.0f64);
    for axis in 0..2 {
        let delta = b[axis] - a[axis];
        for (p, q) in [(-delta, a[axis] - low[axis]), (delta, high[axis] - a[axis])] {
            if p == 0.0 {
                if q < 0.0 {
                    return None;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    enter = enter.max(t);
                } else {
                    leave = leave.min(t);
                }
            }
        }
    }
    if enter > leave {
        return None;
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
        }
    };
    Some((at(enter), at(leave)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(min: [f64; 2], max: [f64; 2]) -> PlotBounds {
        PlotBounds::from_min_max(min, max)
    }

    #[test]
    fn a_line_inside_the_plot_is_kept_as_it_is() {
        let line = [[0.0, 0.0], [0.5, 0.2], [1.0, 1.0]];
        assert_eq!(
            clip_polyline(&line, &bounds([0.0, 0.0], [1.0, 1.0])),
            line.to_vec()
        );
    }

    #[test]
    fn a_segment_across_a_plot_zoomed_in_a_billionfold_is_cut_to_around_the_plot() {
        let line = [[-1e9, -1e9], [1e9, 1e9]];
        let clipped = clip_polyline(&line, &bounds([0.0, 0.0], [1.0, 1.0]));
        assert_eq!(clipped.len(), 2, "{clipped:?}");
        for (point, expected) in clipped.iter().zip([-0.5, 1.5]) {
            assert!(
                point.iter().all(|value| (value - expected).abs() < 1e-6),
                "{clipped:?}"
            );
        }
    }

    #[test]
    fn a_line_that_leaves_the_plot_and_comes_back_is_broken_where_it_is_away() {
        let line = [[0.0, 0.5], [0.5, 100.0], [1.0, 0.5]];
        let clipped = clip_polyline(&line, &bounds([0.0, 0.0], [1.0, 1.0]));
        assert_eq!(clipped.len(), 5, "{clipped:?}");
        assert_eq!(clipped[0], [0.0, 0.5]);
        assert!(
            clipped[2][0].is_nan() && clipped[2][1].is_nan(),
            "{clipped:?}"
        );
        assert_eq!(clipped[4], [1.0, 0.5]);
        for point in [clipped[1], clipped[3]] {
            assert!(
                (point[1] - 1.5).abs() < 1e-12,
                "cut at the area's top: {point:?}"
            );
        }
    }

    #[test]
    fn segments_away_from_the_plot_and_points_that_are_not_numbers_are_left_out() {
        let line = [[5.0, 5.0], [6.0, 6.0], [f64::NAN, 0.5], [0.2, 0.2]];
        assert!(clip_polyline(&line, &bounds([0.0, 0.0], [1.0, 1.0])).is_empty());
    }

    #[test]
    fn before_the_first_frame_the_line_is_kept_as_it_is() {
        let line = [[-1e9, 0.0], [1e9, 0.0]];
        assert_eq!(clip_polyline(&line, &PlotBounds::NOTHING), line.to_vec());
    }
}

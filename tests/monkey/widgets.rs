//! Widgets as the accessibility tree shows them: what the monkey can act on.

use egui::accesskit::{self, Role};
use egui::{Rect, pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT, Queryable};
use nanograd::app::NanogradApp;

use crate::vocabulary::EXCLUDED;

/// A widget found in the accessibility tree, owned so that the harness can step after.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub(crate) role: Role,
    pub(crate) label: String,
    pub(crate) rect: Rect,
    pub(crate) node: (accesskit::NodeId, accesskit::TreeId),
    pub(crate) is_checked: bool,
    pub(crate) is_collapsed: bool,
}

impl Target {
    pub(crate) fn describe(&self) -> String {
        format!("{:?} {:?}", self.role, self.label)
    }
}

pub(crate) fn targets(harness: &Harness<'_, NanogradApp>, roles: &[Role]) -> Vec<Target> {
    let ppp = harness.ctx.pixels_per_point();
    harness
        .query_all(By::new().predicate(|node| {
            roles.contains(&node.role()) && !node.is_disabled() && !node.is_hidden()
        }))
        .filter_map(|node| {
            let node = node.accesskit_node();
            let bounds = node.bounding_box()?;
            let label = node.label().or_else(|| node.value()).unwrap_or_default();
            Some(Target {
                role: node.role(),
                rect: Rect::from_min_max(
                    pos2(bounds.x0 as f32 / ppp, bounds.y0 as f32 / ppp),
                    pos2(bounds.x1 as f32 / ppp, bounds.y1 as f32 / ppp),
                ),
                label,
                node: node.locate(),
                is_checked: node.toggled() == Some(accesskit::Toggled::True),
                is_collapsed: node.data().is_expanded() == Some(false),
            })
        })
        .filter(|target| !EXCLUDED.contains(&target.label.as_str()))
        .collect()
}

pub(crate) fn find(
    harness: &Harness<'_, NanogradApp>,
    label: &str,
    roles: &[Role],
) -> Option<Target> {
    targets(harness, roles)
        .into_iter()
        .find(|target| target.label == label)
}

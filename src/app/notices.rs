//! The messages area: one place above the plots that keeps the latest few messages, each
//! dismissible, and drops the ones that no longer hold.
//!
//! Every notice belongs to a [`Topic`]. A new notice replaces the one of the same topic (four bad
//! files in a row leave one message about the last of them, not four), and the app clears a
//! topic when the situation it described is over: a reset ends "Training diverged", new data ends
//! "Epoch limit reached". Good news ("Weights saved") fades after a few seconds; problems and
//! notes stay until they are dismissed or resolved. Knows nothing about training or files.

use std::time::{Duration, Instant};

/// Most notices on screen at once; the oldest drops off.
pub const MAX_NOTICES: usize = 3;
/// How long good news stays.
const INFO_LIFETIME: Duration = Duration::from_secs(8);

/// What a notice is about; at most one notice per topic is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Loading data or choosing its columns.
    Data,
    /// The state of training: diverged, epoch limit, the worker restarted.
    Training,
    /// Saving or loading weights.
    Weights,
    /// What is going wrong with training right now, and what to do (the live advice).
    Advice,
    /// Anything else (the start-up fallbacks, a missing dialog).
    General,
}

/// A message shown in the window until dismissed or no longer true.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub topic: Topic,
    pub is_error: bool,
    pub title: String,
    pub message: String,
    /// Good news that needs no answer ("Weights saved") fades after a few seconds.
    pub fades: bool,
    /// The label of a button that does what the message advises; the app knows what it does.
    pub action: Option<String>,
}

/// What the user did with the notices this frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoticeResponse {
    /// The topic whose action button was pressed.
    pub acted_on: Option<Topic>,
    /// The topic of the notice that was dismissed.
    pub dismissed: Option<Topic>,
}

#[derive(Default)]
pub struct Notices {
    /// Oldest first, with the moment each was shown.
    shown: Vec<(Notice, Instant)>,
}

impl Notices {
    pub fn push(&mut self, notice: Notice) {
        self.shown.retain(|(shown, _)| shown.topic != notice.topic);
        self.shown.push((notice, Instant::now()));
        if self.shown.len() > MAX_NOTICES {
            self.shown.remove(0);
        }
    }

    /// Drop every notice about `topic`: what it said is over.
    pub fn clear(&mut self, topic: Topic) {
        self.shown.retain(|(shown, _)| shown.topic != topic);
    }

    pub fn iter(&self) -> impl Iterator<Item = &Notice> {
        self.shown.iter().map(|(notice, _)| notice)
    }

    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    /// Drop good news older than its lifetime. Returns when the next one expires, so the UI can
    /// ask for a frame then.
    pub fn expire(&mut self, now: Instant) -> Option<Duration> {
        self.shown.retain(|(notice, shown_at)| {
            !notice.fades || now.duration_since(*shown_at) < INFO_LIFETIME
        });
        self.shown
            .iter()
            .filter(|(notice, _)| notice.fades)
            .map(|(_, shown_at)| (*shown_at + INFO_LIFETIME).saturating_duration_since(now))
            .min()
    }

    /// Draw the notices, newest last, each wrapped to the width there is, with its action
    /// button if it has one and a close button; nothing when there are none.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> NoticeResponse {
        let mut response = NoticeResponse::default();
        let mut dismissed = None;
        for (index, (notice, _)) in self.shown.iter().enumerate() {
            let color = if notice.is_error {
                ui.visuals().error_fg_color
            } else {
                ui.visuals().hyperlink_color
            };
            egui::Frame::group(ui.style())
                .stroke(egui::Stroke::new(2.0, color))
                .inner_margin(egui::Margin::symmetric(8, 4))
                .show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.horizontal_top(|ui| {
                        // The close button first (right-aligned), so the text wraps in what is left.
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::TOP), |ui| {
                            let close = egui::Button::new("×").frame(false);
                            if ui
                                .add(close)
                                .on_hover_text("Dismiss this message")
                                .clicked()
                            {
                                dismissed = Some(index);
                            }
                            let font = egui::TextStyle::Body.resolve(ui.style());
                            let mut text = egui::text::LayoutJob::default();
                            text.append(
                                &format!("{}  ", notice.title),
                                0.0,
                                egui::TextFormat::simple(font.clone(), color),
                            );
                            text.append(
                                &notice.message,
                                0.0,
                                egui::TextFormat::simple(font, ui.visuals().text_color()),
                            );
                            if let Some(label) = &notice.action
                                && ui.button(label).clicked()
                            {
                                response.acted_on = Some(notice.topic);
                            }
                            ui.with_layout(egui::Layout::left_to_right(egui::Align::TOP), |ui| {
                                ui.add(egui::Label::new(text).wrap());
                            });
                        });
                    });
                });
        }
        if let Some(index) = dismissed {
            response.dismissed = Some(self.shown.remove(index).0.topic);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(topic: Topic, title: &str, is_error: bool) -> Notice {
        Notice {
            topic,
            is_error,
            title: title.to_owned(),
            message: String::new(),
            fades: !is_error,
            action: None,
        }
    }

    #[test]
    fn a_new_notice_replaces_the_one_on_the_same_topic() {
        let mut notices = Notices::default();
        for file in ["a.csv", "b.csv", "c.csv", "d.csv"] {
            notices.push(notice(Topic::Data, file, true));
        }
        let titles: Vec<_> = notices.iter().map(|n| n.title.as_str()).collect();
        assert_eq!(titles, ["d.csv"]);
    }

    #[test]
    fn only_the_latest_few_are_kept() {
        let mut notices = Notices::default();
        notices.push(notice(Topic::Data, "data", true));
        notices.push(notice(Topic::Training, "training", true));
        notices.push(notice(Topic::Weights, "weights", true));
        notices.push(notice(Topic::General, "general", true));
        let titles: Vec<_> = notices.iter().map(|n| n.title.as_str()).collect();
        assert_eq!(titles, ["training", "weights", "general"]);
    }

    #[test]
    fn clearing_a_topic_keeps_the_others() {
        let mut notices = Notices::default();
        notices.push(notice(Topic::Training, "diverged", true));
        notices.push(notice(Topic::Data, "bad file", true));
        notices.clear(Topic::Training);
        let titles: Vec<_> = notices.iter().map(|n| n.title.as_str()).collect();
        assert_eq!(titles, ["bad file"]);
    }

    #[test]
    fn good_news_expires_and_problems_stay() {
        let mut notices = Notices::default();
        notices.push(notice(Topic::Weights, "saved", false));
        notices.push(notice(Topic::Data, "bad file", true));
        let next = notices.expire(Instant::now());
        assert!(next.is_some_and(|wait| wait <= INFO_LIFETIME));
        let later = Instant::now() + INFO_LIFETIME + Duration::from_millis(1);
        assert_eq!(notices.expire(later), None);
        let titles: Vec<_> = notices.iter().map(|n| n.title.as_str()).collect();
        assert_eq!(titles, ["bad file"]);
    }
}

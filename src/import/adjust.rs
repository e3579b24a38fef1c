//! An [`Item`] as read in, the same item out with everything that would break a
//! `check` rule adjusted, and one warning per adjustment naming the item.
//! Anything that breaks no rule is left as the source has it.

use super::item::{Item, Notes};
use super::when;
use crate::model::{Classification, Status};
use std::cmp::Ordering;

pub(crate) fn adjust(item: &mut Item, notes: &mut Notes) {
    let label = item.label.clone();
    if item
        .timeline
        .windows(2)
        .any(|w| w[1].at.cmp(&w[0].at) == Ordering::Less)
    {
        item.timeline.sort_by(|a, b| a.at.cmp(&b.at));
        notes.warn(
            &label,
            "the updates were not in time order; sorted oldest first",
        );
    }
    if item.status != Status::Resolved
        && let Some(r) = item.resolved.take()
    {
        notes.warn(
            &label,
            format!(
                "resolved at `{}` but its status is `{}`; `resolved` left out",
                r.text,
                item.status.as_str()
            ),
        );
    }
    if let Some(r) = &item.resolved
        && r.cmp(&item.started) == Ordering::Less
    {
        // The last update at or after the start is the best guess of the end.
        let fixed = item
            .timeline
            .iter()
            .rev()
            .map(|e| &e.at)
            .find(|at| at.cmp(&item.started) != Ordering::Less)
            .unwrap_or(&item.started)
            .clone();
        notes.warn(
            &label,
            format!(
                "resolved `{}` is before started `{}`; `resolved` set to `{}`",
                r.text, item.started.text, fixed.text
            ),
        );
        item.resolved = Some(fixed);
    }
    if item.classification == Classification::Maintenance
        && let Some((start, end)) = &mut item.window
        && end.cmp(start) != Ordering::Greater
    {
        let fixed = when::plus_seconds(start, 3600);
        notes.warn(
            &label,
            format!("the maintenance window ends (`{}`) no later than it starts; end set to one hour after the start, `{}`", end.text, fixed.text),
        );
        *end = fixed;
    }
    item.sources.retain(|(_, url)| {
        let ok = url.starts_with("https://") || url.starts_with("http://");
        if !ok {
            notes.warn(
                &label,
                format!("the source link `{url}` is not a web link; left out"),
            );
        }
        ok
    });
    if item.title.trim().is_empty() {
        item.title = "Untitled incident".into();
        notes.warn(&label, "the title is empty; titled `Untitled incident`");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::item::{Entry, IdHint, When};

    fn w(s: &str) -> When {
        when::parse(s, &jiff::tz::TimeZone::UTC).unwrap().0
    }

    #[test]
    fn resolved_before_started_moves_to_the_last_update() {
        let mut item = Item::new(
            "x".into(),
            IdHint::Source("x".into()),
            "t".into(),
            w("2024-01-02T10:00:00Z"),
        );
        item.status = Status::Resolved;
        item.resolved = Some(w("2024-01-01T10:00:00Z"));
        item.timeline = vec![
            Entry {
                at: w("2024-01-02T12:00:00Z"),
                status: Some(Status::Resolved),
                text: "b".into(),
            },
            Entry {
                at: w("2024-01-02T11:00:00Z"),
                status: None,
                text: "a".into(),
            },
        ];
        let mut notes = Notes::default();
        adjust(&mut item, &mut notes);
        assert_eq!(item.resolved.unwrap().text, "2024-01-02T12:00:00Z");
        assert_eq!(item.timeline[0].text, "a");
        assert_eq!(notes.warnings.len(), 2, "{:?}", notes.warnings);
    }
}

//! Statusfy incident files in (YAML front matter; a Markdown body with
//! `::: update STATUS | TIME` blocks), one [`Item`] each out: the blocks become
//! the timeline, the rest the body.

use super::item::{Entry, Item};
use super::read::{Ctx, file_item, flag, text};
use super::{html, when};
use crate::model::{Classification, Severity, Status};
use serde_json::Value;

pub(crate) fn item(doc: &str, fm: &Value, body: &str, cx: &mut Ctx) -> Option<Item> {
    let mut item = file_item(doc, fm, &["affectedsystems", "affectsSystems"], cx)?;
    let label = item.label.clone();
    let resolved = flag(fm, "resolved");
    let modified = cx.time(&label, fm, "modified");
    let severity = text(fm, "severity").map(|s| s.trim().to_ascii_lowercase());
    item.severity = match severity.as_deref() {
        Some("major-outage") => Some(Severity::Critical),
        Some("partial-outage") => Some(Severity::Major),
        Some("degraded-performance") => Some(Severity::Minor),
        Some("under-maintenance") => Some(Severity::None),
        Some(s) => {
            cx.notes
                .warn(&label, format!("unknown severity `{s}` left out"));
            None
        }
        None => None,
    };
    if severity.as_deref() == Some("under-maintenance") {
        item.classification = Classification::Maintenance;
        let end = modified.clone().unwrap_or_else(|| {
            let end = when::plus_seconds(&item.started, 3600);
            cx.notes.warn(
                &label,
                format!(
                    "maintenance without `modified`: window ends one hour after `date`, at `{}`",
                    end.text
                ),
            );
            end
        });
        item.window = Some((item.started.clone(), end));
    }
    item.status = if resolved {
        Status::Resolved
    } else {
        Status::Investigating
    };
    if resolved {
        item.resolved = modified;
    }
    let (rest, timeline) = blocks(&label, body, cx);
    item.body = html::tidy(&rest);
    item.timeline = timeline;
    item.timeline.sort_by(|a, b| a.at.cmp(&b.at));
    Some(item)
}

/// Split the body into its text outside update blocks and the blocks' entries.
fn blocks(label: &str, body: &str, cx: &mut Ctx) -> (String, Vec<Entry>) {
    let mut rest = String::new();
    let mut entries = Vec::new();
    let mut open: Option<(usize, String, Vec<&str>)> = None;
    for (n, line) in body.lines().enumerate() {
        let t = line.trim();
        match (&mut open, t.strip_prefix(":::")) {
            (Some(_), Some(after)) if after.trim().is_empty() => {
                let (at, header, lines) = open.take().expect("checked");
                entry(label, at, &header, &lines, cx, &mut entries);
            }
            (None, Some(after)) if !after.trim().is_empty() => {
                open = Some((n + 1, after.trim().to_string(), Vec::new()))
            }
            (Some((_, _, lines)), _) => lines.push(line),
            (None, _) => {
                rest.push_str(line);
                rest.push('\n');
            }
        }
    }
    if let Some((at, header, lines)) = open {
        cx.notes.warn(label, format!("the update block opened at body line {at} is never closed; it runs to the end of the file"));
        entry(label, at, &header, &lines, cx, &mut entries);
    }
    (rest, entries)
}

/// One `::: update STATUS | TIME` block as a timeline entry.
fn entry(
    label: &str,
    at_line: usize,
    header: &str,
    lines: &[&str],
    cx: &mut Ctx,
    out: &mut Vec<Entry>,
) {
    let blabel = format!("{label}: update block at body line {at_line}");
    let header = match header.split_once(char::is_whitespace) {
        Some((w, rest)) if w.eq_ignore_ascii_case("update") => rest.trim(),
        _ if header.eq_ignore_ascii_case("update") => "",
        _ => {
            cx.notes.warn(
                &blabel,
                format!("the block header `::: {header}` has no word `update`; read as an update"),
            );
            header
        }
    };
    let (status_word, time) = header
        .split_once('|')
        .map_or((header, ""), |(s, t)| (s.trim(), t.trim()));
    let text = html::tidy(&lines.join("\n"));
    if text.is_empty() {
        cx.notes.warn(&blabel, "the update block is empty; skipped");
        return;
    }
    let at = match when::parse(time, cx.tz) {
        Ok((w, when::Read::AsWritten)) => w,
        Ok((w, when::Read::SiteZone)) => {
            cx.notes.warn(
                &blabel,
                format!(
                    "the time `{time}` has no offset; read in the site time zone as `{}`",
                    w.text
                ),
            );
            w
        }
        Err(e) => {
            cx.notes.warn(
                &blabel,
                format!("skipped: the block has no usable time ({e})"),
            );
            return;
        }
    };
    let status = match status_word.to_ascii_lowercase().as_str() {
        "" => None,
        s => {
            let st = Status::parse(s);
            if st.is_none() {
                cx.notes
                    .warn(&blabel, format!("unknown status `{status_word}` left out"));
            }
            st
        }
    };
    out.push(Entry { at, status, text });
}

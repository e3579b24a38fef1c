//! A newer copy of an incident in, the existing file's text with only
//! `title`, `status`, `severity` and `resolved` updated and the missing
//! timeline entries appended out — through the surgical edit layer
//! ([`crate::edit`]), so the body, comments and keys a writer added stay.

use super::item::{Entry, Item, When};
use crate::diag::{Diagnostic, SourceText};
use crate::edit::{FrontMatterEdit, Scalar};
use crate::frontmatter::DocKind;
use crate::model::{Document, Incident, Status};
use crate::time::Timestamp;
use std::sync::Arc;

/// The edited text (equal to `old` when nothing changed) and the warnings of
/// entries that could not be appended.
pub(crate) fn merge(
    shown: &str,
    old: &str,
    item: &Item,
) -> Result<(String, Vec<String>), Diagnostic> {
    let inc = parse(shown, old)?;
    let mut warnings = Vec::new();
    let mut e = FrontMatterEdit::new(shown, old)?;
    if inc.title != item.title {
        e.set("title", Scalar::Text(item.title.clone()));
    }
    if inc.status != item.status {
        e.set("status", item.status.into());
    }
    if let Some(s) = item.severity
        && inc.severity != Some(s)
    {
        e.set("severity", s.into());
    }
    let utc = jiff::tz::TimeZone::UTC;
    match &item.resolved {
        Some(r) if r.ts.cmp_in(&inc.started, &utc).is_lt() => warnings.push(format!(
            "{}: resolved `{}` is before `started` in {shown}; `resolved` left as it is",
            item.label, r.text
        )),
        Some(r) if inc.resolved != Some(r.ts) => e.set("resolved", Scalar::Text(r.text.clone())),
        None if item.status != Status::Resolved && inc.resolved.is_some() => e.remove("resolved"),
        _ => {}
    }
    let mut last = inc.timeline.last().map(|t| t.at);
    for entry in &item.timeline {
        if inc
            .timeline
            .iter()
            .any(|t| same_second(&t.at, &entry.at.ts) && t.text == entry.text)
        {
            continue;
        }
        let in_order =
            last.is_none_or(|l| l.cmp_in(&entry.at.ts, &jiff::tz::TimeZone::UTC).is_le());
        match zoned(&entry.at) {
            Some(z) if in_order => {
                e.append_timeline(&z, entry.status, &entry.text)?;
                last = Some(entry.at.ts);
            }
            _ => warnings.push(skipped(&item.label, shown, entry, in_order)),
        }
    }
    Ok((e.finish(), warnings))
}

fn skipped(label: &str, shown: &str, entry: &Entry, in_order: bool) -> String {
    let why = if in_order {
        "it has a date but no time"
    } else {
        "it is older than the last entry there, and timelines run oldest first"
    };
    format!(
        "{label}: the update at `{}` was not added to {shown}: {why}; add it by hand if you want it",
        entry.at.text
    )
}

fn parse(shown: &str, old: &str) -> Result<Box<Incident>, Diagnostic> {
    let src = Arc::new(SourceText::new(shown, old.to_string()));
    let content_path = shown.strip_prefix("content/").unwrap_or(shown);
    match crate::frontmatter::parse(DocKind::Incident, src, content_path) {
        Ok(Document::Incident(inc)) => Ok(inc),
        Ok(_) => Err(Diagnostic::error(shown, "this file is not an incident")
            .hint("move it, or remove its `id`")),
        Err(diags) => Err(diags
            .into_iter()
            .find(Diagnostic::is_error)
            .unwrap_or_else(|| Diagnostic::error(shown, "the file cannot be read as an incident"))
            .hint("fix the file, then import again; nothing was changed in it")),
    }
}

/// Equal to the second: the edit layer writes times to the second.
fn same_second(a: &Timestamp, b: &Timestamp) -> bool {
    match (a, b) {
        (Timestamp::Instant(x), Timestamp::Instant(y)) => x.as_second() == y.as_second(),
        _ => a == b,
    }
}

/// The source time in its own offset or zone, for the edit layer.
fn zoned(w: &When) -> Option<jiff::ZonedDateTime> {
    let Timestamp::Instant(t) = w.ts else {
        return None;
    };
    if w.text.contains('[') {
        return w.text.parse::<jiff::ZonedDateTime>().ok();
    }
    let tz = match w.text.strip_suffix('Z') {
        Some(_) => jiff::tz::TimeZone::UTC,
        None => {
            let off = jiff::fmt::temporal::Pieces::parse(&w.text)
                .ok()?
                .to_numeric_offset()?;
            jiff::tz::TimeZone::fixed(off)
        }
    };
    Some(t.to_zoned_datetime(tz))
}

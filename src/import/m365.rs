//! Microsoft Graph service health issues in (one `serviceHealthIssue` or a
//! `{"value": […]}` list), one [`Item`] each out: service and feature, the
//! status words mapped to sitrep's, posts as the timeline.

use super::html;
use super::item::{Entry, IdHint, Item};
use super::read::{Ctx, flag, id_text, text};
use crate::model::{Classification, Status};
use serde_json::Value;

pub(crate) fn items(doc_name: &str, v: &Value, cx: &mut Ctx) -> Result<Vec<Item>, String> {
    let records: Vec<&Value> = match v {
        Value::Object(o) if o.get("value").is_some_and(Value::is_array) => {
            o["value"].as_array().into_iter().flatten().collect()
        }
        Value::Object(o)
            if o.contains_key("id")
                && (o.contains_key("title") || o.contains_key("startDateTime")) =>
        {
            vec![v]
        }
        Value::Array(a) => a.iter().collect(),
        _ => {
            return Err("this is not a Microsoft Graph service health issue: expected one `serviceHealthIssue` object or a `{\"value\": […]}` list".into());
        }
    };
    Ok(records
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| one(doc_name, i, r, cx))
        .collect())
}

fn one(doc: &str, index: usize, r: &Value, cx: &mut Ctx) -> Option<Item> {
    let id = id_text(r, "id");
    let label = match &id {
        Some(id) => format!("{doc}: issue {id}"),
        None => format!("{doc}: issue #{}", index + 1),
    };
    let Some(started) = cx.first_time(&label, r, &["startDateTime"]) else {
        cx.notes.skip(&label, "it has no `startDateTime`");
        return None;
    };
    let title = text(r, "title").map(str::to_string);
    let hint = IdHint::Source(
        id.clone()
            .unwrap_or_else(|| title.clone().unwrap_or_default()),
    );
    let fallback_title = id.clone().unwrap_or_else(|| "Untitled issue".into());
    let mut item = Item::new(
        label.clone(),
        hint,
        title.clone().unwrap_or(fallback_title),
        started,
    );
    if title.is_none() {
        cx.notes.warn(
            &label,
            format!("it has no `title`; titled `{}`", item.title),
        );
    }
    item.services = vec![text(r, "service").unwrap_or("Microsoft 365").to_string()];
    if let Some(f) = text(r, "feature") {
        item.components = vec![f.trim().to_string()];
    }
    let resolved = flag(r, "isResolved");
    item.status = status(&label, resolved, text(r, "status"), cx);
    item.classification = match text(r, "classification")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("advisory") => Classification::Advisory,
        Some("incident") | None => Classification::Incident,
        Some(other) => {
            cx.notes.warn(
                &label,
                format!("unknown classification `{other}` read as incident"),
            );
            Classification::Incident
        }
    };
    if resolved {
        item.resolved = cx.time(&label, r, "endDateTime");
    }
    item.summary = text(r, "impactDescription").map(one_line);
    item.timeline = posts(&label, r, cx);
    item.updated = cx.time(&label, r, "lastModifiedDateTime");
    Some(item)
}

fn status(label: &str, resolved: bool, raw: Option<&str>, cx: &mut Ctx) -> Status {
    if resolved {
        return Status::Resolved;
    }
    match raw.unwrap_or("investigating") {
        "restoringService" | "extendedRecovery" | "serviceDegradation" | "serviceInterruption" => {
            Status::Identified
        }
        "verifyingService" => Status::Monitoring,
        "investigating" | "investigationSuspended" | "confirmed" | "reported" => {
            Status::Investigating
        }
        other => {
            let known = [
                "serviceRestored",
                "postIncidentReviewPublished",
                "falsePositive",
                "resolved",
                "resolvedExternal",
                "mitigated",
                "mitigatedExternal",
                "serviceOperational",
            ];
            if !known.contains(&other) {
                cx.notes.warn(
                    label,
                    format!("unknown status `{other}` read as investigating"),
                );
            }
            Status::Investigating
        }
    }
}

/// `posts`, oldest first, each a Markdown timeline entry.
fn posts(label: &str, r: &Value, cx: &mut Ctx) -> Vec<Entry> {
    let mut out = Vec::new();
    for (i, p) in r
        .get("posts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let plabel = format!("{label} post #{}", i + 1);
        let Some(at) = cx.time(&plabel, p, "createdDateTime") else {
            cx.notes
                .warn(&plabel, "skipped: it has no `createdDateTime`");
            continue;
        };
        let content = p
            .get("description")
            .and_then(|d| text(d, "content"))
            .unwrap_or("");
        let text = html::to_markdown(&split_sections(content));
        if text.is_empty() {
            cx.notes.warn(&plabel, "the post has no text; skipped");
            continue;
        }
        out.push(Entry {
            at,
            status: None,
            text,
        });
    }
    // Graph lists posts oldest first, but nothing promises it.
    out.sort_by(|a, b| a.at.cmp(&b.at));
    out
}

/// Microsoft's posts run their sections together ("…resolved.User impact:
/// Users…"); a section heading glued to the text before it starts a new paragraph.
fn split_sections(content: &str) -> String {
    const HEADINGS: &[&str] = &[
        "Title:",
        "User impact:",
        "User Impact:",
        "More info:",
        "Current status:",
        "Scope of impact:",
        "Start time:",
        "End time:",
        "Root cause:",
        "Preliminary root cause:",
        "Next update by:",
        "Estimated time to resolve:",
        "Final status:",
    ];
    let mut out = content.to_string();
    for h in HEADINGS {
        let mut fixed = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find(h) {
            let before = rest[..i].chars().last();
            fixed.push_str(&rest[..i]);
            if before.is_some_and(|c| !c.is_whitespace() && c != '>') {
                fixed.push_str(if content.contains('<') {
                    "<br><br>"
                } else {
                    "\n\n"
                });
            }
            fixed.push_str(h);
            rest = &rest[i + h.len()..];
        }
        fixed.push_str(rest);
        out = fixed;
    }
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_together_sections_are_split() {
        assert_eq!(
            split_sections("Title: Mail delayUser impact: Users can't send.More info: none"),
            "Title: Mail delay\n\nUser impact: Users can't send.\n\nMore info: none"
        );
        assert_eq!(split_sections("<p>Title: x</p>"), "<p>Title: x</p>");
    }
}

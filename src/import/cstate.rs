//! cState issue files (`content/issues/*.md`: YAML front matter and a Markdown
//! body) in, one [`Item`] each out.

use super::item::Item;
use super::read::{Ctx, file_item, flag, text};
use crate::model::{Classification, Severity, Status};
use serde_json::Value;

/// One issue file's front matter `fm` and body.
pub(crate) fn item(doc: &str, fm: &Value, body: &str, cx: &mut Ctx) -> Option<Item> {
    let mut item = file_item(doc, fm, &["affected"], cx)?;
    let label = item.label.clone();
    let resolved = flag(fm, "resolved");
    item.status = if resolved {
        Status::Resolved
    } else {
        Status::Investigating
    };
    if resolved {
        item.resolved = cx.time(&label, fm, "resolvedWhen");
    }
    item.severity = match text(fm, "severity").map(|s| s.trim().to_ascii_lowercase()) {
        Some(s) if s == "down" => Some(Severity::Critical),
        Some(s) if s == "disrupted" => Some(Severity::Major),
        Some(s) if s == "notice" => Some(Severity::Minor),
        Some(s) => {
            cx.notes
                .warn(&label, format!("unknown severity `{s}` left out"));
            None
        }
        None => None,
    };
    if flag(fm, "informational") {
        item.classification = Classification::Advisory;
    }
    item.body = super::html::tidy(body);
    Some(item)
}

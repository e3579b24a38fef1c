//! A Discord webhook body: `content` (the headline) and one embed with the
//! changes, the facts as fields and the link; no mentions are ever parsed.

use super::{Wording, cut};
use crate::model::{Severity, Status};
use crate::notify::diff::Changed;
use serde_json::json;

/// The embed's colour: green once resolved, else by severity.
fn colour(c: &Changed) -> u32 {
    let inc = c.incident;
    if inc.status == Status::Resolved {
        return 0x2e7d32;
    }
    match inc.severity {
        Some(Severity::Critical) => 0xc62828,
        Some(Severity::Major) => 0xef6c00,
        Some(Severity::Minor) => 0xf9a825,
        _ => 0x1565c0,
    }
}

pub(super) fn body(w: &Wording, c: &Changed) -> String {
    let description: Vec<String> = w
        .lines
        .iter()
        .map(|l| {
            let head = format!("**{}**", Wording::line_head(l));
            if l.text.is_empty() {
                head
            } else {
                format!("{head}\n{}", l.text)
            }
        })
        .collect();
    let fields: Vec<_> = w
        .facts
        .iter()
        .map(|(k, v)| json!({"name": cut(k, 256), "value": cut(v, 1024), "inline": true}))
        .collect();
    let mut embed = json!({
        "title": cut(&w.headline, 256),
        "url": w.url,
        "description": cut(&description.join("\n\n"), 4096),
        "color": colour(c),
        "fields": fields,
        "footer": {"text": cut(&w.site_title, 2048)},
    });
    if let Some(at) = c
        .changes
        .iter()
        .rev()
        .find_map(|ch| ch.update)
        .map(|u| &u.at)
        && at.contains('T')
    {
        embed["timestamp"] = json!(at);
    }
    json!({
        "content": cut(&w.headline, 2000),
        "embeds": [embed],
        "allowed_mentions": {"parse": []},
    })
    .to_string()
}

//! The generic webhook body (FORMAT.md): `version`, `site` and one entry per
//! change with its `type`, the incident's compact record as published, and the
//! new timeline entry (or null). The signature is the transport's: it needs the secret.

use super::Wording;
use crate::notify::diff::Changed;
use serde_json::json;

pub(super) fn body(w: &Wording, c: &Changed) -> String {
    let changes: Vec<_> = c
        .changes
        .iter()
        .map(|ch| {
            json!({
                "type": ch.kind.as_str(),
                "incident": c.incident.compact,
                "update": ch.update.map(|u| json!({"at": u.at, "status": u.status.map(|s| s.as_str()), "text": u.text})),
            })
        })
        .collect();
    json!({
        "version": 1,
        "site": {"title": w.site_title, "url": w.site_url},
        "changes": changes,
    })
    .to_string()
}

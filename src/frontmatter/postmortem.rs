//! The writer's review and team-only keys: an incident's `postmortem` map in, a
//! typed [`Postmortem`] out; `internal` (a flag, or notes) of incidents and stories.

use super::reader::{Ctx, key};
use crate::model::{Postmortem, PostmortemPart};
use serde_yaml::{Mapping, Value};

const META_KEYS: &[&str] = &["published", "authors"];

/// `postmortem:` of an incident; every problem at its own key's line.
pub(super) fn postmortem(cx: &mut Ctx, m: &Mapping) -> Option<Postmortem> {
    let p = key(&[], "postmortem");
    let v = m.get("postmortem").filter(|v| !v.is_null())?;
    let pm = cx.map(v, &p)?;
    let allowed: Vec<&str> = PostmortemPart::ALL
        .iter()
        .chain(META_KEYS)
        .copied()
        .collect();
    cx.check_keys(pm, &p, &allowed);
    let parts = PostmortemPart::ALL
        .iter()
        .filter_map(|name| {
            let part = PostmortemPart::parse(name)?;
            let text = cx.opt_text(pm, &p, name)?;
            (!text.trim().is_empty()).then_some((part, text))
        })
        .collect();
    Some(Postmortem {
        parts,
        published: cx.opt_time(pm, &p, "published"),
        authors: cx.text_list(pm.get("authors"), &key(&p, "authors"), true),
    })
}

/// `internal:` — `true` (the whole document is internal) or, where `notes_ok`,
/// Markdown notes for the team. Returns (whole document internal, notes).
pub(super) fn internal(cx: &mut Ctx, m: &Mapping, notes_ok: bool) -> (bool, Option<String>) {
    let p = key(&[], "internal");
    match m.get("internal") {
        None | Some(Value::Null) => (false, None),
        Some(Value::Bool(b)) => (*b, None),
        Some(Value::String(s)) if notes_ok => {
            (false, Some(s.clone()).filter(|s| !s.trim().is_empty()))
        }
        Some(_) => {
            let hint = if notes_ok {
                "write `internal: true` to keep the whole incident out of public builds, or `internal: |` followed by indented Markdown notes for the team"
            } else {
                "write `internal: true` to keep the whole story out of public builds"
            };
            let what = if notes_ok {
                "true or Markdown text"
            } else {
                "true or false"
            };
            cx.error(
                &p,
                format!("`internal` should be {what}"),
                Some(hint.to_string()),
            );
            (false, None)
        }
    }
}

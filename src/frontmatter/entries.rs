//! An incident's structured keys: YAML values in, typed model values out —
//! the maintenance `window`, `errors`, `timeline`, `related`, `sources`,
//! `actions` and `takes`, each problem at its own key's line.

use super::locate::Seg;
use super::reader::{Ctx, index, key};
use crate::model::*;
use serde_yaml::{Mapping, Value};
use std::cmp::Ordering;

pub(super) fn window(cx: &mut Ctx, v: &Value) -> Option<Window> {
    let p = key(&[], "window");
    let m = cx.map(v, &p)?;
    cx.check_keys(m, &p, &["start", "end"]);
    let start = cx
        .required(m, &p, "start", "`window`")
        .and_then(|v| cx.time(v, &key(&p, "start")));
    let end = cx
        .required(m, &p, "end", "`window`")
        .and_then(|v| cx.time(v, &key(&p, "end")));
    let (start, end) = (start?, end?);
    if end.cmp_in(&start, &jiff::tz::TimeZone::UTC) != Ordering::Greater {
        cx.error(
            &key(&p, "end"),
            "the window's `end` is not after its `start`",
            Some("check both times and their offsets".to_string()),
        );
    }
    Some(Window { start, end })
}

pub(super) fn error_refs(cx: &mut Ctx, m: &Mapping) -> Vec<ErrorRef> {
    let p = key(&[], "errors");
    let items = cx.list(m.get("errors"), &p);
    let mut out = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let ip = index(&p, i);
        match it {
            Value::Mapping(em) => {
                cx.check_keys(em, &ip, &["code", "message"]);
                let code = cx
                    .opt_text(em, &ip, "code")
                    .filter(|s| !s.trim().is_empty());
                let message = cx
                    .opt_text(em, &ip, "message")
                    .filter(|s| !s.trim().is_empty());
                if code.is_none() && message.is_none() {
                    cx.error(
                        &ip,
                        "an `errors` entry needs a `code`, a `message`, or both",
                        None,
                    );
                } else {
                    out.push(ErrorRef { code, message });
                }
            }
            other => {
                if let Some(t) = cx.text(other, &ip).filter(|s| !s.trim().is_empty()) {
                    out.push(ErrorRef {
                        code: None,
                        message: Some(t),
                    });
                }
            }
        }
    }
    out
}

pub(super) fn timeline(cx: &mut Ctx, m: &Mapping) -> Vec<TimelineEntry> {
    let p = key(&[], "timeline");
    let items = cx.list(m.get("timeline"), &p);
    let mut out: Vec<(usize, TimelineEntry)> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let ip = index(&p, i);
        let Some(em) = cx.map(it, &ip) else { continue };
        cx.check_keys(em, &ip, &["at", "status", "text", "internal"]);
        let internal = cx.boolean(em, &ip, "internal");
        let at = cx
            .required(em, &ip, "at", "a timeline entry")
            .and_then(|v| cx.time(v, &key(&ip, "at")));
        let status = em
            .get("status")
            .filter(|v| !v.is_null())
            .and_then(|v| cx.keyword(v, &key(&ip, "status"), Status::parse, Status::ALL));
        let text = cx
            .required(em, &ip, "text", "a timeline entry")
            .and_then(|v| cx.text(v, &key(&ip, "text")));
        if let (Some(at), Some(text)) = (at, text) {
            out.push((
                i,
                TimelineEntry {
                    at,
                    status,
                    text,
                    internal,
                },
            ));
        }
    }
    for pair in out.windows(2) {
        let ((ia, a), (ib, b)) = (&pair[0], &pair[1]);
        if b.at.cmp_in(&a.at, &jiff::tz::TimeZone::UTC) == Ordering::Less {
            let (la, _) = cx.position(&key(&index(&p, *ia), "at"));
            let (lb, _) = cx.position(&key(&index(&p, *ib), "at"));
            cx.error(
                &key(&index(&p, *ib), "at"),
                format!("timeline entries are out of order: the entry at line {lb} is earlier than the one before it at line {la}"),
                Some("list timeline entries oldest first".to_string()),
            );
        }
    }
    out.into_iter().map(|(_, e)| e).collect()
}

pub(super) fn related(cx: &mut Ctx, m: &Mapping) -> Vec<Related> {
    let p = key(&[], "related");
    let items = cx.list(m.get("related"), &p);
    let mut out = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let ip = index(&p, i);
        let parse_id = |cx: &mut Ctx, t: String, at: &[Seg]| match IncidentId::parse(&t) {
            Ok(id) => Some(id),
            Err(e) => {
                cx.error(at, e, None);
                None
            }
        };
        match it {
            Value::Mapping(rm) if rm.contains_key("id") => {
                cx.check_keys(rm, &ip, &["id", "note", "internal"]);
                let internal = cx.boolean(rm, &ip, "internal");
                let idp = key(&ip, "id");
                let id = rm
                    .get("id")
                    .and_then(|v| cx.text(v, &idp))
                    .and_then(|t| parse_id(cx, t, &idp));
                let note = cx.opt_text(rm, &ip, "note");
                if let Some(id) = id {
                    out.push(Related::Incident { id, note, internal });
                }
            }
            Value::Mapping(rm) => {
                cx.check_keys(rm, &ip, &["id", "title", "url", "date", "note", "internal"]);
                let internal = cx.boolean(rm, &ip, "internal");
                let title = cx
                    .required(rm, &ip, "title", "a `related` entry without `id`")
                    .and_then(|v| cx.text(v, &key(&ip, "title")));
                let url = cx.opt_text(rm, &ip, "url");
                if let Some(u) = &url {
                    check_url(cx, u, &key(&ip, "url"));
                }
                let date = cx.opt_time(rm, &ip, "date");
                let note = cx.opt_text(rm, &ip, "note");
                if let Some(title) = title {
                    out.push(Related::External {
                        title,
                        url,
                        date,
                        note,
                        internal,
                    });
                }
            }
            other => {
                if let Some(id) = cx.text(other, &ip).and_then(|t| parse_id(cx, t, &ip)) {
                    out.push(Related::Incident {
                        id,
                        note: None,
                        internal: false,
                    });
                }
            }
        }
    }
    out
}

/// Links the writer gives must be web links: `javascript:` and friends would run
/// in the reader's browser.
fn check_url(cx: &mut Ctx, url: &str, at: &[Seg]) {
    let lower = url.trim().to_ascii_lowercase();
    let scheme_ok = ["https://", "http://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s));
    let relative = match (lower.find(':'), lower.find('/')) {
        (None, _) => true,
        (Some(c), Some(sl)) => sl < c,
        (Some(_), None) => false,
    };
    if !scheme_ok && !relative {
        cx.error(
            at,
            format!("`{url}` is not a web link"),
            Some("use an `https://` (or `http://`) URL; other schemes such as `javascript:` are not allowed".to_string()),
        );
    }
}

pub(super) fn sources(cx: &mut Ctx, m: &Mapping) -> Vec<SourceLink> {
    let p = key(&[], "sources");
    let items = cx.list(m.get("sources"), &p);
    let mut out = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let ip = index(&p, i);
        let Some(sm) = cx.map(it, &ip) else { continue };
        cx.check_keys(sm, &ip, &["title", "url", "internal"]);
        let internal = cx.boolean(sm, &ip, "internal");
        let title = cx
            .required(sm, &ip, "title", "a source")
            .and_then(|v| cx.text(v, &key(&ip, "title")));
        let url = cx
            .required(sm, &ip, "url", "a source")
            .and_then(|v| cx.text(v, &key(&ip, "url")));
        if let Some(u) = &url {
            check_url(cx, u, &key(&ip, "url"));
        }
        if let (Some(title), Some(url)) = (title, url) {
            out.push(SourceLink {
                title,
                url,
                internal,
            });
        }
    }
    out
}

pub(super) fn actions(cx: &mut Ctx, m: &Mapping) -> Vec<Action> {
    let p = key(&[], "actions");
    let items = cx.list(m.get("actions"), &p);
    let mut out = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let ip = index(&p, i);
        let Some(am) = cx.map(it, &ip) else { continue };
        cx.check_keys(am, &ip, &["text", "owner", "status", "due", "internal"]);
        let internal = cx.boolean(am, &ip, "internal");
        let text = cx
            .required(am, &ip, "text", "an action")
            .and_then(|v| cx.text(v, &key(&ip, "text")));
        let owner = cx.opt_text(am, &ip, "owner");
        let status = cx.required(am, &ip, "status", "an action").and_then(|v| {
            cx.keyword(
                v,
                &key(&ip, "status"),
                ActionStatus::parse,
                ActionStatus::ALL,
            )
        });
        let due = cx.opt_time(am, &ip, "due");
        if let (Some(text), Some(status)) = (text, status) {
            out.push(Action {
                text,
                owner,
                status,
                due,
                internal,
            });
        }
    }
    out
}

pub(super) fn takes(cx: &mut Ctx, m: &Mapping) -> Vec<(String, String)> {
    let p = key(&[], "takes");
    let Some(v) = m.get("takes").filter(|v| !v.is_null()) else {
        return Vec::new();
    };
    let Some(tm) = cx.map(v, &p) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in tm {
        let Some(aud) = cx.text(k, &p) else { continue };
        if let Some(text) = cx.text(v, &key(&p, &aud)) {
            out.push((aud, text));
        }
    }
    out
}

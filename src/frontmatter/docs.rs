//! Per-kind conversion: a YAML map in, an [`Incident`], [`NewsStory`], [`Page`]
//! or [`HomeIntro`] out, with every single-file rule of FORMAT.md checked here
//! (cross-file rules live in the link stage).

use super::locate::Seg;
use super::reader::{Ctx, Path, index, key};
use crate::diag::Diagnostic;
use crate::model::*;
use serde_yaml::{Mapping, Value};
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Incident,
    News,
    Page,
    Home,
}

const INCIDENT_KEYS: &[&str] = &[
    "id",
    "title",
    "services",
    "status",
    "started",
    "detected",
    "acknowledged",
    "mitigated",
    "next_update",
    "resolved",
    "classification",
    "window",
    "severity",
    "regions",
    "components",
    "errors",
    "timeline",
    "related",
    "summary",
    "tags",
    "sources",
    "actions",
    "takes",
    "postmortem",
    "internal",
    "draft",
    "extra",
];
const NEWS_KEYS: &[&str] = &[
    "title",
    "date",
    "updated",
    "authors",
    "incidents",
    "summary",
    "tags",
    "slug",
    "internal",
    "draft",
    "extra",
];
const PAGE_KEYS: &[&str] = &["title", "slug", "template", "draft", "extra"];
const HOME_KEYS: &[&str] = &["title", "extra"];

pub(super) fn convert(
    kind: DocKind,
    value: Value,
    origin: Origin,
    fm: &str,
) -> (Option<Document>, Vec<Diagnostic>) {
    let src = origin.source.clone();
    let mut cx = Ctx {
        src: &src,
        fm,
        fm_first_line: origin.fm_first_line,
        diags: Vec::new(),
    };
    let root: Path = Vec::new();
    let empty = Mapping::new();
    let m = if value.is_null() {
        &empty
    } else {
        cx.map(&value, &root).unwrap_or(&empty)
    };
    let doc = match kind {
        DocKind::Incident => incident(&mut cx, m, origin).map(|i| Document::Incident(Box::new(i))),
        DocKind::News => news(&mut cx, m, origin).map(|n| Document::News(Box::new(n))),
        DocKind::Page => page(&mut cx, m, origin).map(|p| Document::Page(Box::new(p))),
        DocKind::Home => {
            cx.check_keys(m, &root, HOME_KEYS);
            let title = cx.opt_text(m, &root, "title");
            let extra = cx.json(m.get("extra"));
            Some(Document::Home(Box::new(HomeIntro {
                origin,
                title,
                extra,
            })))
        }
    };
    let has_error = cx.diags.iter().any(Diagnostic::is_error);
    (doc.filter(|_| !has_error), cx.diags)
}

fn text_req(cx: &mut Ctx, m: &Mapping, k: &str, what: &str) -> Option<String> {
    let v = cx.required(m, &[], k, what)?;
    let t = cx.text(v, &key(&[], k))?;
    if t.trim().is_empty() {
        cx.error(
            &key(&[], k),
            format!("`{k}` is empty"),
            Some(format!("give `{k}` a value")),
        );
        return None;
    }
    Some(t)
}

fn incident(cx: &mut Ctx, m: &Mapping, origin: Origin) -> Option<Incident> {
    let r: Path = Vec::new();
    cx.check_keys(m, &r, INCIDENT_KEYS);
    let what = "an incident";
    let id = text_req(cx, m, "id", what).and_then(|t| match IncidentId::parse(&t) {
        Ok(id) => Some(id),
        Err(e) => {
            cx.error(&key(&r, "id"), e, Some("use the provider's ID (e.g. `EX1331830`) or a local one such as `local-2026-04-mail`".to_string()));
            None
        }
    });
    let title = text_req(cx, m, "title", what);
    let services = {
        let present = cx.required(m, &r, "services", what).is_some();
        let s = cx.text_list(m.get("services"), &key(&r, "services"), true);
        if present && s.is_empty() {
            cx.error(
                &key(&r, "services"),
                "`services` is empty",
                Some("name at least one affected service, e.g. `Exchange Online`".into()),
            );
        }
        s
    };
    let status = cx
        .required(m, &r, "status", what)
        .and_then(|v| cx.keyword(v, &key(&r, "status"), Status::parse, Status::ALL));
    let started = cx
        .required(m, &r, "started", what)
        .and_then(|v| cx.time(v, &key(&r, "started")));
    let detected = cx.opt_time(m, &r, "detected");
    let acknowledged = cx.opt_time(m, &r, "acknowledged");
    let mitigated = cx.opt_time(m, &r, "mitigated");
    let next_update = cx.opt_time(m, &r, "next_update");
    let mut resolved = cx.opt_time(m, &r, "resolved");
    let classification = match m.get("classification").filter(|v| !v.is_null()) {
        Some(v) => cx.keyword(
            v,
            &key(&r, "classification"),
            Classification::parse,
            Classification::ALL,
        ),
        None => Some(Classification::Incident),
    };
    let severity = m
        .get("severity")
        .filter(|v| !v.is_null())
        .and_then(|v| cx.keyword(v, &key(&r, "severity"), Severity::parse, Severity::ALL));
    let window = m
        .get("window")
        .filter(|v| !v.is_null())
        .and_then(|v| window(cx, v));
    let regions = cx.text_list(m.get("regions"), &key(&r, "regions"), false);
    let components = cx.text_list(m.get("components"), &key(&r, "components"), false);
    let tags = cx.text_list(m.get("tags"), &key(&r, "tags"), false);
    let errors = error_refs(cx, m);
    let timeline = timeline(cx, m);
    let related = related(cx, m);
    let sources = sources(cx, m);
    let actions = actions(cx, m);
    let takes = takes(cx, m);
    let postmortem = super::postmortem::postmortem(cx, m);
    let (internal, notes) = super::postmortem::internal(cx, m, true);
    let summary = cx.opt_text(m, &r, "summary");
    let draft = cx.boolean(m, &r, "draft");
    let extra = cx.json(m.get("extra"));

    let (id, title, status, started, classification) =
        (id?, title?, status?, started?, classification?);
    let tz = jiff::tz::TimeZone::UTC;
    if let Some(res) = &resolved {
        if status != Status::Resolved {
            cx.error(
                &key(&r, "resolved"),
                format!("`resolved` is set but `status` is `{}`", status.as_str()),
                Some(
                    "set `status: resolved`, or remove `resolved` while the incident is still open"
                        .to_string(),
                ),
            );
        }
        if res.cmp_in(&started, &tz) == Ordering::Less {
            let (sl, _) = cx.position(&key(&r, "started"));
            cx.error(
                &key(&r, "resolved"),
                format!("`resolved` is earlier than `started` (line {sl})"),
                Some("check the date, the time and the offset of both".to_string()),
            );
        }
    } else if status == Status::Resolved {
        resolved = timeline
            .iter()
            .rev()
            .find(|e| e.status == Some(Status::Resolved))
            .map(|e| e.at);
        if resolved.is_none() {
            cx.warn(
                &key(&r, "status"),
                "`status` is `resolved` but no `resolved` time is given and no timeline entry has `status: resolved`",
                Some("add `resolved: <date-time>` so the duration can be shown".to_string()),
            );
        }
    }
    match (classification, &window) {
        (Classification::Maintenance, None) => cx.error(
            &key(&r, "classification"),
            "a `maintenance` entry needs a `window`",
            Some("add `window: {start: <date-time>, end: <date-time>}`".to_string()),
        ),
        (c, Some(_)) if c != Classification::Maintenance => cx.error(
            &key(&r, "window"),
            "`window` is only for `classification: maintenance`",
            Some("remove `window`, or set `classification: maintenance`".to_string()),
        ),
        _ => {}
    }
    Some(Incident {
        origin,
        id,
        title,
        services,
        status,
        started,
        detected,
        acknowledged,
        mitigated,
        next_update,
        resolved,
        classification,
        window,
        severity,
        regions,
        components,
        errors,
        timeline,
        related,
        summary,
        tags,
        sources,
        actions,
        takes,
        postmortem,
        internal,
        notes,
        draft,
        extra,
    })
}

fn window(cx: &mut Ctx, v: &Value) -> Option<Window> {
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

fn error_refs(cx: &mut Ctx, m: &Mapping) -> Vec<ErrorRef> {
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

fn timeline(cx: &mut Ctx, m: &Mapping) -> Vec<TimelineEntry> {
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

fn related(cx: &mut Ctx, m: &Mapping) -> Vec<Related> {
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

fn sources(cx: &mut Ctx, m: &Mapping) -> Vec<SourceLink> {
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

fn actions(cx: &mut Ctx, m: &Mapping) -> Vec<Action> {
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

fn takes(cx: &mut Ctx, m: &Mapping) -> Vec<(String, String)> {
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

fn news(cx: &mut Ctx, m: &Mapping, origin: Origin) -> Option<NewsStory> {
    let r: Path = Vec::new();
    cx.check_keys(m, &r, NEWS_KEYS);
    let what = "a news story";
    let title = text_req(cx, m, "title", what);
    let date = cx
        .required(m, &r, "date", what)
        .and_then(|v| cx.time(v, &key(&r, "date")));
    let updated = cx.opt_time(m, &r, "updated");
    let authors = cx.text_list(m.get("authors"), &key(&r, "authors"), true);
    let ip = key(&r, "incidents");
    let incidents = cx
        .text_list(m.get("incidents"), &ip, true)
        .into_iter()
        .enumerate()
        .filter_map(|(i, t)| match IncidentId::parse(&t) {
            Ok(id) => Some(id),
            Err(e) => {
                cx.error(&index(&ip, i), e, None);
                None
            }
        })
        .collect();
    let summary = cx.opt_text(m, &r, "summary");
    let tags = cx.text_list(m.get("tags"), &key(&r, "tags"), false);
    let default_slug = origin
        .content_path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".md")
        .to_string();
    let slug = slug_field(cx, m, default_slug, false);
    let (internal, _) = super::postmortem::internal(cx, m, false);
    let draft = cx.boolean(m, &r, "draft");
    let extra = cx.json(m.get("extra"));
    Some(NewsStory {
        origin,
        title: title?,
        date: date?,
        updated,
        authors,
        incidents,
        summary,
        tags,
        slug: slug?,
        internal,
        draft,
        extra,
    })
}

/// A slug the writer chose must stay inside the site: lower-case letters, digits,
/// `-`, `_`, `.` and (for pages) `/` between segments.
fn slug_field(cx: &mut Ctx, m: &Mapping, default: String, nested: bool) -> Option<String> {
    let given = cx.opt_text(m, &[], "slug");
    let slug = given
        .clone()
        .unwrap_or(default)
        .trim_matches('/')
        .to_string();
    let ok_seg = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let ok = if nested {
        slug.split('/').all(ok_seg)
    } else {
        ok_seg(&slug)
    };
    if !ok {
        let at = if given.is_some() {
            key(&[], "slug")
        } else {
            Vec::new()
        };
        cx.error(
            &at,
            format!("`{slug}` cannot be used as a URL slug"),
            Some(format!(
                "use letters, digits and `-`{}, e.g. `exchange-online-outage`",
                if nested {
                    " (and `/` between folders)"
                } else {
                    ""
                }
            )),
        );
        return None;
    }
    Some(slug)
}

fn page(cx: &mut Ctx, m: &Mapping, origin: Origin) -> Option<Page> {
    let r: Path = Vec::new();
    cx.check_keys(m, &r, PAGE_KEYS);
    let title = text_req(cx, m, "title", "a page");
    let default_slug = origin.content_path.trim_end_matches(".md").to_string();
    let slug = slug_field(cx, m, default_slug, true);
    let template = cx
        .opt_text(m, &r, "template")
        .unwrap_or_else(|| "page.html".to_string());
    let draft = cx.boolean(m, &r, "draft");
    let extra = cx.json(m.get("extra"));
    Some(Page {
        origin,
        title: title?,
        slug: slug?,
        template,
        draft,
        extra,
    })
}

//! Per-kind conversion: a YAML map in, an [`Incident`], [`NewsStory`], [`Page`]
//! or [`HomeIntro`] out, with every single-file rule of FORMAT.md checked here
//! (cross-file rules live in the link stage).

use super::reader::{Ctx, Path, key};
use crate::diag::Diagnostic;
use crate::model::*;
use crate::time::Timestamp;
use serde_yaml::{Mapping, Value};
use std::cmp::Ordering;

use super::entries::{actions, error_refs, related, sources, takes, timeline, window};
use super::stories::{news, page};

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

fn incident(cx: &mut Ctx, m: &Mapping, origin: Origin) -> Option<Incident> {
    let r: Path = Vec::new();
    cx.check_keys(m, &r, INCIDENT_KEYS);
    let what = "an incident";
    let id = incident_id(cx, m);
    let title = cx.text_req(m, "title", what);
    let services = services(cx, m);
    let status = status(cx, m);
    let started = cx
        .required(m, &r, "started", what)
        .and_then(|v| cx.time(v, &key(&r, "started")));
    let detected = cx.opt_time(m, &r, "detected");
    let acknowledged = cx.opt_time(m, &r, "acknowledged");
    let mitigated = cx.opt_time(m, &r, "mitigated");
    let next_update = cx.opt_time(m, &r, "next_update");
    let mut resolved = cx.opt_time(m, &r, "resolved");
    let classification = classification(cx, m);
    let severity = severity(cx, m);
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
    resolved = check_resolved(cx, (status, &started), resolved, &timeline);
    check_window(cx, classification, window.is_some());
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

/// `id`: required, and a valid incident ID.
fn incident_id(cx: &mut Ctx, m: &Mapping) -> Option<IncidentId> {
    let t = cx.text_req(m, "id", "an incident")?;
    match IncidentId::parse(&t) {
        Ok(id) => Some(id),
        Err(e) => {
            cx.error(&key(&[], "id"), e, Some("use the provider's ID (e.g. `EX1331830`) or a local one such as `local-2026-04-mail`".to_string()));
            None
        }
    }
}

/// `status`: required, one of the status keywords.
fn status(cx: &mut Ctx, m: &Mapping) -> Option<Status> {
    cx.required(m, &[], "status", "an incident")
        .and_then(|v| cx.keyword(v, &key(&[], "status"), Status::parse, Status::ALL))
}

/// `classification`: optional, `incident` when absent.
fn classification(cx: &mut Ctx, m: &Mapping) -> Option<Classification> {
    match m.get("classification").filter(|v| !v.is_null()) {
        Some(v) => cx.keyword(
            v,
            &key(&[], "classification"),
            Classification::parse,
            Classification::ALL,
        ),
        None => Some(Classification::Incident),
    }
}

/// `severity`: optional keyword.
fn severity(cx: &mut Ctx, m: &Mapping) -> Option<Severity> {
    m.get("severity")
        .filter(|v| !v.is_null())
        .and_then(|v| cx.keyword(v, &key(&[], "severity"), Severity::parse, Severity::ALL))
}

/// `services`: required, at least one.
fn services(cx: &mut Ctx, m: &Mapping) -> Vec<String> {
    let r: Path = Vec::new();
    let present = cx.required(m, &r, "services", "an incident").is_some();
    let s = cx.text_list(m.get("services"), &key(&r, "services"), true);
    if present && s.is_empty() {
        cx.error(
            &key(&r, "services"),
            "`services` is empty",
            Some("name at least one affected service, e.g. `Exchange Online`".into()),
        );
    }
    s
}

/// `resolved` agrees with `status` and `started`; a resolved incident without
/// it takes the time of its last `resolved` timeline entry.
fn check_resolved(
    cx: &mut Ctx,
    (status, started): (Status, &Timestamp),
    mut resolved: Option<Timestamp>,
    timeline: &[TimelineEntry],
) -> Option<Timestamp> {
    let r: Path = Vec::new();
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
        if res.cmp_in(started, &tz) == Ordering::Less {
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
    resolved
}

/// `window` exactly when the entry is maintenance.
fn check_window(cx: &mut Ctx, classification: Classification, has_window: bool) {
    let r: Path = Vec::new();
    match (classification, has_window) {
        (Classification::Maintenance, false) => cx.error(
            &key(&r, "classification"),
            "a `maintenance` entry needs a `window`",
            Some("add `window: {start: <date-time>, end: <date-time>}`".to_string()),
        ),
        (c, true) if c != Classification::Maintenance => cx.error(
            &key(&r, "window"),
            "`window` is only for `classification: maintenance`",
            Some("remove `window`, or set `classification: maintenance`".to_string()),
        ),
        _ => {}
    }
}

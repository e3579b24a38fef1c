//! The JSON API: a compact list of every incident at `/api/incidents.json`, and
//! one full record per incident at `/api/incidents/<id lower-cased>.json`.

use super::format::compact;
use super::view::Builder;
use crate::escape::json_in_html;
use crate::ix::IncidentIx;
use crate::link::incident_path;
use crate::model::*;
use crate::time::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};

/// The shape of both files; bumped when a field changes meaning or goes away.
pub(super) const VERSION: u32 = 1;

/// The site path of an incident's full record.
pub(super) fn record_path(id: &IncidentId) -> String {
    format!("api/incidents/{}.json", id.key())
}

/// One entry of the compact list, serialised straight from the model (no
/// `Value` tree for 10,000 incidents), in this field order.
#[derive(Serialize)]
struct Compact<'a> {
    id: &'a IncidentId,
    title: &'a str,
    status: &'static str,
    severity: Option<&'static str>,
    classification: &'static str,
    services: &'a [String],
    regions: &'a [String],
    /// Taxonomy terms (code, else message): a map each would double the entry.
    errors: Vec<&'a str>,
    started: String,
    resolved: Option<String>,
    url: String,
    json: String,
}

#[derive(Serialize)]
struct List<'a> {
    version: u32,
    generator: &'static str,
    site: &'a str,
    incidents: Entries<'a>,
}

/// The entries, each built as it is written: at 100,000 incidents a vector
/// of them all was 45 MB beside the file's own 52 MB.
struct Entries<'a>(&'a Builder<'a>);

impl Serialize for Entries<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let site = self.0.whole();
        let c = &site.config;
        s.collect_seq(site.incidents.iter().map(|inc| compact_entry(c, inc)))
    }
}

fn compact_entry<'a>(c: &crate::config::Config, inc: &'a Incident) -> Compact<'a> {
    Compact {
        id: &inc.id,
        title: &inc.title,
        status: inc.status.as_str(),
        severity: inc.severity.map(|s| s.as_str()),
        classification: inc.classification.as_str(),
        services: &inc.services,
        regions: &inc.regions,
        errors: inc.errors.iter().map(ErrorRef::term).collect(),
        started: inc.started.machine(),
        resolved: inc.resolved.as_ref().map(Timestamp::machine),
        url: c.abs_url(&incident_path(&inc.id)),
        json: c.abs_url(&record_path(&inc.id)),
    }
}

/// `/api/incidents.json`: compact (not pretty), since it grows with the site and
/// is fetched whole; everything else is one `json` URL away.
pub(super) fn list(cx: &Builder) -> String {
    let all = List {
        version: VERSION,
        generator: "sitrep",
        site: &cx.config().base_url,
        incidents: Entries(cx),
    };
    json_in_html(serde_json::to_string(&all).unwrap_or_default() + "\n")
}

/// `/api/incidents/<id>.json`: the whole record, with `version` beside it.
pub(super) fn record(cx: &Builder, i: IncidentIx) -> (String, String) {
    let inc = cx.incident(i);
    let mut v = json!({"version": VERSION, "generator": "sitrep", "site": cx.config().base_url});
    if let (Value::Object(head), Value::Object(body)) = (&mut v, full(cx, inc)) {
        head.extend(body);
        let similar = cx.similar(i).iter().map(|&j| &cx.incident(j).id);
        head.insert("similar".into(), json!(similar.collect::<Vec<_>>()));
    }
    (record_path(&inc.id), compact(&v))
}

fn full(cx: &Builder, inc: &Incident) -> Value {
    let c = cx.config();
    let tz = &c.timezone;
    let t = |t: &Option<Timestamp>| t.as_ref().map(Timestamp::machine);
    let secs = |to: &Option<Timestamp>| to.as_ref().and_then(|x| inc.started.seconds_until(x));
    json!({
        "id": inc.id, "url": c.abs_url(&incident_path(&inc.id)), "title": inc.title,
        "services": inc.services, "status": inc.status.as_str(),
        "started": inc.started.machine(), "detected": t(&inc.detected), "acknowledged": t(&inc.acknowledged),
        "mitigated": t(&inc.mitigated), "next_update": t(&inc.next_update), "resolved": t(&inc.resolved),
        "classification": inc.classification.as_str(),
        "window": inc.window.map(|w| json!({"start": w.start.machine(), "end": w.end.machine()})),
        "severity": inc.severity.map(|s| s.as_str()), "regions": inc.regions, "components": inc.components,
        "errors": inc.errors,
        "timeline": inc.timeline.iter().map(|e| json!({"at": e.at.machine(), "status": e.status.map(|s| s.as_str()), "text": e.text, "internal": e.internal})).collect::<Vec<_>>(),
        "related": inc.related.iter().map(|r| related(cx, r)).collect::<Vec<_>>(),
        "summary": inc.summary, "tags": inc.tags, "sources": inc.sources,
        "actions": inc.actions.iter().map(|a| json!({"text": a.text, "owner": a.owner, "status": a.status.as_str(), "due": a.due.as_ref().map(Timestamp::machine), "internal": a.internal})).collect::<Vec<_>>(),
        "postmortem": inc.postmortem.as_ref().map(postmortem),
        "internal": if inc.internal { json!(true) } else { json!(inc.notes) },
        "takes": inc.takes.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "extra": inc.extra,
        "durations": {
            "time_to_detect_s": secs(&inc.detected), "time_to_acknowledge_s": secs(&inc.acknowledged),
            "time_to_mitigate_s": secs(&inc.mitigated), "time_to_resolve_s": secs(&inc.resolved),
        },
        "started_display": inc.started.display(tz),
    })
}

/// The postmortem as written: its Markdown parts by key, `published`, `authors`.
fn postmortem(pm: &Postmortem) -> Value {
    let mut v: serde_json::Map<String, Value> = pm
        .parts
        .iter()
        .map(|(p, text)| (p.as_str().to_string(), json!(text)))
        .collect();
    v.insert(
        "published".into(),
        json!(pm.published.as_ref().map(Timestamp::machine)),
    );
    v.insert("authors".into(), json!(pm.authors));
    Value::Object(v)
}

fn related(cx: &Builder, r: &Related) -> Value {
    let c = cx.config();
    match r {
        Related::Incident { id, note, internal } => match cx.find(&id.key()) {
            Some(_) => {
                json!({"id": id, "note": note, "url": c.abs_url(&incident_path(id)), "json": c.abs_url(&record_path(id)), "internal": internal})
            }
            // An internal incident in a public build: no page, no record.
            None => json!({"id": id, "note": note, "url": null, "json": null, "internal": false}),
        },
        Related::External {
            title,
            url,
            date,
            note,
            internal,
        } => {
            json!({"title": title, "url": url, "date": date.as_ref().map(Timestamp::machine), "note": note, "internal": internal})
        }
    }
}

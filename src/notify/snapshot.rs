//! The published JSON API in (`api/incidents.json` and each
//! `api/incidents/<id>.json`, as text from the new build or from PREVIOUS), a
//! typed [`Snapshot`] out: what the diff and the messages read, plus each
//! incident's compact record exactly as published (the webhook sends it).
//! Both sides go through this one reader, so they compare like with like.

use crate::model::{Classification, IncidentId, Severity, Status};
use serde_json::Value;
use std::collections::HashMap;

/// One entry of `api/incidents.json`.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    pub id: IncidentId,
    pub title: String,
    pub status: Status,
    pub classification: Classification,
    pub severity: Option<Severity>,
    pub services: Vec<String>,
    pub regions: Vec<String>,
    pub url: String,
    /// The entry as published, sent as is in the webhook's `incident`.
    pub compact: Value,
}

/// One public timeline entry of a full record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Update {
    /// RFC 3339, as published (also the identity of the entry, with `text`).
    pub at: String,
    pub status: Option<Status>,
    /// Markdown, as written.
    pub text: String,
}

/// What a message needs from an incident's full record.
#[derive(Debug, Clone, Default)]
pub(crate) struct Record {
    pub timeline: Vec<Update>,
    /// A maintenance window (`start`, `end`), RFC 3339.
    pub window: Option<(String, String)>,
}

/// A site's incidents as its API publishes them, in the list's order.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub incidents: Vec<Listed>,
    /// By [`IncidentId::key`]; only the incidents that were read.
    pub records: HashMap<String, Record>,
}

impl Snapshot {
    pub(super) fn find(&self, id: &IncidentId) -> Option<&Listed> {
        self.incidents.iter().find(|l| l.id.key() == id.key())
    }

    pub(super) fn record(&self, id: &IncidentId) -> Option<&Record> {
        self.records.get(&id.key())
    }
}

/// The site path of an incident's full record (as the API renderer writes it).
pub(crate) fn record_path(id: &IncidentId) -> String {
    format!("api/incidents/{}.json", id.key())
}

pub(crate) const LIST_PATH: &str = "api/incidents.json";

fn json(text: &str, origin: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("{origin} is not JSON: {e}"))
}

fn check_version(v: &Value, origin: &str) -> Result<(), String> {
    match v.get("version").and_then(Value::as_u64) {
        Some(1) => Ok(()),
        other => Err(format!(
            "{origin} has API version {}; this sitrep reads version 1",
            other.map_or_else(|| "none".to_string(), |n| n.to_string())
        )),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// `api/incidents.json`: every entry, typed.
pub(crate) fn parse_list(text: &str, origin: &str) -> Result<Vec<Listed>, String> {
    let v = json(text, origin)?;
    check_version(&v, origin)?;
    let Some(items) = v.get("incidents").and_then(Value::as_array) else {
        return Err(format!("{origin} has no `incidents` list"));
    };
    items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            listed(item).ok_or_else(|| format!("{origin}: entry {} is not an incident", n + 1))
        })
        .collect()
}

fn listed(item: &Value) -> Option<Listed> {
    let text = |k: &str| item.get(k).and_then(Value::as_str);
    Some(Listed {
        id: IncidentId::parse(text("id")?).ok()?,
        title: text("title")?.to_string(),
        status: Status::parse(text("status")?)?,
        classification: Classification::parse(text("classification")?)?,
        severity: text("severity").and_then(Severity::parse),
        services: strings(&item["services"]),
        regions: strings(&item["regions"]),
        url: text("url")?.to_string(),
        compact: item.clone(),
    })
}

/// `api/incidents/<id>.json`: its public timeline and window. An entry marked
/// internal (PREVIOUS may be an internal build) is left out.
pub(crate) fn parse_record(text: &str, origin: &str) -> Result<Record, String> {
    let v = json(text, origin)?;
    check_version(&v, origin)?;
    let bad = || format!("{origin} has no valid `timeline`");
    let timeline = v
        .get("timeline")
        .and_then(Value::as_array)
        .ok_or_else(bad)?;
    let mut out = Vec::with_capacity(timeline.len());
    for e in timeline {
        if e.get("internal").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let at = e.get("at").and_then(Value::as_str).ok_or_else(bad)?;
        let status = match e.get("status") {
            None | Some(Value::Null) => None,
            Some(s) => Some(s.as_str().and_then(Status::parse).ok_or_else(bad)?),
        };
        out.push(Update {
            at: at.to_string(),
            status,
            text: e
                .get("text")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        });
    }
    let window = v.get("window").and_then(|w| {
        Some((
            w.get("start")?.as_str()?.to_string(),
            w.get("end")?.as_str()?.to_string(),
        ))
    });
    Ok(Record {
        timeline: out,
        window,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_list_and_a_record() {
        let list = r#"{"version":1,"incidents":[{"id":"EX1","title":"T","status":"monitoring","severity":"major","classification":"incident","services":["S"],"regions":[],"errors":[],"started":"2026-01-01T00:00:00Z","resolved":null,"url":"https://e.org/incidents/ex1/","json":"x"}]}"#;
        let l = parse_list(list, "PREVIOUS/api/incidents.json").unwrap();
        assert_eq!((l[0].id.as_str(), l[0].status), ("EX1", Status::Monitoring));
        assert_eq!(l[0].severity, Some(Severity::Major));
        assert_eq!(l[0].compact["json"], "x");
        let rec = r#"{"version":1,"timeline":[{"at":"2026-01-01T00:05:00Z","status":"investigating","text":"a","internal":false},{"at":"2026-01-01T00:06:00Z","status":null,"text":"secret","internal":true}],"window":null}"#;
        let r = parse_record(rec, "r").unwrap();
        assert_eq!(r.timeline.len(), 1);
        assert_eq!(r.timeline[0].status, Some(Status::Investigating));
        assert!(r.window.is_none());
    }

    #[test]
    fn another_version_or_shape_is_an_error_naming_the_file() {
        let e = parse_list(r#"{"version":2,"incidents":[]}"#, "P/api/incidents.json").unwrap_err();
        assert!(
            e.contains("P/api/incidents.json") && e.contains("version 2"),
            "{e}"
        );
        let e = parse_list("<html>", "P/api/incidents.json").unwrap_err();
        assert!(e.contains("not JSON"), "{e}");
        let e = parse_list(r#"{"version":1,"incidents":[{"id":"x"}]}"#, "L").unwrap_err();
        assert!(e.contains("entry 1"), "{e}");
    }
}

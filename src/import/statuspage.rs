//! Statuspage documents in (public API v2 `incidents.json`, `summary.json`,
//! `scheduled-maintenances*.json`, `{page, incident}`, or the manage API v1
//! list), one [`Item`] per incident or maintenance out, mapped as FORMAT.md's
//! table says.

use super::html;
use super::item::{Entry, IdHint, Item};
use super::read::{Ctx, id_text, names, text};
use crate::model::{Classification, Severity, Status};
use serde_json::Value;

/// The items of one parsed document, or why it is no Statuspage document.
pub(crate) fn items(doc_name: &str, v: &Value, cx: &mut Ctx) -> Result<Vec<Item>, String> {
    let page = v
        .get("page")
        .and_then(|p| text(p, "name"))
        .map(str::to_string);
    let records: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) if o.contains_key("incident") => vec![&o["incident"]],
        Value::Object(o)
            if o.contains_key("incidents") || o.contains_key("scheduled_maintenances") =>
        {
            ["incidents", "scheduled_maintenances"]
                .iter()
                .filter_map(|k| o.get(*k).and_then(Value::as_array))
                .flatten()
                .collect()
        }
        _ => {
            return Err(
                "this is not a Statuspage document: it has no `incidents`, `scheduled_maintenances` or `incident`, and is not a list of incidents"
                    .into(),
            );
        }
    };
    Ok(records
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| one(doc_name, i, r, page.as_deref(), cx))
        .collect())
}

fn one(doc: &str, index: usize, r: &Value, page: Option<&str>, cx: &mut Ctx) -> Option<Item> {
    let id = id_text(r, "id");
    let label = match &id {
        Some(id) => format!("{doc}: incident {id}"),
        None => format!("{doc}: incident #{}", index + 1),
    };
    if !r.is_object() {
        cx.notes.skip(&label, "it is not a JSON object");
        return None;
    }
    let Some(started) = cx.first_time(&label, r, &["started_at", "created_at", "scheduled_for"])
    else {
        cx.notes.skip(
            &label,
            "it has no `started_at`, `created_at` or `scheduled_for` time",
        );
        return None;
    };
    let title = text(r, "name").map(str::to_string);
    let hint = match &id {
        Some(id) => IdHint::Source(id.clone()),
        None => IdHint::FileName(title.clone().unwrap_or_default()),
    };
    let mut item = Item::new(
        label.clone(),
        hint,
        title.clone().unwrap_or_default(),
        started,
    );
    if title.is_none() {
        item.title = id.clone().unwrap_or_else(|| "Untitled incident".into());
        cx.notes
            .warn(&label, format!("it has no `name`; titled `{}`", item.title));
    }
    let maintenance = text(r, "scheduled_for").is_some();
    item.services = names(r, "components");
    if item.services.is_empty() {
        item.services = vec![page.unwrap_or("Status page").to_string()];
    }
    item.status =
        status(&label, text(r, "status"), maintenance, cx).unwrap_or(Status::Investigating);
    item.severity = severity(&label, text(r, "impact"), cx);
    if maintenance {
        item.classification = Classification::Maintenance;
        let start = cx.time(&label, r, "scheduled_for");
        let end = cx.time(&label, r, "scheduled_until");
        item.window = start.map(|s| (s.clone(), end.unwrap_or(s)));
    }
    item.resolved = cx.time(&label, r, "resolved_at");
    item.timeline = timeline(&label, r, maintenance, cx);
    if let Some(pm) = text(r, "postmortem_body") {
        item.body = format!("## Postmortem\n\n{}", html::to_markdown(pm));
    }
    if let Some(url) = text(r, "shortlink") {
        let title = page.map_or("Status page".to_string(), |p| format!("{p} status page"));
        item.sources.push((title, url.to_string()));
    }
    item.updated = cx.time(&label, r, "updated_at");
    Some(item)
}

/// `incident_updates`, oldest first (the API lists them newest first).
fn timeline(label: &str, r: &Value, maintenance: bool, cx: &mut Ctx) -> Vec<Entry> {
    let updates = r.get("incident_updates").and_then(Value::as_array);
    let mut out = Vec::new();
    for (i, u) in updates.into_iter().flatten().enumerate() {
        let ulabel = format!(
            "{label} update {}",
            id_text(u, "id").unwrap_or_else(|| format!("#{}", i + 1))
        );
        let Some(at) = cx.first_time(&ulabel, u, &["display_at", "created_at"]) else {
            cx.notes.warn(
                &ulabel,
                "the update has no `display_at` or `created_at` time; skipped",
            );
            continue;
        };
        let status = status(&ulabel, text(u, "status"), maintenance, cx);
        let mut body = text(u, "body").map(html::to_markdown).unwrap_or_default();
        if body.is_empty() {
            body = format!("{}.", status.unwrap_or(Status::Investigating).label());
            cx.notes.warn(
                &ulabel,
                format!("the update has no text; written as `{body}`"),
            );
        }
        out.push(Entry {
            at,
            status,
            text: body,
        });
    }
    out.reverse();
    out
}

/// Statuspage's incident and maintenance statuses in sitrep's terms.
fn status(label: &str, raw: Option<&str>, maintenance: bool, cx: &mut Ctx) -> Option<Status> {
    let raw = raw?;
    let mapped = match raw.trim().to_ascii_lowercase().as_str() {
        "postmortem" | "completed" => Some(Status::Resolved),
        "in_progress" | "verifying" => Some(Status::Monitoring),
        "scheduled" => Some(Status::Identified),
        s => Status::parse(s),
    };
    if mapped.is_none() {
        let what = if maintenance {
            "maintenance status"
        } else {
            "status"
        };
        cx.notes.warn(
            label,
            format!(
                "unknown {what} `{raw}` left out (read as investigating where a status is required)"
            ),
        );
    }
    mapped
}

fn severity(label: &str, raw: Option<&str>, cx: &mut Ctx) -> Option<Severity> {
    let raw = raw?;
    let s = raw.trim().to_ascii_lowercase();
    if s == "maintenance" {
        return Some(Severity::None);
    }
    let mapped = Severity::parse(&s);
    if mapped.is_none() {
        cx.notes.warn(
            label,
            format!("unknown impact `{raw}` left out (severity not set)"),
        );
    }
    mapped
}

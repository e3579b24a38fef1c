//! sitrep's own JSON API against its published JSON Schemas
//! (`docs/schema/incidents.json`, `docs/schema/incident.json`,
//! `docs/schema/services.json`): real output of
//! the sample site and of the status fixture must validate, and a broken
//! document must not.

use super::statuspage::{fixture, json};
use crate::common::{build_ok, files, sample_site};
use serde_json::Value;
use std::path::Path;

fn schema(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schema")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    jsonschema::validator_for(&v).unwrap_or_else(|e| panic!("{name} is not a valid schema: {e}"))
}

fn assert_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

fn check_site(out: &Path) -> usize {
    let (list, record) = (schema("incidents.json"), schema("incident.json"));
    assert_valid(
        &list,
        &json(out, "api/incidents.json"),
        "api/incidents.json",
    );
    let services = json(out, "api/services.json");
    assert!(!services["services"].as_array().unwrap().is_empty());
    assert_valid(&schema("services.json"), &services, "api/services.json");
    let records: Vec<String> = files(out)
        .into_iter()
        .filter(|f| f.starts_with("api/incidents/") && f.ends_with(".json"))
        .collect();
    for f in &records {
        assert_valid(&record, &json(out, f), f);
    }
    records.len()
}

#[test]
fn real_output_validates_against_the_schemas() {
    let dir = sample_site();
    let out = build_ok(dir.path(), &[]);
    assert!(check_site(&out) > 3);
    let dir = fixture();
    let out = build_ok(dir.path(), &[]);
    assert_eq!(check_site(&out), 9);
}

#[test]
fn the_schemas_reject_what_breaks_the_contract() {
    let dir = fixture();
    let out = build_ok(dir.path(), &[]);
    let (list, record) = (schema("incidents.json"), schema("incident.json"));
    let mut doc = json(&out, "api/incidents.json");
    doc["version"] = 2.into();
    assert!(!list.is_valid(&doc), "another version");
    let mut doc = json(&out, "api/incidents.json");
    doc["incidents"][0]["status"] = "closed".into();
    assert!(!list.is_valid(&doc), "a status outside the set");
    let mut doc = json(&out, "api/incidents/crit1.json");
    doc.as_object_mut().unwrap().remove("version");
    assert!(!record.is_valid(&doc), "no version");
    let mut doc = json(&out, "api/incidents/crit1.json");
    doc["started"] = "2026-05-28 10:00".into();
    assert!(!record.is_valid(&doc), "a time that is not UTC RFC 3339");
    let mut doc = json(&out, "api/services.json");
    doc["services"][0]["uptime_90d"] = 100.5.into();
    assert!(!schema("services.json").is_valid(&doc), "uptime above 100");
}

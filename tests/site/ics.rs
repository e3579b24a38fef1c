//! `/maintenance.ics`: parsed with the `ical` crate, and its raw lines checked
//! against RFC 5545 (CRLF, folded at 75 octets without splitting characters).

use super::statuspage::{api_doc, block_after, fixture, json};
use crate::common::{build_ok, read};
use std::collections::BTreeMap;

type Props = BTreeMap<String, (Option<String>, Vec<(String, Vec<String>)>)>;

fn events(text: &str) -> Vec<Props> {
    let mut cals = ical::IcalParser::new(text.as_bytes());
    let cal = cals.next().expect("one calendar").expect("parses");
    assert!(cals.next().is_none(), "exactly one VCALENDAR");
    let version = cal.properties.iter().find(|p| p.name == "VERSION");
    assert_eq!(version.and_then(|p| p.value.as_deref()), Some("2.0"));
    assert!(cal.properties.iter().any(|p| p.name == "PRODID"));
    cal.events
        .into_iter()
        .map(|e| {
            e.properties
                .into_iter()
                .map(|p| (p.name, (p.value, p.params.unwrap_or_default())))
                .collect()
        })
        .collect()
}

fn value<'a>(e: &'a Props, name: &str) -> &'a str {
    e.get(name)
        .and_then(|(v, _)| v.as_deref())
        .unwrap_or_else(|| panic!("no {name} in {e:?}"))
}

#[test]
fn every_maintenance_window_is_an_event_with_utc_times() {
    let dir = fixture();
    let out = build_ok(dir.path(), &[]);
    let text = read(&out, "maintenance.ics");
    let evs = events(&text);
    let uids: Vec<&str> = evs.iter().map(|e| value(e, "UID")).collect();
    // Earliest window first; the completed one keeps its event.
    assert_eq!(
        uids,
        [
            "mnt-done@example.org",
            "mnt-now@example.org",
            "mnt-up@example.org"
        ]
    );
    let up = &evs[2];
    assert_eq!(value(up, "DTSTART"), "20260602T220000Z");
    assert_eq!(value(up, "DTEND"), "20260603T010000Z");
    assert_eq!(value(up, "URL"), "https://example.org/pm/incidents/mnt-up/");
    assert_eq!(value(up, "SUMMARY"), "MNT-UP: Database upgrade");
    // DTSTAMP is the entry's latest update, a time of the content.
    assert_eq!(value(up, "DTSTAMP"), "20260521T090000Z");
    assert_eq!(value(&evs[1], "DTSTAMP"), "20260528T180000Z");
    assert_eq!(value(&evs[0], "DTSTAMP"), "20260501T110000Z");
    for e in &evs {
        for p in ["DTSTART", "DTEND", "DTSTAMP"] {
            assert!(value(e, p).ends_with('Z'), "{p} in UTC");
        }
        assert!(value(e, "DESCRIPTION").contains(value(e, "URL")));
    }
    // TEXT escaping: commas and semicolons are escaped in the raw value.
    let done = &evs[0];
    let description = value(done, "DESCRIPTION");
    assert!(
        description.starts_with("Done\\, with a comma\\, and a semicolon\\; both escaped."),
        "{description}"
    );
    let squash = |s: &str| s.replace(' ', "");
    assert_eq!(
        squash(value(done, "SUMMARY")),
        squash(
            "MNT-DONE: Relays\\, queues\\; and a long title in Zürich so that the calendar must fold this line ⚠"
        )
    );
    // As many events as the API has maintenance entries.
    let api = json(&out, "api/v2/scheduled-maintenances.json");
    assert_eq!(
        api["scheduled_maintenances"].as_array().unwrap().len(),
        evs.len()
    );
}

#[test]
fn lines_end_in_crlf_and_fold_at_75_octets() {
    let dir = fixture();
    let out = build_ok(dir.path(), &[]);
    let bytes = std::fs::read(out.join("maintenance.ics")).unwrap();
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert!(
        !text.replace("\r\n", "").contains(['\r', '\n']),
        "bare CR or LF"
    );
    let lines: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
    for l in &lines {
        assert!(l.len() <= 75, "{} octets: {l:?}", l.len());
    }
    assert!(
        lines.iter().any(|l| l.starts_with(' ')),
        "the long title is folded"
    );
    // Unfolding restores the long SUMMARY exactly (no character split or lost).
    let unfolded = text.replace("\r\n ", "");
    assert!(unfolded.contains(
        "SUMMARY:MNT-DONE: Relays\\, queues\\; and a long title in Zürich so that the calendar must fold this line ⚠\r\n"
    ));
}

#[test]
fn uids_are_stable_across_builds_and_the_calendar_is_linked() {
    let dir = fixture();
    let out = build_ok(dir.path(), &[]);
    let first = read(&out, "maintenance.ics");
    // A content change elsewhere must not move any UID.
    crate::common::write(
        dir.path(),
        "content/incidents/extra.md",
        "---\nid: EXTRA1\ntitle: New one\nstatus: investigating\nservices: [Teams]\nstarted: 2026-05-28T01:00:00Z\n---\nNew.\n",
    );
    let out = build_ok(dir.path(), &[]);
    let second = read(&out, "maintenance.ics");
    let uids = |t: &str| -> Vec<String> {
        events(t)
            .iter()
            .map(|e| value(e, "UID").to_string())
            .collect()
    };
    assert_eq!(uids(&first), uids(&second));
    assert_eq!(first, second, "other incidents do not change the calendar");
    // Each maintenance entry's page links the calendar.
    let page = read(&out, "incidents/mnt-up/index.html");
    let doc = scraper::Html::parse_document(&page);
    let sel = scraper::Selector::parse("a[href='/pm/maintenance.ics']").unwrap();
    assert!(
        doc.select(&sel).next().is_some(),
        "maintenance page links the calendar"
    );
}

#[test]
fn the_documented_calendar_is_real_output() {
    let dir = fixture();
    let out = build_ok(dir.path(), &[]);
    let real = read(&out, "maintenance.ics");
    let shown = block_after(&api_doc(), "## `/maintenance.ics`", "text");
    let head: Vec<&str> = shown.lines().take_while(|l| *l != "…").collect();
    let real: Vec<&str> = real.split("\r\n").collect();
    assert!(head.len() > 10);
    assert_eq!(head, real[..head.len()]);
}

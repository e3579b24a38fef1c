//! Uptime against hand computations. "Now" is `common::EPOCH` of the
//! integration tests, 2026-05-28T20:26:40Z, which uptime reads as 20:26:00Z.
//! In UTC the window then runs from 2026-02-28T00:00Z (89 days before
//! 2026-05-28) to 20:26:00Z: 89 × 86,400 + 73,560 = 7,763,160 s.

use super::*;
use crate::diag::SourceText;
use crate::frontmatter::{DocKind, parse};
use crate::model::Document;
use std::sync::Arc;

const WINDOW_UTC: u64 = 7_763_160;

fn now() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_780_000_000).unwrap()
}

fn inc(fields: &str) -> Incident {
    let text = format!("---\nid: X1\ntitle: T\nservices: S\n{fields}---\nBody.\n");
    let src = Arc::new(SourceText::new("content/incidents/x.md", text));
    match parse(DocKind::Incident, src, "incidents/x.md") {
        Ok(Document::Incident(i)) => *i,
        other => panic!("{other:?}"),
    }
}

fn resolved(severity: &str, from: &str, to: &str) -> Incident {
    inc(&format!(
        "severity: {severity}\nstatus: resolved\nstarted: {from}\nresolved: {to}\n"
    ))
}

fn over_window(incidents: &[Incident], tz: &TimeZone) -> Uptime {
    Downtime::of(incidents, now(), tz).over(window(now(), tz))
}

#[test]
fn the_window_is_the_strip_s_90_days_to_the_minute() {
    let (from, to) = window(now(), &TimeZone::UTC);
    assert_eq!(from, 1_772_236_800, "2026-02-28T00:00:00Z");
    assert_eq!(to, 1_779_999_960, "20:26:00Z, the whole minute");
    assert_eq!((to - from) as u64, WINDOW_UTC);
    // In New York the days start at local midnight: 2026-02-28T00:00-05:00
    // (EST) = 05:00Z, so the window is 89 d 15 h 26 min = 7,745,160 s.
    let ny = TimeZone::get("America/New_York").unwrap();
    let (from, to) = window(now(), &ny);
    assert_eq!(from, 1_772_254_800);
    assert_eq!((to - from) as u64, 7_745_160);
}

#[test]
fn one_critical_outage_of_two_hours() {
    let i = [resolved(
        "critical",
        "2026-05-01T10:00:00Z",
        "2026-05-01T12:00:00Z",
    )];
    let u = over_window(&i, &TimeZone::UTC);
    // 7,200 s at weight 1 = 72,000 tenths.
    assert_eq!(
        u,
        Uptime {
            downtime_tenths: 72_000,
            seconds: WINDOW_UTC
        }
    );
    // 100 × (1 − 7,200 / 7,763,160) = 99.907254…: 99.9072, shown 99.90.
    assert_eq!(u.units(), 999_072);
    assert_eq!(u.percent(), 99.9072);
    assert_eq!(u.two_decimals("."), "99.90");
    assert_eq!(u.two_decimals(","), "99,90");
    // That day alone: 100 × (1 − 7,200 / 86,400) = 91.6666…, shown 91.66.
    let day = day_start(Date::constant(2026, 5, 1), &TimeZone::UTC);
    let d = Downtime::of(&i, now(), &TimeZone::UTC).over((day, day + 86_400));
    assert_eq!(d.units(), 916_666);
    assert_eq!(d.two_decimals("."), "91.66");
}

#[test]
fn overlaps_take_the_highest_weight() {
    // Critical 10–12 and major 11–14: 10–12 counts 1, 12–14 counts 0.3
    // (11–12 is covered by both and counts once, at 1): 7,200 × 10 + 7,200 × 3.
    let i = [
        resolved("critical", "2026-05-01T10:00:00Z", "2026-05-01T12:00:00Z"),
        resolved("major", "2026-05-01T11:00:00Z", "2026-05-01T14:00:00Z"),
        // Two overlapping partial outages count their union once: 13–15 adds 14–15.
        resolved("major", "2026-05-01T13:00:00Z", "2026-05-01T15:00:00Z"),
    ];
    let u = over_window(&i, &TimeZone::UTC);
    assert_eq!(u.downtime_tenths, 72_000 + 10_800 * 3);
    // 100 × (1 − 10,440 / 7,763,160) = 99.865519…
    assert_eq!(u.units(), 998_655);
}

#[test]
fn minor_none_unrated_and_maintenance_weigh_nothing() {
    let i = [
        resolved("minor", "2026-05-01T10:00:00Z", "2026-05-02T10:00:00Z"),
        resolved("none", "2026-05-03T10:00:00Z", "2026-05-04T10:00:00Z"),
        inc("status: resolved\nstarted: 2026-05-05T10:00:00Z\nresolved: 2026-05-06T10:00:00Z\n"),
        inc(
            "severity: critical\nclassification: maintenance\nstatus: resolved\nstarted: 2026-05-07T10:00:00Z\nresolved: 2026-05-07T12:00:00Z\nwindow:\n  start: 2026-05-07T10:00:00Z\n  end: 2026-05-07T12:00:00Z\n",
        ),
    ];
    let u = over_window(&i, &TimeZone::UTC);
    assert_eq!(u.downtime_tenths, 0);
    assert_eq!(u.units(), 1_000_000);
    assert_eq!(u.two_decimals("."), "100.00");
    // They are still incidents in the window, but for the maintenance.
    assert_eq!(incidents_in(&i, now(), &TimeZone::UTC), 3);
    assert_eq!(next_change(&i, now(), &TimeZone::UTC), None);
}

#[test]
fn an_open_incident_counts_to_now() {
    // Major since 18:26:40Z, still investigating: to 20:26:00Z is 7,160 s at 0.3.
    let i = [inc(
        "severity: major\nstatus: investigating\nstarted: 2026-05-28T18:26:40Z\n",
    )];
    let u = over_window(&i, &TimeZone::UTC);
    assert_eq!(u.downtime_tenths, 7_160 * 3);
    // 100 × (1 − 2,148 / 7,763,160) = 99.972330…
    assert_eq!(u.units(), 999_723);
    // The figure moves with every minute now.
    assert_eq!(
        next_change(&i, now(), &TimeZone::UTC),
        Some(1_779_999_960 + 60)
    );
}

#[test]
fn dates_without_times_cover_whole_days_in_the_site_zone() {
    // 2026-05-10 to 2026-05-11 in New York: from 05-10T00:00-04:00 to the
    // end of 05-11, 48 h = 172,800 s at weight 1.
    let ny = TimeZone::get("America/New_York").unwrap();
    let i = [resolved("critical", "2026-05-10", "2026-05-11")];
    let u = over_window(&i, &ny);
    assert_eq!(u.downtime_tenths, 1_728_000);
    assert_eq!(u.seconds, 7_745_160);
    // 100 × (1 − 172,800 / 7,745,160) = 97.768928…
    assert_eq!(u.units(), 977_689);
    // A resolved incident without `resolved` ends with its last update's day.
    let j = [inc(
        "severity: critical\nstatus: resolved\nstarted: 2026-05-10\ntimeline:\n  - at: 2026-05-10\n    text: Down.\n",
    )];
    assert_eq!(over_window(&j, &ny).downtime_tenths, 864_000);
}

#[test]
fn the_window_edge_cuts_what_started_before_it() {
    let i = [
        // 2 h of its 4 h are after 2026-02-28T00:00Z.
        resolved("critical", "2026-02-27T22:00:00Z", "2026-02-28T02:00:00Z"),
        // Entirely before the window.
        resolved("critical", "2026-02-01T10:00:00Z", "2026-02-01T12:00:00Z"),
        // Ends exactly where the window starts: nothing inside.
        resolved("major", "2026-02-27T20:00:00Z", "2026-02-28T00:00:00Z"),
    ];
    let u = over_window(&i, &TimeZone::UTC);
    assert_eq!(u.downtime_tenths, 72_000);
    assert_eq!(incidents_in(&i, now(), &TimeZone::UTC), 1);
    // A day later the window starts a day later: the first one is out.
    let later = jiff::Timestamp::from_second(1_780_000_000 + 86_400).unwrap();
    let d = Downtime::of(&i, later, &TimeZone::UTC);
    assert_eq!(d.over(window(later, &TimeZone::UTC)).downtime_tenths, 0);
    assert_eq!(incidents_in(&i, later, &TimeZone::UTC), 0);
}

#[test]
fn an_empty_span_is_whole() {
    let u = Downtime::default().over((10, 10));
    assert_eq!(u.units(), 1_000_000);
}

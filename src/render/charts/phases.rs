//! The phase bar of an incident page: its timeline statuses and "now" in, one
//! proportional bar out (investigating → identified → monitoring), ending at
//! `resolved`, or at now while the incident is open. Each status entry starts
//! a phase that lasts until the next entry with another status; the first
//! phase starts at `started`. Entries with only a date cannot be placed and are
//! left out; no bar without at least one exact status time.

use super::super::view::Builder;
use super::{Chart, Fill, Shape, Svg, cell, chart, num_cell};
use crate::i18n::Strings;
use crate::ix::IncidentIx;
use crate::model::Status;

fn fill(s: Status) -> Fill {
    let (class, shape) = match s {
        Status::Investigating => ("ph-investigating", Shape::Cross),
        Status::Identified => ("ph-identified", Shape::Diagonal),
        Status::Monitoring => ("ph-monitoring", Shape::Dots),
        Status::Resolved => ("ph-resolved", Shape::Solid),
    };
    Fill {
        class,
        shape,
        label: status_key(s),
    }
}

/// The interface-string key of a status phase's label.
fn status_key(s: Status) -> &'static str {
    match s {
        Status::Investigating => "status.investigating",
        Status::Identified => "status.identified",
        Status::Monitoring => "status.monitoring",
        Status::Resolved => "status.resolved",
    }
}

/// A status phase's label inside a sentence (`investigating 12 min`).
fn in_text(strings: &Strings, s: Status) -> &str {
    strings.get(match s {
        Status::Investigating => "chart.in_text_investigating",
        Status::Identified => "chart.in_text_identified",
        Status::Monitoring => "chart.in_text_monitoring",
        Status::Resolved => "chart.in_text_resolved",
    })
}

/// One phase: its status, start and end (seconds since the epoch).
#[derive(Debug, PartialEq)]
pub(super) struct Phase {
    pub status: Status,
    pub from: i64,
    pub to: i64,
}

/// The phases of incident `i`; empty when there is nothing to draw.
pub(super) fn phases(cx: &Builder, i: IncidentIx) -> Vec<Phase> {
    let inc = cx.incident(i);
    let mut marks: Vec<(i64, Status)> = inc
        .timeline
        .iter()
        .filter_map(|e| Some((e.at.instant()?.as_second(), e.status?)))
        .collect();
    marks.dedup_by(|b, a| a.1 == b.1);
    let Some(&(first, _)) = marks.first() else {
        return Vec::new();
    };
    let start = inc
        .started
        .instant()
        .map_or(first, |t| t.as_second().min(first));
    // The latest entry of any kind (merged repeats included): an open bar
    // runs at least to it, even when "now" is earlier.
    let last = inc
        .timeline
        .iter()
        .filter_map(|e| e.at.instant())
        .map(|t| t.as_second())
        .max()
        .unwrap_or(first);
    let end = match (inc.status, &inc.resolved) {
        (Status::Resolved, Some(r)) => r.instant().map_or(last, |t| t.as_second()),
        (Status::Resolved, None) => last,
        _ => cx.now().0.as_second(),
    }
    .max(last);
    let mut out: Vec<Phase> = Vec::with_capacity(marks.len());
    for (n, &(at, status)) in marks.iter().enumerate() {
        let from = if n == 0 { start } else { at };
        let to = marks.get(n + 1).map_or(end, |m| m.0);
        out.push(Phase { status, from, to });
    }
    // A final `resolved` entry is where the bar ends, not a phase of its own.
    if out
        .last()
        .is_some_and(|p| p.status == Status::Resolved && p.from == p.to)
    {
        out.pop();
    }
    if out.iter().all(|p| p.to == p.from) {
        out.clear();
    }
    out
}

/// The chart's description: how long in all, each phase in words, how it ended.
fn describe(s: &crate::i18n::Strings, phases: &[Phase], total: i64, open: bool) -> String {
    let parts: Vec<String> = phases
        .iter()
        .map(|p| format!("{} {}", in_text(s, p.status), s.duration(p.to - p.from)))
        .collect();
    let end = s.get(if open {
        "chart.phases_still_open"
    } else {
        "chart.phases_then_resolved"
    });
    s.fmt(
        "chart.phases_desc",
        &[
            ("total", &s.duration(total)),
            ("phases", &parts.join(s.get("chart.phases_then"))),
            ("end", end),
        ],
    )
}

/// The phase-bar chart of incident `i`, or `null`.
pub(crate) fn phase_bar(cx: &Builder, i: IncidentIx) -> Option<Chart> {
    let inc = cx.incident(i);
    let phases = phases(cx, i);
    let (Some(a), Some(b)) = (phases.first(), phases.last()) else {
        return None;
    };
    let total = (b.to - a.from).max(1);
    let open = inc.unresolved();
    let s = cx.strings;
    let id = inc.id.to_string();
    let title = s.fmt("chart.phases_title", &[("id", &id)]);
    let desc = describe(s, &phases, total, open);
    let (w, top, bar_h) = (720.0, 22.0, 26.0);
    let mut fills: Vec<Fill> = Vec::new();
    for p in &phases {
        if !fills.iter().any(|f| f.label == status_key(p.status)) {
            fills.push(fill(p.status));
        }
    }
    // One phase bar on an incident page: a short id is unique there.
    let mut svg = Svg::new("ph", (w, top + bar_h + 34.0), false, &title, &desc);
    svg.patterns(&fills);
    svg.legend(s, &fills, (0.0, 12.0), 120.0);
    let tz = &cx.config().timezone;
    let mut rows = Vec::new();
    for p in &phases {
        let x = (p.from - a.from) as f64 * w / total as f64;
        let width = (p.to - p.from) as f64 * w / total as f64;
        let d = s.duration(p.to - p.from);
        let label = s.get(status_key(p.status));
        let tip = format!("{label}: {d}");
        // Its label under it when it fits (about 6.5 units a character);
        // else the same words as its tooltip.
        let fits = width > 6.5 * tip.len() as f64 + 4.0;
        svg.bar(
            &fill(p.status),
            (x, top, width, bar_h),
            (!fits).then_some(&*tip),
        );
        if fits {
            svg.text("phase-label", (x + 2.0, top + bar_h + 14.0), "start", &tip);
        }
        let since = jiff::Timestamp::from_second(p.from)
            .map(|t| crate::time::Timestamp::Instant(t).display_in(tz, s))
            .unwrap_or_default();
        rows.push(vec![cell(label), cell(since), num_cell(d)]);
    }
    let end_label = s.get(if open {
        "chart.phases_now"
    } else {
        "chart.phases_resolved"
    });
    let started = s.get("chart.phases_started");
    svg.text("axis", (0.0, top + bar_h + 30.0), "start", started);
    svg.text("axis", (w, top + bar_h + 30.0), "end", end_label);
    let caption = s.fmt("chart.phases_caption", &[("id", &id)]);
    let head = ["chart.phase", "chart.from", "chart.duration"];
    let head = head.iter().map(|k| s.get(k)).collect();
    Some(chart(
        s,
        "phases",
        svg,
        (&title, &desc),
        (caption, head, rows),
    ))
}

//! The 90-day strip of a service page: the service's incidents and "now" in,
//! one bar per day out for the 90 days ending with now's date (site time
//! zone), painted by that day's worst severity. An incident is active from the
//! date it started to the date it was resolved (an open one: to today; a
//! resolved one without a time: to its last update). Maintenance is not
//! counted. A day with incidents links to its worst one (ties: the newest);
//! every ID of the day is in the bar's `<title>` and in the data table, and
//! each bar's `<title>` carries that day's uptime (`crate::uptime`).

use super::super::reads::List;
use super::super::view::Builder;
use super::{Bucket, Cell, Chart, Fill, Shape, Svg, cell, chart, links_cell, severity_fills};
use crate::ix::IncidentIx;
use crate::link::{Tax, incident_path};
use crate::model::{Classification, Status};
use jiff::civil::Date;

pub(super) const DAYS: usize = 90;

const CLEAR: Fill = Fill {
    class: "day-clear",
    shape: Shape::Solid,
    label: "chart.strip_clear",
};

/// Per day, oldest first: the indices (site order, newest first) of the
/// incidents active that day.
fn days(cx: &Builder, incidents: &[IncidentIx], today: Date) -> Vec<Vec<IncidentIx>> {
    let tz = &cx.config().timezone;
    let first = today
        .checked_sub(jiff::Span::new().days(DAYS as i64 - 1))
        .unwrap_or(today);
    let mut days = vec![Vec::new(); DAYS];
    for &i in incidents {
        let inc = cx.incident(i);
        if inc.classification == Classification::Maintenance {
            continue;
        }
        let start = inc.started.date(tz);
        let end = match (&inc.resolved, inc.status) {
            (Some(r), _) => r.date(tz),
            (None, Status::Resolved) => inc.last_update().date(tz),
            (None, _) => today,
        }
        .max(start);
        let (from, to) = (start.max(first), end.min(today));
        let mut d = from;
        while d <= to {
            if let Ok(n) = first.until(d).map(|s| s.get_days() as usize) {
                days[n].push(i);
            }
            match d.tomorrow() {
                Ok(t) => d = t,
                Err(_) => break,
            }
        }
    }
    days
}

/// The strip of service `slug`.
pub(crate) fn service_strip(cx: &Builder, slug: &str) -> Chart {
    // The strip reads every incident of the service.
    let incidents = cx.members(List::Term(Tax::Services, slug.to_string()));
    let name = cx.term_name(Tax::Services, slug).unwrap_or(slug);
    let tz = &cx.config().timezone;
    let today = crate::time::Timestamp::Instant(cx.now().0).date(tz);
    let days = days(cx, &incidents, today);
    let down = cx.downtime(slug);
    let now = crate::uptime::minute(cx.now().0);
    let day_uptime = |d: Date| {
        let end = d
            .tomorrow()
            .map_or(now, |t| crate::uptime::day_start(t, tz));
        let span = (crate::uptime::day_start(d, tz), end.min(now));
        cx.uptime_text(down.over(span))
    };
    let first = today
        .checked_sub(jiff::Span::new().days(DAYS as i64 - 1))
        .unwrap_or(today);
    let bad = days.iter().filter(|d| !d.is_empty()).count();
    let s = cx.strings;
    let (n_days, bad_n) = (DAYS.to_string(), bad.to_string());
    let (first_s, today_s) = (first.to_string(), today.to_string());
    let args = [
        ("service", name),
        ("n", n_days.as_str()),
        ("bad", bad_n.as_str()),
        ("first", first_s.as_str()),
        ("today", today_s.as_str()),
    ];
    let title = s.fmt("chart.strip_title", &args);
    let desc = s.fmt("chart.strip_desc", &args);
    let (w, top, bar_h) = (720.0, 22.0, 34.0);
    let slot = w / DAYS as f64;
    let mut svg = Svg::new(
        &format!("strip-{slug}"),
        (w, top + bar_h + 18.0),
        bad > 0,
        &title,
        &desc,
    );
    let mut fills = severity_fills();
    fills.push(CLEAR);
    svg.patterns(&fills);
    svg.legend(s, &fills, (0.0, 12.0), 110.0);
    let mut rows = Vec::new();
    for (n, incs) in days.iter().enumerate() {
        let date = first
            .checked_add(jiff::Span::new().days(n as i64))
            .unwrap_or(today);
        let rect = (slot * n as f64 + 1.0, top, slot - 2.0, bar_h);
        rows.extend(day_bar(cx, &mut svg, date, incs, rect, &day_uptime(date)));
    }
    let base = top + bar_h + 14.0;
    svg.text("axis", (0.0, base), "start", &first.to_string());
    svg.text(
        "axis",
        (w, base),
        "end",
        &s.fmt("chart.strip_today", &[("date", &today_s)]),
    );
    rows.reverse();
    let caption = s.fmt("chart.strip_caption", &args);
    let head = ["chart.date", "chart.worst", "chart.incidents"];
    let head = head.iter().map(|k| s.get(k)).collect();
    let mut v = chart(s, "strip", svg, (&title, &desc), (caption, head, rows));
    v.table.empty = s.fmt("chart.strip_empty", &args);
    v.days = Some(DAYS);
    v
}

/// Day `date`'s bar at `rect`: clear, or painted by the worst of its incidents
/// `incs` and linking to it. A day with incidents also gives a table row.
fn day_bar(
    cx: &Builder,
    svg: &mut Svg,
    date: Date,
    incs: &[IncidentIx],
    rect: (f64, f64, f64, f64),
    uptime: &str,
) -> Option<Vec<Cell>> {
    let s = cx.strings;
    // Newest first, so min_by_key keeps the newest of the worst.
    let Some(&worst) = incs
        .iter()
        .min_by_key(|&&i| Bucket::of(cx.incident(i).severity))
    else {
        let date = date.to_string();
        let tip = s.fmt(
            "chart.strip_clear_tip",
            &[("date", &date), ("uptime", uptime)],
        );
        svg.bar(&CLEAR, rect, Some(&tip));
        return None;
    };
    let bucket = Bucket::of(cx.incident(worst).severity);
    let ids: Vec<&str> = incs.iter().map(|&i| cx.incident(i).id.as_str()).collect();
    let tip = s.fmt(
        "chart.strip_tip",
        &[
            ("date", &date.to_string()),
            ("ids", &ids.join(", ")),
            ("severity", s.get(bucket.in_text_key())),
            ("uptime", uptime),
        ],
    );
    let url = cx.config().url(&incident_path(&cx.incident(worst).id));
    svg.raw(&format!(
        "<a href=\"{}\" aria-label=\"{}\">",
        super::xml(&url),
        super::xml(&tip)
    ));
    svg.bar(&bucket.fill(), rect, Some(&tip));
    svg.raw("</a>");
    let links = incs
        .iter()
        .map(|&i| {
            let id = &cx.incident(i).id;
            (id.to_string(), cx.config().url(&incident_path(id)))
        })
        .collect();
    Some(vec![
        cell(date.to_string()),
        cell(s.get(bucket.key())),
        links_cell(links),
    ])
}

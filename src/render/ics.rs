//! The maintenance calendar: the linked site in, `/maintenance.ics` out — an
//! RFC 5545 iCalendar with one `VEVENT` per maintenance entry (completed ones
//! too), CRLF lines folded at 75 octets, and nothing taken from the clock.

use super::view::Builder;
use crate::escape::ical_text as text;
use crate::ix::IncidentIx;
use crate::link::incident_path;
use crate::model::{Classification, Incident};
use crate::time::Timestamp;
use jiff::tz::TimeZone;

pub(super) const PATH: &str = "maintenance.ics";

/// One content line, folded so that no physical line exceeds 75 octets
/// (§3.1): continuation lines start with a space, and a UTF-8 character is
/// never split. Ends with CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn utc(t: jiff::Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// A date-time property's value in UTC; a plain date counts as its start in UTC.
fn stamp(t: &Timestamp) -> String {
    match t {
        Timestamp::Instant(i) => utc(*i),
        Timestamp::Date(d) => format!("{}T000000Z", d.strftime("%Y%m%d")),
    }
}

/// The host of `base_url`, for UIDs that stay the same across builds.
fn host(base_url: &str) -> &str {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    authority.split(':').next().unwrap_or(authority)
}

fn event(cx: &Builder, i: IncidentIx, out: &mut String) {
    let inc = cx.incident(i);
    let Some(w) = &inc.window else { return };
    let c = cx.config();
    let url = c.abs_url(&incident_path(&inc.id));
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{}@{}", inc.id.key(), host(&c.base_url)));
    // When the entry last changed: its latest update, a time of the content.
    line(out, &format!("DTSTAMP:{}", stamp(inc.updated())));
    match (w.start, w.end) {
        (Timestamp::Instant(s), Timestamp::Instant(e)) => {
            line(out, &format!("DTSTART:{}", utc(s)));
            line(out, &format!("DTEND:{}", utc(e)));
        }
        // A window known only to the day is an all-day event; DTEND is exclusive.
        (s, e) => {
            let tz: &TimeZone = &c.timezone;
            let end = e.date(tz).tomorrow().unwrap_or(e.date(tz));
            line(
                out,
                &format!("DTSTART;VALUE=DATE:{}", s.date(tz).strftime("%Y%m%d")),
            );
            line(out, &format!("DTEND;VALUE=DATE:{}", end.strftime("%Y%m%d")));
        }
    }
    line(
        out,
        &format!("SUMMARY:{}", text(&format!("{}: {}", inc.id, inc.title))),
    );
    line(out, &format!("URL:{url}"));
    let summary = cx.summary(i);
    let description = format!("{summary}\n\nServices: {}\n{url}", inc.services.join(", "));
    line(
        out,
        &format!("DESCRIPTION:{}", text(description.trim_start())),
    );
    line(out, "END:VEVENT");
}

/// `/maintenance.ics`: every maintenance window, earliest first (ties by ID).
pub(super) fn calendar(cx: &Builder) -> String {
    let site = cx.whole();
    let mut entries: Vec<IncidentIx> = (site.incidents.iter_enumerated())
        .filter(|(_, inc)| {
            inc.classification == Classification::Maintenance && inc.window.is_some()
        })
        .map(|(i, _)| i)
        .collect();
    let key = |i: IncidentIx| {
        let inc: &Incident = &site.incidents[i];
        (inc.window.map_or(0, |w| w.start.sort_key()), inc.id.key())
    };
    entries.sort_by_cached_key(|&i| key(i));
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//sitrep//maintenance calendar//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(
        &mut out,
        &format!(
            "X-WR-CALNAME:{}",
            text(&format!("{} — maintenance", site.config.title))
        ),
    );
    for i in entries {
        event(cx, i, &mut out);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a,b;c\\d\ne\u{7}"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn folding_keeps_lines_short_and_characters_whole() {
        let mut out = String::new();
        let long = format!("DESCRIPTION:{}", "Zürich ⚠ ".repeat(30));
        line(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
    }

    #[test]
    fn uid_host_ignores_scheme_port_and_path() {
        assert_eq!(
            host("https://status.example.org:8443/pm/"),
            "status.example.org"
        );
        assert_eq!(host("http://localhost/"), "localhost");
    }
}

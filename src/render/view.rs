//! The view of the site every context builder reads through: the linked
//! site, "now", the interface strings and the status model in, the shared
//! conversions out (a time's four forms, URLs with the base sub-path, term
//! links, status labels). Context builders in `context.rs`, `lists.rs`,
//! `fragments.rs`, the charts and the machine outputs all build on it.

use crate::i18n::Strings;
use crate::link::{Site, Tax};
use crate::model::Status;
use crate::time::Timestamp;
use serde_json::{Value, json};

/// "Now", for maintenance state and "open for" (from SOURCE_DATE_EPOCH or the clock).
#[derive(Debug, Clone, Copy)]
pub struct Now(pub jiff::Timestamp);

pub(crate) struct Builder<'a> {
    pub site: &'a Site,
    pub now: &'a Now,
    /// Interface strings of the site's language: every word a context carries.
    pub strings: &'a Strings,
    pub status: &'a crate::status::StatusModel,
    pub cards: &'a super::cards::Cards<'a>,
    pub memo: Option<&'a super::memo::Memo>,
    /// What the page being built reads (serve records it; see `reads.rs`).
    pub reads: super::reads::Recorder,
}

pub(super) const LATEST: usize = 10;

/// The anchor of the postmortem section of an incident page.
pub const POSTMORTEM_ANCHOR: &str = "postmortem";

impl Builder<'_> {
    pub fn time(&self, t: &Timestamp) -> Value {
        let tz = &self.site.config.timezone;
        // As `Timestamp::display_in`, with the zone conversions done once:
        // pages show thousands of times.
        let (day, clock) = (t.date(tz), t.clock(tz));
        let date = self.strings.date(day);
        let display = match &clock {
            Some(c) => self.strings.datetime(day, c),
            None => date.clone(),
        };
        json!({"machine": t.machine(), "display": display, "date": date, "clock": clock})
    }

    /// A status in the site's language (`Resolved`, `Behoben`).
    pub(super) fn status_label(&self, s: Status) -> String {
        self.strings
            .get(&format!("status.{}", s.as_str()))
            .to_string()
    }

    pub(super) fn duration(&self, seconds: i64) -> String {
        self.strings.duration(seconds)
    }

    pub(super) fn opt_time(&self, t: Option<&Timestamp>) -> Value {
        t.map_or(Value::Null, |t| self.time(t))
    }

    pub(super) fn url(&self, path: &str) -> String {
        self.site.config.url(path)
    }

    /// Term links of taxonomy `t`.
    pub(super) fn links<'s>(&self, t: Tax, names: impl IntoIterator<Item = &'s str>) -> Value {
        let tax = self.site.taxonomy(t);
        names
            .into_iter()
            .map(|n| json!({"name": n, "url": tax.term_url(&self.site.config, n)}))
            .collect()
    }
}

/// The first instant after `now` at which a page that reads "now" can show
/// something else: an open incident's "open for" gains a minute, a
/// maintenance window starts or ends, the date in the site's zone changes.
/// Serve advances its clock then. Code that reads `now` must be covered here.
pub fn next_change(site: &Site, now: &Now) -> Option<jiff::Timestamp> {
    let tz = &site.config.timezone;
    let n = now.0.as_second();
    let at = |t: &Timestamp| match t {
        Timestamp::Instant(i) => Some(i.as_second()),
        Timestamp::Date(d) => d
            .to_zoned_datetime(tz.clone())
            .ok()
            .map(|z| z.timestamp().as_second()),
    };
    let midnight = now
        .0
        .to_zoned_datetime(tz.clone())
        .date()
        .tomorrow()
        .ok()
        .and_then(|d| at(&Timestamp::Date(d)));
    let mut times: Vec<i64> = midnight.into_iter().collect();
    for inc in &site.incidents {
        if let Some(w) = &inc.window {
            times.extend(at(&w.start));
            times.extend(at(&w.end));
        }
        if inc.unresolved()
            && let Some(s) = inc.started.instant().map(|s| s.as_second())
        {
            // "Open for" counts whole minutes from `started`.
            times.push(s);
            times.push(n + 60 - (n - s).rem_euclid(60));
        }
    }
    // Uptime figures move with the window's end while it holds downtime.
    times.extend(crate::uptime::next_change(&site.incidents, now.0, tz));
    let next = times.into_iter().filter(|&t| t > n).min()?;
    jiff::Timestamp::from_second(next).ok()
}

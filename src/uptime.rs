//! Uptime: a service's incidents, the site time zone and "now" in; its
//! weighted downtime and uptime over the 90 days that end now, and over each
//! of those days, out — FORMAT.md's rule in whole seconds. Pure: no clock.
//!
//! The window starts at the beginning of the day 89 days before today (site
//! zone), so it is exactly the 90 days of the service page's strip, and ends
//! at "now" taken to the whole minute: output then changes only at the
//! instants [`next_change`] names, which serve's clock follows.

use crate::model::{Classification, Incident, Status};
use crate::status::ComponentStatus;
use crate::time::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The days the window covers.
pub(crate) const DAYS: i64 = 90;

/// Uptime in units of 0.0001 %: 1,000,000 is 100 %.
const FULL: u64 = 1_000_000;

/// An interval of whole seconds since the epoch, end excluded.
pub(crate) type Span = (i64, i64);

/// "Now" as uptime reads it: to the whole minute.
pub(crate) fn minute(now: jiff::Timestamp) -> i64 {
    let s = now.as_second();
    s - s.rem_euclid(60)
}

/// The start of `d` in `tz`, in seconds.
pub(crate) fn day_start(d: Date, tz: &TimeZone) -> i64 {
    d.to_zoned_datetime(tz.clone())
        .map_or(i64::MIN / 4, |z| z.timestamp().as_second())
}

/// Today's date in `tz` at `now`.
fn today(now: i64, tz: &TimeZone) -> Date {
    jiff::Timestamp::from_second(now).map_or(Date::ZERO, |t| t.to_zoned_datetime(tz.clone()).date())
}

/// The first day of the window (89 days before today).
pub(crate) fn first_day(now: jiff::Timestamp, tz: &TimeZone) -> Date {
    let today = today(minute(now), tz);
    today
        .checked_sub(jiff::Span::new().days(DAYS - 1))
        .unwrap_or(today)
}

/// The 90-day window: from the start of its first day to "now" (to the minute).
pub(crate) fn window(now: jiff::Timestamp, tz: &TimeZone) -> Span {
    (day_start(first_day(now, tz), tz), minute(now))
}

/// Where a timestamp starts (a date: the start of that day in `tz`).
fn start_of(t: &Timestamp, tz: &TimeZone) -> i64 {
    match t {
        Timestamp::Instant(i) => i.as_second(),
        Timestamp::Date(d) => day_start(*d, tz),
    }
}

/// Where a timestamp ends (a date: the end of that day in `tz`).
fn end_of(t: &Timestamp, tz: &TimeZone) -> i64 {
    match t {
        Timestamp::Instant(i) => i.as_second(),
        Timestamp::Date(d) => d.tomorrow().map_or(i64::MAX / 4, |n| day_start(n, tz)),
    }
}

/// The time an incident counts as downtime: `started` to `resolved` (a
/// resolved one without `resolved`: to its last update), an open one to
/// `now`. `None` for maintenance, which never counts.
pub(crate) fn span(inc: &Incident, now: i64, tz: &TimeZone) -> Option<Span> {
    if inc.classification == Classification::Maintenance {
        return None;
    }
    let start = start_of(&inc.started, tz);
    let end = match (&inc.resolved, inc.status) {
        (_, s) if s != Status::Resolved => now,
        (Some(r), _) => end_of(r, tz),
        (None, _) => end_of(inc.last_update(), tz),
    };
    Some((start, end.max(start)))
}

/// An incident's weight in tenths (FORMAT.md: by the component status its
/// severity maps to).
pub(crate) fn weight(inc: &Incident) -> u64 {
    ComponentStatus::of_severity(inc.severity).downtime_tenths()
}

/// Sorted, disjoint spans covering the same time as `spans`.
fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|(a, b)| b > a);
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Seconds of `merged` (sorted, disjoint) inside `[from, to)`.
fn covered(merged: &[Span], (from, to): Span) -> u64 {
    let at = merged.partition_point(|s| s.1 <= from);
    merged[at..]
        .iter()
        .take_while(|s| s.0 < to)
        .map(|&(a, b)| (b.min(to) - a.max(from)).max(0).unsigned_abs())
        .sum()
}

/// Weighted downtime over a span of time, and how long that span is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Uptime {
    /// Weighted downtime, in tenths of a second.
    pub downtime_tenths: u64,
    /// The span's length in seconds.
    pub seconds: u64,
}

impl Uptime {
    /// The uptime in units of 0.0001 %, rounded down, so any downtime shows
    /// below 100. An empty span is 100 %.
    pub(crate) fn units(self) -> u64 {
        if self.seconds == 0 {
            return FULL;
        }
        let whole = u128::from(self.seconds) * 10;
        let lost = (u128::from(self.downtime_tenths) * u128::from(FULL)).div_ceil(whole);
        FULL.saturating_sub(u64::try_from(lost).unwrap_or(FULL))
    }

    /// The percentage to four decimals (`99.9537`), for JSON.
    pub(crate) fn percent(self) -> f64 {
        self.units() as f64 / 10_000.0
    }

    /// The percentage to two decimals, rounded down (`99.95`), with
    /// `decimal` as the decimal mark.
    pub(crate) fn two_decimals(self, decimal: &str) -> String {
        let hundredths = self.units() / 100;
        format!("{}{decimal}{:02}", hundredths / 100, hundredths % 100)
    }
}

/// One service's downtime: the time covered at weight 1 and at weight 0.3 or more.
#[derive(Debug, Clone, Default)]
pub(crate) struct Downtime {
    major: Vec<Span>,
    any: Vec<Span>,
}

impl Downtime {
    /// The downtime of these incidents (a service's), "now" to the minute.
    pub(crate) fn of<'a>(
        incidents: impl IntoIterator<Item = &'a Incident>,
        now: jiff::Timestamp,
        tz: &TimeZone,
    ) -> Downtime {
        let now = minute(now);
        let (mut major, mut any) = (Vec::new(), Vec::new());
        for inc in incidents {
            let w = weight(inc);
            let Some(s) = span(inc, now, tz).filter(|_| w > 0) else {
                continue;
            };
            if w >= 10 {
                major.push(s);
            }
            any.push(s);
        }
        Downtime {
            major: merge(major),
            any: merge(any),
        }
    }

    /// Uptime over `[from, to)`: where incidents overlap, the highest weight counts.
    pub(crate) fn over(&self, (from, to): Span) -> Uptime {
        let to = to.max(from);
        let major = covered(&self.major, (from, to));
        let partial = covered(&self.any, (from, to)) - major;
        Uptime {
            downtime_tenths: major * 10 + partial * 3,
            seconds: (to - from).unsigned_abs(),
        }
    }
}

/// How many of these incidents (not maintenance) overlap the window.
pub(crate) fn incidents_in<'a>(
    incidents: impl IntoIterator<Item = &'a Incident>,
    now: jiff::Timestamp,
    tz: &TimeZone,
) -> usize {
    let (from, to) = window(now, tz);
    let now = minute(now);
    incidents
        .into_iter()
        .filter_map(|inc| span(inc, now, tz))
        .filter(|&(a, b)| b > from && a <= to)
        .count()
}

/// The next whole minute while any incident with weight overlaps the
/// window: the window's end moves every minute, and the figures with it.
/// (Midnight, when its start moves, is [`crate::render::next_change`]'s.)
pub(crate) fn next_change<'a>(
    incidents: impl IntoIterator<Item = &'a Incident>,
    now: jiff::Timestamp,
    tz: &TimeZone,
) -> Option<i64> {
    let (from, to) = window(now, tz);
    let now_s = minute(now);
    let weighs = |inc: &&Incident| {
        weight(inc) > 0 && span(inc, now_s, tz).is_some_and(|(a, b)| b > from && a <= to)
    };
    incidents.into_iter().any(|i| weighs(&i)).then_some(to + 60)
}

#[cfg(test)]
mod tests;

//! Checks that need "now": the linked site and the clock in, warnings out —
//! an open incident whose last update (last timeline entry, else `started`)
//! is older than `stale_after`, and an open incident sharing an `errors` term
//! with another incident that neither lists in `related`. Warnings only: the
//! clock never fails a build. Each sits in the open incident's file.

use crate::config::Config;
use crate::diag::{Diagnostic, Severity};
use crate::frontmatter::{diag_at, key_path};
use crate::link::Site;
use crate::model::{Incident, Related};
use crate::status::is_open;
use crate::time::{Timestamp, format_duration};
use jiff::SignedDuration;
use std::collections::HashMap;

/// The warnings for `incidents` (those of the site being built, with their
/// file texts still there to quote).
pub fn warnings(incidents: &[&Incident], config: &Config, now: jiff::Timestamp) -> Vec<Diagnostic> {
    let mut out = stale(incidents, config, now);
    out.extend(unrelated(incidents));
    out
}

/// [`warnings`] of a linked site that kept its texts (serve's).
pub fn of_site(site: &Site, now: jiff::Timestamp) -> Vec<Diagnostic> {
    let incidents: Vec<&Incident> = site.incidents.iter().collect();
    warnings(&incidents, &site.config, now)
}

fn warn(inc: &Incident, path: &[crate::frontmatter::Seg], msg: String, hint: String) -> Diagnostic {
    let mut d = diag_at(&inc.origin, path, msg, Some(hint));
    d.severity = Severity::Warning;
    d
}

/// When a time was at the latest: a plain date counts to its end in the site zone.
fn latest_instant(t: &Timestamp, tz: &jiff::tz::TimeZone) -> Option<jiff::Timestamp> {
    match t {
        Timestamp::Instant(i) => Some(*i),
        Timestamp::Date(d) => d
            .tomorrow()
            .ok()?
            .to_zoned_datetime(tz.clone())
            .ok()
            .map(|z| z.timestamp()),
    }
}

/// An open incident's last update (its last timeline entry, else `started`)
/// as an instant, and where it is written.
fn last_update(
    inc: &Incident,
    tz: &jiff::tz::TimeZone,
) -> Option<(jiff::Timestamp, Vec<crate::frontmatter::Seg>)> {
    let (last, path) = match inc.timeline.len() {
        0 => (&inc.started, key_path("started", None, None)),
        n => (
            &inc.timeline[n - 1].at,
            key_path("timeline", Some(n - 1), Some("at")),
        ),
    };
    Some((latest_instant(last, tz)?, path))
}

/// The stale warning's words around the age, which grows every minute:
/// [`steady`] masks what lies between them.
const STALE_WAS: &str = " is open and its last update was ";
const STALE_AGO: &str = " ago, longer than `stale_after` (";

fn stale(incidents: &[&Incident], config: &Config, now: jiff::Timestamp) -> Vec<Diagnostic> {
    let Some(limit) = config.stale_after else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for inc in incidents.iter().filter(|i| is_open(i)) {
        let Some((at, path)) = last_update(inc, &config.timezone) else {
            continue;
        };
        let age = now.duration_since(at);
        if age > limit {
            let msg = format!(
                "{}{STALE_WAS}{}{STALE_AGO}{})",
                inc.id,
                format_duration(age.as_secs()),
                format_duration(limit.as_secs())
            );
            let hint = format!(
                "post an update: `sitrep update {} --message \"…\"` (or with `--status resolved`); `stale_after` in sitrep.toml sets the limit, \"0\" turns it off",
                inc.id
            );
            out.push(warn(inc, &path, msg, hint));
        }
    }
    out
}

/// The first instant after `now` at which an open incident of `site` that
/// is not stale yet turns stale (a second past its last update plus
/// `stale_after`): serve's timer wakes then to run these checks again.
/// `None`: no incident will without an edit.
pub fn next_stale(site: &Site, now: jiff::Timestamp) -> Option<jiff::Timestamp> {
    let limit = site.config.stale_after?;
    let tz = &site.config.timezone;
    site.incidents
        .iter()
        .filter(|i| is_open(i))
        .filter_map(|inc| last_update(inc, tz))
        .filter(|(at, _)| now.duration_since(*at) <= limit)
        .filter_map(|(at, _)| at.checked_add(limit + SignedDuration::from_secs(1)).ok())
        .min()
}

/// A warning as serve compares warnings to tell whether they changed: a
/// stale warning's age grows every minute, and that alone is no change.
pub fn steady(d: &Diagnostic) -> Diagnostic {
    let mut d = d.clone();
    if let Some((head, rest)) = d.message.split_once(STALE_WAS)
        && let Some((_, tail)) = rest.split_once(STALE_AGO)
    {
        d.message = format!("{head}{STALE_WAS}…{STALE_AGO}{tail}");
    }
    d
}

/// Whether `a` lists `b` in `related`.
fn relates(a: &Incident, b: &Incident) -> bool {
    a.related
        .iter()
        .any(|r| matches!(r, Related::Incident { id, .. } if id.key() == b.id.key()))
}

/// At most this many incidents are named per shared error: a common error
/// is shared by hundreds, and the writer needs the latest few.
const NAMED: usize = 3;

fn unrelated(incidents: &[&Incident]) -> Vec<Diagnostic> {
    // Error term of an open incident → the incidents listing it. Only open
    // incidents warn, and they are few: serve runs this after every edit.
    let mut by_term: HashMap<&str, Vec<usize>> = incidents
        .iter()
        .filter(|i| is_open(i))
        .flat_map(|i| i.errors.iter().map(|e| (e.term(), Vec::new())))
        .collect();
    if by_term.is_empty() {
        return Vec::new();
    }
    for (i, inc) in incidents.iter().enumerate() {
        for e in &inc.errors {
            if let Some(list) = by_term.get_mut(e.term())
                && list.last() != Some(&i)
            {
                list.push(i);
            }
        }
    }
    let mut out = Vec::new();
    for (i, inc) in incidents.iter().enumerate() {
        if !is_open(inc) {
            continue;
        }
        let mut seen = Vec::new();
        for (k, e) in inc.errors.iter().enumerate() {
            let term = e.term();
            if seen.contains(&term) {
                continue;
            }
            seen.push(term);
            let mut others: Vec<&Incident> = by_term[term]
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| incidents[j])
                .filter(|o| !relates(inc, o) && !relates(o, inc))
                .collect();
            if others.is_empty() {
                continue;
            }
            // Latest first, then by ID: the same site always names the same ones.
            others.sort_by(|a, b| {
                b.started
                    .sort_key()
                    .cmp(&a.started.sort_key())
                    .then_with(|| a.id.cmp(&b.id))
            });
            let names: Vec<String> = others
                .iter()
                .take(NAMED)
                .map(|o| o.id.to_string())
                .collect();
            let named = match names.as_slice() {
                [one] => one.clone(),
                [init @ .., last] => format!("{} or {last}", init.join(", ")),
                [] => continue,
            };
            let more = others.len().saturating_sub(NAMED);
            let msg = format!("did you mean to relate {named} (same error {term})?");
            let mut hint = format!(
                "add the earlier outage to `related` of {} if it is the same problem again; otherwise ignore this",
                inc.id
            );
            if more > 0 {
                hint.push_str(&format!(" ({more} more incidents share this error)"));
            }
            out.push(warn(inc, &key_path("errors", Some(k), None), msg, hint));
        }
    }
    out
}

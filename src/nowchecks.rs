//! Checks that need "now": the linked site and the clock in, warnings out —
//! an open incident whose last update (last timeline entry, else `started`)
//! is older than `stale_after`, and an open incident sharing an `errors` term
//! with another incident that neither lists in `related`. Warnings only: the
//! clock never fails a build. Each sits in the open incident's file.

use crate::config::Config;
use crate::diag::{Diagnostic, Severity};
use crate::frontmatter::{diag_at, key_path};
use crate::ix::{IncidentIx, TiSlice, TiVec};
use crate::link::Site;
use crate::model::{Incident, Related};
use crate::status::is_open;
use crate::time::{Timestamp, format_duration};
use jiff::SignedDuration;
use std::cmp::Reverse;
use std::collections::HashMap;

/// The warnings for `incidents` (those of the site being built, with their
/// file texts still there to quote).
pub(crate) fn warnings(
    incidents: &[&Incident],
    config: &Config,
    now: jiff::Timestamp,
) -> Vec<Diagnostic> {
    // Not linked yet: positions in this list, not the site's `IncidentIx`.
    let incidents = TiSlice::<usize, &Incident>::from_ref(incidents);
    let index = (incidents.iter_enumerated())
        .map(|(i, x)| (x.id.key(), i))
        .collect();
    checks(incidents, &index, config, now)
}

/// [`warnings`] of a linked site that kept its texts (serve's, after every
/// edit: its index is at hand).
pub(crate) fn of_site(site: &Site, now: jiff::Timestamp) -> Vec<Diagnostic> {
    let incidents: TiVec<IncidentIx, &Incident> = site.incidents.iter().collect();
    checks(&incidents, &site.index, &site.config, now)
}

/// A position in the incidents checked: a site's [`IncidentIx`], or a place
/// in a list not linked yet (`usize`).
trait Position: Copy + Eq + std::hash::Hash + From<usize> + Into<usize> {}
impl<K: Copy + Eq + std::hash::Hash + From<usize> + Into<usize>> Position for K {}

/// `index`: lower-cased ID → position in `incidents`.
fn checks<K: Position>(
    incidents: &TiSlice<K, &Incident>,
    index: &HashMap<String, K>,
    config: &Config,
    now: jiff::Timestamp,
) -> Vec<Diagnostic> {
    let mut out = stale(&incidents.raw, config, now);
    out.extend(unrelated(incidents, index));
    out
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
pub(crate) fn next_stale(site: &Site, now: jiff::Timestamp) -> Option<jiff::Timestamp> {
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
pub(crate) fn steady(d: &Diagnostic) -> Diagnostic {
    let mut d = d.clone();
    if let Some((head, rest)) = d.message.split_once(STALE_WAS)
        && let Some((_, tail)) = rest.split_once(STALE_AGO)
    {
        d.message = format!("{head}{STALE_WAS}…{STALE_AGO}{tail}");
    }
    d
}

/// For each open incident (by position), the incidents related with it
/// either way (one lists the other in `related`). One pass over every
/// `related` list, instead of comparing IDs for every pair sharing an error.
fn near<K: Position>(
    incidents: &TiSlice<K, &Incident>,
    index: &HashMap<String, K>,
) -> HashMap<K, Vec<K>> {
    let mut near: HashMap<K, Vec<K>> = (incidents.iter_enumerated())
        .filter(|(_, inc)| is_open(inc))
        .map(|(i, _)| (i, Vec::new()))
        .collect();
    let mut key = String::new();
    for (j, x) in incidents.iter_enumerated() {
        for r in &x.related {
            let Related::Incident { id, .. } = r else {
                continue;
            };
            // The lower-cased ID, as `IncidentId::key`, in one reused buffer.
            key.clear();
            key.extend(id.as_str().chars().map(|c| c.to_ascii_lowercase()));
            let Some(&t) = index.get(key.as_str()) else {
                continue;
            };
            if let Some(v) = near.get_mut(&t) {
                v.push(j);
            }
            if let Some(v) = near.get_mut(&j) {
                v.push(t);
            }
        }
    }
    near
}

/// The [`NAMED`] latest of `others` (latest start first, then by ID: the
/// same site always names the same ones), and how many there are. A common
/// error is shared by thousands: no sort of them all.
fn latest<'a>(others: impl Iterator<Item = &'a Incident>) -> (Vec<&'a Incident>, usize) {
    let mut top: Vec<(Reverse<i64>, &Incident)> = Vec::with_capacity(NAMED + 1);
    let mut count = 0;
    for o in others {
        count += 1;
        let key = Reverse(o.started.sort_key());
        let at = top.partition_point(|(k, t)| (*k, &t.id) < (key, &o.id));
        if at < NAMED {
            top.insert(at, (key, o));
            top.truncate(NAMED);
        }
    }
    (top.into_iter().map(|(_, o)| o).collect(), count)
}

/// At most this many incidents are named per shared error: a common error
/// is shared by hundreds, and the writer needs the latest few.
const NAMED: usize = 3;

fn unrelated<K: Position>(
    incidents: &TiSlice<K, &Incident>,
    index: &HashMap<String, K>,
) -> Vec<Diagnostic> {
    // Error term of an open incident → the incidents listing it. Only open
    // incidents warn, and they are few: serve runs this after every edit.
    let mut by_term: HashMap<&str, Vec<K>> = incidents
        .iter()
        .filter(|i| is_open(i))
        .flat_map(|i| i.errors.iter().map(|e| (e.term(), Vec::new())))
        .collect();
    if by_term.is_empty() {
        return Vec::new();
    }
    for (i, inc) in incidents.iter_enumerated() {
        for e in &inc.errors {
            if let Some(list) = by_term.get_mut(e.term())
                && list.last() != Some(&i)
            {
                list.push(i);
            }
        }
    }
    let near = near(incidents, index);
    let mut out = Vec::new();
    for (i, inc) in incidents.iter_enumerated() {
        let Some(close) = near.get(&i) else {
            continue;
        };
        let mut seen = Vec::new();
        for (k, e) in inc.errors.iter().enumerate() {
            let term = e.term();
            if seen.contains(&term) {
                continue;
            }
            seen.push(term);
            let (named, count) = latest(
                by_term[term]
                    .iter()
                    .filter(|&j| *j != i && !close.contains(j))
                    .map(|&j| incidents[j]),
            );
            let names: Vec<String> = named.iter().map(|o| o.id.to_string()).collect();
            let named = match names.as_slice() {
                [one] => one.clone(),
                [init @ .., last] => format!("{} or {last}", init.join(", ")),
                [] => continue,
            };
            let more = count.saturating_sub(NAMED);
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

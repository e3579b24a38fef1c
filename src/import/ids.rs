//! Incident IDs for imported items: the source's ID or a file name in, a valid
//! [`IncidentId`] out, unique (case-insensitively) within the run, with a
//! warning for each name that had to change.

use super::item::{IdHint, Item, Notes};
use crate::model::IncidentId;
use std::collections::HashSet;

/// Assign every item its ID, in order; the first of two equal IDs keeps it.
pub(crate) fn assign(items: &[Item], format: &str, notes: &mut Notes) -> Vec<IncidentId> {
    let mut taken = HashSet::new();
    items
        .iter()
        .map(|item| {
            let base = base_id(item, format, notes);
            let mut id = base.clone();
            let mut n = 1;
            while !taken.insert(id.key()) {
                n += 1;
                id = with_suffix(&base, n);
            }
            if n > 1 {
                notes.warn(
                    &item.label,
                    format!("the ID `{base}` is already taken by another item; imported as `{id}`"),
                );
            }
            id
        })
        .collect()
}

fn base_id(item: &Item, format: &str, notes: &mut Notes) -> IncidentId {
    let (raw, from_file) = match &item.id {
        IdHint::Source(s) => (s.as_str(), false),
        IdHint::FileName(s) => (s.as_str(), true),
    };
    let stem = if from_file { strip_date(raw) } else { raw };
    let cleaned = clean(stem);
    if let Ok(id) = IncidentId::parse(&cleaned) {
        if !from_file && cleaned != raw {
            notes.warn(
                &item.label,
                format!("the ID `{raw}` is not valid in sitrep; imported as `{id}`"),
            );
        }
        return id;
    }
    let fallback = format!(
        "{format}-{}",
        item.started.ts.date(&jiff::tz::TimeZone::UTC)
    );
    notes.warn(
        &item.label,
        format!("`{raw}` makes no valid incident ID; imported as `{fallback}`"),
    );
    IncidentId::parse(&fallback).unwrap_or_else(|_| with_suffix_str(format, 1))
}

/// `2021-06-08-db-outage`, `2021-06-08_db`, `14.11.2022-db` → the part after the date.
pub(crate) fn strip_date(name: &str) -> &str {
    let b = name.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    let sep = |i: usize| matches!(b.get(i), Some(b'-' | b'_'));
    if digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && sep(10)
    {
        return &name[11..];
    }
    // d.m.yyyy with one- or two-digit day and month
    let parts: Vec<&str> = name.splitn(3, '.').collect();
    if let [d, m, rest] = parts[..]
        && (1..=2).contains(&d.len())
        && (1..=2).contains(&m.len())
        && d.bytes().chain(m.bytes()).all(|c| c.is_ascii_digit())
        && rest.len() > 5
        && rest[..4].bytes().all(|c| c.is_ascii_digit())
        && matches!(rest.as_bytes()[4], b'-' | b'_')
    {
        return &rest[5..];
    }
    name
}

/// Characters an ID may not hold become `-`; it must start with a letter or
/// digit and hold at most 64 characters.
fn clean(raw: &str) -> String {
    let replaced: String = raw
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let start = replaced.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    start.chars().take(64).collect()
}

fn with_suffix(base: &IncidentId, n: usize) -> IncidentId {
    with_suffix_str(base.as_str(), n)
}

fn with_suffix_str(base: &str, n: usize) -> IncidentId {
    let suffix = format!("-{n}");
    let keep: String = base.chars().take(64 - suffix.len()).collect();
    IncidentId::parse(&format!("{keep}{suffix}")).unwrap_or_else(|_| {
        IncidentId::parse(&format!("incident{suffix}")).expect("a literal valid ID")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_dropped_and_characters_replaced() {
        assert_eq!(strip_date("2021-06-08-db-outage"), "db-outage");
        assert_eq!(strip_date("2021-06-08_db"), "db");
        assert_eq!(strip_date("14.11.2022-login"), "login");
        assert_eq!(strip_date("1.2.2022_x"), "x");
        assert_eq!(strip_date("v1.2.3-release"), "v1.2.3-release");
        assert_eq!(clean("API outage (EU)"), "API-outage--EU-");
        assert_eq!(clean("--über"), "ber");
        assert_eq!(clean("!!!"), "");
    }
}

//! Similar incidents: the sorted incidents and their ID index in; for each,
//! up to [`MAX`] earlier incidents that resemble it out (FORMAT.md "Similar
//! incidents"), ranked — a shared error first, then a shared service and
//! component, a shared service and region, a shared service — newer first
//! within a rank, leaving out itself and what it already lists in `related`.
//!
//! Found through indexes (error → incidents, service → incidents, …), never
//! by comparing every pair: each index list is in site order (newest first),
//! so the best candidates of a rank are the first earlier ones of each list.

use crate::ix::{IncidentIx, TiSlice, TiVec};
use crate::model::{Incident, Related};
use std::collections::{HashMap, HashSet};

/// At most this many similar incidents per incident.
pub(crate) const MAX: usize = 5;

/// Incidents by key, each list in site order (ascending index = newest first).
#[derive(Default)]
struct Index<'a> {
    errors: HashMap<&'a str, Vec<IncidentIx>>,
    service_component: HashMap<(&'a str, &'a str), Vec<IncidentIx>>,
    service_region: HashMap<(&'a str, &'a str), Vec<IncidentIx>>,
    services: HashMap<&'a str, Vec<IncidentIx>>,
}

/// The keys of one incident per rank, best rank first.
fn keys(inc: &Incident) -> [Vec<Key<'_>>; 4] {
    [
        inc.errors.iter().map(|e| Key::One(e.term())).collect(),
        pairs(&inc.services, &inc.components),
        pairs(&inc.services, &inc.regions),
        inc.services.iter().map(|s| Key::One(s.as_str())).collect(),
    ]
}

/// Every (service, other) pair of one incident.
fn pairs<'a>(services: &'a [String], other: &'a [String]) -> Vec<Key<'a>> {
    let with = |s: &'a String| other.iter().map(move |o| Key::Pair(s.as_str(), o.as_str()));
    services.iter().flat_map(with).collect()
}

#[derive(Clone, Copy)]
enum Key<'a> {
    One(&'a str),
    Pair(&'a str, &'a str),
}

impl<'a> Index<'a> {
    fn new(incidents: &'a TiSlice<IncidentIx, Incident>) -> Index<'a> {
        let mut ix = Index::default();
        for (i, inc) in incidents.iter_enumerated() {
            let [errors, components, regions, services] = keys(inc);
            for k in errors {
                push(&mut ix.errors, one(k), i);
            }
            for k in components {
                push(&mut ix.service_component, pair(k), i);
            }
            for k in regions {
                push(&mut ix.service_region, pair(k), i);
            }
            for k in services {
                push(&mut ix.services, one(k), i);
            }
        }
        ix
    }

    fn list(&self, rank: usize, key: Key<'a>) -> &[IncidentIx] {
        let got = match rank {
            0 => self.errors.get(one(key)),
            1 => self.service_component.get(&pair(key)),
            2 => self.service_region.get(&pair(key)),
            _ => self.services.get(one(key)),
        };
        got.map_or(&[], Vec::as_slice)
    }
}

fn one(k: Key<'_>) -> &str {
    match k {
        Key::One(s) | Key::Pair(s, _) => s,
    }
}

fn pair(k: Key<'_>) -> (&str, &str) {
    match k {
        Key::Pair(a, b) => (a, b),
        Key::One(a) => (a, ""),
    }
}

/// A key's list holds an incident once even when it names the key twice.
fn push<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<IncidentIx>>, k: K, i: IncidentIx) {
    let list = map.entry(k).or_default();
    if list.last() != Some(&i) {
        list.push(i);
    }
}

/// The similar incidents of every incident (indices into `incidents`, best
/// first). `index`: lower-cased ID → index, to leave out `related` ones.
pub(crate) fn similar(
    incidents: &TiSlice<IncidentIx, Incident>,
    index: &HashMap<String, IncidentIx>,
) -> TiVec<IncidentIx, Vec<IncidentIx>> {
    let ix = Index::new(incidents);
    (incidents.keys())
        .map(|i| of(incidents, index, &ix, i))
        .collect()
}

fn of<'a>(
    incidents: &'a TiSlice<IncidentIx, Incident>,
    index: &HashMap<String, IncidentIx>,
    ix: &Index<'a>,
    i: IncidentIx,
) -> Vec<IncidentIx> {
    let inc = &incidents[i];
    let start = inc.started.sort_key();
    let mut taken: HashSet<IncidentIx> = inc
        .related
        .iter()
        .filter_map(|r| match r {
            Related::Incident { id, .. } => index.get(&id.key()).copied(),
            Related::External { .. } => None,
        })
        .collect();
    taken.insert(i);
    let mut out = Vec::with_capacity(MAX);
    for (rank, keys) in keys(inc).into_iter().enumerate() {
        let mut found: Vec<IncidentIx> = Vec::new();
        for key in keys {
            let list = ix.list(rank, key);
            // Later in the list is earlier in time; equal starts are not earlier.
            let from = list.partition_point(|&j| j <= i);
            let earlier = list[from..]
                .iter()
                .copied()
                .filter(|&j| incidents[j].started.sort_key() < start && !taken.contains(&j));
            found.extend(earlier.take(MAX - out.len()));
        }
        found.sort_unstable();
        found.dedup();
        found.truncate(MAX - out.len());
        taken.extend(&found);
        out.extend(found);
        if out.len() == MAX {
            break;
        }
    }
    out
}

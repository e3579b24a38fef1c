//! The served site in memory: [`Update`]s in (from the engine), files and the
//! build status out (to the HTTP workers), and a reload or stylesheet event to
//! the browsers for every update that changed bytes.

use super::events::{Event, Hub};
use super::incremental::{Body, Publish, Update};
use crate::diag::Diagnostic;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// What `/__sitrep/errors` and the browser script see.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Status {
    /// Changes when serve restarts, so open pages reload after a restart.
    pub instance: String,
    /// Rebuilds finished (good or not) since start.
    pub generation: u64,
    /// A change was seen and its rebuild has not finished.
    pub building: bool,
    /// A good build is being served (false only while the first build failed).
    pub has_site: bool,
    /// The errors of the last rebuild; the last good site is served meanwhile.
    pub errors: Vec<Diagnostic>,
    /// The warnings standing now (the stale-update ones kept current with the
    /// clock); the page shows them in a panel that does not block it.
    pub warnings: Vec<Diagnostic>,
    /// Moves when the warnings change, not when only a stale warning's age
    /// grows: a panel dismissed for one value stays dismissed until it moves.
    pub warnings_generation: u64,
}

#[derive(Default)]
pub(crate) struct Shared {
    files: RwLock<HashMap<String, Body>>,
    status: RwLock<Status>,
}

fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// The status as events send it, read from this site when sent.
    pub(crate) fn state_source(self: Arc<Self>) -> super::events::StateSource {
        Arc::new(move || serde_json::to_string(&self.status()).unwrap_or_default())
    }

    pub(crate) fn new(instance: String) -> Shared {
        let s = Shared::default();
        write(&s.status).instance = instance;
        s
    }

    pub(crate) fn get(&self, path: &str) -> Option<Body> {
        read(&self.files).get(path).cloned()
    }

    pub(crate) fn contains(&self, path: &str) -> bool {
        read(&self.files).contains_key(path)
    }

    /// Every served path, sorted (for `/__sitrep/files`).
    pub(crate) fn paths(&self) -> Vec<String> {
        let mut v: Vec<String> = read(&self.files).keys().cloned().collect();
        v.sort();
        v
    }

    pub(crate) fn status(&self) -> Status {
        read(&self.status).clone()
    }

    pub(crate) fn set_building(&self) {
        write(&self.status).building = true;
    }

    /// Record the end of a rebuild; true if the error list changed.
    pub(crate) fn finish(&self, errors: Vec<Diagnostic>) -> bool {
        let mut s = write(&self.status);
        s.generation += 1;
        s.building = false;
        if errors.is_empty() {
            s.has_site = true;
        }
        let changed = s.errors != errors;
        s.errors = errors;
        changed
    }

    /// Record the warnings standing now; true if they changed beyond a stale
    /// warning's age ([`crate::nowchecks::steady`]), the only change worth
    /// telling the browsers about.
    pub(crate) fn set_warnings(&self, warnings: Vec<Diagnostic>) -> bool {
        let mut s = write(&self.status);
        let steady = |w: &[Diagnostic]| -> Vec<Diagnostic> {
            w.iter().map(crate::nowchecks::steady).collect()
        };
        let changed = steady(&s.warnings) != steady(&warnings);
        if changed {
            s.warnings_generation += 1;
        }
        s.warnings = warnings;
        changed
    }

    /// Apply an update; the paths whose bytes changed.
    fn apply(&self, update: Update) -> Vec<String> {
        let mut files = write(&self.files);
        let mut changed = Vec::new();
        for (path, body) in update {
            match body {
                Some(b) => {
                    let same = match (files.get(&path), &b) {
                        (Some(Body::Bytes(old)), Body::Bytes(new)) => old == new,
                        (Some(Body::Static(old)), Body::Static(new)) => old == new,
                        _ => false,
                    };
                    if !same {
                        files.insert(path.clone(), b);
                        changed.push(path);
                    }
                }
                None => {
                    if files.remove(&path).is_some() {
                        changed.push(path);
                    }
                }
            }
        }
        changed
    }
}

/// The engine's [`Publish`]: apply to the shared site, tell the browsers.
pub(crate) struct Publisher<'a> {
    pub shared: &'a Shared,
    pub hub: &'a Hub,
}

impl Publish for Publisher<'_> {
    fn publish(&mut self, update: Update) {
        let changed = self.shared.apply(update);
        if changed.is_empty() {
            return;
        }
        // Stylesheets alone can be swapped in place; anything else reloads.
        if changed.iter().all(|p| p.ends_with(".css")) {
            self.hub.send(Event::Css(changed));
        } else {
            self.hub.send(Event::Reload(changed));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn bytes(s: &str) -> Option<Body> {
        Some(Body::Bytes(Arc::from(s.as_bytes())))
    }

    #[test]
    fn only_real_changes_are_reported() {
        let s = Shared::new("x".into());
        let changed = s.apply(vec![("a".into(), bytes("1")), ("b".into(), bytes("2"))]);
        assert_eq!(changed, ["a", "b"]);
        let changed = s.apply(vec![("a".into(), bytes("1")), ("b".into(), bytes("3"))]);
        assert_eq!(changed, ["b"]);
        let changed = s.apply(vec![("a".into(), None), ("zz".into(), None)]);
        assert_eq!(changed, ["a"]);
        assert!(!s.contains("a") && s.contains("b"));
    }

    #[test]
    fn status_tracks_errors() {
        let s = Shared::new("x".into());
        s.set_building();
        assert!(s.status().building);
        assert!(!s.finish(Vec::new()));
        let st = s.status();
        assert!(!st.building && st.has_site && st.generation == 1);
        assert!(s.finish(vec![Diagnostic::error("a.md", "bad")]));
        assert_eq!(s.status().errors.len(), 1);
        assert!(s.status().has_site, "the last good site stays");
    }

    #[test]
    fn warnings_change_only_beyond_a_stale_age() {
        let s = Shared::new("x".into());
        let stale = |age: &str| {
            Diagnostic::warning(
                "content/incidents/o1.md",
                format!(
                    "O1 is open and its last update was {age} ago, longer than `stale_after` (2 h)"
                ),
            )
        };
        assert!(!s.set_warnings(Vec::new()));
        assert!(s.set_warnings(vec![stale("2 h 1 min")]));
        assert_eq!(s.status().warnings_generation, 1);
        // The age grew: the status has the new text, but nothing to announce.
        assert!(!s.set_warnings(vec![stale("2 h 5 min")]));
        let st = s.status();
        assert!(st.warnings[0].message.contains("2 h 5 min"));
        assert_eq!(st.warnings_generation, 1);
        assert!(s.set_warnings(vec![stale("2 h 6 min"), Diagnostic::warning("a.md", "w")]));
        assert!(s.set_warnings(Vec::new()));
        assert_eq!(s.status().warnings_generation, 3);
    }
}

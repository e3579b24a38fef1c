//! Which page reads what: the [`Reads`] render recorded for each page in
//! (`render/reads.rs`); for an edit, the pages to check out — those that read
//! an edited document, those reading a fact whose fingerprint changed, those
//! that read the whole site, and when the clock moved, those that read "now". Nothing here knows what a page kind shows:
//! a new kind records its reads as it builds its context, and is covered.

use crate::link::Site;
use crate::render::reads::{Fact, Facts, Reads};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// One page's reads, by content path.
#[derive(Default)]
struct Entry {
    docs: Vec<Arc<str>>,
    facts: Vec<Fact>,
    whole: bool,
    now: bool,
}

/// A fact's fingerprint on the committed site, and the pages reading it.
struct FactReaders {
    fingerprint: u64,
    pages: HashSet<Arc<str>>,
}

#[derive(Default)]
pub(crate) struct Ledger {
    /// Page file → what it read when it was last built.
    pages: HashMap<Arc<str>, Entry>,
    /// Content path → the pages that read it.
    readers: HashMap<Arc<str>, HashSet<Arc<str>>>,
    facts: HashMap<Fact, FactReaders>,
    /// Pages that read the whole site.
    whole: HashSet<Arc<str>>,
    /// Pages that read "now".
    clocked: HashSet<Arc<str>>,
}

/// The facts whose fingerprints differ on a new site.
pub(crate) struct Stale {
    /// The pages reading them.
    pub pages: BTreeSet<Arc<str>>,
    fingerprints: Vec<(Fact, u64)>,
}

impl Ledger {
    /// Whether the page was built and recorded before.
    pub(crate) fn knows(&self, file: &str) -> bool {
        self.pages.contains_key(file)
    }

    /// The pages that read any of these documents (content paths).
    pub(crate) fn readers<'a>(
        &self,
        docs: impl IntoIterator<Item = &'a str>,
    ) -> BTreeSet<Arc<str>> {
        docs.into_iter()
            .filter_map(|d| self.readers.get(d))
            .flatten()
            .cloned()
            .collect()
    }

    /// The pages that read the whole site.
    pub(crate) fn whole(&self) -> impl Iterator<Item = &Arc<str>> {
        self.whole.iter()
    }

    /// The pages that read "now".
    pub(crate) fn clocked(&self) -> impl Iterator<Item = &Arc<str>> {
        self.clocked.iter()
    }

    /// Every fact fingerprinted again on the new site: those that changed,
    /// with the pages reading them.
    pub(crate) fn stale(&self, facts: &Facts) -> Stale {
        let fingerprints: Vec<(Fact, u64)> = self
            .facts
            .par_iter()
            .filter_map(|(f, r)| {
                let new = facts.fingerprint(f);
                (new != r.fingerprint).then(|| (f.clone(), new))
            })
            .collect();
        let pages = fingerprints
            .iter()
            .flat_map(|(f, _)| &self.facts[f].pages)
            .cloned()
            .collect();
        Stale {
            pages,
            fingerprints,
        }
    }

    /// After a good rebuild: the stale facts take their new fingerprints,
    /// the rebuilt pages their new reads, and removed pages go.
    pub(crate) fn commit(
        &mut self,
        stale: Stale,
        built: Vec<(String, Reads)>,
        removed: &[String],
        site: &Site,
        facts: &Facts,
    ) {
        for (f, fp) in stale.fingerprints {
            if let Some(e) = self.facts.get_mut(&f) {
                e.fingerprint = fp;
            }
        }
        for f in removed {
            self.forget(f);
        }
        for (file, reads) in built {
            self.forget(&file);
            self.record(Arc::from(file), reads, site, facts);
        }
    }

    fn record(&mut self, file: Arc<str>, reads: Reads, site: &Site, facts: &Facts) {
        let mut entry = Entry {
            whole: reads.whole,
            now: reads.now,
            ..Default::default()
        };
        if reads.whole {
            self.whole.insert(file.clone());
        }
        if reads.now {
            self.clocked.insert(file.clone());
        }
        for d in reads.docs {
            let Some(path) = d.path(site) else { continue };
            let (key, set) = match self.readers.get_key_value(path) {
                Some((k, _)) => {
                    let k = k.clone();
                    let set = self.readers.get_mut(&k).map(|s| s.insert(file.clone()));
                    (k, set)
                }
                None => {
                    let k: Arc<str> = Arc::from(path);
                    let set = HashSet::from([file.clone()]);
                    self.readers.insert(k.clone(), set);
                    (k, Some(true))
                }
            };
            if set == Some(true) {
                entry.docs.push(key);
            }
        }
        for f in reads.facts {
            let e = match self.facts.get_mut(&f) {
                Some(e) => e,
                None => {
                    let fingerprint = facts.fingerprint(&f);
                    self.facts.entry(f.clone()).or_insert(FactReaders {
                        fingerprint,
                        pages: HashSet::new(),
                    })
                }
            };
            if e.pages.insert(file.clone()) {
                entry.facts.push(f);
            }
        }
        self.pages.insert(file, entry);
    }

    fn forget(&mut self, file: &str) {
        let Some(old) = self.pages.remove(file) else {
            return;
        };
        if old.whole {
            self.whole.remove(file);
        }
        if old.now {
            self.clocked.remove(file);
        }
        for d in old.docs {
            if let Some(set) = self.readers.get_mut(&d) {
                set.remove(file);
                if set.is_empty() {
                    self.readers.remove(&d);
                }
            }
        }
        for f in old.facts {
            if let Some(r) = self.facts.get_mut(&f) {
                r.pages.remove(file);
                if r.pages.is_empty() {
                    self.facts.remove(&f);
                }
            }
        }
    }
}

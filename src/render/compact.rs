//! Page reads made small as they are recorded. In: each rendered page's
//! [`Reads`] (documents by site index and facts as values, repeats and all).
//! Out: its documents as ids into the next manifest's document table and its
//! facts as ids into one table of facts shared by every page, each list
//! sorted and without repeats. A build keeps every page's reads until the
//! manifest is written; as values they were most of what a 100,000-incident
//! render added to the linked site (an incident page reads tens of facts, a
//! list page its 30 cards' reads, and most facts are read by many pages).

use super::reads::{Doc, Fact, Reads};
use crate::ix::{IncidentIx, PageIx, StoryIx, TiVec};
use crate::link::Site;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Mutex;

/// Each document of the site by its id in the next manifest's table.
pub(super) struct DocIds {
    incidents: TiVec<IncidentIx, Option<u32>>,
    news: TiVec<StoryIx, Option<u32>>,
    pages: TiVec<PageIx, Option<u32>>,
    home: Option<u32>,
}

impl DocIds {
    /// `at`: document key → its id; `home`, the home intro's key.
    pub(super) fn new(site: &Site, at: &HashMap<&str, u32>, home: &str) -> DocIds {
        let id = |o: &crate::model::Origin| at.get(o.content_path.as_str()).copied();
        DocIds {
            incidents: site.incidents.iter().map(|x| id(&x.origin)).collect(),
            news: site.news.iter().map(|x| id(&x.origin)).collect(),
            pages: site.pages.iter().map(|x| id(&x.origin)).collect(),
            home: at.get(home).copied(),
        }
    }

    /// `None` if the table cannot name the document.
    fn of(&self, d: Doc) -> Option<u32> {
        match d {
            Doc::Incident(i) => *self.incidents.get(i)?,
            Doc::News(n) => *self.news.get(n)?,
            Doc::Page(p) => *self.pages.get(p)?,
            Doc::Home => self.home,
        }
    }
}

/// Facts numbered as pages first read them, shared by all render threads.
#[derive(Default)]
pub(super) struct FactIds(Mutex<HashMap<Fact, u32>>);

impl FactIds {
    /// The ids of `facts`, sorted, each once; a fact met for the first time
    /// is kept (moved, not copied).
    fn ids(&self, facts: Vec<Fact>) -> Vec<u32> {
        let mut at = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut ids: Vec<u32> = facts
            .into_iter()
            .map(|f| {
                let next = at.len() as u32;
                *at.entry(f).or_insert(next)
            })
            .collect();
        drop(at);
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Every fact met, with `fingerprint` of it (computed in parallel).
    pub(super) fn into_table(self, fingerprint: impl Fn(&Fact) -> u64 + Sync) -> FactTable {
        let at = self.0.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut prints = vec![0; at.len()];
        let found: Vec<(u32, u64)> = at.par_iter().map(|(f, &i)| (i, fingerprint(f))).collect();
        for (i, p) in found {
            prints[i as usize] = p;
        }
        FactTable { at, prints }
    }
}

/// Facts by id, each with its fingerprint on the new site.
#[derive(Default)]
pub(super) struct FactTable {
    at: HashMap<Fact, u32>,
    prints: Vec<u64>,
}

impl FactTable {
    /// The id of `key`, numbered next if it is new.
    pub(super) fn index(&mut self, key: Fact, fingerprint: impl FnOnce() -> u64) -> u32 {
        if let Some(&i) = self.at.get(&key) {
            return i;
        }
        let i = self.prints.len() as u32;
        self.prints.push(fingerprint());
        self.at.insert(key, i);
        i
    }

    /// The table in id order (the facts moved out, not copied).
    pub(super) fn into_table(self) -> Vec<(Fact, u64)> {
        let mut table: Vec<Option<(Fact, u64)>> = (0..self.prints.len()).map(|_| None).collect();
        for (f, i) in self.at {
            table[i as usize] = Some((f, self.prints[i as usize]));
        }
        table.into_iter().flatten().collect()
    }
}

/// One rendered page's (or machine job's) reads, as ids.
pub(super) struct PageReads {
    pub file: String,
    pub docs: Vec<u32>,
    pub facts: Vec<u32>,
    pub whole: bool,
    pub now: bool,
    /// Of the bytes written.
    pub hash: u64,
}

impl PageReads {
    /// `None` if a document the page read has no id (the next build renders
    /// the page again).
    pub(super) fn new(
        (file, hash): (String, u64),
        reads: Reads,
        docs: &DocIds,
        facts: &FactIds,
    ) -> Option<PageReads> {
        let mut ids: Vec<u32> = reads
            .docs
            .iter()
            .map(|&d| docs.of(d))
            .collect::<Option<_>>()?;
        ids.sort_unstable();
        ids.dedup();
        Some(PageReads {
            file,
            docs: ids,
            facts: facts.ids(reads.facts),
            whole: reads.whole,
            now: reads.now,
            hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::reads::List;

    #[test]
    fn facts_get_one_id_each_across_pages_and_keep_their_fingerprints() {
        let ids = FactIds::default();
        let a = ids.ids(vec![
            Fact::Id("ex2".into()),
            Fact::Slice(List::Incidents, 1),
            Fact::Id("ex2".into()),
        ]);
        let b = ids.ids(vec![
            Fact::Slice(List::Incidents, 1),
            Fact::Id("ex3".into()),
        ]);
        assert_eq!(a, vec![0, 1]);
        assert_eq!(b, vec![1, 2]);
        let mut table = ids.into_table(|f| match f {
            Fact::Id(k) => k.len() as u64,
            _ => 99,
        });
        assert_eq!(table.index(Fact::Id("ex3".into()), || unreachable!()), 2);
        assert_eq!(table.index(Fact::Members(List::News), || 7), 3);
        let table = table.into_table();
        assert_eq!(
            table,
            vec![
                (Fact::Id("ex2".into()), 3),
                (Fact::Slice(List::Incidents, 1), 99),
                (Fact::Id("ex3".into()), 3),
                (Fact::Members(List::News), 7),
            ]
        );
    }
}

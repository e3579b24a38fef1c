//! Search keys across builds: the keys each document had in the previous
//! build (saved in the rebuild manifest, `reuse.rs`) and this build's
//! document hashes in; the keys of every document whose hash did not change
//! out, to the index ([`KeyStore`]), so a rebuild tokenizes only what
//! changed; and the keys of this build, to save for the next.

use crate::link::Site;
use crate::render::memo::{KeyStore, Keys, SearchDoc, Words, lock};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// The keys of a build, as the manifest stores them.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct SavedIndex {
    words: Vec<Box<str>>,
    docs: Vec<SavedDoc>,
}

impl SavedIndex {
    /// Whether every key names a word of the table, with a weight.
    pub(crate) fn sound(&self) -> bool {
        let n = self.words.len();
        (self.docs.iter())
            .all(|d| d.ids.len() == d.weights.len() && d.ids.iter().all(|&i| (i as usize) < n))
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct SavedDoc {
    /// Content path, and the hash of the document when its keys were made
    /// (`reuse::doc_hashes`: its model and rendered Markdown).
    path: String,
    hash: u64,
    ids: Vec<u32>,
    weights: Vec<u8>,
}

/// One build's keys: those it may take from the previous build, and those
/// it ends up with.
pub(crate) struct SavedKeys<'a> {
    hashes: &'a BTreeMap<String, u64>,
    previous: HashMap<String, (u64, Keys)>,
    words: Mutex<Words>,
    now: Mutex<Vec<(String, Keys)>>,
}

impl<'a> SavedKeys<'a> {
    /// The keys `saved` by the previous build (if any), for documents that
    /// now hash to `hashes`.
    pub(crate) fn new(
        saved: Option<SavedIndex>,
        hashes: &'a BTreeMap<String, u64>,
    ) -> SavedKeys<'a> {
        let saved = saved.unwrap_or_default();
        let previous = (saved.docs.into_iter())
            .map(|d| (d.path, (d.hash, Keys::from_parts(d.ids, d.weights))))
            .collect();
        SavedKeys {
            hashes,
            previous,
            words: Mutex::new(Words::from_list(saved.words)),
            now: Mutex::new(Vec::new()),
        }
    }

    /// This build's keys (or, if it built no index, the previous build's),
    /// for the next; `None` when most of the words are
    /// no longer used (the next build then starts a compact table).
    pub(crate) fn save(self) -> Option<SavedIndex> {
        let words = self.words.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut now = self.now.into_inner().unwrap_or_else(|e| e.into_inner());
        if now.is_empty() {
            // The search index was not built (its job was kept: no document
            // changed), so the previous keys still hold: pass them on.
            now = (self.previous.into_iter())
                .map(|(path, (_, keys))| (path, keys))
                .collect();
        }
        let mut used = vec![false; words.list().len()];
        for (_, keys) in &now {
            for (id, _) in keys.iter() {
                *used.get_mut(id as usize)? = true;
            }
        }
        let in_use = used.iter().filter(|u| **u).count();
        if words.list().len() > 2 * in_use + 4096 {
            return None;
        }
        let docs = (now.into_iter())
            .filter_map(|(path, keys)| {
                let hash = *self.hashes.get(&path)?;
                let (ids, weights) = keys.parts();
                Some(SavedDoc {
                    path,
                    hash,
                    ids: ids.to_vec(),
                    weights: weights.to_vec(),
                })
            })
            .collect();
        Some(SavedIndex {
            words: words.list().to_vec(),
            docs,
        })
    }
}

impl KeyStore for SavedKeys<'_> {
    fn keys(&self, site: &Site, d: SearchDoc) -> Option<Keys> {
        let path = &d.origin(site).content_path;
        let (hash, keys) = self.previous.get(path)?;
        (self.hashes.get(path) == Some(hash)).then(|| {
            lock(&self.now).push((path.clone(), keys.clone()));
            keys.clone()
        })
    }

    fn put_keys(&self, site: &Site, d: SearchDoc, keys: Keys) {
        lock(&self.now).push((d.origin(site).content_path.clone(), keys));
    }

    fn words(&self) -> &Mutex<Words> {
        &self.words
    }
}

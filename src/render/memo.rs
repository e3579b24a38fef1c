//! Serve's memo of per-document work across rebuilds: a document's search
//! keys (the search index reads the whole site, so it is rebuilt on every
//! edit, from these) and incident cards, kept with the source text they came
//! from. Per-incident outputs such as the API records need no memo: serve
//! runs again only the machine jobs whose reads changed. In: the site and which documents may have new renders; out: the
//! stored result where it is still what rendering would produce. `build`
//! renders once and has no memo.
//!
//! An entry is reused only for the same source (the same `Arc`, so the same
//! file text: serve re-reads an edited file into a new one) of a document
//! the caller vouches for ([`Memo::trust`]: its Markdown was not rendered
//! afresh, so its HTML is as before). The caller clears the memo when the
//! config changes, which every entry reads.

use crate::diag::SourceText;
use crate::ix::{IncidentIx, StoryIx};
use crate::link::Site;

use std::collections::HashMap;

use std::sync::{Arc, Mutex};

/// A document's search keys (as [`Words`] ids) with their best field weight,
/// in two arrays: five bytes a key.
#[derive(Clone)]
pub(crate) struct Keys(Arc<(Ids, Box<[u8]>)>);

type Ids = Box<[u32]>;

impl Keys {
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, u8)> + '_ {
        self.0.0.iter().copied().zip(self.0.1.iter().copied())
    }

    pub(super) fn from_parts(ids: Vec<u32>, weights: Vec<u8>) -> Keys {
        Keys(Arc::new((ids.into(), weights.into())))
    }

    pub(super) fn parts(&self) -> (&[u32], &[u8]) {
        (&self.0.0, &self.0.1)
    }
}

/// Every search key the memo has seen, each stored once.
#[derive(Default)]
pub(crate) struct Words {
    // foldhash: every key of a build is looked up here once per document.
    ids: HashMap<Box<str>, u32, foldhash::fast::FixedState>,
    words: Vec<Box<str>>,
}

impl Words {
    /// Words numbered by their place in `words`.
    pub(super) fn from_list(words: Vec<Box<str>>) -> Words {
        let ids = (words.iter().enumerate())
            .map(|(i, w)| (w.clone(), i as u32))
            .collect();
        Words { ids, words }
    }

    pub(super) fn list(&self) -> &[Box<str>] {
        &self.words
    }

    pub(crate) fn word(&self, id: u32) -> &str {
        self.words.get(id as usize).map_or("", |w| w)
    }

    /// The keys of one document as ids.
    pub(crate) fn keys<'k>(&mut self, keys: impl Iterator<Item = (&'k str, u8)>) -> Keys {
        let (ids, weights): (Vec<u32>, Vec<u8>) = keys
            .map(|(k, w)| {
                let id = match self.ids.get(k) {
                    Some(&id) => id,
                    None => {
                        let id = self.words.len() as u32;
                        self.words.push(k.into());
                        self.ids.insert(k.into(), id);
                        id
                    }
                };
                (id, w)
            })
            .unzip();
        Keys(Arc::new((ids.into(), weights.into())))
    }
}

/// Where the search index gets the keys of documents tokenized before
/// (`d`: incidents, then news), and leaves those it tokenizes: serve's
/// [`Memo`], or a rebuild's keys saved by the previous build
/// (`search/saved.rs`).
pub(crate) trait KeyStore: Sync {
    fn keys(&self, site: &Site, d: SearchDoc) -> Option<Keys>;
    fn put_keys(&self, site: &Site, d: SearchDoc, keys: Keys);
    /// The words the keys name.
    fn words(&self) -> &Mutex<Words>;
}

impl KeyStore for Memo {
    fn keys(&self, site: &Site, d: SearchDoc) -> Option<Keys> {
        let o = d.origin(site);
        self.get(&self.keys, &o.content_path, &o.source)
    }

    fn put_keys(&self, site: &Site, d: SearchDoc, keys: Keys) {
        let o = d.origin(site);
        Self::put(&self.keys, &o.content_path, &o.source, keys);
    }

    fn words(&self) -> &Mutex<Words> {
        &self.words
    }
}

/// Content path → a result and the source it came from.
type Store<T> = Mutex<HashMap<String, (Arc<SourceText>, T)>>;

#[derive(Default)]
pub(crate) struct Memo {
    keys: Store<Keys>,
    /// The words the stored keys name.
    pub(super) words: Mutex<Words>,
    /// Incident cards, for one "now" and one Tera (see [`Memo::cards_for`]).
    cards: Store<super::cards::Card>,
    cards_at: Option<jiff::Timestamp>,
    /// Content paths whose renders may differ from the memo's: the edited
    /// files and those whose Markdown was rendered afresh.
    untrusted: Option<std::collections::BTreeSet<String>>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Memo {
    /// Trust every entry except those of `changed` (`None`: trust none).
    pub(crate) fn trust(&mut self, changed: Option<std::collections::BTreeSet<String>>) {
        self.untrusted = changed;
    }

    /// Cards read "now" and are templated: keep them only while both stay.
    pub(crate) fn cards_for(&mut self, now: jiff::Timestamp, new_tera: bool) {
        if new_tera || self.cards_at != Some(now) {
            lock(&self.cards).clear();
            self.cards_at = Some(now);
        }
    }

    pub(super) fn card(&self, site: &Site, i: IncidentIx) -> Option<super::cards::Card> {
        let o = &site.incidents[i].origin;
        self.get(&self.cards, &o.content_path, &o.source)
    }

    pub(super) fn put_card(&self, site: &Site, i: IncidentIx, card: super::cards::Card) {
        let o = &site.incidents[i].origin;
        Self::put(&self.cards, &o.content_path, &o.source, card);
    }

    /// Drop the entries of documents that are gone (deleted or renamed files).
    pub(crate) fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        lock(&self.keys).retain(|p, _| keep(p));
        lock(&self.cards).retain(|p, _| keep(p));
    }

    pub(crate) fn clear(&mut self) {
        lock(&self.cards).clear();
        lock(&self.keys).clear();
        *lock(&self.words) = Words::default();
    }

    fn usable(&self, path: &str) -> bool {
        self.untrusted.as_ref().is_some_and(|u| !u.contains(path))
    }

    fn get<T: Clone>(&self, store: &Store<T>, path: &str, src: &Arc<SourceText>) -> Option<T> {
        if !self.usable(path) {
            return None;
        }
        let s = lock(store);
        let (at, v) = s.get(path)?;
        Arc::ptr_eq(at, src).then(|| v.clone())
    }

    fn put<T>(store: &Store<T>, path: &str, src: &Arc<SourceText>, v: T) {
        lock(store).insert(path.to_string(), (src.clone(), v));
    }
}

/// A document of the search index, whose numbers run over the incidents
/// (newest first), then the news.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SearchDoc {
    Incident(IncidentIx),
    News(StoryIx),
}

impl SearchDoc {
    /// The `d`-th document of `site`'s search index.
    pub(crate) fn nth(site: &Site, d: usize) -> SearchDoc {
        match d.checked_sub(site.incidents.len()) {
            None => SearchDoc::Incident(d.into()),
            Some(n) => SearchDoc::News(n.into()),
        }
    }

    pub(crate) fn origin(self, site: &Site) -> &crate::model::Origin {
        match self {
            SearchDoc::Incident(i) => &site.incidents[i].origin,
            SearchDoc::News(n) => &site.news[n].origin,
        }
    }
}

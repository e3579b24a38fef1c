//! What a page reads: while the context builder builds a page it notes the
//! documents the page shows and the derived facts it depends on ([`Reads`];
//! only when serve asks, a build records nothing). [`Facts`] fingerprints a
//! fact on a site, so serve can tell later whether it still holds. Serve
//! inverts these records to find the pages an edit can change
//! (`serve/ledger.rs`): no list of "which page reads what" exists beside the
//! code that builds the pages.

use super::select::{open_actions, postmortem_list};
use crate::ix::{IncidentIx, PageIx, StoryIx, TiVec};
use crate::link::{Backlink, Site, Tax};
use crate::status::StatusModel;
use std::borrow::Cow;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Mutex, OnceLock};

/// A hasher as an `io::Write`, so a value hashes without a string copy.
pub(crate) struct HashWriter<'a, H: Hasher>(pub &'a mut H);

impl<H: Hasher> std::io::Write for HashWriter<'_, H> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A paged list, named so it outlives a re-link (and a build: the reuse
/// manifest stores it).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub(crate) enum List {
    Incidents,
    News,
    Actions,
    Postmortems,
    /// Taxonomy, term slug.
    Term(Tax, String),
    /// Month key (`2026-06`).
    Month(String),
}

/// Something a page shows that is not one document's own data.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub(crate) enum Fact {
    /// Which documents page N of a list holds, and how long the list is.
    Slice(List, usize),
    /// Every member of a list (a service's uptime strip).
    Members(List),
    /// Which incident an ID key names (related incidents, a story's incidents).
    Id(String),
    /// The documents linking to the incident of this ID key.
    Backlinks(String),
    /// A service's status, by slug.
    Service(String),
    /// The incidents similar to the incident of this ID key.
    Similar(String),
}

/// A document by its place in the site the page was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Doc {
    Incident(IncidentIx),
    News(StoryIx),
    Page(PageIx),
    Home,
}

impl Doc {
    /// Its content path (`incidents/ex1.md`).
    pub(crate) fn path(self, site: &Site) -> Option<&str> {
        let origin = match self {
            Doc::Incident(i) => &site.incidents.get(i)?.origin,
            Doc::News(n) => &site.news.get(n)?.origin,
            Doc::Page(p) => &site.pages.get(p)?.origin,
            Doc::Home => &site.home.as_ref()?.0.origin,
        };
        Some(&origin.content_path)
    }
}

/// What one page read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reads {
    pub docs: Vec<Doc>,
    pub facts: Vec<Fact>,
    /// It reads the site as a whole (home, history, stats, indexes): it is
    /// checked on every change.
    pub whole: bool,
    /// It reads "now" ("open for", a maintenance state, today's strip): it is
    /// checked when the clock moves.
    pub now: bool,
}

/// Where a builder notes what its page reads; `None`: it does not record.
#[derive(Default)]
pub(crate) struct Recorder(Option<Mutex<Reads>>);

impl Recorder {
    pub(crate) fn on() -> Recorder {
        Recorder(Some(Mutex::new(Reads::default())))
    }

    fn with(&self, f: impl FnOnce(&mut Reads)) {
        if let Some(m) = &self.0 {
            f(&mut m.lock().unwrap_or_else(|e| e.into_inner()));
        }
    }

    pub(crate) fn doc(&self, d: Doc) {
        // A builder reads a document's parts one call each: one note will do.
        self.with(|r| {
            if r.docs.last() != Some(&d) {
                r.docs.push(d);
            }
        });
    }

    /// `fact` is only built when recording.
    pub(crate) fn fact(&self, fact: impl FnOnce() -> Fact) {
        self.with(|r| r.facts.push(fact()));
    }

    pub(crate) fn whole(&self) {
        self.with(|r| r.whole = true);
    }

    pub(crate) fn now(&self) {
        self.with(|r| r.now = true);
    }

    /// An empty recorder that records when this one does.
    pub(crate) fn fresh(&self) -> Recorder {
        Recorder(self.0.as_ref().map(|_| Mutex::default()))
    }

    /// Notes everything `reads` holds.
    pub(crate) fn replay(&self, reads: &Reads) {
        self.with(|r| {
            r.docs.extend_from_slice(&reads.docs);
            r.facts.extend_from_slice(&reads.facts);
            r.whole |= reads.whole;
            r.now |= reads.now;
        });
    }

    pub(crate) fn take(self) -> Option<Reads> {
        self.0
            .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The incidents of a list, in list order (for `/actions/`, each open
/// action's incident); `None` if the list is gone. `List::News` holds
/// stories, not incidents: its pages come through `Builder::news_page`.
pub(crate) fn members<'s>(site: &'s Site, list: &List) -> Option<Cow<'s, [IncidentIx]>> {
    Some(match list {
        List::Incidents => Cow::Owned(site.incidents.keys().collect()),
        List::News => return None,
        List::Actions => Cow::Owned(open_actions(site).iter().map(|&(i, _, _)| i).collect()),
        List::Postmortems => Cow::Owned(postmortem_list(site)),
        List::Term(t, slug) => Cow::Borrowed(&site.taxonomy(*t).terms.get(slug)?.incidents),
        List::Month(key) => Cow::Borrowed(&site.months.iter().find(|m| m.has_key(key))?.incidents),
    })
}

/// Fingerprints facts on one site: equal fingerprints, equal facts.
pub(crate) struct Facts<'a> {
    site: &'a Site,
    status: &'a StatusModel,
    incidents: TiVec<IncidentIx, u64>,
    news: TiVec<StoryIx, u64>,
    actions: OnceLock<Vec<u64>>,
    postmortems: OnceLock<Vec<u64>>,
}

/// The hasher of fingerprints and serve's context hashes: fast on long
/// inputs, and any fixed seed will do (hashes are compared within one serve
/// process).
pub(crate) fn hasher() -> impl Hasher {
    foldhash::quality::FixedState::with_seed(0x0517_35e9).build_hasher()
}

fn hash_str(s: &str) -> u64 {
    let mut h = hasher();
    s.hash(&mut h);
    h.finish()
}

impl<'a> Facts<'a> {
    pub(crate) fn new(site: &'a Site, status: &'a StatusModel) -> Facts<'a> {
        let paths = |o: &crate::model::Origin| hash_str(&o.content_path);
        Facts {
            site,
            status,
            incidents: site.incidents.iter().map(|x| paths(&x.origin)).collect(),
            news: site.news.iter().map(|x| paths(&x.origin)).collect(),
            actions: OnceLock::new(),
            postmortems: OnceLock::new(),
        }
    }

    /// The members of a list, each as a hash of its identity; `None` if the
    /// list is gone.
    fn members(&self, list: &List) -> Option<Cow<'_, [u64]>> {
        Some(match list {
            List::Incidents => Cow::Borrowed(&self.incidents.raw[..]),
            List::News => Cow::Borrowed(&self.news.raw[..]),
            List::Actions => Cow::Borrowed(
                &self.actions.get_or_init(|| {
                    // An action by its incident and its text.
                    open_actions(self.site)
                        .iter()
                        .map(|(_, inc, a)| hash_str(&inc.origin.content_path) ^ hash_str(&a.text))
                        .collect()
                })[..],
            ),
            // Sorted: kept for the many facts that read its slices.
            List::Postmortems => Cow::Borrowed(
                &self
                    .postmortems
                    .get_or_init(|| self.hashes(&postmortem_list(self.site)))[..],
            ),
            List::Term(..) | List::Month(_) => Cow::Owned(self.hashes(&members(self.site, list)?)),
        })
    }

    fn hashes(&self, incidents: &[IncidentIx]) -> Vec<u64> {
        incidents.iter().map(|&i| self.incidents[i]).collect()
    }

    pub(crate) fn fingerprint(&self, fact: &Fact) -> u64 {
        let mut h = hasher();
        let site = self.site;
        match fact {
            Fact::Slice(list, page) => match self.members(list) {
                Some(m) => {
                    let per = site.config.paginate_by.max(1);
                    m.len().hash(&mut h);
                    let from = (page.saturating_sub(1) * per).min(m.len());
                    m[from..(from + per).min(m.len())].hash(&mut h);
                }
                None => u64::MAX.hash(&mut h),
            },
            Fact::Members(list) => match self.members(list) {
                Some(m) => m.hash(&mut h),
                None => u64::MAX.hash(&mut h),
            },
            Fact::Id(key) => site.index.get(key).map(|&i| self.incidents[i]).hash(&mut h),
            Fact::Backlinks(key) => {
                let links = site.index.get(key).map(|&i| &site.backlinks[i]);
                for b in links.into_iter().flatten() {
                    match *b {
                        Backlink::Incident(j) => (0u8, self.incidents[j]).hash(&mut h),
                        Backlink::News(n) => (1u8, self.news[n]).hash(&mut h),
                    }
                }
                links.is_some().hash(&mut h);
            }
            Fact::Similar(key) => {
                let similar = site.index.get(key).map(|&i| &site.similar[i]);
                for &j in similar.into_iter().flatten() {
                    self.incidents[j].hash(&mut h);
                }
                similar.is_some().hash(&mut h);
            }
            Fact::Service(slug) => match self.status.service(slug) {
                Some(s) => {
                    s.status.as_str().hash(&mut h);
                    for &i in s.open.iter().chain(&s.maintenance) {
                        self.incidents[i].hash(&mut h);
                    }
                    s.open.len().hash(&mut h);
                }
                None => u64::MAX.hash(&mut h),
            },
        }
        h.finish()
    }
}

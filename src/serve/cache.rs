//! Markdown render cache: (file, incident ID, Markdown text) in, the
//! [`Rendered`] of an earlier link out, so an edit re-renders one file's
//! Markdown, not the site's.
//!
//! Entries are keyed by a hash of file, ID and the whole text: one file holds
//! many texts (timeline entries, takes) that may share their length and ends,
//! so nothing less tells them apart. The engine also drops a file's entries
//! whenever it re-reads the file ([`MdCache::forget`]), and the entries whose
//! text names a link target that changed. Renders are handed out by move (not copied) and handed back after
//! the rebuild with [`MdCache::put_back`], which keeps a rebuild of a
//! 10,000-incident site from copying hundreds of megabytes of HTML.

use crate::link::MarkdownRenderer;
use crate::markdown::{self, LinkResolver, Rendered};
use crate::model::Document;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Independent locks, so parallel lookups rarely wait for each other.
const SHARDS: usize = 16;

struct Entry {
    /// Hash of the file alone (for [`MdCache::forget`]).
    file: u64,
    /// A second, independent hash of file, ID and text, against key collisions.
    check: u64,
    rendered: Rendered,
    /// The round that last used it; older entries are dropped after a link.
    used: u64,
}

#[derive(Default)]
struct Shard {
    map: HashMap<u64, Entry>,
    /// Keys handed out this round: the same text again (a timeline entry
    /// repeated) renders the same, so it is not a change.
    taken: HashSet<u64>,
}

pub(super) struct MdCache {
    shards: Vec<Mutex<Shard>>,
    round: AtomicU64,
    /// Files (`from`) rendered afresh in this round.
    misses: Mutex<BTreeSet<String>>,
}

impl Default for MdCache {
    fn default() -> Self {
        MdCache {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            round: AtomicU64::new(0),
            misses: Mutex::default(),
        }
    }
}

/// A poisoned lock only means another render panicked; the map is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn hash(x: impl Hash) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    x.hash(&mut h);
    h.finish()
}

fn check(body: &str, from: &str, self_id: Option<&str>) -> u64 {
    hash(("check", from, self_id, body))
}

fn key(body: &str, from: &str, self_id: Option<&str>) -> u64 {
    hash((from, self_id, body))
}

impl MdCache {
    /// Start a link: forget the previous round's misses.
    pub(super) fn begin_round(&self) {
        self.round.fetch_add(1, Ordering::SeqCst);
        lock(&self.misses).clear();
        for s in &self.shards {
            lock(s).taken.clear();
        }
    }

    /// End a link: drop entries it did not use, and return the files whose
    /// Markdown was rendered afresh.
    pub(super) fn end_round(&self) -> BTreeSet<String> {
        let round = self.round.load(Ordering::SeqCst);
        for s in &self.shards {
            lock(s).map.retain(|_, e| e.used == round);
        }
        std::mem::take(&mut *lock(&self.misses))
    }

    /// Return a render handed out during this round (a body, after the rebuild).
    pub(super) fn put_back(
        &self,
        body: &str,
        from: &str,
        self_id: Option<&str>,
        rendered: Rendered,
    ) {
        let entry = Entry {
            file: hash(from),
            check: check(body, from, self_id),
            rendered,
            used: self.round.load(Ordering::SeqCst),
        };
        let k = key(body, from, self_id);
        lock(self.shard(k)).map.insert(k, entry);
    }

    /// Forget every render of these files (re-read, or naming a changed target).
    pub(super) fn forget(&self, files: &BTreeSet<String>) {
        if !files.is_empty() {
            let files: HashSet<u64> = files.iter().map(|f| hash(f.as_str())).collect();
            for s in &self.shards {
                lock(s).map.retain(|_, e| !files.contains(&e.file));
            }
        }
    }

    pub(super) fn clear(&self) {
        for s in &self.shards {
            lock(s).map.clear();
        }
    }

    fn shard(&self, k: u64) -> &Mutex<Shard> {
        &self.shards[(k % SHARDS as u64) as usize]
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).map.len()).sum()
    }
}

impl MarkdownRenderer for MdCache {
    fn render(
        &self,
        body: &str,
        from: &str,
        self_id: Option<&str>,
        resolver: &dyn LinkResolver,
    ) -> Rendered {
        let k = key(body, from, self_id);
        let repeated = {
            let mut shard = lock(self.shard(k));
            let c = check(body, from, self_id);
            let same = |e: &Entry| e.check == c;
            if shard.map.get(&k).is_some_and(same)
                && let Some(e) = shard.map.remove(&k)
            {
                shard.taken.insert(k);
                return e.rendered;
            }
            shard.taken.contains(&k)
        };
        if !repeated {
            lock(&self.misses).insert(from.to_string());
        }
        markdown::render(body, from, self_id, resolver)
    }
}

/// Does this text name any of `names` (lower-cased IDs and `.md` file names)?
/// Escapes that could spell a name in pieces count as naming everything.
pub(super) fn mentions(text: &str, names: &BTreeSet<String>) -> bool {
    if names.is_empty() {
        return false;
    }
    if text.contains('%') || text.contains('&') {
        return true;
    }
    let lower = text.to_ascii_lowercase().replace('\\', "");
    names.iter().any(|n| lower.contains(n.as_str()))
}

/// What each published document is as a link target: content path → a label
/// that changes when its URL or ID does. Drafts are not targets unless shown.
pub(super) fn targets<'a>(
    docs: impl Iterator<Item = &'a Document>,
    drafts: bool,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for d in docs {
        let (path, label) = match d {
            Document::Incident(i) if drafts || !i.draft => {
                (&i.origin.content_path, format!("incident {}", i.id))
            }
            Document::News(n) if drafts || !n.draft => {
                (&n.origin.content_path, format!("news {}", n.slug))
            }
            Document::Page(p) if drafts || !p.draft => {
                (&p.origin.content_path, format!("page {}", p.slug))
            }
            Document::Home(h) => (&h.origin.content_path, "home".to_string()),
            _ => continue,
        };
        out.insert(path.clone(), label);
    }
    out
}

/// The names (lower-cased) that Markdown would have to contain to be affected
/// by the difference between two target maps: file names of changed targets,
/// and incident IDs that appeared, disappeared or moved.
pub(super) fn changed_names(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut note = |path: &str, label: Option<&String>| {
        let file = path.rsplit('/').next().unwrap_or(path);
        names.insert(file.to_ascii_lowercase());
        if let Some(id) = label.and_then(|l| l.strip_prefix("incident ")) {
            names.insert(id.to_ascii_lowercase());
        }
    };
    for (path, label) in old {
        if new.get(path) != Some(label) {
            note(path, Some(label));
            note(path, new.get(path));
        }
    }
    for (path, label) in new {
        if !old.contains_key(path) {
            note(path, Some(label));
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    fn map(items: &[(&str, &str)]) -> BTreeMap<String, String> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn changed_names_cover_ids_and_files() {
        let old = map(&[
            ("incidents/a.md", "incident EX1"),
            ("about.md", "page about"),
            ("news/n.md", "news n"),
        ]);
        let new = map(&[
            ("incidents/a.md", "incident EX2"),
            ("about.md", "page about"),
            ("incidents/b.md", "incident TM9"),
        ]);
        let names: Vec<String> = changed_names(&old, &new).into_iter().collect();
        assert_eq!(names, ["a.md", "b.md", "ex1", "ex2", "n.md", "tm9"]);
        assert!(changed_names(&new, &new).is_empty());
    }

    use super::*;

    struct NoSite;
    impl LinkResolver for NoSite {
        fn incident(&self, _: &str) -> Option<(String, String)> {
            None
        }
        fn page_url(&self, _: &str, _: &str) -> Option<String> {
            None
        }
        fn bare_id(&self, _: &str) -> Option<(String, String)> {
            None
        }
    }

    #[test]
    fn renders_move_out_and_come_back() {
        let c = MdCache::default();
        c.begin_round();
        let a = c.render("Hello *EX1*", "incidents/a.md", Some("A"), &NoSite);
        let b = c.render("About", "about.md", None, &NoSite);
        assert_eq!(c.end_round().len(), 2, "first round: all misses");
        c.put_back("Hello *EX1*", "incidents/a.md", Some("A"), a.clone());
        c.put_back("About", "about.md", None, b);
        c.begin_round();
        let again = c.render("Hello *EX1*", "incidents/a.md", Some("A"), &NoSite);
        assert_eq!(again, a);
        assert_eq!(c.len(), 1, "moved out");
        assert!(c.end_round().is_empty(), "second round is all hits");
        assert_eq!(c.len(), 0, "the unused entry is dropped");
        c.put_back("Hello *EX1*", "incidents/a.md", Some("A"), a);
        c.begin_round();
        c.render("Hello *EX1*", "incidents/b.md", Some("A"), &NoSite);
        // The same text twice in one round: rendered again, but no change.
        c.render("Hello *EX1*", "incidents/a.md", Some("A"), &NoSite);
        c.render("Hello *EX1*", "incidents/a.md", Some("A"), &NoSite);
        let misses: Vec<String> = c.end_round().into_iter().collect();
        assert_eq!(misses, ["incidents/b.md"], "another file is another entry");
        let r = markdown::render("x", "incidents/b.md", None, &NoSite);
        c.put_back("x", "incidents/b.md", None, r);
        c.forget(&["incidents/b.md".to_string()].into());
        assert_eq!(c.len(), 0);
    }

    /// Two timeline entries of one file, of equal length and equal ends, that
    /// differ only in the middle: each must get its own HTML back after a re-link.
    #[test]
    fn entries_differing_only_in_the_middle_do_not_swap() {
        let pad = "x".repeat(80);
        let a = format!("{pad} *alpha* {pad}");
        let b = format!("{pad} _gamma_ {pad}");
        assert_eq!(a.len(), b.len());
        let (from, id) = ("incidents/a.md", Some("A"));
        let c = MdCache::default();
        c.begin_round();
        let ra = c.render(&a, from, id, &NoSite);
        let rb = c.render(&b, from, id, &NoSite);
        c.end_round();
        assert_ne!(ra.html, rb.html);
        c.put_back(&a, from, id, ra.clone());
        c.put_back(&b, from, id, rb.clone());
        c.begin_round();
        assert_eq!(c.render(&a, from, id, &NoSite).html, ra.html, "entry a");
        assert_eq!(c.render(&b, from, id, &NoSite).html, rb.html, "entry b");
        assert!(c.end_round().is_empty(), "both were cached");
    }

    #[test]
    fn mentions_ignore_case_and_escapes() {
        let names: BTreeSet<String> = ["ex_1".to_string(), "about.md".to_string()].into();
        assert!(mentions("see EX\\_1 and more", &names));
        assert!(mentions("see [about](About.md)", &names));
        assert!(mentions("an &#95; entity", &names));
        assert!(!mentions("nothing here", &names));
        assert!(!mentions("EX_1", &BTreeSet::new()));
    }
}

//! Markdown render cache: (file, incident ID, Markdown text) in, the
//! [`Rendered`] of an earlier link out, so an edit re-renders one file's
//! Markdown, not the site's.
//!
//! Entries are keyed by file, ID, and the text's length and ends, not by the
//! whole text: the engine drops a file's entries whenever it re-reads the file
//! ([`MdCache::forget`]), and the entries whose text names a link target that
//! changed. Large renders are handed out by move (not copied) and handed back
//! after the rebuild with [`MdCache::put_back`], which keeps a rebuild of a
//! 10,000-incident site from copying hundreds of megabytes of HTML.

use crate::link::MarkdownRenderer;
use crate::markdown::{self, LinkResolver, Rendered};
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Renders larger than this (bytes of HTML) are moved out, not cloned.
const MOVE_OVER: usize = 2048;

struct Entry {
    from: String,
    self_id: Option<String>,
    len: usize,
    rendered: Rendered,
    /// The round that last used it; older entries are dropped after a link.
    used: u64,
}

#[derive(Default)]
pub struct MdCache {
    map: Mutex<HashMap<u64, Entry>>,
    round: AtomicU64,
    /// Files (`from`) rendered afresh in this round.
    misses: Mutex<BTreeSet<String>>,
}

/// A poisoned lock only means another render panicked; the map is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn key(body: &str, from: &str, self_id: Option<&str>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (from, self_id, body.len()).hash(&mut h);
    let b = body.as_bytes();
    b[..b.len().min(64)].hash(&mut h);
    b[b.len().saturating_sub(64)..].hash(&mut h);
    h.finish()
}

impl MdCache {
    /// Start a link: forget the previous round's misses.
    pub fn begin_round(&self) {
        self.round.fetch_add(1, Ordering::SeqCst);
        lock(&self.misses).clear();
    }

    /// End a link: drop entries it did not use, and return the files whose
    /// Markdown was rendered afresh.
    pub fn end_round(&self) -> BTreeSet<String> {
        let round = self.round.load(Ordering::SeqCst);
        lock(&self.map).retain(|_, e| e.used == round);
        std::mem::take(&mut *lock(&self.misses))
    }

    /// Return a render handed out during this round (a body, after the rebuild).
    pub fn put_back(&self, body: &str, from: &str, self_id: Option<&str>, rendered: Rendered) {
        let entry = Entry {
            from: from.to_string(),
            self_id: self_id.map(str::to_string),
            len: body.len(),
            rendered,
            used: self.round.load(Ordering::SeqCst),
        };
        lock(&self.map).insert(key(body, from, self_id), entry);
    }

    /// Forget every render of these files (re-read, or naming a changed target).
    pub fn forget(&self, files: &BTreeSet<String>) {
        if !files.is_empty() {
            lock(&self.map).retain(|_, e| !files.contains(&e.from));
        }
    }

    pub fn clear(&self) {
        lock(&self.map).clear();
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        lock(&self.map).len()
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
        let round = self.round.load(Ordering::SeqCst);
        {
            let mut map = lock(&self.map);
            if let Some(e) = map.get_mut(&k)
                && e.from == from
                && e.self_id.as_deref() == self_id
                && e.len == body.len()
            {
                if e.rendered.html.len() > MOVE_OVER {
                    if let Some(e) = map.remove(&k) {
                        return e.rendered;
                    }
                } else {
                    e.used = round;
                    return e.rendered.clone();
                }
            }
        }
        let rendered = markdown::render(body, from, self_id, resolver);
        lock(&self.misses).insert(from.to_string());
        if rendered.html.len() <= MOVE_OVER {
            self.put_back(body, from, self_id, rendered.clone());
        }
        rendered
    }
}

/// Does this text name any of `names` (lower-cased IDs and `.md` file names)?
/// Escapes that could spell a name in pieces count as naming everything.
pub fn mentions(text: &str, names: &BTreeSet<String>) -> bool {
    if names.is_empty() {
        return false;
    }
    if text.contains('%') || text.contains('&') {
        return true;
    }
    let lower = text.to_ascii_lowercase().replace('\\', "");
    names.iter().any(|n| lower.contains(n.as_str()))
}

#[cfg(test)]
mod tests {
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
    fn hits_misses_and_eviction() {
        let c = MdCache::default();
        c.begin_round();
        let a = c.render("Hello *EX1*", "incidents/a.md", Some("A"), &NoSite);
        c.render("About", "about.md", None, &NoSite);
        assert_eq!(c.end_round().len(), 2);
        c.begin_round();
        assert_eq!(
            c.render("Hello *EX1*", "incidents/a.md", Some("A"), &NoSite),
            a
        );
        assert!(c.end_round().is_empty(), "second round is all hits");
        assert_eq!(c.len(), 1, "the unused entry is dropped");
        c.begin_round();
        c.render("Hello *EX1*", "incidents/b.md", Some("A"), &NoSite);
        assert_eq!(
            c.end_round().into_iter().collect::<Vec<_>>(),
            ["incidents/b.md"],
            "another file is another entry"
        );
        c.forget(&["incidents/b.md".to_string()].into());
        assert_eq!(c.len(), 0);
    }

    #[test]
    fn large_renders_move_out_and_come_back() {
        let c = MdCache::default();
        let big = "word ".repeat(1000);
        c.begin_round();
        let r = c.render(&big, "a.md", None, &NoSite);
        assert!(r.html.len() > MOVE_OVER);
        c.put_back(&big, "a.md", None, r.clone());
        c.end_round();
        c.begin_round();
        assert_eq!(c.render(&big, "a.md", None, &NoSite), r);
        assert_eq!(c.len(), 0, "moved out");
        c.put_back(&big, "a.md", None, r);
        assert!(c.end_round().is_empty());
        assert_eq!(c.len(), 1);
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

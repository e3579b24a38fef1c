//! Markdown render cache: (file, incident ID, Markdown text) in, the
//! [`Rendered`] of an earlier link out. A render depends on the rest of the
//! site only through the link targets it names (incident IDs, `.md` paths), so
//! an entry stays valid until a target its text mentions changes; see
//! [`MdCache::invalidate`].

use crate::link::MarkdownRenderer;
use crate::markdown::{self, LinkResolver, Rendered};
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

struct Entry {
    from: String,
    self_id: Option<String>,
    body: String,
    rendered: Rendered,
    /// The round that last used it; older entries are dropped after a link.
    used: AtomicU64,
}

#[derive(Default)]
pub struct MdCache {
    map: Mutex<HashMap<u64, Arc<Entry>>>,
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
    (from, self_id, body).hash(&mut h);
    h.finish()
}

impl MdCache {
    /// Start a link: forget the previous round's misses.
    pub fn begin_round(&self) {
        self.round.fetch_add(1, Ordering::SeqCst);
        lock(&self.misses).clear();
    }

    /// End a link: drop entries it did not use (edited or deleted text), and
    /// return the files whose Markdown was rendered afresh.
    pub fn end_round(&self) -> BTreeSet<String> {
        let round = self.round.load(Ordering::SeqCst);
        lock(&self.map).retain(|_, e| e.used.load(Ordering::Relaxed) == round);
        std::mem::take(&mut *lock(&self.misses))
    }

    /// Forget every entry whose text may name one of `needles` (lower-cased
    /// incident IDs and `.md` file names whose target changed). Text with
    /// escapes that could spell a name in pieces is dropped whenever anything
    /// changed.
    pub fn invalidate(&self, needles: &BTreeSet<String>) {
        if needles.is_empty() {
            return;
        }
        lock(&self.map).retain(|_, e| {
            let b = &e.body;
            if b.contains('%') || b.contains("&#") || b.contains('&') && b.contains(';') {
                return false;
            }
            let text = b.to_ascii_lowercase().replace('\\', "");
            !needles.iter().any(|n| text.contains(n.as_str()))
        });
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
        let hit = lock(&self.map).get(&k).cloned();
        if let Some(e) = hit
            && e.from == from
            && e.self_id.as_deref() == self_id
            && e.body == body
        {
            e.used.store(round, Ordering::Relaxed);
            return e.rendered.clone();
        }
        let rendered = markdown::render(body, from, self_id, resolver);
        lock(&self.misses).insert(from.to_string());
        let entry = Arc::new(Entry {
            from: from.to_string(),
            self_id: self_id.map(str::to_string),
            body: body.to_string(),
            rendered: rendered.clone(),
            used: AtomicU64::new(round),
        });
        lock(&self.map).insert(k, entry);
        rendered
    }
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
            vec!["incidents/b.md".to_string()],
            "another file is another entry"
        );
    }

    #[test]
    fn invalidation_by_mentioned_names() {
        let c = MdCache::default();
        c.begin_round();
        c.render("see EX\\_1 and more", "a.md", None, &NoSite);
        c.render("see [about](about.md)", "b.md", None, &NoSite);
        c.render("nothing here", "c.md", None, &NoSite);
        c.end_round();
        c.invalidate(&["ex_1".to_string()].into());
        assert_eq!(c.len(), 2);
        c.invalidate(&["about.md".to_string()].into());
        assert_eq!(c.len(), 1);
        c.invalidate(&BTreeSet::new());
        assert_eq!(c.len(), 1);
    }
}

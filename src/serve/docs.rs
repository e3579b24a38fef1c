//! The site's content kept in memory: content paths in (from the watcher),
//! parsed documents and asset paths out — by the loader's rules (`load.rs`),
//! one file at a time. Documents are lent to a link by move and returned
//! after it, so a rebuild copies none of them.

use crate::diag::Diagnostic;
use crate::link::Site;
use crate::load;
use crate::markdown::Rendered;
use crate::model::{Document, IncidentId};
use crate::packed::PackedText;
use crate::stages::{self, Absent, Parsed};
use crate::visibility::{Audience, Seen};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

pub(super) enum Slot {
    Doc(Document),
    /// Could not be read or parsed: every problem found.
    Failed(Vec<Diagnostic>),
    /// Inside a [`Site`] until [`Docs::restore`].
    Lent,
    /// Internal, and this is a public serve (see [`crate::visibility`]).
    Hidden(Option<IncidentId>),
}

#[derive(Default)]
pub(super) struct Docs {
    root: PathBuf,
    /// Content path (relative to `content/`) → document.
    pub slots: HashMap<String, Slot>,
    /// Content path → file, for non-Markdown files of content/.
    pub assets: BTreeMap<String, PathBuf>,
    /// Content paths read again (or gone) since the last good build.
    pub dirty: BTreeSet<String>,
    /// Asset paths written since they were last announced.
    pub touched_assets: BTreeSet<String>,
    /// Warnings of documents that parsed, by content path.
    pub warnings: HashMap<String, Vec<Diagnostic>>,
    /// Content path → declared ID (lower-cased) of incident files that failed to parse.
    pub unparsed: HashMap<String, String>,
    /// Who is served: in a public serve, internal material never enters a slot.
    pub audience: Audience,
}

/// The order `walkdir` with `sort_by_file_name` visits paths in, which the
/// loader's output follows.
pub(super) fn walk_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.split('/').cmp(b.split('/'))
}

/// One content file after parse and visibility ([`stages::parse`]).
fn parse(path: &str, abs: &Path, audience: Audience) -> Parsed {
    let source = load::SourceDoc {
        kind: load::classify(path),
        path: abs.to_path_buf(),
        content_path: path.to_string(),
        text: None,
    };
    stages::parse(&source, audience)
}

impl Docs {
    pub(super) fn new(root: &Path) -> Docs {
        Docs {
            root: root.to_path_buf(),
            ..Default::default()
        }
    }

    fn forget(&mut self, path: &str) {
        let prefix = format!("{path}/");
        let under = |k: &String| path.is_empty() || k == path || k.starts_with(&prefix);
        let gone: Vec<String> = self.slots.keys().filter(|k| under(k)).cloned().collect();
        for k in gone {
            self.slots.remove(&k);
            self.warnings.remove(&k);
            self.unparsed.remove(&k);
            self.dirty.insert(k);
        }
        let gone: Vec<String> = self.assets.keys().filter(|k| under(k)).cloned().collect();
        for k in gone {
            self.assets.remove(&k);
            self.touched_assets.insert(k);
        }
    }

    /// Look at a content path again: a file, a folder, or nothing any more.
    pub(super) fn refresh(&mut self, path: &str) {
        if path.is_empty() {
            return self.rescan();
        }
        let abs = self.root.join("content").join(path);
        self.forget(path);
        match std::fs::symlink_metadata(&abs) {
            Ok(m) if m.is_dir() => self.walk(&abs),
            Ok(m) if m.is_file() => self.add(vec![(path.to_string(), abs)]),
            // Gone, or a symlink (the loader does not follow those either).
            _ => {}
        }
    }

    /// Read all of content/ again.
    pub(super) fn rescan(&mut self) {
        self.forget("");
        let content = self.root.join("content");
        if !content.is_dir() {
            let d = Diagnostic::error("content", "there is no `content/` folder")
                .hint("create `content/incidents/` and put one Markdown file per incident there");
            self.slots.insert(String::new(), Slot::Failed(vec![d]));
            return;
        }
        self.walk(&content);
    }

    fn walk(&mut self, dir: &Path) {
        let (files, diags) = load::walk(&self.root, dir);
        for d in diags {
            self.slots.insert(d.file.clone(), Slot::Failed(vec![d]));
        }
        self.add(files);
    }

    /// Read and parse files (in parallel), by the loader's rules.
    fn add(&mut self, files: Vec<(String, PathBuf)>) {
        let mut md = Vec::new();
        for (path, abs) in files {
            if !load::is_content(&path) {
                continue;
            }
            if path.ends_with(".md") {
                md.push((path, abs));
            } else {
                self.touched_assets.insert(path.clone());
                self.assets.insert(path, abs);
            }
        }
        let parsed: Vec<(String, Parsed)> = md
            .into_par_iter()
            .map(|(path, abs)| {
                let p = parse(&path, &abs, self.audience);
                (path, p)
            })
            .collect();
        for (path, p) in parsed {
            self.dirty.insert(path.clone());
            self.warnings.remove(&path);
            self.unparsed.remove(&path);
            let slot = match p {
                Parsed::Seen(seen, warnings) => {
                    if !warnings.is_empty() {
                        self.warnings.insert(path.clone(), warnings);
                    }
                    match seen {
                        Seen::Shown(doc) => Slot::Doc(doc),
                        Seen::Hidden(id) => Slot::Hidden(id),
                    }
                }
                Parsed::Failed(diags, id) => {
                    if let Some(id) = id {
                        self.unparsed.insert(path.clone(), id);
                    }
                    Slot::Failed(diags)
                }
            };
            self.slots.insert(path, slot);
        }
    }

    /// Documents for a link, in the loader's order, moved out of their slots
    /// (drafts that the link would drop are copied instead), and the problems
    /// of the files that failed.
    pub(super) fn lend(&mut self, drafts: bool) -> (Vec<Document>, Vec<Diagnostic>) {
        let mut keys: Vec<String> = self.slots.keys().cloned().collect();
        keys.sort_by(|a, b| walk_order(a, b));
        let mut docs = Vec::with_capacity(keys.len());
        let mut diags = Vec::new();
        for k in keys {
            let Some(slot) = self.slots.get_mut(&k) else {
                continue;
            };
            if let Some(w) = self.warnings.get(&k) {
                diags.extend(w.iter().cloned());
            }
            match slot {
                Slot::Failed(d) => diags.extend(d.iter().cloned()),
                Slot::Doc(d) if !drafts && is_draft(d) => docs.push(d.clone()),
                Slot::Doc(_) => {
                    if let Slot::Doc(d) = std::mem::replace(slot, Slot::Lent) {
                        docs.push(d);
                    }
                }
                Slot::Lent | Slot::Hidden(_) => {}
            }
        }
        (docs, diags)
    }

    /// What a link does not see: the internal incidents a public serve
    /// leaves out, and the incident files that failed to parse.
    pub(super) fn absent(&self) -> Absent {
        let mut hidden: Vec<IncidentId> = self
            .slots
            .values()
            .filter_map(|s| match s {
                Slot::Hidden(Some(id)) => Some(id.clone()),
                _ => None,
            })
            .collect();
        hidden.sort();
        Absent {
            hidden,
            unparsed: self.unparsed.values().cloned().collect(),
        }
    }

    /// Take the documents back from a site, with each Markdown render for
    /// `back` (text, file, incident ID, render). Timeline and take renders
    /// keep only their HTML in a site, which is all a link reads of them when
    /// they had no problems: pass `fields` only for a site without errors.
    pub(super) fn restore(
        &mut self,
        site: Site,
        fields: bool,
        mut back: impl FnMut(&str, &str, Option<&str>, Rendered),
    ) {
        for (inc, html) in site.incidents.into_iter().zip(site.incident_html) {
            let (from, id) = (&inc.origin.content_path, Some(inc.id.as_str()));
            if fields {
                let entries = (inc.timeline.iter()).zip(html.timeline);
                let entries = entries.map(|(e, h)| (&e.text, h.into_packed(&e.text)));
                let takes = inc.takes.iter().map(|(_, t)| t).zip(html.takes);
                for (text, html) in entries.chain(takes) {
                    // A text equal to the body would share its cache entry.
                    if *text != inc.body() {
                        back(text, from, id, html_only(html));
                    }
                }
            }
            back(inc.body(), from, id, html.body);
            let path = inc.origin.content_path.clone();
            self.put(path, Document::Incident(Box::new(inc)));
        }
        for (n, r) in site.news.into_iter().zip(site.news_html) {
            back(n.body(), &n.origin.content_path, None, r);
            self.put(n.origin.content_path.clone(), Document::News(Box::new(n)));
        }
        for (p, r) in site.pages.into_iter().zip(site.page_html) {
            back(p.body(), &p.origin.content_path, None, r);
            self.put(p.origin.content_path.clone(), Document::Page(Box::new(p)));
        }
        if let Some((h, r)) = site.home {
            back(h.body(), &h.origin.content_path, None, r);
            self.put(h.origin.content_path.clone(), Document::Home(Box::new(h)));
        }
        // Anything the site did not hand back is read again.
        let lost: Vec<String> = self
            .slots
            .iter()
            .filter(|(_, s)| matches!(s, Slot::Lent))
            .map(|(k, _)| k.clone())
            .collect();
        for k in lost {
            self.refresh(&k);
        }
    }

    fn put(&mut self, path: String, d: Document) {
        if let Some(slot @ Slot::Lent) = self.slots.get_mut(&path) {
            *slot = Slot::Doc(d);
        }
    }

    /// Every Markdown text of every document, with its file.
    pub(super) fn texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.slots
            .iter()
            .filter_map(|(k, s)| match s {
                Slot::Doc(d) => Some((k.as_str(), d)),
                _ => None,
            })
            .flat_map(|(k, d)| texts_of(d).into_iter().map(move |t| (k, t)))
    }

    pub(super) fn documents(&self) -> impl Iterator<Item = &Document> {
        self.slots.values().filter_map(|s| match s {
            Slot::Doc(d) => Some(d),
            _ => None,
        })
    }
}

/// A render of which a link reads only the HTML (and no problems).
fn html_only(html: PackedText) -> Rendered {
    Rendered {
        html,
        summary: String::new(),
        headings: Vec::new(),
        incident_refs: Vec::new(),
        problems: Vec::new(),
    }
}

fn is_draft(d: &Document) -> bool {
    match d {
        Document::Incident(i) => i.draft,
        Document::News(n) => n.draft,
        Document::Page(p) => p.draft,
        Document::Home(_) => false,
    }
}

fn texts_of(d: &Document) -> Vec<&str> {
    match d {
        Document::Incident(i) => std::iter::once(i.body())
            .chain(i.timeline.iter().map(|e| e.text.as_str()))
            .chain(i.takes.iter().map(|(_, t)| t.as_str()))
            .collect(),
        Document::News(n) => vec![n.body()],
        Document::Page(p) => vec![p.body()],
        Document::Home(h) => vec![h.body()],
    }
}

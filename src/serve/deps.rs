//! Dependencies between content files and output pages: a linked [`Site`] in,
//! for each content file an [`Entry`] out — the pages that show it by name
//! (its own page, the pages it relates to or mentions, the pages that relate
//! to or mention it, the stories listing it) and the lists it is on (its
//! terms and month), whose page files are named against the current site
//! ([`list_pages`]). Plus the link targets the documents offer, whose changes
//! invalidate cached Markdown.
//!
//! The site-wide pages (home, lists, taxonomy indexes, feeds) are not listed
//! here: serve always re-checks them ([`site_wide`]).

use crate::link::{Backlink, Site};
use crate::model::{Document, Related};
use crate::render::{Output, output_file, page_count};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// A list page series a document is on, named so it outlives a re-link.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ListKey {
    /// Taxonomy index, term slug.
    Term(usize, String),
    /// Month key (`2026-06`).
    Month(String),
}

/// What pages read one content file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    /// Pages that show it by name: its own page first, then the pages it
    /// relates to or mentions, the pages that relate to or mention it, and
    /// the stories listing it.
    pub direct: Vec<Arc<str>>,
    /// The lists it is on (an incident's terms and month); their page files
    /// are named against the current site ([`Dependents::pages`]).
    pub lists: Vec<ListKey>,
}

/// Content path (relative to `content/`) → what depends on it.
pub type Dependents = HashMap<String, Entry>;

/// Which pages of a document's lists to check.
pub enum Reach<'a> {
    /// Every page (after a re-link: the lists may have reordered).
    All,
    /// The order of incidents is as before: every page of the lists in
    /// `moved` (their membership changed, so pages shift and counts change),
    /// else page 1 (counts and a service's status) and the page holding
    /// incident `at`.
    Near {
        moved: &'a BTreeSet<ListKey>,
        at: Option<usize>,
    },
}

/// Outputs that list or summarise many documents: re-checked on every change.
/// `patched`: the edited incidents (content path, index) of a patch, which
/// keeps the order of incidents: of `/incidents/` only page 1 and the pages
/// holding them can change.
pub fn site_wide(site: &Site, patched: Option<&[(&str, usize)]>) -> Vec<Output> {
    let per = site.config.paginate_by;
    let mut v = vec![
        Output::Home,
        Output::History,
        Output::Search,
        // Every incident feeds its charts.
        Output::Stats,
        Output::NotFound,
    ];
    let actions = crate::render::open_actions(site).len();
    v.extend((1..=page_count(actions, per)).map(Output::Actions));
    // A postmortem published, or an incident edited, changes these pages.
    let postmortems = crate::render::postmortem_list(site).len();
    v.extend((1..=page_count(postmortems, per)).map(Output::Postmortems));
    // Every page of the two whole-site lists: one new incident shifts them all.
    match patched {
        Some(edited) => {
            let mut pages: BTreeSet<usize> =
                edited.iter().map(|(_, i)| i / per.max(1) + 1).collect();
            pages.insert(1);
            v.extend(pages.into_iter().map(Output::Incidents));
        }
        None => v.extend((1..=page_count(site.incidents.len(), per)).map(Output::Incidents)),
    }
    v.extend((1..=page_count(site.news.len(), per)).map(Output::NewsList));
    v.extend((0..site.taxonomies.len()).map(Output::Taxonomy));
    v
}

/// The own pages of these content files (the edited documents).
pub fn own_outputs(site: &Site, files: &BTreeSet<&str>) -> Vec<Output> {
    let mut v = Vec::new();
    let hit = |p: &String| files.contains(p.as_str());
    v.extend(
        (0..site.incidents.len())
            .filter(|&i| hit(&site.incidents[i].origin.content_path))
            .map(Output::Incident),
    );
    v.extend(
        (0..site.news.len())
            .filter(|&n| hit(&site.news[n].origin.content_path))
            .map(Output::News),
    );
    v.extend(
        (0..site.pages.len())
            .filter(|&p| hit(&site.pages[p].origin.content_path))
            .map(Output::Page),
    );
    if site
        .home
        .as_ref()
        .is_some_and(|(h, _)| hit(&h.origin.content_path))
    {
        v.push(Output::Home);
    }
    v
}

/// Every content file's [`Entry`].
pub fn dependents(site: &Site) -> Dependents {
    let names = Names::new(site);
    let mut out: Dependents = (0..site.incidents.len())
        .into_par_iter()
        .map(|i| {
            (
                site.incidents[i].origin.content_path.clone(),
                names.incident(i),
            )
        })
        .collect();
    for (t, tax) in site.taxonomies.iter().enumerate() {
        for (slug, term) in &tax.terms {
            names.file_under(&mut out, &term.incidents, ListKey::Term(t, slug.clone()));
        }
    }
    for month in &site.months {
        names.file_under(&mut out, &month.incidents, ListKey::Month(month.key()));
    }
    for n in 0..site.news.len() {
        out.insert(site.news[n].origin.content_path.clone(), names.story(n));
    }
    for (p, page) in site.pages.iter().enumerate() {
        out.insert(
            page.origin.content_path.clone(),
            own_page(site, Output::Page(p)),
        );
    }
    if let Some((h, _)) = &site.home {
        out.insert(h.origin.content_path.clone(), own_page(site, Output::Home));
    }
    out
}

/// The entry of a file shown only on its own page (plain pages, the home intro).
fn own_page(site: &Site, o: Output) -> Entry {
    Entry {
        direct: vec![name(site, o)],
        lists: Vec::new(),
    }
}

/// The entries of just these content files, from the current site (serve
/// after a patch: the edited files and the incidents whose backlinks moved).
/// A file not in the site has none.
pub fn entries_of(site: &Site, files: &BTreeSet<&str>) -> Dependents {
    let names = Names::new(site);
    let mut out = Dependents::new();
    for (i, inc) in site.incidents.iter().enumerate() {
        if !files.contains(inc.origin.content_path.as_str()) {
            continue;
        }
        let mut e = names.incident(i);
        for (t, tax) in site.taxonomies.iter().enumerate() {
            for name in term_names(site, i, t) {
                if let Some(slug) = tax.slugs.get(name) {
                    e.lists.push(ListKey::Term(t, slug.clone()));
                }
            }
        }
        let month = site
            .months
            .iter()
            .find(|m| m.incidents.binary_search(&i).is_ok());
        e.lists.extend(month.map(|m| ListKey::Month(m.key())));
        e.lists.sort();
        e.lists.dedup();
        out.insert(inc.origin.content_path.clone(), e);
    }
    for (n, story) in site.news.iter().enumerate() {
        if files.contains(story.origin.content_path.as_str()) {
            out.insert(story.origin.content_path.clone(), names.story(n));
        }
    }
    for (p, page) in site.pages.iter().enumerate() {
        if files.contains(page.origin.content_path.as_str()) {
            out.insert(
                page.origin.content_path.clone(),
                own_page(site, Output::Page(p)),
            );
        }
    }
    if let Some((h, _)) = site
        .home
        .as_ref()
        .filter(|(h, _)| files.contains(h.origin.content_path.as_str()))
    {
        out.insert(h.origin.content_path.clone(), own_page(site, Output::Home));
    }
    out
}

fn term_names(site: &Site, i: usize, t: usize) -> Vec<&str> {
    let inc = &site.incidents[i];
    match t {
        0 => inc.services.iter().map(String::as_str).collect(),
        1 => inc.regions.iter().map(String::as_str).collect(),
        2 => inc
            .errors
            .iter()
            .map(crate::model::ErrorRef::term)
            .collect(),
        _ => inc.tags.iter().map(String::as_str).collect(),
    }
}

fn name(site: &Site, o: Output) -> Arc<str> {
    Arc::from(output_file(site, &o).unwrap_or_default())
}

/// Page number → that page of a list.
type PageOf<'s> = Box<dyn Fn(usize) -> Output + 's>;

/// The incidents of a list on the current site; `None` if it is gone.
fn members<'s>(site: &'s Site, key: &ListKey) -> Option<(&'s [usize], PageOf<'s>)> {
    match key {
        ListKey::Term(t, slug) => {
            let term = site.taxonomies.get(*t)?.terms.get(slug)?;
            let (t, slug) = (*t, slug.clone());
            Some((
                &term.incidents,
                Box::new(move |p| Output::Term(t, slug.clone(), p)),
            ))
        }
        ListKey::Month(k) => {
            let m = site.months.iter().position(|m| m.key() == *k)?;
            Some((
                &site.months[m].incidents,
                Box::new(move |p| Output::Month(m, p)),
            ))
        }
    }
}

/// The page files of `e`'s lists that `reach` asks for, on the current site.
pub fn list_pages(site: &Site, e: &Entry, reach: &Reach) -> Vec<String> {
    let per = site.config.paginate_by;
    let mut out = Vec::new();
    for key in &e.lists {
        let Some((incidents, page)) = members(site, key) else {
            continue;
        };
        let all = 1..=page_count(incidents.len(), per);
        match reach {
            Reach::Near { moved, at } if !moved.contains(key) && !is_service(key) => {
                out.extend(output_file(site, &page(1)));
                let pos = at.and_then(|i| incidents.binary_search(&i).ok());
                out.extend(pos.and_then(|n| output_file(site, &page(n / per.max(1) + 1))));
            }
            _ => out.extend(all.filter_map(|p| output_file(site, &page(p)))),
        }
    }
    out
}

/// Every page of a service's term shows the service's status, which any of
/// its incidents can change.
fn is_service(key: &ListKey) -> bool {
    matches!(key, ListKey::Term(0, _))
}

/// The page of list `key` that holds incident `i` (its first page if none).
pub fn page_holding(site: &Site, key: &ListKey, i: Option<usize>) -> Option<String> {
    let (incidents, page) = members(site, key)?;
    let n = i
        .and_then(|i| incidents.binary_search(&i).ok())
        .unwrap_or(0);
    output_file(site, &page(n / site.config.paginate_by.max(1) + 1))
}

/// Page file names, each built once.
struct Names<'s> {
    site: &'s Site,
    incidents: Vec<Arc<str>>,
    news: Vec<Arc<str>>,
}

impl<'s> Names<'s> {
    fn new(site: &'s Site) -> Names<'s> {
        Names {
            site,
            incidents: (0..site.incidents.len())
                .into_par_iter()
                .map(|i| name(site, Output::Incident(i)))
                .collect(),
            news: (0..site.news.len())
                .map(|n| name(site, Output::News(n)))
                .collect(),
        }
    }

    fn incident_file(&self, key: &str) -> Option<Arc<str>> {
        self.site.index.get(key).map(|&j| self.incidents[j].clone())
    }

    /// Pages showing incident `i`: those it relates to or mentions (their
    /// backlinks), those that relate to or mention it, the stories listing it.
    fn incident(&self, i: usize) -> Entry {
        let site = self.site;
        let mut files = vec![self.incidents[i].clone()];
        for r in &site.incidents[i].related {
            if let Related::Incident { id, .. } = r {
                files.extend(self.incident_file(&id.key()));
            }
        }
        for r in site.incident_html[i].refs() {
            files.extend(self.incident_file(&r.to_ascii_lowercase()));
        }
        for b in &site.backlinks[i] {
            files.push(match *b {
                Backlink::Incident(j) => self.incidents[j].clone(),
                Backlink::News(n) => self.news[n].clone(),
            });
        }
        dedup_tail(&mut files);
        Entry {
            direct: files,
            lists: Vec::new(),
        }
    }

    fn story(&self, n: usize) -> Entry {
        let mut files = vec![self.news[n].clone()];
        for id in &self.site.news[n].incidents {
            files.extend(self.incident_file(&id.key()));
        }
        for r in &self.site.news_html[n].incident_refs {
            files.extend(self.incident_file(&r.to_ascii_lowercase()));
        }
        dedup_tail(&mut files);
        Entry {
            direct: files,
            lists: Vec::new(),
        }
    }

    /// Note list `key` on the entries of its incidents.
    fn file_under(&self, out: &mut Dependents, members: &[usize], key: ListKey) {
        for &i in members {
            if let Some(e) = out.get_mut(&self.site.incidents[i].origin.content_path) {
                e.lists.push(key.clone());
            }
        }
    }
}

/// Keep the first element in place; sort and deduplicate the rest.
fn dedup_tail(v: &mut Vec<Arc<str>>) {
    if v.len() > 1 {
        let own = v[0].clone();
        let mut rest: Vec<Arc<str>> = v.drain(1..).filter(|f| *f != own).collect();
        rest.sort();
        rest.dedup();
        v.extend(rest);
    }
}

/// What each published document is as a link target: content path → a label
/// that changes when its URL or ID does. Drafts are not targets unless shown.
pub fn targets<'a>(
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
pub fn changed_names(
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
    use super::*;

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

    #[test]
    fn dedup_keeps_own_page_first() {
        let mut v: Vec<Arc<str>> = ["b", "c", "a", "b", "c"].map(Arc::from).to_vec();
        dedup_tail(&mut v);
        assert_eq!(v, ["b", "a", "c"].map(Arc::from).to_vec());
    }
}

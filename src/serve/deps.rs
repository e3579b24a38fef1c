//! Dependencies between content files and output pages: a linked [`Site`] in,
//! for each content file the page files whose template context reads it out
//! (its own page, the pages that show it as related, backlink or listed
//! incident, the taxonomy terms it is filed under). Plus the link targets the
//! documents offer, whose changes invalidate cached Markdown.
//!
//! The site-wide pages (home, lists, taxonomy indexes, feeds) are not listed
//! here: serve always re-checks them.

use crate::link::{Backlink, Site};
use crate::model::{Document, Related};
use crate::render::{Output, output_file, page_count};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Content path (relative to `content/`) → page files that depend on it, its
/// own page first.
pub type Dependents = HashMap<String, Vec<Arc<str>>>;

/// Outputs that list or summarise many documents: re-checked on every change.
pub fn site_wide(site: &Site) -> Vec<Output> {
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
    v.extend((1..=page_count(site.incidents.len(), per)).map(Output::Incidents));
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

pub fn dependents(site: &Site) -> Dependents {
    // Each page's file name once; the lists share them.
    let name = |o: Output| -> Arc<str> { Arc::from(output_file(site, &o).unwrap_or_default()) };
    let inc_files: Vec<Arc<str>> = (0..site.incidents.len())
        .into_par_iter()
        .map(|i| name(Output::Incident(i)))
        .collect();
    let news_files: Vec<Arc<str>> = (0..site.news.len())
        .map(|n| name(Output::News(n)))
        .collect();
    let incident_file = |key: &str| site.index.get(key).map(|&j| inc_files[j].clone());
    let per_incident: Vec<(String, Vec<Arc<str>>)> = site
        .incidents
        .par_iter()
        .enumerate()
        .map(|(i, inc)| {
            let mut files = vec![inc_files[i].clone()];
            // Pages showing this incident: those it relates to or mentions (their
            // backlinks), those that relate to or mention it, the stories listing it.
            for r in &inc.related {
                if let Related::Incident { id, .. } = r {
                    files.extend(incident_file(&id.key()));
                }
            }
            for r in site.incident_html[i].refs() {
                files.extend(incident_file(&r.to_ascii_lowercase()));
            }
            for b in &site.backlinks[i] {
                files.push(match *b {
                    Backlink::Incident(j) => inc_files[j].clone(),
                    Backlink::News(n) => news_files[n].clone(),
                });
            }
            (inc.origin.content_path.clone(), files)
        })
        .collect();
    let mut out: Dependents = per_incident.into_iter().collect();
    // The lists each incident is on: every page of them, since one incident
    // entering or leaving shifts the pages after it.
    let per = site.config.paginate_by;
    let mut list = |members: &[usize], page: &dyn Fn(usize) -> Output| {
        let files: Vec<Arc<str>> = (1..=page_count(members.len(), per))
            .map(|p| name(page(p)))
            .collect();
        for &i in members {
            if let Some(v) = out.get_mut(&site.incidents[i].origin.content_path) {
                v.extend(files.iter().cloned());
            }
        }
    };
    for (t, tax) in site.taxonomies.iter().enumerate() {
        for (slug, term) in &tax.terms {
            list(&term.incidents, &|p| Output::Term(t, slug.clone(), p));
        }
    }
    for (m, month) in site.months.iter().enumerate() {
        list(&month.incidents, &|p| Output::Month(m, p));
    }
    out.par_iter_mut().for_each(|(_, v)| dedup_tail(v));
    for (n, story) in site.news.iter().enumerate() {
        let mut files = vec![news_files[n].clone()];
        for id in &story.incidents {
            files.extend(incident_file(&id.key()));
        }
        for r in &site.news_html[n].incident_refs {
            files.extend(incident_file(&r.to_ascii_lowercase()));
        }
        dedup_tail(&mut files);
        out.insert(story.origin.content_path.clone(), files);
    }
    for (p, page) in site.pages.iter().enumerate() {
        out.insert(
            page.origin.content_path.clone(),
            vec![name(Output::Page(p))],
        );
    }
    if let Some((h, _)) = &site.home {
        out.insert(h.origin.content_path.clone(), vec![name(Output::Home)]);
    }
    out
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

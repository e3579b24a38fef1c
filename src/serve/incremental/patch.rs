//! Patching the kept site in place: the edited documents in, the site as a
//! full link would make it out — or nothing changed, when an edit needs a
//! re-link. Bodies of any document; an incident's front matter too while it
//! keeps its ID, its start (so its place in every list and month) and its
//! visibility: then its Markdown is rendered again, its backlinks and terms
//! are updated. Which pages that changes is for the ledger to find.

use super::{Engine, Kept};
use crate::ix::IncidentIx;
use crate::link::{self, Backlink, IncidentHtml, Site};
use crate::markdown::Rendered;
use crate::model::{Document, Incident, Origin, Related};
use crate::render::reads::Doc;
use crate::serve::docs::Slot;
use std::collections::{BTreeSet, HashMap, HashSet};

/// One planned replacement.
enum Fresh {
    Incident(IncidentIx, IncidentHtml),
    Other(Doc, Rendered),
}

fn front_matter(o: &Origin) -> &str {
    &o.source.text[o.fm_start..o.fm_end]
}

/// Backlink targets (indices) of incident `i`.
fn targets(
    site: &Site,
    i: IncidentIx,
    inc: &Incident,
    html: &IncidentHtml,
) -> BTreeSet<IncidentIx> {
    link::outgoing(inc, html)
        .filter_map(|k| site.index.get(&k).copied())
        .filter(|&t| t != i)
        .collect()
}

impl Engine {
    /// Apply the batch's edits to the kept site when that is exactly what a
    /// link would produce; false (nothing changed) when any edit is more.
    pub(super) fn patch(&mut self, k: &mut Kept) -> bool {
        self.try_patch(k).is_some()
    }

    fn try_patch(&mut self, k: &mut Kept) -> Option<()> {
        let site = &k.site;
        let mut at: HashMap<&str, Doc> = HashMap::new();
        for (i, x) in site.incidents.iter_enumerated() {
            at.insert(&x.origin.content_path, Doc::Incident(i));
        }
        for (n, x) in site.news.iter_enumerated() {
            at.insert(&x.origin.content_path, Doc::News(n));
        }
        for (p, x) in site.pages.iter_enumerated() {
            at.insert(&x.origin.content_path, Doc::Page(p));
        }
        if let Some((h, _)) = &site.home {
            at.insert(&h.origin.content_path, Doc::Home);
        }
        let mut plan = Vec::new();
        // At most one front-matter edit a batch, so its terms are checked
        // against a site no other edit of the batch changes.
        let mut refiled: Option<IncidentIx> = None;
        let hidden = self.docs.absent().hidden;
        for path in &self.docs.dirty {
            let (Some(Slot::Doc(new)), Some(out)) =
                (self.docs.slots.get(path), at.get(path.as_str()))
            else {
                return None;
            };
            // A link warns about public text naming an internal incident.
            if !crate::visibility::mentions(std::slice::from_ref(new), &hidden).is_empty() {
                return None;
            }
            let fresh = self.plan_one(k, path, out, new, &mut refiled)?;
            plan.push((path.clone(), fresh));
        }
        // Terms first: the only step that can still refuse.
        if let Some(i) = refiled {
            let path = &k.site.incidents[i].origin.content_path;
            let Some(Slot::Doc(Document::Incident(new))) = self.docs.slots.get(path) else {
                return None;
            };
            let site = &mut k.site;
            link::refile(&mut site.taxonomies, i, &site.incidents[i], new)?;
        }
        for (path, fresh) in plan {
            let Some(Slot::Doc(new)) = self.docs.slots.insert(path, Slot::Lent) else {
                continue;
            };
            apply(&mut k.site, fresh, new);
        }
        // A front-matter edit can change which incidents resemble which; a
        // body edit cannot (similarity reads front matter only).
        if refiled.is_some() {
            let site = &mut k.site;
            site.similar = link::similar::similar(&site.incidents, &site.index);
        }
        Some(())
    }

    /// The renders one edited document gets, if a patch can take it;
    /// `refiled`: the incident whose front matter changed (one a batch).
    fn plan_one(
        &self,
        k: &Kept,
        path: &str,
        out: &Doc,
        new: &Document,
        refiled: &mut Option<IncidentIx>,
    ) -> Option<Fresh> {
        let site = &k.site;
        if let (Doc::Incident(i), Document::Incident(new)) = (out, new) {
            let old = &site.incidents[*i];
            if front_matter(&old.origin) != front_matter(&new.origin) {
                if refiled.is_some() || !self.keeps_place(site, old, new, path) {
                    return None;
                }
                *refiled = Some(*i);
            }
            let no_hint = |_: &str| None;
            let (html, problems) =
                link::render_incident(new, &link::Direct, &*k.resolver, &no_hint, &HashSet::new());
            return problems.is_empty().then_some(Fresh::Incident(*i, html));
        }
        let (old_origin, old_refs) = match (out, new) {
            (Doc::News(n), Document::News(_)) => {
                (&site.news[*n].origin, &site.news_html[*n].incident_refs)
            }
            (Doc::Page(p), Document::Page(_)) => {
                (&site.pages[*p].origin, &site.page_html[*p].incident_refs)
            }
            (Doc::Home, Document::Home(_)) => {
                let (h, r) = site.home.as_ref()?;
                (&h.origin, &r.incident_refs)
            }
            _ => return None,
        };
        let (new_origin, body) = match new {
            Document::Incident(x) => (&x.origin, x.body()),
            Document::News(x) => (&x.origin, x.body()),
            Document::Page(x) => (&x.origin, x.body()),
            Document::Home(x) => (&x.origin, x.body()),
        };
        if front_matter(old_origin) != front_matter(new_origin) {
            return None;
        }
        let r = crate::markdown::render(body, path, None, &*k.resolver);
        (r.problems.is_empty() && r.incident_refs == *old_refs).then_some(Fresh::Other(*out, r))
    }

    /// Whether a front-matter edit leaves the incident where a link would put
    /// it: same ID, start and visibility, references that resolve, and no
    /// warnings to report (a link reports those).
    fn keeps_place(&self, site: &Site, old: &Incident, new: &Incident, path: &str) -> bool {
        let refs_ok = new.related.iter().all(|r| match r {
            Related::Incident { id, .. } => {
                id.key() != new.id.key() && site.index.contains_key(&id.key())
            }
            Related::External { .. } => true,
        });
        new.id.as_str() == old.id.as_str()
            && new.started == old.started
            && new.internal == old.internal
            && (self.drafts || !new.draft)
            && refs_ok
            && !self.docs.warnings.contains_key(path)
    }
}

/// Put one edited document and its renders into the site.
fn apply(site: &mut Site, fresh: Fresh, new: Document) {
    match (fresh, new) {
        (Fresh::Incident(i, html), Document::Incident(x)) => {
            let before = targets(site, i, &site.incidents[i], &site.incident_html[i]);
            let after = targets(site, i, &x, &html);
            site.incidents[i] = *x;
            site.incident_html[i] = html;
            for &t in before.symmetric_difference(&after) {
                let b = &mut site.backlinks[t];
                match b.binary_search(&Backlink::Incident(i)) {
                    Ok(at) if !after.contains(&t) => {
                        b.remove(at);
                    }
                    Err(at) if after.contains(&t) => b.insert(at, Backlink::Incident(i)),
                    _ => {}
                }
            }
        }
        (Fresh::Other(Doc::News(n), r), Document::News(x)) => {
            site.news[n] = *x;
            site.news_html[n] = r;
        }
        (Fresh::Other(Doc::Page(p), r), Document::Page(x)) => {
            site.pages[p] = *x;
            site.page_html[p] = r;
        }
        (Fresh::Other(Doc::Home, r), Document::Home(x)) => site.home = Some((*x, r)),
        _ => {}
    }
}

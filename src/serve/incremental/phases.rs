//! Rendering phases of a rebuild: a linked site in, the pages whose template
//! context changed re-rendered and published in order out — the edited
//! documents' own pages, the pages they newly appear on, their other
//! neighbours, the site-wide pages, then feeds — each published as soon as it
//! is ready and withdrawn if a later phase fails.

use super::patch::Patched;
use super::{Engine, Outcome, Publish, Update, deps};
use crate::diag::Diagnostic;
use crate::link::Site;
use crate::render::{self, Output, Sink};
use crate::theme::Theme;
use deps::{Dependents, Reach};
use rayon::prelude::*;
use render::HashWriter;
use std::collections::{BTreeSet, HashMap};
use std::hash::Hasher;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tera::Tera;

/// `version`: of the page's template and what it reads.
fn context_hash(job: &render::PageJob, version: u64) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    h.write(job.template.as_bytes());
    h.write_u8(0);
    h.write_u64(version);
    // Serialising a Value into a hasher cannot fail.
    let _ = serde_json::to_writer(HashWriter(&mut h), &job.context);
    if let Some((key, cards)) = &job.cards {
        h.write(key.as_bytes());
        for (_, card) in cards {
            h.write_u64(*card);
        }
    }
    h.finish()
}

/// Collects the feed files of a render.
#[derive(Default)]
struct MemSink(Mutex<Vec<(String, Vec<u8>)>>);
impl Sink for MemSink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path.to_string(), bytes));
        Ok(())
    }
}

/// What the phases of one rebuild rendered and published so far.
#[derive(Default)]
struct Progress {
    fresh: HashMap<String, Arc<[u8]>>,
    hashes: Vec<(String, u64)>,
    published: Vec<String>,
}

/// One rendered page: file, context hash, and the new bytes unless unchanged.
type Rendered = (String, u64, Option<Arc<[u8]>>);

/// What every phase of one rebuild renders with.
struct Inputs<'a> {
    site: &'a Site,
    tera: &'a Tera,
    theme: &'a Theme,
    /// Site, "now" and the cards this rebuild builds once for every list.
    scope: &'a render::Scope<'a>,
}

impl Engine {
    fn render_set(&self, inp: &Inputs, set: &[&Output]) -> Result<Vec<Rendered>, Vec<Diagnostic>> {
        let results: Vec<Result<Rendered, Vec<Diagnostic>>> = set
            .par_iter()
            .filter_map(|o| render::page_job(inp.scope, o))
            .map(|job| {
                let version = self.versions.get(&job.template).copied().unwrap_or(0);
                let h = context_hash(&job, version);
                if self.hashes.get(&job.file) == Some(&h) && self.pages.contains_key(&job.file) {
                    return Ok((job.file, h, None));
                }
                let html = render::render_job(inp.tera, inp.theme, &job)?;
                Ok((job.file, h, Some(Arc::from(html.into_bytes()))))
            })
            .collect();
        let mut ok = Vec::with_capacity(results.len());
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(x) => ok.push(x),
                Err(d) => errors.extend(d),
            }
        }
        if errors.is_empty() {
            Ok(ok)
        } else {
            Err(errors)
        }
    }

    /// `patched`: what a patch of the kept site changed (`None`: a re-link,
    /// whose dependencies are recomputed and whose lists are checked whole).
    pub(super) fn render(
        &mut self,
        site: &Site,
        out: &mut dyn Publish,
        o: &mut Outcome,
        patched: Option<&Patched>,
    ) -> Result<(), Vec<Diagnostic>> {
        let (Some(theme), Some(now)) = (self.theme.clone(), self.now) else {
            return Err(Vec::new());
        };
        let new_tera = self.tera.is_none();
        if new_tera {
            self.tera = Some(render::tera(&theme, site)?);
        }
        let Some(tera) = self.tera.take() else {
            return Err(Vec::new());
        };
        let mut memo = std::mem::take(&mut self.memo);
        // Entries of documents rendered afresh are not reused.
        memo.trust((!self.dirty_all).then(|| self.docs.dirty.clone()));
        memo.cards_for(now.0, new_tera);
        if patched.is_none() {
            memo.retain(|p| self.docs.slots.contains_key(p));
        }
        let mut scope = render::Scope::new(site, &now, &tera, &theme.strings);
        scope.memo = Some(&memo);
        let inp = Inputs {
            site,
            tera: &tera,
            theme: &theme,
            scope: &scope,
        };
        let result = self.render_with(&inp, out, o, patched);
        drop(scope);
        self.memo = memo;
        self.tera = Some(tera);
        result
    }

    /// Render one phase's pages whose context changed, and publish them; on
    /// failure, withdraw what earlier phases published.
    fn phase(
        &self,
        name: &'static str,
        set: &[&Output],
        inp: &Inputs,
        out: &mut dyn Publish,
        o: &mut Outcome,
        run: &mut Progress,
    ) -> Result<(), Vec<Diagnostic>> {
        let t = Instant::now();
        let done = match self.render_set(inp, set) {
            Ok(d) => d,
            Err(e) => {
                self.withdraw(&run.published, out);
                return Err(e);
            }
        };
        let mut update = Update::new();
        for (file, h, bytes) in done {
            run.hashes.push((file.clone(), h));
            if let Some(b) = bytes {
                o.rendered += 1;
                update.push((file.clone(), self.effective(&file, Some(&b))));
                run.published.push(file.clone());
                run.fresh.insert(file, b);
            }
        }
        out.publish(update);
        o.timings.push((name, t.elapsed()));
        Ok(())
    }

    /// Take back what earlier phases of a failed rebuild published.
    fn withdraw(&self, published: &[String], out: &mut dyn Publish) {
        out.publish(
            published
                .iter()
                .map(|p| (p.clone(), self.effective(p, None)))
                .collect(),
        );
    }

    fn render_with(
        &mut self,
        inp: &Inputs,
        out: &mut dyn Publish,
        o: &mut Outcome,
        patched: Option<&Patched>,
    ) -> Result<(), Vec<Diagnostic>> {
        let site = inp.site;
        let mut run = Progress::default();
        // Phase A: the changed documents' own pages, published first.
        let changed: BTreeSet<&str> = self.docs.dirty.iter().map(String::as_str).collect();
        let own = deps::own_outputs(site, &changed);
        self.phase(
            "render own",
            &own.iter().collect::<Vec<_>>(),
            inp,
            out,
            o,
            &mut run,
        )?;

        // Phase B: the pages that show a changed document, then the site-wide ones.
        let t = Instant::now();
        let new_deps = match patched {
            None => deps::dependents(site),
            Some(p) => {
                let mut files = changed.clone();
                files.extend(p.relinked.iter().map(String::as_str));
                deps::entries_of(site, &files)
            }
        };
        let pages: Vec<(String, Output)> = render::outputs(site)
            .into_iter()
            .filter_map(|op| render::output_file(site, &op).map(|f| (f, op)))
            .collect();
        let by_file: HashMap<String, Output> = pages.iter().cloned().collect();
        let places = incident_places(site, &changed);
        let site_wide: Vec<Output> = deps::site_wide(site, patched.map(|_| &places[..]));
        let (near, entered) = if self.dirty_all || self.recheck {
            (by_file.keys().cloned().collect(), BTreeSet::new())
        } else {
            self.nearby(site, &changed, &new_deps, patched, &places)
        };
        let mut near = near;
        // Pages that did not exist before (a new term, say).
        near.extend(
            by_file
                .keys()
                .filter(|f| !self.hashes.contains_key(*f))
                .cloned(),
        );
        let pick = |first: bool| -> Vec<&Output> {
            let from = if first { &entered } else { &near };
            from.iter()
                .filter(|f| first || !entered.contains(*f))
                .filter_map(|f| by_file.get(f))
                .filter(|op| !own.contains(op) && !site_wide.contains(op))
                .collect()
        };
        let (entered, neighbours) = (pick(true), pick(false));
        o.timings.push(("plan", t.elapsed()));
        self.phase("render entered", &entered, inp, out, o, &mut run)?;
        self.phase("render near", &neighbours, inp, out, o, &mut run)?;
        let wide: Vec<&Output> = site_wide.iter().collect();
        self.phase("render site-wide", &wide, inp, out, o, &mut run)?;
        self.feeds_and_commit(inp, &pages, run, out, o)?;
        match patched {
            None => self.deps = new_deps,
            Some(_) => self.deps.extend(new_deps),
        }
        Ok(())
    }
}

impl Engine {
    /// Phase C: feeds, sitemap, search index, published where they differ;
    /// then commit the page layer and remove pages that are gone.
    fn feeds_and_commit(
        &mut self,
        inp: &Inputs,
        pages: &[(String, Output)],
        run: Progress,
        out: &mut dyn Publish,
        o: &mut Outcome,
    ) -> Result<(), Vec<Diagnostic>> {
        let Progress {
            mut fresh,
            hashes,
            published,
        } = run;
        let t = Instant::now();
        let sink = MemSink::default();
        let feeds = Output::Feeds;
        if let Err(e) = render::render_output(inp.tera, inp.theme, inp.scope, &feeds, &sink) {
            self.withdraw(&published, out);
            return Err(e);
        }
        let feeds = sink.0.into_inner().unwrap_or_else(|e| e.into_inner());
        let feed_files: Vec<String> = feeds.iter().map(|(f, _)| f.clone()).collect();
        let clashes = render::collisions(inp.site, pages, &feed_files);
        if !clashes.is_empty() {
            self.withdraw(&published, out);
            return Err(clashes);
        }
        let mut update = Update::new();
        let mut keep: BTreeSet<&str> = pages.iter().map(|(f, _)| f.as_str()).collect();
        for (file, bytes) in &feeds {
            keep.insert(file);
            if self.pages.get(file).is_some_and(|old| **old == **bytes) {
                continue;
            }
            let b: Arc<[u8]> = Arc::from(bytes.as_slice());
            update.push((file.clone(), self.effective(file, Some(&b))));
            fresh.insert(file.clone(), b);
        }
        o.timings.push(("feeds", t.elapsed()));

        // Commit: the page layer, removed pages, content assets.
        let removed: Vec<String> = self
            .pages
            .keys()
            .filter(|f| !keep.contains(f.as_str()))
            .cloned()
            .collect();
        for f in &removed {
            self.pages.remove(f);
            self.hashes.remove(f);
        }
        self.pages.extend(fresh);
        self.hashes.extend(hashes);
        for f in &removed {
            update.push((f.clone(), self.effective(f, None)));
        }
        out.publish(update);
        Ok(())
    }
}

/// The index of each changed incident in the site, by content path.
fn incident_places<'a>(site: &Site, changed: &BTreeSet<&'a str>) -> Vec<(&'a str, usize)> {
    site.incidents
        .iter()
        .enumerate()
        .filter_map(|(i, x)| changed.get(x.origin.content_path.as_str()).map(|p| (*p, i)))
        .collect()
}

impl Engine {
    /// The pages that show a changed document (before or after the change),
    /// and among them the pages it newly appears on: the page of each list it
    /// entered that holds it, rendered before the rest.
    fn nearby(
        &self,
        site: &Site,
        changed: &BTreeSet<&str>,
        new_deps: &Dependents,
        patched: Option<&Patched>,
        places: &[(&str, usize)],
    ) -> (BTreeSet<String>, BTreeSet<String>) {
        let mut near = BTreeSet::new();
        let mut entered = BTreeSet::new();
        for p in changed {
            let at = places.iter().find(|(q, _)| q == p).map(|(_, i)| *i);
            let reach = match patched {
                Some(pt) => Reach::Near {
                    moved: &pt.moved,
                    at,
                },
                None => Reach::All,
            };
            let (old, new) = (self.deps.get(*p), new_deps.get(*p));
            for e in [old, new].into_iter().flatten() {
                near.extend(e.direct.iter().map(|f| f.to_string()));
                near.extend(deps::list_pages(site, e, &reach));
            }
            let Some(new) = new else { continue };
            for f in &new.direct {
                if !old.is_some_and(|o| o.direct.contains(f)) {
                    entered.insert(f.to_string());
                }
            }
            for key in &new.lists {
                if !old.is_some_and(|o| o.lists.contains(key)) {
                    entered.extend(deps::page_holding(site, key, at));
                }
            }
        }
        (near, entered)
    }
}

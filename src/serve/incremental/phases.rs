//! Rendering phases of a rebuild: a linked site in, the pages whose template
//! context changed re-rendered and published in order out — the edited
//! documents' own pages, the pages they newly appear on, their other
//! neighbours, the site-wide pages, then feeds — each published as soon as it
//! is ready and withdrawn if a later phase fails.

use super::{Check, Engine, Outcome, Publish, Update};
use crate::diag::Diagnostic;
use crate::link::Site;
use crate::render::{self, Kind, Output};
use crate::theme::Theme;
use rayon::prelude::*;
use render::reads::{Facts, Reads};
use std::collections::{BTreeSet, HashMap};
use std::hash::Hasher;
use std::sync::Arc;
use std::time::Instant;
use tera::Tera;

/// `version`: of the page's template and what it reads.
fn context_hash(job: &render::PageJob, version: u64) -> u64 {
    let mut h = render::reads::hasher();
    h.write(job.template.as_bytes());
    h.write_u8(0);
    h.write_u64(version);
    for vars in &job.context {
        h.write_u64(vars.hash);
    }
    if let Some((key, cards)) = &job.cards {
        h.write(key.as_bytes());
        for card in cards {
            h.write_u64(card.hash);
        }
    }
    h.finish()
}

/// What the last phase committed: the pages removed, and what each page
/// built read (for the ledger).
struct Built {
    removed: Vec<String>,
    reads: Vec<(String, Reads)>,
}

/// What the phases of one rebuild rendered and published so far.
#[derive(Default)]
struct Progress {
    fresh: HashMap<String, Arc<[u8]>>,
    hashes: Vec<(String, u64)>,
    published: Vec<String>,
    /// What each page built read (rendered or found unchanged).
    reads: Vec<(String, Reads)>,
}

/// One page of a phase, rendered or found unchanged.
struct Rendered {
    file: String,
    /// Of its template context ([`context_hash`]).
    hash: u64,
    /// The new bytes; `None` when the context hash says the page is unchanged.
    bytes: Option<Arc<[u8]>>,
    /// What it read.
    reads: Option<Reads>,
}

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
            .map(|mut job| {
                let version = self.versions.get(&job.template).copied().unwrap_or(0);
                let hash = context_hash(&job, version);
                let reads = job.reads.take();
                let unchanged =
                    self.hashes.get(&job.file) == Some(&hash) && self.pages.contains_key(&job.file);
                let bytes = if unchanged {
                    None
                } else {
                    let html = render::render_job(inp.tera, inp.theme, &job)?;
                    Some(Arc::from(html.into_bytes()))
                };
                Ok(Rendered {
                    file: job.file,
                    hash,
                    bytes,
                    reads,
                })
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

    /// `relinked`: the site was linked afresh (not patched in place).
    pub(super) fn render(
        &mut self,
        site: &Site,
        out: &mut dyn Publish,
        o: &mut Outcome,
        relinked: bool,
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
        memo.trust(self.redo.trusts_memo().then(|| self.docs.dirty.clone()));
        memo.cards_for(now.0, new_tera);
        if relinked {
            memo.retain(|p| self.docs.slots.contains_key(p));
        }
        let mut scope = render::Scope::new(site, &now, &tera, &theme.strings);
        scope.mode = render::Mode::Serve(&memo);
        let inp = Inputs {
            site,
            tera: &tera,
            theme: &theme,
            scope: &scope,
        };
        let result = self.render_with(&inp, out, o);
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
        o.checked += done.len();
        let mut update = Update::new();
        for Rendered {
            file,
            hash,
            bytes,
            reads,
        } in done
        {
            run.hashes.push((file.clone(), hash));
            run.reads.extend(reads.map(|r| (file.clone(), r)));
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
    ) -> Result<(), Vec<Diagnostic>> {
        let site = inp.site;
        let mut run = Progress::default();
        // Phase A: the changed documents' own pages, published first.
        let changed: BTreeSet<&str> = self.docs.dirty.iter().map(String::as_str).collect();
        let own = own_outputs(site, &changed);
        self.phase(
            "render own",
            &own.iter().collect::<Vec<_>>(),
            inp,
            out,
            o,
            &mut run,
        )?;

        // Then, from what each page read when it was last built: the pages
        // reading a fact that changed (the lists a document entered or left,
        // say), the pages that read a changed document, new pages, and the
        // pages reading the whole site.
        let t = Instant::now();
        let facts = Facts::new(site, &inp.scope.status);
        let stale = self.ledger.stale(&facts);
        let pages: Vec<(String, Output)> = render::outputs(site)
            .into_iter()
            .filter_map(|op| render::output_file(site, &op).map(|f| (f, op)))
            .collect();
        let by_file: HashMap<&str, &Output> =
            pages.iter().map(|(f, op)| (f.as_str(), op)).collect();
        let all = self.redo.check() == Check::All;
        let mut near: BTreeSet<Arc<str>> = self.ledger.readers(changed.iter().copied());
        if self.redo.check() >= Check::Clocked {
            near.extend(self.ledger.clocked().cloned());
        }
        near.extend(
            pages
                .iter()
                .filter(|(f, _)| all || !self.ledger.knows(f))
                .map(|(f, _)| Arc::from(f.as_str())),
        );
        let wide: BTreeSet<&Arc<str>> = self.ledger.whole().collect();
        let mut taken: BTreeSet<&Output> = own.iter().collect();
        let mut pick = |from: &mut dyn Iterator<Item = &Arc<str>>| -> Vec<&Output> {
            from.filter_map(|f| by_file.get(&**f).copied())
                .filter(|op| taken.insert(op))
                .collect()
        };
        let entered = pick(&mut stale.pages.iter());
        let neighbours = pick(&mut near.iter().filter(|f| !wide.contains(f)));
        let wide = pick(&mut wide.iter().copied());
        o.timings.push(("plan", t.elapsed()));
        self.phase("render entered", &entered, inp, out, o, &mut run)?;
        self.phase("render near", &neighbours, inp, out, o, &mut run)?;
        self.phase("render site-wide", &wide, inp, out, o, &mut run)?;
        // Machine jobs are in the ledger under their key (`job_key`): run
        // those the same reasons pick, new ones, and every one when all are.
        let is_job = |k: &&Arc<str>| k.starts_with('\0');
        let picked: BTreeSet<String> = (stale.pages.iter().chain(&near).chain(self.ledger.whole()))
            .filter(is_job)
            .map(|k| k[1..].to_string())
            .collect();
        let known: BTreeSet<String> = (self.machine.keys())
            .filter(|k| self.ledger.knows(&job_key(k)))
            .cloned()
            .collect();
        let want = move |key: &str| all || !known.contains(key) || picked.contains(key);
        let built = self.feeds_and_commit(inp, &pages, &want, run, out, o)?;
        self.ledger
            .commit(stale, built.reads, &built.removed, site, &facts);
        Ok(())
    }
}

impl Engine {
    /// Phase C: feeds, sitemap, search index, published where they differ;
    /// then commit the page layer and remove pages that are gone. Out: the
    /// removed pages, and what each page built read.
    fn feeds_and_commit(
        &mut self,
        inp: &Inputs,
        pages: &[(String, Output)],
        want: &(dyn Fn(&str) -> bool + Sync),
        run: Progress,
        out: &mut dyn Publish,
        o: &mut Outcome,
    ) -> Result<Built, Vec<Diagnostic>> {
        let Progress {
            mut fresh,
            hashes,
            published,
            reads,
        } = run;
        let t = Instant::now();
        let (keys, done) = render::render_machine(inp.scope, want);
        let ran: BTreeSet<&str> = done.iter().map(|d| d.key.as_str()).collect();
        // A job not run keeps its files, served as they are.
        let kept = (keys.iter())
            .filter(|k| !ran.contains(k.as_str()))
            .filter_map(|k| Some((k.clone(), self.machine.get(k)?.clone())));
        let mut machine: HashMap<String, Vec<String>> = kept.collect();
        let mut reads = reads;
        let mut feeds: Vec<(String, Vec<u8>)> = Vec::new();
        for d in done {
            machine.insert(
                d.key.clone(),
                d.files.iter().map(|(f, _)| f.clone()).collect(),
            );
            reads.extend(d.reads.map(|r| (job_key(&d.key), r)));
            feeds.extend(d.files.into_iter().map(|(f, text)| (f, text.into_bytes())));
        }
        let feed_files: Vec<String> = machine.values().flatten().cloned().collect();
        let clashes = render::collisions(inp.site, pages, &feed_files);
        if !clashes.is_empty() {
            self.withdraw(&published, out);
            return Err(clashes);
        }
        let mut update = Update::new();
        let mut keep: BTreeSet<&str> = pages.iter().map(|(f, _)| f.as_str()).collect();
        keep.extend(feed_files.iter().map(String::as_str));
        for (file, bytes) in &feeds {
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
        // Jobs that are gone (a term no incident has any more) leave the ledger.
        let mut removed = removed;
        let gone = self.machine.keys().filter(|k| !machine.contains_key(*k));
        removed.extend(gone.map(|k| job_key(k)));
        self.machine = machine;
        Ok(Built { removed, reads })
    }
}

/// A machine job's name in the ledger, which no page file can have.
fn job_key(key: &str) -> String {
    format!("\0{key}")
}

/// The own pages of these content files (the edited documents).
fn own_outputs(site: &Site, files: &BTreeSet<&str>) -> Vec<Output> {
    let hit = |o: &crate::model::Origin| files.contains(o.content_path.as_str());
    let mut v: Vec<Output> = Vec::new();
    v.extend(
        (site.incidents.iter_enumerated())
            .filter(|(_, x)| hit(&x.origin))
            .map(|(i, _)| Output::of_incident(i)),
    );
    v.extend(
        (site.news.iter_enumerated())
            .filter(|(_, x)| hit(&x.origin))
            .map(|(n, _)| Output::of_story(n)),
    );
    v.extend(
        (site.pages.iter_enumerated())
            .filter(|(_, x)| hit(&x.origin))
            .map(|(p, _)| Output::of_page(p)),
    );
    if site.home.as_ref().is_some_and(|(h, _)| hit(&h.origin)) {
        v.push(Output::new(Kind::Home, 0));
    }
    v
}

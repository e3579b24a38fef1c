//! One render pass with reuse: the previous [`Manifest`] and the new site in;
//! per page and per machine job, "kept" or "render", and, once rendered,
//! the records of the next manifest out.

use super::{Done, FileRecord, HOME, Instant, JobRecord, Manifest, PageRecord, ReadSet, Reuse};
use crate::diag::Diagnostic;
use crate::link::Site;
use crate::render::compact::{DocIds, FactIds, FactTable, PageReads};
use crate::render::memo::lock;
use crate::render::outputs::Output;
use crate::render::reads::{Facts, Reads, hasher};
use crate::render::{Kind, Scope, Sink, output_file, page_job, render_job};
use crate::status::StatusModel;
use crate::theme::Theme;
use crate::write::manifest::Stamp;
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::Hasher;
use std::path::Path;
use std::sync::Mutex;
use tera::Tera;

/// One render pass's decisions and records.
pub(crate) struct Plan<'a> {
    reuse: &'a Reuse<'a>,
    facts: Facts<'a>,
    now: jiff::Timestamp,
    /// File → index of its record in the previous manifest: kept unrendered.
    keep: HashMap<&'a str, usize>,
    /// Job key → index of its record in the previous manifest: kept unrun.
    keep_jobs: HashMap<&'a str, usize>,
    /// The previous manifest's facts' fingerprints on the new site.
    fresh: Vec<u64>,
    /// The next manifest's ids of the site's documents and of the facts
    /// pages and jobs read: reads are made small as they are recorded.
    ids: (DocIds, FactIds),
    /// Pages rendered, with their reads as those ids.
    rendered: Mutex<Vec<PageReads>>,
    /// Jobs run: their reads as ids (keyed, with no hash), and each file
    /// with the hash of its bytes.
    ran: Mutex<Vec<Ran>>,
    /// Jobs kept (indices into the previous manifest's jobs).
    kept_jobs: Mutex<Vec<usize>>,
    /// Jobs run whose reads were not recorded (a large site): counted only.
    unrecorded: std::sync::atomic::AtomicUsize,
}

/// A machine job run: its key and reads, and each file with the hash of its bytes.
type Ran = (PageReads, Vec<(String, u64)>);

/// What changed since the previous manifest, to judge each record by.
struct Changes<'m> {
    docs: Vec<bool>,
    facts: Vec<bool>,
    site: bool,
    clock_still: bool,
    output: &'m Path,
}

impl Changes<'_> {
    /// Whether something that read `r` would come out the same.
    fn still(&self, r: &ReadSet) -> bool {
        (!r.whole || !self.site)
            && (!r.now || self.clock_still)
            && r.docs.iter().all(|&d| !self.docs[d as usize])
            && r.facts.iter().all(|&f| !self.facts[f as usize])
    }

    /// Whether `f` is on disk as the previous build left it.
    fn stands(&self, f: &FileRecord) -> bool {
        Stamp::of(&self.output.join(&f.file)) == Some(f.stamp)
    }
}

impl<'a> Reuse<'a> {
    pub(crate) fn plan(
        &'a self,
        site: &'a Site,
        status: &'a StatusModel,
        now: jiff::Timestamp,
    ) -> Plan<'a> {
        let at: HashMap<&str, u32> = (self.docs.keys().enumerate())
            .map(|(i, k)| (k.as_str(), i as u32))
            .collect();
        let mut plan = Plan {
            ids: (DocIds::new(site, &at, HOME), FactIds::default()),
            reuse: self,
            now,
            keep: HashMap::new(),
            keep_jobs: HashMap::new(),
            fresh: Vec::new(),
            rendered: Mutex::new(Vec::new()),
            ran: Mutex::new(Vec::new()),
            kept_jobs: Mutex::new(Vec::new()),
            unrecorded: Default::default(),
            facts: Facts::new(site, status),
        };
        let Some(m) = self.usable() else {
            return plan;
        };
        plan.fresh = (m.facts.par_iter())
            .map(|(f, _)| plan.facts.fingerprint(f))
            .collect();
        let docs: Vec<bool> = (m.docs.iter())
            .map(|(k, h)| self.docs.get(k) != Some(h))
            .collect();
        let now = Instant::from(now);
        let changes = Changes {
            facts: (m.facts.iter().zip(&plan.fresh))
                .map(|((_, old), new)| old != new)
                .collect(),
            site: m.docs.len() != self.docs.len() || docs.contains(&true),
            docs,
            clock_still: m.now <= now && m.next_change.is_none_or(|n| now < n),
            output: self.output,
        };
        plan.keep = (m.pages.par_iter().enumerate())
            .filter(|(_, p)| changes.still(&p.reads) && changes.stands(&p.out))
            .map(|(i, p)| (p.out.file.as_str(), i))
            .collect();
        plan.keep_jobs = (m.jobs.par_iter().enumerate())
            .filter(|(_, j)| changes.still(&j.reads) && j.files.iter().all(|f| changes.stands(f)))
            .map(|(i, j)| (j.key.as_str(), i))
            .collect();
        plan
    }
}

fn hash_of(bytes: &[u8]) -> u64 {
    let mut h = hasher();
    h.write(bytes);
    h.finish()
}

impl Plan<'_> {
    /// Render one page output into `sink` unless the previous output's file
    /// stands; `Ok(Some(file))` when it was kept.
    pub(crate) fn page(
        &self,
        tera: &Tera,
        theme: &Theme,
        scope: &Scope,
        output: &Output,
        sink: &dyn Sink,
    ) -> Result<Option<String>, Vec<Diagnostic>> {
        debug_assert!(output.kind != Kind::Feeds);
        if let Some(file) = output_file(scope.site, output)
            && self.keep.contains_key(file.as_str())
        {
            return Ok(Some(file));
        }
        let Some(mut job) = page_job(scope, output) else {
            return Ok(None);
        };
        let html = render_job(tera, theme, &job)?;
        let hash = hash_of(html.as_bytes());
        let reads = job.reads.take().unwrap_or_default();
        sink.put(&job.file, html.into_bytes())
            .map_err(|e| vec![Diagnostic::error(&job.file, format!("cannot write: {e}"))])?;
        // A page with a document the manifest cannot name is left out of
        // it: the next build renders it.
        let (docs, facts) = &self.ids;
        if let Some(p) = PageReads::new((job.file, hash), reads, docs, facts) {
            lock(&self.rendered).push(p);
        }
        Ok(None)
    }

    /// The files of machine job `key` as the previous build wrote them, if
    /// they stand and the job's reads did not change: then it is not run.
    pub(crate) fn kept_job(&self, key: &str) -> Option<Vec<(&str, u64)>> {
        let m = self.reuse.usable()?;
        let &i = self.keep_jobs.get(key)?;
        lock(&self.kept_jobs).push(i);
        Some(
            (m.jobs[i].files.iter())
                .map(|f| (f.file.as_str(), f.stamp.size))
                .collect(),
        )
    }

    /// What [`Plan::ran_job`] wants of each file a job wrote.
    pub(crate) fn hash(text: &str) -> u64 {
        hash_of(text.as_bytes())
    }

    /// Note what machine job `key` read and wrote: each file with its [`Plan::hash`].
    /// Unrecorded reads (a large site) leave it out of the manifest, so the
    /// next build runs it again.
    pub(crate) fn ran_job(&self, key: String, reads: Option<Reads>, files: Vec<(String, u64)>) {
        let (docs, facts) = &self.ids;
        // Kept as a page's reads are, its `file` holding the job's key.
        let reads = reads.and_then(|r| PageReads::new((key, 0), r, docs, facts));
        let Some(reads) = reads else {
            (self.unrecorded).fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return;
        };
        lock(&self.ran).push((reads, files));
    }

    /// A previous record's reads, renumbered into the new tables; `None` if
    /// it read a document the new site does not have.
    fn renumber(
        &self,
        m: &Manifest,
        r: &ReadSet,
        doc_at: &HashMap<&str, u32>,
        facts: &mut FactTable,
    ) -> Option<ReadSet> {
        let docs = (r.docs.iter())
            .map(|&d| doc_at.get(m.docs[d as usize].0.as_str()).copied())
            .collect::<Option<Vec<u32>>>()?;
        let facts = (r.facts.iter())
            .map(|&f| facts.index(m.facts[f as usize].0.clone(), || self.fresh[f as usize]))
            .collect();
        Some(ReadSet { docs, facts, ..*r })
    }

    /// The records of what was kept, renumbered into the new tables.
    fn carry(&self, kept: &[String], doc_at: &HashMap<&str, u32>, next: &mut Draft) {
        let Some(m) = self.reuse.usable() else {
            return;
        };
        for file in kept {
            let p = &m.pages[self.keep[file.as_str()]];
            if let Some(reads) = self.renumber(m, &p.reads, doc_at, &mut next.facts) {
                let out = p.out.clone();
                next.pages.push((PageRecord { reads, out }, true));
            }
        }
        for &i in lock(&self.kept_jobs).iter() {
            let j = &m.jobs[i];
            if let Some(reads) = self.renumber(m, &j.reads, doc_at, &mut next.facts) {
                let (key, files) = (j.key.clone(), j.files.clone());
                next.jobs.push((JobRecord { key, reads, files }, true));
            }
        }
    }

    /// The next manifest, but for the stamps of the files rendered (known
    /// once they are in place).
    pub(crate) fn finish(
        mut self,
        site: &Site,
        kept: Vec<String>,
        search: Option<crate::render::search::saved::SavedIndex>,
    ) -> Done {
        let reuse = self.reuse;
        let docs: Vec<(String, u64)> = reuse.docs.iter().map(|(k, h)| (k.clone(), *h)).collect();
        let met = std::mem::take(&mut self.ids.1);
        let unrecorded = self.unrecorded.load(std::sync::atomic::Ordering::Relaxed);
        let jobs = (
            lock(&self.ran).len() + unrecorded,
            lock(&self.kept_jobs).len(),
        );
        let mut next = Draft {
            manifest: Manifest {
                format: super::FORMAT,
                key: reuse.key.unwrap_or_default(),
                now: self.now.into(),
                next_change: crate::render::next_change(site, &crate::render::Now(self.now))
                    .map(Instant::from),
                docs: Vec::new(),
                facts: Vec::new(),
                pages: Vec::new(),
                jobs: Vec::new(),
                search,
            },
            facts: met.into_table(|f| self.facts.fingerprint(f)),
            pages: Vec::new(),
            jobs: Vec::new(),
            rendered: std::mem::take(&mut *lock(&self.rendered)),
            ran: std::mem::take(&mut *lock(&self.ran)),
            usable: reuse.key.is_some(),
        };
        if reuse.usable().is_some() {
            let doc_at: HashMap<&str, u32> = (docs.iter().enumerate())
                .map(|(i, (k, _))| (k.as_str(), i as u32))
                .collect();
            self.carry(&kept, &doc_at, &mut next);
        }
        next.manifest.docs = docs;
        Done {
            kept,
            draft: next,
            jobs,
        }
    }
}

/// The next manifest before the files rendered are stamped. Each record
/// comes with whether its stamps are already known (kept).
pub(crate) struct Draft {
    manifest: Manifest,
    facts: FactTable,
    /// The records of what was kept (their stamps known).
    pages: Vec<(PageRecord, bool)>,
    jobs: Vec<(JobRecord, bool)>,
    /// What was rendered: put in the manifest's form only when stamped,
    /// after the build has let go of the site (at 100,000 incidents that
    /// form is tens of MB more).
    rendered: Vec<PageReads>,
    ran: Vec<Ran>,
    usable: bool,
}

impl Draft {
    /// Stamp the files rendered as they now are in `output`; `None` if there
    /// is nothing a later build could trust (no key). A record with a file
    /// that is not there is left out (the next build renders it).
    pub(crate) fn stamp(self, output: &Path) -> Option<super::Manifest> {
        if !self.usable {
            return None;
        }
        let stamped = |file: String, hash: u64| -> Option<FileRecord> {
            let stamp = Stamp::of(&output.join(&file))?;
            Some(FileRecord { file, hash, stamp })
        };
        let reads = |r: &mut PageReads| ReadSet {
            docs: std::mem::take(&mut r.docs),
            facts: std::mem::take(&mut r.facts),
            whole: r.whole,
            now: r.now,
        };
        let mut m = self.manifest;
        m.facts = self.facts.into_table();
        let rendered = (self.rendered.into_par_iter()).filter_map(|mut p| {
            let reads = reads(&mut p);
            let out = stamped(p.file, p.hash)?;
            Some(PageRecord { reads, out })
        });
        m.pages = (self.pages.into_par_iter())
            .map(|(p, _)| p)
            .chain(rendered)
            .collect();
        m.pages.sort_by(|a, b| a.out.file.cmp(&b.out.file));
        let ran = (self.ran.into_par_iter()).filter_map(|(mut j, files)| {
            let reads = reads(&mut j);
            let files = (files.into_iter())
                .map(|(file, hash)| stamped(file, hash))
                .collect::<Option<Vec<_>>>()?;
            Some(JobRecord {
                key: j.file,
                reads,
                files,
            })
        });
        m.jobs = (self.jobs.into_par_iter())
            .map(|(j, _)| j)
            .chain(ran)
            .collect();
        m.jobs.sort_by(|a, b| a.key.cmp(&b.key));
        Some(m)
    }

    /// The bytes of the pages kept, as the manifest recorded them.
    pub(super) fn kept_page_bytes(&self) -> u64 {
        (self.pages.iter())
            .filter(|(_, known)| *known)
            .map(|(p, _)| p.out.stamp.size)
            .sum()
    }
}

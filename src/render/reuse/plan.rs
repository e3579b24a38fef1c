//! One render pass with reuse: the previous [`Manifest`] and the new site in;
//! per page and per machine job, "kept" or "render", and, once rendered,
//! the records of the next manifest out.

use super::{
    Done, FileRecord, HOME, Instant, JobRecord, Manifest, NO_STAMP, PageRecord, ReadSet, Reuse,
};
use crate::diag::Diagnostic;
use crate::link::Site;
use crate::render::outputs::Output;
use crate::render::reads::{Doc, Fact, Facts, Reads, hasher};
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
    /// Pages rendered: file, reads, hash of the bytes.
    rendered: Mutex<Vec<(String, Reads, u64)>>,
    /// Jobs run: key, reads, each file and the hash of its bytes.
    ran: Mutex<Vec<Ran>>,
    /// Jobs kept (indices into the previous manifest's jobs).
    kept_jobs: Mutex<Vec<usize>>,
}

/// A machine job run: its key, reads, and each file with the hash of its bytes.
type Ran = (String, Reads, Vec<(String, u64)>);

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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<'a> Reuse<'a> {
    pub(crate) fn plan(
        &'a self,
        site: &'a Site,
        status: &'a StatusModel,
        now: jiff::Timestamp,
    ) -> Plan<'a> {
        let mut plan = Plan {
            reuse: self,
            now,
            keep: HashMap::new(),
            keep_jobs: HashMap::new(),
            fresh: Vec::new(),
            rendered: Mutex::new(Vec::new()),
            ran: Mutex::new(Vec::new()),
            kept_jobs: Mutex::new(Vec::new()),
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

/// The key of a document a page read; `None` if the site has no such document.
fn doc_key(d: Doc, site: &Site) -> Option<&str> {
    match d {
        Doc::Home => Some(HOME),
        d => d.path(site),
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
        lock(&self.rendered).push((job.file, reads, hash));
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

    /// Note what machine job `key` read and wrote.
    pub(crate) fn ran_job(&self, key: String, reads: Reads, files: &[(String, String)]) {
        let files = (files.iter())
            .map(|(path, text)| (path.clone(), hash_of(text.as_bytes())))
            .collect();
        lock(&self.ran).push((key, reads, files));
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

    /// What a page or job read on this site, numbered into the new tables;
    /// `None` for a document the manifest cannot name (render it next time).
    fn number(
        &self,
        site: &Site,
        reads: &Reads,
        doc_at: &HashMap<&str, u32>,
        facts: &mut FactTable,
    ) -> Option<ReadSet> {
        let mut docs = (reads.docs.iter())
            .map(|&d| doc_key(d, site).and_then(|k| doc_at.get(k).copied()))
            .collect::<Option<Vec<u32>>>()?;
        docs.sort_unstable();
        docs.dedup();
        let mut fs: Vec<u32> = (reads.facts.iter())
            .map(|f| facts.index(f.clone(), || self.facts.fingerprint(f)))
            .collect();
        fs.sort_unstable();
        fs.dedup();
        Some(ReadSet {
            docs,
            facts: fs,
            whole: reads.whole,
            now: reads.now,
        })
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

    /// The records of what was rendered; their stamps come after the commit.
    fn record(&self, site: &Site, doc_at: &HashMap<&str, u32>, next: &mut Draft) {
        let unstamped = |(file, hash): (String, u64)| FileRecord {
            file,
            hash,
            stamp: NO_STAMP,
        };
        for (file, reads, hash) in std::mem::take(&mut *lock(&self.rendered)) {
            if let Some(reads) = self.number(site, &reads, doc_at, &mut next.facts) {
                let out = unstamped((file, hash));
                next.pages.push((PageRecord { reads, out }, false));
            }
        }
        for (key, reads, files) in std::mem::take(&mut *lock(&self.ran)) {
            if let Some(reads) = self.number(site, &reads, doc_at, &mut next.facts) {
                let files = files.into_iter().map(unstamped).collect();
                next.jobs.push((JobRecord { key, reads, files }, false));
            }
        }
    }

    /// The next manifest, but for the stamps of the files rendered (known
    /// once they are in place).
    pub(crate) fn finish(
        self,
        site: &Site,
        kept: Vec<String>,
        search: Option<crate::render::search::saved::SavedIndex>,
    ) -> Done {
        let reuse = self.reuse;
        let docs: Vec<(String, u64)> = reuse.docs.iter().map(|(k, h)| (k.clone(), *h)).collect();
        let doc_at: HashMap<&str, u32> = (docs.iter().enumerate())
            .map(|(i, (k, _))| (k.as_str(), i as u32))
            .collect();
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
            facts: FactTable::default(),
            pages: Vec::new(),
            jobs: Vec::new(),
            usable: reuse.key.is_some(),
        };
        let jobs = (lock(&self.ran).len(), lock(&self.kept_jobs).len());
        self.carry(&kept, &doc_at, &mut next);
        self.record(site, &doc_at, &mut next);
        drop(doc_at);
        next.manifest.docs = docs;
        Done {
            kept,
            draft: next,
            jobs,
        }
    }
}

/// Facts numbered as they are first met.
#[derive(Default)]
struct FactTable {
    at: HashMap<Fact, u32>,
    table: Vec<(Fact, u64)>,
}

impl FactTable {
    fn index(&mut self, key: Fact, fingerprint: impl FnOnce() -> u64) -> u32 {
        if let Some(&i) = self.at.get(&key) {
            return i;
        }
        let i = self.table.len() as u32;
        self.table.push((key.clone(), fingerprint()));
        self.at.insert(key, i);
        i
    }
}

/// The next manifest before the files rendered are stamped. Each record
/// comes with whether its stamps are already known (kept).
pub struct Draft {
    manifest: Manifest,
    facts: FactTable,
    pages: Vec<(PageRecord, bool)>,
    jobs: Vec<(JobRecord, bool)>,
    usable: bool,
}

impl Draft {
    /// Stamp the files rendered as they now are in `output`; `None` if there
    /// is nothing a later build could trust (no key). A record with a file
    /// that is not there is left out (the next build renders it).
    pub fn stamp(self, output: &Path) -> Option<super::Manifest> {
        if !self.usable {
            return None;
        }
        let stamp = |f: &mut FileRecord| -> Option<()> {
            f.stamp = Stamp::of(&output.join(&f.file))?;
            Some(())
        };
        let mut m = self.manifest;
        m.facts = self.facts.table;
        m.pages = (self.pages.into_par_iter())
            .filter_map(|(mut p, known)| {
                if !known {
                    stamp(&mut p.out)?;
                }
                Some(p)
            })
            .collect();
        m.pages.sort_by(|a, b| a.out.file.cmp(&b.out.file));
        m.jobs = (self.jobs.into_par_iter())
            .filter_map(|(mut j, known)| {
                if !known {
                    j.files.iter_mut().try_for_each(stamp)?;
                }
                Some(j)
            })
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

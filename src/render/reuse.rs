//! Rebuilds that reuse the previous build's pages. In: the previous build's
//! [`Manifest`] (what each HTML page read, and the stamp of the file written),
//! the new linked site and the output folder. Out: the pages to render — those
//! reading a document whose hash changed, a fact whose fingerprint changed on
//! the new site, the whole site when any document changed, or "now" when the
//! clock passed the previous build's next change, and every page the
//! manifest does not vouch for — and, once rendered, the next manifest.
//!
//! Nothing is assumed about the files kept: each one's size, inode and
//! modification time must be those the manifest recorded (a hand edit means
//! a render). Anything uncertain — no manifest, another format, another key
//! (binary, config, theme, assets, drafts) — renders everything. Machine
//! outputs are always rendered (the sink still keeps their unchanged files).

use super::compact::{DocIds, FactIds, FactTable, PageReads};
use super::outputs::Output;
use super::reads::{Fact, Facts, HashWriter, hasher};
use super::{Kind, Scope, Sink, output_file, page_job, render_job};
use crate::diag::Diagnostic;
use crate::link::{IncidentHtml, Site};
use crate::markdown::Rendered;
use crate::status::StatusModel;
use crate::theme::{StaticFile, Theme};
use crate::write::manifest::Stamp;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use tera::Tera;

/// Bumped whenever what the manifest means changes.
const FORMAT: u32 = 1;

/// The key of the home intro, present or not (a page that read "no home
/// intro" must see one appear).
const HOME: &str = ":home";

/// A timestamp as seconds and nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct Instant(i64, i32);

impl From<jiff::Timestamp> for Instant {
    fn from(t: jiff::Timestamp) -> Instant {
        Instant(t.as_second(), t.subsec_nanosecond())
    }
}

/// One HTML page of the previous build: what it read (indices into the
/// manifest's tables) and the file written.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PageRecord {
    file: String,
    docs: Vec<u32>,
    facts: Vec<u32>,
    whole: bool,
    now: bool,
    /// Of the bytes written.
    hash: u64,
    stamp: Stamp,
}

/// What a build leaves for the next one.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    format: u32,
    key: u64,
    /// The "now" the pages were rendered at, and the first instant after it
    /// at which a page reading "now" can change ([`super::next_change`]).
    now: Instant,
    next_change: Option<Instant>,
    /// Document key (content path, or [`HOME`]) → hash of what the site holds of it.
    docs: Vec<(String, u64)>,
    /// Fact → its fingerprint on the site built.
    facts: Vec<(Fact, u64)>,
    pages: Vec<PageRecord>,
}

impl Manifest {
    /// A manifest read back, or `None` if it is not one this binary wrote
    /// whole (then everything is rendered).
    pub fn parse(bytes: &[u8]) -> Option<Manifest> {
        let m: Manifest = serde_json::from_slice(bytes).ok()?;
        let (d, f) = (m.docs.len(), m.facts.len());
        let sound = m.format == FORMAT
            && m.pages.iter().all(|p| {
                p.docs.iter().all(|&i| (i as usize) < d)
                    && p.facts.iter().all(|&i| (i as usize) < f)
            });
        sound.then_some(m)
    }

    /// Its bytes, streamed into `w`.
    pub fn write(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer(w, self).map_err(std::io::Error::from)
    }
}

/// Everything global a page's bytes depend on besides its reads: the binary,
/// the config (with flags applied), drafts, the theme's templates, static
/// file names and strings, and the content assets. `None` if the running
/// binary cannot be identified (then nothing is reused).
pub fn key(site: &Site, theme: &Theme, drafts: bool) -> Option<u64> {
    let exe = Stamp::of(&std::env::current_exe().ok()?)?;
    let mut h = hasher();
    let mut w = HashWriter(&mut h);
    let _ = write!(
        w,
        "{FORMAT} {} {exe:?} {drafts} ",
        env!("CARGO_PKG_VERSION")
    );
    let _ = write!(w, "{:?}", site.config);
    for (name, (_, text)) in &theme.templates {
        let _ = write!(w, "\0{name}\0{}\0{text}", text.len());
    }
    for (path, file) in &theme.statics {
        // Embedded files are part of the binary; a site's are copied and
        // compared on every build, and no page reads their bytes.
        let from = match file {
            StaticFile::Embedded(_) => None,
            StaticFile::Disk(p) => Some(p),
        };
        let _ = write!(w, "\0{path}\0{from:?}");
    }
    let _ = write!(
        w,
        "\0{}{:?}",
        theme.strings.language,
        theme.strings.sorted()
    );
    for a in &site.assets {
        let _ = write!(w, "\0{}", a.content_path);
    }
    Some(h.finish())
}

fn rendered_hash(r: &Rendered, h: &mut impl Hasher) {
    r.html.hash_into(h);
    let _ = write!(
        HashWriter(h),
        "{:?}{:?}{:?}{:?}",
        r.summary,
        r.headings,
        r.incident_refs,
        r.problems
    );
}

fn incident_html_hash(x: &IncidentHtml, h: &mut impl Hasher) {
    rendered_hash(&x.body, h);
    for p in x.timeline.iter().chain(&x.takes).chain(&x.postmortem) {
        p.hash_into(h);
    }
    if let Some(n) = &x.notes {
        n.hash_into(h);
    }
    let _ = write!(HashWriter(h), "{:?}", x.field_refs);
}

/// Per document the site holds: a hash of its model and its rendered
/// Markdown (which also depends on the documents it links to).
pub fn doc_hashes(site: &Site) -> BTreeMap<String, u64> {
    let one = |model: &dyn std::fmt::Debug, html: &dyn Fn(&mut dyn Hasher)| {
        let mut h = hasher();
        let _ = write!(HashWriter(&mut h), "{model:?}");
        html(&mut h);
        h.finish()
    };
    let incidents: Vec<(String, u64)> = (0..site.incidents.len())
        .into_par_iter()
        .map(|i| {
            let inc = &site.incidents[i];
            let h = one(inc, &|h| {
                incident_html_hash(&site.incident_html[i], &mut &mut *h)
            });
            (inc.origin.content_path.clone(), h)
        })
        .collect();
    let mut docs: BTreeMap<String, u64> = incidents.into_iter().collect();
    for (n, story) in site.news.iter().enumerate() {
        let h = one(story, &|h| rendered_hash(&site.news_html[n], &mut &mut *h));
        docs.insert(story.origin.content_path.clone(), h);
    }
    for (p, page) in site.pages.iter().enumerate() {
        let h = one(page, &|h| rendered_hash(&site.page_html[p], &mut &mut *h));
        docs.insert(page.origin.content_path.clone(), h);
    }
    let home = site.home.as_ref().map_or(0, |(intro, r)| {
        one(intro, &|h| rendered_hash(r, &mut &mut *h))
    });
    docs.insert(HOME.to_string(), home);
    docs
}

/// What a build knows before it renders: the previous manifest (if any),
/// the key and document hashes of the new site, and where the output is.
pub struct Reuse<'a> {
    pub previous: Option<Manifest>,
    pub key: Option<u64>,
    pub docs: BTreeMap<String, u64>,
    pub output: &'a Path,
}

/// One render pass's decisions and records.
pub(super) struct Plan<'a> {
    reuse: &'a Reuse<'a>,
    facts: Facts<'a>,
    now: jiff::Timestamp,
    /// File → index of its record in the previous manifest: kept unrendered.
    keep: HashMap<&'a str, usize>,
    /// The previous manifest's facts' fingerprints on the new site.
    fresh: Vec<u64>,
    /// The next manifest's ids of the site's documents and of the facts
    /// pages read.
    ids: (DocIds, FactIds),
    /// Pages rendered, with their reads as those ids.
    rendered: Mutex<Vec<PageReads>>,
}

/// What a render with reuse did: the files left as they were, and the
/// manifest to write once the output is committed.
pub struct Done {
    pub kept: Vec<String>,
    pub draft: Draft,
}

impl<'a> Reuse<'a> {
    /// The previous manifest, if it describes a build of the same key.
    fn usable(&self) -> Option<&Manifest> {
        let m = self.previous.as_ref()?;
        (Some(m.key) == self.key).then_some(m)
    }

    pub(super) fn plan(
        &'a self,
        site: &'a Site,
        status: &'a StatusModel,
        now: jiff::Timestamp,
    ) -> Plan<'a> {
        let facts = Facts::new(site, status);
        let at: HashMap<&str, u32> = (self.docs.keys().enumerate())
            .map(|(i, k)| (k.as_str(), i as u32))
            .collect();
        let mut plan = Plan {
            ids: (DocIds::new(site, &at, HOME), FactIds::default()),
            reuse: self,
            now,
            keep: HashMap::new(),
            fresh: Vec::new(),
            rendered: Mutex::new(Vec::new()),
            facts,
        };
        let Some(m) = self.usable() else {
            return plan;
        };
        plan.fresh = m
            .facts
            .par_iter()
            .map(|(f, _)| plan.facts.fingerprint(f))
            .collect();
        let stale: Vec<bool> = m
            .facts
            .iter()
            .zip(&plan.fresh)
            .map(|((_, old), new)| old != new)
            .collect();
        let changed: Vec<bool> = m
            .docs
            .iter()
            .map(|(k, h)| self.docs.get(k) != Some(h))
            .collect();
        let site_changed = m.docs.len() != self.docs.len() || changed.contains(&true);
        let now = Instant::from(now);
        let clock_still = m.now <= now && m.next_change.is_none_or(|n| now < n);
        plan.keep = m
            .pages
            .par_iter()
            .enumerate()
            .filter(|(_, p)| {
                (!p.whole || !site_changed)
                    && (!p.now || clock_still)
                    && p.docs.iter().all(|&d| !changed[d as usize])
                    && p.facts.iter().all(|&f| !stale[f as usize])
                    && Stamp::of(&self.output.join(&p.file)) == Some(p.stamp)
            })
            .map(|(i, p)| (p.file.as_str(), i))
            .collect();
        plan
    }
}

impl Plan<'_> {
    /// Render one page output into `sink` unless the previous output's file
    /// stands; `Ok(Some(file))` when it was kept.
    pub(super) fn page(
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
        let mut h = hasher();
        h.write(html.as_bytes());
        let reads = job.reads.take().unwrap_or_default();
        sink.put(&job.file, html.into_bytes())
            .map_err(|e| vec![Diagnostic::error(&job.file, format!("cannot write: {e}"))])?;
        let (docs, facts) = &self.ids;
        // A page with a document the manifest cannot name is left out of
        // it: the next build renders it.
        if let Some(p) = PageReads::new((job.file, h.finish()), reads, docs, facts) {
            (self.rendered.lock().unwrap_or_else(|e| e.into_inner())).push(p);
        }
        Ok(None)
    }

    /// The records of the pages kept, renumbered into the new tables.
    fn carry(
        &self,
        kept: &[String],
        doc_at: &HashMap<&str, u32>,
        facts: &mut FactTable,
        pages: &mut Vec<(PageRecord, bool)>,
    ) {
        let Some(m) = self.reuse.usable() else {
            return;
        };
        for file in kept {
            let p = &m.pages[self.keep[file.as_str()]];
            let docs = p
                .docs
                .iter()
                .map(|&d| doc_at.get(m.docs[d as usize].0.as_str()).copied());
            let Some(docs) = docs.collect::<Option<Vec<u32>>>() else {
                continue;
            };
            let facts = (p.facts.iter())
                .map(|&f| facts.index(m.facts[f as usize].0.clone(), || self.fresh[f as usize]))
                .collect();
            let record = PageRecord {
                docs,
                facts,
                ..p.clone()
            };
            pages.push((record, true));
        }
    }

    /// The next manifest, but for the stamps of the files rendered (known
    /// once they are in place).
    pub(super) fn finish(mut self, site: &Site, kept: Vec<String>) -> Done {
        let reuse = self.reuse;
        let docs: Vec<(String, u64)> = reuse.docs.iter().map(|(k, h)| (k.clone(), *h)).collect();
        let met = std::mem::take(&mut self.ids.1);
        let mut facts = met.into_table(|f| self.facts.fingerprint(f));
        let rendered = std::mem::take(self.rendered.get_mut().unwrap_or_else(|e| e.into_inner()));
        let mut pages = Vec::new();
        if self.reuse.usable().is_some() {
            let doc_at: HashMap<&str, u32> = (docs.iter().enumerate())
                .map(|(i, (k, _))| (k.as_str(), i as u32))
                .collect();
            self.carry(&kept, &doc_at, &mut facts, &mut pages);
        }
        let manifest = Manifest {
            format: FORMAT,
            key: reuse.key.unwrap_or_default(),
            now: self.now.into(),
            next_change: super::next_change(site, &super::Now(self.now)).map(Instant::from),
            docs,
            facts: Vec::new(),
            pages: Vec::new(),
        };
        Done {
            kept,
            draft: Draft {
                manifest,
                facts,
                pages,
                rendered,
                usable: reuse.key.is_some(),
            },
        }
    }
}

/// The next manifest before its rendered pages are stamped. Its tables are
/// put in the manifest's form only then, after the build has let go of the
/// site ([`leave`]): at 100,000 incidents that form is tens of MB more.
pub struct Draft {
    manifest: Manifest,
    facts: FactTable,
    /// The records of the pages kept, and whether their stamp is known
    /// (always, for kept pages).
    pages: Vec<(PageRecord, bool)>,
    /// The pages rendered, stamped once they are in place.
    rendered: Vec<PageReads>,
    usable: bool,
}

impl Draft {
    /// Stamp the rendered pages as they now are in `output`; `None` if there
    /// is nothing a later build could trust (no key). A page whose file is
    /// not there is left out (the next build renders it).
    pub fn stamp(self, output: &Path) -> Option<Manifest> {
        if !self.usable {
            return None;
        }
        let mut m = self.manifest;
        m.facts = self.facts.into_table();
        let rendered = self.rendered.into_par_iter().filter_map(|p| {
            Some(PageRecord {
                stamp: Stamp::of(&output.join(&p.file))?,
                file: p.file,
                docs: p.docs,
                facts: p.facts,
                whole: p.whole,
                now: p.now,
                hash: p.hash,
            })
        });
        let mut pages: Vec<PageRecord> = (self.pages.into_par_iter())
            .filter_map(|(p, known)| known.then_some(p))
            .chain(rendered)
            .collect();
        pages.sort_by(|a, b| a.file.cmp(&b.file));
        m.pages = pages;
        Some(m)
    }
}

/// What a build into `output` can reuse: the manifest beside it, checked
/// against the new site's key and document hashes.
pub fn prepare<'a>(site: &Site, theme: &Theme, drafts: bool, output: &'a Path) -> Reuse<'a> {
    Reuse {
        previous: crate::write::manifest::load(output).and_then(|b| Manifest::parse(&b)),
        key: key(site, theme, drafts),
        docs: doc_hashes(site),
        output,
    }
}

impl Done {
    /// The output files of the pages left as they were.
    pub fn kept(&self) -> &[String] {
        &self.kept
    }

    /// Their bytes, as the manifest recorded them.
    pub fn kept_bytes(&self) -> u64 {
        (self.draft.pages.iter())
            .filter(|(_, known)| *known)
            .map(|(p, _)| p.stamp.size)
            .sum()
    }
}

/// After the commit: the next build's manifest. Not writing it only costs
/// the next build its reuse, so a failure here does not fail this one.
pub fn leave(done: Option<Done>, output: &Path) {
    if let Some(m) = done.and_then(|d| d.draft.stamp(output)) {
        let _ = crate::write::manifest::store(output, |w| m.write(w));
    }
}

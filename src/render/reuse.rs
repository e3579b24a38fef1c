//! Rebuilds that reuse the previous build's pages and machine outputs. In: the
//! previous build's [`Manifest`] (what each HTML page and each machine job
//! read, and the stamps of the files written), the new linked site and the
//! output folder. Out: what to render — the pages and jobs reading a document
//! whose hash changed, a fact whose fingerprint changed on the new site, the
//! whole site when any document changed, or "now" when the clock passed the
//! previous build's next change, and everything the manifest does not vouch
//! for — and, once rendered, the next manifest ([`plan`]).
//!
//! Nothing is assumed about the files kept: each one's size, inode and
//! modification time must be those the manifest recorded (a hand edit means
//! a render). Anything uncertain — no manifest, another format, another key
//! (binary, config, theme, assets, drafts) — renders everything.

mod plan;

pub(super) use plan::Plan;

use super::reads::{Fact, HashWriter, hasher};
use super::search::saved::SavedIndex;
use crate::link::{IncidentHtml, Site};
use crate::markdown::Rendered;
use crate::theme::{StaticFile, Theme};
use crate::write::manifest::Stamp;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::hash::Hasher;
use std::io::Write;
use std::path::Path;

/// Bumped whenever what the manifest means changes.
const FORMAT: u32 = 4;

/// The key of the home intro, present or not (a page that read "no home
/// intro" must see one appear).
const HOME: &str = ":home";

/// Above this many documents (incidents and stories) a build keeps neither
/// its machine jobs' reads nor its search keys for the next: at 100,000
/// incidents they would hold hundreds of MB more at the build's peak, and a
/// site that large is memory-bound before it is time-bound. Its pages are
/// still reused.
const KEEP_JOBS_UP_TO: usize = 25_000;

/// Whether a build of `site` keeps what its machine jobs and search index
/// did, for the next build.
pub(crate) fn keeps_jobs(site: &Site) -> bool {
    site.incidents.len() + site.news.len() <= KEEP_JOBS_UP_TO
}

/// A timestamp as seconds and nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct Instant(i64, i32);

impl From<jiff::Timestamp> for Instant {
    fn from(t: jiff::Timestamp) -> Instant {
        Instant(t.as_second(), t.subsec_nanosecond())
    }
}

/// What one page or machine job read, as indices into the manifest's tables.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ReadSet {
    docs: Vec<u32>,
    facts: Vec<u32>,
    whole: bool,
    now: bool,
}

/// A file written, and how to tell it is still the one written.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FileRecord {
    file: String,
    /// Of the bytes written.
    hash: u64,
    stamp: Stamp,
}

/// One HTML page of the previous build: what it read and the file written.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PageRecord {
    reads: ReadSet,
    out: FileRecord,
}

/// One machine job of the previous build (`machine.rs`, by its key): what it
/// read and the files it wrote.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct JobRecord {
    key: String,
    reads: ReadSet,
    files: Vec<FileRecord>,
}

/// What a build leaves for the next one.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Manifest {
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
    jobs: Vec<JobRecord>,
    /// The search keys of every document (`search/saved.rs`), if kept.
    search: Option<SavedIndex>,
}

impl Manifest {
    /// A manifest read back, or `None` if it is not one this binary wrote
    /// whole (then everything is rendered).
    pub(crate) fn parse(bytes: &[u8]) -> Option<Manifest> {
        let (m, rest): (Manifest, _) = postcard::take_from_bytes(bytes).ok()?;
        if !rest.is_empty() {
            return None;
        }
        let (d, f) = (m.docs.len(), m.facts.len());
        let fits = |r: &ReadSet| {
            r.docs.iter().all(|&i| (i as usize) < d) && r.facts.iter().all(|&i| (i as usize) < f)
        };
        let sound = m.format == FORMAT
            && m.pages.iter().all(|p| fits(&p.reads))
            && m.jobs.iter().all(|j| fits(&j.reads))
            && m.search.as_ref().is_none_or(SavedIndex::sound);
        sound.then_some(m)
    }

    /// Its bytes, streamed into `w` (at 100,000 incidents the manifest is
    /// large enough that holding its bytes whole made the build's peak).
    pub(crate) fn write(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        postcard::to_io(self, w)
            .map(|_| ())
            .map_err(std::io::Error::other)
    }
}

/// Everything global a page's bytes depend on besides its reads: the binary,
/// the config (with flags applied), drafts, the theme's templates, static
/// file names and strings, and the content assets. `None` if the running
/// binary cannot be identified (then nothing is reused).
pub(crate) fn key(site: &Site, theme: &Theme, drafts: bool) -> Option<u64> {
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

fn incident_html_hash(inc: &crate::model::Incident, x: &IncidentHtml, h: &mut impl Hasher) {
    rendered_hash(&x.body, h);
    for k in 0..x.timeline.len() {
        h.write(x.entry(inc, k).as_bytes());
    }
    for p in x.takes.iter().chain(&x.postmortem) {
        p.hash_into(h);
    }
    if let Some(n) = &x.notes {
        n.hash_into(h);
    }
    let _ = write!(HashWriter(h), "{:?}", x.field_refs);
}

/// Per document the site holds: a hash of its model and its rendered
/// Markdown (which also depends on the documents it links to).
pub(crate) fn doc_hashes(site: &Site) -> BTreeMap<String, u64> {
    let one = |model: &dyn std::fmt::Debug, html: &dyn Fn(&mut dyn Hasher)| {
        let mut h = hasher();
        let _ = write!(HashWriter(&mut h), "{model:?}");
        html(&mut h);
        h.finish()
    };
    let incidents: Vec<(String, u64)> = (site.incidents.raw.par_iter())
        .zip(&site.incident_html.raw)
        .map(|(inc, html)| {
            let h = one(inc, &|h| incident_html_hash(inc, html, &mut &mut *h));
            (inc.origin.content_path.clone(), h)
        })
        .collect();
    let mut docs: BTreeMap<String, u64> = incidents.into_iter().collect();
    for (n, story) in site.news.iter_enumerated() {
        let h = one(story, &|h| rendered_hash(&site.news_html[n], &mut &mut *h));
        docs.insert(story.origin.content_path.clone(), h);
    }
    for (p, page) in site.pages.iter_enumerated() {
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
pub(crate) struct Reuse<'a> {
    pub previous: Option<Manifest>,
    pub key: Option<u64>,
    pub docs: BTreeMap<String, u64>,
    pub output: &'a Path,
    /// The previous build's search keys, until the search index takes them.
    search: std::sync::Mutex<Option<SavedIndex>>,
}

impl Reuse<'_> {
    /// The previous build's search keys (once), if its manifest is usable.
    pub(super) fn take_search(&self) -> Option<SavedIndex> {
        self.usable()?;
        self.search.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// The previous manifest, if it describes a build of the same key.
    fn usable(&self) -> Option<&Manifest> {
        let m = self.previous.as_ref()?;
        (Some(m.key) == self.key).then_some(m)
    }
}

/// What a render with reuse did: the pages left as they were, and the
/// manifest to write once the output is committed.
pub(crate) struct Done {
    pub kept: Vec<String>,
    pub draft: plan::Draft,
    /// Machine jobs run, and kept unrun.
    jobs: (usize, usize),
}

/// What a build into `output` can reuse: the manifest beside it, checked
/// against the new site's key and document hashes.
pub(crate) fn prepare<'a>(site: &Site, theme: &Theme, drafts: bool, output: &'a Path) -> Reuse<'a> {
    let mut previous = crate::write::manifest::load(output).and_then(|b| Manifest::parse(&b));
    let search = previous.as_mut().and_then(|m| m.search.take());
    Reuse {
        previous,
        key: key(site, theme, drafts),
        docs: doc_hashes(site),
        output,
        search: std::sync::Mutex::new(search),
    }
}

impl Done {
    /// The output files of the pages left as they were.
    pub(crate) fn kept(&self) -> &[String] {
        &self.kept
    }

    /// Machine jobs run, and kept unrun (their files as they were).
    pub(crate) fn jobs(&self) -> (usize, usize) {
        self.jobs
    }

    /// Their bytes, as the manifest recorded them.
    pub(crate) fn kept_bytes(&self) -> u64 {
        self.draft.kept_page_bytes()
    }
}

/// After the commit: the next build's manifest. Not writing it only costs
/// the next build its reuse, so a failure here does not fail this one.
pub(crate) fn leave(done: Option<Done>, output: &Path) {
    if let Some(m) = done.and_then(|d| d.draft.stamp(output)) {
        let _ = crate::write::manifest::store(output, |w| m.write(w));
    }
}

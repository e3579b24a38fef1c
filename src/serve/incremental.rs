//! Incremental rebuilds: [`Changes`] in (from the watcher), [`Update`]s of the
//! served files out (to a [`Publish`]). Keeps the parsed documents, cached
//! Markdown, each page's context hash and the content → page dependencies, so
//! an edit re-reads one file, re-links, and re-renders only the pages whose
//! template context changed. The result equals a full build byte for byte
//! (tested in tests/serve.rs); nothing here writes to disk.
//!
//! Order of publication: the edited documents' own pages first, then the other
//! pages, then feeds — each as soon as it is ready, undone if a later step fails.

use super::cache::MdCache;
use super::deps::{self, Dependents};
use super::watch::Changes;
use crate::build::{self, BuildOptions};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::frontmatter;
use crate::link::{self, Site};
use crate::load::{self, Asset};
use crate::model::Document;
use crate::render::{self, Now, Output, Sink};
use crate::theme::{self, StaticFile, Theme};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tera::Tera;

/// The bytes of one served file.
#[derive(Debug, Clone)]
pub enum Body {
    Bytes(Arc<[u8]>),
    Static(&'static [u8]),
    /// Read when requested (content assets and the site's static files).
    File(PathBuf),
}

/// Files to put (`Some`) or remove (`None`), applied at once.
pub type Update = Vec<(String, Option<Body>)>;

/// Where updates go: serve's in-memory site.
pub trait Publish {
    fn publish(&mut self, update: Update);
}

/// What one rebuild did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every problem, errors and warnings; the site was kept if there are errors.
    pub diags: Vec<Diagnostic>,
    pub ok: bool,
    /// Pages rendered with Tera (feed files not counted).
    pub rendered: usize,
    pub timings: Vec<(&'static str, Duration)>,
}

pub struct Engine {
    root: PathBuf,
    drafts: bool,
    base_url: String,
    config: Option<Config>,
    theme: Option<Theme>,
    tera: Option<Tera>,
    now: Option<Now>,
    /// Content path → parsed document, or why it could not be read or parsed.
    docs: HashMap<String, Result<Document, Vec<Diagnostic>>>,
    /// Content path → file, for non-Markdown files in content/.
    assets: BTreeMap<String, PathBuf>,
    md: MdCache,
    /// Link targets of the last link, to invalidate cached Markdown.
    targets: BTreeMap<String, String>,
    // What is served, by layer (assets over statics over pages).
    pages: HashMap<String, Arc<[u8]>>,
    statics: BTreeMap<String, Body>,
    served_assets: BTreeMap<String, PathBuf>,
    /// Page file → hash of its template context when it was rendered.
    hashes: HashMap<String, u64>,
    deps: Dependents,
    /// Content paths changed since the last good build.
    dirty: BTreeSet<String>,
    /// Asset files written since the last good build (served from disk, but
    /// open pages should hear of them).
    touched_assets: BTreeSet<String>,
    /// Everything must be re-checked (start, config or template change, rescan).
    dirty_all: bool,
}

fn walk_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.split('/').cmp(b.split('/'))
}

/// A hasher as an `io::Write`, so a context hashes without a string copy.
struct HashWriter<'a>(&'a mut std::collections::hash_map::DefaultHasher);
impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn context_hash(job: &render::PageJob) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    h.write(job.template.as_bytes());
    h.write_u8(0);
    // Serialising a Value into a hasher cannot fail.
    let _ = serde_json::to_writer(HashWriter(&mut h), &job.context);
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

/// One rendered page: file, context hash, and the new bytes unless unchanged.
type Rendered = (String, u64, Option<Arc<[u8]>>);

impl Engine {
    /// `base_url`: the served address (`http://127.0.0.1:1111/`).
    pub fn new(root: &Path, drafts: bool, base_url: &str) -> Engine {
        Engine {
            root: root.to_path_buf(),
            drafts,
            base_url: base_url.to_string(),
            config: None,
            theme: None,
            tera: None,
            now: None,
            docs: HashMap::new(),
            assets: BTreeMap::new(),
            md: MdCache::default(),
            targets: BTreeMap::new(),
            pages: HashMap::new(),
            statics: BTreeMap::new(),
            served_assets: BTreeMap::new(),
            hashes: HashMap::new(),
            deps: Dependents::new(),
            dirty: BTreeSet::new(),
            touched_assets: BTreeSet::new(),
            dirty_all: true,
        }
    }

    pub fn config(&self) -> Option<&Config> {
        self.config.as_ref()
    }

    /// Apply a batch of changes; publish what changed.
    pub fn rebuild(&mut self, changes: &Changes, out: &mut dyn Publish) -> Outcome {
        let mut o = Outcome::default();
        let mut t = Instant::now();
        let mut lap = |o: &mut Outcome, name: &'static str| {
            o.timings.push((name, t.elapsed()));
            t = Instant::now();
        };
        if let Err(d) = self.reload_settings(changes, out) {
            o.diags = d;
            return o;
        }
        if changes.rescan || self.dirty_all && self.docs.is_empty() {
            self.rescan_content();
        } else {
            for p in &changes.content {
                self.refresh(p);
            }
        }
        self.publish_assets(out);
        lap(&mut o, "read");
        if !self.dirty_all && self.dirty.is_empty() {
            o.ok = true;
            return o;
        }
        let site = match self.link() {
            Ok(s) => s,
            Err(d) => {
                o.diags = d;
                return o;
            }
        };
        lap(&mut o, "link");
        match self.render(&site, out, &mut o) {
            Ok(()) => {
                o.ok = true;
                self.dirty.clear();
                self.dirty_all = false;
            }
            Err(d) => o.diags.extend(d),
        }
        lap(&mut o, "render");
        crate::diag::sort(&mut o.diags);
        o
    }

    /// sitrep.toml and the theme; static files are published right away.
    fn reload_settings(
        &mut self,
        changes: &Changes,
        out: &mut dyn Publish,
    ) -> Result<(), Vec<Diagnostic>> {
        let mut theme_too = changes.templates || changes.statics || self.theme.is_none();
        if changes.config || changes.rescan || self.config.is_none() {
            let opts = BuildOptions {
                root: self.root.clone(),
                base_url: Some(self.base_url.clone()),
                drafts: self.drafts,
                ..Default::default()
            };
            let config = build::load_config(&opts).map_err(|f| f.diagnostics().to_vec())?;
            // "Now" is read when the whole site is rebuilt, so edits stay incremental.
            self.now = Some(build::now().map_err(|f| f.diagnostics().to_vec())?);
            self.config = Some(config);
            self.tera = None;
            self.hashes.clear();
            self.md.clear();
            self.dirty_all = true;
            theme_too = true;
        }
        if !theme_too {
            return Ok(());
        }
        let Some(config) = &self.config else {
            return Ok(());
        };
        let theme = theme::load(&self.root, config).map_err(|d| vec![d])?;
        if self.theme.as_ref().map(|t| &t.templates) != Some(&theme.templates) {
            self.tera = None;
            self.hashes.clear();
            self.dirty_all = true;
        }
        // Held in memory (they are few and small) so unchanged ones are not announced.
        let mut statics = BTreeMap::new();
        for (path, f) in &theme.statics {
            let body = match f {
                StaticFile::Embedded(b) => Body::Static(b),
                StaticFile::Disk(p) => Body::Bytes(Arc::from(std::fs::read(p).map_err(|e| {
                    vec![Diagnostic::error(
                        load::rel(&self.root, p),
                        format!("cannot read the static file: {e}"),
                    )]
                })?)),
            };
            statics.insert(path.clone(), body);
        }
        let touched: BTreeSet<String> =
            statics.keys().chain(self.statics.keys()).cloned().collect();
        self.statics = statics;
        self.theme = Some(theme);
        let update = touched
            .into_iter()
            .map(|p| {
                let b = self.effective(&p, None);
                (p, b)
            })
            .collect();
        out.publish(update);
        Ok(())
    }

    /// Content assets are served from disk and no page depends on them: publish
    /// them at once (announcing written ones, which are already served).
    fn publish_assets(&mut self, out: &mut dyn Publish) {
        let mut touched = std::mem::take(&mut self.touched_assets);
        touched.extend(
            self.served_assets
                .keys()
                .filter(|k| !self.assets.contains_key(*k))
                .cloned(),
        );
        touched.extend(
            self.assets
                .iter()
                .filter(|(k, v)| self.served_assets.get(*k) != Some(v))
                .map(|(k, _)| k.clone()),
        );
        if touched.is_empty() {
            return;
        }
        self.served_assets = self.assets.clone();
        out.publish(
            touched
                .into_iter()
                .map(|p| {
                    let b = self.effective(&p, None);
                    (p, b)
                })
                .collect(),
        );
    }

    /// What is served at `path`: an asset, else a static file, else a page
    /// (`page` overrides the page layer, for pages not yet committed).
    fn effective(&self, path: &str, page: Option<&Arc<[u8]>>) -> Option<Body> {
        if let Some(a) = self.served_assets.get(path) {
            return Some(Body::File(a.clone()));
        }
        if let Some(s) = self.statics.get(path) {
            return Some(s.clone());
        }
        page.or_else(|| self.pages.get(path))
            .map(|b| Body::Bytes(b.clone()))
    }

    fn forget(&mut self, path: &str) {
        let prefix = format!("{path}/");
        let gone: Vec<String> = self
            .docs
            .keys()
            .filter(|k| path.is_empty() || *k == path || k.starts_with(&prefix))
            .cloned()
            .collect();
        for k in gone {
            self.docs.remove(&k);
            self.dirty.insert(k);
        }
        self.assets
            .retain(|k, _| !(path.is_empty() || k == path || k.starts_with(&prefix)));
    }

    /// Look at a content path again: a file, a folder, or nothing any more.
    fn refresh(&mut self, path: &str) {
        if path.is_empty() {
            return self.rescan_content();
        }
        let abs = self.root.join("content").join(path);
        match std::fs::symlink_metadata(&abs) {
            Ok(m) if m.is_dir() => {
                self.forget(path);
                self.walk(&abs);
            }
            Ok(m) if m.is_file() => {
                self.forget(path);
                self.upsert(path, &abs);
            }
            // Gone, or a symlink (the loader does not follow those either).
            _ => self.forget(path),
        }
    }

    fn rescan_content(&mut self) {
        self.forget("");
        self.dirty_all = true;
        let content = self.root.join("content");
        if !content.is_dir() {
            self.docs.insert(
                String::new(),
                Err(vec![
                    Diagnostic::error("content", "there is no `content/` folder").hint(
                        "create `content/incidents/` and put one Markdown file per incident there",
                    ),
                ]),
            );
            return;
        }
        self.walk(&content);
    }

    fn walk(&mut self, dir: &Path) {
        let content = self.root.join("content");
        let walker = walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !load::ignored(&e.file_name().to_string_lossy()));
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    let rel = load::rel(&content, e.path());
                    self.upsert(&rel, e.path());
                }
                Ok(_) => {}
                Err(e) => {
                    let p = e
                        .path()
                        .map(|p| load::rel(&self.root, p))
                        .unwrap_or_else(|| "content".into());
                    let d = Diagnostic::error(&p, format!("cannot read: {e}"))
                        .hint("check the file's permissions");
                    self.docs.insert(p, Err(vec![d]));
                }
            }
        }
    }

    /// Read and parse one file, by the loader's rules.
    fn upsert(&mut self, path: &str, abs: &Path) {
        self.docs.remove(path);
        self.assets.remove(path);
        self.dirty.insert(path.to_string());
        if path.split('/').any(load::ignored) || path.contains('/') && path.ends_with("/_index.md")
        {
            return;
        }
        if !path.ends_with(".md") {
            self.assets.insert(path.to_string(), abs.to_path_buf());
            self.touched_assets.insert(path.to_string());
            return;
        }
        let shown = format!("content/{path}");
        let parsed = load::read_text(abs, &shown)
            .map_err(|d| vec![d])
            .and_then(|text| {
                let source = Arc::new(crate::diag::SourceText::new(shown, text));
                frontmatter::parse(load::classify(path), source, path)
            });
        self.docs.insert(path.to_string(), parsed);
    }

    /// Link every document. Files whose Markdown was rendered afresh count as
    /// changed (until a build succeeds, like edited ones).
    fn link(&mut self) -> Result<Site, Vec<Diagnostic>> {
        let Some(config) = self.config.clone() else {
            return Err(Vec::new());
        };
        let mut keys: Vec<&String> = self.docs.keys().collect();
        keys.sort_by(|a, b| walk_order(a, b));
        let mut diags = Vec::new();
        let mut docs = Vec::with_capacity(keys.len());
        for k in keys {
            match &self.docs[k] {
                Ok(d) => docs.push(d.clone()),
                Err(d) => diags.extend(d.iter().cloned()),
            }
        }
        let mut asset_keys: Vec<&String> = self.assets.keys().collect();
        asset_keys.sort_by(|a, b| walk_order(a, b));
        let assets = asset_keys
            .into_iter()
            .map(|k| Asset {
                path: self.assets[k].clone(),
                content_path: k.clone(),
            })
            .collect();
        let targets = deps::targets(docs.iter(), self.drafts);
        self.md
            .invalidate(&deps::changed_names(&self.targets, &targets));
        self.targets = targets;
        self.md.begin_round();
        let (site, more) = link::link_with(config, docs, assets, self.drafts, &self.md);
        self.dirty.extend(self.md.end_round());
        diags.extend(more);
        match site {
            Some(s) if !diags.iter().any(Diagnostic::is_error) => Ok(s),
            _ => Err(diags),
        }
    }

    fn render_set(
        &self,
        site: &Site,
        tera: &Tera,
        theme: &Theme,
        now: &Now,
        set: &[&Output],
    ) -> Result<Vec<Rendered>, Vec<Diagnostic>> {
        let results: Vec<Result<Rendered, Vec<Diagnostic>>> = set
            .par_iter()
            .filter_map(|o| render::page_job(site, now, o))
            .map(|job| {
                let h = context_hash(&job);
                if self.hashes.get(&job.file) == Some(&h) && self.pages.contains_key(&job.file) {
                    return Ok((job.file, h, None));
                }
                let html = render::render_job(tera, theme, &job)?;
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

    fn render(
        &mut self,
        site: &Site,
        out: &mut dyn Publish,
        o: &mut Outcome,
    ) -> Result<(), Vec<Diagnostic>> {
        let (Some(theme), Some(now)) = (self.theme.clone(), self.now) else {
            return Err(Vec::new());
        };
        if self.tera.is_none() {
            self.tera = Some(render::tera(&theme, site)?);
        }
        let Some(tera) = self.tera.take() else {
            return Err(Vec::new());
        };
        let result = self.render_with(site, &tera, &theme, &now, out, o);
        self.tera = Some(tera);
        result
    }

    fn render_with(
        &mut self,
        site: &Site,
        tera: &Tera,
        theme: &Theme,
        now: &Now,
        out: &mut dyn Publish,
        o: &mut Outcome,
    ) -> Result<(), Vec<Diagnostic>> {
        let t = Instant::now();
        let new_deps = deps::dependents(site);
        let by_file: HashMap<String, Output> = render::outputs(site)
            .into_iter()
            .filter_map(|op| render::output_file(site, &op).map(|f| (f, op)))
            .collect();
        let changed: BTreeSet<&String> = self.dirty.iter().collect();
        // Phase A: the changed documents' own pages.
        let own: BTreeSet<&String> = changed
            .iter()
            .filter_map(|p| new_deps.get(*p).and_then(|f| f.first()))
            .collect();
        // Phase B: everything that may read a changed document, and the site-wide pages.
        let mut near: BTreeSet<&String> = BTreeSet::new();
        if self.dirty_all {
            near.extend(by_file.keys());
        } else {
            for p in &changed {
                for d in [self.deps.get(*p), new_deps.get(*p)].into_iter().flatten() {
                    near.extend(d.iter());
                }
            }
            near.extend(by_file.keys().filter(|f| !self.hashes.contains_key(*f)));
        }
        let site_wide: Vec<Output> = deps::site_wide(site);
        let phase_a: Vec<&Output> = own.iter().filter_map(|f| by_file.get(*f)).collect();
        let mut phase_b: Vec<&Output> = near
            .iter()
            .filter(|f| !own.contains(*f))
            .filter_map(|f| by_file.get(*f))
            .filter(|op| !site_wide.contains(op))
            .collect();
        phase_b.extend(site_wide.iter());
        o.timings.push(("plan", t.elapsed()));

        let mut fresh: HashMap<String, Arc<[u8]>> = HashMap::new();
        let mut hashes: Vec<(String, u64)> = Vec::new();
        let mut published: Vec<String> = Vec::new();
        let undo = |me: &Engine, published: &[String], out: &mut dyn Publish| {
            out.publish(
                published
                    .iter()
                    .map(|p| (p.clone(), me.effective(p, None)))
                    .collect(),
            );
        };
        for (name, set) in [("render own", phase_a), ("render rest", phase_b)] {
            let t = Instant::now();
            let done = match self.render_set(site, tera, theme, now, &set) {
                Ok(d) => d,
                Err(e) => {
                    undo(self, &published, out);
                    return Err(e);
                }
            };
            let mut update = Update::new();
            for (file, h, bytes) in done {
                hashes.push((file.clone(), h));
                if let Some(b) = bytes {
                    o.rendered += 1;
                    update.push((file.clone(), self.effective(&file, Some(&b))));
                    published.push(file.clone());
                    fresh.insert(file, b);
                }
            }
            out.publish(update);
            o.timings.push((name, t.elapsed()));
        }

        // Phase C: feeds, sitemap, search index; published where they differ.
        let t = Instant::now();
        let sink = MemSink::default();
        if let Err(e) = render::render_output(tera, theme, site, now, &Output::Feeds, &sink) {
            undo(self, &published, out);
            return Err(e);
        }
        let feeds = sink.0.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut update = Update::new();
        let mut keep: BTreeSet<String> = by_file.keys().cloned().collect();
        for (file, bytes) in feeds {
            keep.insert(file.clone());
            if self.pages.get(&file).is_some_and(|old| **old == *bytes) {
                continue;
            }
            let b: Arc<[u8]> = Arc::from(bytes);
            update.push((file.clone(), self.effective(&file, Some(&b))));
            fresh.insert(file, b);
        }
        o.timings.push(("feeds", t.elapsed()));

        // Commit: the page layer, removed pages, content assets.
        let removed: Vec<String> = self
            .pages
            .keys()
            .filter(|f| !keep.contains(*f))
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
        self.deps = new_deps;
        Ok(())
    }
}

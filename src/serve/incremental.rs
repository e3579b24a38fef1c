//! Incremental rebuilds: [`Changes`] in (from the watcher), [`Update`]s of the
//! served files out (to a [`Publish`]). Keeps the parsed documents, cached
//! Markdown, each page's context hash and the content → page dependencies, so
//! an edit re-reads one file, re-links, and re-renders only the pages whose
//! template context changed. The result equals a full build byte for byte
//! (tested in tests/serve.rs); nothing here writes to disk.
//!
//! Order of publication: the edited documents' own pages first, then the other
//! pages, then feeds — each as soon as it is ready, undone if a later step fails.

use super::cache::{self, MdCache};
use super::deps::{self, Dependents};
use super::docs::{Docs, walk_order};
use super::watch::Changes;
use crate::build::{self, BuildOptions};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::link::{self, Site};
use crate::load::{self, Asset};
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
    docs: Docs,
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
    /// Everything must be re-checked (start, config or template change, rescan).
    dirty_all: bool,
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

/// What the phases of one rebuild rendered and published so far.
#[derive(Default)]
struct Progress {
    fresh: HashMap<String, Arc<[u8]>>,
    hashes: Vec<(String, u64)>,
    published: Vec<String>,
}

/// Above this many changed link targets, cached Markdown is dropped wholesale.
const MANY_NAMES: usize = 64;

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
            docs: Docs::new(root),
            md: MdCache::default(),
            targets: BTreeMap::new(),
            pages: HashMap::new(),
            statics: BTreeMap::new(),
            served_assets: BTreeMap::new(),
            hashes: HashMap::new(),
            deps: Dependents::new(),
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
        if changes.rescan || self.docs.slots.is_empty() {
            self.docs.rescan();
        } else {
            for p in &changes.content {
                self.docs.refresh(p);
            }
        }
        // Renders of re-read files are stale.
        self.md.forget(&self.docs.dirty);
        self.publish_assets(out);
        lap(&mut o, "read");
        if !self.dirty_all && self.docs.dirty.is_empty() {
            o.ok = true;
            return o;
        }
        // reload_settings succeeded, so there is a config.
        let Some(config) = self.config.clone() else {
            return o;
        };
        let (site, diags) = self.link(config);
        lap(&mut o, "link");
        o.diags = diags;
        if !o.diags.iter().any(Diagnostic::is_error) {
            match self.render(&site, out, &mut o) {
                Ok(()) => {
                    o.ok = true;
                    self.docs.dirty.clear();
                    self.dirty_all = false;
                }
                Err(d) => o.diags.extend(d),
            }
        }
        let md = &self.md;
        self.docs
            .restore(site, |body, from, id, r| md.put_back(body, from, id, r));
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
        let mut touched = std::mem::take(&mut self.docs.touched_assets);
        touched.extend(
            self.served_assets
                .keys()
                .filter(|k| !self.docs.assets.contains_key(*k))
                .cloned(),
        );
        touched.extend(
            self.docs
                .assets
                .iter()
                .filter(|(k, v)| self.served_assets.get(*k) != Some(v))
                .map(|(k, _)| k.clone()),
        );
        if touched.is_empty() {
            return;
        }
        self.served_assets = self.docs.assets.clone();
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

    /// Link every document (lent from [`Docs`]; give them back with
    /// `restore`). Files whose Markdown was rendered afresh count as changed
    /// until a build succeeds, like edited ones.
    fn link(&mut self, config: Config) -> (Site, Vec<Diagnostic>) {
        // Cached Markdown naming a link target that changed is stale.
        let targets = deps::targets(self.docs.documents(), self.drafts);
        let names = deps::changed_names(&self.targets, &targets);
        if names.len() > MANY_NAMES {
            // A mass change (a checkout, a first build): scanning would cost more.
            self.md.clear();
        } else if !names.is_empty() {
            let stale: BTreeSet<String> = self
                .docs
                .texts()
                .filter(|(_, t)| cache::mentions(t, &names))
                .map(|(f, _)| f.to_string())
                .collect();
            self.md.forget(&stale);
        }
        self.targets = targets;
        let (docs, mut diags) = self.docs.lend(self.drafts);
        let mut asset_keys: Vec<&String> = self.docs.assets.keys().collect();
        asset_keys.sort_by(|a, b| walk_order(a, b));
        let assets = asset_keys
            .into_iter()
            .map(|k| Asset {
                path: self.docs.assets[k].clone(),
                content_path: k.clone(),
            })
            .collect();
        self.md.begin_round();
        let (site, more) = link::link_with(config, docs, assets, self.drafts, &self.md);
        let misses = self.md.end_round();
        self.docs.dirty.extend(misses);
        diags.extend(more);
        (site, diags)
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

    /// Render one phase's pages whose context changed, and publish them; on
    /// failure, withdraw what earlier phases published.
    #[allow(clippy::too_many_arguments)]
    fn phase(
        &self,
        name: &'static str,
        set: &[&Output],
        site: &Site,
        tera: &Tera,
        theme: &Theme,
        now: &Now,
        out: &mut dyn Publish,
        o: &mut Outcome,
        run: &mut Progress,
    ) -> Result<(), Vec<Diagnostic>> {
        let t = Instant::now();
        let done = match self.render_set(site, tera, theme, now, set) {
            Ok(d) => d,
            Err(e) => {
                out.publish(
                    run.published
                        .iter()
                        .map(|p| (p.clone(), self.effective(p, None)))
                        .collect(),
                );
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

    fn render_with(
        &mut self,
        site: &Site,
        tera: &Tera,
        theme: &Theme,
        now: &Now,
        out: &mut dyn Publish,
        o: &mut Outcome,
    ) -> Result<(), Vec<Diagnostic>> {
        let mut run = Progress::default();
        // Phase A: the changed documents' own pages, published first.
        let changed: BTreeSet<&str> = self.docs.dirty.iter().map(String::as_str).collect();
        let own = deps::own_outputs(site, &changed);
        self.phase(
            "render own",
            &own.iter().collect::<Vec<_>>(),
            site,
            tera,
            theme,
            now,
            out,
            o,
            &mut run,
        )?;

        // Phase B: the pages that show a changed document, then the site-wide ones.
        let t = Instant::now();
        let new_deps = deps::dependents(site);
        let by_file: HashMap<String, Output> = render::outputs(site)
            .into_iter()
            .filter_map(|op| render::output_file(site, &op).map(|f| (f, op)))
            .collect();
        let site_wide: Vec<Output> = deps::site_wide(site);
        let mut near: BTreeSet<&String> = BTreeSet::new();
        if self.dirty_all {
            near.extend(by_file.keys());
        } else {
            for p in &changed {
                for d in [self.deps.get(*p), new_deps.get(*p)].into_iter().flatten() {
                    near.extend(d.iter());
                }
            }
            // Pages that did not exist before (a new term, say).
            near.extend(by_file.keys().filter(|f| !self.hashes.contains_key(*f)));
        }
        let neighbours: Vec<&Output> = near
            .iter()
            .filter_map(|f| by_file.get(*f))
            .filter(|op| !own.contains(op) && !site_wide.contains(op))
            .collect();
        o.timings.push(("plan", t.elapsed()));
        self.phase(
            "render near",
            &neighbours,
            site,
            tera,
            theme,
            now,
            out,
            o,
            &mut run,
        )?;
        let wide: Vec<&Output> = site_wide.iter().collect();
        self.phase(
            "render site-wide",
            &wide,
            site,
            tera,
            theme,
            now,
            out,
            o,
            &mut run,
        )?;
        let Progress {
            mut fresh,
            hashes,
            published,
        } = run;
        let undo = |me: &Engine, published: &[String], out: &mut dyn Publish| {
            out.publish(
                published
                    .iter()
                    .map(|p| (p.clone(), me.effective(p, None)))
                    .collect(),
            );
        };

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

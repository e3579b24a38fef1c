//! Incremental rebuilds: [`Changes`] in (from the watcher), [`Update`]s of the
//! served files out (to a [`Publish`]). Keeps the parsed documents, cached
//! Markdown, each page's context hash, what each page read (`serve/ledger.rs`), a
//! memo of cards, search keys and API records, and the last good site, still
//! linked. An edit re-reads only the changed files; edits a patch can take
//! (bodies, and an incident's front matter while it keeps its ID, start and
//! visibility: [`patch`]) update the kept site in place, anything else
//! re-links (with cached Markdown); then only pages whose template context
//! changed are rendered ([`phases`]). The result equals a full build byte for
//! byte (tested in tests/serve/: incremental.rs, fm_patch.rs, property.rs);
//! nothing here writes to disk. What a rebuild must redo besides the edits
//! (a template or config change re-checks every page, say) is one [`Redo`].

mod patch;
mod phases;
mod redo;

use super::cache::{self, MdCache};
use super::docs::{Docs, walk_order};
use super::ledger::Ledger;
use super::watch::Changes;
use crate::build::{self, BuildOptions};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::link::{self, Linked, Site};
use crate::load::{self, Asset};
use crate::markdown::LinkResolver;
use crate::render::Now;
use crate::stages;
use crate::theme::{StaticFile, Theme};
use redo::{Check, Redo};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
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
    /// Pages whose context was built to see whether they changed: those
    /// the ledger names for the edit (feed files not counted).
    pub checked: usize,
    pub timings: Vec<(&'static str, Duration)>,
}

/// Where "now" comes from: [`crate::time::now`] (`SOURCE_DATE_EPOCH` or the
/// system clock) unless a test passes its own ([`Engine::set_clock`]).
pub type Clock = Box<dyn Fn() -> Result<jiff::Timestamp, String> + Send + Sync>;

pub struct Engine {
    root: PathBuf,
    drafts: bool,
    base_url: String,
    config: Option<Config>,
    theme: Option<Theme>,
    tera: Option<Tera>,
    now: Option<Now>,
    clock: Clock,
    /// `SOURCE_DATE_EPOCH` holds "now" still: no timer.
    frozen: bool,
    /// When a page that reads "now" next changes ([`render::next_change`]).
    next_tick: Option<jiff::Timestamp>,
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
    /// Template name → version of it and what it reads.
    versions: HashMap<String, u64>,
    /// What each page read when it was last built.
    ledger: Ledger,
    /// Search keys and API records of documents, across rebuilds.
    memo: crate::render::memo::Memo,
    /// The last good site, kept linked so body edits can patch it.
    kept: Option<Kept>,
    /// What the next rebuild must redo besides the edited files, gathered
    /// until one succeeds. Cached Markdown that [`Redo::Markdown`] calls
    /// stale is dropped by the next link, after the kept site's renders have
    /// been put back.
    redo: Redo,
}

struct Kept {
    site: Site,
    /// What the site's Markdown was rendered against.
    resolver: Box<dyn LinkResolver + Send>,
    /// The warnings of the link that made `site`, still standing: a patched
    /// rebuild reports them again, or the writer would see them vanish.
    warnings: Vec<Diagnostic>,
}

/// Stage times of one rebuild, for `Outcome::timings`.
struct Laps(Instant);

impl Laps {
    fn lap(&mut self, o: &mut Outcome, name: &'static str) {
        o.timings.push((name, self.0.elapsed()));
        self.0 = Instant::now();
    }
}

/// Above this many changed link targets, cached Markdown is dropped wholesale.
const MANY_NAMES: usize = 64;

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
            clock: Box::new(crate::time::now),
            frozen: std::env::var_os("SOURCE_DATE_EPOCH").is_some(),
            next_tick: None,
            docs: Docs::new(root),
            md: MdCache::default(),
            targets: BTreeMap::new(),
            pages: HashMap::new(),
            statics: BTreeMap::new(),
            served_assets: BTreeMap::new(),
            hashes: HashMap::new(),
            versions: HashMap::new(),
            ledger: Ledger::default(),
            memo: Default::default(),
            kept: None,
            redo: Redo::Everything,
        }
    }

    /// Serve for `audience` (public unless `--internal`).
    pub fn for_audience(mut self, audience: crate::visibility::Audience) -> Engine {
        self.docs.audience = audience;
        self
    }

    pub fn config(&self) -> Option<&Config> {
        self.config.as_ref()
    }

    /// Read "now" from `clock` instead (tests: a clock they move). The clock
    /// is then assumed to move, so [`Engine::wait`] counts down to changes.
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
        self.frozen = false;
    }

    /// How long until a page that reads "now" changes ("open for" gains a
    /// minute, a maintenance window starts or ends): the watcher wakes then
    /// and calls [`Engine::rebuild`] with no changes. `None`: nothing will.
    pub fn wait(&self) -> Option<Duration> {
        if self.frozen {
            return None;
        }
        let next = self.next_tick?;
        let now = (self.clock)().ok()?;
        let ms = next.as_millisecond() - now.as_millisecond();
        Some(Duration::from_millis(ms.max(0).unsigned_abs()))
    }

    /// Advance "now" if the clock passed the next change; true if it moved
    /// (then the pages that read it are checked again).
    fn tick(&mut self) -> Result<bool, Vec<Diagnostic>> {
        let clock_err = |m: String| vec![Diagnostic::error("SOURCE_DATE_EPOCH", m)];
        let Some(now) = self.now else {
            self.now = Some(Now((self.clock)().map_err(clock_err)?));
            return Ok(true);
        };
        let Some(next) = self.next_tick.filter(|_| !self.frozen) else {
            return Ok(false);
        };
        let t = (self.clock)().map_err(clock_err)?;
        if t < next || t == now.0 {
            return Ok(false);
        }
        self.now = Some(Now(t));
        Ok(true)
    }

    /// Apply a batch of changes; publish what changed.
    pub fn rebuild(&mut self, changes: &Changes, out: &mut dyn Publish) -> Outcome {
        let mut o = Outcome::default();
        let mut laps = Laps(Instant::now());
        if let Err(d) = self.read(changes, out) {
            o.diags = d;
            return o;
        }
        laps.lap(&mut o, "read");
        if self.redo == Redo::NOTHING && self.docs.dirty.is_empty() {
            o.ok = true;
            return o;
        }
        // Body-only edits patch the kept site: no re-link.
        if let Some(mut k) = self.kept.take() {
            if self.redo.patches() && self.patch(&mut k) {
                laps.lap(&mut o, "patch");
                self.render_patched(k, out, &mut o);
                laps.lap(&mut o, "render");
                return o;
            }
            self.restore(k.site, true);
            laps.lap(&mut o, "unpatchable");
        }
        // `read` succeeded, so there is a config.
        let Some(config) = self.config.clone() else {
            return o;
        };
        let linked = self.link(config);
        laps.lap(&mut o, "link");
        let Linked {
            site,
            diags,
            resolver,
        } = linked;
        o.diags = diags;
        if let Some(now) = &self.now {
            o.diags
                .extend(stages::now_checks(&site.incidents, &site.config, now));
        }
        self.render_linked(site, resolver, out, &mut o);
        laps.lap(&mut o, "render");
        crate::diag::sort(&mut o.diags);
        o
    }

    /// Re-read the changed files, the config and theme, the clock and the
    /// content assets. Content first: a batch whose config or theme fails
    /// still holds content edits, and they must not be lost (the next batch
    /// may hold only the fixed config).
    fn read(&mut self, changes: &Changes, out: &mut dyn Publish) -> Result<(), Vec<Diagnostic>> {
        if changes.rescan || self.docs.slots.is_empty() {
            self.docs.rescan();
        } else {
            for p in &changes.content {
                self.docs.refresh(p);
            }
        }
        // Renders of re-read files are stale.
        self.md.forget(&self.docs.dirty);
        self.reload_settings(changes, out)?;
        if self.tick()? {
            self.redo.add(Redo::Patch(Check::Clocked));
        }
        if self.publish_assets(out) {
            self.redo.add(Redo::Relink(Check::Ledger));
        }
        Ok(())
    }

    /// Render a patched site; keep it if that worked, else give it back.
    fn render_patched(&mut self, mut k: Kept, out: &mut dyn Publish, o: &mut Outcome) {
        o.diags = self.standing_warnings(&mut k);
        match self.render(&k.site, out, o, false) {
            Ok(()) => {
                o.ok = true;
                self.docs.dirty.clear();
                self.settled(&k.site);
                self.kept = Some(k);
            }
            Err(d) => {
                o.diags.extend(d);
                self.restore(k.site, true);
            }
        }
    }

    /// Render a freshly linked site unless linking found errors; keep it if
    /// that worked, else give its documents back.
    fn render_linked(
        &mut self,
        site: Site,
        resolver: Box<dyn LinkResolver + Send>,
        out: &mut dyn Publish,
        o: &mut Outcome,
    ) {
        let linked = !o.diags.iter().any(Diagnostic::is_error);
        if linked {
            match self.render(&site, out, o, true) {
                Ok(()) => {
                    o.ok = true;
                    self.docs.dirty.clear();
                    self.settled(&site);
                    let warnings = o.diags.clone();
                    self.kept = Some(Kept {
                        site,
                        resolver,
                        warnings,
                    });
                    return;
                }
                Err(d) => o.diags.extend(d),
            }
        }
        // Judged after rendering: a site whose render failed goes back as unlinked.
        let linked = !o.diags.iter().any(Diagnostic::is_error);
        self.restore(site, linked);
    }

    /// A patched rebuild's warnings: the last link's still stand, but for the
    /// patched files', whose warnings now are only those of parsing them (a
    /// patch refuses an edit that the link would warn about).
    fn standing_warnings(&self, k: &mut Kept) -> Vec<Diagnostic> {
        let dirty = &self.docs.dirty;
        k.warnings.retain(|d| {
            !d.file
                .strip_prefix("content/")
                .is_some_and(|p| dirty.contains(p))
        });
        for p in dirty {
            k.warnings
                .extend(self.docs.warnings.get(p).into_iter().flatten().cloned());
        }
        crate::diag::sort(&mut k.warnings);
        k.warnings.clone()
    }

    /// After a good render: nothing is left to redo, every page agrees with
    /// "now"; note when that ends.
    fn settled(&mut self, site: &Site) {
        self.redo = Redo::NOTHING;
        self.next_tick = self.now.and_then(|n| crate::render::next_change(site, &n));
    }

    /// Give a site's documents and body renders back to [`Docs`] and the cache.
    /// `linked`: the site linked without errors (its field renders are whole).
    fn restore(&mut self, site: Site, linked: bool) {
        let md = &self.md;
        self.docs.restore(site, linked, |text, from, id, r| {
            md.put_back(text, from, id, r)
        });
    }

    /// Read sitrep.toml again: every render and memo entry may be stale.
    fn reload_config(&mut self) -> Result<(), Vec<Diagnostic>> {
        let opts = BuildOptions {
            root: self.root.clone(),
            base_url: Some(self.base_url.clone()),
            drafts: self.drafts,
            internal: self.docs.audience.is_internal(),
            ..Default::default()
        };
        let config = build::load_config(&opts).map_err(|f| f.diagnostics().to_vec())?;
        self.config = Some(config);
        self.tera = None;
        self.hashes.clear();
        self.memo.clear();
        self.redo.add(Redo::Markdown);
        Ok(())
    }

    /// sitrep.toml and the theme; static files are published right away.
    fn reload_settings(
        &mut self,
        changes: &Changes,
        out: &mut dyn Publish,
    ) -> Result<(), Vec<Diagnostic>> {
        let mut theme_too = changes.templates || changes.statics || self.theme.is_none();
        if changes.config || changes.rescan || self.config.is_none() {
            self.reload_config()?;
            theme_too = true;
        }
        if !theme_too {
            return Ok(());
        }
        let Some(config) = self.config.as_mut() else {
            return Ok(());
        };
        let label = config.internal_label.clone();
        let theme = stages::theme(&self.root, config)?;
        if config.internal_label != label {
            // Rendered Markdown holds the label of internal notes.
            self.redo.add(Redo::Markdown);
        }
        if self
            .theme
            .as_ref()
            .is_some_and(|t| t.strings != theme.strings)
        {
            // `t()` reads the strings outside any page's context: every page
            // renders again.
            self.tera = None;
            self.hashes.clear();
            self.redo.add(Redo::Everything);
        }
        if self.theme.as_ref().map(|t| &t.templates) != Some(&theme.templates) {
            // Pages are checked again, and re-rendered where their
            // template's version changed (see `templates.rs`).
            self.tera = None;
            self.versions = super::templates::versions(&theme.templates);
            self.redo.add(Redo::Patch(Check::All));
        }
        self.publish_statics(theme, out)
    }

    /// Take the new theme, publishing its static files (held in memory: they
    /// are few and small, and unchanged ones are not announced).
    fn publish_statics(
        &mut self,
        theme: Theme,
        out: &mut dyn Publish,
    ) -> Result<(), Vec<Diagnostic>> {
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

    /// Content assets are served from disk: publish them at once (announcing
    /// written ones, which are already served). True if the set of assets
    /// changed: links to them resolve differently, so the site is re-linked.
    fn publish_assets(&mut self, out: &mut dyn Publish) -> bool {
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
            return false;
        }
        let moved = self.served_assets.keys().ne(self.docs.assets.keys());
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
        moved
    }

    /// What is served at `path`: an asset, else a static file, else a page
    /// (`page` overrides the page layer, for pages not yet committed). An
    /// asset at a page's path is an error the render reports
    /// ([`crate::render::collisions`]); until it is fixed the page stays.
    fn effective(&self, path: &str, page: Option<&Arc<[u8]>>) -> Option<Body> {
        let page = page.or_else(|| self.pages.get(path));
        if let Some(a) = self.served_assets.get(path)
            && page.is_none()
        {
            return Some(Body::File(a.clone()));
        }
        if let Some(s) = self.statics.get(path) {
            return Some(s.clone());
        }
        page.map(|b| Body::Bytes(b.clone()))
    }

    /// Link every document (lent from [`Docs`]; give them back with
    /// `restore`). Files whose Markdown was rendered afresh count as changed
    /// until a build succeeds, like edited ones.
    fn link(&mut self, config: Config) -> Linked {
        // Cached Markdown naming a link target that changed is stale.
        let mut targets = cache::targets(self.docs.documents(), self.drafts);
        // Links to content files resolve by their names too.
        targets.extend(self.docs.assets.keys().map(|k| (k.clone(), "asset".into())));
        let names = cache::changed_names(&self.targets, &targets);
        if self.redo.take_markdown() || names.len() > MANY_NAMES {
            // Stale renders, or a mass change (a checkout, a first build) that
            // would cost more to scan than to render again.
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
        let quiet = stages::visibility(&docs, self.docs.absent(), &mut diags);
        let mut linked = link::link_with(config, docs, assets, self.drafts, &quiet, &self.md);
        let misses = self.md.end_round();
        self.docs.dirty.extend(misses);
        diags.append(&mut linked.diags);
        linked.diags = diags;
        linked
    }
}

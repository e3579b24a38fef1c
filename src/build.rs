//! The pipeline, top to bottom: options in, a built site (or every problem) out.
//! load → parse → visibility (public or internal) → link (validate, index,
//! Markdown) → render → write.

use crate::config::Config;
use crate::diag::{Diagnostic, Severity};
use crate::link::Site;
use crate::model::Document;
use crate::render::{Now, Sink};
use crate::theme::Theme;
use crate::{frontmatter, link, load, render, theme, visibility, write};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// Options resolved once from the command line.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    /// `--internal`: include everything marked internal (see [`crate::visibility`]).
    pub internal: bool,
    pub force: bool,
    /// Counters the caller may watch while the build runs (a progress bar).
    pub progress: Option<Arc<Progress>>,
}

/// Live counts of a build, updated as files are written: `pages` of
/// `pages_total` HTML pages, `feeds` (Atom and JSON feeds), `bytes` in all;
/// and, once it ends, the time of each stage, also when it failed.
#[derive(Debug, Default)]
pub struct Progress {
    pub pages_total: AtomicUsize,
    pub pages: AtomicUsize,
    pub feeds: AtomicUsize,
    pub bytes: AtomicU64,
    pub timings: std::sync::Mutex<Timings>,
}

/// Wall time of each stage. `render` includes writing each file as it is
/// rendered; `write` is swapping the finished output in (and removing the old).
#[derive(Debug, Default, Clone)]
pub struct Timings {
    pub load: Duration,
    pub parse: Duration,
    pub link: Duration,
    pub render: Duration,
    pub write: Duration,
}

impl Timings {
    pub fn stages(&self) -> [(&'static str, Duration); 5] {
        [
            ("load", self.load),
            ("parse", self.parse),
            ("link", self.link),
            ("render", self.render),
            ("write", self.write),
        ]
    }
}

/// A run that did not produce a site. `Usage` maps to exit code 2, `Content` to 1.
#[derive(Debug)]
pub enum Failure {
    Usage(Vec<Diagnostic>),
    Content(Vec<Diagnostic>),
}

impl Failure {
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Failure::Usage(d) | Failure::Content(d) => d,
        }
    }
}

/// What a successful run reports: warnings, and what was written (stage times
/// are in [`Progress`], for failed runs too).
#[derive(Debug, Default)]
pub struct Report {
    pub warnings: Vec<Diagnostic>,
    pub output: Option<PathBuf>,
    pub pages: usize,
    pub feeds: usize,
    pub bytes: u64,
}

pub fn load_config(opts: &BuildOptions) -> Result<Config, Failure> {
    let path = opts.root.join("sitrep.toml");
    if !path.is_file() {
        return Err(Failure::Usage(vec![Diagnostic::error("sitrep.toml", format!("no sitrep.toml in `{}`", opts.root.display()))
            .hint("run sitrep in the site's folder, pass --root, or create a site with `sitrep init DIR`")]));
    }
    let text = load::read_text(&path, "sitrep.toml").map_err(|d| Failure::Usage(vec![d]))?;
    let mut config = Config::parse("sitrep.toml", text).map_err(Failure::Usage)?;
    config.audience = crate::visibility::Audience::from_flag(opts.internal);
    match &opts.base_url {
        Some(u) => config
            .with_base_url(u)
            .map_err(|m| Failure::Usage(vec![Diagnostic::error("--base-url", m)])),
        None => Ok(config),
    }
}

/// Load, parse and link: the site model, or every problem (warnings included).
pub fn parse_site(root: &Path, config: Config, drafts: bool) -> (Option<Site>, Vec<Diagnostic>) {
    parse_site_timed(root, config, drafts, &mut Timings::default())
}

/// [`parse_site`], adding each stage's time to `t`.
pub fn parse_site_timed(
    root: &Path,
    config: Config,
    drafts: bool,
    t: &mut Timings,
) -> (Option<Site>, Vec<Diagnostic>) {
    let loaded = timed(&mut t.load, || load::load(root));
    let mut diags = loaded.diags;
    let (docs, more, mut unparsed) = timed(&mut t.parse, || parse_docs(loaded.docs));
    diags.extend(more);
    let (docs, hidden) = visibility::filter(docs, config.audience);
    diags.extend(visibility::mentions(&docs, &hidden));
    // References to a hidden incident are not errors either: they render as text.
    unparsed.extend(hidden.iter().map(|id| id.key()));
    let (site, more) = timed(&mut t.link, || {
        link::link(config, docs, loaded.assets, drafts, &unparsed)
    });
    diags.extend(more);
    let site = site.filter(|_| !diags.iter().any(Diagnostic::is_error));
    (site, diags)
}

fn timed<T>(slot: &mut Duration, f: impl FnOnce() -> T) -> T {
    let clock = Instant::now();
    let out = f();
    *slot += clock.elapsed();
    out
}

/// Front matter of every file, in parallel: the documents, their problems, and
/// the IDs of incident files that failed to parse (references to them are not
/// reported again as unknown: the file's own error says what to fix).
fn parse_docs(sources: Vec<load::SourceDoc>) -> (Vec<Document>, Vec<Diagnostic>, HashSet<String>) {
    let parsed: Vec<_> = sources
        .into_par_iter()
        .map(|d| {
            let failed_id = || frontmatter::declared_id(&d.source).map(|id| id.key());
            let (doc, ds) = frontmatter::parse_full(d.kind, d.source.clone(), &d.content_path);
            let unparsed = if doc.is_none() && d.kind == frontmatter::DocKind::Incident {
                failed_id()
            } else {
                None
            };
            (doc, ds, unparsed)
        })
        .collect();
    let mut docs = Vec::with_capacity(parsed.len());
    let (mut diags, mut unparsed) = (Vec::new(), HashSet::new());
    for (doc, ds, id) in parsed {
        docs.extend(doc);
        diags.extend(ds);
        unparsed.extend(id);
    }
    (docs, diags, unparsed)
}

pub fn now() -> Result<Now, Failure> {
    crate::time::now()
        .map(Now)
        .map_err(|m| Failure::Usage(vec![Diagnostic::error("SOURCE_DATE_EPOCH", m)]))
}

/// The config, the theme (with the site's interface strings) and "now": what
/// every command that renders needs first.
pub fn prepare(opts: &BuildOptions) -> Result<(Config, Theme, Now), Failure> {
    let mut config = load_config(opts)?;
    let theme = theme::load(&opts.root, &config).map_err(Failure::Usage)?;
    config.internal_label = theme.strings.get("incident.internal").to_string();
    Ok((config, theme, now()?))
}

fn finish(mut diags: Vec<Diagnostic>) -> Result<Vec<Diagnostic>, Failure> {
    crate::diag::sort(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        Err(Failure::Content(diags))
    } else {
        Ok(diags)
    }
}

fn output_dir(opts: &BuildOptions, config: &Config) -> PathBuf {
    opts.output
        .clone()
        .unwrap_or_else(|| opts.root.join(&config.output_dir))
}

/// An output folder sitrep will not replace: point at `output_dir` in sitrep.toml,
/// or at the flag that chose it.
fn refusal(opts: &BuildOptions, config: &Config, write::Refusal(m, h): write::Refusal) -> Failure {
    let d = if opts.output.is_some() {
        Diagnostic::error("--output", m)
    } else {
        config.key_error("output_dir", m)
    };
    Failure::Usage(vec![d.hint(h)])
}

/// Discards output: `check` renders everything so it reports what `build` would.
struct NullSink;
impl Sink for NullSink {
    fn put(&self, _: &str, _: Vec<u8>) -> std::io::Result<()> {
        Ok(())
    }
    fn copy(&self, _: &str, _: &Path) -> std::io::Result<()> {
        Ok(())
    }
}

/// Counts what passes through to `inner` into a [`Progress`].
struct Counting<'a, S> {
    inner: S,
    progress: &'a Progress,
}

impl<S: Sink> Counting<'_, S> {
    fn count(&self, path: &str, bytes: u64) {
        let p = self.progress;
        if path.ends_with(".html") {
            p.pages.fetch_add(1, Relaxed);
        } else if path.ends_with("atom.xml") || path.ends_with("feed.json") {
            p.feeds.fetch_add(1, Relaxed);
        }
        p.bytes.fetch_add(bytes, Relaxed);
    }
}

impl<S: Sink> Sink for Counting<'_, S> {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        let n = bytes.len() as u64;
        self.inner.put(path, bytes)?;
        self.count(path, n);
        Ok(())
    }
    fn copy(&self, path: &str, from: &Path) -> std::io::Result<()> {
        self.inner.copy(path, from)?;
        self.count(path, std::fs::metadata(from).map_or(0, |m| m.len()));
        Ok(())
    }
}

/// Render the whole site into `inner`, counting into `progress`.
fn render_counted(
    site: &Site,
    theme: &Theme,
    now: &Now,
    inner: impl Sink,
    progress: &Progress,
) -> render::RenderResult {
    progress
        .pages_total
        .store(render::html_page_count(site), Relaxed);
    render::render_all(site, theme, now, &Counting { inner, progress })
}

fn report(warnings: Vec<Diagnostic>, output: Option<PathBuf>, p: &Progress) -> Report {
    Report {
        warnings,
        output,
        pages: p.pages.load(Relaxed),
        feeds: p.feeds.load(Relaxed),
        bytes: p.bytes.load(Relaxed),
    }
}

/// `sitrep check`: every error and warning, nothing written.
pub fn check(opts: &BuildOptions) -> Result<Report, Failure> {
    let mut t = Timings::default();
    let result = check_timed(opts, &mut t);
    keep_timings(opts, t);
    result
}

/// The stage times of a run that ended, in its [`Progress`] (if it has one).
fn keep_timings(opts: &BuildOptions, t: Timings) {
    if let Some(p) = &opts.progress
        && let Ok(mut slot) = p.timings.lock()
    {
        *slot = t;
    }
}

fn check_timed(opts: &BuildOptions, t: &mut Timings) -> Result<Report, Failure> {
    let (config, theme, now) = timed(&mut t.load, || prepare(opts))?;
    // What `build` would refuse whatever the flags; a foreign folder needs --force
    // only at build time.
    write::check_location(&opts.root, &output_dir(opts, &config))
        .map_err(|r| refusal(opts, &config, r))?;
    let (site, mut diags) = parse_site_timed(&opts.root, config, opts.drafts, t);
    diags.extend(theme.warnings.iter().cloned());
    let progress = opts.progress.clone().unwrap_or_default();
    if let Some(mut site) = site {
        site.release_sources();
        if let Err(more) = timed(&mut t.render, || {
            render_counted(&site, &theme, &now, NullSink, &progress)
        }) {
            diags.extend(more);
        }
    }
    Ok(report(finish(diags)?, None, &progress))
}

/// `sitrep build`: the whole pipeline, written atomically.
pub fn build(opts: &BuildOptions) -> Result<Report, Failure> {
    let mut t = Timings::default();
    let result = build_timed(opts, &mut t);
    keep_timings(opts, t);
    result
}

fn build_timed(opts: &BuildOptions, t: &mut Timings) -> Result<Report, Failure> {
    let (config, theme, now) = timed(&mut t.load, || prepare(opts))?;
    let output = output_dir(opts, &config);
    write::check_output(&opts.root, &output, opts.force).map_err(|r| refusal(opts, &config, r))?;
    let (site, mut diags) = parse_site_timed(&opts.root, config, opts.drafts, t);
    diags.extend(theme.warnings.iter().cloned());
    let Some(mut site) = site else {
        return finish(diags).map(|_| Report::default());
    };
    site.release_sources();
    let io_err = |e: std::io::Error| {
        Failure::Content(vec![Diagnostic::error(
            output.display().to_string(),
            format!("cannot write the output: {e}"),
        )])
    };
    let staging = write::Staging::new(&output).map_err(io_err)?;
    let progress = opts.progress.clone().unwrap_or_default();
    let sink = write::DirSink::new(staging.path());
    if let Err(more) = timed(&mut t.render, || {
        render_counted(&site, &theme, &now, sink, &progress)
    }) {
        let mut all = diags;
        all.extend(more);
        return finish(all).map(|_| Report::default());
    }
    timed(&mut t.write, || staging.commit()).map_err(io_err)?;
    Ok(report(finish(diags)?, Some(output), &progress))
}

/// Used by tests and serve: warnings only, as a convenience.
pub fn warnings(diags: &[Diagnostic]) -> Vec<Diagnostic> {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .cloned()
        .collect()
}

//! The pipeline, top to bottom: options in, a built site (or every problem) out.
//! load → parse → visibility (public or internal) → link (validate, index,
//! Markdown) → render → write.

use crate::config::Config;
use crate::diag::{Diagnostic, Severity};
use crate::link::Site;
use crate::model::{Document, IncidentId};
use crate::render::reuse;
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
    /// HTML pages a build left as the previous build wrote them, unrendered.
    pub reused: AtomicUsize,
    pub timings: std::sync::Mutex<Timings>,
}

/// Wall time of each stage. `render` includes comparing each file with the
/// previous output and staging it as it is rendered; `write` is moving the
/// staged files in (or the first build's folder into place).
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
    /// What the build changed in the output folder.
    pub written: write::Written,
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
    parse_site_with(root, config, drafts, t, None, None)
}

/// A content file's text to check in place of what is on disk: the edit
/// `sitrep update` is about to write.
#[derive(Debug, Clone)]
pub struct Substitute {
    /// Path relative to `content/`, `/`-separated.
    pub content_path: String,
    pub text: String,
}

fn parse_site_with(
    root: &Path,
    config: Config,
    drafts: bool,
    t: &mut Timings,
    substitute: Option<&Substitute>,
    now: Option<&Now>,
) -> (Option<Site>, Vec<Diagnostic>) {
    let mut loaded = timed(&mut t.load, || load::load(root));
    if let Some(s) = substitute
        && let Some(d) = loaded
            .docs
            .iter_mut()
            .find(|d| d.content_path == s.content_path)
    {
        d.text = Some(s.text.clone());
    }
    let mut diags = loaded.diags;
    let (docs, hidden, more, mut unparsed) =
        timed(&mut t.parse, || parse_docs(loaded.docs, config.audience));
    diags.extend(more);
    diags.extend(visibility::mentions(&docs, &hidden));
    if let Some(now) = now {
        // Before link: it lets the file texts these warnings quote go.
        let incidents: Vec<&crate::model::Incident> = docs
            .iter()
            .filter_map(|d| match d {
                Document::Incident(i) if drafts || !i.draft => Some(&**i),
                _ => None,
            })
            .collect();
        diags.extend(crate::nowchecks::warnings(&incidents, &config, now.0));
    }
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

/// Front matter of every file, in parallel, each file read as it is parsed
/// and shown to `audience` ([`visibility::admit`]): the documents shown (their
/// incidents' and stories' texts packed until link renders their Markdown),
/// the hidden incidents' IDs, every problem, and the IDs of incident files
/// that failed to parse (references to them are not reported again as
/// unknown: the file's own error says what to fix).
fn parse_docs(
    sources: Vec<load::SourceDoc>,
    audience: visibility::Audience,
) -> (
    Vec<Document>,
    Vec<IncidentId>,
    Vec<Diagnostic>,
    HashSet<String>,
) {
    let parsed: Vec<_> = sources
        .into_par_iter()
        .map(|d| {
            let source = match d.read() {
                Ok(s) => s,
                Err(e) => return (None, vec![e], None),
            };
            let failed_id = || frontmatter::declared_id(&source).map(|id| id.key());
            let (doc, ds) = frontmatter::parse_full(d.kind, source.clone(), &d.content_path);
            let unparsed = if doc.is_none() && d.kind == frontmatter::DocKind::Incident {
                failed_id()
            } else {
                None
            };
            drop(source);
            let seen = doc.map(|doc| match visibility::admit(doc, audience) {
                visibility::Seen::Shown(mut doc) => {
                    match &mut doc {
                        Document::Incident(i) => i.origin.pack_text(),
                        Document::News(n) => n.origin.pack_text(),
                        Document::Page(_) | Document::Home(_) => {}
                    }
                    visibility::Seen::Shown(doc)
                }
                hidden => hidden,
            });
            (seen, ds, unparsed)
        })
        .collect();
    let (mut docs, mut hidden) = (Vec::with_capacity(parsed.len()), Vec::new());
    let (mut diags, mut unparsed) = (Vec::new(), HashSet::new());
    for (seen, ds, id) in parsed {
        match seen {
            Some(visibility::Seen::Shown(d)) => docs.push(d),
            Some(visibility::Seen::Hidden(id)) => hidden.extend(id),
            None => {}
        }
        diags.extend(ds);
        unparsed.extend(id);
    }
    (docs, hidden, diags, unparsed)
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
struct Counting<'a> {
    inner: &'a dyn Sink,
    progress: &'a Progress,
}

impl Counting<'_> {
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

impl Sink for Counting<'_> {
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
    fn stopped(&self) -> bool {
        self.inner.stopped()
    }
}

/// Render the whole site into `inner`, counting into `progress`.
fn render_counted(
    site: &Site,
    theme: &Theme,
    now: &Now,
    inner: &dyn Sink,
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
        written: write::Written::default(),
    }
}

/// `sitrep check`: every error and warning, nothing written.
pub fn check(opts: &BuildOptions) -> Result<Report, Failure> {
    let mut t = Timings::default();
    let result = check_timed(opts, &mut t, None);
    keep_timings(opts, t);
    result
}

/// [`check`] of the site with one file's text replaced, in memory.
pub fn check_edited(opts: &BuildOptions, substitute: &Substitute) -> Result<Report, Failure> {
    check_timed(opts, &mut Timings::default(), Some(substitute))
}

/// The stage times of a run that ended, in its [`Progress`] (if it has one).
fn keep_timings(opts: &BuildOptions, t: Timings) {
    if let Some(p) = &opts.progress
        && let Ok(mut slot) = p.timings.lock()
    {
        *slot = t;
    }
}

fn check_timed(
    opts: &BuildOptions,
    t: &mut Timings,
    substitute: Option<&Substitute>,
) -> Result<Report, Failure> {
    let (config, theme, now) = timed(&mut t.load, || prepare(opts))?;
    // What `build` would refuse whatever the flags; a foreign folder needs --force
    // only at build time.
    write::check_location(&opts.root, &output_dir(opts, &config))
        .map_err(|r| refusal(opts, &config, r))?;
    let (site, mut diags) =
        parse_site_with(&opts.root, config, opts.drafts, t, substitute, Some(&now));
    diags.extend(theme.warnings.iter().cloned());
    let progress = opts.progress.clone().unwrap_or_default();
    if let Some(mut site) = site {
        site.release_sources();
        if let Err(more) = timed(&mut t.render, || {
            render_counted(&site, &theme, &now, &NullSink, &progress)
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
    // Undo a killed build's update first, so even a build that fails on its
    // content leaves the previous output whole.
    write::recover(&output).map_err(|e| Failure::Content(vec![e.diagnostic()]))?;
    let (site, mut diags) = parse_site_with(&opts.root, config, opts.drafts, t, None, Some(&now));
    diags.extend(theme.warnings.iter().cloned());
    let Some(mut site) = site else {
        return finish(diags).map(|_| Report::default());
    };
    site.release_sources();
    let write_err = |e: write::WriteError| Failure::Content(vec![e.diagnostic()]);
    let staging = write::Staging::new(&output).map_err(write_err)?;
    let progress = opts.progress.clone().unwrap_or_default();
    let sink = staging.sink();
    let rendered = timed(&mut t.render, || -> Result<_, Vec<Diagnostic>> {
        let reuse = reuse::prepare(&site, &theme, opts.drafts, &output);
        progress
            .pages_total
            .store(render::html_page_count(&site), Relaxed);
        let counted = Counting {
            inner: &sink,
            progress: &progress,
        };
        let done = render::render_reusing(&site, &theme, &now, &counted, Some(&reuse))?;
        Ok(done.inspect(|d| reuse::keep(d, &sink, &progress)))
    });
    // A stopped write stage is the one problem to report: render's own
    // diagnostics after it would be about files it never got to write.
    let produced = sink.finish().map_err(write_err)?;
    let done = match rendered {
        Ok(done) => done,
        Err(more) => {
            let mut all = diags;
            all.extend(more);
            return finish(all).map(|_| Report::default());
        }
    };
    let written = timed(&mut t.write, || {
        // The old manifest goes before the output changes, the new one
        // comes after: none is ever wrong about the output.
        write::manifest::invalidate(&output)?;
        let written = staging.commit(produced)?;
        reuse::leave(done, &output);
        Ok(written)
    })
    .map_err(write_err)?;
    let mut r = report(finish(diags)?, Some(output), &progress);
    r.written = written;
    Ok(r)
}

/// Used by tests and serve: warnings only, as a convenience.
pub fn warnings(diags: &[Diagnostic]) -> Vec<Diagnostic> {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .cloned()
        .collect()
}

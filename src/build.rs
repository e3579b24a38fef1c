//! The pipeline, top to bottom: options in, a built site (or every problem)
//! out. load → parse → visibility (public or internal) → now checks (what
//! "now" says) → link (validate, index, Markdown) → render → write. `build` and
//! `check` are one pipeline that differs only in where rendered files go;
//! serve's Engine runs the same stage functions ([`crate::stages`]) on what
//! an edit touched.

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::link::Site;
use crate::model::Document;
use crate::render::reuse;
use crate::render::{Now, Sink};
use crate::theme::Theme;
use crate::{link, load, render, stages, write};
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
    /// Machine jobs (feeds, API files, badges, the search index, …: see
    /// `render/machine.rs`) run, and those left unrun with their files kept.
    pub jobs_run: AtomicUsize,
    pub jobs_reused: AtomicUsize,
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

/// `sitrep build`: the whole pipeline, written atomically.
pub fn build(opts: &BuildOptions) -> Result<Report, Failure> {
    run(opts, Run::Build)
}

/// `sitrep check`: every error and warning, nothing written.
pub fn check(opts: &BuildOptions) -> Result<Report, Failure> {
    run(opts, Run::Check(None))
}

/// [`check`] of the site with one file's text replaced, in memory.
pub fn check_edited(opts: &BuildOptions, substitute: &Substitute) -> Result<Report, Failure> {
    run(opts, Run::Check(Some(substitute)))
}

/// A content file's text to check in place of what is on disk: the edit
/// `sitrep update` is about to write.
#[derive(Debug, Clone)]
pub struct Substitute {
    /// Path relative to `content/`, `/`-separated.
    pub content_path: String,
    pub text: String,
}

/// What a run does with the rendered site.
#[derive(Clone, Copy)]
enum Run<'a> {
    /// Render everything into nothing, so it reports what `build` would;
    /// with one file's text replaced, if given.
    Check(Option<&'a Substitute>),
    /// Write the output folder.
    Build,
}

/// The pipeline of `build` and `check`, its stage times kept in the
/// options' [`Progress`] also when it fails.
fn run(opts: &BuildOptions, how: Run) -> Result<Report, Failure> {
    let mut t = Timings::default();
    let result = pipeline(opts, how, &mut t);
    if let Some(p) = &opts.progress
        && let Ok(mut slot) = p.timings.lock()
    {
        *slot = t;
    }
    result
}

fn pipeline(opts: &BuildOptions, how: Run, t: &mut Timings) -> Result<Report, Failure> {
    let Prepared { config, theme, now } = timed(&mut t.load, || prepare(opts))?;
    let output = destination(opts, &config, how)?;
    // Started before parse: it reads the previous output meanwhile.
    let write_err = |e: write::WriteError| Failure::Content(vec![e.diagnostic()]);
    let staging = (output.as_deref().map(write::Staging::new))
        .transpose()
        .map_err(write_err)?;
    let edit = match how {
        Run::Check(edit) => edit,
        Run::Build => None,
    };
    let model = model(&opts.root, config, opts.drafts, t, edit, Some(&now));
    let mut diags = model.diags;
    diags.extend(theme.warnings.iter().cloned());
    let Some(mut site) = model.site else {
        return finish(diags).map(|_| Report::default());
    };
    site.release_sources();
    crate::trim::trim();
    let progress = opts.progress.clone().unwrap_or_default();
    let render = |sink: &dyn Sink| render(&site, &theme, &now, sink, &progress);
    let (rendered, done) = match (&output, staging) {
        (Some(folder), Some(staging)) => {
            let how = Reusing {
                site: &site,
                theme: &theme,
                now: &now,
                drafts: opts.drafts,
                progress: &progress,
            };
            match write(folder, staging, t, how)? {
                Ok((written, done)) => (Ok(written), done),
                Err(more) => (Err(more), None),
            }
        }
        _ => (
            timed(&mut t.render, || render(&NullSink)).map(|()| write::Written::default()),
            None,
        ),
    };
    // The next build's manifest goes last, once the site is let go of: at
    // 100,000 incidents the two together were the build's peak memory.
    drop(site);
    if let (Some(folder), Some(done)) = (&output, done) {
        timed(&mut t.write, || reuse::leave(Some(done), folder));
    }
    let written = match rendered {
        Ok(w) => w,
        Err(more) => {
            diags.extend(more);
            return finish(diags).map(|_| Report::default());
        }
    };
    Ok(Report {
        warnings: finish(diags)?,
        output,
        pages: progress.pages.load(Relaxed),
        feeds: progress.feeds.load(Relaxed),
        bytes: progress.bytes.load(Relaxed),
        written,
    })
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

pub fn now() -> Result<Now, Failure> {
    crate::time::now()
        .map(Now)
        .map_err(|m| Failure::Usage(vec![Diagnostic::error("SOURCE_DATE_EPOCH", m)]))
}

/// What every command that renders needs first.
pub struct Prepared {
    pub config: Config,
    /// With the site's interface strings.
    pub theme: Theme,
    pub now: Now,
}

pub fn prepare(opts: &BuildOptions) -> Result<Prepared, Failure> {
    let mut config = load_config(opts)?;
    let theme = stages::theme(&opts.root, &mut config).map_err(Failure::Usage)?;
    Ok(Prepared {
        config,
        theme,
        now: now()?,
    })
}

/// Every HTML page's template and context as JSON, as the build would render
/// them: for checking docs/templates.md and theme fixtures against
/// (`render::template_contexts`). Writes nothing.
pub fn template_contexts(opts: &BuildOptions) -> Result<Vec<(String, serde_json::Value)>, Failure> {
    let Prepared { config, theme, now } = prepare(opts)?;
    let m = model(
        &opts.root,
        config,
        opts.drafts,
        &mut Timings::default(),
        None,
        None,
    );
    let site = m.site.ok_or(Failure::Content(m.diags))?;
    crate::render::template_contexts(&site, &theme, &now).map_err(Failure::Content)
}

/// The output folder a build writes (`None` for `check`, which writes
/// nothing), after checking what `build` would refuse whatever the flags; a
/// foreign folder needs `--force` only at build time. A build first undoes a
/// killed build's update, so even one that fails on its content leaves the
/// previous output whole.
fn destination(opts: &BuildOptions, config: &Config, how: Run) -> Result<Option<PathBuf>, Failure> {
    let output = opts
        .output
        .clone()
        .unwrap_or_else(|| opts.root.join(&config.output_dir));
    let refused = |r| refusal(opts, config, r);
    if let Run::Check(_) = how {
        write::check_location(&opts.root, &output).map_err(refused)?;
        return Ok(None);
    }
    write::check_output(&opts.root, &output, opts.force).map_err(refused)?;
    write::recover(&output).map_err(|e| Failure::Content(vec![e.diagnostic()]))?;
    Ok(Some(output))
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

/// A site through load, parse, visibility, now checks and link: linked if no
/// stage found an error; every problem either way (warnings too).
pub(crate) struct Model {
    pub site: Option<Site>,
    pub diags: Vec<Diagnostic>,
}

/// Load → parse → visibility → now checks → link. `edit`: one file's text to
/// parse instead of the file's; `now`: also the clock's warnings.
pub(crate) fn model(
    root: &Path,
    config: Config,
    drafts: bool,
    t: &mut Timings,
    edit: Option<&Substitute>,
    now: Option<&Now>,
) -> Model {
    let loaded = timed(&mut t.load, || load(root, edit));
    let mut diags = loaded.diags;
    let parsed = timed(&mut t.parse, || {
        stages::parse_all(loaded.docs, config.audience)
    });
    diags.extend(parsed.diags);
    let quiet = stages::visibility(&parsed.docs, parsed.absent, &mut diags);
    if let Some(now) = now {
        // Before link: it lets go of the file texts these warnings quote.
        let built = parsed.docs.iter().filter_map(|d| match d {
            Document::Incident(i) if drafts || !i.draft => Some(&**i),
            _ => None,
        });
        diags.extend(stages::now_checks(built, &config, now));
    }
    let linked = timed(&mut t.link, || {
        link::link(config, parsed.docs, loaded.assets, drafts, &quiet)
    });
    diags.extend(linked.diags);
    let failed = diags.iter().any(Diagnostic::is_error);
    Model {
        site: (!failed).then_some(linked.site),
        diags,
    }
}

/// Load: the content files found, `edit`'s text in place of its file's.
fn load(root: &Path, edit: Option<&Substitute>) -> load::Loaded {
    let mut loaded = load::load(root);
    if let Some(s) = edit
        && let Some(d) = loaded
            .docs
            .iter_mut()
            .find(|d| d.content_path == s.content_path)
    {
        d.text = Some(s.text.clone());
    }
    loaded
}

/// Render: the whole site into `inner`, counting into `progress`.
fn render(
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

/// What a build renders with, reusing the previous build's pages where
/// their reads did not change (`render/reuse.rs`).
struct Reusing<'a> {
    site: &'a Site,
    theme: &'a Theme,
    now: &'a Now,
    drafts: bool,
    progress: &'a Progress,
}

/// Tell the sink and the progress about the pages left as they were.
fn keep(done: &reuse::Done, sink: &write::OutputSink, progress: &Progress) {
    for f in done.kept() {
        sink.keep_path(f);
    }
    let n = done.kept().len();
    progress.pages.fetch_add(n, Relaxed);
    progress.reused.fetch_add(n, Relaxed);
    let (run, kept) = done.jobs();
    progress.jobs_run.fetch_add(run, Relaxed);
    progress.jobs_reused.fetch_add(kept, Relaxed);
    progress.bytes.fetch_add(done.kept_bytes(), Relaxed);
}

/// What a committed build leaves: the files it moved, and the next
/// manifest, still to be written.
type Committed = (write::Written, Option<reuse::Done>);

/// Write: render into the output folder's staging (the pages whose reads did
/// not change left out, their files kept), then the changed files moved in
/// — unless render failed (`Ok(Err)`: its problems; nothing moved). Returns
/// the next manifest too, for the caller to leave (`reuse::leave`) once the
/// site is gone. A
/// stopped write stage (a full disk) is the one problem to report: render's
/// own diagnostics after it would be about files it never got to write.
fn write(
    output: &Path,
    mut staging: write::Staging,
    t: &mut Timings,
    r: Reusing,
) -> Result<Result<Committed, Vec<Diagnostic>>, Failure> {
    let write_err = |e: write::WriteError| Failure::Content(vec![e.diagnostic()]);
    let sink = staging.sink().map_err(write_err)?;
    let rendered = timed(&mut t.render, || -> Result<_, Vec<Diagnostic>> {
        let reuse = reuse::prepare(r.site, r.theme, r.drafts, output);
        (r.progress.pages_total).store(render::html_page_count(r.site), Relaxed);
        let counted = Counting {
            inner: &sink,
            progress: r.progress,
        };
        let done = render::render_reusing(r.site, r.theme, r.now, &counted, Some(&reuse))?;
        Ok(done.inspect(|d| keep(d, &sink, r.progress)))
    });
    let produced = sink.finish().map_err(write_err)?;
    let done = match rendered {
        Ok(done) => done,
        Err(more) => return Ok(Err(more)),
    };
    let written = timed(&mut t.write, || {
        // The old manifest goes before the output changes, the new one
        // comes after: none is ever wrong about the output.
        write::manifest::invalidate(output)?;
        staging.commit(produced)
    })
    .map_err(write_err)?;
    Ok(Ok((written, done)))
}

fn finish(mut diags: Vec<Diagnostic>) -> Result<Vec<Diagnostic>, Failure> {
    crate::diag::sort(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        Err(Failure::Content(diags))
    } else {
        Ok(diags)
    }
}

fn timed<T>(slot: &mut Duration, f: impl FnOnce() -> T) -> T {
    let clock = Instant::now();
    let out = f();
    *slot += clock.elapsed();
    out
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
    fn keep(&self, path: &str, size: u64) {
        self.inner.keep(path, size);
        self.count(path, size);
    }
}

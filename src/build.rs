//! The pipeline, top to bottom: options in, a built site (or every problem) out.
//! load → parse → link (validate, index, Markdown) → render → write.

use crate::config::Config;
use crate::diag::{Diagnostic, Severity};
use crate::link::Site;
use crate::render::{Now, Sink};
use crate::theme::Theme;
use crate::{frontmatter, link, load, render, theme, write};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Options resolved once from the command line.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    pub force: bool,
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

/// What a successful run reports: warnings, and how many files were written.
#[derive(Debug, Default)]
pub struct Report {
    pub warnings: Vec<Diagnostic>,
    pub output: Option<PathBuf>,
}

pub fn load_config(opts: &BuildOptions) -> Result<Config, Failure> {
    let path = opts.root.join("sitrep.toml");
    if !path.is_file() {
        return Err(Failure::Usage(vec![Diagnostic::error("sitrep.toml", format!("no sitrep.toml in `{}`", opts.root.display()))
            .hint("run sitrep in the site's folder, pass --root, or create a site with `sitrep init DIR`")]));
    }
    let text = load::read_text(&path, "sitrep.toml").map_err(|d| Failure::Usage(vec![d]))?;
    let config = Config::parse("sitrep.toml", text).map_err(|d| Failure::Usage(vec![d]))?;
    match &opts.base_url {
        Some(u) => config
            .with_base_url(u)
            .map_err(|m| Failure::Usage(vec![Diagnostic::error("--base-url", m)])),
        None => Ok(config),
    }
}

/// Load, parse and link: the site model, or every problem (warnings included).
pub fn parse_site(root: &Path, config: Config, drafts: bool) -> (Option<Site>, Vec<Diagnostic>) {
    let loaded = load::load(root);
    let mut diags = loaded.diags;
    let parsed: Vec<_> = loaded
        .docs
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
    // IDs of incident files that failed to parse: references to them are not
    // reported again as unknown (the file's own error says what to fix).
    let mut unparsed = std::collections::HashSet::new();
    for (doc, ds, id) in parsed {
        docs.extend(doc);
        diags.extend(ds);
        unparsed.extend(id);
    }
    let (site, more) = link::link(config, docs, loaded.assets, drafts, &unparsed);
    diags.extend(more);
    let site = site.filter(|_| !diags.iter().any(Diagnostic::is_error));
    (site, diags)
}

pub fn now() -> Result<Now, Failure> {
    crate::time::now()
        .map(Now)
        .map_err(|m| Failure::Usage(vec![Diagnostic::error("SOURCE_DATE_EPOCH", m)]))
}

fn prepare(opts: &BuildOptions) -> Result<(Config, Theme, Now), Failure> {
    let config = load_config(opts)?;
    let theme = theme::load(&opts.root, &config).map_err(|d| Failure::Usage(vec![d]))?;
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

/// `sitrep check`: every error and warning, nothing written.
pub fn check(opts: &BuildOptions) -> Result<Vec<Diagnostic>, Failure> {
    let (config, theme, now) = prepare(opts)?;
    // What `build` would refuse whatever the flags; a foreign folder needs --force
    // only at build time.
    write::check_location(&opts.root, &output_dir(opts, &config))
        .map_err(|r| refusal(opts, &config, r))?;
    let (site, mut diags) = parse_site(&opts.root, config, opts.drafts);
    if let Some(mut site) = site {
        site.release_sources();
        if let Err(more) = render::render_all(&site, &theme, &now, &NullSink) {
            diags.extend(more);
        }
    }
    finish(diags)
}

/// `sitrep build`: the whole pipeline, written atomically.
pub fn build(opts: &BuildOptions) -> Result<Report, Failure> {
    let (config, theme, now) = prepare(opts)?;
    let output = output_dir(opts, &config);
    write::check_output(&opts.root, &output, opts.force).map_err(|r| refusal(opts, &config, r))?;
    let (site, diags) = parse_site(&opts.root, config, opts.drafts);
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
    if let Err(more) = render::render_all(&site, &theme, &now, &write::DirSink(staging.path())) {
        let mut all = diags;
        all.extend(more);
        return finish(all).map(|_| Report::default());
    }
    staging.commit().map_err(io_err)?;
    let warnings = finish(diags)?;
    Ok(Report {
        warnings,
        output: Some(output),
    })
}

/// Used by tests and serve: warnings only, as a convenience.
pub fn warnings(diags: &[Diagnostic]) -> Vec<Diagnostic> {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .cloned()
        .collect()
}

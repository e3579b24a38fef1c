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
        .map(|d| frontmatter::parse(d.kind, d.source, &d.content_path))
        .collect();
    let mut docs = Vec::with_capacity(parsed.len());
    for p in parsed {
        match p {
            Ok(doc) => docs.push(doc),
            Err(ds) => {
                // A file with only warnings still counts; reparse is not needed since
                // warnings come with no document only when there were errors too.
                diags.extend(ds);
            }
        }
    }
    let (site, more) = link::link(config, docs, loaded.assets, drafts);
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
    let (site, mut diags) = parse_site(&opts.root, config, opts.drafts);
    if let Some(site) = site
        && let Err(more) = render::render_all(&site, &theme, &now, &NullSink)
    {
        diags.extend(more);
    }
    finish(diags)
}

/// `sitrep build`: the whole pipeline, written atomically.
pub fn build(opts: &BuildOptions) -> Result<Report, Failure> {
    let (config, theme, now) = prepare(opts)?;
    let output = opts
        .output
        .clone()
        .unwrap_or_else(|| opts.root.join(&config.output_dir));
    write::check_output(&opts.root, &output, opts.force).map_err(|write::Refusal(m, h)| {
        Failure::Usage(vec![
            Diagnostic::error(output.display().to_string(), m).hint(h),
        ])
    })?;
    let (site, diags) = parse_site(&opts.root, config, opts.drafts);
    let Some(site) = site else {
        return finish(diags).map(|_| Report::default());
    };
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

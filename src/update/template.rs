//! Update templates: a name (`monitoring`) and an incident's facts in, the
//! text of a timeline entry out. `archetypes/updates/NAME.md` is looked up in
//! the site, then its theme folder, then the built-in theme, each first in a
//! folder named for the site's `language` (`updates/de/NAME.md`), and rendered
//! with Tera (no HTML escaping: the result is Markdown).

use crate::build::Failure;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::i18n::Strings;
use crate::model::{Incident, Severity, Status};
use crate::time::Timestamp;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What an update template is given as `incident`: its front matter,
/// normalised, with times as the site shows them (zone and language).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Facts {
    pub id: String,
    pub title: String,
    pub services: Vec<String>,
    pub regions: Vec<String>,
    pub components: Vec<String>,
    pub severity: Option<&'static str>,
    /// Error terms (code, else message).
    pub errors: Vec<String>,
    /// The status after this update.
    pub status: &'static str,
    pub started: String,
    /// The promised next update after this one, if any.
    pub next_update: Option<String>,
    /// When this update is posted.
    pub at: String,
}

/// The times a template shows, already in the site's zone and words.
pub(crate) struct Times<'a> {
    pub strings: &'a Strings,
    pub tz: &'a jiff::tz::TimeZone,
    pub at: Timestamp,
    pub next_update: Option<Timestamp>,
}

impl Facts {
    pub(crate) fn of(inc: &Incident, status: Status, t: &Times) -> Facts {
        let show = |ts: &Timestamp| ts.display_in(t.tz, t.strings);
        Facts {
            id: inc.id.to_string(),
            title: inc.title.clone(),
            services: inc.services.clone(),
            regions: inc.regions.clone(),
            components: inc.components.clone(),
            severity: inc.severity.map(Severity::as_str),
            errors: inc.errors.iter().map(|e| e.term().to_string()).collect(),
            status: status.as_str(),
            started: show(&inc.started),
            next_update: t.next_update.as_ref().map(show),
            at: show(&t.at),
        }
    }
}

const BUILT_IN: &str = "(built-in theme)";

/// A template name is a file name: letters, digits, `-` and `_`.
fn name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

/// The template's shown path and text.
fn find(root: &Path, config: &Config, name: &str) -> Result<(String, String), Failure> {
    if !name_ok(name) {
        return Err(usage(
            format!("`{name}` is not a template name"),
            "name a file of `archetypes/updates/` without `.md`, e.g. `--template monitoring`",
        ));
    }
    let lang = config.language.as_str();
    let primary = lang.split('-').next().unwrap_or(lang);
    let files: Vec<String> = [lang, primary]
        .iter()
        .map(|l| format!("archetypes/updates/{l}/{name}.md"))
        .chain([format!("archetypes/updates/{name}.md")])
        .collect();
    let theme_dir = PathBuf::from("themes").join(&config.theme);
    for dir in [PathBuf::new(), theme_dir.clone()] {
        for f in &files {
            let rel = dir.join(f);
            let path = root.join(&rel);
            if path.is_file() {
                let shown = crate::load::rel(root, &path);
                let text =
                    crate::load::read_text(&path, &shown).map_err(|d| Failure::Usage(vec![d]))?;
                return Ok((shown, text));
            }
        }
    }
    // The built-in theme's copies serve a site that uses it.
    if config.theme == "default" && !root.join(&theme_dir).is_dir() {
        for f in files
            .iter()
            .chain([&format!("archetypes/updates/en/{name}.md")])
        {
            if let Some(text) = crate::theme::built_in_file(f) {
                return Ok((format!("{BUILT_IN}/{f}"), text.to_string()));
            }
        }
    }
    Err(usage(
        format!("there is no update template `{name}`"),
        &format!(
            "create `archetypes/updates/{name}.md` (or `archetypes/updates/{lang}/{name}.md`) in the site or its theme; the default theme ships investigating, identified, monitoring and resolved"
        ),
    ))
}

fn usage(msg: String, hint: &str) -> Failure {
    Failure::Usage(vec![Diagnostic::error("sitrep", msg).hint(hint)])
}

/// The rendered text of template `name`, trimmed.
pub(crate) fn render(
    root: &Path,
    config: &Config,
    name: &str,
    facts: &Facts,
) -> Result<String, Failure> {
    let (shown, text) = find(root, config, name)?;
    let mut cx = tera::Context::new();
    cx.insert("incident", facts);
    cx.insert("status", facts.status);
    tera::Tera::one_off(&text, &cx, false)
        .map(|t| t.trim().to_string())
        .map_err(|e| {
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                src = s.source();
            }
            Failure::Content(vec![
                Diagnostic::error(shown, format!("the update template does not render: {msg}"))
                    .hint("it is given `incident` (id, title, services, regions, components, severity, errors, status, started, next_update, at) and `status`; see docs/templates.md"),
            ])
        })
}

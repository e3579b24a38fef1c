//! Theme: the site root and config in, the templates, static files and
//! interface strings to use out — the built-in default theme (embedded at
//! compile time), a site's own `themes/<name>/`, then the site's `templates/`,
//! `static/` and `i18n/` overrides.

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::i18n::{Strings, parse_layer};
use crate::load::rel;
use include_dir::{Dir, include_dir};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

#[derive(Debug, Clone)]
pub enum StaticFile {
    Embedded(&'static [u8]),
    Disk(PathBuf),
}

#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Template name (`incident.html`, `partials/card.html`) → (shown path, text).
    pub templates: BTreeMap<String, (String, String)>,
    /// Output path → file.
    pub statics: BTreeMap<String, StaticFile>,
    /// The interface strings of `language`, English underneath.
    pub strings: Strings,
    /// Problems that do not stop the build (a language with no strings file).
    pub warnings: Vec<Diagnostic>,
}

impl Theme {
    /// Whether every template of the built-in theme is used as it ships, none
    /// replaced by a site's or theme folder's own. Render then knows what its
    /// templates read (paged lists: only each card's HTML, see `render::lists`).
    pub fn templates_built_in(&self) -> bool {
        let mut stack = vec![&DEFAULT_THEME];
        while let Some(d) = stack.pop() {
            stack.extend(d.dirs());
            for file in d.files() {
                let path = file.path().to_string_lossy().replace('\\', "/");
                if let Some(name) = path.strip_prefix("templates/")
                    && self.templates.get(name).map(|(_, t)| t.as_bytes()) != Some(file.contents())
                {
                    return false;
                }
            }
        }
        true
    }
}

/// A file of the built-in theme by its path in it
/// (`archetypes/updates/en/monitoring.md`).
pub(crate) fn built_in_file(path: &str) -> Option<&'static str> {
    DEFAULT_THEME.get_file(path).and_then(|f| f.contents_utf8())
}

/// Resolve the theme; an unknown theme is a config error (exit 2), and so is
/// every file of it that cannot be read (all of them, not only the first).
pub(crate) fn load(root: &Path, config: &Config) -> Result<Theme, Vec<Diagnostic>> {
    let mut theme = Theme::default();
    let mut diags = Vec::new();
    let dir = root.join("themes").join(&config.theme);
    if dir.is_dir() {
        read_dir_into(root, &dir.join("templates"), &mut theme, true, &mut diags);
        read_dir_into(root, &dir.join("static"), &mut theme, false, &mut diags);
    } else if config.theme == "default" {
        embedded_into(&DEFAULT_THEME, &mut theme);
    } else {
        return Err(vec![
            config
                .key_error("theme", format!("unknown theme `{}`", config.theme))
                .hint(format!(
                    "the built-in theme is `default`; or create `themes/{}/templates/`",
                    config.theme
                )),
        ]);
    }
    read_dir_into(root, &root.join("templates"), &mut theme, true, &mut diags);
    read_dir_into(root, &root.join("static"), &mut theme, false, &mut diags);
    let disk = dir.is_dir().then_some(dir.as_path());
    match strings(root, disk, config) {
        Ok((strings, warnings)) => {
            theme.strings = strings;
            theme.warnings = warnings;
        }
        Err(d) => diags.push(d),
    }
    if diags.is_empty() {
        Ok(theme)
    } else {
        Err(diags)
    }
}

/// Where an i18n file may be: the built-in theme, the site's theme folder,
/// the site's own `i18n/`.
#[derive(Clone, Copy)]
enum Source {
    BuiltIn,
    Theme,
    Site,
}

/// The strings of `config.language`, lowest layer first: built-in English,
/// the site theme's and the site's `i18n/en.toml`, then for the language (or
/// its primary subtag: `de` for `de-CH`) the built-in theme's, the site
/// theme's and the site's `i18n/<language>.toml`. The built-in strings are
/// the base of every theme, so a site theme inherits their translations. A
/// language no file exists for falls back to English with a warning.
fn strings(
    root: &Path,
    theme_dir: Option<&Path>,
    config: &Config,
) -> Result<(Strings, Vec<Diagnostic>), Diagnostic> {
    let read = |from: Source, lang: &str| -> Result<Option<HashMap<String, String>>, Diagnostic> {
        let name = format!("i18n/{lang}.toml");
        let base = match (from, theme_dir) {
            (Source::Site, _) => root,
            (Source::Theme, Some(dir)) => dir,
            (Source::Theme, None) => return Ok(None),
            (Source::BuiltIn, _) => {
                let Some(f) = DEFAULT_THEME.get_file(&name) else {
                    return Ok(None);
                };
                let text = String::from_utf8_lossy(f.contents());
                return parse_layer(&format!("(built-in theme)/{name}"), &text).map(Some);
            }
        };
        let path = base.join(&name);
        if !path.is_file() {
            return Ok(None);
        }
        let shown = rel(root, &path);
        let text = crate::load::read_text(&path, &shown)?;
        parse_layer(&shown, &text).map(Some)
    };
    // Built-in English is already the base of every `Strings`.
    let mut layers = Vec::new();
    for from in [Source::Theme, Source::Site] {
        layers.extend(read(from, "en")?);
    }
    let lang = config.language.as_str();
    // File names are lower-case by convention (`de.toml`); `DE` finds it too.
    let primary = lang.split('-').next().unwrap_or(lang).to_ascii_lowercase();
    let mut warnings = Vec::new();
    if !primary.eq_ignore_ascii_case("en") || lang.contains('-') {
        let mut found = false;
        for candidate in [lang, primary.as_str()] {
            for from in [Source::BuiltIn, Source::Theme, Source::Site] {
                if let Some(layer) = read(from, candidate)? {
                    layers.push(layer);
                    found = true;
                }
            }
            if found {
                break;
            }
        }
        if !found && !primary.eq_ignore_ascii_case("en") {
            let theme = match theme_dir {
                Some(_) => format!("themes/{}/i18n/{lang}.toml", config.theme),
                None => format!("i18n/{lang}.toml"),
            };
            let mut d = config
                .key_error("language", format!("the theme has no interface strings for language `{lang}`: English is used"))
                .hint(format!("the built-in theme ships `en` and `de`; add `{theme}` (copy the theme's en.toml and translate it)"));
            d.severity = crate::diag::Severity::Warning;
            warnings.push(d);
        }
    }
    Ok((Strings::layered(lang, layers), warnings))
}

fn embedded_into(dir: &'static Dir<'static>, theme: &mut Theme) {
    let mut stack = vec![dir];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        stack.extend(d.dirs());
        files.extend(d.files());
    }
    for file in files {
        let path = file.path().to_string_lossy().replace('\\', "/");
        if let Some(name) = path.strip_prefix("templates/") {
            let text = String::from_utf8_lossy(file.contents()).into_owned();
            theme
                .templates
                .insert(name.to_string(), (format!("(built-in theme)/{path}"), text));
        } else if let Some(name) = path.strip_prefix("static/") {
            theme
                .statics
                .insert(name.to_string(), StaticFile::Embedded(file.contents()));
        }
    }
}

fn read_dir_into(
    root: &Path,
    dir: &Path,
    theme: &mut Theme,
    templates: bool,
    diags: &mut Vec<Diagnostic>,
) {
    if !dir.is_dir() {
        return;
    }
    let (files, problems) = crate::load::walk_files(root, dir, &|n| n.starts_with('.'));
    diags.extend(problems);
    for path in files {
        let name = rel(dir, &path);
        if templates {
            let shown = rel(root, &path);
            match crate::load::read_text(&path, &shown) {
                Ok(text) => {
                    theme.templates.insert(name, (shown, text));
                }
                Err(d) => diags.push(d),
            }
        } else {
            theme.statics.insert(name, StaticFile::Disk(path));
        }
    }
}

//! Theme: the site root and config in, the templates and static files to use
//! out — the built-in default theme (embedded at compile time), a site's own
//! `themes/<name>/`, then the site's `templates/` and `static/` overrides.

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::rel;
use include_dir::{Dir, include_dir};
use std::collections::BTreeMap;
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
}

/// Resolve the theme; an unknown theme is a config error (exit 2).
pub fn load(root: &Path, config: &Config) -> Result<Theme, Diagnostic> {
    let mut theme = Theme::default();
    let dir = root.join("themes").join(&config.theme);
    if dir.is_dir() {
        read_dir_into(root, &dir.join("templates"), &mut theme, true)?;
        read_dir_into(root, &dir.join("static"), &mut theme, false)?;
    } else if config.theme == "default" {
        embedded_into(&DEFAULT_THEME, &mut theme);
    } else {
        return Err(config
            .key_error("theme", format!("unknown theme `{}`", config.theme))
            .hint(format!(
                "the built-in theme is `default`; or create `themes/{}/templates/`",
                config.theme
            )));
    }
    read_dir_into(root, &root.join("templates"), &mut theme, true)?;
    read_dir_into(root, &root.join("static"), &mut theme, false)?;
    Ok(theme)
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
) -> Result<(), Diagnostic> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry =
            entry.map_err(|e| Diagnostic::error(rel(root, dir), format!("cannot read: {e}")))?;
        if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let name = rel(dir, entry.path());
        if templates {
            let shown = rel(root, entry.path());
            let text = crate::load::read_text(entry.path(), &shown)?;
            theme.templates.insert(name, (shown, text));
        } else {
            theme
                .statics
                .insert(name, StaticFile::Disk(entry.path().to_path_buf()));
        }
    }
    Ok(())
}

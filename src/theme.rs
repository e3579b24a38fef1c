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

/// Resolve the theme; an unknown theme is a config error (exit 2), and so is
/// every file of it that cannot be read (all of them, not only the first).
pub fn load(root: &Path, config: &Config) -> Result<Theme, Vec<Diagnostic>> {
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
    if diags.is_empty() {
        Ok(theme)
    } else {
        Err(diags)
    }
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

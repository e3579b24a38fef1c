//! Generated file texts in, files on disk out: find the file an ID already
//! has, tell created / updated / unchanged apart (a re-import edits the
//! existing file surgically), and write each file atomically.

use super::item::Item;
use super::reimport;
use crate::diag::Diagnostic;
use crate::model::IncidentId;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Created,
    Updated,
    Unchanged,
}

/// A file to write (or to leave as it is).
pub(crate) struct Planned {
    pub path: PathBuf,
    /// Path relative to the site root, `/`-separated, for messages.
    pub shown: String,
    pub change: Change,
    pub text: String,
    /// Timeline entries a re-import could not append.
    pub warnings: Vec<String>,
}

/// The incident files of the site by ID key (lower-cased), read from their
/// `id:` lines, so a re-import finds an incident a writer moved to a sub-folder.
pub(crate) fn existing_ids(root: &Path) -> HashMap<String, PathBuf> {
    let mut out = HashMap::new();
    let dir = root.join("content/incidents");
    for e in walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        let p = e.path();
        if !e.file_type().is_file() || p.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        let src = crate::diag::SourceText::new(String::new(), text);
        if let Some(id) = crate::frontmatter::declared_id(&src) {
            out.entry(id.key()).or_insert_with(|| p.to_path_buf());
        }
    }
    out
}

/// Decide what becomes of one item whose fresh file text is `fresh`.
pub(crate) fn plan(
    root: &Path,
    existing: &HashMap<String, PathBuf>,
    id: &IncidentId,
    item: &Item,
    fresh: String,
) -> Result<Planned, Diagnostic> {
    let path = existing
        .get(&id.key())
        .cloned()
        .unwrap_or_else(|| root.join("content/incidents").join(format!("{id}.md")));
    let shown = path
        .strip_prefix(root)
        .unwrap_or(&path)
        .to_string_lossy()
        .replace('\\', "/");
    let old = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Planned {
                path,
                shown,
                change: Change::Created,
                text: fresh,
                warnings: Vec::new(),
            });
        }
        Err(e) => {
            return Err(
                Diagnostic::error(&shown, format!("cannot read `{shown}`: {e}"))
                    .hint("check its permissions"),
            );
        }
    };
    if old == fresh {
        return Ok(Planned {
            path,
            shown,
            change: Change::Unchanged,
            text: old,
            warnings: Vec::new(),
        });
    }
    let (text, warnings) = reimport::merge(&shown, &old, item)?;
    let change = if text == old {
        Change::Unchanged
    } else {
        Change::Updated
    };
    Ok(Planned {
        path,
        shown,
        change,
        text,
        warnings,
    })
}

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

/// What the site already has: its incident files by ID key (lower-cased,
/// read from their `id:` lines, so a re-import finds an incident a writer
/// moved to a sub-folder), and the spelling of each service by its slug.
#[derive(Default)]
pub(crate) struct Existing {
    pub ids: HashMap<String, PathBuf>,
    pub services: HashMap<String, String>,
}

pub(crate) fn existing(root: &Path) -> Existing {
    use rayon::prelude::*;
    let files: Vec<PathBuf> = walkdir::WalkDir::new(root.join("content/incidents"))
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    let read: Vec<_> = files
        .par_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            let src = crate::diag::SourceText::new(String::new(), text);
            let id = crate::frontmatter::declared_id(&src);
            let services = crate::frontmatter::foreign(&src)
                .map(|(fm, _)| super::read::names(&fm, "services"))
                .unwrap_or_default();
            Some((p.clone(), id, services))
        })
        .collect();
    let mut out = Existing::default();
    for (p, id, services) in read {
        if let Some(id) = id {
            out.ids.entry(id.key()).or_insert(p);
        }
        for s in services {
            out.services.entry(crate::slug::slugify(&s)).or_insert(s);
        }
    }
    out
}

/// Decide what becomes of one item whose fresh file text is `fresh`.
pub(crate) fn plan(
    root: &Path,
    existing: &Existing,
    id: &IncidentId,
    item: &Item,
    fresh: String,
) -> Result<Planned, Diagnostic> {
    let path = existing
        .ids
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

/// Write `bytes` to `path` through a temporary file in the same folder, then
/// rename it over `path`: a reader sees the old file or the new one, never
/// half of one. Unlike [`crate::edit::write_atomic`] it does not fsync each
/// file: at thousands of files per import that cost 25 s of 26 (see
/// docs/import.md); a crash mid-import leaves whole files or none, and the
/// import can simply run again.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".sitrep-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
